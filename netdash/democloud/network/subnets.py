"""Subnets and their IP allocations: what every port, router interface and floating IP draws from."""

from __future__ import annotations

import ipaddress
from typing import Any

from ..core import Request, Response, Router, new_id
from . import attrs as a
from . import ipam
from .base import NetBase, Record
from .errors import bad_request, conflict, invalid_input, neutron_error
from .networks import AUTO_DELETE_OWNERS
from .query import list_answer

FIELDS = (
    "id",
    "name",
    "project_id",
    "network_id",
    "ip_version",
    "subnetpool_id",
    "enable_dhcp",
    "ipv6_ra_mode",
    "ipv6_address_mode",
    "gateway_ip",
    "cidr",
    "allocation_pools",
    "host_routes",
    "dns_nameservers",
    "description",
    "router:external",
    "service_types",
    "tags",
    "created_at",
    "updated_at",
    "revision_number",
    "tenant_id",
)
IPV6_MODES = a.nullable(a.one_of("slaac", "dhcpv6-stateful", "dhcpv6-stateless"))
POOL = a.dict_of({"start": a.string(64), "end": a.string(64)}, required=("start", "end"))
ROUTE = a.dict_of({"destination": a.string(64), "nexthop": a.ip_address}, required=("destination", "nexthop"))

SPEC: dict[str, a.Attr] = {
    "name": a.NAME,
    "description": a.DESCRIPTION,
    "tags": a.TAGS,
    "project_id": a.PROJECT,
    "tenant_id": a.PROJECT,
    "network_id": a.Attr(a.uuid, put=False, required=True),
    "ip_version": a.Attr(a.one_of(4, 6), put=False, required=True),
    "cidr": a.Attr(a.string(64), put=False),
    "subnetpool_id": a.Attr(a.nullable(a.uuid), put=False),
    "prefixlen": a.Attr(a.integer(0, 128), put=False),
    "use_default_subnetpool": a.Attr(a.boolean, put=False),
    "gateway_ip": a.Attr(a.nullable(a.ip_address)),
    "allocation_pools": a.Attr(a.list_of(POOL)),
    "dns_nameservers": a.Attr(a.unique_list_of(a.ip_address)),
    "host_routes": a.Attr(a.list_of(ROUTE)),
    "enable_dhcp": a.Attr(a.boolean),
    "ipv6_ra_mode": a.Attr(IPV6_MODES, put=False),
    "ipv6_address_mode": a.Attr(IPV6_MODES, put=False),
    "service_types": a.Attr(a.list_of(a.string(255))),
    "segment_id": a.Attr(a.nullable(a.uuid)),
}


