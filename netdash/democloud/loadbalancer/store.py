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
    l7policies: dict[str, Record] = field(default_factory=dict)
    l7rules: dict[str, Record] = field(default_factory=dict)
    lb_listeners: dict[str, Ids] = field(default_factory=dict)
    lb_pools: dict[str, Ids] = field(default_factory=dict)
    pool_members: dict[str, Ids] = field(default_factory=dict)
    pool_listeners: dict[str, Ids] = field(default_factory=dict)
    pool_monitor: dict[str, str] = field(default_factory=dict)
    #: listener id -> its L7 policies in position order (a policy's `position` is its place here, from 1)
    listener_policies: dict[str, Ids] = field(default_factory=dict)
    #: pool id -> the L7 policies redirecting to it (Octavia refuses to delete such a pool)
    pool_policies: dict[str, Ids] = field(default_factory=dict)
    policy_rules: dict[str, Ids] = field(default_factory=dict)
    #: (pool id, address, protocol_port) -> member id: the 409 for a duplicate member in O(1)
    member_keys: dict[tuple[str, str, int], str] = field(default_factory=dict)
    #: deletions ordered by the moment they complete (see provisioning.py)
    pending: list[Pending] = field(default_factory=list)
    #: listener id -> traffic counters the data plane records (the `/stats` calls answer from them)
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
    #: project id -> its quota record (a limit of None is the default); Octavia makes one for a project the
    #: first time it creates anything, and `GET /quotas` lists these
    quotas: dict[str, Record] = field(default_factory=dict)
    #: the operator's catalogue: flavors and availability zones (by name), and their profiles
    flavors: dict[str, Record] = field(default_factory=dict)
    flavor_profiles: dict[str, Record] = field(default_factory=dict)
    availability_zones: dict[str, Record] = field(default_factory=dict)
    availability_zone_profiles: dict[str, Record] = field(default_factory=dict)
    # Not saved: the order of deletions due at the same moment (derived), and members' health pinned
    # from outside (a probe of this run, not API state).
    sequence: itertools.count[int] = field(init=False, repr=False, compare=False)
    health_overrides: dict[str, str] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.sequence = itertools.count(max((entry[1] for entry in self.pending), default=-1) + 1)

    def table(self, kind: str) -> dict[str, Record]:
        return {"loadbalancer": self.lbs, "listener": self.listeners, "pool": self.pools,
                "member": self.members, "healthmonitor": self.monitors, "l7policy": self.l7policies,
                "l7rule": self.l7rules}[kind]

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
        for policy_id in list(self.listener_policies.get(listener_id, {})):
            self.remove_policy(policy_id)
        self.listener_policies.pop(listener_id, None)
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
        for policy_id in self.pool_policies.pop(pool_id, {}):
            if policy_id in self.l7policies:
                self.l7policies[policy_id]["redirect_pool_id"] = None
        self.pool_members.pop(pool_id, None)
        self.lb_pools.get(pool["_lb"], {}).pop(pool_id, None)
        return pool

    def members_of(self, pool_id: str) -> list[Record]:
        return [self.members[i] for i in self.pool_members.get(pool_id, {})]

    def listeners_of_pool(self, pool_id: str) -> list[Record]:
        """The listeners *using* the pool, as Octavia's `Pool.listeners`: those it is the default pool of,
        then those with an enabled L7 policy that has rules and redirects to it."""
        ids = dict(self.pool_listeners.get(pool_id, {}))
        for policy in self.policies_to_pool(pool_id):
            if policy["admin_state_up"] and self.policy_rules.get(policy["id"]):
                ids[policy["_listener"]] = None
        return [self.listeners[i] for i in ids]

    def pools_of_listener(self, listener: Record) -> list[str]:
        """The pools a listener *uses*, as Octavia's `Listener.pools`: its default pool, then the pools its
        enabled L7 policies with rules redirect to."""
        ids = dict.fromkeys([listener["default_pool_id"]] if listener.get("default_pool_id") else [])
        for policy in self.policies_of(listener["id"]):
            if policy["redirect_pool_id"] and policy["admin_state_up"] and self.policy_rules.get(policy["id"]):
                ids[policy["redirect_pool_id"]] = None
        return [i for i in ids if i in self.pools]

    def policies_to_pool(self, pool_id: str) -> list[Record]:
        return [self.l7policies[i] for i in self.pool_policies.get(pool_id, {})]

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

    # --- L7 policies and rules ------------------------------------------------------------------------
    def policies_of(self, listener_id: str) -> list[Record]:
        """A listener's L7 policies in position order: the order haproxy evaluates them in."""
        return [self.l7policies[i] for i in self.listener_policies.get(listener_id, {})]

    def position_of(self, policy: Record) -> int:
        return list(self.listener_policies.get(policy["_listener"], {})).index(policy["id"]) + 1

    def add_policy(self, policy: Record, position: int) -> None:
        self.l7policies[policy["id"]] = policy
        self.policy_rules[policy["id"]] = {}
        self.link_redirect_pool(policy, policy.get("redirect_pool_id"))
        self.place_policy(policy, position)

    def place_policy(self, policy: Record, position: int) -> None:
        """Put a policy at `position` (1 = first) among its listener's, the others keeping their order; a
        position past the end is the end (Octavia's ordering list)."""
        order = [i for i in self.listener_policies.get(policy["_listener"], {}) if i != policy["id"]]
        order.insert(max(0, position - 1), policy["id"])
        self.listener_policies[policy["_listener"]] = dict.fromkeys(order)

    def link_redirect_pool(self, policy: Record, pool_id: str | None) -> None:
        old = policy.get("redirect_pool_id")
        if old and old in self.pool_policies:
            self.pool_policies[old].pop(policy["id"], None)
        policy["redirect_pool_id"] = pool_id
        if pool_id:
            self.pool_policies.setdefault(pool_id, {})[policy["id"]] = None

    def remove_policy(self, policy_id: str) -> Record | None:
        for rule_id in list(self.policy_rules.get(policy_id, {})):
            self.remove_rule(rule_id)
        self.policy_rules.pop(policy_id, None)
        policy = self.l7policies.pop(policy_id, None)
        if policy is not None:
            self.link_redirect_pool(policy, None)
            self.listener_policies.get(policy["_listener"], {}).pop(policy_id, None)
        return policy

    def rules_of(self, policy_id: str) -> list[Record]:
        return [self.l7rules[i] for i in self.policy_rules.get(policy_id, {})]

    def add_rule(self, rule: Record) -> None:
        self.l7rules[rule["id"]] = rule
        self.policy_rules[rule["_policy"]][rule["id"]] = None

    def remove_rule(self, rule_id: str) -> Record | None:
        rule = self.l7rules.pop(rule_id, None)
        if rule is not None:
            self.policy_rules.get(rule["_policy"], {}).pop(rule_id, None)
        return rule

    def remove(self, kind: str, ident: str) -> Record | None:
        remover = {"loadbalancer": self.remove_lb, "listener": self.remove_listener, "pool": self.remove_pool,
                   "member": self.remove_member, "healthmonitor": self.remove_monitor,
                   "l7policy": self.remove_policy, "l7rule": self.remove_rule}[kind]
        return remover(ident)

    # --- quotas ---------------------------------------------------------------------------------------
    def in_use(self, quota: str, project_id: str) -> int:
        """How many objects of a quota'd kind (`load_balancer`, `l7rule`...) a project has; deletions still
        pending count, as in Octavia, whose worker frees the quota when a deletion completes. Read with
        `dict.values`: counting changes nothing, so the write-ahead log need not look at every record."""
        table = {"load_balancer": self.lbs, "listener": self.listeners, "pool": self.pools,
                 "health_monitor": self.monitors, "member": self.members, "l7policy": self.l7policies,
                 "l7rule": self.l7rules}[quota]
        return sum(1 for rec in dict.values(table) if rec["project_id"] == project_id)
