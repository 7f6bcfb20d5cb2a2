"""What the topology tree shows: pure functions from a `Topology` and a node to that node's children.

Kept apart from the widget so that the rules (which objects sit under which, how each is labelled, what
the filter matches) are plain functions of a snapshot: the tree only reconciles what these return with
what it shows, key by key. Every child carries a `key` unique among its siblings and stable across
snapshots (it is built from ids), which is what lets a refresh touch only what changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

from rich.text import Text

from netdash.cloud import unused
from netdash.cloud.model import (
    FloatingIP,
    Listener,
    LoadBalancer,
    Network,
    Pool,
    Port,
    Resource,
    Router,
    Server,
    Subnet,
    Topology,
    Unread,
)
from netdash.cloud.naming import collection_name, display_name, name_of, owner_name
from netdash.widgets.labels import (
    dim,
    fip_label,
    lb_label,
    line,
    listener_label,
    member_label,
    monitor_label,
    network_label,
    pool_label,
    port_label,
    router_label,
    server_label,
    status_text,
    subnet_label,
    unused_label,
)

#: (section key, title, Topology attribute) in the order the tree shows them
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("networks", "Networks", "networks"),
    ("routers", "Routers", "routers"),
    ("servers", "Servers", "servers"),
    ("floating_ips", "Floating IPs", "floating_ips"),
    ("load_balancers", "Load balancers", "load_balancers"),
    ("unused", "Unused", ""),
)
#: sections that start closed whatever their size: Unused repeats objects the sections above show
STARTS_CLOSED = frozenset({"unused"})

#: each Topology collection -> the section it is read for (where a failure to read it is shown)
SECTION_OF: dict[str, str] = {
    "networks": "networks", "subnets": "networks", "ports": "networks", "routers": "routers",
    "servers": "servers", "floating_ips": "floating_ips", "load_balancers": "load_balancers",
    "listeners": "load_balancers", "pools": "load_balancers", "health_monitors": "load_balancers",
    "members": "load_balancers", "security_groups": "networks", "quotas": "networks",
}
#: shown after a section's title when some of its collections could not be read (`Topology.unread`)
UNREAD_STYLE = "bold yellow"

#: node kind -> the Topology collection holding objects of that kind
COLLECTIONS: dict[str, str] = {
    "network": "networks", "subnet": "subnets", "port": "ports", "router": "routers", "server": "servers",
    "floating_ip": "floating_ips", "load_balancer": "load_balancers", "listener": "listeners",
    "pool": "pools", "member": "members", "health_monitor": "health_monitors",
    "security_group": "security_groups",
}

@dataclass(eq=False)
class NodeData:
    """What a tree node stands for: the model object (`kind` + `id`), and its place among its siblings.

    `via` says how the node was reached when that changes what it shows (a port under a server does not
    repeat the server); `loaded` is set once its children were built (they are built on first expansion).
    """

    kind: str
    id: str
    key: str
    label: Text
    via: str = ""
    loaded: bool = False


class Child(NamedTuple):
    key: str
    kind: str
    id: str
    label: Text
    expandable: bool
    via: str = ""


def resource_of(topology: Topology, kind: str, resource_id: str) -> Resource | None:
    """The model object a node stands for, or None when it is gone (or the node is a section)."""
    collection = COLLECTIONS.get(kind)
    return getattr(topology, collection).get(resource_id) if collection else None


# --- labels ------------------------------------------------------------------------------------------


class Memo:
    """Top-level children of the last update, reused while what their label is made of compares equal.

    A refresh of a large project would otherwise rebuild a Rich label per top-level object on the UI loop,
    longer than a key may wait, to find that none changed; comparing the frozen model objects a label is made of costs
    a few microseconds each, and an unchanged child comes back as the very same object (same label), so
    the tree sees at a glance that there is nothing to touch. `roll()` starts an update: entries that the
    update does not ask for again are dropped, so deleted objects do not linger.
    """

    def __init__(self) -> None:
        self.previous: dict[tuple[str, str], tuple[object, Child]] = {}
        self.current: dict[tuple[str, str], tuple[object, Child]] = {}

    def roll(self) -> None:
        self.previous, self.current = self.current, {}

    def child(self, kind: str, ident: str, deps: object, make: Callable[[], Child]) -> Child:
        key = (kind, ident)
        hit = self.current.get(key) or self.previous.get(key)
        if hit is None or hit[0] != deps:
            hit = (deps, make())
        self.current[key] = hit
        return hit[1]


#: sections that need a service besides Neutron, and the service type
NEEDS_SERVICE = {"servers": "compute", "load_balancers": "load-balancer"}


def sections(topology: Topology, query: str, memo: Memo | None = None) -> list[Child]:
    out = []
    unread = stale_sections(topology)
    for key, title, attribute in SECTIONS:
        service = NEEDS_SERVICE.get(key)
        if service and topology.services and service not in topology.services:  # empty: not fetched yet
            label = line(Text(title, style="bold"), dim(f"unavailable: no {service} service in this cloud"))
            out.append(Child(key, "section", key, label, False))
            continue
        total = len(unused.findings(topology)) if key == "unused" else len(getattr(topology, attribute))
        count = f"{len(top_level(topology, key, query, memo))}/{total}" if query else str(total)
        never = topology.unread.get(attribute)
        if never is not None and not never.kept:
            count = "?"  # not "none": never read
        label = line(Text(title, style="bold"), dim(f"({count})"),
                     unread_text(unread[key], topology.fetched_at) if key in unread else None)
        out.append(Child(key, "section", key, label, key != "unused" or total > 0))  # nothing unused: no arrow
    return out


def stale_sections(topology: Topology) -> dict[str, list[tuple[str, Unread]]]:
    """Section key -> (collection name, why) of each collection of it the last fetch could not read, in the
    tree's order of sections; the sections all of whose collections were read are absent."""
    out: dict[str, list[tuple[str, Unread]]] = {}
    for field, why in topology.unread.items():
        out.setdefault(SECTION_OF.get(field, field), []).append((collection_name(field), why))
    order = [key for key, _, _ in SECTIONS]
    return dict(sorted(out.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)))


