"""What the topology map shows: the project as OpenStack's web dashboard draws it, as plain values.

Networks are bars (external ones first); servers, load balancer VIPs and unowned ports that carry a floating
IP hang off the networks of their ports, one box per network, showing that port's addresses and the floating
IPs on it; a router is one box under the first network it is on (its gateway's, normally) with its other
networks reached by a line (`topology_layout`). Everything here is a pure function of a `Topology`, read
lazily: a network's devices are gathered only when its bar is opened, so a project of 5,000 ports costs
one count per network until someone looks inside one. The dashboard's map, `netdash topology --format
svg|mermaid|dot` and their tests all read these values, so the picture is the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .events import ChangeEvent, diff
from .model import FloatingIP, LoadBalancer, Network, Port, Router, Server, Topology

#: (kind, id) of a thing the map draws: a network, a device, a floating IP, a pool, a member
NodeKey = tuple[str, str]

#: device kinds in the order a network's devices are drawn (routers first: they connect networks)
DEVICE_KINDS = ("router", "server", "load_balancer", "port")
#: how long (seconds of the snapshots' own clock) a change stays marked
MARK_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class Hang:
    """One port of a device on one network: what the device's box under that network's bar says."""

    network_id: str
    port_id: str
    addresses: tuple[str, ...] = ()
    fips: tuple[FloatingIP, ...] = ()
    #: the router's gateway (an external network), not an interface
    gateway: bool = False


@dataclass(frozen=True, slots=True)
class Device:
    """A router, server, load balancer (its VIP) or unowned port, with every port it has on a network."""

    kind: str
    id: str
    name: str
    status: str | None
    hangs: tuple[Hang, ...]

    @property
    def key(self) -> NodeKey:
        return self.kind, self.id

    def networks(self) -> tuple[str, ...]:
        """Its networks, each once, in the order of its hangs."""
        return tuple(dict.fromkeys(h.network_id for h in self.hangs))

    def hangs_on(self, network_id: str) -> tuple[Hang, ...]:
        return tuple(h for h in self.hangs if h.network_id == network_id)


def ordered_networks(topology: Topology) -> tuple[Network, ...]:
    """External networks first, then the others, each group in the snapshot's order."""
    nets = tuple(topology.networks.values())
    return tuple(n for n in nets if n.external) + tuple(n for n in nets if not n.external)


class MapModel:
    """One snapshot read for the map, with what was gathered cached: a device, a network's devices, a
    network's counts. A new snapshot is a new model; `previous` lends it the counts of networks whose
    ports and owners did not change (a refresh of a large project recounts nothing)."""

    def __init__(self, topology: Topology, previous: MapModel | None = None) -> None:
        self.topology = topology
        self.networks = ordered_networks(topology)
        self.order = {net.id: i for i, net in enumerate(self.networks)}
        self._devices: dict[NodeKey, Device | None] = {}
        self._on: dict[str, tuple[Device, ...]] = {}
        self._counts: dict[str, tuple[tuple[Port, ...], dict[str, int]]] = {}
        if previous is not None and all(getattr(previous.topology, name) is getattr(topology, name)
                                        for name in ("servers", "routers", "load_balancers")):
            self._counts = previous._counts

    # --- devices ------------------------------------------------------------------------------------
    def device(self, kind: str, resource_id: str) -> Device | None:
        key = (kind, resource_id)
        if key not in self._devices:
            self._devices[key] = self._build(kind, resource_id)
        return self._devices[key]

    def device_of_port(self, port: Port) -> Device | None:
        """The device a port hangs from: its owner, or the port itself when it is unowned but carries a
        floating IP (Neutron allows that); None for the rest (DHCP, other projects' devices, spare ports)."""
        owner = self.topology.owner_of_port(port)
        if isinstance(owner, Server):
            return self.device("server", owner.id)
        if isinstance(owner, Router):
            return self.device("router", owner.id)
        if isinstance(owner, LoadBalancer):
            return self.device("load_balancer", owner.id)
        if self.topology.floating_ips_of_port(port.id):
            return self.device("port", port.id)
        return None

    def devices_on(self, network_id: str) -> tuple[Device, ...]:
        """The devices with a port on this network, routers first, each once."""
        if network_id not in self._on:
            found: dict[NodeKey, Device] = {}
            for port in self.topology.ports_of_network(network_id):
                device = self.device_of_port(port)
                if device is not None:
                    found.setdefault(device.key, device)
            for router in self.topology.routers.values():  # a gateway whose port this project cannot read
                if router.external_network_id == network_id and ("router", router.id) not in found:
                    device = self.device("router", router.id)
                    if device is not None:
                        found[device.key] = device
            self._on[network_id] = tuple(sorted(found.values(), key=lambda d: DEVICE_KINDS.index(d.kind)))
        return self._on[network_id]

    def counts(self, network_id: str) -> dict[str, int]:
        """Devices on a network by kind, without building them (what a collapsed bar says)."""
        ports = self.topology.ports_of_network(network_id)
        cached = self._counts.get(network_id)
        if cached is not None and cached[0] is ports:
            return cached[1]
        seen: dict[str, set[str]] = {}
        for port in ports:
            owner = self.topology.owner_of_port(port)
            kind = ("server" if isinstance(owner, Server) else "router" if isinstance(owner, Router)
                    else "load_balancer" if isinstance(owner, LoadBalancer) else None)
            if kind is not None:
                seen.setdefault(kind, set()).add(owner.id)  # type: ignore[union-attr]
        counts = {kind: len(ids) for kind, ids in seen.items()}
        self._counts[network_id] = (ports, counts)
        return counts

    def anchor(self, device: Device, opened: Iterable[str]) -> str | None:
        """The network whose bar a router hangs from: the first of its networks (in map order) that is open."""
        shown = set(opened)
        return next((n for n in sorted(device.networks(), key=self.rank) if n in shown), None)

    def rank(self, network_id: str) -> int:
        return self.order.get(network_id, len(self.order))

    def _build(self, kind: str, resource_id: str) -> Device | None:
        t = self.topology
        if kind == "server" and resource_id in t.servers:
            server = t.servers[resource_id]
            return Device(kind, server.id, server.name or "", server.status, self._hangs(t.ports_of_device(server.id)))
        if kind == "router" and resource_id in t.routers:
            router = t.routers[resource_id]
            hangs = self._hangs(t.ports_of_device(router.id))
            if router.external_network_id and not any(h.gateway for h in hangs):  # gateway port unreadable
                hangs = (Hang(router.external_network_id, "", tuple(ip.ip_address for ip in router.external_fixed_ips),
                              gateway=True), *hangs)
            return Device(kind, router.id, router.name or "", router.status, self._sorted(hangs))
        if kind == "load_balancer" and resource_id in t.load_balancers:
            lb = t.load_balancers[resource_id]
            port = t.ports.get(lb.vip_port_id or "")
            if port is not None:
                hangs = self._hangs((port,))
            elif lb.vip_network_id:
                hangs = (Hang(lb.vip_network_id, "", (lb.vip_address,) if lb.vip_address else ()),)
            else:
                hangs = ()
            return Device(kind, lb.id, lb.name or "", lb.operating_status, hangs)
        if kind == "port" and resource_id in t.ports:
            port = t.ports[resource_id]
            return Device(kind, port.id, port.name or "", port.status, self._hangs((port,)))
        return None

    def _hangs(self, ports: Iterable[Port]) -> tuple[Hang, ...]:
        return self._sorted(tuple(
            Hang(port.network_id, port.id, port.addresses, self.topology.floating_ips_of_port(port.id),
                 gateway=port.device_owner == "network:router_gateway")
            for port in ports if port.network_id))

    def _sorted(self, hangs: tuple[Hang, ...]) -> tuple[Hang, ...]:
        return tuple(sorted(hangs, key=lambda h: self.rank(h.network_id)))


