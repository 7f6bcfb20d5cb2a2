"""`/v2.0/floatingips`: parse, call the rules, render the views."""

from __future__ import annotations

from typing import Any

from ...core import Request, Response, Router
from .. import attrs as a
from .. import policy
from ..attrs import caller
from ..query import list_answer, shown
from ..rules import Rules
from ..store import Record, Store
from ..views import FIP_FIELDS, fip_view
from .bulk import admitted, created

SPEC: dict[str, a.Attr] = {
    **a.STANDARD,
    "status": a.READ_ONLY,
    "description": a.DESCRIPTION,
    "tags": a.TAGS,
    "project_id": a.PROJECT,
    "tenant_id": a.PROJECT,
    "floating_network_id": a.Attr(a.UUID, put=False, required=True),
    "floating_ip_address": a.Attr(a.IP_ADDRESS, put=False),
    "subnet_id": a.Attr(a.nullable(a.UUID), put=False),
    "port_id": a.Attr(a.nullable(a.UUID)),
    "fixed_ip_address": a.Attr(a.nullable(a.IP_ADDRESS)),
}
BODY = a.Body("floatingip", SPEC)


class FloatingIPsController:
    def __init__(self, store: Store, rules: Rules) -> None:
        self.store = store
        self.rules = rules

    def register(self, r: Router) -> None:
        r.add("GET", "/v2.0/floatingips", self.list)
        r.add("POST", "/v2.0/floatingips", self.create)
        r.add("GET", "/v2.0/floatingips/{fip_id}", self.show)
        r.add("PUT", "/v2.0/floatingips/{fip_id}", self.update)
        r.add("DELETE", "/v2.0/floatingips/{fip_id}", self.delete)

    def view(self, fip: Record) -> Record:
        return fip_view(self.store, fip)

    def list(self, req: Request) -> Response:
        ctx = caller(req)
        store = self.store
        port_ids = req.args("port_id")
        if port_ids and "" not in port_ids:
            candidates: Any = [store.fips[f] for p in port_ids for f in store.fips_of_port.get(p, ())]
        else:
            candidates = store.fips.values()
        records = [f for f in candidates if ctx.can_see(f["project_id"])]
        return list_answer(req, "floatingip", "floatingips", records, FIP_FIELDS, view=self.view)

    def show(self, req: Request, fip_id: str) -> Response:
        fip = policy.owned(caller(req), self.store.fips, "floatingip", fip_id)
        return shown(req, "floatingip", self.view(fip))

    def create(self, req: Request) -> Response:
        ctx = caller(req)

        make = admitted(self.rules.quotas, ctx, "floatingip", self.rules.fips.create)
        return created(req, BODY, make, self.rules.fips.delete, self.view)

    def update(self, req: Request, fip_id: str) -> Response:
        ctx = caller(req)
        fip = a.revised(req, policy.owned(ctx, self.store.fips, "floatingip", fip_id))
        attrs = BODY.parse(req, update=True)
        self.rules.fips.update(ctx, fip, attrs)
        return Response(200, {"floatingip": self.view(fip)})

    def delete(self, req: Request, fip_id: str) -> Response:
        self.rules.fips.delete(a.revised(req, policy.owned(caller(req), self.store.fips, "floatingip", fip_id)))
        return Response(204)