def unread_text(unread: list[tuple[str, Unread]], now: float) -> Text:
    """'ports unavailable (stale 12 s): HTTP 503 ...': the collections that failed alike, in one clause each."""
    clauses: dict[tuple[str, bool, int], list[str]] = {}
    for name, why in unread:
        clauses.setdefault((why.reason, why.kept, why.age(now)), []).append(name)
    return Text("; ".join(
        f"{', '.join(names)} unavailable ({f'stale {age} s' if kept else 'none read yet'}): {reason}"
        for (reason, kept, age), names in clauses.items()), style=UNREAD_STYLE)


def top_level(topology: Topology, section: str, query: str, memo: Memo | None = None) -> list[Child]:
    """The objects directly under a section, those matching the filter when there is one."""
    query = query.strip().lower()
    memo = memo or Memo()
    t = topology
    if section == "networks":
        return [memo.child("network", n.id, (n, bool(t.subnets_of_network(n.id) or t.ports_of_network(n.id))),
                           partial(network_child, t, n))
                for n in t.networks.values() if not query or query in search_text(t, n)]
    if section == "routers":
        return [memo.child("router", r.id, (r, name_of(t, r.external_network_id or "")), partial(router_child, t, r))
                for r in t.routers.values() if not query or query in search_text(t, r)]
    if section == "servers":
        return [memo.child("server", s.id, (s, bool(t.ports_of_device(s.id))), partial(server_child, t, s))
                for s in t.servers.values() if not query or query in search_text(t, s)]
    if section == "floating_ips":
        return [memo.child("floating_ip", f.id, (f, f.port_id in t.ports, owner_name(t, f.port_id)),
                           partial(fip_child, t, f))
                for f in t.floating_ips.values() if not query or query in search_text(t, f)]
    if section == "load_balancers":
        return [memo.child("load_balancer", lb.id, (lb, t.floating_ips_of_port(lb.vip_port_id or "")),
                           partial(lb_child, t, lb))
                for lb in t.load_balancers.values() if not query or query in search_text(t, lb)]
    if section == "unused":
        found = [(finding, resource_of(t, finding.kind, finding.id)) for finding in unused.findings(t)]
        return [memo.child(f"unused:{finding.kind}", finding.id, (finding, obj), partial(unused_child, t, finding, obj))
                for finding, obj in found if obj is not None and (not query or query in search_text(t, obj))]
    return []


