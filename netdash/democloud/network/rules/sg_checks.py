"""A security group rule's own checks, in the order Neutron 29 makes them (securitygroups_db.py
`_validate_base_security_group_rule_attributes`), with its exceptions' names and words; and what makes two
rules the same rule (`_rule_to_key`). The request body's converters (protocol, ports, ethertype, prefix) are
in api/secgroups.py's attribute table."""

from __future__ import annotations

import ipaddress
from typing import Any

from ..errors import NeutronError, neutron_error

#: neutron-lib's IP_PROTOCOL_MAP, in its order (what a rule's `protocol` may name)
PROTOCOLS = {
    "ah": 51, "dccp": 33, "egp": 8, "esp": 50, "gre": 47, "hopopt": 0, "icmp": 1, "igmp": 2, "ip": 0, "ipip": 4,
    "ipv6-encap": 41, "ipv6-frag": 44, "ipv6-icmp": 58, "icmpv6": 58, "ipv6-nonxt": 59, "ipv6-opts": 60,
    "ipv6-route": 43, "ospf": 89, "pgm": 113, "rsvp": 46, "sctp": 132, "tcp": 6, "udp": 17, "udplite": 136,
    "vrrp": 112,
}
#: what the SecurityGroupRuleInvalidProtocol message lists (`sg_supported_protocols`)
SUPPORTED = (None, "any", *PROTOCOLS)
#: the protocols whose rules may name ports (`SG_PORT_PROTO_NUMS`), and ICMP's two
PORT_PROTOCOLS = (33, 132, 6, 17, 136)
PORT_PROTOCOL_NAMES = ", ".join(name.upper() for name in ("dccp", "sctp", "tcp", "udp", "udplite"))
ICMP = (1, 58)
#: the protocols only IPv6 carries (`_validate_ethertype_and_protocol`)
IPV6_ONLY = ("ipv6-encap", "ipv6-frag", "ipv6-icmp", "icmpv6", "ipv6-nonxt", "ipv6-opts", "ipv6-route",
             "41", "44", "58", "59", "60", "43")


def invalid(kind: str, message: str) -> NeutronError:
    """An InvalidInput subclass of neutron's securitygroup extension: its own name and message."""
    return neutron_error(400, kind, message)


def proto_number(protocol: str | None) -> int | None:
    """`_get_ip_proto_number`: a name's number, a number written as text its value."""
    if protocol in (None, "any"):
        return None
    return int(PROTOCOLS.get(str(protocol), protocol))  # type: ignore[arg-type]


def check_rule(rule: dict[str, Any]) -> None:
    """Canonicalise and check a rule about to be made (ethertype, protocol and ports already converted)."""
    ethertype = rule.setdefault("ethertype", "IPv4")
    protocol = rule.get("protocol")
    if ethertype == "IPv6" and protocol in ("icmp", "icmpv6"):
        rule["protocol"] = protocol = "ipv6-icmp"
    elif ethertype == "IPv6" and protocol == "1":
        rule["protocol"] = protocol = "58"
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    if low == 1 and high == 65535:  # the whole range is no range (`_make_canonical_port_range`)
        rule["port_range_min"] = rule["port_range_max"] = low = high = None
    check_ports(protocol, low, high)
    prefix = rule.get("remote_ip_prefix")
    if prefix:
        version = ipaddress.ip_network(prefix, strict=False).version
        if ethertype != f"IPv{version}":
            raise invalid("SecurityGroupRuleParameterConflict",
                          f"Conflicting value ethertype {ethertype} for CIDR {prefix}")
        rule["normalized_cidr"] = str(ipaddress.ip_network(prefix, strict=False))
    if protocol in IPV6_ONLY and ethertype == "IPv4":
        raise invalid("SecurityGroupEthertypeConflictWithProtocol",
                      f"Invalid ethertype {ethertype} for protocol {protocol}.")
    remotes = [k for k in ("remote_ip_prefix", "remote_group_id", "remote_address_group_id") if rule.get(k)]
    if len(remotes) > 1:
        raise invalid("SecurityGroupMultipleRemoteEntites", "Only one of remote_ip_prefix or remote_group_id or "
                                                            "remote_address_group_id may be provided.")


def check_ports(protocol: str | None, low: int | None, high: int | None) -> None:
    """`_validate_port_range`."""
    if low is None and high is None:
        return
    if not protocol:
        raise invalid("SecurityGroupProtocolRequiredWithPorts", "Must also specify protocol if port range is given.")
    number = proto_number(protocol)
    if number in PORT_PROTOCOLS:
        if low == 0 or high == 0:
            raise invalid("SecurityGroupInvalidPortValue", "Invalid value for port 0")
        if low is None or high is None or low > high:
            raise invalid("SecurityGroupInvalidPortRange",
                          "For TCP/UDP protocols, port_range_min must be <= port_range_max")
    elif number in ICMP:
        for value, field, attr in ((low, "type", "port_range_min"), (high, "code", "port_range_max")):
            if value is not None and not 0 <= value <= 255:
                raise invalid("SecurityGroupInvalidIcmpValue",
                              f"Invalid value for ICMP {field} ({attr}) {value}. It must be 0 to 255.")
        if low is None and high is not None:
            raise invalid("SecurityGroupMissingIcmpType",
                          f"ICMP code (port-range-max) {high} is provided but ICMP type (port-range-min) is missing.")
    else:
        raise invalid("SecurityGroupInvalidProtocolForPort", f"Ports cannot be specified for protocol {number}. "
                                                             f"Ports are only supported for {PORT_PROTOCOL_NAMES}.")


def signature(rule: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two rules of a group the same rule (`_rule_to_key`): a protocol by name or number alike,
    a prefix of every address like none."""
    protocol = rule.get("protocol")
    if protocol not in (None, "any"):
        number = proto_number(protocol)
        protocol = 58 if rule.get("ethertype") == "IPv6" and number == 1 else number
    prefix = rule.get("remote_ip_prefix")
    if prefix in ("0.0.0.0/0", "::/0"):
        prefix = None
    return (rule.get("direction"), rule.get("ethertype", "IPv4"), rule.get("port_range_max"),
            rule.get("port_range_min"), protocol, rule.get("remote_group_id"), rule.get("remote_address_group_id"),
            prefix)
