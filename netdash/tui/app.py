"""The dashboard App: composition and routing. The refresh worker posts messages; handlers apply them.

Layout: the status header, the topology tree (with the `/` filter above it) on the left, the details of
the selected object and the event log on the right, the footer with the keys. Polling follows dolphie and
memray: one async worker at a time in the `refresh` group (the poller runs the SDK calls in threads),
never overlapping (`r` during a refresh merges into it), re-armed with a one-shot timer after each result
using the poller's own delay (its back-off after failures), and never applied under a modal screen.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
from collections.abc import Callable, Iterable, Mapping
from functools import partial

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input
from textual.worker import get_current_worker

from netdash.actions import Action, catalog, journal
from netdash.actions.recovery import Recovery
from netdash.actions.undo import Undo
from netdash.cloud.api import CloudApi, CloudInfo
from netdash.cloud.model import Resource, Topology
from netdash.cloud.naming import collection_name, quota_usage
from netdash.cloud.switching import Connector
from netdash.cloud.text import visible
from netdash.tour import model as tours
from netdash.tui.action_flow import ACTION_BINDINGS, ACTION_OF_BINDING, ActionCommands, ask_picks
from netdash.tui.action_screens import OUTCOME_SEVERITY, ActionScreen, outcome_line
from netdash.tui.command_flow import CommandFlow
from netdash.tui.messages import (
    ChangeLine,
    CloudAnswered,
    FetchFailed,
    Switched,
    SwitchFailed,
    TopologyFetched,
    TouchedRead,
)
from netdash.tui.probe_control import ProbeControl
from netdash.tui.refresh import PollerLike, poll_once
from netdash.tui.screens import KeysScreen
from netdash.tui.switch_flow import SwitchFlow
from netdash.tui.switch_screen import SwitchScreen
from netdash.tui.terminal import EVERY, TerminalWatch
from netdash.tui.tour_flow import (
    TOUR_ACTIONS,
    TOUR_BINDINGS,
    Settled,
    StepLanded,
    StepProgress,
    TourFlow,
    TourQuitScreen,
    TourStartScreen,
)
from netdash.tui.views import Views
from netdash.widgets.command_bar import CommandBar
from netdash.widgets.details import DetailsPane
from netdash.widgets.event_log import EventLog
from netdash.widgets.key_bar import KeyBar
from netdash.widgets.nodes import SECTIONS, resource_of, stale_sections
from netdash.widgets.probe_pane import ProbePane
from netdash.widgets.status import StatusHeader
from netdash.widgets.topology_map import TopologyMap
from netdash.widgets.topology_tree import TopologyTree
from netdash.widgets.tour_pane import TourPane
from netdash.widgets.view_bar import ViewBar

#: section key -> its title
TITLES = {key: title for key, title, _ in SECTIONS}
#: how long an action key waits for the refresh that shows the previous action's change before picking
FRESH_WAIT = 5.0


def binding_ids() -> set[str]:
    """Every binding id the config file's `[keys]` may name (Textual's keymap)."""
    from netdash.tui.action_screens import ActionScreen, PickScreen

    return {b.id for owner in (NetdashApp, TopologyTree, TopologyMap, ProbePane, KeysScreen, ActionScreen, PickScreen,
                               CommandBar, SwitchScreen, TourQuitScreen, TourStartScreen)
            for b in owner.BINDINGS if isinstance(b, Binding) and b.id}


def default_screenshot_dir() -> str:
    """The XDG pictures directory ($XDG_PICTURES_DIR, else ~/Pictures) when it exists, else the current one."""
    for candidate in (os.environ.get("XDG_PICTURES_DIR"), os.path.expanduser("~/Pictures")):
        if candidate and os.path.isdir(candidate):
            return candidate
    return os.getcwd()


class NetdashApp(App[int]):
    """The live topology of one project of one cloud."""

    CSS_PATH = "app.tcss"
    TITLE = "netdash"
    #: Textual focuses the first focusable widget otherwise, and the hidden filter is one (display: none is
    #: not `visible: hidden`): keys typed while `--demo` starts its cloud went into a filter nobody saw
    AUTO_FOCUS = "#tree"
    # The selection's actions first: on a narrow terminal the key bar is cut at its right end.
    BINDINGS = [
        *ACTION_BINDINGS,
        Binding("r", "refresh_now", "Refresh", tooltip="Fetch the topology now instead of at the next poll",
                id="app.refresh"),
        # priority: run as the key arrives, before the keys typed after it in the same burst are handed to
        # the tree (`check_action` lets it through to any input that has the focus)
        Binding("slash", "filter", "Filter", tooltip="Show only objects whose name, address or id matches",
                id="app.filter", priority=True),
        Binding("escape", "clear_filter", "Clear filter", tooltip="Show every object again",
                id="app.clear-filter"),
        Binding("colon", "command_bar", "Command", tooltip="Go to anything by name, address, MAC or id, or type "
                "a command (:fip ADDRESS, :server NAME, :unused, :quota, an action's name)", id="app.command"),
        Binding("c", "copy_id", "Copy ID", tooltip="Copy the id of the selected object to the clipboard",
                id="app.copy-id"),
        Binding("p", "toggle_pause", "Pause", tooltip="Stop or resume polling the cloud", id="app.pause"),
        Binding("g", "probe_selection", "Probe", tooltip="Probe the selected load balancer or floating IP: "
                "which backend answers (p in the probe pane stops it)", id="app.probe"),
        Binding("v", "next_view", "View", tooltip="Narrow terminal: show the next view (tree, details, probe, "
                "events)", id="app.view"),
        Binding("S", "switch", "Switch", tooltip="Another cloud (clouds.yaml, the OS_* environment), project or "
                "region: the same view and selection kind, there", id="app.switch"),
        Binding("M", "toggle_map", "Map", tooltip="The topology map in the tree's place, or the tree back",
                id="app.map"),
        Binding("ctrl+z", "undo", "Undo", tooltip="Undo the last completed action of yours on this cloud: its "
                "inverse, planned against the cloud as it is now, shown first", id="app.undo", show=False),
        *TOUR_BINDINGS,
        Binding("question_mark", "show_keys", "Keys", tooltip="List every key and what it does", id="app.keys"),
        Binding("q", "quit", "Quit", tooltip="Leave netdash", id="app.quit"),
    ]
    COMMANDS = App.COMMANDS | {ActionCommands}

    def __init__(self, client: CloudApi | None, info: CloudInfo | None = None, *, interval: float = 2.0,
                 read_only: bool = False, poller: PollerLike | None = None, poll: bool = True,
                 topology: Topology | None = None, clock: Callable[[], float] = time.time,
                 freeze_gc: bool = False, fetch_process: bool = False, notices: Iterable[str] = (),
                 last_resort: Callable[[], None] | None = None, screenshots: str | None = None,
                 theme: str | None = None, keymap: Mapping[str, str] | None = None,
                 connector: Connector | None = None, tour: tours.Tour | None = None, tour_fresh: bool = False,
                 tour_pace: float = 10.0) -> None:
        """`poll=False` with a fixed `topology` and `clock` gives snapshot tests a still picture.
        `freeze_gc`: once the first snapshot (or the first failed fetch) is on screen, freeze what is alive
        out of the garbage collector's reach and let it run again if the start paused it
        (`cloud.collector.freeze_survivors`); for a process that runs one dashboard, not for a test process
        that starts hundreds. `fetch_process`: once the first snapshot is on screen, fetch in a process of
        its own from then on (`CloudClient.start_fetch_process`); started after the first paint, not before,
        so that its start-up does not compete with the first fetch (`bench/README.md`). `notices`:
        lines the user must see at start (an action a crash left half-done), in the log and as a toast.
        `last_resort`: what must be stopped (the embedded cloud, the fetch process) if the terminal goes
        away and the App's own exit hangs (`tui.terminal`). `screenshots`: where the palette's Screenshot
        saves (default `default_screenshot_dir`). `theme`, `keymap`: the config file's (checked first with
        `settings_problem`). `connector`: how the switcher (`S`) connects elsewhere, as the start did (None:
        no switching)."""
        super().__init__()
        if theme is not None:
            self.theme = theme
        #: the config file's key overrides (binding id -> keys), kept so that `?` shows the keys in force
        self.keymap = dict(keymap or {})
        if self.keymap:
            self.set_keymap(self.keymap)
        self.screenshots = screenshots or default_screenshot_dir()
        self.views = Views(self)
        self.commands = CommandFlow(self)
        self.switcher = SwitchFlow(self, connector)
        self.client = client
        self.info = info if info is not None else client.info if client is not None else None
        self.interval = interval
        self.read_only = read_only
        self.poller = poller
        self.poll = poll
        self.clock = clock
        self.initial = topology
        self.freeze_gc = freeze_gc
        self.fetch_process = fetch_process
        #: ... and for each cloud the switcher moves to
        self._fetch_process_wanted = fetch_process
        self.notices = tuple(notices)
        self.topology = Topology()
        self.stale = False
        #: whether a topology was ever shown (a failure before that has no "last topology" to show)
        self.loaded = False
        self.refreshes = 0
        self._refreshing = False
        self._again = False
        self._timer: Timer | None = None
        #: the next cheap request to a cloud that failed as a whole (`_arm_probe`)
        self._probe_timer: Timer | None = None
        self._held: TopologyFetched | None = None
        self._held_lines: list[ChangeLine] = []
        self.probe = ProbeControl(self, clock)
        self.terminal = TerminalWatch(self._terminal_gone, last_resort, busy=self._action_running)
        #: leave once the running action has ended (q, or the terminal gone, while it ran), with this status
        self._leaving = False
        self._leave_status = 0
        #: the actions `check_action` decides, and its answers when the footer was last refreshed
        self._checked_actions = (*(("act", (a.id,)) for a in catalog.CATALOG),
                                 *((name, ()) for name in ("probe_selection", "copy_id", "clear_filter")))
        self._offered: tuple[bool | None, ...] | None = None
        #: the action whose modal is open (from its plan until it is closed): no other starts meanwhile
        self._action_screen: ActionScreen | None = None
        #: `refreshes` once the refresh that shows the last action's change has landed (`_launch` waits)
        self._fresh_after = 0
        #: the guided tour, when one runs (`tui.tour_flow`)
        self.tours = TourFlow(self, fresh=tour_fresh, pace=tour_pace)
        self._first_tour = tour

    def compose(self) -> ComposeResult:
        yield StatusHeader(id="status", clock=self.clock)
        yield self.views.bar()
        with Horizontal(id="main"):
            with Vertical(id="topology-pane"):
                yield Input(placeholder="filter: name, address or id", id="filter")
                yield TopologyTree(id="tree")
                yield TopologyMap(id="map")
            with Vertical(id="side-pane"):
                yield DetailsPane(id="details")
                yield ProbePane(id="probe")
                yield EventLog(id="events")
        yield TourPane(id="tour")
        yield CommandBar(self.commands.complete, id="command-bar")
        yield KeyBar(id="keys", explain=self.why_not)

    def _fatal_error(self) -> None:
        """Textual's crash report, without the local variables it shows by default: a frame's locals can
        hold the client, whose session holds the token (a crash is a bug; leaking a secret would be worse)."""
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        report = Traceback(show_locals=False, width=None)
        self._exit_renderables.append(Segments(self.console.render(report, self.console.options)))
        self._close_messages_no_wait()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every toast (the screens' and the probe's too) quotes names and the cloud's messages: text, never
        markup or terminal control, unless a caller asks for markup on a message of its own."""
        super().notify(message if markup else visible(message), title=visible(title), severity=severity,
                       timeout=timeout, markup=markup)

    def on_mount(self) -> None:
        if not self.is_headless and self.terminal.start():
            self.set_interval(EVERY, self.terminal.check, name="terminal-watch")
        header = self.query_one(StatusHeader)
        self._show_cloud()
        if self.cli_environment:
            self._log(f"the openstack CLI reaches this embedded cloud with: {self.cli_environment} (? shows it, "
                      "c there copies it)")
        header.read_only = self.read_only
        self.query_one("#topology-pane").border_title = "Topology"
        self.query_one(EventLog).border_title = "Events"
        self.query_one(TopologyTree).focus()
        for notice in self.notices:
            self._log(notice, "warning")
            self.notify(f"{notice} (or ctrl+p: roll back / complete)", title="Interrupted action",
                        severity="warning", timeout=20)
        if self._first_tour is not None:
            self.tours.start(self._first_tour)
        if self.initial is not None:
            self._apply(self.initial, [])
        if self.poller is None and self.client is not None:
            from netdash.cloud.poller import Poller

            self.poller = Poller(self.client, interval=self.interval)
        if self.poll:
            self._start_refresh()

    # --- the refresh loop -----------------------------------------------------------------------------
    def _start_refresh(self) -> None:
        if self.poller is None:
            return
        if self._refreshing:
            self._again = True
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._stop_probe()
        self._refreshing = True
        self._fetch_topology()

    @work(group="refresh", exit_on_error=False, description="fetch the topology")
    async def _fetch_topology(self) -> None:
        poller = self.poller
        assert poller is not None
        message = await poll_once(poller, self.clock)
        if not get_current_worker().is_cancelled and poller is self.poller:  # not a cloud switched away from
            self.post_message(message)

    def _refresh_done(self) -> None:
        self._refreshing = False
        self.refreshes += 1
        if self._again:
            self._again = False
            self._start_refresh()
        elif self.poll and self.poller is not None:
            delay = self.poller.next_delay()
            self._timer = self.set_timer(delay, self._start_refresh, name="next-refresh")
            if not self._shut_down():  # the banner says when the next try is, while something is stale
                self.query_one(StatusHeader).set_next_try(self.clock() + delay)
            self._arm_probe(delay)

    # --- while the whole view is stale: a cheap request each interval, and a refresh once it answers -------
    def _arm_probe(self, delay: float) -> None:
        """Backing off after failed refreshes, ask the cloud one cheap question every interval meanwhile:
        a cloud that answers again is refreshed at once, not when the back-off ends (issue 14)."""
        self._stop_probe()
        if self.stale and self.client is not None and delay > self.interval and self.poll:
            self._probe_timer = self.set_timer(self.interval, self._ask_cloud, name="cloud-probe")

    def _stop_probe(self) -> None:
        if self._probe_timer is not None:
            self._probe_timer.stop()
            self._probe_timer = None

    @work(thread=True, group="cloud-probe", exclusive=True, exit_on_error=False, description="ask the cloud")
    def _ask_cloud(self) -> None:
        client = self.client
        answered = client is not None and client.answers()
        if not get_current_worker().is_cancelled:
            self.post_message(CloudAnswered(answered))

    @on(CloudAnswered)
    def _cloud_answered(self, message: CloudAnswered) -> None:
        if not self.stale or self._refreshing or not self.poll or self._timer is None:
            return  # a refresh is under way or done meanwhile, or polling stopped
        if message.answered:
            self._start_refresh()
        elif self.poller is not None:
            self._probe_timer = self.set_timer(self.interval, self._ask_cloud, name="cloud-probe")

    @on(TopologyFetched)
    def _topology_fetched(self, message: TopologyFetched) -> None:
        self._refresh_done()
        self.probe.follow(message.topology)  # at once, even under a modal: the probe draws in its own pane
        self._held_lines += message.changes
        self._held = message
        if len(self.screen_stack) > 1 and not self._shut_down():  # the changes are news now, in time order
            log = self.query_one(EventLog)
            for line in self._held_lines:
                log.add_event(line.at, line.text, line.severity)
            self._held_lines = []
        self._release_held()

    def _release_held(self, _: object = None) -> None:
        """Apply the newest snapshot (and the changes not logged yet), unless a modal is open: the tree does
        not move under a dialog planned on it."""
        if self._held is None or len(self.screen_stack) > 1 or self._shut_down():
            return
        topology, lines = self._held.topology, self._held_lines
        self._held, self._held_lines = None, []
        self._apply(topology, lines)

    @on(TouchedRead)
    def _touched_read(self, message: TouchedRead) -> None:
        self.probe.follow(message.topology)

    @on(FetchFailed)
    def _fetch_failed(self, message: FetchFailed) -> None:
        self._refresh_done()
        if self.freeze_gc:  # no first snapshot to wait for: the failure is the first paint (`_apply`)
            self.freeze_gc = False
            from netdash.cloud.collector import freeze_survivors

            self.call_after_refresh(freeze_survivors)
        if self._shut_down():
            return
        log = self.query_one(EventLog)
        for line in message.changes:
            log.add_event(line.at, line.text, line.severity)
        if not self.stale:
            log.add_event(self.clock(), f"{message.title}: {message.reason}", "error")
            shown = "showing the last topology" if self.loaded else "no topology read yet"
            self.notify(message.reason, title=f"{message.title}: {shown}", severity="warning")
        self._set_stale(True)
        self.query_one(StatusHeader).set_stale(message.stale_since, message.reason)

    def _apply(self, topology: Topology, lines: Iterable[ChangeLine]) -> None:
        with self.batch_update():
            before, self.topology, self.loaded = self.topology, topology, True
            tree = self.query_one(TopologyTree)
            tree.update(topology)
            if tree.cursor_line < 0 and tree.last_line >= 0:
                tree.move_cursor_to_line(0)
            self.query_one(TopologyMap).update(topology)
            self.tours.mark()  # the tour step's objects: their nodes may be new
            log = self.query_one(EventLog)
            for line in lines:
                log.add_event(line.at, line.text, line.severity)
            if self.stale:
                log.add_event(self.clock(), "the cloud answers again", "ok")
                self.notify("The cloud answers again.", title="Reconnected")
            self._set_stale(False)
            self._log_unread(before, topology)
            header = self.query_one(StatusHeader)
            header.set_refreshed(topology.fetched_at or self.clock())
            header.set_unread({TITLES.get(key, key): items for key, items in stale_sections(topology).items()})
            header.set_quota_warnings(tuple(quota_usage(q) for q in topology.quotas_near_limit()))
        self.offer_bindings()  # a changed object elsewhere can change what fits the selection
        if self.freeze_gc and topology.fetched_at:
            self.freeze_gc = False
            from netdash.cloud.collector import freeze_survivors

            self.call_after_refresh(freeze_survivors)  # after the first paint, not before it
        if self.fetch_process and topology.fetched_at:
            self.fetch_process = False
            self.call_after_refresh(self.client.start_fetch_process)

    def _log_unread(self, before: Topology, after: Topology) -> None:
        """A line per list that could not be read any more, and per list read again; a toast when the view
        turns partly stale (a flapping cloud, `503:rate=0.5`, would otherwise stack one per refresh)."""
        failed = [f for f in after.unread if f not in before.unread]
        for field in failed:
            why = after.unread[field]
            shown = "showing the last read" if why.kept else "none read yet"
            self._log(f"{collection_name(field)} unavailable ({shown}): {why.reason}", "error")
        if failed and not before.unread:  # one toast when the view turns partly stale, not one per flap
            names = ", ".join(collection_name(f) for f in failed)
            self.notify(after.unread[failed[0]].reason, title=f"Stale: {names}", severity="warning")
        for field in before.unread:
            if field not in after.unread:
                self._log(f"{collection_name(field)}: the cloud answers again", "ok")

    def _set_stale(self, stale: bool) -> None:
        self.stale = stale
        self.query_one(TopologyTree).set_class(stale, "-stale")
        self.query_one("#topology-pane").set_class(stale, "-stale")

    def _terminal_gone(self, why: str, status: int) -> None:
        """No one is watching any more: stop probing and polling now, then leave as a quit does — after
        a running action has finished its step and rolled back."""
        self.probe.stop()
        self.poll = False
        self._leave_status = status
        if self._stop_action_then_leave():
            return
        self.exit(return_code=status)

    def _action_running(self) -> bool:
        screen = self._action_screen
        return screen is not None and screen.phase == "running"

    def _stop_action_then_leave(self) -> bool:
        """If an action runs, ask it to stop (step, then roll-back) and leave when it has: True. Never
        half-way: a process that leaves mid-swap leaves both servers without their ports."""
        if not self._action_running():
            return False
        assert self._action_screen is not None
        self._leaving = True
        self._action_screen.request_stop()
        return True

    def on_unmount(self) -> None:
        """A client the switcher made is this App's to close (the one it started with is its caller's)."""
        if self.client is not None and self.client in self.switcher.made:
            self.client.close()

    async def action_quit(self) -> None:
        """`q`: leave — but first let a running action finish its step and roll back (`q` again: leave
        the screen now; the process still waits for the action's thread, whose journal says how it ended);
        and a tour on a cloud that is not its own asks what to do with what it made (`tui.tour_flow`)."""
        if self.tours.active and not self.tours.fresh and self.tours.busy != "cleaning":
            self.tours.quit(exit_after=True)
            return
        if not self._leaving and self._stop_action_then_leave():
            self.notify("An action is running: it finishes its step and rolls back, then netdash leaves. "
                        "q again to leave the screen now.", title="Leaving", severity="warning", timeout=10)
            return
        self.exit()

    # --- routing --------------------------------------------------------------------------------------
    def _shut_down(self) -> bool:
        """A fetch can finish after exit() began removing the widgets; its result then has nowhere to go."""
        if not self.is_running or not self.screen_stack:
            return True
        screen = self.screen_stack[0]
        return not all(screen.query(kind) for kind in (TopologyTree, EventLog, StatusHeader, DetailsPane))

    @on(TopologyTree.ObjectHighlighted)
    def _object_highlighted(self, message: TopologyTree.ObjectHighlighted) -> None:
        if self._shut_down():  # the first paint's cursor, announced as the app leaves
            return
        self.query_one(DetailsPane).show(self.topology, message.kind, message.resource, message.resource_id)
        self.probe.select(self.topology, message.resource)
        if self.client is not None:  # its members' health fresh on every refresh, however many load balancers;
            lb_id = self.topology.load_balancer_of(message.kind, message.resource_id)  # and the probed one's
            self.client.watch_load_balancers(frozenset({lb_id} if lb_id else ()) | self.probe.load_balancers())
        self.offer_bindings()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, message: Input.Changed) -> None:
        self.query_one(TopologyTree).set_filter(message.value)
        self.query_one(TopologyMap).set_filter(message.value)
        self.offer_bindings()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        navigator = self.views.navigator()
        navigator.focus()
        if isinstance(navigator, TopologyMap):
            if navigator.filter_text:
                navigator.first_match()
            return
        tree = navigator
        if tree.filter_text:  # Enter goes to what was searched for: the first match
            first = next((node for section in tree.root.children for node in section.children), None)
            if first is not None:
                tree.move_cursor(first)

    @on(ProbePane.ToggleRequested)
    def _probe_toggle(self) -> None:
        self.probe.toggle()

    @on(ProbePane.RateRequested)
    def _probe_rate(self, message: ProbePane.RateRequested) -> None:
        self.probe.set_rate(message.rate)

    @on(ProbePane.ClearRequested)
    def _probe_clear(self) -> None:
        self.probe.clear()

    @on(ProbePane.ConnectionModeRequested)
    def _probe_connections(self, message: ProbePane.ConnectionModeRequested) -> None:
        self.probe.toggle_connections(message.new_connections)

    @on(ProbePane.ClientsRequested)
    def _probe_clients(self, message: ProbePane.ClientsRequested) -> None:
        self.probe.set_clients(message.clients)

    @on(ProbePane.UrlChosen)
    def _probe_url(self, message: ProbePane.UrlChosen) -> None:
        self.probe.choose_url(message.url)

    # --- actions --------------------------------------------------------------------------------------
    def offer_bindings(self) -> None:
        """Bring the key bar up to date with what `check_action` answers, when the answers changed: a
        refresh that changed nothing, or the cursor moving between two ports, redraws nothing. Keys do
        not depend on it: Textual asks `check_action` afresh for each key pressed."""
        offered = tuple(self.check_action(action, parameters) for action, parameters in self._checked_actions)
        if offered != self._offered:
            self._offered = offered
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in TOUR_ACTIONS:  # only while a tour runs: otherwise `[`, pageup... are the widgets'
            return self.tours.active and self.screen is self.screen_stack[0]
        if action == "act":  # what fits the selection's kind; greyed (None) where its rule refuses
            return self.offer(str(parameters[0]))
        if action == "switch":  # not during a tour: it plays on the cloud it started on, and cleans up there
            return self.switcher.available and self.screen is self.screen_stack[0] and not isinstance(
                self.focused, Input) and not self.tours.active
        if action == "probe_selection":
            return self.probe.can_probe_selection(self._selection()[1]) or None
        if action == "copy_id":
            return self.query_one(TopologyTree).selected is not None
        if action == "undo":
            return not self.read_only
        if action == "next_view":
            return self.views.narrow
        if action == "filter":  # the tree's, and the map's
            return self.screen is self.screen_stack[0] and not isinstance(self.focused, Input)
        if action == "command_bar":
            return self.screen is self.screen_stack[0] and not isinstance(self.focused, Input)
        if action == "clear_filter":
            return bool(self.query_one("#filter", Input).value) or self.query_one("#filter").display
        return True

    # --- the catalog's actions: pick, then the ActionScreen plans and runs ---------------------------
    def _selection(self) -> tuple[str, Resource | None]:
        """(node kind, model object) under the cursor; ("section:<key>", None) on a section's title."""
        try:
            navigator = self.views.navigator()
        except (NoMatches, IndexError):
            return "", None
        selected = navigator.selected
        if selected is None:
            node = navigator.cursor_node if isinstance(navigator, TopologyTree) else None
            data = node.data if node is not None else None
            return (f"section:{data.id}" if data is not None and data.kind == "section" else ""), None
        return selected[0], resource_of(self.topology, *selected)

    @property
    def action_open(self) -> bool:
        return self._action_screen is not None

    def offer(self, action_id: str) -> bool | None:
        """An action's key: shown (True), greyed (None: its kind fits, its own rule refuses, `why_not`
        says why) or absent (False: not for this kind, or --read-only, or an action is open). One
        action's rules only: the key bar asks this for every action on every cursor move."""
        if self.read_only or self._action_screen is not None or self.switcher.going is not None:
            return False
        action = catalog.BY_ID[action_id]
        kind, obj = self._selection()
        if action.kind_refusal(kind, obj) is not None:
            return False
        return action.refusal(obj, self.topology) is None or None

    def why_not(self, binding_action: str) -> str | None:
        """For a greyed key (its binding's action, `act('<id>')`): the rule's reason."""
        action_id = ACTION_OF_BINDING.get(binding_action)
        if action_id is None:
            return None
        kind, obj = self._selection()
        return catalog.BY_ID[action_id].applies_to(kind, obj, self.topology)

    def fitting_actions(self) -> list[str]:
        """The ids of the actions that apply to the selection now (what the palette offers)."""
        if self.read_only or self._action_screen is not None:
            return []
        kind, obj = self._selection()
        return [action.id for action in catalog.offered(kind, obj, self.topology)]

    def action_act(self, action_id: str) -> None:
        """An action's key (or its palette entry): the picks it needs, then its modal."""
        action = catalog.BY_ID[action_id]
        kind, obj = self._selection()
        if self.offer(action_id) is not True:
            reason = ("read-only: actions are disabled" if self.read_only else
                      "another action is open" if self._action_screen is not None else
                      f"switching to {self.switcher.going.line()}" if self.switcher.going is not None else
                      action.applies_to(kind, obj, self.topology) or "not for the selected object")
            self.notify(reason, title="No action", severity="warning")
            return
        self.run_worker(self._launch(action, kind, obj), group="action-flow", exit_on_error=False)

    async def _launch(self, action: type[Action], kind: str, obj: Resource | None) -> None:
        # right after an action (`m` to move it back at once), pick from the cloud as that action left it,
        # not from the topology read before it: the picker would offer what is taken now and hide what it
        # freed (a refresh that fails ends the wait: the plan still checks the cloud)
        deadline = time.monotonic() + FRESH_WAIT
        while self.refreshes < self._fresh_after and self.poller is not None and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        topology = self.topology
        args = await ask_picks(self, action, topology, catalog.from_selection(action, kind, obj))
        if args is None or self.client is None or self._action_screen is not None:
            return
        self._action_screen = ActionScreen(catalog.create(action, args), topology, self.client)
        self.push_screen(self._action_screen, self._action_closed)

    def _action_closed(self, ran: bool | None) -> None:
        self._action_screen = None
        self._release_held()
        self.offer_bindings()

    @on(ActionScreen.Started)
    def _action_started(self, message: ActionScreen.Started) -> None:
        self._log(f"started: {message.plan.title}")
        self.query_one(TopologyTree).set_pending(message.touched)
        self.query_one(TopologyMap).set_pending(message.touched)

    @on(ActionScreen.Changed)
    def _action_changed(self, message: ActionScreen.Changed) -> None:
        """The probe follows the change as soon as it is made, while the action's own proof still runs."""
        self.probe.touched(message.touched, self.client)

    @on(ActionScreen.Finished)
    def _action_finished(self, message: ActionScreen.Finished) -> None:
        result = message.result
        if not message.ran:  # the plan refused: nothing was sent
            self._log(outcome_line(result), "warning")
            return
        severity = OUTCOME_SEVERITY.get(result.outcome, "error")
        for line in result.lines:  # the steps, and any roll-back, in the order they happened
            self._log(f"  {line}", "info" if result.ok else severity)
        self._log(outcome_line(result), severity)
        self.query_one(TopologyTree).clear_pending()
        self.query_one(TopologyMap).clear_pending()
        if self._leaving:
            self.exit(return_code=self._leave_status)
            return
        # the refresh that shows the change: the one started now, or the one after a refresh under way
        # (which may have read the cloud before the change)
        self._fresh_after = self.refreshes + (2 if self._refreshing else 1)
        self._start_refresh()

    def _log(self, text: str, severity: str = "info") -> None:
        self.query_one(EventLog).add_event(self.clock(), text, severity)

    def action_probe_selection(self) -> None:
        self.probe.probe_selection(self.topology, self._selection()[1])
        if self.views.narrow:  # what `g` starts is in the probe view
            self.views.show("probe")

    def action_next_view(self) -> None:
        self.views.next()

    def action_toggle_map(self) -> None:
        self.views.toggle_map()

    def action_switch(self, section: str = "") -> None:
        self.switcher.open(section)

    @on(Switched)
    def _switched(self, message: Switched) -> None:
        self.switcher.arrived(message)

    @on(SwitchFailed)
    def _switch_failed(self, message: SwitchFailed) -> None:
        self.switcher.failed(message)

    def move_to(self, client: CloudApi, poller: PollerLike, topology: Topology) -> None:
        """Another cloud, project or region from now on (`tui.switch_flow`): its first topology on screen,
        the refresh loop restarted on it, and nothing of the old one's left to apply or retry."""
        self.workers.cancel_group(self, "refresh")
        self.workers.cancel_group(self, "cloud-probe")
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._stop_probe()
        self._refreshing = self._again = False
        self._held, self._held_lines = None, []
        self.client, self.info, self.poller = client, client.info, poller
        self._show_cloud()
        self._set_stale(False)
        self.fetch_process = self._fetch_process_wanted
        self._apply(topology, [])
        if self.poll:
            self._refresh_done()  # the next refresh one interval from now, as after any other

    def _show_cloud(self) -> None:
        """The header's cloud, project, region and their marks (demo, TLS, faults), from `info`."""
        info = self.info
        self.query_one(StatusHeader).set_cloud(
            getattr(info, "cloud", "?"), getattr(info, "project", "?"), getattr(info, "region", None),
            demo=bool(getattr(info, "demo", False)), tls_verify=bool(getattr(info, "tls_verify", True)),
            faults=tuple(getattr(info, "faults", ())))

    def on_resize(self, event: events.Resize) -> None:
        self.views.fit(event.size.width)
        self.offer_bindings()

    @on(ViewBar.Chosen)
    def _view_chosen(self, message: ViewBar.Chosen) -> None:
        self.views.show(message.view)

    def action_refresh_now(self) -> None:
        self._start_refresh()

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        # Shown and focused now, not after the next refresh (as a class and `focus()` would): what is typed
        # right after `/`, in the same burst, is the filter's, and its Enter does not reach the tree.
        field.display = True
        self.screen.set_focus(field)
        self.offer_bindings()

    def action_command_bar(self) -> None:
        self.commands.open()

    @on(CommandBar.Submitted)
    def _command_submitted(self, message: CommandBar.Submitted) -> None:
        self.commands.submit(message.text)

    @on(CommandBar.Closed)
    def _command_closed(self) -> None:
        self.views.navigator().focus()

    def action_clear_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.value = ""
        field.display = False
        self.query_one(TopologyTree).set_filter("")
        self.query_one(TopologyMap).set_filter("")
        self.views.navigator().focus()
        self.offer_bindings()

    def action_copy_id(self) -> None:
        selected = self.views.navigator().selected
        if selected is not None:
            self.copy_to_clipboard(selected[1])
            self.notify(selected[1], title=f"Copied the {selected[0].replace('_', ' ')} id")

    def action_toggle_pause(self) -> None:
        self.poll = not self.poll
        header = self.query_one(StatusHeader)
        header.paused = not self.poll
        header.render_status()
        if self.poll:
            self._start_refresh()
        elif self._timer is not None:
            self._timer.stop()
            self._timer = None
            self._stop_probe()

    def action_show_keys(self) -> None:
        def key(b: Binding) -> str:  # the key in force (the config file's [keys]), and the id that sets it
            return self.get_key_display(dataclasses.replace(b, key=self.keymap.get(b.id or "", b.key)))

        def why(b: Binding) -> str:
            return f"{b.tooltip}  [{b.id}]" if b.id else b.tooltip

        rows = [(key(b), b.description, why(b)) for b in self.BINDINGS
                if isinstance(b, Binding) and not (self.read_only and b in ACTION_BINDINGS)
                and (self.tours.active or b not in TOUR_BINDINGS)]  # a tour's keys while one runs
        rows += [(key(b), b.description, why(b)) for b in TopologyTree.BINDINGS if isinstance(b, Binding)]
        rows += [(key(b), f"{b.description} (map)", why(b)) for b in TopologyMap.BINDINGS if b.id == "map.toggle"]
        rows += [(key(b), f"{b.description} (probe pane)", why(b))
                 for b in ProbePane.BINDINGS if isinstance(b, Binding) and b.show]
        rows += [(key(b), f"{b.description} (command bar)", why(b))
                 for b in CommandBar.BINDINGS if isinstance(b, Binding) and b.show]
        rows += [("↑ ↓ enter", "Move, open", "Move the cursor; enter opens or closes a node"),
                 ("ctrl+p", "Commands", "Search every command")]
        self.push_screen(KeysScreen(rows, self.cli_environment), self._release_held)

    @staticmethod
    def settings_problem(theme: str | None, keymap: Mapping[str, str] | None) -> str | None:
        """What is wrong with a theme name or a keymap, in one line; None when nothing is."""
        from textual.theme import BUILTIN_THEMES

        if theme is not None and theme not in BUILTIN_THEMES:
            return f"theme: unknown theme {theme!r} (themes: {', '.join(sorted(BUILTIN_THEMES))})"
        unknown = sorted(set(keymap or {}) - binding_ids())
        if unknown:
            return f"keys: unknown binding id {unknown[0]!r} (ids: {', '.join(sorted(binding_ids()))})"
        return None

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """Textual's, into `screenshots`; a directory that cannot take it is said by name, not as Textual's
        "Failed to save screenshot"."""
        directory = path or self.screenshots
        if not os.path.isdir(directory) or not os.access(directory, os.W_OK):
            why = "no such directory" if not os.path.isdir(directory) else "not writable"
            self.notify(f"cannot save a screenshot in {directory}: {why} (--screenshots DIR)",
                        title="Screenshot", severity="error", markup=False)
            return None
        return super().deliver_screenshot(filename, directory, time_format)

    @property
    def cli_environment(self) -> str | None:
        """`export OS_CLIENT_CONFIG_FILE=... OS_CLOUD=netdash-demo` while netdash runs the embedded cloud."""
        environment = getattr(self.info, "cli_environment", None)
        return environment if isinstance(environment, str) else None

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Refresh now", "Fetch the topology from the cloud now", self.action_refresh_now)
        yield SystemCommand("Filter the tree", "Show only objects matching a name, address or id",
                            self.action_filter)
        yield SystemCommand("Clear the filter", "Show every object again", self.action_clear_filter)
        if self.switcher.available:
            yield SystemCommand("Switch cloud, project or region", "Another cloud of clouds.yaml (or the OS_* "
                                "environment), another project of yours, another region (S)", self.action_switch)
        yield SystemCommand("Show the tree" if self.views.map_shown else "Show the map",
                            "The topology map (networks as bars, devices hanging off them) or the tree (M)",
                            self.action_toggle_map)
        if self.views.navigator().selected is not None:
            yield SystemCommand("Copy ID", "Copy the selected object's id to the clipboard", self.action_copy_id)
        yield SystemCommand("Pause polling" if self.poll else "Resume polling", "Stop or resume refreshing",
                            self.action_toggle_pause)
        if self.probe.can_probe_selection(self._selection()[1]):
            yield SystemCommand("Probe the selection", "Which backend answers, live, in the probe pane",
                                self.action_probe_selection)
        pane = self.query_one(ProbePane)
        yield SystemCommand("Probe: keep-alive" if pane.stats.new_connections else
                            "Probe: a new connection per request",
                            "How the probe connects (k in the probe pane): a curl loop opens one per request",
                            pane.action_toggle_connections)
        if not self.read_only and self.client is not None:
            yield SystemCommand("Undo the last action", "Put back what your last completed action on this cloud "
                                "changed (ctrl+z): planned, shown and confirmed first", self.action_undo)
        yield SystemCommand("Show keys", "List every key and what it does", self.action_show_keys)
        if not self.read_only and self.client is not None and not self.tours.active:
            for name in tours.names():
                yield SystemCommand(f"Tour: {name}", "A guided tour of the seed documents' scenario, step by step, "
                                    "with the probe showing each effect", partial(self.start_tour, name))
        if not self.read_only and self.client is not None and self._action_screen is None:
            for left in journal.unfinished():
                for complete, verb in ((False, "Roll back"), (True, "Complete")):
                    yield SystemCommand(f"{verb} the interrupted {left.title}",
                                        f"Stopped {left.where_it_stopped()}: read where things are now, then "
                                        f"{verb.lower()} it and verify (as `netdash recover`)",
                                        partial(self._recover, left, complete))

    # --- the guided tour (`tui.tour_flow`) ------------------------------------------------------------------
    def log_line(self, text: str, severity: str = "info") -> None:
        """A line of the event log, now."""
        self._log(text, severity)

    def action_tour_next(self) -> None:
        self.tours.next()

    def action_tour_back(self) -> None:
        self.tours.back()

    def action_tour_autoplay(self) -> None:
        self.tours.toggle_autoplay()

    def action_tour_pause(self) -> None:
        self.tours.toggle_pause()

    def action_tour_pace(self, slower: int) -> None:
        self.tours.change_pace(slower)

    def action_tour_quit(self) -> None:
        self.tours.quit()

    def start_tour(self, name: str) -> None:
        """The palette's "Tour: NAME": on a cloud that is not the tour's own, say what it creates first."""
        if self.tours.active or self.client is None or self.read_only:
            return
        try:
            tour = tours.load(name)
        except tours.TourError as exc:
            self.notify(exc.message, title="Bad tour", severity="error")
            return

        def chosen(start: bool | None) -> None:
            if start:
                self.tours.start(tour)
                self.offer_bindings()

        if self.tours.fresh:
            chosen(True)
        else:
            self.push_screen(TourStartScreen(tour, getattr(self.info, "project", "?")), chosen)

    @on(StepLanded)
    def _tour_landed(self, message: StepLanded) -> None:
        self.tours.landed(message)

    @on(StepProgress)
    def _tour_progress(self, message: StepProgress) -> None:
        self.tours.progress(message.line)

    @on(Settled)
    def _tour_settled(self, message: Settled) -> None:
        self.tours.settled(message)

    def action_undo(self) -> None:
        """`ctrl+z`: the last completed action's inverse, in the action modal (`actions.undo`)."""
        if self.client is None or self._action_screen is not None or self.read_only:
            self.notify("read-only: actions are disabled" if self.read_only else "another action is open",
                        title="No undo", severity="warning")
            return
        self._action_screen = ActionScreen(Undo(self.client.info), self.topology, self.client)
        self.push_screen(self._action_screen, self._action_closed)

    def _recover(self, left: journal.Unfinished, complete: bool) -> None:
        """An interrupted action, recovered in the action modal (planned from what the cloud holds now)."""
        if self.client is None or self._action_screen is not None or self.read_only:
            return
        self._action_screen = ActionScreen(Recovery(left, complete), self.topology, self.client)
        self.push_screen(self._action_screen, self._action_closed)
