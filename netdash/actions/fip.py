"""Floating IP actions: move (re-associate), associate, disassociate, allocate.

Moving is one update of `port_id` (document 000 "Reassign Floating IP" does it in one `openstack floating
ip set --port`): the address is never unassigned in between, so clients see one switch, not an outage.
Only ports that can take the address are accepted, by Neutron's rule (`Topology.floating_ip_targets`: a
fixed IP on a subnet behind a router whose gateway is on the floating IP's network); a server stands for
its first such port, a load balancer for its VIP port.
"""

from __future__ import annotations

from typing import Any

from netdash.cloud.model import FloatingIP, LoadBalancer, Port, Topology

from . import resolve
from .base import Plan, Progress, Refused, SingleChange


def port_label(topology: Topology, port: Port | None) -> str:
    """`server-1-port (server1)`: the port and what it belongs to, as a user knows them."""
    if port is None:
        return "nothing"
    name = port.name or port.id[:8]
    owner = topology.owner_of_port(port)
    address = port.addresses[0] if port.addresses else ""
    where = f" {address}" if address else ""
    return f"port {name}{where} ({owner.name or owner.id[:8]})" if owner else f"port {name}{where}"


def network_name(topology: Topology, network_id: str) -> str:
    net = topology.networks.get(network_id)
    return (net.name or network_id[:8]) if net else network_id[:8]


def target_port(topology: Topology, fip: FloatingIP, ref: str) -> Port:
    """The port a target reference stands for, checked against what this floating IP can reach."""
    targets = {p.id: p for p in topology.floating_ip_targets(fip)}
    external = network_name(topology, fip.floating_network_id)
    for finder in (resolve.port, resolve.server, resolve.load_balancer):
        try:
            found = finder(topology, ref)
        except Refused as exc:
            if "give the id" in exc.message:
                raise
            continue
        if isinstance(found, Port):
            if found.id == fip.port_id:
                raise Refused(f"{fip.floating_ip_address} is already on {port_label(topology, found)}")
            if found.id not in targets:
                net = network_name(topology, found.network_id)
                raise Refused(f"{port_label(topology, found)} on network {net} cannot take a floating IP of "
                              f"{external}: no router with a gateway on {external} has an interface on its subnet")
            return found
        if isinstance(found, LoadBalancer):  # its VIP port
            vip = found.vip_port_id
            if vip and vip == fip.port_id:
                raise Refused(f"{fip.floating_ip_address} is already on load balancer {found.name}")
            if not vip or vip not in targets:
                raise Refused(f"load balancer {found.name}'s VIP is not on a subnet routed to {external}")
            return targets[vip]
        ports = [p for p in topology.ports_of_device(found.id) if p.id in targets]
        if not ports:
            if any(p.id == fip.port_id for p in topology.ports_of_device(found.id)):
                raise Refused(f"{fip.floating_ip_address} is already on server {found.name}")
            raise Refused(f"server {found.name} has no port on a subnet routed to {external} "
                          "(a router with a gateway there and an interface on the port's subnet)")
        return ports[0]
    raise Refused(f"no port, server or load balancer {ref!r}")


class FloatingIPChange(SingleChange):
    """Set a floating IP's `port_id` (a port, or None) in one update."""

    def __init__(self, fip: str) -> None:
        super().__init__()
        self.fip_ref = fip
        self.fip_id = ""
        self.address = fip
        self.before: str | None = None
        self.port_id: str | None = None

    def change(self, client: Any, progress: Progress) -> None:
        client.update_floating_ip(self.fip_id, self.port_id)

    def settled(self, client: Any) -> bool:
        fip = client.get_floating_ip(self.fip_id)
        return fip.port_id == self.port_id and (fip.status == ("ACTIVE" if self.port_id else "DOWN")
                                                or fip.status is None)

    def verify(self, client: Any) -> str | None:
        fip = client.get_floating_ip(self.fip_id)
        if fip.port_id != self.port_id:
            return f"{self.address} is on port {fip.port_id or 'none'}, not {self.port_id or 'none'}"
        return None

    def unchanged(self, client: Any) -> bool:
        return client.get_floating_ip(self.fip_id).port_id == self.before

    def state(self, client: Any) -> str:
        return f"{self.address} is on port {client.get_floating_ip(self.fip_id).port_id or 'none'}"


