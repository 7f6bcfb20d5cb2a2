"""What a probed address reaches, as the topology says: the one home of the probe's "meaning" (issue 16).

A probe GETs one URL; what answers depends on the cloud: the floating IP's port, whose owner is a server
or a load balancer's VIP, whose listener's pool balances by an algorithm over members that are enabled,
weighted and healthy or not. `reach_of(topology, url)` follows that chain and returns a `Reach`: `facts`,
the signature compared across refreshes (a floating IP moved or disassociated, a port now on another
server, an algorithm, a member's admin state, weight or health: any of these and the facts differ), the
ids of every object on the chain (an action that touched one may have changed it), and `text`, the words
the probe pane's first line says.

The probe cannot rely on the cloud to end its keep-alive connections when the meaning changes: Neutron's
L3 agent clears a floating IP's conntrack entries when it is disassociated, not when it moves to another
port, and an OVN cloud translates each packet statelessly (see `democloud/dataplane/edges.py`). So the
probe compares the signature itself and reconnects (`Follower`).

Names are in the text, never in the facts: renaming a server does not change what answers.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from .api import CloudWrites
from .errors import NetdashError
from .model import FloatingIP, Listener, LoadBalancer, Port, Resource, Server, Topology
from .naming import display_name, short_id
from .probe_values import Expected
from .text import visible


@dataclass(frozen=True, slots=True)
class Reach:
    """What one address reaches now. Compare `facts`; show `text`; `ids` are the objects on the way."""

    text: str
    facts: tuple[Hashable, ...] = ()
    ids: frozenset[str] = field(default_factory=frozenset)
    #: nothing answers at the address (a floating IP on no port, a port on no device or down)
    empty: bool = False

    @property
    def known(self) -> bool:
        """Whether the address is one this project's topology explains (else it never changes)."""
        return bool(self.facts)


def main_listener(topology: Topology, lb: LoadBalancer, port: int | None = None) -> Listener | None:
    """The listener a browser would reach: the one on `port` if any, else HTTP first, then HTTPS, then
    anything, lowest port first."""
    listeners = topology.listeners_of(lb.id)
    on_port = [li for li in listeners if port is not None and li.protocol_port == port]
    if on_port:
        return on_port[0]
    rank = {"HTTP": 0, "TERMINATED_HTTPS": 1, "HTTPS": 1, "TCP": 2}
    ranked = sorted(listeners, key=lambda li: (rank.get(li.protocol or "", 3), li.protocol_port or 0))
    return ranked[0] if ranked else None


def fip_on(topology: Topology, fip: FloatingIP) -> str:
    """`on load balancer web's VIP port`, `on server server1's port server-1-port`, `associated with nothing`."""
    if not fip.port_id:
        return "associated with nothing"
    lb = topology.load_balancer_of_port(fip.port_id)
    if lb is not None:
        return f"on load balancer {display_name(lb)}'s VIP port"
    port = topology.ports.get(fip.port_id)
    if port is None:
        return f"on port {short_id(fip.port_id)}"
    owner = topology.servers.get(port.device_id)
    port_name = display_name(port)
    return f"on server {display_name(owner)}'s port {port_name}" if owner else f"on port {port_name}"


