"""Swap ports between two servers (document 000 "Port Migration"), undone step by step if any step fails.

Steps: detach A's port, detach B's port, attach A's port to B, attach B's port to A, then optionally reboot
both. Each step waits until it has taken effect in both services: Neutron's port (device_id, status) and
Nova's interface list. A real Nova detaches asynchronously (202), and attaching a port that still shows
its old device_id answers 409 "still in use", so "accepted" is never taken for "done".

On a failure the steps already done (and the failed one, when a re-read shows it took effect anyway) are
undone in reverse order, then the original attachment is read back. If an undo fails too, the report says
where each port is: nothing is left silently detached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from netdash.cloud.api import CloudWrites
from netdash.cloud.errors import NetdashError
from netdash.cloud.model import Port, Resource, Server, Topology

from . import resolve
from .base import (
    DONE,
    FAILED,
    REFUSED,
    ROLLED_BACK,
    Action,
    Args,
    Choice,
    Param,
    Pick,
    Plan,
    Progress,
    Refused,
    Result,
    is_refusal,
    wait_until,
)
from .fip import port_label

#: Nova attaches and detaches interfaces only in these states
INTERFACE_STATES = ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED")


@dataclass(frozen=True)
class Step:
    verb: str  # "detach" | "attach" | "reboot"
    server_id: str
    port_id: str
    text: str

    def inverse(self, names: dict[str, str]) -> Step:
        verb = "attach" if self.verb == "detach" else "detach"
        word = "to" if verb == "attach" else "from"
        return Step(verb, self.server_id, self.port_id,
                    f"{verb} {names[self.port_id]} {word} {names[self.server_id]}")


def selected_server(kind: str, obj: Resource | None) -> str | None:
    return obj.id if isinstance(obj, Server) else None


def ask_peer(topology: Topology, args: Args) -> Pick | str | None:
    a = topology.servers.get(str(args.get("server_a")))
    if a is None:
        return None
    return Pick(f"Swap a port of {a.name} with a port of",
                tuple(Choice(s.id, s.name or s.id, bool(topology.ports_of_device(s.id)))
                      for s in topology.servers.values() if s.id != a.id))


def ask_port(server_param: str) -> Callable[[Topology, Args], Pick | str | None]:
    """Which port of the server picked for `server_param`: asked only when it has several."""

    def ask(topology: Topology, args: Args) -> Pick | str | None:
        server = topology.servers.get(str(args.get(server_param)))
        if server is None:
            return None
        own = topology.ports_of_device(server.id)
        if len(own) == 1:
            return own[0].id
        return Pick(f"Which port of {server.name}", tuple(Choice(p.id, port_label(topology, p)) for p in own))

    return ask


def interface_state_refusal(server: Server) -> str | None:
    if server.status in INTERFACE_STATES and not server.task_state:
        return None
    return (f"server {server.name} is {server.status}" + (f" ({server.task_state})" if server.task_state else "")
            + ": Nova moves interfaces only when it is ACTIVE or SHUTOFF")


class SwapPorts(Action):
    id = "swap_ports"
    name = "swap ports"
    key = "w"
    label = "Swap ports"
    tooltip = "Swap one port of this server with one of another server (undone step by step if a step fails)"
    kinds = ("server",)
    command = ("ports", "swap")
    help = "swap one port of SERVER_A with one port of SERVER_B"
    params = (
        Param("server_a", "SERVER_A", "the first server (name or id)", selected=selected_server),
        Param("server_b", "SERVER_B", "the second server (name or id)", ask=ask_peer),
        Param("port_a", "PORT", "the port of SERVER_A (default: its only, or only named, port)", option="--port-a",
              ask=ask_port("server_a")),
        Param("port_b", "PORT", "the port of SERVER_B (default: its only, or only named, port)", option="--port-b",
              ask=ask_port("server_b")),
        Param("reboot", "", "reboot both servers after the swap", option="--reboot", flag=True, default=False),
    )
    #: Nova's detach can take a while on a real cloud (the guest has to release the device)
    timeout = 120.0

    @classmethod
    def refusal(cls, obj: Resource | None, topology: Topology) -> str | None:
        assert isinstance(obj, Server)
        if not topology.ports_of_device(obj.id):
            return f"server {obj.name} has no port to swap"
        if not any(s.id != obj.id and topology.ports_of_device(s.id) for s in topology.servers.values()):
            return "no other server has a port to swap with"
        return interface_state_refusal(obj)

    def __init__(self, server_a: str, server_b: str, port_a: str | None = None, port_b: str | None = None,
                 reboot: bool = False) -> None:
        super().__init__()
        self.refs = (server_a, server_b, port_a, port_b)
        self.reboot = reboot
        self.servers: tuple[str, str] = ("", "")
        self.ports: tuple[str, str] = ("", "")
        self.names: dict[str, str] = {}
        self.steps: list[Step] = []

    def describe(self) -> str:
        return f"swap ports between {self.refs[0]} and {self.refs[1]}"

    # --- plan -----------------------------------------------------------------------------------
    def _pick(self, topology: Topology, server: Server, ref: str | None, option: str) -> Port:
        ports = topology.ports_of_device(server.id)
        if ref is not None:
            port = resolve.port(topology, ref)
            if port.device_id != server.id:
                raise Refused(f"port {port.name or port.id} is not attached to server {server.name}")
            return port
        if not ports:
            raise Refused(f"server {server.name} has no port to swap")
        if len(ports) == 1:
            return ports[0]
        named = [p for p in ports if p.name]
        if len(named) == 1:  # Nova's own ports are unnamed (and deleted by Nova when detached)
            return named[0]
        listed = ", ".join(p.name or p.id for p in ports)
        raise Refused(f"server {server.name} has {len(ports)} ports ({listed}): choose one with {option}")

    def touched(self) -> tuple[tuple[str, str], ...]:
        return (*(("server", s) for s in self.servers), *(("port", p) for p in self.ports))

    def _plan(self, topology: Topology, cloud: CloudWrites) -> Plan:
        a = resolve.server(topology, self.refs[0])
        self.check("server", a, topology)
        b = resolve.server(topology, self.refs[1])
        if a.id == b.id:
            raise Refused("the two servers are the same server")
        reason = interface_state_refusal(b)
        if reason is not None:
            raise Refused(reason)
        pa = self._pick(topology, a, self.refs[2], "--port-a")
        pb = self._pick(topology, b, self.refs[3], "--port-b")
        self.servers, self.ports = (a.id, b.id), (pa.id, pb.id)
        self.names = {a.id: f"server {a.name or a.id}", b.id: f"server {b.name or b.id}",
                      pa.id: f"port {pa.name or pa.id}", pb.id: f"port {pb.name or pb.id}"}
        n = self.names
        self.steps = [Step("detach", a.id, pa.id, f"detach {n[pa.id]} from {n[a.id]}"),
                      Step("detach", b.id, pb.id, f"detach {n[pb.id]} from {n[b.id]}"),
                      Step("attach", b.id, pa.id, f"attach {n[pa.id]} to {n[b.id]}"),
                      Step("attach", a.id, pb.id, f"attach {n[pb.id]} to {n[a.id]}")]
        if self.reboot:
            self.steps += [Step("reboot", a.id, "", f"reboot {n[a.id]}"), Step("reboot", b.id, "", f"reboot {n[b.id]}")]
        notes = tuple(f"note: {n[p.id]} has no name: if Nova created it, Nova deletes it when it is detached"
                      for p in (pa, pb) if not p.name)
        return Plan(title=f"swap {n[pa.id]} ({n[a.id]}) with {n[pb.id]} ({n[b.id]})",
                    steps=tuple(s.text for s in self.steps), notes=notes)

    # --- one step -------------------------------------------------------------------------------
    def _attached(self, cloud: CloudWrites, server_id: str, port_id: str) -> bool:
        port = cloud.get_port(port_id)
        return (port.device_id == server_id and (port.status == "ACTIVE" or not port.admin_state_up)
                and port_id in cloud.server_interfaces(server_id))

    def _detached(self, cloud: CloudWrites, server_id: str, port_id: str) -> bool:
        return cloud.get_port(port_id).device_id != server_id and port_id not in cloud.server_interfaces(server_id)

    def _run(self, cloud: CloudWrites, step: Step) -> None:
        if step.verb == "detach":
            cloud.detach_port(step.server_id, step.port_id)
            wait_until(lambda: self._detached(cloud, step.server_id, step.port_id), self.timeout, step.text)
        elif step.verb == "attach":
            cloud.attach_port(step.server_id, step.port_id)
            wait_until(lambda: self._attached(cloud, step.server_id, step.port_id), self.timeout, step.text)
        else:
            cloud.server_action(step.server_id, "reboot")
            wait_until(lambda: self._rebooted(cloud, step.server_id), self.timeout, step.text)

    def _rebooted(self, cloud: CloudWrites, server_id: str) -> bool:
        server = cloud.get_server(server_id)
        return server.status == "ACTIVE" and not server.task_state

    def _took_effect(self, cloud: CloudWrites, step: Step) -> bool:
        """After a failed step: did it happen anyway (a timeout after an accepted request, say)?"""
        if step.verb == "reboot":
            return False
        device = cloud.get_port(step.port_id).device_id
        return device != step.server_id if step.verb == "detach" else device == step.server_id

    # --- the whole action -------------------------------------------------------------------------
    def execute(self, cloud: CloudWrites, plan: Plan, progress: Progress) -> Result:
        if plan.refusal is not None:
            return Result(REFUSED, plan.refusal)
        done: list[Step] = []
        lines: list[str] = []
        total = len(self.steps)
        for number, step in enumerate(self.steps, 1):
            progress(f"[{number}/{total}] {step.text}")
            try:
                self._run(cloud, step)
            except NetdashError as exc:
                lines.append(f"step {number}/{total} failed: {step.text}: {exc.message}")
                try:
                    if self._took_effect(cloud, step):
                        done.append(step)
                except NetdashError:
                    done.append(step)  # unknown: undoing a step that did not happen fails harmlessly
                if not done and is_refusal(exc):
                    return Result(REFUSED, f"the cloud refused: {step.text}: {exc.message}", tuple(lines), step.text)
                return self._roll_back(cloud, done, lines, progress, step.text)
            done.append(step)
            lines.append(f"step {number}/{total} done: {step.text}")
        try:
            problem = self.verify(cloud)
        except NetdashError as exc:
            problem = exc.message
        if problem is None:
            lines.append("verified: " + self._where(cloud))
            return Result(DONE, f"done: {plan.title}", tuple(lines))
        lines.append(f"not verified: {problem}")
        return self._roll_back(cloud, done, lines, progress, "verify")

    def _roll_back(self, cloud: CloudWrites, done: list[Step], lines: list[str], progress: Progress,
                   failed: str) -> Result:
        undo_failed = False
        for step in reversed(done):
            if step.verb == "reboot":
                continue
            undo = step.inverse(self.names)
            progress(f"undo: {undo.text}")
            try:
                self._run(cloud, undo)
                lines.append(f"undone: {undo.text}")
            except NetdashError as exc:
                undo_failed = True
                lines.append(f"undo failed: {undo.text}: {exc.message}")
        try:
            restored = all(self._attached(cloud, s, p) for s, p in zip(self.servers, self.ports, strict=True))
            where = self._where(cloud)
        except NetdashError as exc:
            restored, where = False, f"where the ports are is unknown: {exc.message}"
        if restored and not undo_failed:
            lines.append(f"original attachment verified: {where}")
            return Result(ROLLED_BACK, f"failed at: {failed}; rolled back, original attachment restored",
                          tuple(lines), failed)
        lines.append(f"NOT restored: {where}")
        return Result(FAILED, f"failed at: {failed}; roll-back incomplete: {where}", tuple(lines), failed)

    def _where(self, cloud: CloudWrites) -> str:
        parts = []
        for port_id in self.ports:
            device = cloud.get_port(port_id).device_id
            owner = self.names.get(device, f"device {device}") if device else "detached (no server)"
            parts.append(f"{self.names[port_id]} on {owner}")
        return "; ".join(parts)

    def verify(self, cloud: CloudWrites) -> str | None:
        (a, b), (pa, pb) = self.servers, self.ports
        wrong = [f"{self.names[p]} is not on {self.names[s]}"
                 for s, p in ((b, pa), (a, pb)) if not self._attached(cloud, s, p)]
        return "; ".join(wrong) or None