# --- what changed ---------------------------------------------------------------------------------------
#: ChangeEvent.resource -> the map node kind that shows it (None: the node is found another way)
EVENT_KINDS: dict[str, str | None] = {
    "network": "network", "router": "router", "server": "server", "floating IP": "floating_ip",
    "load balancer": "load_balancer", "member": "member", "subnet": None, "port": None, "listener": None,
    "pool": None, "health monitor": None,
}


def marked(events: Iterable[ChangeEvent], old: Topology, new: Topology) -> set[NodeKey]:
    """The map nodes that show what these change events (the event log's lines) are about: the object's
    own node, or the node that draws it (a subnet's network, a port's device, a pool's load balancer)."""
    keys: set[NodeKey] = set()
    for event in events:
        kind = EVENT_KINDS.get(event.resource)
        if kind is not None:
            keys.add((kind, event.resource_id))
        elif event.resource == "subnet":
            subnet = new.subnets.get(event.resource_id) or old.subnets.get(event.resource_id)
            if subnet is not None:
                keys.add(("network", subnet.network_id))
        elif event.resource == "port":
            port = new.ports.get(event.resource_id)
            owner = new.owner_of_port(port) if port is not None else None
            kind = ("server" if isinstance(owner, Server) else "router" if isinstance(owner, Router)
                    else "load_balancer" if isinstance(owner, LoadBalancer) else "port")
            keys.add((kind, owner.id if owner is not None else event.resource_id))
        else:  # listener, pool, health monitor: the load balancer they belong to, and the pool itself
            kind_word = event.resource.replace(" ", "_")
            lb_id = new.load_balancer_of(kind_word, event.resource_id)
            if lb_id:
                keys.add(("load_balancer", lb_id))
            if event.resource == "pool":
                keys.add(("pool", event.resource_id))
    return keys


class Marks:
    """Which nodes changed lately: set by each new snapshot, kept `MARK_SECONDS` of the snapshots' clock.

    The same notion of a change as the event log's (`cloud.events.diff`): what the log names, the map marks.
    """

    def __init__(self) -> None:
        self.since: dict[NodeKey, float] = {}

    def update(self, old: Topology, new: Topology) -> None:
        now = new.fetched_at
        if old.fetched_at and now:  # the first snapshot is not a change
            for key in marked(diff(old, new, now), old, new):
                self.since[key] = now
        self.since = {key: at for key, at in self.since.items() if now - at < MARK_SECONDS}

    def active(self) -> frozenset[NodeKey]:
        return frozenset(self.since)