def reach_of(topology: Topology, url: str) -> Reach:
    """Follow `url`'s address through the topology: a floating IP (by where the embedded cloud serves it,
    or by address), a listener's served endpoint, a VIP, a port's fixed IP; else an address this project does
    not explain (`known` is False: the facts never change)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return Reach(f"{visible(host)}: not an address of this project")
    endpoint = f"{host}:{port}"
    fips = list(topology.floating_ips.values())
    fip = (next((f for f in fips if f.endpoint == endpoint), None)
           or next((f for f in fips if f.floating_ip_address == host and not f.endpoint), None))
    if fip is not None:
        return of_floating_ip(topology, fip, port)
    listener = next((li for li in topology.listeners.values() if li.endpoint == endpoint), None)
    lb = topology.load_balancers.get(listener.loadbalancer_id or "") if listener else None
    if lb is None:
        lb = next((b for b in topology.load_balancers.values() if b.vip_address == host), None)
    if lb is not None:
        facts, ids, text = of_load_balancer(topology, lb, listener or main_listener(topology, lb, port))
        return Reach(f"VIP of load balancer {display_name(lb)}: {text}", ("vip", lb.id, *facts), ids)
    holders = [p for p in topology.ports.values() if p.endpoint == endpoint] or [
        p for p in topology.ports_with_address(host) if not p.endpoint]
    if holders:
        held = holders[0]
        facts, ids, words = of_port(topology, held, port)
        return Reach(f"port {display_name(held)} ({visible(host)}) of {words}", facts, ids,
                     empty=topology.load_balancer_of_port(held.id) is None
                     and not (held.device_id and held.admin_state_up))
    if any(f.floating_ip_address == host for f in fips) or topology.ports_with_address(host):
        # listed elsewhere: the embedded cloud serves the address at another port
        return Reach(f"{visible(host)}: the cloud serves it at another port (its endpoint list)")
    return Reach(f"{visible(host)}: not an address of this project")


def of_floating_ip(topology: Topology, fip: FloatingIP, port: int) -> Reach:
    text = f"floating IP {visible(fip.floating_ip_address)} ({fip_on(topology, fip)})"
    if not fip.port_id:
        return Reach(text, ("floating_ip", fip.id, None), frozenset({fip.id}), empty=True)
    held = topology.ports.get(fip.port_id)
    if held is None:
        return Reach(text, ("floating_ip", fip.id, fip.port_id, "unseen"), frozenset({fip.id, fip.port_id}))
    facts, ids, _ = of_port(topology, held, port)
    lb = topology.load_balancer_of_port(held.id)
    if lb is not None:  # what the VIP does with the connection
        text += f": {of_load_balancer(topology, lb, main_listener(topology, lb, port))[2]}"
    return Reach(text, ("floating_ip", fip.id, *facts), ids | {fip.id},
                 empty=lb is None and not (held.device_id and held.admin_state_up))


def of_port(topology: Topology, port: Port, service_port: int) -> tuple[tuple[Hashable, ...], frozenset[str], str]:
    """(facts, ids, words such as `server server1`) for what a connection to the port's addresses reaches."""
    lb = topology.load_balancer_of_port(port.id)
    if lb is not None:
        facts, ids, words = of_load_balancer(topology, lb, main_listener(topology, lb, service_port))
        return ("port", port.id, *facts), ids | {port.id}, f"load balancer {display_name(lb)}: {words}"
    base: tuple[Hashable, ...] = ("port", port.id, port.device_id, port.admin_state_up)
    down = "" if port.admin_state_up else " (port down)"
    server = topology.servers.get(port.device_id)
    if server is None:
        words = f"device {short_id(port.device_id)}" if port.device_id else "nothing (no device)"
        return base, frozenset({port.id}), words + down
    return ((*base, "server", server.id, server.status), frozenset({port.id, server.id}),
            f"server {display_name(server)}{down}")


def of_load_balancer(topology: Topology, lb: LoadBalancer, listener: Listener | None
                     ) -> tuple[tuple[Hashable, ...], frozenset[str], str]:
    """(facts, ids, words such as `ROUND_ROBIN over server1, server2`): the listener, its pool's algorithm
    and each member's address, server, admin state, weight and health. Provisioning states are left out:
    PENDING_UPDATE comes and goes with every change and says nothing of where traffic goes."""
    facts: list[Hashable] = ["load_balancer", lb.id, lb.admin_state_up]
    ids = {lb.id}
    if listener is None:
        return tuple(facts), frozenset(ids), "no listener"
    facts += ["listener", listener.id, listener.admin_state_up, listener.default_pool_id]
    ids.add(listener.id)
    pool = topology.pools.get(listener.default_pool_id or "")
    if pool is None:
        return tuple(facts), frozenset(ids), "no pool"
    facts += ["pool", pool.id, pool.lb_algorithm, pool.admin_state_up, pool.session_persistence]
    ids.add(pool.id)
    serving = []
    for member in sorted(topology.members_of_pool(pool.id), key=lambda m: m.id):
        server = topology.server_of_address(member.address, member.subnet_id)
        facts.append((member.id, member.address, member.protocol_port, member.weight, member.admin_state_up,
                      member.backup, member.operating_status, server.id if server else None))
        ids.add(member.id)
        if server is not None:
            ids.add(server.id)
        if member.admin_state_up and (member.weight is None or member.weight > 0) \
                and member.operating_status not in ("ERROR", "OFFLINE"):
            serving.append(display_name(server) if server else visible(member.label))
    over = ", ".join(sorted(serving)) if serving else "no member serving"
    return tuple(facts), frozenset(ids), f"{visible(pool.lb_algorithm or '?')} over {over}"


