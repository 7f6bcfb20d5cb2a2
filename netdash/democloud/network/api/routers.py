"""`/v2.0/routers` and its interface actions: parse, call the rules, render the views."""

from __future__ import annotations

from ...core import Context, Request, Response, Router
from .. import attrs as a
from .. import policy
from ..attrs import caller
from ..errors import bad_resource
from ..query import list_answer, shown
from ..rules import Rules
from ..store import Record, Store
from ..views import ROUTER_FIELDS, router_action_view, router_view
from .bulk import admitted, created
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
        r.add("PUT", "/v2.0/routers/{router_id}/add_extraroutes", self.add_extraroutes)
        r.add("PUT", "/v2.0/routers/{router_id}/remove_extraroutes", self.remove_extraroutes)

    def list(self, req: Request) -> Response:
        ctx = caller(req)
        records = [r for r in self.store.routers.values() if ctx.can_see(r["project_id"])]
        return list_answer(req, "router", "routers", records, ROUTER_FIELDS,
                           view=lambda router: router_view(self.store, router, ctx.is_admin))

    def show(self, req: Request, router_id: str) -> Response:
        ctx = caller(req)
        router = policy.owned(ctx, self.store.routers, "router", router_id)
        return shown(req, "router", router_view(self.store, router, ctx.is_admin))

    def create(self, req: Request) -> Response:
        ctx = caller(req)

        make = admitted(self.rules.quotas, ctx, "router", self.rules.routers.create)
        return created(req, BODY, make, self.rules.routers.delete,
                       lambda router: router_view(self.store, router, ctx.is_admin))

    def update(self, req: Request, router_id: str) -> Response:
        ctx = caller(req)
        router = a.revised(req, policy.owned(ctx, self.store.routers, "router", router_id))
        attrs = BODY.parse(req, update=True)
        self.rules.routers.update(ctx, router, attrs)
        return Response(200, {"router": router_view(self.store, router, ctx.is_admin)})

    def delete(self, req: Request, router_id: str) -> Response:
        self.rules.routers.delete(a.revised(req, policy.owned(caller(req), self.store.routers, "router", router_id)))
        return Response(204)

    # --- extra routes, atomically (extraroute-atomic) -----------------------------------------------
    def routes_args(self, req: Request, router_id: str) -> tuple[Context, Record, list[dict[str, str]]]:
        """`{"router": {"routes": [...]}}`, checked as an update of `routes` is."""
        ctx = caller(req)
        router = policy.owned(ctx, self.store.routers, "router", router_id)
        routes = BODY.parse(req, update=True).get("routes")
        if routes is None:
            raise bad_resource("router", "routes must be given")
        return ctx, router, routes

    def add_extraroutes(self, req: Request, router_id: str) -> Response:
        ctx, router, routes = self.routes_args(req, router_id)
        self.rules.routers.add_extraroutes(ctx, router, routes)
        return Response(200, {"router": router_action_view(self.store, router)})

    def remove_extraroutes(self, req: Request, router_id: str) -> Response:
        ctx, router, routes = self.routes_args(req, router_id)
        self.rules.routers.remove_extraroutes(ctx, router, routes)
        return Response(200, {"router": router_action_view(self.store, router)})

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
