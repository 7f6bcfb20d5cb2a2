"""Members: the backends of a pool (address + port, weight 0..256 where 0 drains, backup, admin state)."""

from __future__ import annotations

from typing import Any

from ..core import Request, Response, new_id
from . import listing
from .base import Resource
from .faults import fault, invalid_subresource
from .provisioning import PENDING_DELETE, PENDING_UPDATE, stamp_new
from .quotas import charge
from .schema import BOOL, TAGS, UUID, Batch, Body, Field, integer, text
from .store import Record

PORT = integer(1, 65535)
PUT: dict[str, Field] = {
    "name": text(), "admin_state_up": BOOL, "weight": integer(0, 256), "backup": BOOL,
    "monitor_address": Field("ip"), "monitor_port": PORT, "tags": TAGS,
}
POST: dict[str, Field] = {
    **PUT, "address": Field("ip", mandatory=True), "protocol_port": integer(1, 65535, mandatory=True),
    "subnet_id": UUID, "project_id": text(36), "request_sriov": BOOL,
}
CREATE = Body("member", "member_", POST)
UPDATE = Body("member", "member_", PUT)
BATCH = Batch("members", POST)
DEFAULTS: dict[str, Any] = {"name": "", "admin_state_up": True, "weight": 1, "backup": False,
                            "subnet_id": None, "monitor_address": None, "monitor_port": None, "tags": []}


