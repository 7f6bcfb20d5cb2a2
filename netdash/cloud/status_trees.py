"""Which load balancers' status trees a refresh asks for: the changed ones, and a few of the others.

Member health is only in `GET /lbaas/loadbalancers/{id}/status`, one call per load balancer per refresh,
which with many load balancers is seconds of the `--max-rps` budget. But a change to a member
shows in the lists a refresh reads anyway: a member added or removed changes its pool's `members`, and
a member going down changes its pool's and its load balancer's `operating_status` (ONLINE -> DEGRADED
-> ERROR). So a tree is fetched when what the lists say about its load balancer changed (the load
balancer, its listeners, its pools and their health monitors, compared as the bodies' `repr`), and
otherwise reused, except that each refresh also re-reads the `ROTATE` trees read longest ago: what the
lists cannot show (a second member failing in an already DEGRADED pool) is seen within
`count / ROTATE` refreshes. A project with at most `ROTATE` load balancers has every tree read every time,
and the load balancers someone is looking at (`watched`: the dashboard's selection) are read every time too.

A tree lacks what only a pool's member list says (weight, admin state, backup, subnet, monitor address and
port), so when a tree is new, changed, or watched, its pools' member lists are read too (`store` says so)
and kept (`details`); a member's fields are the list's with the tree's fresher statuses over them
(`with_details`). A drain or a disable changes the load balancer's provisioning status and `updated_at` in
the lists, so it is read again within a refresh of the change; the selected one is read every time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .convert import ids_of

#: trees re-read per refresh beyond the changed ones
ROTATE = 10


@dataclass(slots=True)
class Entry:
    signature: str
    body: Any
    #: the number of the fetch that read it
    fetched: int


def signatures(lbs: Iterable[Any], listeners: Iterable[Any], pools: Iterable[Any],
               monitors: Iterable[Any]) -> dict[str, str]:
    """Per load balancer id, what the lists say about it and everything under it, as one string."""
    related: dict[str, list[Any]] = {d["id"]: [d] for d in lbs
                                     if isinstance(d, Mapping) and isinstance(d.get("id"), str)}
    lbs_of_pool: dict[str, list[str]] = {}
    for kind, items in (("listener", listeners), ("pool", pools)):
        for d in items:
            if not isinstance(d, Mapping):
                continue
            for lb_id in ids_of(d.get("loadbalancers")):
                if lb_id in related:
                    related[lb_id].append(d)
                    if kind == "pool" and isinstance(d.get("id"), str):
                        lbs_of_pool.setdefault(d["id"], []).append(lb_id)
    for d in monitors:
        if isinstance(d, Mapping):
            for pool_id in ids_of(d.get("pools")):
                for lb_id in lbs_of_pool.get(pool_id, ()):
                    related[lb_id].append(d)
    return {lb_id: repr(items) for lb_id, items in related.items()}


class TreeCache:
    """The trees read so far, and the choice of which to read next."""

    def __init__(self, rotate: int = ROTATE) -> None:
        self.rotate = rotate
        self.entries: dict[str, Entry] = {}
        self.fetches = 0
        #: load balancers whose trees are read on every refresh (plain attribute: set from any thread)
        self.watched: frozenset[str] = frozenset()
        #: per pool id, its member list as last read (`GET /lbaas/pools/{id}/members`)
        self.details: dict[str, list[Any]] = {}

    def plan(self, current: Mapping[str, str]) -> list[str]:
        """The load balancers whose trees to read now; forgets the ones gone from the cloud."""
        self.fetches += 1
        self.entries = {i: e for i, e in self.entries.items() if i in current}
        watched = self.watched
        changed = [i for i, sig in current.items()
                   if i not in self.entries or self.entries[i].signature != sig or i in watched]
        unchanged = sorted((i for i in current if i not in watched and i in self.entries
                            and self.entries[i].signature == current[i]), key=lambda i: self.entries[i].fetched)
        return changed + unchanged[:self.rotate]

    def store(self, lb_id: str, signature: str, body: Any) -> bool:
        """Keep a tree just read; whether its pools' member lists should be read again too."""
        before = self.entries.get(lb_id)
        self.entries[lb_id] = Entry(signature, body, self.fetches)
        return before is None or before.signature != signature or before.body != body or lb_id in self.watched

    def with_details(self, members: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
        """The trees' members (per pool id) with what the pools' member lists say under the trees' statuses;
        forgets the lists of pools no tree shows any more."""
        self.details = {pool_id: found for pool_id, found in self.details.items() if pool_id in members}
        merged: dict[str, list[dict[str, Any]]] = {}
        for pool_id, bodies in members.items():
            listed = {d.get("id"): d for d in self.details.get(pool_id, ()) if isinstance(d, Mapping)}
            merged[pool_id] = [{**listed.get(m.get("id"), {}), **m} for m in bodies]
        return merged

    def cached(self, skip: Iterable[str]) -> list[Any]:
        """The bodies of every tree not read this time (`skip`)."""
        fresh = set(skip)
        return [e.body for i, e in self.entries.items() if i not in fresh]
