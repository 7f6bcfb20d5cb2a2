"""A guided tour in the dashboard: the App's tour keys, the workers that play steps, and the pane's words.

The App owns one `TourFlow` and routes to it: its keys (`]` next, `[` back, `A` auto-play, `P` pause, `Q`
quit the tour), the palette's "Tour: ..." entries and the messages its workers post. The engine
(`netdash.tour.engine.TourRun`) is headless and blocking: a step runs in a thread worker (group `tour`)
that posts `StepLanded`; the App then highlights what the step made or touched in the tree and the map
(the marks actions use while they run, `set_pending`, kept until the next step and put back after each
refresh, since the new objects' nodes exist only once a refresh has brought them), points the probe at
the step's target (the rate, client addresses and connection mode it asks for) and starts a second worker
(group `tour-probe`) that waits for the probe's verdict (`TourRun.settle`) and posts `Settled`. Auto-play
plays the next step `pace` seconds after a verdict; pause holds it.

Quitting the tour asks what to do with what it made (`TourQuitScreen`): remove it (`TourRun.clean_up`),
or leave it. A tour that is not on a fresh embedded cloud of its own (`fresh` False) always removes it
when netdash quits (`q`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import get_current_worker

from netdash.cloud.api import BuildingCloud
from netdash.cloud.probe_values import ProbeStats
from netdash.tour.engine import PREFIX, PROBE_RATE, Outcome, TourRun
from netdash.tour.model import ProbeSpec, Tour
from netdash.widgets.nodes import path_to
from netdash.widgets.topology_map import TopologyMap
from netdash.widgets.topology_tree import STEP, TopologyTree
from netdash.widgets.tour_pane import TourPane, TourView

if TYPE_CHECKING:
    from netdash.tui.app import NetdashApp

#: auto-play's paces (seconds from a step's verdict to the next step); `A` starts at `pace`, `>`/`<` step
PACES = (3.0, 5.0, 10.0, 20.0, 40.0)

TOUR_BINDINGS = [
    Binding("right_square_bracket", "tour_next", "Tour: next", tooltip="Play the tour's next step",
            id="tour.next", priority=True),
    Binding("left_square_bracket", "tour_back", "Tour: back", tooltip="Undo the tour's last step: the "
            "cloud as it was before it", id="tour.back", priority=True),
    # what a presenter's clicker sends
    Binding("pagedown", "tour_next", "Tour: next", tooltip="Play the tour's next step", id="tour.next-clicker",
            priority=True, show=False),
    Binding("pageup", "tour_back", "Tour: back", tooltip="Undo the tour's last step", id="tour.back-clicker",
            priority=True, show=False),
    Binding("A", "tour_autoplay", "Auto-play", tooltip="Play the steps one after another, a pace apart",
            id="tour.autoplay"),
    Binding("P", "tour_pause", "Pause", tooltip="Hold auto-play (and resume it)", id="tour.pause"),
    Binding("greater_than_sign", "tour_pace(-1)", "Faster", tooltip="Auto-play: less time between steps",
            id="tour.faster", show=False),
    Binding("less_than_sign", "tour_pace(1)", "Slower", tooltip="Auto-play: more time between steps",
            id="tour.slower", show=False),
    Binding("Q", "tour_quit", "Quit tour", tooltip="End the tour: remove what it made, or leave it",
            id="tour.quit"),
]
#: the App actions above, which only a running tour offers
TOUR_ACTIONS = frozenset(b.action.partition("(")[0] for b in TOUR_BINDINGS)


@dataclass
class StepLanded(Message):
    """A step forward or back (or the clean-up) ended."""

    outcome: Outcome
    back: bool = False
    cleaned: bool = False


@dataclass
class StepProgress(Message):
    line: str


@dataclass
class Settled(Message):
    """The probe's verdict on the step at `position`: whether it shows what the step says."""

    position: int
    met: bool
    words: str


class TourQuitScreen(ModalScreen[str | None]):
    """What to do with what the tour made: "clean" (c), "leave" (l), or None (esc: go on with the tour)."""

    BINDINGS = [Binding("c", "choose('clean')", "Remove", tooltip="Remove what the tour made", id="tour-quit.clean"),
                Binding("l", "choose('leave')", "Leave", tooltip="Leave what the tour made in the cloud",
                        id="tour-quit.leave"),
                Binding("escape", "choose('')", "Cancel", tooltip="Go on with the tour", id="tour-quit.cancel")]

    def __init__(self, made: str) -> None:
        super().__init__()
        self.made = made

    def compose(self) -> ComposeResult:
        with Vertical(id="tour-quit", classes="action-dialog") as dialog:
            dialog.border_title = "End the tour"
            dialog.border_subtitle = "c remove · l leave · esc go on"
            yield Static(f"The tour made: {self.made}.\n\nc removes it all, l leaves it in the cloud, "
                         "esc goes on with the tour.", markup=False)

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice or None)


