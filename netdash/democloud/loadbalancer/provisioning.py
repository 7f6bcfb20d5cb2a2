"""The provisioning state machine, computed lazily from the clock instead of driven by a worker thread.

A change stamps every object it touches with a pending status (`PENDING_CREATE`/`_UPDATE`/`_DELETE`) and
the moment it ends (`_until` = now + `provisioning_delay`); reading an object after that moment shows ACTIVE.
Deletions are the one transition that must *do* something when it ends (drop the records, free the VIP
port), so they go on a heap that `due` pops: each request pays only for what actually finished.

Octavia marks, for each change, the object itself and every parent up to the load balancer; while the load
balancer is PENDING_* any further change to it or its children is refused with 409 (`immutable`).
"""

from __future__ import annotations

import heapq

from .store import Record, Store

ACTIVE = "ACTIVE"
PENDING_CREATE = "PENDING_CREATE"
PENDING_UPDATE = "PENDING_UPDATE"
PENDING_DELETE = "PENDING_DELETE"



def provisioning_status(rec: Record, now: float) -> str:
    return str(rec["_status"]) if now < rec["_until"] else ACTIVE


def is_pending(rec: Record, now: float) -> bool:
    return now < rec["_until"]


def never_active(rec: Record, now: float) -> bool:
    """Still being created: Octavia shows such objects OFFLINE whatever their members say."""
    return rec["_status"] == PENDING_CREATE and now < rec["_until"]


def stamp_new(rec: Record, now: float, delay: float) -> None:
    """A record as the API stores it on create: PENDING_CREATE, `updated_at` null until it is ACTIVE."""
    rec["_created"] = now
    rec["_status"] = PENDING_CREATE
    rec["_until"] = now + delay
    rec["_updated"] = now + delay


class Provisioning:
    """Stamps changes as pending; keeps the store's pending deletions ordered by the moment they complete."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def touch(self, recs: list[Record], status: str, now: float, delay: float) -> None:
        """Mark existing records (the object changed and its parents) as pending until now + delay."""
        for rec in recs:
            rec["_status"] = status
            rec["_until"] = now + delay
            rec["_updated"] = now

    def delete(self, kind: str, rec: Record, now: float, delay: float) -> None:
        self.touch([rec], PENDING_DELETE, now, delay)
        heapq.heappush(self.store.pending, (now + delay, next(self.store.sequence), kind, str(rec["id"])))

    def any_due(self, now: float) -> bool:
        pending = self.store.pending
        return bool(pending) and pending[0][0] <= now

    def due(self, now: float) -> list[tuple[str, str]]:
        """The (kind, id) of every deletion that has completed by `now`, oldest first."""
        done = []
        pending = self.store.pending
        while pending and pending[0][0] <= now:
            _, _, kind, ident = heapq.heappop(pending)
            done.append((kind, ident))
        return done
