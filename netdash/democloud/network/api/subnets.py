"""`/v2.0/subnets`: parse, call the rules, render the views."""

from __future__ import annotations

from ...core import Request, Response, Router
from .. import attrs as a
from .. import policy
from ..attrs import caller
from ..query import list_answer, shown
from ..rules import Rules
from ..store import Record, Store
from ..views import SUBNET_FIELDS, subnet_view
from .bulk import admitted, created

IPV6_MODES = a.nullable(a.one_of("slaac", "dhcpv6-stateful", "dhcpv6-stateless"))
POOL = a.dict_of({"start": a.string(64), "end": a.string(64)}, required=("start", "end"), strict=True)
ROUTE = a.dict_of({"destination": a.string(64), "nexthop": a.IP_ADDRESS}, required=("destination", "nexthop"),
                  strict=True)

SPEC: dict[str, a.Attr] = {
    **a.STANDARD,
    "name": a.NAME,
    "description": a.DESCRIPTION,
    "tags": a.TAGS,
    "project_id": a.PROJECT,
    "tenant_id": a.PROJECT,
    "network_id": a.Attr(a.UUID, put=False, required=True),
    "ip_version": a.Attr(a.int_one_of(4, 6), put=False, required=True),
    "cidr": a.Attr(a.string(64), put=False),
    "subnetpool_id": a.Attr(a.nullable(a.Kind({"anyOf": [{"const": "prefix_delegation"}, a.UUID.schema],
                                                "reasons": {"anyOf": "'{value}' is not a valid UUID"}})), put=False),
    "prefixlen": a.Attr(a.non_negative(), put=False),
    "use_default_subnetpool": a.Attr(a.BOOLEAN, put=False),
    "gateway_ip": a.Attr(a.nullable(a.IP_ADDRESS)),
    "allocation_pools": a.Attr(a.list_of(POOL)),
    "dns_nameservers": a.Attr(a.list_of(a.IP_ADDRESS, unique=True, duplicates="Duplicate nameserver '{duplicates}'")),
    "host_routes": a.Attr(a.list_of(ROUTE)),
    "enable_dhcp": a.Attr(a.BOOLEAN),
    "ipv6_ra_mode": a.Attr(IPV6_MODES, put=False),
    "ipv6_address_mode": a.Attr(IPV6_MODES, put=False),
    "service_types": a.Attr(a.list_of(a.string(255))),
}
BODY = a.Body("subnet", SPEC)


class SubnetsController:
    def __init__(self, store: Store, rules: Rules) -> None:
        self.store = store
        self.rules = rules

    def register(self, r: Router) -> None:
        r.add("GET", "/v2.0/subnets", self.list)
        r.add("POST", "/v2.0/subnets", self.create)
        r.add("GET", "/v2.0/subnets/{subnet_id}", self.show)
        r.add("PUT", "/v2.0/subnets/{subnet_id}", self.update)
        r.add("DELETE", "/v2.0/subnets/{subnet_id}", self.delete)

    def view(self, subnet: Record) -> Record:
        return subnet_view(self.store, subnet)

    def list(self, req: Request) -> Response:
        ctx = caller(req)
        store = self.store
        nets = req.args("network_id")
        if nets:
            candidates = [store.subnets[s] for n in nets for s in store.subnets_of_net.get(n, ())]
        else:
            candidates = list(store.subnets.values())
        records = [s for s in candidates if policy.subnet_visible(store, ctx, s)]
        return list_answer(req, "subnet", "subnets", records, SUBNET_FIELDS, view=self.view)

    def show(self, req: Request, subnet_id: str) -> Response:
        return shown(req, "subnet", self.view(policy.visible_subnet(self.store, caller(req), subnet_id)))

    def create(self, req: Request) -> Response:
        ctx = caller(req)

        make = admitted(self.rules.quotas, ctx, "subnet", self.rules.subnets.create)
        return created(req, BODY, make, self.rules.subnets.drop, self.view)

    def update(self, req: Request, subnet_id: str) -> Response:
        ctx = caller(req)
        subnet = a.revised(req, policy.visible_subnet(self.store, ctx, subnet_id))
        attrs = BODY.parse(req, update=True)
        self.rules.subnets.update(ctx, subnet, attrs)
        return Response(200, {"subnet": self.view(subnet)})

    def delete(self, req: Request, subnet_id: str) -> Response:
        ctx = caller(req)
        self.rules.subnets.delete(ctx, a.revised(req, policy.visible_subnet(self.store, ctx, subnet_id)))
        return Response(204)
