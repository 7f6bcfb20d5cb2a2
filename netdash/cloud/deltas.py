"""A fetch's bodies as what changed since the last one, and the model objects kept up to date from that.

Two halves, so they can live in two processes. `Deltas` sits where the JSON is decoded: it remembers
each object's body as `marshal` bytes and says which ids are new or changed and which are gone. `Models`
sits where the dashboard reads the snapshot: it converts only the bodies it is sent and keeps every other
model object, the same object, not a new equal one. A refresh decodes every body of the project and a
quiet project changes a few of them, so the dashboard's process converts those few objects instead of
all of them (each new long-lived object brings the next full garbage collection nearer; see
`cloud.collector`), and a field with no change keeps its whole view, sorted order and index included.

`Deltas.commit()` only once the `Models` have applied the delta: if the two halves ever disagree (a new
`Deltas`, a restarted fetch process), `full` tells the receiver to forget that field first.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from . import convert
from .model import Member, Resource, Topology, Unread, by_id

Body = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class FieldDelta:
    #: id -> body of every object new or changed since the receiver's last
    changed: dict[str, Body]
    removed: tuple[str, ...] = ()
    #: the sender knew nothing of this field: the receiver drops what it has first
    full: bool = False


Delta = dict[str, FieldDelta]
Keys = dict[str, dict[str, bytes]]


def key_of(body: Body) -> bytes | None:
    """The exact serialisation of a JSON body (bytes: not tracked by the collector, and quicker than
    `repr`; version 2: no back-references, whose flags depend on reference counts). None: not JSON's
    types (a caller's own mapping or values), so never taken for unchanged."""
    if not isinstance(body, dict):
        return None
    try:
        return marshal.dumps(body, 2)
    except ValueError:
        return None


class Deltas:
    """The sending half: what the receiver has, as keys by field and id."""

    def __init__(self, keys: Keys | None = None) -> None:
        self.keys: Keys = keys if keys is not None else {}

    def compute(self, bodies: Mapping[str, Iterable[Any]]) -> tuple[Delta, Keys]:
        """(the delta from what the receiver has to `bodies`, the keys to `commit` once it is applied).
        Entries without a string id are left out: they could be neither shown nor diffed."""
        delta: Delta = {}
        pending: Keys = {}
        for field, items in bodies.items():
            before = self.keys.get(field)
            now: dict[str, bytes] = {}
            changed: dict[str, Body] = {}
            for d in items:
                if not isinstance(d, Mapping) or not isinstance(item_id := d.get("id"), str):
                    continue
                key = key_of(d)
                if key is None or before is None or before.get(item_id) != key:
                    changed[item_id] = d
                if key is not None:
                    now[item_id] = key
                else:
                    now.pop(item_id, None)
            removed = () if before is None else tuple(i for i in before if i not in now and i not in changed)
            delta[field] = FieldDelta(changed, removed, before is None)
            pending[field] = now
        return delta, pending

    def commit(self, pending: Keys) -> None:
        self.keys.update(pending)


def member(d: Body) -> Member:
    """Members travel with their pool's id in the body (a status tree nests them under the pool)."""
    return convert.member(d, convert.text(d, "pool_id"))


CONVERTERS: dict[str, Callable[[Body], Resource]] = {
    "networks": convert.network, "subnets": convert.subnet, "ports": convert.port, "routers": convert.router,
    "servers": convert.server, "floating_ips": convert.floating_ip, "load_balancers": convert.load_balancer,
    "listeners": convert.listener, "pools": convert.pool, "health_monitors": convert.health_monitor,
    "members": member, "security_groups": convert.security_group, "quotas": convert.quota,
}


class Models:
    """The receiving half: model objects by field and id, and each field's view (display order, by id)."""

    def __init__(self) -> None:
        self.objects: dict[str, dict[str, Resource]] = {}
        #: by Topology field name: each value a Mapping of that field's kind, which no one static type says
        self.views: dict[str, Mapping[str, Any]] = {}
        self.last: Topology | None = None
        self.last_fields: set[str] = set()
        #: field -> wall-clock time of its first failed read since its last good one
        self.since: dict[str, float] = {}

    def apply(self, delta: Delta) -> None:
        for field, change in delta.items():
            objects = self.objects.get(field)
            if objects is not None and not change.full and not change.changed and not change.removed:
                continue  # nothing new: the same view again, not an equal new one
            if objects is None or change.full:
                objects = self.objects[field] = {}
            for item_id in change.removed:
                objects.pop(item_id, None)
            make = CONVERTERS[field]
            for item_id, body in change.changed.items():
                objects[item_id] = make(body)
            self.views[field] = by_id(convert.in_display_order(field, list(objects.values())))

    def topology(self, fields: Iterable[str], services: frozenset[str], fetched_at: float,
                  failures: Mapping[str, tuple[str, str]] | None = None) -> Topology:
        """The snapshot of `fields` (the ones fetched; the others are empty: their service is absent), built
        from the last one where it can be (`Topology.following`). `failures`: the fields that could not be
        read, (title, reason) each; they keep their last view (or stay empty) and are named in `unread`."""
        failures = failures or {}
        wanted = [*fields, *(f for f in failures if f not in fields)]
        views = {f: self.views[f] for f in wanted if f in self.views}
        for f in [f for f in self.since if f not in failures]:
            del self.since[f]  # read again: no longer stale
        unread = MappingProxyType({
            f: Unread(title, reason, self.since.setdefault(f, fetched_at), f in self.views)
            for f, (title, reason) in failures.items()})
        last = self.last
        if last is None or last.services != services or set(views) != self.last_fields:
            self.last = Topology(**views, services=services, fetched_at=fetched_at, unread=unread)
        else:
            self.last = last.following(fetched_at, unread=unread, **views)
        self.last_fields = set(views)
        return self.last