class MoveFloatingIP(FloatingIPChange):
    name = "move floating IP"

    def __init__(self, fip: str, target: str) -> None:
        super().__init__(fip)
        self.target_ref = target

    def describe(self) -> str:
        return f"move floating IP {self.fip_ref} to {self.target_ref}"

    def _plan(self, topology: Topology) -> Plan:
        fip = resolve.floating_ip(topology, self.fip_ref)
        self.fip_id, self.address, self.before = fip.id, fip.floating_ip_address, fip.port_id
        target = target_port(topology, fip, self.target_ref)
        self.port_id = target.id
        current = port_label(topology, topology.ports.get(fip.port_id or ""))
        return Plan(title=f"move floating IP {fip.floating_ip_address} from {current} to "
                          f"{port_label(topology, target)}",
                    steps=(f"update {fip.floating_ip_address} port_id -> {target.id} (one request, no gap)",
                           "wait until Neutron reports it on the new port, ACTIVE"))


class AssociateFloatingIP(MoveFloatingIP):
    name = "associate floating IP"

    def describe(self) -> str:
        return f"associate floating IP {self.fip_ref} with {self.target_ref}"

    def _plan(self, topology: Topology) -> Plan:
        fip = resolve.floating_ip(topology, self.fip_ref)
        if fip.port_id:
            raise Refused(f"{fip.floating_ip_address} is already on "
                          f"{port_label(topology, topology.ports.get(fip.port_id))}: use move")
        plan = super()._plan(topology)
        return Plan(title=plan.title.replace("move", "associate", 1).replace(" from nothing", ""),
                    steps=plan.steps)


class DisassociateFloatingIP(FloatingIPChange):
    name = "disassociate floating IP"

    def describe(self) -> str:
        return f"disassociate floating IP {self.fip_ref}"

    def _plan(self, topology: Topology) -> Plan:
        fip = resolve.floating_ip(topology, self.fip_ref)
        if not fip.port_id:
            raise Refused(f"{fip.floating_ip_address} is not associated")
        self.fip_id, self.address, self.before, self.port_id = fip.id, fip.floating_ip_address, fip.port_id, None
        return Plan(title=f"disassociate floating IP {fip.floating_ip_address} from "
                          f"{port_label(topology, topology.ports.get(fip.port_id))}",
                    steps=(f"update {fip.floating_ip_address} port_id -> null", "wait until Neutron reports it DOWN"))


class AllocateFloatingIP(SingleChange):
    """A new floating IP from an external network (default `public`), optionally on a target at once."""

    name = "allocate floating IP"

    def __init__(self, network: str = "public", target: str | None = None) -> None:
        super().__init__()
        self.network_ref = network
        self.target_ref = target
        self.network_id = ""
        self.port_id: str | None = None
        self.created: FloatingIP | None = None

    def describe(self) -> str:
        return f"allocate a floating IP from {self.network_ref}"

    def _plan(self, topology: Topology) -> Plan:
        self.network_id = resolve.network(topology, self.network_ref)
        net = topology.networks[self.network_id]
        if not net.external:
            raise Refused(f"network {net.name or net.id} is not external: floating IPs come from an external network")
        where = ""
        if self.target_ref:
            target = target_port(topology, FloatingIP(id="", floating_network_id=net.id), self.target_ref)
            self.port_id = target.id
            where = f" on {port_label(topology, target)}"
        return Plan(title=f"allocate a floating IP from {net.name or net.id}{where}",
                    steps=(f"create a floating IP on {net.name or net.id}{where}",
                           "wait until Neutron reports it " + ("ACTIVE" if self.port_id else "DOWN")))

    def change(self, client: Any, progress: Progress) -> None:
        self.created = client.create_floating_ip(self.network_id, self.port_id)
        progress(f"allocated {self.created.floating_ip_address}")

    def settled(self, client: Any) -> bool:
        assert self.created is not None
        fip = client.get_floating_ip(self.created.id)
        return fip.status in (None, "ACTIVE" if self.port_id else "DOWN")

    def verify(self, client: Any) -> str | None:
        if self.created is None:
            return "no floating IP was created"
        fip = client.get_floating_ip(self.created.id)
        if fip.port_id != self.port_id:
            return f"{fip.floating_ip_address} is on port {fip.port_id or 'none'}, not {self.port_id or 'none'}"
        return None

    def unchanged(self, client: Any) -> bool:
        return self.created is None

    def done_text(self, plan: Plan) -> str:
        address = self.created.floating_ip_address if self.created else "?"
        return f"allocated floating IP {address}" + (f" on port {self.port_id}" if self.port_id else "")
