"""The Octavia database: records by id, the indexes that keep every parent->children lookup O(children),
the deletions still pending, and the listeners' traffic counters. Every field `__init__` takes is what
`--state` saves of Octavia (see democloud/state.py); the others are derived or live only while it runs.

Records are plain dicts holding the API fields a client set plus private `_` keys (`_lb`, `_pool`, the
provisioning stamps). Children lists are insertion-ordered dicts used as ordered sets, so listings come out
in creation order, as Octavia's default sort (created_at) gives them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]
Ids = dict[str, None]
#: (moment it completes, sequence, kind, id): a deletion in PENDING_DELETE, in a heap
Pending = tuple[float, int, str, str]


@dataclass
class Store:
    lbs: dict[str, Record] = field(default_factory=dict)
    listeners: dict[str, Record] = field(default_factory=dict)
    pools: dict[str, Record] = field(default_factory=dict)
    members: dict[str, Record] = field(default_factory=dict)
    monitors: dict[str, Record] = field(default_factory=dict)
    lb_listeners: dict[str, Ids] = field(default_factory=dict)
    lb_pools: dict[str, Ids] = field(default_factory=dict)
    pool_members: dict[str, Ids] = field(default_factory=dict)
    pool_listeners: dict[str, Ids] = field(default_factory=dict)
    pool_monitor: dict[str, str] = field(default_factory=dict)
    #: (pool id, address, protocol_port) -> member id: the 409 for a duplicate member in O(1)
    member_keys: dict[tuple[str, str, int], str] = field(default_factory=dict)
    #: deletions ordered by the moment they complete (see provisioning.py)
    pending: list[Pending] = field(default_factory=list)
    #: listener id -> traffic counters the data plane records (the `/stats` calls answer from them)
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
    # Not saved: the order of deletions due at the same moment (derived), and members' health pinned
    # from outside (a probe of this run, not API state).
    sequence: itertools.count[int] = field(init=False, repr=False, compare=False)
    health_overrides: dict[str, str] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.sequence = itertools.count(max((entry[1] for entry in self.pending), default=-1) + 1)

    def table(self, kind: str) -> dict[str, Record]:
        return {"loadbalancer": self.lbs, "listener": self.listeners, "pool": self.pools,
                "member": self.members, "healthmonitor": self.monitors}[kind]

    # --- load balancers ---------------------------------------------------------------------------
    def add_lb(self, lb: Record) -> None:
        self.lbs[lb["id"]] = lb
        self.lb_listeners[lb["id"]] = {}
        self.lb_pools[lb["id"]] = {}

    def remove_lb(self, lb_id: str) -> Record | None:
        for listener_id in list(self.lb_listeners.get(lb_id, {})):
            self.remove_listener(listener_id)
        for pool_id in list(self.lb_pools.get(lb_id, {})):
            self.remove_pool(pool_id)
        self.lb_listeners.pop(lb_id, None)
        self.lb_pools.pop(lb_id, None)
        return self.lbs.pop(lb_id, None)

    def listeners_of(self, lb_id: str) -> list[Record]:
        return [self.listeners[i] for i in self.lb_listeners.get(lb_id, {})]

    def pools_of(self, lb_id: str) -> list[Record]:
        return [self.pools[i] for i in self.lb_pools.get(lb_id, {})]

    # --- listeners ----------------------------------------------------------------------------------
    def add_listener(self, listener: Record) -> None:
        self.listeners[listener["id"]] = listener
        self.lb_listeners[listener["_lb"]][listener["id"]] = None
        self.link_default_pool(listener, listener.get("default_pool_id"))

    def link_default_pool(self, listener: Record, pool_id: str | None) -> None:
        """Point a listener at its default pool, keeping the pool -> listeners index in step."""
        old = listener.get("default_pool_id")
        if old and old in self.pool_listeners:
            self.pool_listeners[old].pop(listener["id"], None)
        listener["default_pool_id"] = pool_id
        if pool_id:
            self.pool_listeners.setdefault(pool_id, {})[listener["id"]] = None

    def remove_listener(self, listener_id: str) -> Record | None:
        listener = self.listeners.pop(listener_id, None)
        if listener is not None:
            pool_id = listener.get("default_pool_id")
            if pool_id and pool_id in self.pool_listeners:
                self.pool_listeners[pool_id].pop(listener_id, None)
            self.lb_listeners.get(listener["_lb"], {}).pop(listener_id, None)
        return listener

    # --- pools --------------------------------------------------------------------------------------
    def add_pool(self, pool: Record) -> None:
        self.pools[pool["id"]] = pool
        self.lb_pools[pool["_lb"]][pool["id"]] = None
        self.pool_members[pool["id"]] = {}
        self.pool_listeners.setdefault(pool["id"], {})

    def remove_pool(self, pool_id: str) -> Record | None:
        pool = self.pools.pop(pool_id, None)
        if pool is None:
            return None
        for member_id in list(self.pool_members.get(pool_id, {})):
            self.remove_member(member_id)
        monitor_id = self.pool_monitor.get(pool_id)
        if monitor_id:
            self.remove_monitor(monitor_id)
        for listener_id in self.pool_listeners.pop(pool_id, {}):
            if listener_id in self.listeners:
                self.listeners[listener_id]["default_pool_id"] = None
        self.pool_members.pop(pool_id, None)
        self.lb_pools.get(pool["_lb"], {}).pop(pool_id, None)
        return pool

    def members_of(self, pool_id: str) -> list[Record]:
        return [self.members[i] for i in self.pool_members.get(pool_id, {})]

    def listeners_of_pool(self, pool_id: str) -> list[Record]:
        return [self.listeners[i] for i in self.pool_listeners.get(pool_id, {})]

    def monitor_of(self, pool_id: str) -> Record | None:
        monitor_id = self.pool_monitor.get(pool_id)
        return self.monitors.get(monitor_id) if monitor_id else None

    # --- members and health monitors ------------------------------------------------------------------
    def add_member(self, member: Record) -> None:
        self.members[member["id"]] = member
        self.pool_members[member["_pool"]][member["id"]] = None
        self.member_keys[(member["_pool"], member["address"], member["protocol_port"])] = member["id"]

    def remove_member(self, member_id: str) -> Record | None:
        member = self.members.pop(member_id, None)
        if member is not None:
            self.pool_members.get(member["_pool"], {}).pop(member_id, None)
            self.member_keys.pop((member["_pool"], member["address"], member["protocol_port"]), None)
        return member

    def add_monitor(self, monitor: Record) -> None:
        self.monitors[monitor["id"]] = monitor
        self.pool_monitor[monitor["_pool"]] = monitor["id"]

    def remove_monitor(self, monitor_id: str) -> Record | None:
        monitor = self.monitors.pop(monitor_id, None)
        if monitor is not None and self.pool_monitor.get(monitor["_pool"]) == monitor_id:
            del self.pool_monitor[monitor["_pool"]]
        return monitor

    def remove(self, kind: str, ident: str) -> Record | None:
        remover = {"loadbalancer": self.remove_lb, "listener": self.remove_listener, "pool": self.remove_pool,
                   "member": self.remove_member, "healthmonitor": self.remove_monitor}[kind]
        return remover(ident)
