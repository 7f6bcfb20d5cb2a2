"""The actions in the dashboard: from a key on the selected node to the verified state, never blocking.

`ActionFlow` is mixed into `NetdashApp`. A key (or the palette) starts a short UI flow in an async worker:
pickers for what the action needs (`PickScreen`), then the `ActionScreen` modal. The plan is made in a
thread worker (a member's plan reads the member) that posts `ActionPlanned`; once the user confirms, the
objects involved show "pending…" in the tree at once, and the action runs in a thread worker of the
`actions` group that only posts `ActionProgress` lines and, at the end, `ActionFinished`. The handlers put
the lines in the modal, the result and any roll-back in the event log, and ask for a refresh: the App holds
that snapshot back while the modal is open and applies it when it closes, showing the verified state.
"""

from __future__ import annotations

from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import work
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets.tree import TreeNode
from textual.worker import get_current_worker

from netdash import actions
from netdash.actions import FAILED, Action, Plan, Result
from netdash.actions.fip import port_label
from netdash.cloud.errors import NetdashError
from netdash.cloud.model import FloatingIP, Member, Network, Pool, Server, Topology
from netdash.tui.action_keys import ACTION_KEYS, external_networks, fits
from netdash.tui.action_screens import OUTCOME_SEVERITY, ActionScreen, PickScreen, outcome_line
from netdash.widgets.event_log import EventLog
from netdash.widgets.nodes import NodeData, resource_of
from netdash.widgets.topology_tree import TopologyTree

PENDING = Text("  pending…", style="bold yellow")


@dataclass
class ActionPlanned(Message):
    token: int
    plan: Plan


@dataclass
class ActionProgress(Message):
    token: int
    line: str


@dataclass
class ActionFinished(Message):
    token: int
    result: Result


@dataclass
class Running:
    """The action the modal is about, and the tree objects it touches ((kind, id); kind "section" too)."""

    token: int
    action: Action
    screen: ActionScreen
    touched: list[tuple[str, str]]
    plan: Plan | None = None
    pending: list[TreeNode[NodeData]] = field(default_factory=list)