class Subnets(NetBase):
    def subnet_routes(self, r: Router) -> None:
        r.add("GET", "/v2.0/subnets", self.list_subnets)
        r.add("POST", "/v2.0/subnets", self.create_subnet)
        r.add("GET", "/v2.0/subnets/{subnet_id}", self.show_subnet)
        r.add("PUT", "/v2.0/subnets/{subnet_id}", self.update_subnet)
        r.add("DELETE", "/v2.0/subnets/{subnet_id}", self.delete_subnet)

    def subnet_view(self, subnet: Record) -> dict[str, Any]:
        view = {
            "router:external": self.store.networks[subnet["network_id"]]["router:external"],
            "tenant_id": subnet["project_id"],
            **subnet,
        }
        return {k: view[k] for k in FIELDS}

    def subnet_visible(self, ctx: Any, subnet: Record) -> bool:
        return bool(
            ctx.can_see(subnet["project_id"]) or self.net_visible(ctx, self.store.networks[subnet["network_id"]])
        )

    # --- handlers -------------------------------------------------------------------------------
    def list_subnets(self, req: Request) -> Response:
        ctx = self.ctx(req)
        nets = req.args("network_id")
        if nets:
            candidates = [self.store.subnets[s] for n in nets for s in self.store.subnets_of_net.get(n, ())]
        else:
            candidates = list(self.store.subnets.values())
        records = [s for s in candidates if self.subnet_visible(ctx, s)]
        return list_answer(req, "subnet", "subnets", records, FIELDS, view=self.subnet_view)

    def show_subnet(self, req: Request, subnet_id: str) -> Response:
        return Response(200, {"subnet": self.subnet_view(self.visible_subnet(self.ctx(req), subnet_id))})

    def create_subnet(self, req: Request) -> Response:
        ctx = self.ctx(req)
        attrs = a.parse(req, "subnet", SPEC, update=False)
        net = self.visible_network(ctx, attrs.pop("network_id"))
        self.writable(ctx, net, "create_subnet")
        if "cidr" not in attrs:
            raise neutron_error(
                400,
                "BadRequest",
                "Bad subnets request: a subnetpool must be specified in the absence of a cidr.",
            )
        for key in ("subnetpool_id", "prefixlen", "use_default_subnetpool", "segment_id"):
            if attrs.pop(key, None):
                raise bad_request(
                    f"Invalid input for {key}. Reason: subnet pools and segments are not "
                    "available on this cloud."
                )
        project = self.owner(ctx, attrs, "create_subnet")
        cidr = ipam.parse_cidr(attrs.pop("cidr"), attrs["ip_version"], dhcp=attrs.get("enable_dhcp") is not False)
        for other in self.store.subnets_of_net[net["id"]]:
            if self.store.subnet_ranges[other][0].overlaps(cidr):
                raise invalid_input(
                    f"Requested subnet with cidr: {cidr} for network: {net['id']} overlaps "
                    "with another subnet."
                )
        if "gateway_ip" in attrs:
            gateway = attrs.pop("gateway_ip")
            self.check_gateway(cidr, gateway)
        else:  # the address after the network's, even outside a /32 (as Neutron does)
            gateway = ipam.text(cidr, int(cidr.network_address) + 1)
            address = ipaddress.ip_address(gateway)
            if address in cidr and ipam.is_network_or_broadcast(cidr, address):
                raise neutron_error(409, "IpamValueInvalid", f"Gateway IP {gateway} cannot be the network or "
                                    f"broadcast IP address {cidr}")
        requested = attrs.pop("allocation_pools", None)
        pools = (
            ipam.explicit_pools(cidr, requested, gateway) if requested else ipam.default_pools(cidr, gateway)
        )
        self.check_host_routes(cidr, attrs.get("host_routes", []))
        subnet: Record = {
            "id": new_id(),
            "name": "",
            "project_id": project,
            "network_id": net["id"],
            "subnetpool_id": None,
            "enable_dhcp": True,
            "ipv6_ra_mode": None,
            "ipv6_address_mode": None,
            "gateway_ip": gateway,
            "cidr": str(cidr),
            "allocation_pools": ipam.pool_views(cidr, pools),
            "host_routes": [],
            "dns_nameservers": [],
            "service_types": [],
        }
        subnet.update(attrs)
        self.store.subnets[subnet["id"]] = self.born(subnet)
        self.store.subnet_ranges[subnet["id"]] = (cidr, pools)
        self.store.allocations[subnet["id"]] = {}
        self.store.subnets_of_net[net["id"]][subnet["id"]] = None
        self.touch(net)
        return Response(201, {"subnet": self.subnet_view(subnet)})

    @staticmethod
    def check_gateway(cidr: ipam.IPNet, gateway: str | None) -> None:
        if gateway is None:
            return
        address = ipaddress.ip_address(gateway)
        if address.version != cidr.version:
            raise invalid_input(f"Gateway IP version inconsistent with allocation pool version: {gateway}")
        if address in cidr and ipam.is_network_or_broadcast(cidr, address):
            raise invalid_input("Gateway is not valid on subnet.")

    @staticmethod
    def check_host_routes(cidr: ipam.IPNet, routes: list[dict[str, str]]) -> None:
        for route in routes:
            try:
                destination = ipaddress.ip_network(route["destination"])
            except ValueError:
                raise neutron_error(
                    400,
                    "InvalidInput",
                    f"Invalid input for operation: '{route['destination']}' is not a valid IP subnet.",
                ) from None
            if destination.version != cidr.version:
                raise conflict("HostRoutesExhausted", f"Invalid route {route} for IPv{cidr.version} subnet.")

    def update_subnet(self, req: Request, subnet_id: str) -> Response:
        ctx = self.ctx(req)
        subnet = self.visible_subnet(ctx, subnet_id)
        attrs = a.parse(req, "subnet", SPEC, update=True)
        self.writable(ctx, subnet, "update_subnet")
        cidr, pools = self.store.subnet_ranges[subnet_id]
        gateway = attrs.get("gateway_ip", subnet["gateway_ip"])
        if "gateway_ip" in attrs:
            self.check_gateway(cidr, gateway)
            holder = self.store.allocations[subnet_id].get(gateway or "")
            if holder and self.store.ports[holder]["device_owner"] != "network:router_interface":
                raise conflict(
                    "GatewayIpInUse",
                    f"Current gateway ip {gateway} already in use by port {holder}. Unable to update.",
                )
        if "allocation_pools" in attrs:
            pools = ipam.explicit_pools(cidr, attrs["allocation_pools"], gateway)
        elif "gateway_ip" in attrs:
            ipam.explicit_pools(cidr, subnet["allocation_pools"], gateway)
        attrs["allocation_pools"] = ipam.pool_views(cidr, pools)
        self.check_host_routes(cidr, attrs.get("host_routes", []))
        subnet.update(attrs)
        self.store.subnet_ranges[subnet_id] = (cidr, pools)
        self.touch(subnet)
        return Response(200, {"subnet": self.subnet_view(subnet)})

    def delete_subnet(self, req: Request, subnet_id: str) -> Response:
        ctx = self.ctx(req)
        subnet = self.visible_subnet(ctx, subnet_id)
        self.writable(ctx, subnet, "delete_subnet")
        holders = {self.store.ports[p]["device_owner"] for p in self.store.allocations[subnet_id].values()}
        if holders - set(AUTO_DELETE_OWNERS):
            raise conflict(
                "SubnetInUse",
                f"Unable to complete operation on subnet {subnet_id}: One or more ports "
                "have an IP allocation from this subnet.",
            )
        self.drop_subnet(subnet)
        self.touch(self.store.networks[subnet["network_id"]])
        return Response(204)

    def drop_subnet(self, subnet: Record) -> None:
        for port_id in set(self.store.allocations[subnet["id"]].values()):
            port = self.store.ports[port_id]
            self.set_fixed_ips(port, [ip for ip in port["fixed_ips"] if ip["subnet_id"] != subnet["id"]])
        del self.store.allocations[subnet["id"]]
        del self.store.subnet_ranges[subnet["id"]]
        self.store.subnets_of_net[subnet["network_id"]].pop(subnet["id"], None)
        del self.store.subnets[subnet["id"]]

    # --- IPAM for ports ---------------------------------------------------------------------------
    def allocate(self, subnet_id: str, ip: str | None, *, network_wide: str | None = None) -> str:
        """Reserve `ip` (explicit) or a free address of the pools; the caller records the holder."""
        cidr, pools = self.store.subnet_ranges[subnet_id]
        taken = self.store.allocations[subnet_id]
        if ip is None:
            chosen = ipam.pick(cidr, pools, taken, self.store.rng, avoid=self.store.subnets[subnet_id]["gateway_ip"])
            if chosen is None:
                where = f"on network {network_wide}" if network_wide else f"for subnet {subnet_id}"
                raise conflict("IpAddressGenerationFailure", f"No more IP addresses available {where}.")
            return chosen
        if not ipam.usable(cidr, ip):
            raise neutron_error(
                400, "InvalidIpForSubnet", f"IP address {ip} is not a valid IP for the specified subnet."
            )
        ip = str(ipaddress.ip_address(ip))
        if ip in taken:
            raise conflict(
                "IpAddressAlreadyAllocated", f"IP address {ip} already allocated in subnet {subnet_id}"
            )
        return ip

    def subnet_for_ip(self, net_id: str, ip: str) -> str:
        for subnet_id in self.store.subnets_of_net.get(net_id, ()):
            if ipam.usable(self.store.subnet_ranges[subnet_id][0], ip):
                return subnet_id
        raise neutron_error(
            400,
            "InvalidIpForNetwork",
            f"IP address {ip} is not a valid IP for any of the subnets on the specified network.",
        )
