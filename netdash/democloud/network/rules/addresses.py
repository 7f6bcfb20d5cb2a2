"""A port's fixed IPs: claiming addresses from the subnets' pools (atomically: all or none) and keeping the
allocation and address indexes in step. Every port, router interface and floating IP draws from here."""

from __future__ import annotations

import ipaddress
from typing import Any

from .. import ipam
from ..errors import NeutronError, bad_request, bad_resource, conflict, invalid_input, neutron_error, not_found
from ..store import Record, Store

FixedIP = dict[str, str]
#: a router's interfaces (neutron's ROUTER_INTERFACE_OWNERS_SNAT): they take the address they are given
ROUTER_INTERFACE_OWNERS = ("network:router_interface", "network:router_interface_distributed",
                           "network:ha_router_replicated_interface", "network:router_centralized_snat")


class Addresses:
    def __init__(self, store: Store) -> None:
        self.store = store

    def claim(self, port_id: str, net_id: str, requested: list[dict[str, str]] | None, current: list[FixedIP],
              *, mac: str, owner: str = "") -> list[FixedIP]:
        """The port's new fixed IPs, reserving new addresses as it goes (all released again on error).

        As Neutron's IPAM does (`_allocate_ips_for_port`, `_test_fixed_ips_for_port`, `_get_auto_address_ips`):
        without `requested`, one address of the first IPv4 subnet with room and of the first IPv6 subnet whose
        addresses are handed out; and whatever is asked, every port but a router's interface has its EUI-64
        address (made from `mac`) on each SLAAC or DHCPv6-stateless subnet of the network, which it keeps
        when an update does not name the subnet."""
        store = self.store
        claimed: list[tuple[str, str]] = []
        result: list[FixedIP] = []
        left = list(current)
        interface = owner in ROUTER_INTERFACE_OWNERS
        try:
            for entry in requested if requested is not None else self.default_entries(net_id):
                subnet_id, ip = entry.get("subnet_id"), entry.get("ip_address")
                if subnet_id is None and ip is None:
                    raise bad_request(
                        "Invalid input for fixed_ips. Reason: neither subnet_id nor ip_address given."
                    )
                if subnet_id is None:
                    subnet_id = self.subnet_for_ip(net_id, str(ip))
                elif subnet_id not in store.subnets:
                    raise not_found("subnet", subnet_id)
                elif store.subnets[subnet_id]["network_id"] != net_id:
                    raise invalid_input(
                        f"Failed to create port on network {net_id}, because fixed_ips included "
                        f"invalid subnet {subnet_id}."
                    )
                auto = ipam.is_auto_address(store.subnets[subnet_id])
                if auto and ip is None and not interface:
                    continue  # its EUI-64 address comes below
                if auto and ip is not None and not interface and ip != self.eui64(subnet_id, mac):
                    raise neutron_error(400, "AllocationOnAutoAddressSubnet", f"IPv6 address {ip} cannot be "
                                        f"directly assigned to a port on subnet {subnet_id} as the subnet is "
                                        "configured for automatic addresses")
                kept = next(
                    (c for c in left if c["subnet_id"] == subnet_id and ip in (None, c["ip_address"])), None
                )
                if kept is not None:
                    left.remove(kept)
                    result.append(kept)
                    continue
                chosen = self.allocate(subnet_id, ip, network_wide=net_id if entry.get("_auto") else None)
                store.allocations[subnet_id][chosen] = port_id
                claimed.append((subnet_id, chosen))
                result.append({"subnet_id": subnet_id, "ip_address": chosen})
            if not interface:
                self.claim_eui64(port_id, net_id, mac, result=result, left=left, claimed=claimed)
        except NeutronError:
            for subnet_id, ip in claimed:
                del store.allocations[subnet_id][ip]
            raise
        return result

    def claim_eui64(self, port_id: str, net_id: str, mac: str, *, result: list[FixedIP], left: list[FixedIP],
                    claimed: list[tuple[str, str]]) -> None:
        store = self.store
        handled = {ip["subnet_id"] for ip in result}
        for subnet_id in store.subnets_of_net.get(net_id, ()):
            if subnet_id in handled or not ipam.is_auto_address(store.subnets[subnet_id]):
                continue
            address = self.eui64(subnet_id, mac)
            kept = next((c for c in left if c["subnet_id"] == subnet_id and c["ip_address"] == address), None)
            if kept is not None:
                left.remove(kept)
                result.append(kept)
                continue
            chosen = self.allocate(subnet_id, address)
            store.allocations[subnet_id][chosen] = port_id
            claimed.append((subnet_id, chosen))
            result.append({"subnet_id": subnet_id, "ip_address": chosen})

    def is_auto(self, subnet_id: str) -> bool:
        return ipam.is_auto_address(self.store.subnets[subnet_id])

    def eui64(self, subnet_id: str, mac: str) -> str:
        return ipam.eui64(self.store.subnet_ranges[subnet_id][0], mac)

    def default_entries(self, net_id: str) -> list[dict[str, Any]]:
        """One address of the first IPv4 subnet with room, and one of the first IPv6 subnet that hands out
        addresses (the SLAAC and DHCPv6-stateless ones make their own)."""
        store = self.store
        entries: list[dict[str, Any]] = []
        for version in (4, 6):
            subnets = [
                s for s in store.subnets_of_net.get(net_id, ())
                if store.subnets[s]["ip_version"] == version and not ipam.is_auto_address(store.subnets[s])
            ]
            roomy = [s for s in subnets if self.has_room(s)]
            if subnets:
                entries.append({"subnet_id": (roomy or subnets)[0], "_auto": True})
        return entries

    def has_room(self, subnet_id: str) -> bool:
        _, pools = self.store.subnet_ranges[subnet_id]
        return sum(b - a + 1 for a, b in pools) > len(self.store.allocations[subnet_id])

    def release_claims(self, port: Record, fixed: list[FixedIP]) -> None:
        for ip in fixed:
            if ip not in port["fixed_ips"]:
                del self.store.allocations[ip["subnet_id"]][ip["ip_address"]]

    def set_fixed_ips(self, port: Record, fixed: list[FixedIP]) -> None:
        """Replace the port's fixed IPs (already claimed) and keep the address indexes in step."""
        store = self.store
        for old in port["fixed_ips"]:
            if old not in fixed:
                taken = store.allocations.get(old["subnet_id"], {})
                if taken.get(old["ip_address"]) == port["id"]:
                    del taken[old["ip_address"]]
                store.index_drop(store.ports_at_ip, old["ip_address"], port["id"])
        for new in fixed:
            store.allocations[new["subnet_id"]][new["ip_address"]] = port["id"]
            store.index_add(store.ports_at_ip, new["ip_address"], port["id"])
        port["fixed_ips"] = fixed

    def check_fip_ips(self, port: Record, fixed: list[FixedIP]) -> None:
        """A fixed IP a floating IP points at cannot be taken off the port."""
        remaining = {ip["ip_address"] for ip in fixed}
        for fip_id in self.store.fips_of_port.get(port["id"], ()):
            fip = self.store.fips[fip_id]
            if fip["fixed_ip_address"] not in remaining:
                raise bad_resource(
                    "port",
                    f"Cannot update the fixed_ips of the port {port['id']}, because its original fixed_ip has been "
                    "associated to a floating ip",
                )

    # --- IPAM -------------------------------------------------------------------------------------
    def allocate(self, subnet_id: str, ip: str | None, *, network_wide: str | None = None) -> str:
        """Reserve `ip` (explicit) or a free address of the pools; the caller records the holder."""
        store = self.store
        cidr, pools = store.subnet_ranges[subnet_id]
        taken = store.allocations[subnet_id]
        if ip is None:
            chosen = ipam.pick(cidr, pools, taken, store.rng, avoid=store.subnets[subnet_id]["gateway_ip"])
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