def unused_child(topology: Topology, finding: unused.Finding, obj: Resource) -> Child:
    """An object that serves nothing, as its own kind (its keys apply: release, delete), and why it is listed."""
    expandable = finding.kind == "load_balancer" or (
        finding.kind == "port" and bool(topology.floating_ips_of_port(finding.id)))
    return Child(f"{finding.kind}:{finding.id}", finding.kind, finding.id,
                 unused_label(topology, finding.kind, obj, finding.reason), expandable, "unused")


def router_child(topology: Topology, router: Router) -> Child:
    return Child(router.id, "router", router.id, router_label(topology, router), True)


def server_child(topology: Topology, server: Server) -> Child:
    return Child(server.id, "server", server.id, server_label(server), bool(topology.ports_of_device(server.id)))


def fip_child(topology: Topology, fip: FloatingIP) -> Child:
    return Child(fip.id, "floating_ip", fip.id, fip_label(topology, fip), bool(fip.port_id in topology.ports))


def lb_child(topology: Topology, lb: LoadBalancer) -> Child:
    return Child(lb.id, "load_balancer", lb.id, lb_label(topology, lb), True)


def network_child(topology: Topology, net: Network) -> Child:
    expandable = bool(topology.subnets_of_network(net.id) or topology.ports_of_network(net.id))
    return Child(net.id, "network", net.id, network_label(net), expandable)


def port_child(topology: Topology, port: Port, via: str = "") -> Child:
    has_owner = via not in ("server",) and topology.owner_of_port(port) is not None
    has_fips = via != "floating_ip" and bool(topology.floating_ips_of_port(port.id))
    return Child(port.id, "port", port.id, port_label(topology, port, via), has_owner or has_fips, via)


def children(topology: Topology, data: NodeData, query: str = "", memo: Memo | None = None) -> list[Child]:
    """The children of the node `data` in `topology`; empty when the object is gone."""
    if data.kind == "root":
        return sections(topology, query, memo)
    if data.kind == "section":
        return top_level(topology, data.id, query, memo)
    obj = resource_of(topology, data.kind, data.id)
    if obj is None:
        return []
    return list(_children_of(topology, obj, data.via))


