"""The probe behind the dashboard's probe pane: what to probe, the worker that probes, the pane's refresh.

The App owns one `ProbeControl` and routes to it: the tree's selection (`select`), the pane's requests
(`toggle`, `set_rate`, `clear`, `choose_url`) and its own `g` key (`probe_selection`). The default target
follows the selection (`cloud.probe.default_target`, with its one-line reason) until a URL is typed; while
a probe runs, moving the cursor does not retarget it (`g` does).

`cloud.probe.Prober.run()` is asyncio: it runs in a thread worker with its own event loop (group `probe`,
`exit_on_error=False`), so 200 requests a second never share the UI's loop. The worker touches no widget
and posts nothing: the Prober's `stats()` and `events()` are thread-safe reads, and a timer on the UI loop
pulls them a few times a second into the pane and the event log (as the refresh loop does for the cloud).
A cancelled worker (the App quitting) stops its probe, so no thread outlives the App.

The probe follows what its address means, not its connections (issue 16): the App hands every fetched
topology to `follow` (even one held back under a modal) and every finished action's touched objects to
`touched`; when the address's `cloud.reach.Reach` changed, or an action touched an object on its way,
the probe drops its connections and counts afresh (`Prober.reconnect`), and the pane's first line says
what the address reaches now.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker, WorkerState, get_current_worker

from netdash.cloud.api import CloudWrites
from netdash.cloud.model import Topology
from netdash.cloud.probe import ProbeError, Prober, Target, default_target, source_addresses
from netdash.cloud.probe_values import ProbeStats
from netdash.cloud.reach import Follower, expected_of, reread
from netdash.tui.messages import TouchedRead
from netdash.widgets.event_log import EventLog
from netdash.widgets.probe_pane import ProbePane

if TYPE_CHECKING:
    from textual.app import App

#: how often the pane is redrawn from the probe's statistics while it runs (seconds)
TICK = 0.25
#: ... and, for two ticks after a reconnect, this often (its first answers are awaited)
SOON = 0.05
W = TypeVar("W", bound=Widget)
NOTHING = Target(None, "nothing to probe: select a load balancer or a floating IP, or type a URL (u)")


def read_touched(app: App[Any], cloud: CloudWrites, topology: Topology, touched: tuple[tuple[str, str], ...]) -> None:
    """A thread worker's body: the touched objects read afresh, posted as `TouchedRead` (it touches no widget)."""
    fresh = reread(cloud, topology, touched)
    if fresh is not None and not get_current_worker().is_cancelled:
        app.post_message(TouchedRead(fresh))


def run_probe(prober: Prober) -> None:
    """The worker's body, in its own thread and event loop: probe until stopped or the worker cancelled."""
    worker = get_current_worker()

    async def main() -> None:
        task = asyncio.create_task(prober.run())
        while not task.done():
            if worker.is_cancelled:
                prober.stop()
            await asyncio.wait({task}, timeout=0.05)
        task.result()

    asyncio.run(main())


