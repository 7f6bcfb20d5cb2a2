"""IP address management: subnet CIDR checks, allocation pools, and picking addresses from them.

Like Neutron's IPAM driver, a new address is a random free one of the pools (not the lowest), explicit
addresses may be anywhere in the CIDR but its network/broadcast addresses, and allocations per subnet are a
dict (IP -> port) so that conflicts and exhaustion are found without scanning ports.
"""

from __future__ import annotations

import ipaddress
import itertools
import random
from typing import Any

from .errors import conflict, invalid_input, neutron_error

IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network
Pool = tuple[int, int]


def parse_cidr(cidr: str, ip_version: int, dhcp: bool = True) -> IPNet:
    """As Neutron 29 answers (measured on real Neutron): host bits are dropped (`10.1.0.5/24` makes
    10.1.0.0/24), every refusal is an InvalidInput, and a /31 or /32 (IPv6: /127, /128) is refused only
    with DHCP on."""
    try:
        net = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        raise invalid_input(f"{cidr} is not in a CIDR format.") from None
    if net.version != ip_version:
        raise invalid_input(f"cidr '{cidr}' does not match the ip_version '{ip_version}'.")
    check_dhcp(net, dhcp)
    return net


def check_dhcp(net: IPNet, dhcp: bool) -> None:
    """`_validate_subnet`'s checks of a CIDR: `::` never, and what a DHCP server cannot serve."""
    if net.version == 6 and int(net.network_address) == 0:
        raise invalid_input("IPv6 subnet '::' is not supported.")
    if not dhcp:
        return
    if (net.version == 4 and net.prefixlen > 30) or (net.version == 6 and net.prefixlen > 126):
        raise invalid_input("Subnet has a prefix length that is incompatible with DHCP service enabled.")
    if net.is_multicast:
        raise invalid_input("Multicast IP subnet is not supported if enable_dhcp is True.")
    if net.is_loopback:
        raise invalid_input("Loopback IP subnet is not supported if enable_dhcp is True.")
    if net.version == 4 and int(net.network_address) == 0:
        raise invalid_input("First IP '0.0.0.0' of network is not supported if enable_dhcp is True.")


#: the IPv6 modes in which hosts make their own addresses (SLAAC, or DHCPv6 for options only)
AUTO_MODES = ("slaac", "dhcpv6-stateless")


def is_auto_address(subnet: dict[str, Any]) -> bool:
    """neutron's `is_auto_address_subnet`: its ports' addresses are EUI-64 ones, made from their MACs."""
    return subnet["ipv6_address_mode"] in AUTO_MODES or subnet["ipv6_ra_mode"] in AUTO_MODES


def eui64(net: IPNet, mac: str) -> str:
    """The address of `mac` in the /64 `net` (RFC 4291: ff:fe in the middle, the universal/local bit flipped),
    as netutils' `get_ipv6_addr_by_EUI64` makes it."""
    value = int(mac.replace(":", "").replace("-", ""), 16)
    interface = ((value >> 24) << 40) | (0xFFFE << 24) | (value & 0xFFFFFF)
    return str(ipaddress.IPv6Address(int(net.network_address) + (interface ^ (1 << 57))))


def host_range(net: IPNet) -> Pool:
    """First and last usable address: IPv4 excludes network and broadcast, except on a /31 (RFC 3021: both
    addresses) and a /32 (its one address), as real Neutron allocates them; IPv6 the subnet-router anycast."""
    first, last = int(net.network_address), int(net.broadcast_address)
    if net.version == 4 and net.prefixlen >= 31:
        return first, last
    return first + 1, last - (1 if net.version == 4 else 0)


def is_network_or_broadcast(net: IPNet, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Neutron's test for a gateway inside its subnet: never the network address, nor IPv4's broadcast."""
    return address == net.network_address or (net.version == 4 and address == net.broadcast_address)


def usable(net: IPNet, ip: str) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if address.version != net.version or address not in net:
        return False
    first, last = host_range(net)
    return first <= int(address) <= last


def default_pools(net: IPNet, gateway: str | None) -> list[Pool]:
    first, last = host_range(net)
    if gateway is None or not usable(net, gateway):
        return [(first, last)]
    gw = int(ipaddress.ip_address(gateway))
    return [(a, b) for a, b in ((first, gw - 1), (gw + 1, last)) if a <= b]


def text(net: IPNet, value: int) -> str:
    return str(ipaddress.ip_address(value) if net.version == 6 else ipaddress.IPv4Address(value))


def pool_views(net: IPNet, pools: list[Pool]) -> list[dict[str, str]]:
    return [{"start": text(net, a), "end": text(net, b)} for a, b in pools]


def explicit_pools(net: IPNet, requested: list[dict[str, str]], gateway: str | None) -> list[Pool]:
    """Validated `allocation_pools`, with Neutron's errors for bad, outside, overlapping or gateway pools."""
    pools: list[Pool] = []
    for pool in requested:
        label = f"{{'start': '{pool['start']}', 'end': '{pool['end']}'}}"
        try:
            start, end = ipaddress.ip_address(pool["start"]), ipaddress.ip_address(pool["end"])
        except ValueError:
            raise neutron_error(
                400, "InvalidAllocationPool", f"The allocation pool {label} is not valid."
            ) from None
        if start.version != net.version or end.version != net.version or int(start) > int(end):
            raise neutron_error(400, "InvalidAllocationPool", f"The allocation pool {label} is not valid.")
        if not (usable(net, str(start)) and usable(net, str(end))):
            raise neutron_error(
                400,
                "OutOfBoundsAllocationPool",
                f"The allocation pool {label} spans beyond the subnet cidr {net}.",
            )
        pools.append((int(start), int(end)))
    pools.sort()
    for (a1, b1), (a2, b2) in itertools.pairwise(pools):
        if a2 <= b1:
            raise conflict(
                "OverlappingAllocationPools",
                f"Found overlapping allocation pools: {text(net, a1)}-{text(net, b1)} "
                f"{text(net, a2)}-{text(net, b2)} for subnet {net}.",
            )
    if gateway is not None:
        gw = int(ipaddress.ip_address(gateway))
        for a, b in pools:
            if a <= gw <= b:
                raise conflict(
                    "GatewayConflictWithAllocationPools",
                    f"Gateway ip {gateway} conflicts with allocation pool {text(net, a)}-{text(net, b)}",
                )
    return pools


def pick(
    net: IPNet, pools: list[Pool], taken: dict[str, Any], rng: random.Random, avoid: str | None = None
) -> str | None:
    """A random free address of the pools, or None when they are full.

    Random probes find one at once while the pools are sparse; a scan finishes the job when they are dense.
    """
    sizes = [b - a + 1 for a, b in pools]
    total = sum(sizes)
    if total == 0:
        return None
    for _ in range(16):
        offset = rng.randrange(total)
        for (a, _b), size in zip(pools, sizes, strict=True):
            if offset < size:
                candidate = text(net, a + offset)
                break
            offset -= size
        if candidate not in taken and candidate != avoid:
            return candidate
    for a, b in pools:
        for value in range(a, b + 1):
            candidate = text(net, value)
            if candidate not in taken and candidate != avoid:
                return candidate
    return None