def path_to(topology: Topology, kind: str, resource_id: str) -> tuple[str, ...] | None:
    """The keys from a section down to the node that stands for the object, where the tree first shows it
    (a port under its network's subnet, a member under its listener's pool); None when it shows it nowhere.
    What the command bar jumps to: the tree builds each node on the way (children are built lazily)."""
    t = topology
    if kind in ("network", "router", "server", "floating_ip", "load_balancer"):
        section = {"network": "networks", "router": "routers", "server": "servers",
                   "floating_ip": "floating_ips", "load_balancer": "load_balancers"}[kind]
        return (section, resource_id) if resource_id in getattr(t, COLLECTIONS[kind]) else None
    if kind == "subnet":
        subnet = t.subnets.get(resource_id)
        return ("networks", subnet.network_id, subnet.id) if subnet and subnet.network_id in t.networks else None
    if kind == "port":
        return _port_path(t, t.ports.get(resource_id))
    if kind == "listener":
        listener = t.listeners.get(resource_id)
        lb = listener.loadbalancer_id if listener else None
        return ("load_balancers", lb, resource_id) if lb and lb in t.load_balancers else None
    if kind == "pool":
        return _pool_path(t, t.pools.get(resource_id))
    if kind == "member":
        member = t.members.get(resource_id)
        pool = _pool_path(t, t.pools.get(member.pool_id)) if member else None
        return (*pool, resource_id) if pool else None
    if kind == "health_monitor":
        monitor = t.health_monitors.get(resource_id)
        owner = next((p for p in t.pools.values() if monitor and t.health_monitor_of(p) is monitor), None)
        pool = _pool_path(t, owner)
        return (*pool, resource_id) if pool else None
    if kind == "security_group":  # no node of its own but in Unused: else the first port that uses it
        if any(f.kind == kind and f.id == resource_id for f in unused.findings(t)):
            return ("unused", f"{kind}:{resource_id}")
        port = next((p for p in t.ports.values() if resource_id in p.security_group_ids), None)
        return _port_path(t, port)
    return None


def _port_path(topology: Topology, port: Port | None) -> tuple[str, ...] | None:
    if port is None:
        return None
    if port.network_id in topology.networks:
        on = {ip.subnet_id for ip in port.fixed_ips}
        if not on:
            return ("networks", port.network_id, port.id)
        subnet = next((s for s in topology.subnets_of_network(port.network_id) if s.id in on), None)
        if subnet is not None:
            return ("networks", port.network_id, subnet.id, port.id)
    return ("servers", port.device_id, port.id) if port.device_id in topology.servers else None


def _pool_path(topology: Topology, pool: Pool | None) -> tuple[str, ...] | None:
    if pool is None or not pool.loadbalancer_id or pool.loadbalancer_id not in topology.load_balancers:
        return None
    listener = next((li for li in topology.listeners_of(pool.loadbalancer_id)
                     if pool.id == li.default_pool_id or li.id in pool.listener_ids), None)
    on = (listener.id,) if listener is not None else ()
    return ("load_balancers", pool.loadbalancer_id, *on, pool.id)


def _children_of(topology: Topology, obj: Resource, via: str) -> Iterable[Child]:
    if isinstance(obj, Network):
        ports = topology.ports_of_network(obj.id)
        for subnet in topology.subnets_of_network(obj.id):
            on_subnet = any(ip.subnet_id == subnet.id for p in ports for ip in p.fixed_ips)
            yield Child(subnet.id, "subnet", subnet.id, subnet_label(subnet), on_subnet)
        for port in ports:
            if not port.fixed_ips:
                yield port_child(topology, port)
    elif isinstance(obj, Subnet):
        for port in topology.ports_of_network(obj.network_id):
            if any(ip.subnet_id == obj.id for ip in port.fixed_ips):
                yield port_child(topology, port)
    elif isinstance(obj, Port):
        yield from _port_children(topology, obj, via)
    elif isinstance(obj, Router):
        if obj.external_network_id:
            label = line(Text("gateway", style="bold"), name_of(topology, obj.external_network_id),
                         ", ".join(ip.ip_address for ip in obj.external_fixed_ips))
            yield Child("gateway", "network", obj.external_network_id, label, False, "gateway")
        for port in topology.router_interfaces(obj.id):
            subnet_names = [name_of(topology, ip.subnet_id) for ip in port.fixed_ips]
            label = line(Text("interface", style="bold"), ", ".join(port.addresses), dim(", ".join(subnet_names)))
            yield Child(port.id, "port", port.id, label, False, "router")
    elif isinstance(obj, Server):
        for port in topology.ports_of_device(obj.id):
            yield port_child(topology, port, "server")
    elif isinstance(obj, FloatingIP):
        port = topology.ports.get(obj.port_id or "")
        if port is not None:
            yield port_child(topology, port, "floating_ip")
    elif isinstance(obj, LoadBalancer):
        yield from _lb_children(topology, obj)
    elif isinstance(obj, Listener):
        for pool in topology.pools_of(obj.loadbalancer_id or ""):
            if pool.id == obj.default_pool_id or obj.id in pool.listener_ids:
                yield pool_child(topology, pool)
    elif isinstance(obj, Pool):
        for member in topology.members_of_pool(obj.id):
            yield Child(member.id, "member", member.id, member_label(topology, member), False)
        hm = topology.health_monitor_of(obj)
        if hm is not None:
            yield Child(hm.id, "health_monitor", hm.id, monitor_label(hm), False)


