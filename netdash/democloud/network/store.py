"""Neutron's database: the records by id, and the indexes that keep every lookup clients make often
O(answer). It is all `--state` saves of Neutron (see democloud/state.py): every field that `__init__` takes.

Records are stored as the admin API view minus the computed fields (status, subnets...). Nested values
(fixed_ips, allocation_pools...) are replaced, never mutated in place, so a view that shares them can be
encoded after the cloud lock is released without seeing a half-made change. Indexes are dicts used as
ordered sets.
"""

from __future__ import annotations

import itertools
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..core import Context, iso
from .ipam import IPNet, Pool

Record = dict[str, Any]
Ids = dict[str, None]


@dataclass
class Store:
    networks: dict[str, Record] = field(default_factory=dict)
    subnets: dict[str, Record] = field(default_factory=dict)
    ports: dict[str, Record] = field(default_factory=dict)
    routers: dict[str, Record] = field(default_factory=dict)
    fips: dict[str, Record] = field(default_factory=dict)
    sgs: dict[str, Record] = field(default_factory=dict)
    sg_rules: dict[str, Record] = field(default_factory=dict)
    subnets_of_net: dict[str, Ids] = field(default_factory=dict)
    ports_of_net: dict[str, Ids] = field(default_factory=dict)
    ports_of_dev: dict[str, Ids] = field(default_factory=dict)
    #: subnet id -> ip -> port id
    allocations: dict[str, dict[str, str]] = field(default_factory=dict)
    #: subnet id -> (cidr, pools)
    subnet_ranges: dict[str, tuple[IPNet, list[Pool]]] = field(default_factory=dict)
    ports_at_ip: dict[str, Ids] = field(default_factory=dict)
    fips_of_port: dict[str, Ids] = field(default_factory=dict)
    rules_of_sg: dict[str, Ids] = field(default_factory=dict)
    #: project id -> its `default` security group
    default_sg: dict[str, str] = field(default_factory=dict)
    #: project id -> resource -> limit, the limits a project has of its own (the rest are the defaults)
    quotas: dict[str, dict[str, int]] = field(default_factory=dict)
    subnetpools: dict[str, Record] = field(default_factory=dict)
    #: RBAC policies by id: which other projects may use a network, subnet pool or security group
    rbac: dict[str, Record] = field(default_factory=dict)
    #: object id -> its RBAC policies
    rbac_of: dict[str, Ids] = field(default_factory=dict)
    macs: set[str] = field(default_factory=set)
    segments: set[int] = field(default_factory=set)
    #: id -> creation order, for creation-ordered index answers
    order: dict[str, int] = field(default_factory=dict)
    # Not saved: derived from `order`, and the source of random MACs, addresses and segments.
    counter: itertools.count[int] = field(init=False, repr=False, compare=False)
    rng: random.Random = field(init=False, repr=False, compare=False, default_factory=random.Random)

    def __post_init__(self) -> None:
        self.counter = itertools.count(max(self.order.values(), default=0) + 1)
        self.share_flagged()

    def share_flagged(self) -> None:
        """The wildcard RBAC policy of every network flagged `shared` or `router:external` and every shared
        security group: a store saved before RBAC policies were kept has the flags only. Their ids are made
        from the object's, so that such a store gives the same policies however often it is loaded."""
        flagged = [*((n, "network", "access_as_shared") for n in self.networks.values() if n["shared"]),
                   *((n, "network", "access_as_external") for n in self.networks.values() if n["router:external"]),
                   *((g, "security_group", "access_as_shared") for g in self.sgs.values() if g.get("shared"))]
        for record, object_type, action in flagged:
            if not any(self.rbac[p]["action"] == action and self.rbac[p]["target_project"] == "*"
                       for p in self.rbac_of.get(record["id"], ())):
                ident = str(uuid.uuid5(uuid.NAMESPACE_URL, f"rbac:{record['id']}:{action}"))
                self.rbac[ident] = {"id": ident, "project_id": record["project_id"], "object_type": object_type,
                                    "object_id": record["id"], "action": action, "target_project": "*"}
                self.index_add(self.rbac_of, record["id"], ident)

    # --- standard attributes --------------------------------------------------------------------
    def born(self, record: Record, now: float, revision: int = 0) -> Record:
        """Stamp a new record (description, tags, times, revision) and give it its place in creation order."""
        stamp = iso(now)
        record.setdefault("description", "")
        record.setdefault("tags", [])
        record.update(created_at=stamp, updated_at=stamp, revision_number=revision)
        self.order[record["id"]] = next(self.counter)
        return record

    @staticmethod
    def touch(record: Record, now: float) -> None:
        record["updated_at"] = iso(now)
        record["revision_number"] += 1

    # --- sharing (RBAC policies) --------------------------------------------------------------------
    def granted(self, object_id: str, project: str, action: str = "access_as_shared") -> bool:
        """Whether an RBAC policy grants `project` (or every project) `action` on the object."""
        return any(self.rbac[p]["action"] == action and self.rbac[p]["target_project"] in ("*", project)
                   for p in self.rbac_of.get(object_id, ()))

    def shared_for(self, ctx: Context | None, record: Record) -> bool:
        """The `shared` a caller is shown: shared with everyone, or with the caller's project (neutron's
        `is_network_shared`); the flag alone for a peer asking in-process."""
        return bool(record["shared"]) or (ctx is not None and self.granted(record["id"], ctx.project_id))

    # --- indexes --------------------------------------------------------------------------------
    def in_creation_order(self, ids: Ids | None, table: dict[str, Record]) -> list[Record]:
        if not ids:
            return []
        return [table[i] for i in sorted(ids, key=self.order.__getitem__)]

    @staticmethod
    def index_add(index: dict[str, Ids], key: str, value: str) -> None:
        index.setdefault(key, {})[value] = None

    @staticmethod
    def index_drop(index: dict[str, Ids], key: str, value: str) -> None:
        bucket = index.get(key)
        if bucket is not None:
            bucket.pop(value, None)
            if not bucket:
                del index[key]

    def unlink_fip(self, fip: Record) -> None:
        """Point a floating IP at nothing, keeping the port -> floating IPs index in step."""
        if fip["port_id"]:
            self.index_drop(self.fips_of_port, fip["port_id"], fip["id"])
        fip.update(port_id=None, fixed_ip_address=None, router_id=None)