class ProbeControl:
    """Starts, steers and stops the probe for the App, and keeps the probe pane drawn."""

    def __init__(self, app: App[Any], clock: Callable[[], float]) -> None:
        self.app = app
        self.clock = clock
        self.target = NOTHING
        #: the tree's selection, kept for `g` and for retargeting after a stop
        self.selection: tuple[Topology, object] = (Topology(), None)
        #: a typed URL stays the target until another is typed or `g` probes the selection
        self.typed = False
        self.rate = 10.0
        #: a new connection per request (`k` in the pane), else keep-alive; kept across probes, as the rate
        self.new_connection = False
        #: client source addresses (`f` in the pane): several only where the target is on loopback
        self.clients = 1
        #: the newest topology fetched (the App may hold it back under a modal; the probe does not wait)
        self.topology = Topology()
        #: what the running probe's address reaches, compared on each refresh
        self.follower: Follower | None = None
        #: when an action that touched the probe's way ended (`touched`), until a topology read after it
        self.touched_at: float | None = None
        self.prober: Prober | None = None
        self.worker: Worker[None] | None = None
        self.timer: Timer | None = None

    def widget(self, kind: type[W]) -> W | None:
        """The pane or the log; None once the App has begun taking its screen down (a tick can still fire)."""
        found = self.app.query(kind)
        return found.first() if found else None

    @property
    def running(self) -> bool:
        return self.worker is not None and not self.worker.is_finished

    # --- what to probe --------------------------------------------------------------------------------
    @staticmethod
    def target_of(topology: Topology, selected: object) -> Target:
        try:
            return default_target(topology, selected)
        except ProbeError as exc:
            return Target(None, str(exc))

    def can_probe_selection(self, selected: object) -> bool:
        """Whether `g` can probe `selected`: the tree's cursor as it is now, not as `select` last heard of it
        (keys typed in one burst run before the tree's message about the cursor reaches the App)."""
        return self.target_of(self.topology, selected).url is not None

    def select(self, topology: Topology, selected: object) -> None:
        """The cursor moved (or the topology changed under it): the selection is the next default target."""
        self.selection = (topology, selected)
        if topology.fetched_at >= self.topology.fetched_at:
            self.topology = topology
        if self.running or self.typed:
            return
        target = self.target_of(topology, selected)
        if target != self.target:
            self.target = target
            self.prober = None
            self.show_idle()

    def choose_url(self, text: str) -> None:
        """`u`: probe a typed URL from now on (at once, if a probe runs)."""
        try:
            target = default_target(Topology(), text)
        except ProbeError as exc:
            self.app.notify(str(exc), title="Cannot probe that", severity="error")
            return
        self.typed, self.target = True, target
        if self.running:
            self.start()
        else:
            self.prober = None
            self.show_idle()

    # --- start and stop -------------------------------------------------------------------------------
    def toggle(self) -> None:
        """`p` in the pane: stop the probe, or start it on the current target."""
        if self.running:
            self.stop()
        else:
            self.start()

    def probe_selection(self, topology: Topology, selected: object) -> None:
        """`g`: probe the selection now (instead of a typed URL or another running target). The App hands in
        the tree's cursor as it is now: `↓ g` typed in one burst would otherwise probe where it was."""
        self.selection = (topology, selected)
        self.typed = False
        self.target = self.target_of(topology, selected)
        self.start()

    def start(self) -> None:
        target = self.target
        if target.url is None:
            self.app.notify(target.reason, title="Nothing to probe", severity="warning")
            self.show_idle()
            return
        follower = Follower(target.url, self.topology)
        reason = f"{target.reason}: {follower.reach.text}" if self.typed and follower.reach.known else target.reason
        try:
            prober = Prober(target.url, rate=self.rate, reason=reason, new_connection=self.new_connection,
                            clients=self.clients)
        except ProbeError as exc:
            self.app.notify(str(exc), title="Cannot probe that", severity="error")
            return
        self.stop()
        self.prober = prober
        self.follower, self.touched_at = follower, None
        self.worker = self.app.run_worker(partial(run_probe, prober), name="probe", group="probe", thread=True,
                                          exit_on_error=False, description=f"probe {target.url}")
        self.log(f"probe started: {target.url} at {prober.rate:g} req/s")
        if self.timer is None:
            self.timer = self.app.set_interval(TICK, self.tick, name="probe-tick")
        self.tick()

    def stop(self) -> None:
        """Ask the running probe to stop; the next tick draws its last statistics once it has."""
        if self.prober is not None and self.running:
            self.prober.stop()
            self.log(f"probe stopped: {self.prober.url}")

    # --- following the target's meaning ---------------------------------------------------------------
    def follow(self, topology: Topology) -> None:
        """A refresh fetched `topology`: if what the probed address reaches changed, reconnect and say so;
        if an action reconnected the probe already (`touched`) and this topology was read after it, only
        say so: the connections it dropped were opened again after the change."""
        if topology.fetched_at >= self.topology.fetched_at:
            self.topology = topology
        follower, prober = self.follower, self.prober
        if follower is None or prober is None or not self.running:
            return
        after_action = self.touched_at is not None and topology.fetched_at >= self.touched_at
        if after_action:
            self.touched_at = None
        changed = follower.update(topology)
        if changed is None:
            return
        if after_action:
            prober.retitle(changed.text, f"target changed, now {changed.text}")
        else:
            prober.reconnect(f"target changed, now {changed.text}", reason=changed.text)
        self.soon()

    def touched(self, touched: Iterable[tuple[str, str]], cloud: CloudWrites | None) -> None:
        """An action changed these objects: if one is on the probed address's way, reconnect now, and read
        those objects afresh (a request each) to say what the address reaches, before the full refresh
        that follows lands (which may wait for the request budget)."""
        follower, prober = self.follower, self.prober
        pairs = tuple(touched)
        if follower is None or prober is None or not self.running \
                or not follower.touched_by(resource_id for _, resource_id in pairs):
            return
        self.touched_at = self.clock()
        prober.reconnect("an action changed what the probe reaches")
        self.soon()
        if cloud is not None:
            self.app.run_worker(partial(read_touched, self.app, cloud, self.topology, pairs), name="probe-read",
                                group="probe-read", thread=True, exclusive=True, exit_on_error=False,
                                description="read what the action touched")

    def soon(self) -> None:
        """Draw now and every `SOON` s for the next few ticks: the first answers of the new connections are
        what the user waits for, not the next quarter second."""
        self.tick()
        for n in range(1, round(2 * TICK / SOON)):
            self.app.set_timer(n * SOON, self.tick, name="probe-soon")

    def load_balancers(self) -> frozenset[str]:
        """The load balancers on the running probe's way: their members' health is read on every refresh,
        wherever the cursor is, so a member going down shows on the probe's first line too."""
        if self.follower is None or not self.running:
            return frozenset()
        return frozenset(i for i in self.follower.reach.ids if i in self.topology.load_balancers)

    def set_clients(self, clients: int) -> None:
        """`f` in the pane: probe from this many client addresses (the probe starts again from them). A target
        that cannot be reached from several local addresses says why, in one line, and keeps one."""
        target = self.target.url
        if target is not None and clients > 1:
            try:
                source_addresses(target, clients)
            except ProbeError as exc:
                self.app.notify(str(exc), title="One client only", severity="warning")
                return
        self.clients = clients
        self.log(f"probe: {clients} client address{'es' if clients > 1 else ''}")
        if self.prober is not None and self.running:
            self.start()
        else:
            self.show_idle()

    def toggle_connections(self, new_connection: bool) -> None:
        """`k` in the pane: a new connection per request, or keep-alive (the open ones are dropped)."""
        self.new_connection = new_connection
        if self.prober is not None:
            self.prober.set_new_connection(new_connection)
            if self.running:
                mode = "a new connection per request" if new_connection else "keep-alive connections"
                self.log(f"probe: {mode}")
            self.tick()
        else:
            self.show_idle()

    # --- steering -------------------------------------------------------------------------------------
    def set_rate(self, rate: float) -> None:
        self.rate = Prober.clamp(rate)
        if self.prober is not None:
            self.prober.set_rate(self.rate)
            self.tick()
        else:
            self.show_idle()

    def clear(self) -> None:
        if self.prober is not None:
            self.prober.clear()
            self.tick()

    # --- drawing --------------------------------------------------------------------------------------
    def show_idle(self) -> None:
        several = tuple((f"client {n}", "-") for n in range(1, self.clients + 1)) if self.clients > 1 else ()
        self.show(ProbeStats(url=self.target.url or "", reason=self.target.reason, target_rate=self.rate,
                             new_connections=self.new_connection, clients=several))

    def show(self, stats: ProbeStats) -> None:
        if (pane := self.widget(ProbePane)) is not None:
            pane.show(stats)

    def log(self, text: str, severity: str = "info") -> None:
        if (log := self.widget(EventLog)) is not None:
            log.add_event(self.clock(), text, severity)

    def tick(self) -> None:
        """Pull the probe's statistics into the pane and its change events into the log."""
        prober = self.prober
        if prober is None:
            return
        for event in prober.events():
            self.log(f"probe: {event.text}", event.severity)
        running = self.running
        expected = expected_of(self.topology, self.follower.reach, self.new_connection) if self.follower else None
        self.show(replace(prober.stats(), running=running, expected=expected))
        if not running and self.worker is not None:
            self.finished(self.worker)

    def finished(self, worker: Worker[None]) -> None:
        """The worker ended: no more ticks; a crash (a bug, not a failing backend) is logged and shown."""
        self.worker = None
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        if worker.state == WorkerState.ERROR:
            reason = f"{type(worker.error).__name__}: {worker.error}"
            self.log(f"probe failed: {reason}", "error")
            self.app.notify(reason, title="The probe failed", severity="error")