def _port_children(topology: Topology, port: Port, via: str) -> Iterable[Child]:
    owner = topology.owner_of_port(port)
    if owner is not None and via != "server":
        kind = {Server: "server", Router: "router", LoadBalancer: "load_balancer"}[type(owner)]
        name = display_name(owner)
        status = getattr(owner, "status", None) or getattr(owner, "operating_status", None)
        label = line(dim(kind.replace("_", " ")), Text(name, style="bold"), status_text(status))
        yield Child(f"owner:{owner.id}", kind, owner.id, label, False, "port")
    if via != "floating_ip":
        for fip in topology.floating_ips_of_port(port.id):
            label = line(dim("floating IP"), Text(fip.floating_ip_address, style="bold magenta"),
                         status_text(fip.status))
            yield Child(f"fip:{fip.id}", "floating_ip", fip.id, label, False, "port")


def _lb_children(topology: Topology, lb: LoadBalancer) -> Iterable[Child]:
    listeners = topology.listeners_of(lb.id)
    attached: set[str] = set()
    for listener in listeners:
        pools = [p for p in topology.pools_of(lb.id)
                 if p.id == listener.default_pool_id or listener.id in p.listener_ids]
        attached.update(p.id for p in pools)
        yield Child(listener.id, "listener", listener.id, listener_label(listener), bool(pools))
    for pool in topology.pools_of(lb.id):
        if pool.id not in attached:
            yield pool_child(topology, pool)


def pool_child(topology: Topology, pool: Pool) -> Child:
    expandable = bool(topology.members_of_pool(pool.id) or topology.health_monitor_of(pool))
    return Child(pool.id, "pool", pool.id, pool_label(pool), expandable)


# --- filter ------------------------------------------------------------------------------------------
def search_text(topology: Topology, obj: Resource) -> str:
    """Names, addresses and ids of a top-level object and of what hangs under it, lower-cased, for `/`."""
    words: list[str] = [obj.id, getattr(obj, "name", "")]
    if isinstance(obj, Network):
        for subnet in topology.subnets_of_network(obj.id):
            words += [subnet.id, subnet.name, subnet.cidr]
        for port in topology.ports_of_network(obj.id):
            words += [port.id, port.name, *port.addresses]
    elif isinstance(obj, Router):
        words += [ip.ip_address for ip in obj.external_fixed_ips]
        for port in topology.router_interfaces(obj.id):
            words += [port.id, *port.addresses]
    elif isinstance(obj, Server):
        words += [a.address for a in obj.addresses]
        words += [p.id for p in topology.ports_of_device(obj.id)]
        words += [p.name for p in topology.ports_of_device(obj.id)]
    elif isinstance(obj, FloatingIP):
        words += [obj.floating_ip_address, obj.fixed_ip_address or "", obj.port_id or "",
                  owner_name(topology, obj.port_id) or ""]
    elif isinstance(obj, LoadBalancer):
        words += [obj.vip_address or "", obj.vip_port_id or ""]
        words += [f.floating_ip_address for f in topology.floating_ips_of_port(obj.vip_port_id or "")]
        for pool in topology.pools_of(obj.id):
            words += [pool.id, pool.name]
            words += [m.address for m in topology.members_of_pool(pool.id)]
        words += [listener.name for listener in topology.listeners_of(obj.id)]
    return "\n".join(w for w in words if w).lower()
