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
from functools import partial
from typing import Any

from netdash.cloud.api import CloudWrites
from netdash.cloud.errors import NetdashError
from netdash.cloud.model import Port, Resource, Server, Topology
from netdash.cloud.naming import port_text

from . import resolve
from .base import (
    DONE,
    FAILED,
    REFUSED,
    ROLLED_BACK,
    Action,
    Args,
    Choice,
    Control,
    Param,
    Pick,
    Plan,
    Progress,
    Refused,
    Result,
    is_refusal,
    reading,
    wait_until,
)

#: Nova attaches and detaches interfaces only in these states
INTERFACE_STATES = ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED")


@dataclass(frozen=True)
class Step:
    verb: str  # "detach" | "attach" | "reboot"
    server_id: str
    port_id: str
    text: str


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
        return Pick(f"Which port of {server.name}", tuple(Choice(p.id, port_text(topology, p)) for p in own))

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
    stoppable = True

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

    def _device(self, cloud: CloudWrites, port_id: str) -> str:
        return cloud.get_port(port_id).device_id

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

    # --- the whole action -------------------------------------------------------------------------
    def journal_state(self) -> dict[str, Any]:
        return {"servers": list(self.servers), "ports": list(self.ports), "names": dict(self.names)}

    @classmethod
    def resume(cls, state: dict[str, Any]) -> SwapPorts:
        """The swap as planned, from its journal (`netdash recover`)."""
        servers, ports, names = state.get("servers"), state.get("ports"), state.get("names")
        if not (isinstance(servers, list) and len(servers) == 2 and isinstance(ports, list) and len(ports) == 2
                and isinstance(names, dict) and all(isinstance(x, str) for x in (*servers, *ports))):
            raise Refused("the journal does not say which servers and ports were swapped")
        swap = cls(servers[0], servers[1], ports[0], ports[1])
        swap.servers, swap.ports = (servers[0], servers[1]), (ports[0], ports[1])
        swap.names = {str(k): str(v) for k, v in names.items()}
        return swap

    def execute(self, cloud: CloudWrites, plan: Plan, progress: Progress, control: Control | None = None) -> Result:
        """The steps in order; on a failure, an interrupt or a failed verification, the roll-back. An
        interrupt lets the current step finish (a half-sent step is worse than either end) and then rolls
        back, unless every interface has moved already: then the swap is done (reboots are skipped)."""
        control = control or Control()
        if plan.refusal is not None:
            return Result(REFUSED, plan.refusal)
        lines: list[str] = []
        total = len(self.steps)
        for number, step in enumerate(self.steps, 1):
            if control.cancelled():
                if step.verb == "reboot":
                    lines.append(f"interrupted: the swap is complete; step {number}/{total} and later skipped")
                    break
                lines.append(f"interrupted before step {number}/{total}: rolling back")
                return self._roll_back(cloud, lines, progress, control, f"interrupted before step {number}/{total}")
            control.record("step", n=number, of=total, text=step.text, phase="sent")
            progress(f"[{number}/{total}] {step.text}")
            try:
                self._run(cloud, step)
            except NetdashError as exc:
                control.record("step", n=number, of=total, text=step.text, phase="failed")
                lines.append(f"step {number}/{total} failed: {step.text}: {exc.message}")
                if number == 1 and is_refusal(exc) and not self._may_have_taken_effect(cloud, step):
                    return Result(REFUSED, f"the cloud refused: {step.text}: {exc.message}", tuple(lines), step.text)
                return self._roll_back(cloud, lines, progress, control, step.text)
            control.record("step", n=number, of=total, text=step.text, phase="done")
            lines.append(f"step {number}/{total} done: {step.text}")
        try:
            problem = reading(lambda: self.verify(cloud))
        except NetdashError as exc:
            problem = exc.message
        if problem is None:
            lines.append("verified: " + self.where(cloud))
            return Result(DONE, f"done: {plan.title}", tuple(lines))
        lines.append(f"not verified: {problem}")
        return self._roll_back(cloud, lines, progress, control, "verify")

    def _may_have_taken_effect(self, cloud: CloudWrites, step: Step) -> bool:
        """After a refused first step: did it happen anyway? (Unknown counts as yes: roll back to be sure.)"""
        try:
            device = reading(lambda: cloud.get_port(step.port_id).device_id)
        except NetdashError:
            return True
        return device != step.server_id if step.verb == "detach" else device == step.server_id

    def _roll_back(self, cloud: CloudWrites, lines: list[str], progress: Progress, control: Control,
                   failed: str) -> Result:
        control.record("rollback")
        original = self._goal(swapped=False)
        self._converge(cloud, original, progress, lines, "undone")
        restored, where = self._check(cloud, original)
        if restored:
            lines.append(f"original attachment verified: {where}")
            return Result(ROLLED_BACK, f"failed at: {failed}; rolled back, original attachment restored",
                          tuple(lines), failed)
        lines.append(f"NOT restored: {where}")
        return Result(FAILED, f"failed at: {failed}; roll-back incomplete: {where}", tuple(lines), failed)

    # --- converging on an attachment: what roll-back and recovery do ----------------------------------
    def _converge(self, cloud: CloudWrites, goal: dict[str, str], progress: Progress, lines: list[str],
                  word: str) -> None:
        """Move each port to its goal server by reading where it is first, then acting: a port already in
        place is left alone, so this can run any number of times, from any half-done state. Ports on a
        server of this swap that is not their goal are detached first, then the missing ones attached."""
        for port_id, server_id in goal.items():
            try:
                device = reading(partial(self._device, cloud, port_id))
            except NetdashError as exc:
                lines.append(f"where {self.names[port_id]} is cannot be read: {exc.message}")
                continue
            if not device or device == server_id:
                continue
            if device not in self.servers:
                lines.append(f"{self.names[port_id]} is on device {device}, not a server of this swap: left there")
                continue
            self._undo(cloud, Step("detach", device, port_id, f"detach {self.names[port_id]} from "
                                                              f"{self.names[device]}"), progress, lines, word)
        for port_id, server_id in goal.items():
            try:
                if reading(partial(self._attached, cloud, server_id, port_id)):
                    continue
            except NetdashError as exc:
                lines.append(f"where {self.names[port_id]} is cannot be read: {exc.message}")
                continue
            self._undo(cloud, Step("attach", server_id, port_id, f"attach {self.names[port_id]} to "
                                                                 f"{self.names[server_id]}"), progress, lines, word)

    def _undo(self, cloud: CloudWrites, step: Step, progress: Progress, lines: list[str], word: str) -> None:
        progress(f"{'undo' if word == 'undone' else word}: {step.text}")
        try:
            self._run(cloud, step)
            lines.append(f"{word}: {step.text}")
        except NetdashError as exc:
            try:  # idempotent: a step whose end state holds anyway (409: the port never left) counts as done
                held = reading(lambda: self._attached(cloud, step.server_id, step.port_id) if step.verb == "attach"
                               else self._detached(cloud, step.server_id, step.port_id))
            except NetdashError:
                held = False
            lines.append(f"{word}: {step.text} (it already held)" if held
                         else f"{'undo' if word == 'undone' else word} failed: {step.text}: {exc.message}")

    def _check(self, cloud: CloudWrites, goal: dict[str, str]) -> tuple[bool, str]:
        """Whether every port is on its goal server, in both services' views, and where they are."""
        try:
            held = reading(lambda: all(self._attached(cloud, s, p) for p, s in goal.items()))
            return held, reading(lambda: self._where(cloud))
        except NetdashError as exc:
            return False, f"where the ports are is unknown: {exc.message}"

    def where(self, cloud: CloudWrites) -> str:
        """Where each port of the swap is now, or why that cannot be read (reports and `netdash recover`)."""
        try:
            return reading(lambda: self._where(cloud))
        except NetdashError as exc:
            return f"(where the ports are could not be read back: {exc.message})"

    def _where(self, cloud: CloudWrites) -> str:
        parts = []
        for port_id in self.ports:
            device = cloud.get_port(port_id).device_id
            owner = self.names.get(device, f"device {device}") if device else "detached (no server)"
            parts.append(f"{self.names[port_id]} on {owner}")
        return "; ".join(parts)

    def _goal(self, *, swapped: bool) -> dict[str, str]:
        """Port -> the server it should be on: the attachment before the swap, or after it."""
        (a, b), (pa, pb) = self.servers, self.ports
        return {pa: b, pb: a} if swapped else {pa: a, pb: b}

    def inverse(self) -> Action:
        """The same two ports swapped back (without reboots: an undo restores the attachment, nothing more)."""
        (a, b), (pa, pb) = self.servers, self.ports
        return SwapPorts(a, b, port_a=pb, port_b=pa)

    def recover(self, cloud: CloudWrites, complete: bool, progress: Progress) -> Result:
        """From whatever state the cloud is in now: back to the original attachment, or on to the swapped one."""
        goal = self._goal(swapped=complete)
        lines: list[str] = []
        self._converge(cloud, goal, progress, lines, "completed" if complete else "undone")
        held, where = self._check(cloud, goal)
        if not held:
            lines.append(f"NOT {'completed' if complete else 'restored'}: {where}")
            return Result(FAILED, f"recovery incomplete: {where}", tuple(lines))
        if complete:
            return Result(DONE, f"done: swap completed: {where}", tuple(lines))
        return Result(ROLLED_BACK, f"rolled back, original attachment restored: {where}", tuple(lines))

    def verify(self, cloud: CloudWrites) -> str | None:
        wrong = [f"{self.names[p]} is not on {self.names[s]}"
                 for p, s in self._goal(swapped=True).items() if not self._attached(cloud, s, p)]
        return "; ".join(wrong) or None
