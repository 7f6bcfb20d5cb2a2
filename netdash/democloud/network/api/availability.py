"""How many addresses are left: `/v2.0/network-ip-availabilities` (network-ip-availability, with its details)
and `/v2.0/floatingip-pools` (floatingip-pools), computed from the store as Neutron 29 computes them
(neutron/db/network_ip_availability_db.py, network_ip_availability_details_db.py, l3_fip_pools_db.py).

Availability is the admin's (`get_network_ip_availability` is admin or service): another caller's list is
empty and its show a 404 `HTTPNotFound`, as Neutron's API layer answers them.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from ...core import Request, Response, Router
from .. import policy
from ..attrs import caller
from ..errors import hidden, not_found
from ..query import list_answer, shown
from ..store import Record, Store

AVAILABILITY_FIELDS = ("network_id", "network_name", "project_id", "subnet_ip_availability", "used_ips",
                       "total_ips", "ip_availability_details", "tenant_id")
POOL_FIELDS = ("subnet_id", "subnet_name", "project_id", "network_id", "cidr", "tenant_id")
DETAILS = ("total_ips_in_subnet", "total_ips_in_allocation_pool", "used_ips_in_subnet",
           "used_ips_in_allocation_pool")


class AvailabilityController:
    def __init__(self, store: Store) -> None:
        self.store = store

    def register(self, r: Router) -> None:
        r.add("GET", "/v2.0/network-ip-availabilities", self.list)
        r.add("GET", "/v2.0/network-ip-availabilities/{net_id}", self.show)
        r.add("GET", "/v2.0/floatingip-pools", self.pools)

    # --- network IP availability -----------------------------------------------------------------------
    def list(self, req: Request) -> Response:
        ctx = caller(req)
        versions = {int(v) for v in req.args("ip_version") if v.strip().isdigit()}
        views = [self.view(net, versions) for net in self.store.networks.values()] if ctx.is_admin else []
        if versions:  # a network with no subnet of the version is none of the answer (its join has no row)
            views = [v for v in views if v["subnet_ip_availability"]]
        return list_answer(req, "network_ip_availability", "network_ip_availabilities", views,
                           AVAILABILITY_FIELDS, handled=("ip_version",))  # it picks subnets, not networks

    def show(self, req: Request, net_id: str) -> Response:
        net = self.store.networks.get(net_id)
        if net is None:
            raise not_found("network", net_id)
        if not caller(req).is_admin:
            raise hidden()
        return shown(req, "network_ip_availability", self.view(net, set()))

    def view(self, net: Record, versions: set[int]) -> dict[str, Any]:
        subnets = [self.subnet_view(self.store.subnets[s]) for s in self.store.subnets_of_net.get(net["id"], ())
                   if not versions or self.store.subnets[s]["ip_version"] in versions]
        return {"network_id": net["id"], "network_name": net["name"], "project_id": net["project_id"],
                "subnet_ip_availability": subnets,
                "used_ips": sum(s["used_ips"] for s in subnets), "total_ips": sum(s["total_ips"] for s in subnets),
                "ip_availability_details": {k: sum(s["ip_availability_details"][k] for s in subnets) for k in DETAILS},
                "tenant_id": net["project_id"]}

    def subnet_view(self, subnet: Record) -> dict[str, Any]:
        cidr, pools = self.store.subnet_ranges[subnet["id"]]
        taken = [int(ipaddress.ip_address(ip)) for ip in self.store.allocations[subnet["id"]]]
        in_pools = sum(1 for ip in taken if any(a <= ip <= b for a, b in pools))
        pooled = sum(b - a + 1 for a, b in pools)
        return {"subnet_id": subnet["id"], "ip_version": subnet["ip_version"], "cidr": subnet["cidr"],
                "subnet_name": subnet["name"], "used_ips": len(taken),
                "total_ips": pooled if pools else cidr.num_addresses,
                "ip_availability_details": {
                    "total_ips_in_subnet": cidr.num_addresses - (2 if cidr.version == 4 else 0),
                    "total_ips_in_allocation_pool": pooled, "used_ips_in_subnet": len(taken),
                    "used_ips_in_allocation_pool": in_pools}}

    # --- floating IP pools --------------------------------------------------------------------------------
    def pools(self, req: Request) -> Response:
        """The IPv4 subnets of the external networks the caller sees, each shown as the caller's."""
        ctx = caller(req)
        store = self.store
        views = [{"subnet_id": s["id"], "subnet_name": s["name"], "project_id": ctx.project_id,
                  "network_id": net["id"], "cidr": s["cidr"], "tenant_id": ctx.project_id}
                 for net in store.networks.values()
                 if net["router:external"] and policy.net_visible(store, ctx, net)
                 for s in store.in_creation_order(store.subnets_of_net.get(net["id"]), store.subnets)
                 if s["ip_version"] == 4]
        return list_answer(req, "floatingip_pool", "floatingip_pools", views, POOL_FIELDS)
