"""What changed between two snapshots, said the way an operator would say it.

`diff(old, new, at)` compares two `Topology` values object by object (frozen dataclasses: an unchanged
object compares equal and costs one comparison) and names the change: "floating IP 127.24.4.12 moved
server1 -> server2", not "port_id changed". Names come from the snapshot that still knows the object
(the old one for what left, the new one for what arrived). Order is deterministic: by resource kind in
`KINDS` order, then deletions, creations and changes, each in the cloud's listing order.
Provisioning transitions (PENDING_UPDATE -> ACTIVE after every Octavia change) are noise, so only a move
into or out of ERROR is reported; operating statuses are what the issue asks to watch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .model import FloatingIP, Member, Pool, Port, Router, Server, Topology
from .naming import display_name, member_name, name_of, quota_usage, resource_name, target_name

#: statuses that mean "look at this now" / "not serving"
ERROR_STATES = frozenset({"ERROR"})
WARNING_STATES = frozenset({"OFFLINE", "DEGRADED", "SHUTOFF", "DOWN", "PAUSED", "SUSPENDED", "NO_MONITOR"})


@dataclass(frozen=True)
class ChangeEvent:
    at: float
    kind: str  # "created" | "deleted" | "changed"
    resource: str  # "network", "port", "floating IP", "member", ...
    resource_id: str
    text: str
    severity: str = "info"  # "info" | "warning" | "error"


def severity_of(new_status: str | None) -> str:
    if new_status in ERROR_STATES:
        return "error"
    return "warning" if new_status in WARNING_STATES else "info"


def device_name(topo: Topology, device_id: str) -> str:
    return name_of(topo, device_id) if device_id else "nothing"


# --- per-kind change detectors ---------------------------------------------------------------------
Change = tuple[str, str]  # (text, severity)


def status_change(what: str, old: str | None, new: str | None) -> Iterator[Change]:
    if old != new:
        yield f"{what} {old or '-'} -> {new or '-'}", severity_of(new)


def provisioning_change(what: str, old: str | None, new: str | None) -> Iterator[Change]:
    if old != new and (old in ERROR_STATES or new in ERROR_STATES):
        yield f"{what} provisioning {old or '-'} -> {new or '-'}", severity_of(new)


def renamed(kind: str, old: Any, new: Any) -> Iterator[Change]:
    if getattr(old, "name", "") != getattr(new, "name", ""):
        yield f"{kind} {display_name(old)} renamed {display_name(new)}", "info"


def admin_change(what: str, old: Any, new: Any) -> Iterator[Change]:
    if old.admin_state_up != new.admin_state_up:
        yield f"{what} {'enabled' if new.admin_state_up else 'disabled'}", "info" if new.admin_state_up else "warning"


def port_changes(o: Topology, n: Topology, old: Port, new: Port) -> Iterator[Change]:
    what = f"port {display_name(new)}"
    if old.device_id != new.device_id:
        if not old.device_id:
            yield f"{what} attached to {device_name(n, new.device_id)}", "info"
        elif not new.device_id:
            yield f"{what} detached from {device_name(o, old.device_id)}", "warning"
        else:
            yield f"{what} moved {device_name(o, old.device_id)} -> {device_name(n, new.device_id)}", "info"
    if old.addresses != new.addresses:
        yield f"{what} addresses {', '.join(old.addresses) or '-'} -> {', '.join(new.addresses) or '-'}", "info"
    yield from admin_change(what, old, new)


def fip_changes(o: Topology, n: Topology, old: FloatingIP, new: FloatingIP) -> Iterator[Change]:
    what = f"floating IP {resource_name(n, new)}"
    if old.port_id != new.port_id:
        if not old.port_id:
            yield f"{what} associated with {target_name(n, new.port_id)}", "info"
        elif not new.port_id:
            yield f"{what} disassociated from {target_name(o, old.port_id)}", "warning"
        else:
            before, after = target_name(o, old.port_id), target_name(n, new.port_id)
            if before == after:  # same owner, another of its ports
                before = f"port {display_name(o.ports[old.port_id])}" if old.port_id in o.ports else before
                after = f"port {display_name(n.ports[new.port_id])}" if new.port_id in n.ports else after
            yield f"{what} moved {before} -> {after}", "info"
    yield from provisioning_change(what, old.status, new.status)


def server_changes(o: Topology, n: Topology, old: Server, new: Server) -> Iterator[Change]:
    yield from renamed("server", old, new)
    yield from status_change(f"server {resource_name(n, new)}", old.status, new.status)


def router_changes(o: Topology, n: Topology, old: Router, new: Router) -> Iterator[Change]:
    what = f"router {resource_name(n, new)}"
    yield from renamed("router", old, new)
    if old.external_network_id != new.external_network_id:
        if not new.external_network_id:
            yield f"{what} gateway removed (was {name_of(o, old.external_network_id or '')})", "warning"
        else:
            yield f"{what} gateway set to {name_of(n, new.external_network_id)}", "info"
    before, after = interface_subnets(o, old), interface_subnets(n, new)
    if never_read(o, "ports"):
        before = after  # the interfaces were unknown before, not absent: their first read is not news
    for subnet_id in after:
        if subnet_id not in before:
            yield f"{what} interface added on subnet {name_of(n, subnet_id)}", "info"
    for subnet_id in before:
        if subnet_id not in after:
            yield f"{what} interface removed from subnet {name_of(o, subnet_id)}", "warning"
    yield from provisioning_change(what, old.status, new.status)
    yield from admin_change(what, old, new)


def never_read(topo: Topology, field: str) -> bool:
    """Whether `field` is empty in `topo` only because no fetch could read it yet (`Topology.unread`)."""
    why = topo.unread.get(field)
    return why is not None and not why.kept


def interface_subnets(topo: Topology, router: Router) -> list[str]:
    return [ip.subnet_id for port in topo.router_interfaces(router.id) for ip in port.fixed_ips]


def pool_changes(o: Topology, n: Topology, old: Pool, new: Pool) -> Iterator[Change]:
    what = f"pool {resource_name(n, new)}"
    yield from renamed("pool", old, new)
    if old.lb_algorithm != new.lb_algorithm:
        yield f"{what} algorithm {old.lb_algorithm or '-'} -> {new.lb_algorithm or '-'}", "info"
    if old.session_persistence != new.session_persistence:
        yield f"{what} session persistence {old.session_persistence or 'none'} -> " \
              f"{new.session_persistence or 'none'}", "info"
    yield from status_change(what, old.operating_status, new.operating_status)
    yield from provisioning_change(what, old.provisioning_status, new.provisioning_status)


def member_changes(o: Topology, n: Topology, old: Member, new: Member) -> Iterator[Change]:
    what = f"member {member_name(n, new)}"
    yield from status_change(what, old.operating_status, new.operating_status)
    yield from provisioning_change(what, old.provisioning_status, new.provisioning_status)
    if old.weight is not None and new.weight is not None and old.weight != new.weight:
        yield f"{what} weight {old.weight} -> {new.weight}", "info"


def octavia_changes(kind: str) -> Callable[[Topology, Topology, Any, Any], Iterator[Change]]:
    """Load balancers, listeners and health monitors: name, operating status, provisioning ERROR."""

    def changes(o: Topology, n: Topology, old: Any, new: Any) -> Iterator[Change]:
        what = f"{kind} {resource_name(n, new)}"
        yield from renamed(kind, old, new)
        yield from status_change(what, old.operating_status, new.operating_status)
        yield from provisioning_change(what, old.provisioning_status, new.provisioning_status)
        yield from admin_change(what, old, new)

    return changes


def plain_changes(kind: str) -> Callable[[Topology, Topology, Any, Any], Iterator[Change]]:
    """Networks and subnets: only what an operator would notice (name, admin state, network status)."""

    def changes(o: Topology, n: Topology, old: Any, new: Any) -> Iterator[Change]:
        yield from renamed(kind, old, new)
        if hasattr(new, "admin_state_up"):
            yield from admin_change(f"{kind} {resource_name(n, new)}", old, new)

    return changes


#: (resource word, Topology field, change detector), in the order events are reported
KINDS: tuple[tuple[str, str, Callable[[Topology, Topology, Any, Any], Iterator[Change]]], ...] = (
    ("network", "networks", plain_changes("network")),
    ("subnet", "subnets", plain_changes("subnet")),
    ("router", "routers", router_changes),
    ("port", "ports", port_changes),
    ("server", "servers", server_changes),
    ("floating IP", "floating_ips", fip_changes),
    ("load balancer", "load_balancers", octavia_changes("load balancer")),
    ("listener", "listeners", octavia_changes("listener")),
    ("pool", "pools", pool_changes),
    ("health monitor", "health_monitors", octavia_changes("health monitor")),
    ("member", "members", member_changes),
)
#: losing one of these is worth a warning; the rest come and go in normal work
WATCHED_DELETIONS = frozenset({"server", "member", "load balancer", "listener", "pool", "router",
                               "floating IP", "network"})


def diff(old: Topology, new: Topology, at: float) -> list[ChangeEvent]:
    """Semantic change events from `old` to `new`, stamped `at` (the new snapshot's time, usually)."""
    events: list[ChangeEvent] = []
    for resource, field, detector in KINDS:
        before: Mapping[str, Any] = getattr(old, field)
        after: Mapping[str, Any] = getattr(new, field)
        if before is after and resource != "router":
            continue  # the same view (cloud.deltas): not one object in it changed
        if never_read(old, field):
            continue  # read for the first time (it failed until now): nothing in it is news
        for item_id, item in before.items():
            if item_id not in after:
                events.append(ChangeEvent(at, "deleted", resource, item_id,
                                          f"{resource} {resource_name(old, item)} deleted",
                                          "warning" if resource in WATCHED_DELETIONS else "info"))
        for item_id, item in after.items():
            if item_id not in before:
                events.append(ChangeEvent(at, "created", resource, item_id,
                                          f"{resource} {resource_name(new, item)} created", "info"))
        for item_id, item in after.items():
            previous = before.get(item_id)
            if previous is None or ((previous is item or previous == item) and resource != "router"):
                continue  # routers also change when their interface ports do
            for text, severity in detector(old, new, previous, item):
                events.append(ChangeEvent(at, "changed", resource, item_id, text, severity))
    events.extend(quota_events(old, new, at))
    return events


def quota_events(old: Topology, new: Topology, at: float) -> list[ChangeEvent]:
    """A quota crossing into the warning zone (`Quota.near_limit`) and back out of it; quotas that merely
    appear (a first read) or move within a zone are no news."""
    if old.quotas is new.quotas or never_read(old, "quotas"):
        return []
    events = []
    for quota in new.quotas.values():
        was = old.quotas.get(quota.id)
        if was is None or was.near_limit == quota.near_limit:
            continue
        text = f"quota {quota_usage(quota)}: " + ("near its limit" if quota.near_limit else "below 80% again")
        events.append(ChangeEvent(at, "changed", "quota", quota.id, text, "warning" if quota.near_limit else "info"))
    return events
