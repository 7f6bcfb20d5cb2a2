"""What a project holds that serves nothing: the rules behind `:unused` and behind the clean-up actions.

Four kinds of finding, each a rule written once and read by both the list and the action that would clean
it up (so the list never offers a clean-up the action's plan then refuses, and the key is greyed by the
same words the plan refuses with):

- a floating IP not associated: allocated, billed, reaching nothing (`fip_in_use`: why it cannot be
  released, i.e. what it is on);
- a port with no device: not attached to a server, router or load balancer (`port_in_use`: what holds it);
- a load balancer none of whose pools has a member that takes traffic (`lb_serving`: the ONLINE members,
  or NO_MONITOR ones, which a pool without a health monitor sends traffic to as Octavia does);
- a security group used by nothing: on no port and named by no other group's rule (`group_in_use`). Neutron
  refuses to delete a group a port uses (409), but it drops, silently, the rules of other groups that name
  it as their remote group; a group so named is in use here. The project's `default` group is never a
  finding: Neutron refuses to delete it, and makes it again on demand.

A collection the last refresh could not read (`Topology.unread`) makes its findings unknowable, not
absent: the rules that need it say so instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import FloatingIP, LoadBalancer, Port, SecurityGroup, Topology
from .naming import collection_name, display_name, short_id, target_name

#: a member in one of these operating states takes traffic (NO_MONITOR: its pool has no health monitor)
SERVING = frozenset({"ONLINE", "NO_MONITOR"})
#: the group Neutron makes for each project, and will not delete for its users
DEFAULT_GROUP = "default"


@dataclass(frozen=True, slots=True)
class Finding:
    """One object that serves nothing: its tree kind and id, and why it is listed, in words."""

    kind: str
    id: str
    reason: str


def unread(topology: Topology, *collections: str) -> str | None:
    """Why a rule that needs these collections cannot be decided now (one of them was not read)."""
    for name in collections:
        if name in topology.unread:
            return f"the {collection_name(name)} could not be read: whether it is used is not known"
    return None


def fip_in_use(topology: Topology, fip: FloatingIP) -> str | None:
    """Why this floating IP is not free to release: what it is associated with (None: it is free)."""
    if fip.port_id:
        return (f"{fip.floating_ip_address} is associated with {target_name(topology, fip.port_id)}: "
                "disassociate it first")
    return None


def port_in_use(topology: Topology, port: Port) -> str | None:
    """Why this port is not free to delete: the device or owner that holds it (None: it has neither)."""
    label = f"port {display_name(port)}"
    owner = topology.owner_of_port(port)
    if owner is not None:
        kind = type(owner).__name__.lower().replace("loadbalancer", "load balancer")
        return f"{label} is attached to {kind} {display_name(owner)}"
    if port.device_id:
        return f"{label} has a device ({short_id(port.device_id)})"
    if port.device_owner:
        return f"{label} is owned by {port.device_owner}"
    return None


def group_in_use(topology: Topology, group: SecurityGroup) -> str | None:
    """Why this security group is not free to delete: the default group, or the ports and rules naming it."""
    label = f"security group {display_name(group)}"
    if group.name == DEFAULT_GROUP:
        return f"{label} is the project's default group: Neutron keeps it"
    if (why := unread(topology, "ports", "security_groups")) is not None:
        return why
    ports = [p for p in topology.ports.values() if group.id in p.security_group_ids]
    if ports:
        more = f" and {len(ports) - 1} more" if len(ports) > 1 else ""
        return f"{label} is used by port {display_name(ports[0])}{more}"
    naming = next((other for other in topology.security_groups.values() if other.id != group.id
                   and any(rule.remote_group_id == group.id for rule in other.rules)), None)
    if naming is not None:
        return f"{label} is named by a rule of security group {display_name(naming)}"
    return None


def lb_serving(topology: Topology, lb: LoadBalancer) -> str | None:
    """Why this load balancer serves nothing (no pool, or no member of any pool taking traffic); None when
    one member does, or when its members could not be read (unknown is not idle)."""
    if unread(topology, "pools", "members") is not None:
        return None
    pools = topology.pools_of(lb.id)
    if not pools:
        return "no pool: it serves nothing"
    members = [m for pool in pools for m in topology.members_of_pool(pool.id)]
    if any(m.admin_state_up and m.operating_status in SERVING for m in members):
        return None
    if not members:
        return "no member in its pools: it serves nothing"
    states = sorted({"disabled" if not m.admin_state_up else (m.operating_status or "?") for m in members})
    return f"no member ONLINE ({len(members)}: {', '.join(states)}): it serves nothing"


def findings(topology: Topology) -> tuple[Finding, ...]:
    """Everything that serves nothing, floating IPs first (they cost money), then ports, load balancers and
    security groups, each in the cloud's order. Computed once per snapshot: the tree asks on each refresh,
    for the section's count and again for its children."""
    if _last and _last[0][0] is topology:
        return _last[0][1]
    found: list[Finding] = [Finding("floating_ip", f.id, "not associated") for f in topology.floating_ips.values()
                            if fip_in_use(topology, f) is None]
    found += [Finding("port", p.id, "no device") for p in topology.ports.values()
              if port_in_use(topology, p) is None]
    found += [Finding("load_balancer", lb.id, why) for lb in topology.load_balancers.values()
              if (why := lb_serving(topology, lb)) is not None]
    found += [Finding("security_group", g.id, "used by nothing") for g in topology.security_groups.values()
              if group_in_use(topology, g) is None]
    _last[:] = [(topology, tuple(found))]
    return _last[0][1]


#: the last snapshot asked about, and its findings (snapshots are frozen: the same one, the same answer)
_last: list[tuple[Topology, tuple[Finding, ...]]] = []