class Members(Resource):
    kind = "member"
    title = "Member"

    def register(self) -> None:
        add = self.service.route
        add("GET", "/lbaas/pools/{pool_id}/members", self.list)
        add("POST", "/lbaas/pools/{pool_id}/members", self.create)
        add("PUT", "/lbaas/pools/{pool_id}/members", self.batch_update)
        add("GET", "/lbaas/pools/{pool_id}/members/{member_id}", self.show)
        add("PUT", "/lbaas/pools/{pool_id}/members/{member_id}", self.update)
        add("DELETE", "/lbaas/pools/{pool_id}/members/{member_id}", self.delete)

    def view(self, m: Record, now: float, *, operating: bool = True) -> dict[str, Any]:
        """`operating=False`: the operating status left None (it looks up the member's port and server)."""
        return {
            "id": m["id"], "name": m["name"], "operating_status": self.operating.member(m, now) if operating else None,
            "provisioning_status": self.status_of(m, now), "admin_state_up": m["admin_state_up"],
            "address": m["address"], "protocol_port": m["protocol_port"], "weight": m["weight"],
            "backup": m["backup"], "subnet_id": m["subnet_id"], "project_id": m["project_id"],
            **self.stamps(m, now), "monitor_address": m["monitor_address"], "monitor_port": m["monitor_port"],
            "tags": list(m["tags"]), "vnic_type": "normal", "tenant_id": m["project_id"],
        }

    def member_in(self, req: Request, pool: Record, member_id: str) -> Record:
        member = self.store.members.get(member_id)
        if member is None or member["_pool"] != pool["id"]:
            raise fault(404, f"Member {member_id} not found.")
        return member

    def parents(self, pool: Record) -> list[Record]:
        """What a member change locks besides the load balancer: the pool and its listeners."""
        return [*self.store.listeners_of_pool(pool["id"]), pool]

    # --- handlers ---------------------------------------------------------------------------------
    def list(self, req: Request, pool_id: str) -> Response:
        pool = self.find(req, pool_id, "pool", "Pool")
        now = self.now()
        return listing.collection(req, "members",
                                  [self.view(m, now) for m in self.store.members_of(pool["id"])])

    def show(self, req: Request, pool_id: str, member_id: str) -> Response:
        pool = self.find(req, pool_id, "pool", "Pool")
        return self.shown(req, "member", self.view(self.member_in(req, pool, member_id), self.now()))

    def create(self, req: Request, pool_id: str) -> Response:
        body = CREATE.parse(req)
        pool = self.find(req, pool_id, "pool", "Pool")
        self.check_subnet(req, body.get("subnet_id"))
        now = self.now()
        lb = self.lb_of(pool)
        self.check_mutable(lb, now)
        self.check_unique(pool, body["address"], body["protocol_port"])
        charge(self.store, pool["project_id"], "member")
        rec = self.new_member(pool, body)
        self.lock(lb, self.parents(pool), now)
        stamp_new(rec, now, self.delay)
        self.store.add_member(rec)
        return self.created("member", self.view(rec, now))

    def update(self, req: Request, pool_id: str, member_id: str) -> Response:
        body = UPDATE.parse(req)
        pool = self.find(req, pool_id, "pool", "Pool")
        member = self.member_in(req, pool, member_id)
        now = self.now()
        self.lock(self.lb_of(pool), [*self.parents(pool), member], now)
        self.assign(member, body, DEFAULTS)
        return Response(200, {"member": self.view(member, now)})

    def delete(self, req: Request, pool_id: str, member_id: str) -> Response:
        pool = self.find(req, pool_id, "pool", "Pool")
        member = self.member_in(req, pool, member_id)
        now = self.now()
        self.lock(self.lb_of(pool), self.parents(pool), now)
        self.provisioning.delete(self.kind, member, now, self.delay)
        return Response(204)

    def batch_update(self, req: Request, pool_id: str) -> Response:
        """`PUT .../members {"members": [...]}`: the pool's members become exactly the list (matched on
        address and port); with `?additive_only=true` members not named are kept."""
        wanted = BATCH.parse(req)
        pool = self.find(req, pool_id, "pool", "Pool")
        for item in wanted:
            self.check_subnet(req, item.get("subnet_id"))
        now = self.now()
        self.check_mutable(self.lb_of(pool), now)
        known = {(m["address"], m["protocol_port"]) for m in self.store.members_of(pool["id"])
                 if m["_status"] != PENDING_DELETE}
        added = sum(1 for item in wanted if (item["address"], item["protocol_port"]) not in known)
        dropped = 0 if (req.arg("additive_only") or "").lower() == "true" else len(
            known - {(item["address"], item["protocol_port"]) for item in wanted})
        if added - dropped > 0:
            charge(self.store, pool["project_id"], "member", added - dropped)
        self.lock(self.lb_of(pool), self.parents(pool), now)
        keep = set()
        for item in wanted:
            key = (pool["id"], item["address"], item["protocol_port"])
            existing = self.store.members.get(self.store.member_keys.get(key, ""))
            if existing is None:
                rec = self.new_member(pool, item)
                stamp_new(rec, now, self.delay)
                self.store.add_member(rec)
                keep.add(rec["id"])
            else:
                self.assign(existing, {k: v for k, v in item.items() if k in PUT}, DEFAULTS)
                self.provisioning.touch([existing], PENDING_UPDATE, now, self.delay)
                keep.add(existing["id"])
        if (req.arg("additive_only") or "").lower() != "true":
            for member in self.store.members_of(pool["id"]):
                if member["id"] not in keep and member["_status"] != PENDING_DELETE:
                    self.provisioning.delete(self.kind, member, now, self.delay)
        return Response(202)

    # --- rules ------------------------------------------------------------------------------------
    def new_member(self, pool: Record, body: dict[str, Any]) -> Record:
        fields = {k: v for k, v in body.items() if v is not None and k not in ("project_id", "request_sriov")}
        return {**DEFAULTS, **fields, "id": new_id(), "project_id": pool["project_id"], "_pool": pool["id"],
                "_lb": pool["_lb"]}

    def check_subnet(self, req: Request, subnet_id: str | None) -> None:
        if subnet_id:
            resp = self.service.network.request("GET", f"/v2.0/subnets/{subnet_id}",
                                     context=self.context(req))
            if resp.status != 200:
                raise invalid_subresource("Subnet", subnet_id)

    def check_unique(self, pool: Record, address: str, port: int) -> None:
        if (pool["id"], address, port) in self.store.member_keys:
            raise fault(409, f"Another member on this pool is already using ip {address} on protocol_port "
                             f"{port}")
