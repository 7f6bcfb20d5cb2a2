"""Floating IP actions: move (re-associate), associate, disassociate, allocate.

Moving is one update of `port_id` (document 000 "Reassign Floating IP" does it in one `openstack floating
ip set --port`): the address is never unassigned in between, so clients see one switch, not an outage.
Only ports that can take the address are accepted, by Neutron's rules (`Topology.floating_ip_targets`: a
fixed IP on a subnet behind a router whose gateway is on the floating IP's network, and no other floating
IP of that network on the port already); a server stands for its first such port, a load balancer for its
VIP port. Refused here, a doomed change is never planned, shown in a picker as choosable, or sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from netdash.cloud.api import CloudWrites
from netdash.cloud.model import FloatingIP, LoadBalancer, Network, Port, Resource, Topology
from netdash.cloud.naming import name_of, port_text

from . import resolve
from .base import Action, Args, Choice, Param, Pick, Plan, Progress, Refused, SingleChange


def target_port(topology: Topology, fip: FloatingIP, ref: str) -> Port:
    """The port a target reference stands for, checked against what this floating IP can reach."""
    targets = {p.id: p for p in topology.floating_ip_targets(fip)}
    external = name_of(topology, fip.floating_network_id)
    for finder in (resolve.port, resolve.server, resolve.load_balancer):
        try:
            found = finder(topology, ref)
        except resolve.Ambiguous:
            raise
        except Refused:  # not a port (say): perhaps a server or a load balancer
            continue
        if isinstance(found, Port):
            if found.id == fip.port_id:
                raise Refused(f"{fip.floating_ip_address} is already on {port_text(topology, found)}")
            if (taken := held(topology, fip, found)) is not None:
                raise Refused(taken)
            if found.id not in targets:
                net = name_of(topology, found.network_id)
                raise Refused(f"{port_text(topology, found)} on network {net} cannot take a floating IP of "
                              f"{external}: no router with a gateway on {external} has an interface on its subnet")
            return found
        if isinstance(found, LoadBalancer):  # its VIP port
            vip = found.vip_port_id
            if vip and vip == fip.port_id:
                raise Refused(f"{fip.floating_ip_address} is already on load balancer {found.name}")
            if vip and vip in topology.ports and (taken := held(topology, fip, topology.ports[vip])) is not None:
                raise Refused(taken)
            if not vip or vip not in targets:
                raise Refused(f"load balancer {found.name}'s VIP is not on a subnet routed to {external}")
            return targets[vip]
        ports = [p for p in topology.ports_of_device(found.id) if p.id in targets]
        if not ports:
            if any(p.id == fip.port_id for p in topology.ports_of_device(found.id)):
                raise Refused(f"{fip.floating_ip_address} is already on server {found.name}")
            for port in topology.ports_of_device(found.id):
                if (taken := held(topology, fip, port)) is not None:
                    raise Refused(taken)
            raise Refused(f"server {found.name} has no port on a subnet routed to {external} "
                          "(a router with a gateway there and an interface on the port's subnet)")
        return ports[0]
    raise Refused(f"no port, server or load balancer {ref!r}")


def held(topology: Topology, fip: FloatingIP, port: Port) -> str | None:
    """Why `port` cannot take `fip`: it holds another floating IP of the same network (Neutron's 409)."""
    other = topology.floating_ip_holder(fip, port.id)
    if other is None:
        return None
    return (f"{port_text(topology, port)} already has floating IP {other.floating_ip_address}: "
            "move or disassociate that one first")


def selected_fip(kind: str, obj: Resource | None) -> str | None:
    return obj.id if isinstance(obj, FloatingIP) else None


def ask_target(verb: str) -> Callable[[Topology, Args], Pick | str | None]:
    """The picker of a floating IP's new port: the ports that can take it (Neutron's rule), then, greyed with
    the reason, those routed to it that hold another floating IP of its network."""

    def ask(topology: Topology, args: Args) -> Pick | str | None:
        fip = topology.floating_ips.get(str(args.get("fip")))
        if fip is None:
            return None
        routed = topology.floating_ip_routed(fip)
        taken = {p.id: reason for p in routed if (reason := held(topology, fip, p)) is not None}
        free = [Choice(p.id, port_text(topology, p)) for p in routed if p.id not in taken]
        return Pick(f"{verb} {fip.floating_ip_address} to",
                    (*free, *(Choice(port_id, reason, enabled=False) for port_id, reason in taken.items())))

    return ask


FIP_PARAM = Param("fip", "FIP", "floating IP address or id", selected=selected_fip)


def unreachable(topology: Topology, fip: FloatingIP) -> str | None:
    if topology.floating_ip_targets(fip):
        return None
    external = name_of(topology, fip.floating_network_id)
    if topology.floating_ip_routed(fip):
        return (f"no port here can take {fip.floating_ip_address}: each one routed to {external} "
                "holds one of its floating IPs")
    return f"no port here can take {fip.floating_ip_address}: none is on a subnet routed to {external}"


class FloatingIPChange(SingleChange):
    """Set a floating IP's `port_id` (a port, or None) in one update."""

    kinds = ("floating_ip",)

    def __init__(self, fip: str) -> None:
        super().__init__()
        self.fip_ref = fip
        self.fip_id = ""
        self.address = fip
        self.before: str | None = None
        self.port_id: str | None = None

    def touched(self) -> tuple[tuple[str, str], ...]:
        ports = dict.fromkeys(p for p in (self.port_id, self.before) if p)
        return (("floating_ip", self.fip_id), *(("port", p) for p in ports))

    def change(self, cloud: CloudWrites, progress: Progress) -> None:
        cloud.update_floating_ip(self.fip_id, self.port_id)

    def settled(self, cloud: CloudWrites) -> bool:
        fip = cloud.get_floating_ip(self.fip_id)
        return fip.port_id == self.port_id and (fip.status == ("ACTIVE" if self.port_id else "DOWN")
                                                or fip.status is None)

    def verify(self, cloud: CloudWrites) -> str | None:
        fip = cloud.get_floating_ip(self.fip_id)
        if fip.port_id != self.port_id:
            return f"{self.address} is on port {fip.port_id or 'none'}, not {self.port_id or 'none'}"
        return None

    def unchanged(self, cloud: CloudWrites) -> bool:
        return cloud.get_floating_ip(self.fip_id).port_id == self.before

    def revert(self, cloud: CloudWrites) -> None:
        cloud.update_floating_ip(self.fip_id, self.before)

    def state(self, cloud: CloudWrites) -> str:
        return f"{self.address} is on port {cloud.get_floating_ip(self.fip_id).port_id or 'none'}"


class FloatingIPToTarget(FloatingIPChange):
    """Put a floating IP on the port a target stands for, in one update (move and associate)."""

    #: the verb of the plan's title, and how the description joins the target to it
    verb: ClassVar[str] = ""
    joined_by: ClassVar[str] = "to"

    def __init__(self, fip: str, target: str) -> None:
        super().__init__(fip)
        self.target_ref = target

    def describe(self) -> str:
        return f"{self.verb} floating IP {self.fip_ref} {self.joined_by} {self.target_ref}"

    def _plan(self, topology: Topology, cloud: CloudWrites) -> Plan:
        """Resolve the floating IP and the target; the plan of one update of `port_id`."""
        fip = resolve.floating_ip(topology, self.fip_ref)
        self.check("floating_ip", fip, topology)
        self.fip_id, self.address, self.before = fip.id, fip.floating_ip_address, fip.port_id
        target = target_port(topology, fip, self.target_ref)
        self.port_id = target.id
        source = f" from {port_text(topology, topology.ports.get(fip.port_id))}" if fip.port_id else ""
        return Plan(title=f"{self.verb} floating IP {fip.floating_ip_address}{source} to {port_text(topology, target)}",
                    steps=(f"update {fip.floating_ip_address} port_id -> {target.id} (one request, no gap)",
                           "wait until Neutron reports it on the new port, ACTIVE"))


class MoveFloatingIP(FloatingIPToTarget):
    id = "move_fip"
    name = "move floating IP"
    verb = "move"
    key = "m"
    label = "Move FIP"
    tooltip = "Re-associate the floating IP with another server, port or load balancer (one update, no gap)"
    command = ("fip", "move")
    help = "re-associate a floating IP with another port, server or load balancer (one update)"
    params = (FIP_PARAM, Param("target", "TARGET", "port, server or load balancer (name or id)",
                               ask=ask_target("Move")))

    @classmethod
    def refusal(cls, obj: Resource | None, topology: Topology) -> str | None:
        assert isinstance(obj, FloatingIP)
        if not obj.port_id:
            return f"{obj.floating_ip_address} is not associated: use associate"
        return unreachable(topology, obj)

    def inverse(self) -> Action:
        assert self.before is not None  # a move starts from a port (`refusal`)
        return MoveFloatingIP(self.fip_id, self.before)



class AssociateFloatingIP(FloatingIPToTarget):
    id = "associate_fip"
    name = "associate floating IP"
    verb = "associate"
    joined_by = "with"
    key = "a"
    label = "Associate FIP"
    tooltip = "Associate the free floating IP with a server, port or load balancer"
    destructive = False
    command = ("fip", "associate")
    help = "associate a free floating IP with a port, server or load balancer"
    params = (FIP_PARAM, Param("target", "TARGET", "port, server or load balancer (name or id)",
                               ask=ask_target("Associate")))

    @classmethod
    def refusal(cls, obj: Resource | None, topology: Topology) -> str | None:
        assert isinstance(obj, FloatingIP)
        if obj.port_id:
            return (f"{obj.floating_ip_address} is already on "
                    f"{port_text(topology, topology.ports.get(obj.port_id))}: use move")
        return unreachable(topology, obj)

    def inverse(self) -> Action:
        return DisassociateFloatingIP(self.fip_id)



class DisassociateFloatingIP(FloatingIPChange):
    id = "disassociate_fip"
    name = "disassociate floating IP"
    key = "d"
    label = "Disassociate FIP"
    tooltip = "Take the floating IP off its port"
    command = ("fip", "disassociate")
    help = "take a floating IP off its port"
    params = (FIP_PARAM,)

    @classmethod
    def refusal(cls, obj: Resource | None, topology: Topology) -> str | None:
        assert isinstance(obj, FloatingIP)
        return None if obj.port_id else f"{obj.floating_ip_address} is not associated"

    def describe(self) -> str:
        return f"disassociate floating IP {self.fip_ref}"

    def inverse(self) -> Action:
        assert self.before is not None  # it was associated (`refusal`)
        return AssociateFloatingIP(self.fip_id, self.before)

    def _plan(self, topology: Topology, cloud: CloudWrites) -> Plan:
        fip = resolve.floating_ip(topology, self.fip_ref)
        self.check("floating_ip", fip, topology)
        self.fip_id, self.address, self.before, self.port_id = fip.id, fip.floating_ip_address, fip.port_id, None
        return Plan(title=f"disassociate floating IP {fip.floating_ip_address} from "
                          f"{port_text(topology, topology.ports.get(fip.port_id or ''))}",
                    steps=(f"update {fip.floating_ip_address} port_id -> null", "wait until Neutron reports it DOWN"))


def selected_network(kind: str, obj: Resource | None) -> str | None:
    return obj.id if isinstance(obj, Network) else None


def ask_network(topology: Topology, args: Args) -> Pick | str | None:
    """The external network, when the selection did not name one: asked only if there are several."""
    if args.get("network"):
        return None
    external = [n for n in topology.networks.values() if n.external]
    if len(external) == 1:
        return external[0].id
    return Pick("Allocate a floating IP from", tuple(Choice(n.id, n.name or n.id) for n in external))


class AllocateFloatingIP(SingleChange):
    """A new floating IP from an external network (default `public`), optionally on a target at once."""

    id = "allocate_fip"
    name = "allocate floating IP"
    key = "n"
    label = "New FIP"
    tooltip = "Allocate a floating IP from an external network"
    kinds = ("floating_ip", "network", "section:floating_ips")
    destructive = False
    command = ("fip", "create")
    help = "allocate a floating IP from an external network"
    params = (Param("network", "NETWORK", "external network (default public)", option="--network", default="public",
                    selected=selected_network, ask=ask_network),
              Param("target", "TARGET", "associate it at once with a port, server or load balancer",
                    option="--target"))

    @classmethod
    def refusal(cls, obj: Resource | None, topology: Topology) -> str | None:
        if isinstance(obj, Network):
            return None if obj.external else (f"network {obj.name or obj.id} is not external: floating IPs come "
                                              "from an external network")
        if not any(n.external for n in topology.networks.values()):
            return "no external network to allocate a floating IP from"
        return None

    def __init__(self, network: str = "public", target: str | None = None) -> None:
        super().__init__()
        self.network_ref = network
        self.target_ref = target
        self.network_id = ""
        self.port_id: str | None = None
        self.created: FloatingIP | None = None

    def describe(self) -> str:
        return f"allocate a floating IP from {self.network_ref}"

    def touched(self) -> tuple[tuple[str, str], ...]:
        return (("section", "floating_ips"),)

    def _plan(self, topology: Topology, cloud: CloudWrites) -> Plan:
        self.network_id = resolve.network(topology, self.network_ref)
        net = topology.networks[self.network_id]
        self.check("network", net, topology)
        where = ""
        if self.target_ref:
            target = target_port(topology, FloatingIP(id="", floating_network_id=net.id), self.target_ref)
            self.port_id = target.id
            where = f" on {port_text(topology, target)}"
        return Plan(title=f"allocate a floating IP from {net.name or net.id}{where}",
                    steps=(f"create a floating IP on {net.name or net.id}{where}",
                           "wait until Neutron reports it " + ("ACTIVE" if self.port_id else "DOWN")))

    def change(self, cloud: CloudWrites, progress: Progress) -> None:
        self.created = cloud.create_floating_ip(self.network_id, self.port_id)
        progress(f"allocated {self.created.floating_ip_address}")

    def settled(self, cloud: CloudWrites) -> bool:
        assert self.created is not None
        fip = cloud.get_floating_ip(self.created.id)
        return fip.status in (None, "ACTIVE" if self.port_id else "DOWN")

    def verify(self, cloud: CloudWrites) -> str | None:
        if self.created is None:
            return "no floating IP was created"
        fip = cloud.get_floating_ip(self.created.id)
        if fip.port_id != self.port_id:
            return f"{fip.floating_ip_address} is on port {fip.port_id or 'none'}, not {self.port_id or 'none'}"
        return None

    def unchanged(self, cloud: CloudWrites) -> bool:
        return self.created is None

    def inverse(self) -> Action:
        raise Refused("an allocation is not undone here: releasing the address gives it back to the pool for "
                      "good (`openstack floating ip delete` does it, knowingly)")

    def done_text(self, plan: Plan) -> str:
        address = self.created.floating_ip_address if self.created else "?"
        return f"allocated floating IP {address}" + (f" on port {self.port_id}" if self.port_id else "")
