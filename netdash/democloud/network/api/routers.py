"""`/v2.0/routers` and its interface actions: parse, call the rules, render the views."""

from __future__ import annotations

from ...core import Request, Response, Router
from .. import attrs as a
from .. import policy
from ..attrs import caller
from ..errors import bad_resource
from ..query import list_answer
from ..rules import Rules
from ..store import Record, Store
from ..views import ROUTER_FIELDS, router_view
from .ports import FIXED_IP
from .subnets import ROUTE

GATEWAY = a.dict_or_nodata(
    {"network_id": a.UUID, "enable_snat": a.BOOLEAN, "external_fixed_ips": a.list_of(FIXED_IP)},
    required=("network_id",), unknown="Unexpected keys supplied: {unrecognized}",
)
SPEC: dict[str, a.Attr] = {
    **a.STANDARD,
    "status": a.READ_ONLY,
    "name": a.NAME,
    "description": a.DESCRIPTION,
    "tags": a.TAGS,
    "project_id": a.PROJECT,
    "tenant_id": a.PROJECT,
    "admin_state_up": a.Attr(a.BOOLEAN),
    "external_gateway_info": a.Attr(GATEWAY),
    "routes": a.Attr(a.nullable(a.list_of(ROUTE)), post=False),
    "distributed": a.Attr(a.BOOLEAN),
    "ha": a.Attr(a.BOOLEAN),
    "availability_zone_hints": a.Attr(a.list_of(a.string(255)), put=False),
    "flavor_id": a.Attr(a.nullable(a.UUID), put=False),
}
BODY = a.Body("router", SPEC)
INTERFACE = a.Fields({"subnet_id": a.nullable(a.UUID), "port_id": a.nullable(a.UUID)})


class RoutersController:
    def __init__(self, store: Store, rules: Rules) -> None:
        self.store = store
        self.rules = rules

    def register(self, r: Router) -> None:
        r.add("GET", "/v2.0/routers", self.list)
        r.add("POST", "/v2.0/routers", self.create)
        r.add("GET", "/v2.0/routers/{router_id}", self.show)
        r.add("PUT", "/v2.0/routers/{router_id}", self.update)
        r.add("DELETE", "/v2.0/routers/{router_id}", self.delete)
        r.add("PUT", "/v2.0/routers/{router_id}/add_router_interface", self.add_interface)
        r.add("PUT", "/v2.0/routers/{router_id}/remove_router_interface", self.remove_interface)

    def view(self, router: Record) -> Record:
        return router_view(self.store, router)

    def list(self, req: Request) -> Response:
        ctx = caller(req)
        records = [r for r in self.store.routers.values() if ctx.can_see(r["project_id"])]
        return list_answer(req, "router", "routers", records, ROUTER_FIELDS, view=self.view)

    def show(self, req: Request, router_id: str) -> Response:
        return Response(200, {"router": self.view(policy.owned(caller(req), self.store.routers, "router", router_id))})

    def create(self, req: Request) -> Response:
        attrs = BODY.parse(req, update=False)
        self.rules.quotas.admit(caller(req), attrs, "router")
        return Response(201, {"router": self.view(self.rules.routers.create(caller(req), attrs))})

    def update(self, req: Request, router_id: str) -> Response:
        ctx = caller(req)
        router = policy.owned(ctx, self.store.routers, "router", router_id)
        attrs = BODY.parse(req, update=True)
        self.rules.routers.update(ctx, router, attrs)
        return Response(200, {"router": self.view(router)})

    def delete(self, req: Request, router_id: str) -> Response:
        self.rules.routers.delete(policy.owned(caller(req), self.store.routers, "router", router_id))
        return Response(204)

    # --- interfaces -----------------------------------------------------------------------------
    def interface_args(self, req: Request) -> tuple[str | None, str | None]:
        body = INTERFACE.parse(req)
        subnet_id, port_id = body.get("subnet_id"), body.get("port_id")
        if subnet_id and port_id:
            raise bad_resource("router", "Cannot specify both subnet-id and port-id")
        if not subnet_id and not port_id:
            raise bad_resource("router", "Either subnet_id or port_id must be specified")
        return subnet_id, port_id

    def interface_answer(self, router: Record, port: Record, subnet_ids: list[str]) -> Response:
        return Response(
            200,
            {
                "id": router["id"],
                "project_id": router["project_id"],
                "port_id": port["id"],
                "network_id": port["network_id"],
                "subnet_id": subnet_ids[0] if subnet_ids else None,
                "subnet_ids": subnet_ids,
            },
        )

    def add_interface(self, req: Request, router_id: str) -> Response:
        ctx = caller(req)
        router = policy.owned(ctx, self.store.routers, "router", router_id)
        subnet_id, port_id = self.interface_args(req)
        port = self.rules.routers.add_interface(ctx, router, subnet_id, port_id)
        return self.interface_answer(router, port, [ip["subnet_id"] for ip in port["fixed_ips"]])

    def remove_interface(self, req: Request, router_id: str) -> Response:
        ctx = caller(req)
        router = policy.owned(ctx, self.store.routers, "router", router_id)
        subnet_id, port_id = self.interface_args(req)
        port, subnets = self.rules.routers.interface_to_remove(ctx, router, subnet_id, port_id)
        answer = self.interface_answer(router, port, subnets)
        self.rules.routers.remove_interface(router, port, subnets)
        return answer