class TourStartScreen(ModalScreen[bool]):
    """A tour from the palette, on a cloud that is not its own: it says what it creates, y starts it."""

    BINDINGS = [Binding("y", "choose(True)", "Start", tooltip="Start the tour", id="tour-start.yes"),
                Binding("n,escape", "choose(False)", "Cancel", tooltip="Do not start it", id="tour-start.no")]

    def __init__(self, tour: Tour, project: str) -> None:
        super().__init__()
        self.tour = tour
        self.project = project

    def compose(self) -> ComposeResult:
        with Vertical(id="tour-start", classes="action-dialog") as dialog:
            dialog.border_title = f"Tour: {self.tour.name}"
            dialog.border_subtitle = "y start · n or esc cancel"
            yield Static(f"{self.tour.title}\n\nThis tour creates what its steps build (networks, servers...) in "
                         f"project {self.project}, each named {PREFIX}*, and removes them when it ends (or leaves "
                         "them, if you say so then). y starts it, n cancels.", markup=False)

    def action_choose(self, start: bool) -> None:
        self.dismiss(start)


class TourFlow:
    """The running tour of an App: `run` (None while no tour runs) and what the pane shows."""

    def __init__(self, app: NetdashApp, *, fresh: bool, pace: float = 10.0) -> None:
        self.app = app
        #: the tour runs on an embedded cloud of its own, which goes when netdash goes
        self.fresh = fresh
        self.run: TourRun | None = None
        #: None | "stepping" | "watching" | "cleaning"
        self.busy: str | None = None
        self.status = ("", "info")
        self.highlight: tuple[tuple[str, str], ...] = ()
        self.autoplay = False
        self.paused = False
        self.pace = pace
        self._timer: Timer | None = None
        #: whether the tree's cursor went to the step's first object yet
        self._revealed = False
        #: what to do once the clean-up ends: leave netdash
        self._exit_after = False
        #: the verdict of each step played (position -> met), for tests and the pane
        self.verdicts: dict[int, tuple[bool, str]] = {}

    @property
    def active(self) -> bool:
        return self.run is not None

    # --- start and the pane ------------------------------------------------------------------------------
    def start(self, tour: Tour) -> None:
        """Play `tour` on the App's cloud as it is when the tour starts (a `CloudClient`: a `BuildingCloud`)."""
        if self.app.client is None:
            return
        self.run = TourRun(tour, cast(BuildingCloud, self.app.client))
        self.verdicts.clear()
        self.set_status("] plays the first step", "info")
        self.app.log_line(f"tour started: {tour.name} ({len(tour.steps)} steps)")

    def set_status(self, text: str, severity: str = "info") -> None:
        self.status = (text, severity)
        self.draw()

    def draw(self, upcoming: int | None = None) -> None:
        """The pane: the step last played, its status and the keys; or the step at `upcoming`, which is what
        the pane narrates while it runs."""
        pane = self.app.query(TourPane)
        if not pane:
            return
        run = self.run
        if run is None:
            pane.first().show(None)
            return
        tour, steps = run.tour, run.tour.steps
        if upcoming is not None:
            shown, status, severity, keys = upcoming, "running…", "busy", "the step runs…"
            where = f"step {upcoming + 1}/{len(steps)}"
        else:
            shown = max(run.position - 1, 0) if run.position else 0
            where = f"step {shown + 1}/{len(steps)}" if run.position else f"{len(steps)} steps, ready"
            nxt = f"  (next: {steps[run.position].title})" if 0 < run.position < len(steps) else ""
            status, severity = self.status[0] + nxt, self.status[1]
            auto = ""
            if self.autoplay:
                auto = f" · auto-play every {self.pace:g} s" + (" (paused)" if self.paused else "")
            keys = ("] next · [ back · A auto-play · P pause · < > pace · Q end the tour" if not run.finished
                    else "[ back · Q end the tour") + auto
        step = steps[shown]
        pane.first().show(TourView(tour=tour.title, where=where, title=step.title, narration=step.narration,
                                   commands=step.commands, status=status, severity=severity, keys=keys))

    # --- the keys ----------------------------------------------------------------------------------------
    def next(self) -> None:
        run = self.run
        if run is None or self._refuse_busy():
            return
        if run.finished:
            self.set_status("the tour is complete: Q ends it", "ok")
            return
        self._stop_timer()
        self.busy = "stepping"
        step = run.tour.steps[run.position]
        self.app.log_line(f"tour step {run.position + 1}: {step.title}")
        self.status = ("running…", "busy")
        self.draw(upcoming=run.position)
        self.app.run_worker(partial(self._play, run, back=False), name="tour-step", group="tour", thread=True,
                            exit_on_error=False, description=f"tour step {run.position + 1}")

    def back(self) -> None:
        run = self.run
        if run is None or self._refuse_busy():
            return
        if not run.position:
            self.set_status("nothing to undo: no step played yet", "warning")
            return
        self._stop_timer()
        self.busy = "stepping"
        self.set_status(f"undoing step {run.position}…", "busy")
        self.app.run_worker(partial(self._play, run, back=True), name="tour-back", group="tour", thread=True,
                            exit_on_error=False, description=f"undo tour step {run.position}")

    def toggle_autoplay(self) -> None:
        if self.run is None:
            return
        self.autoplay = not self.autoplay
        self.paused = False
        self.app.log_line(f"tour: auto-play {'on, every ' + format(self.pace, 'g') + ' s' if self.autoplay else 'off'}")
        if self.autoplay and self.busy is None:
            self._arm()
        elif not self.autoplay:
            self._stop_timer()
        self.draw()

    def toggle_pause(self) -> None:
        if self.run is None:
            return
        self.paused = not self.paused
        if self.paused:
            self._stop_timer()
        elif self.autoplay and self.busy is None:
            self._arm()
        self.draw()

    def change_pace(self, slower: int) -> None:
        index = min(range(len(PACES)), key=lambda n: abs(PACES[n] - self.pace))
        self.pace = PACES[max(0, min(len(PACES) - 1, index + slower))]
        self.draw()

    def quit(self, exit_after: bool = False) -> None:
        """`Q` (or `q` on a cloud that is not the tour's own): what to do with what the tour made."""
        run = self.run
        if run is None:
            return
        if self.busy in ("stepping", "cleaning"):
            self.app.notify("wait for the step under way to end", title="Tour", severity="warning")
            return
        made = ", ".join(f"{m.kind.replace('_', ' ')} {run.real(m.name)}" for m in run.registry.made
                         if m.kind != "subnet")
        if not made:
            self.end()
            if exit_after:
                self.app.exit()
            return

        def chosen(choice: str | None) -> None:
            if choice == "clean":
                self.clean(exit_after)
            elif choice == "leave":
                self.app.log_line(f"tour ended; left in the cloud: {made}", "warning")
                self.end()
                if exit_after:
                    self.app.exit()

        self.app.push_screen(TourQuitScreen(made), chosen)

    def clean(self, exit_after: bool = False) -> None:
        run = self.run
        if run is None:
            return
        self._stop_timer()
        self._cancel_watch()
        self.busy = "cleaning"
        self._exit_after = exit_after
        self.set_status("removing what the tour made…", "busy")
        self.app.run_worker(partial(self._clean, run), name="tour-clean", group="tour", thread=True,
                            exit_on_error=False, description="remove what the tour made")

    def end(self) -> None:
        self._stop_timer()
        self._cancel_watch()
        self._unmark()
        self.run = None
        self.busy = None
        self.autoplay = False
        self.draw()
        self.app.offer_bindings()

    def _refuse_busy(self) -> bool:
        if self.busy in ("stepping", "cleaning"):
            self.app.notify("a step is running: wait for it to land", title="Tour", severity="warning")
            return True
        if self.busy == "watching":  # the next key goes on without waiting for the verdict
            self._cancel_watch()
        return False

    # --- the workers: they only post ---------------------------------------------------------------------
    def _progress(self, line: str) -> None:
        if not get_current_worker().is_cancelled:
            self.app.post_message(StepProgress(line))

    def _play(self, run: TourRun, *, back: bool) -> None:
        outcome = run.back(self._progress) if back else run.forward(self._progress)
        if not get_current_worker().is_cancelled:
            self.app.post_message(StepLanded(outcome, back=back))

    def _clean(self, run: TourRun) -> None:
        outcome = run.clean_up(self._progress)
        if not get_current_worker().is_cancelled:
            self.app.post_message(StepLanded(outcome, cleaned=True))

    def _watch(self, run: TourRun, position: int, spec: ProbeSpec, stats: Callable[[], ProbeStats | None],
               clear: Callable[[], None]) -> None:
        worker = get_current_worker()
        met, words = run.settle(spec, stats, clear, cancelled=lambda: worker.is_cancelled)
        if not worker.is_cancelled:
            self.app.post_message(Settled(position, met, words))

    # --- what the messages do ----------------------------------------------------------------------------
    def progress(self, line: str) -> None:
        self.app.log_line(f"  tour: {line}")

    def landed(self, message: StepLanded) -> None:
        run, outcome = self.run, message.outcome
        self.busy = None
        if run is None:
            return
        for line in outcome.lines:
            self.app.log_line(f"  {line}", "info" if outcome.ok else "warning")
        self.app.log_line(f"tour: {outcome.summary}", "ok" if outcome.ok else "error")
        if message.cleaned:
            if outcome.ok:
                self.app.probe.stop()  # its address is gone with the rest
                self.end()
                if self._exit_after:
                    self.app.exit()
            else:
                self.set_status(outcome.summary, "error")
            return
        if not outcome.ok:
            self.autoplay = False
            self.set_status(outcome.summary, "error")
            return
        self._unmark()
        self.highlight, self._revealed = outcome.highlight, False
        self.mark()
        self.app.action_refresh_now()
        probe = self.app.probe
        if outcome.probe is None:
            if message.back:  # back before any step that probes: what the probe targeted is gone
                probe.stop()
            self.set_status(f"step {'undone' if message.back else 'done'}", "ok")
            self._arm()
            return
        spec, target = outcome.probe
        assert outcome.topology is not None
        probe.follow(outcome.topology)
        probe.rate, probe.new_connection, probe.clients = PROBE_RATE, spec.new_connections, spec.clients
        if isinstance(target, str):  # a port's address: probed as a typed URL, whose line says what it reaches
            probe.choose_url(target)
            if not probe.running:
                probe.start()
        else:
            probe.probe_selection(outcome.topology, target)
        if probe.target.url is None:  # said in a toast by the probe; the verdict would be on another address
            probe.stop()
            self.set_status(f"the probe cannot reach the step's address: {probe.target.reason}", "warning")
            return
        self.busy = "watching"
        self.set_status(f"watching the probe for: {spec.words()}", "busy")

        def stats() -> ProbeStats | None:
            prober = probe.prober
            return prober.stats() if prober is not None else None

        def clear() -> None:
            prober = probe.prober
            if prober is not None:
                prober.clear()

        self.app.run_worker(partial(self._watch, run, run.position, spec, stats, clear), name="tour-watch",
                            group="tour-probe", thread=True, exclusive=True, exit_on_error=False,
                            description="wait for the probe's verdict")

    def settled(self, message: Settled) -> None:
        run = self.run
        if run is None or message.position != run.position or self.busy != "watching":
            return
        self.busy = None
        self.verdicts[message.position] = (message.met, message.words)
        if message.met:
            self.app.log_line(f"tour: the probe shows it: {message.words}", "ok")
            self.set_status(f"✓ the probe shows it: {message.words}", "ok")
            self._arm()
        else:
            self.autoplay = False
            self.app.log_line(f"tour: the probe does not show it: {message.words}", "warning")
            self.set_status(f"✗ not what the probe shows: {message.words}", "warning")

    # --- highlighting ------------------------------------------------------------------------------------
    def mark(self) -> None:
        """The step's objects marked in the tree and the map (again after a refresh built their nodes), and
        the tree's cursor on the first of them the tree shows, once per step: its parents opened, its
        details in the details pane."""
        if not self.highlight or self.app.action_open:
            return
        tree, map_ = self.app.query_one(TopologyTree), self.app.query_one(TopologyMap)
        if not self._revealed:
            for kind, resource_id in self.highlight:
                path = path_to(self.app.topology, kind, resource_id)
                if path is not None and tree.reveal(path) is not None:
                    self._revealed = True
                    break
        tree.clear_pending()
        tree.set_pending(self.highlight, note=STEP)
        map_.set_pending(self.highlight)

    def _unmark(self) -> None:
        if self.highlight and not self.app.action_open:
            self.app.query_one(TopologyTree).clear_pending()
            self.app.query_one(TopologyMap).clear_pending()
        self.highlight = ()

    # --- auto-play -------------------------------------------------------------------------------------
    def _arm(self) -> None:
        self._stop_timer()
        if self.autoplay and not self.paused and self.run is not None and not self.run.finished:
            self._timer = self.app.set_timer(self.pace, self.next, name="tour-autoplay")
        elif self.autoplay and self.run is not None and self.run.finished:
            self.autoplay = False
            self.draw()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _cancel_watch(self) -> None:
        if self.busy == "watching":
            self.busy = None
        self.app.workers.cancel_group(self.app, "tour-probe")
