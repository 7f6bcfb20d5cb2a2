"""How an object is named wherever a person reads it: the tree, the event log, the CLI's tree, an action's plan.

Pure functions of model objects (and of the snapshot that relates them) returning plain `str`: widgets put
their styles around these names, sentences put them in. Each rule is written once, so a port is called the
same in the tree as in the event that says it moved and in the plan that moves it.

The rules: an object is its name, else the first eight characters of its id (`display_name`); a floating
IP is its address; a member is the server behind it, its `address:port` and its pool (`member_name`); what
a port is attached to is its owner's name (`owner_name`), and in a sentence about a floating IP, the port
itself when it has no owner, or "nothing" (`target_name`). A state the API sends as a number is its word
with the number (`value_name`: "shut down (4)").

Every name is returned through `text.visible`: a name is data that any user of the project can set, and
one with an escape sequence or a bidi override must read as what it is, never act on the terminal.
"""

from __future__ import annotations

from typing import Protocol

from .model import FloatingIP, Member, Port, Quota, Resource, SecurityGroupRule, Topology
from .text import visible

#: characters of an id that stand for it where the object has no name
SHORT_ID = 8


class Named(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


def short_id(resource_id: str) -> str:
    return visible(resource_id[:SHORT_ID])


def display_name(obj: Named) -> str:
    """The object's name, else its short id."""
    return visible(obj.name or short_id(obj.id))


def resource_name(topology: Topology, obj: Resource) -> str:
    """Any object as a sentence names it: a floating IP by its address, a member with its pool."""
    if isinstance(obj, Member):
        return member_name(topology, obj)
    if isinstance(obj, FloatingIP):
        return visible(obj.floating_ip_address) or short_id(obj.id)
    if isinstance(obj, Quota):
        return quota_name(obj.id)
    return display_name(obj)


def name_of(topology: Topology, resource_id: str) -> str:
    """A human name for any id in the snapshot (the short id when the snapshot does not hold it)."""
    for collection in (topology.servers, topology.ports, topology.networks, topology.subnets, topology.routers,
                       topology.load_balancers, topology.listeners, topology.pools, topology.members,
                       topology.security_groups):
        item = collection.get(resource_id)
        if item is not None:
            return display_name(item)
    fip = topology.floating_ips.get(resource_id)
    return visible(fip.floating_ip_address) if fip else short_id(resource_id)


def member_name(topology: Topology, member: Member) -> str:
    """`server2 (10.0.0.5:80) of web_pool`, as the tree shows it: by the server behind the address when the
    topology has one, else `10.0.0.5:80 of web_pool`."""
    pool = topology.pools.get(member.pool_id)
    server = topology.server_of_address(member.address, member.subnet_id)
    who = f"{display_name(server)} ({visible(member.label)})" if server else visible(member.label)
    return f"{who} of {display_name(pool) if pool else short_id(member.pool_id)}"


def owner_name(topology: Topology, port_id: str | None) -> str | None:
    """The name of what a port is attached to (a server, router or load balancer of this project); None
    when the port is attached to nothing the snapshot holds, or is not in it."""
    port = topology.ports.get(port_id or "")
    owner = topology.owner_of_port(port) if port is not None else None
    return display_name(owner) if owner is not None else None


def target_name(topology: Topology, port_id: str | None) -> str:
    """What a floating IP points at, in a sentence: its port's owner, else the port, else "nothing"."""
    if not port_id:
        return "nothing"
    port = topology.ports.get(port_id)
    if port is None:
        return f"port {short_id(port_id)}"
    return owner_name(topology, port_id) or f"port {display_name(port)}"


def port_text(topology: Topology, port: Port | None) -> str:
    """`port server-1-port 10.0.0.5 (server1)`: the port, its first address and what it belongs to."""
    if port is None:
        return "nothing"
    owner = topology.owner_of_port(port)
    address = visible(port.addresses[0]) if port.addresses else ""
    where = f" {address}" if address else ""
    owned = f" ({display_name(owner)})" if owner is not None else ""
    return f"port {display_name(port)}{where}{owned}"


#: what a person calls each collection of a `Topology` (the keys of `Topology.unread`); `members` also
#: stands for the status trees the members and their health are read from
COLLECTION_NAMES: dict[str, str] = {
    "networks": "networks", "subnets": "subnets", "ports": "ports", "routers": "routers", "servers": "servers",
    "floating_ips": "floating IPs", "load_balancers": "load balancers", "listeners": "listeners",
    "pools": "pools", "health_monitors": "health monitors", "members": "members",
    "security_groups": "security groups", "quotas": "network quotas",
}


#: what a person calls one object of each tree node kind (the kind's own words otherwise)
KIND_NAMES: dict[str, str] = {"floating_ip": "floating IP", "load_balancer": "load balancer",
                              "health_monitor": "health monitor", "security_group": "security group"}


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, kind.replace("_", " "))


def collection_name(field: str) -> str:
    return COLLECTION_NAMES.get(field, field.replace("_", " "))


#: numbers the APIs send for a state, by field, as their own code names them (Nova's `power_state`)
VALUE_NAMES: dict[str, dict[int, str]] = {
    "power_state": {0: "no state", 1: "running", 3: "paused", 4: "shut down", 6: "crashed", 7: "suspended"},
}


def value_name(field: str, value: object) -> str | None:
    """`shut down (4)` for a server's power_state 4: the word first, the number the API sent after it."""
    names = VALUE_NAMES.get(field)
    if names is None or not isinstance(value, int) or isinstance(value, bool):
        return None
    return f"{names.get(value, 'unknown')} ({value})"


#: what a person calls each resource Neutron's quotas limit (its own name otherwise, underscores as spaces)
QUOTA_NAMES: dict[str, str] = {
    "floatingip": "floating IPs", "port": "ports", "network": "networks", "subnet": "subnets",
    "router": "routers", "security_group": "security groups", "security_group_rule": "security group rules",
    "subnetpool": "subnet pools", "rbac_policy": "RBAC policies", "router_route": "router routes",
}


def quota_name(resource: str) -> str:
    return QUOTA_NAMES.get(resource) or visible(resource.replace("_", " "))


def quota_usage(quota: Quota) -> str:
    """'floating IPs 9/10' (a limit of -1 is no limit: '9/∞')."""
    return f"{quota_name(quota.id)} {quota.used}/{quota.limit if quota.limit >= 0 else '∞'}"


def rule_text(topology: Topology, rule: SecurityGroupRule) -> str:
    """A security group rule as a person says it: 'ingress tcp 80 from 0.0.0.0/0', 'egress any to ::/0',
    'ingress icmp from group default'."""
    protocol = visible(rule.protocol) if rule.protocol else "any"
    low, high = rule.port_range_min, rule.port_range_max
    if protocol in ("icmp", "ipv6-icmp", "icmpv6", "1", "58"):
        ports = "" if low is None else f" type {low}" + ("" if high is None else f" code {high}")
    elif low is None:
        ports = ""
    else:
        ports = f" {low}" if high in (None, low) else f" {low}-{high}"
    if rule.remote_group_id:  # one rule per IP version: say which when the peer does not
        peer = f"group {name_of(topology, rule.remote_group_id)}" + (" (IPv6)" if rule.ethertype == "IPv6" else "")
    elif rule.remote_ip_prefix:
        peer = visible(rule.remote_ip_prefix)
    else:
        peer = "0.0.0.0/0" if rule.ethertype == "IPv4" else "::/0"
    way = "from" if rule.direction == "ingress" else "to"
    return f"{visible(rule.direction) or '?'} {protocol}{ports} {way} {peer}"
