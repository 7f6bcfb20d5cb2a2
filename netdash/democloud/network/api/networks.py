"""`/v2.0/networks`: parse, call the rules, render the views."""

from __future__ import annotations

from ...core import Request, Response, Router
from .. import attrs as a
from .. import policy
from ..attrs import caller
from ..query import list_answer, shown
from ..rules import Rules
from ..store import Store
from ..views import NETWORK_FIELDS, network_view
from .bulk import admitted, created

SPEC: dict[str, a.Attr] = {
    **a.STANDARD,
    "status": a.READ_ONLY,
    "subnets": a.READ_ONLY,
    "name": a.NAME,
    "description": a.DESCRIPTION,
    "tags": a.TAGS,
    "project_id": a.PROJECT,
    "tenant_id": a.PROJECT,
    "admin_state_up": a.Attr(a.BOOLEAN),
    "shared": a.Attr(a.BOOLEAN),
    "router:external": a.Attr(a.BOOLEAN),
    "port_security_enabled": a.Attr(a.BOOLEAN),
    "is_default": a.Attr(a.BOOLEAN),
    "mtu": a.Attr(a.integer(68, 9216)),
    "vlan_transparent": a.Attr(a.BOOLEAN, put=False),
    "ha": a.Attr(a.BOOLEAN, put=False),
    "qinq": a.Attr(a.BOOLEAN, put=False),
    "availability_zone_hints": a.Attr(a.list_of(a.string(255)), put=False),
    "provider:network_type": a.Attr(a.one_of("flat", "vlan", "vxlan", "geneve", "local"), put=False),
    "provider:physical_network": a.Attr(a.nullable(a.string(64)), put=False),
    "provider:segmentation_id": a.Attr(a.nullable(a.integer(1, 16777215)), put=False),
}
BODY = a.Body("network", SPEC)


class NetworksController:
    def __init__(self, store: Store, rules: Rules) -> None:
        self.store = store
        self.rules = rules

    def register(self, r: Router) -> None:
        r.add("GET", "/v2.0/networks", self.list)
        r.add("POST", "/v2.0/networks", self.create)
        r.add("GET", "/v2.0/networks/{net_id}", self.show)
        r.add("PUT", "/v2.0/networks/{net_id}", self.update)
        r.add("DELETE", "/v2.0/networks/{net_id}", self.delete)

    def list(self, req: Request) -> Response:
        ctx = caller(req)
        ids = req.args("id")
        networks = self.store.networks
        candidates = (networks[i] for i in ids if i in networks) if ids else networks.values()
        records = [n for n in candidates if policy.net_visible(self.store, ctx, n)]
        return list_answer(req, "network", "networks", records, NETWORK_FIELDS,
                           view=lambda net: network_view(self.store, net, ctx))

    def show(self, req: Request, net_id: str) -> Response:
        ctx = caller(req)
        return shown(req, "network", network_view(self.store, policy.visible_network(self.store, ctx, net_id), ctx))

    def create(self, req: Request) -> Response:
        ctx = caller(req)

        make = admitted(self.rules.quotas, ctx, "network", self.rules.networks.create)
        return created(req, BODY, make, self.rules.networks.drop,
                       lambda net: network_view(self.store, net, ctx, created=True))

    def update(self, req: Request, net_id: str) -> Response:
        ctx = caller(req)
        net = a.revised(req, policy.visible_network(self.store, ctx, net_id))
        attrs = BODY.parse(req, update=True)
        self.rules.networks.update(ctx, net, attrs)
        return Response(200, {"network": network_view(self.store, net, ctx)})

    def delete(self, req: Request, net_id: str) -> Response:
        ctx = caller(req)
        self.rules.networks.delete(ctx, a.revised(req, policy.visible_network(self.store, ctx, net_id)))
        return Response(204)
