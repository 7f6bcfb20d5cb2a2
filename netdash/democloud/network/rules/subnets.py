"""Subnets: CIDR and gateway checks, allocation pools and host routes; what every port, router interface
and floating IP draws its addresses from (see addresses.py)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from ...core import Context, new_id
from .. import ipam
from ..errors import bad_resource, conflict, invalid_input, neutron_error
from ..policy import AUTO_DELETE_OWNERS, owner, visible_network, writable
from ..store import Record, Store
from .addresses import ROUTER_INTERFACE_OWNERS, Addresses
from .subnetpools import SubnetPools


class Subnets:
    def __init__(self, store: Store, clock: Callable[[], float], addresses: Addresses, pools: SubnetPools) -> None:
        self.store = store
        self.clock = clock
        self.addresses = addresses
        self.pools = pools

    def create(self, ctx: Context, attrs: dict[str, Any]) -> Record:
        store = self.store
        net = visible_network(store, ctx, attrs.pop("network_id"))
        writable(ctx, net, "create_subnet")
        pool = self.pool_for(ctx, attrs)
        project = owner(ctx, attrs, "create_subnet")
        cidr = self.cidr_for(pool, project, attrs)
        pool_id = pool["id"] if pool else None
        # ipam_pluggable_backend._validate_network_subnetpools: one pool (or none) per network and IP version
        if any(store.subnets[other]["subnetpool_id"] != pool_id
               and store.subnet_ranges[other][0].version == cidr.version for other in store.subnets_of_net[net["id"]]):
            raise neutron_error(400, "NetworkSubnetPoolAffinityError",
                                "Subnets hosted on the same network must be allocated from the same subnet pool.")
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
            "subnetpool_id": pool["id"] if pool else None,
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
        if ipam.is_auto_address(subnet):
            self.give_eui64_addresses(subnet)
        return subnet

    def pool_for(self, ctx: Context, attrs: dict[str, Any]) -> Record | None:
        """The subnet pool a create names, or the default one it asks for (`_get_subnetpool_id`)."""
        pool_id = attrs.pop("subnetpool_id", None)
        use_default = attrs.pop("use_default_subnetpool", False)
        if "cidr" in attrs and "prefixlen" in attrs:
            raise bad_resource("subnets", "cidr and prefixlen must not be supplied together")
        if use_default and pool_id:
            raise bad_resource("subnets", "subnetpool_id and use_default_subnetpool cannot both be specified")
        if pool_id:
            return self.pools.visible(ctx, pool_id)
        if use_default:
            version = ipaddress.ip_network(attrs["cidr"], strict=False).version if "cidr" in attrs else (
                attrs["ip_version"])
            return self.pools.default_for(version)
        if "cidr" not in attrs:
            raise bad_resource("subnets", "a subnetpool must be specified in the absence of a cidr")
        return None

    def cidr_for(self, pool: Record | None, project: str, attrs: dict[str, Any]) -> ipam.IPNet:
        """The request's CIDR, checked as `_validate_subnet` does, or the one its pool gives it."""
        prefixlen = attrs.pop("prefixlen", None)
        text = attrs.pop("cidr", None)
        dhcp = attrs.get("enable_dhcp") is not False
        if pool is not None and text is None and "allocation_pools" in attrs:
            raise bad_resource("subnets", "allocation_pools allowed only for specific subnet requests.")
        cidr = None if text is None else ipam.parse_cidr(text, attrs["ip_version"], dhcp=dhcp)
        check_ipv6_modes(attrs, cidr)
        if pool is None:
            assert cidr is not None  # pool_for refused a request with neither
            return cidr
        if cidr is None and attrs.get("gateway_ip"):  # the gateway's network of the pool's default size
            length = pool["default_prefixlen"] if prefixlen is None else prefixlen
            cidr = ipaddress.ip_network(f"{attrs['gateway_ip']}/{length}", strict=False)
        return self.pools.allocate(pool, project, attrs["ip_version"], cidr, prefixlen)

    def give_eui64_addresses(self, subnet: Record) -> None:
        """A new SLAAC or DHCPv6-stateless subnet gives every port of its network but a router's interfaces
        its EUI-64 address (`add_auto_addrs_on_network_ports`)."""
        store = self.store
        for port_id in list(store.ports_of_net.get(subnet["network_id"], ())):
            port = store.ports[port_id]
            if port["device_owner"] in ROUTER_INTERFACE_OWNERS:
                continue
            address = self.addresses.eui64(subnet["id"], port["mac_address"])
            if ipam.usable(store.subnet_ranges[subnet["id"]][0], address):
                self.addresses.set_fixed_ips(port, [*port["fixed_ips"],
                                                    {"subnet_id": subnet["id"], "ip_address": address}])
                store.touch(port, self.clock())

    def update(self, ctx: Context, subnet: Record, attrs: dict[str, Any]) -> None:
        store = self.store
        subnet_id = subnet["id"]
        writable(ctx, subnet, "update_subnet")
        if attrs.get("enable_dhcp") is False and (subnet["ipv6_ra_mode"] or subnet["ipv6_address_mode"]):
            raise invalid_input("Cannot disable enable_dhcp with ipv6 attributes set.")
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
        """Refused while a port holds an address of it, except on a SLAAC or DHCPv6-stateless subnet, whose
        addresses the ports lose unless one is a router's interface (`_remove_subnet_ip_allocations_from_ports`)."""
        store = self.store
        subnet_id = subnet["id"]
        writable(ctx, subnet, "delete_subnet")
        holders = {store.ports[p]["device_owner"] for p in store.allocations[subnet_id].values()}
        blocking = holders & set(ROUTER_INTERFACE_OWNERS) if ipam.is_auto_address(subnet) else (
            holders - set(AUTO_DELETE_OWNERS))
        if blocking:
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


def check_ipv6_modes(attrs: dict[str, Any], cidr: ipam.IPNet | None) -> None:
    """`_validate_subnet`'s IPv6 checks: no modes on IPv4, both modes alike, none without DHCP, and an
    auto-address subnet a /64 (its addresses are EUI-64 ones)."""
    ra, address = attrs.get("ipv6_ra_mode"), attrs.get("ipv6_address_mode")
    if attrs["ip_version"] == 4:
        for key, value in (("ipv6_ra_mode", ra), ("ipv6_address_mode", address)):
            if value is not None:
                raise invalid_input(f"{key} is not valid when ip_version is 4.")
        return
    if (ra or address) and attrs.get("enable_dhcp") is False:
        raise invalid_input("ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False.")
    if ra and address and ra != address:
        raise invalid_input(f"ipv6_ra_mode set to '{ra}' with ipv6_address_mode set to '{address}' is not valid. "
                            "If both attributes are set, they must be the same value.")
    if cidr is not None and (ra in ipam.AUTO_MODES or address in ipam.AUTO_MODES) and cidr.prefixlen != 64:
        raise invalid_input(f"Invalid CIDR {cidr} for IPv6 address mode. OpenStack uses the EUI-64 address "
                            "format, which requires the prefix to be /64.")


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