class ActionFlow:
    """Action keys, flows and run state for the App (which provides the attributes annotated here)."""

    client: Any
    topology: Topology
    read_only: bool
    _flow_token: int = 0
    _flow: Running | None = None

    # --- what the selection allows --------------------------------------------------------------------
    def _tree(self) -> TopologyTree:
        return self.screen_stack[0].query_one(TopologyTree)  # type: ignore[attr-defined,no-any-return]

    def _selection(self) -> tuple[str, Any]:
        try:
            tree = self._tree()
        except (NoMatches, IndexError):
            return "", None
        selected = tree.selected
        if selected is None:  # a section's title ("section:floating_ips"), or nothing
            data = tree.cursor_node.data if tree.cursor_node is not None else None
            return (f"section:{data.id}" if data is not None and data.kind == "section" else ""), None
        return selected[0], resource_of(self.topology, *selected)

    @property
    def action_open(self) -> bool:
        """An action's modal is open (from its plan until it is closed): no other action starts meanwhile."""
        return self._flow is not None

    def fitting_actions(self) -> list[str]:
        """The actions that apply to the selected object now (none in --read-only or while one runs)."""
        if self.read_only or self._flow is not None:
            return []
        kind, resource = self._selection()
        return [k.action for k in ACTION_KEYS if fits(k.action, kind, resource, self.topology)]

    def _begin(self, action: str, flow: Coroutine[Any, Any, None]) -> None:
        if action not in self.fitting_actions():
            flow.close()
            reason = "read-only: actions are disabled" if self.read_only else "not for the selected object"
            self.notify(reason, title="No action", severity="warning")  # type: ignore[attr-defined]
            return
        self.run_worker(flow, group="action-flow", exit_on_error=False)  # type: ignore[attr-defined]

    async def _pick(self, title: str, choices: list[tuple[str, str, bool]]) -> str | None:
        return await self.push_screen_wait(PickScreen(title, choices))  # type: ignore[attr-defined,no-any-return]

    # --- the keys -------------------------------------------------------------------------------------
    def action_move_fip(self) -> None:
        self._begin("move_fip", self._fip_to_target(move=True))

    def action_associate_fip(self) -> None:
        self._begin("associate_fip", self._fip_to_target(move=False))

    def action_disassociate_fip(self) -> None:
        self._begin("disassociate_fip", self._disassociate())

    def action_allocate_fip(self) -> None:
        self._begin("allocate_fip", self._allocate())

    def action_swap_ports(self) -> None:
        self._begin("swap_ports", self._swap())

    def action_pool_algorithm(self) -> None:
        self._begin("pool_algorithm", self._algorithm())

    def action_member_enable(self) -> None:
        self._begin("member_enable", self._member("enable"))

    def action_member_disable(self) -> None:
        self._begin("member_disable", self._member("disable"))

    def action_member_drain(self) -> None:
        self._begin("member_drain", self._member("drain"))

    def action_server_stop(self) -> None:
        self._begin("server_stop", self._server("stop"))

    def action_server_start(self) -> None:
        self._begin("server_start", self._server("start"))

    def action_server_reboot(self) -> None:
        self._begin("server_reboot", self._server("reboot"))

    # --- the flows: pick what is needed, then plan --------------------------------------------------
    async def _fip_to_target(self, move: bool) -> None:
        topology = self.topology
        _, fip = self._selection()
        assert isinstance(fip, FloatingIP)
        choices = [(p.id, port_label(topology, p), True) for p in topology.floating_ip_targets(fip)]
        verb = "Move" if move else "Associate"
        target = await self._pick(f"{verb} {fip.floating_ip_address} to", choices)
        if target is None:
            return
        action = (actions.MoveFloatingIP if move else actions.AssociateFloatingIP)(fip.id, target)
        touched = [("floating_ip", fip.id), ("port", target), *([("port", fip.port_id)] if fip.port_id else [])]
        self._launch(action, move, touched)

    async def _disassociate(self) -> None:
        _, fip = self._selection()
        assert isinstance(fip, FloatingIP)
        self._launch(actions.DisassociateFloatingIP(fip.id), True,
                     [("floating_ip", fip.id), ("port", fip.port_id or "")])

    async def _allocate(self) -> None:
        _, resource = self._selection()
        networks = [resource] if isinstance(resource, Network) else external_networks(self.topology)
        if len(networks) == 1:
            network_id: str | None = networks[0].id
        else:
            network_id = await self._pick("Allocate a floating IP from", [(n.id, n.name or n.id, True)
                                                                          for n in networks])
        if network_id is not None:
            self._launch(actions.AllocateFloatingIP(network_id), False, [("section", "floating_ips")])

    async def _swap(self) -> None:
        topology = self.topology
        _, a = self._selection()
        assert isinstance(a, Server)
        others = [(s.id, s.name or s.id, bool(topology.ports_of_device(s.id)))
                  for s in topology.servers.values() if s.id != a.id]
        b_id = await self._pick(f"Swap a port of {a.name} with a port of", others)
        if b_id is None:
            return
        ports: list[str] = []
        for server in (a, topology.servers[b_id]):
            own = topology.ports_of_device(server.id)
            if len(own) == 1:
                ports.append(own[0].id)
                continue
            picked = await self._pick(f"Which port of {server.name}", [(p.id, port_label(topology, p), True)
                                                                      for p in own])
            if picked is None:
                return
            ports.append(picked)
        self._launch(actions.SwapPorts(a.id, b_id, ports[0], ports[1]), True,
                     [("server", a.id), ("server", b_id), ("port", ports[0]), ("port", ports[1])])

    async def _algorithm(self) -> None:
        _, pool = self._selection()
        assert isinstance(pool, Pool)
        choices = [(a, f"● {a}  (current)" if a == pool.lb_algorithm else f"  {a}", a != pool.lb_algorithm)
                   for a in actions.ALGORITHMS]
        algorithm = await self._pick(f"Algorithm of pool {pool.name or pool.id}", choices)
        if algorithm is not None:
            self._launch(actions.ChangePoolAlgorithm(pool.id, algorithm), False, [("pool", pool.id)])

    async def _member(self, verb: str) -> None:
        _, member = self._selection()
        assert isinstance(member, Member)
        self._launch(actions.MemberChange(verb, member.pool_id, member.id, self.client), verb != "enable",
                     [("member", member.id)])

    async def _server(self, verb: str) -> None:
        _, server = self._selection()
        assert isinstance(server, Server)
        self._launch(actions.ServerPower(verb, server.id), verb != "start", [("server", server.id)])

    # --- plan, confirm, run ---------------------------------------------------------------------------
    def _launch(self, action: Action, destructive: bool, touched: list[tuple[str, str]]) -> None:
        self._flow_token += 1
        screen = ActionScreen(self._flow_token, action.name[:1].upper() + action.name[1:], destructive)
        self._flow = Running(self._flow_token, action, screen, touched)
        self.push_screen(screen, self._flow_closed)  # type: ignore[attr-defined]
        self._plan_action(self._flow_token, action, self.topology)

    @work(thread=True, group="actions", exit_on_error=False, description="plan an action")
    def _plan_action(self, token: int, action: Action, topology: Topology) -> None:
        try:
            plan = action.plan(topology)
        except NetdashError as exc:
            plan = Plan(title=action.describe(), refusal=f"could not read the cloud: {exc.message}")
        if not get_current_worker().is_cancelled:
            self.post_message(ActionPlanned(token, plan))  # type: ignore[attr-defined]

    def _current(self, token: int) -> Running | None:
        flow = self._flow
        return flow if flow is not None and flow.token == token else None

    def on_action_planned(self, message: ActionPlanned) -> None:
        flow = self._current(message.token)
        if flow is None or not flow.screen.is_attached:
            return
        flow.plan = message.plan
        flow.screen.show_plan(message.plan)
        if message.plan.refused:
            self._log(f"refused: {message.plan.lines()[0]}", "warning")

    def on_action_screen_confirmed(self, message: ActionScreen.Confirmed) -> None:
        flow = self._current(message.token)
        if flow is None or flow.plan is None:
            return
        self._log(f"started: {flow.plan.title}")
        self._mark_pending(flow)
        self._run_action(flow.token, flow.action, flow.plan)

    @work(thread=True, group="actions", exit_on_error=False, description="run an action")
    def _run_action(self, token: int, action: Action, plan: Plan) -> None:
        worker = get_current_worker()

        def progress(line: str) -> None:
            if not worker.is_cancelled:
                self.post_message(ActionProgress(token, line))  # type: ignore[attr-defined]

        try:
            result = action.execute(self.client, plan, progress)
        except NetdashError as exc:
            result = Result(FAILED, f"failed, the cloud may be changed: {exc.message}", (exc.message,))
        except Exception as exc:  # a bug in an action must end in a report, not a crash
            result = Result(FAILED, f"failed: {type(exc).__name__}: {exc}")
        if not worker.is_cancelled:
            self.post_message(ActionFinished(token, result))  # type: ignore[attr-defined]

    def on_action_progress(self, message: ActionProgress) -> None:
        flow = self._current(message.token)
        if flow is not None and flow.screen.is_attached:
            flow.screen.add_progress(message.line)

    def on_action_finished(self, message: ActionFinished) -> None:
        flow = self._current(message.token)
        if flow is None:
            return
        result = message.result
        severity = OUTCOME_SEVERITY.get(result.outcome, "error")
        for line in result.lines:  # the steps, and any roll-back, in the order they happened
            self._log(f"  {line}", "info" if result.ok else severity)
        self._log(outcome_line(result), severity)
        self._clear_pending(flow)
        if flow.screen.is_attached:
            flow.screen.show_result(result)
        self._start_refresh()  # type: ignore[attr-defined]

    def _flow_closed(self, ran: bool | None) -> None:
        self._flow = None
        self._release_held()  # type: ignore[attr-defined]
        self.offer_bindings()  # type: ignore[attr-defined]

    # --- the tree and the log -------------------------------------------------------------------------
    def _nodes_of(self, kind: str, resource_id: str) -> list[TreeNode[NodeData]]:
        tree = self._tree()
        if kind == "section":
            return [tree.section(resource_id)]
        found, stack = [], list(tree.root.children)
        while stack:
            node = stack.pop()
            if node.data is not None and node.data.kind == kind and node.data.id == resource_id:
                found.append(node)
            stack.extend(node.children)
        return found

    def _mark_pending(self, flow: Running) -> None:
        tree = self._tree()
        for kind, resource_id in flow.touched:
            for node in self._nodes_of(kind, resource_id) if resource_id else []:
                assert node.data is not None
                node.set_label(Text.assemble(node.data.label, PENDING))
                flow.pending.append(node)
        tree.add_class("-pending")

    def _clear_pending(self, flow: Running) -> None:
        for node in flow.pending:
            if node.data is not None:
                node.set_label(node.data.label)
        flow.pending.clear()
        self._tree().remove_class("-pending")

    def _log(self, text: str, severity: str = "info") -> None:
        log = self.screen_stack[0].query_one(EventLog)  # type: ignore[attr-defined]
        log.add_event(self.clock(), text, severity)  # type: ignore[attr-defined]
