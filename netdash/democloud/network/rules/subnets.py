"""Subnets: CIDR and gateway checks, allocation pools and host routes; what every port, router interface
and floating IP draws its addresses from (see addresses.py)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from ...core import Context, new_id
from .. import ipam
from ..errors import bad_request, conflict, invalid_input, neutron_error
from ..policy import AUTO_DELETE_OWNERS, owner, visible_network, writable
from ..store import Record, Store
from .addresses import Addresses


class Subnets:
    def __init__(self, store: Store, clock: Callable[[], float], addresses: Addresses) -> None:
        self.store = store
        self.clock = clock
        self.addresses = addresses

    def create(self, ctx: Context, attrs: dict[str, Any]) -> Record:
        store = self.store
        net = visible_network(store, ctx, attrs.pop("network_id"))
        writable(ctx, net, "create_subnet")
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
        project = owner(ctx, attrs, "create_subnet")
        cidr = ipam.parse_cidr(attrs.pop("cidr"), attrs["ip_version"], dhcp=attrs.get("enable_dhcp") is not False)
        for other in store.subnets_of_net[net["id"]]:
            if store.subnet_ranges[other][0].overlaps(cidr):
                raise invalid_input(
                    f"Requested subnet with cidr: {cidr} for network: {net['id']} overlaps "
                    "with another subnet."
                )
        if "gateway_ip" in attrs:
            gateway = attrs.pop("gateway_ip")
            check_gateway(cidr, gateway)
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
        check_host_routes(cidr, attrs.get("host_routes", []))
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
        store.subnets[subnet["id"]] = store.born(subnet, self.clock())
        store.subnet_ranges[subnet["id"]] = (cidr, pools)
        store.allocations[subnet["id"]] = {}
        store.subnets_of_net[net["id"]][subnet["id"]] = None
        store.touch(net, self.clock())
        return subnet

    def update(self, ctx: Context, subnet: Record, attrs: dict[str, Any]) -> None:
        store = self.store
        subnet_id = subnet["id"]
        writable(ctx, subnet, "update_subnet")
        cidr, pools = store.subnet_ranges[subnet_id]
        gateway = attrs.get("gateway_ip", subnet["gateway_ip"])
        if "gateway_ip" in attrs:
            check_gateway(cidr, gateway)
            holder = store.allocations[subnet_id].get(gateway or "")
            if holder and store.ports[holder]["device_owner"] != "network:router_interface":
                raise conflict(
                    "GatewayIpInUse",
                    f"Current gateway ip {gateway} already in use by port {holder}. Unable to update.",
                )
        if "allocation_pools" in attrs:
            pools = ipam.explicit_pools(cidr, attrs["allocation_pools"], gateway)
        elif "gateway_ip" in attrs:
            ipam.explicit_pools(cidr, subnet["allocation_pools"], gateway)
        attrs["allocation_pools"] = ipam.pool_views(cidr, pools)
        check_host_routes(cidr, attrs.get("host_routes", []))
        subnet.update(attrs)
        store.subnet_ranges[subnet_id] = (cidr, pools)
        store.touch(subnet, self.clock())

    def delete(self, ctx: Context, subnet: Record) -> None:
        store = self.store
        subnet_id = subnet["id"]
        writable(ctx, subnet, "delete_subnet")
        holders = {store.ports[p]["device_owner"] for p in store.allocations[subnet_id].values()}
        if holders - set(AUTO_DELETE_OWNERS):
            raise conflict(
                "SubnetInUse",
                f"Unable to complete operation on subnet {subnet_id}: One or more ports "
                "have an IP allocation from this subnet.",
            )
        self.drop(subnet)
        store.touch(store.networks[subnet["network_id"]], self.clock())

    def drop(self, subnet: Record) -> None:
        """Forget a subnet; the ports that held its addresses keep their others."""
        store = self.store
        for port_id in set(store.allocations[subnet["id"]].values()):
            port = store.ports[port_id]
            self.addresses.set_fixed_ips(port, [ip for ip in port["fixed_ips"] if ip["subnet_id"] != subnet["id"]])
        del store.allocations[subnet["id"]]
        del store.subnet_ranges[subnet["id"]]
        store.subnets_of_net[subnet["network_id"]].pop(subnet["id"], None)
        del store.subnets[subnet["id"]]


def check_gateway(cidr: ipam.IPNet, gateway: str | None) -> None:
    if gateway is None:
        return
    address = ipaddress.ip_address(gateway)
    if address.version != cidr.version:
        raise invalid_input(f"Gateway IP version inconsistent with allocation pool version: {gateway}")
    if address in cidr and ipam.is_network_or_broadcast(cidr, address):
        raise invalid_input("Gateway is not valid on subnet.")


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