def reread(cloud: CloudWrites, topology: Topology, touched: Iterable[tuple[str, str]]) -> Topology | None:
    """`topology` with the objects an action touched read afresh, one request each (floating IPs, ports,
    pools, members, servers): what the probe follows at once, while the full refresh after the action is still on
    its way. None if a read failed (the refresh will tell)."""
    objects: list[Resource] = []
    try:
        touched = list(touched)
        # where the embedded cloud serves an address is its endpoint list's to say (an address served a moment
        # after the API said done), read afresh too when a floating IP or a port was touched
        served = cloud.served_endpoints() if any(k in ("floating_ip", "port") for k, _ in touched) else {}
        for kind, resource_id in touched:
            if kind in ("floating_ip", "port"):
                field = "floating_ips" if kind == "floating_ip" else "ports"
                fresh = cloud.get_floating_ip(resource_id) if kind == "floating_ip" else cloud.get_port(resource_id)
                objects.append(replace(fresh, endpoint=served.get((field, resource_id))))
            elif kind == "pool":
                objects.append(cloud.get_pool(resource_id))
            elif kind == "member" and resource_id in topology.members:
                objects.append(cloud.get_member(topology.members[resource_id].pool_id, resource_id)[0])
            elif kind == "server":
                objects.append(cloud.get_server(resource_id))
    except NetdashError:
        return None
    return topology.with_objects(objects, time.time())


class Follower:
    """Keeps one URL's `Reach` across refreshes; says when it changed (the probe then reconnects)."""

    def __init__(self, url: str, topology: Topology) -> None:
        self.url = url
        self.reach = reach_of(topology, url)

    def update(self, topology: Topology) -> Reach | None:
        """The new reach when the signature changed, else None (the words are kept up to date either way)."""
        new = reach_of(topology, self.url)
        changed = new.facts != self.reach.facts
        self.reach = new
        return new if changed else None

    def touched_by(self, ids: Iterable[str]) -> bool:
        """Whether an action that changed these objects may have changed what the URL reaches."""
        return not self.reach.ids.isdisjoint(ids)


def running(server: Server | None) -> bool:
    """Whether a server can answer: ACTIVE (or not known to the topology, or with no status read: assumed)."""
    return server is None or server.status in (None, "ACTIVE")


#: algorithms that spread a client's requests over the members by weight (a new connection per request for
#: SOURCE_IP_PORT: each comes from another source port)
SPREAD = ("ROUND_ROBIN", "LEAST_CONNECTIONS")


def expected_of(topology: Topology, reach: Reach, new_connection: bool, *, health: bool = True) -> Expected | None:
    """The shares the probe should see, from the pool on the address's way (its algorithm, its members'
    weights, admin states and health, backups only when no other member serves; a member on a server that
    is not running answers nothing, whatever its health says until the monitor notices), or the one server
    a port reaches; no answer at all for an address with nothing behind it; None when the topology does not
    explain the address. `health=False`: as if every member were healthy (a monitor's verdict lags what
    the members do, both ways: a member just started answers before its monitor says ONLINE)."""
    pool = next((topology.pools[i] for i in reach.ids if i in topology.pools), None)  # a few ids, not every pool
    if pool is None:
        servers = [topology.servers[i] for i in reach.ids if i in topology.servers]
        if reach.empty:
            return Expected(rule="nothing behind the address, or its port down: no answer")
        if len(servers) == 1:
            name = display_name(servers[0])
            if not running(servers[0]):
                return Expected(rule=f"server {name} is {servers[0].status}: no answer")
            return Expected(((name, 1.0),), rule="one server")
        return None
    members = [m for m in topology.members_of_pool(pool.id) if m.admin_state_up and (m.weight or 0) > 0
               and (not health or m.operating_status not in ("ERROR", "OFFLINE"))
               and running(topology.server_of_address(m.address, m.subnet_id))]
    serving = [m for m in members if not m.backup] or members
    if not serving:
        return Expected(rule=f"{pool.lb_algorithm or '?'}: no member can serve (all down, drained or failing)")
    algorithm = pool.lb_algorithm or "?"
    if algorithm == "SOURCE_IP" or (algorithm == "SOURCE_IP_PORT" and not new_connection):
        return Expected(pinned=True, rule=f"{algorithm}: one backend for every request of this client")
    weights: dict[str, float] = {}
    for member in serving:
        server = topology.server_of_address(member.address, member.subnet_id)
        name = display_name(server) if server else visible(member.label)
        weights[name] = weights.get(name, 0.0) + float(member.weight or 0)
    total = sum(weights.values())
    ratio = ":".join(f"{w:g}" for w in weights.values())
    return Expected(tuple((name, w / total) for name, w in sorted(weights.items())),
                    rule=f"{algorithm} by weight {ratio}" if len(weights) > 1 else algorithm)
