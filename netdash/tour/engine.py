"""Playing a tour: its steps forward and back, its clean-up, and whether the probe shows what a step says.

Headless (no Textual): the dashboard's tour pane drives a `TourRun` from thread workers, and a test can
drive one directly. A step forward builds its objects (`tour.build`, through `cloud.builds`) or runs its
action exactly as `netdash` runs one (`actions.catalog`, planned against a snapshot read now, then
`actions.running.execute` with its journal, so `netdash undo` knows it too). A step back removes what the
step built, or runs the action's inverse (`Action.inverse`, the undo machinery's), after checking that the
cloud is still as the step left it. A build that fails part-way removes what it made before saying so;
an action that fails reports its own outcome (rolled back, or where things are).

`settle` decides whether a step's probe expectation is met: the probe's window is cleared, the answers of
one round (`ROUND_ANSWERS`) are judged (`judge`), and rounds follow until one meets it or the step's
timeout passes; a round that misses is what a change still landing looks like (a health monitor that has
not yet counted its failures, a data plane that has not re-read the pool).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from netdash.actions import catalog, running
from netdash.actions.base import Action, Refused, Result, reading
from netdash.cloud.api import BuildingCloud
from netdash.cloud.errors import NetdashError
from netdash.cloud.model import Resource, Topology
from netdash.cloud.probe import endpoint_url, url_of
from netdash.cloud.probe_values import Expected, ProbeStats

from .build import Made, Registry, make, remove
from .model import ProbeSpec, Step, Tour

#: what everything a tour makes is called: `netdash-tour-server1`
PREFIX = "netdash-tour-"
#: answers per round of `settle` (at the tour's probe rate, about a second)
ROUND_ANSWERS = 20
#: the probe rate a tour sets (requests per second)
PROBE_RATE = 50.0

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Outcome:
    """How a step (forward or back) or the clean-up ended, and what the dashboard shows after it."""

    ok: bool
    summary: str
    lines: tuple[str, ...] = ()
    topology: Topology | None = None
    #: the tree/map nodes to highlight: the step's `highlight`, then what it made or touched (the tree's
    #: cursor goes to the first it shows)
    highlight: tuple[tuple[str, str], ...] = ()
    #: the probe to run now: its spec and what it targets, an object or a URL (None: leave the probe alone)
    probe: tuple[ProbeSpec, Resource | str] | None = None


@dataclass
class Done:
    """A step played forward: what it made, or the action it ran."""

    made: list[Made] = field(default_factory=list)
    action: Action | None = None


def judge(spec: ProbeSpec, stats: ProbeStats, real: Callable[[str], str]) -> str | None:
    """Why `stats` does not show what `spec` expects (one line), or None when it does. `real` turns the
    document's server name into the one the backend answers with."""
    counts = {b.backend: b.count for b in stats.backends}
    answers = sum(counts.values())
    failed = sum(count for _, count in stats.errors)
    if answers + failed < ROUND_ANSWERS:
        return f"{answers + failed} answers so far"
    if spec.fails:  # by the tour's servers: an address let go may reach another cloud's on the same host
        ours = sum(count for backend, count in counts.items() if backend.startswith(real("")))
        return None if not ours else f"{ours} of {answers + failed} requests were answered by the tour's servers"
    if failed:
        return f"{failed} of {answers + failed} requests failed ({', '.join(kind for kind, _ in stats.errors)})"
    if spec.pinned:
        if len(stats.client_backends) < spec.clients:
            return f"{len(stats.client_backends)} of {spec.clients} clients answered"
        mixed = [(client, seen) for client, seen in stats.client_backends if len(seen) > 1]
        if mixed:
            return f"client {mixed[0][0]} was answered by {' and '.join(mixed[0][1])}"
        return None
    expected = Expected(shares=tuple((real(name), share) for name, share in spec.shares))
    off = expected.deviating(counts)
    if off:
        name = sorted(off)[0]
        return f"{name} answered {counts.get(name, 0) / answers:.0%}, expected {expected.share_of(name):.0%}"
    return None


class TourRun:
    """One playing of `tour` on `cloud`: `position` steps done, each undoable in turn."""

    def __init__(self, tour: Tour, cloud: BuildingCloud, prefix: str = PREFIX) -> None:
        self.tour = tour
        self.cloud = cloud
        self.prefix = prefix
        self.registry = Registry(cloud.builds, prefix)
        self.done: list[Done] = []

    @property
    def position(self) -> int:
        return len(self.done)

    @property
    def finished(self) -> bool:
        return self.position >= len(self.tour.steps)

    def real(self, name: str) -> str:
        return self.registry.real(name)

    # --- forward ----------------------------------------------------------------------------------------
    def forward(self, progress: Progress) -> Outcome:
        """Play the next step."""
        step = self.tour.steps[self.position]
        try:
            if step.action is not None:
                return self._act(step, progress)
            if not step.build:  # it only looks elsewhere
                self.done.append(Done())
                return self._landed(step, "the probe looks elsewhere", ())
            return self._build(step, progress)
        except NetdashError as exc:
            return Outcome(False, f"step {self.position + 1} failed: {exc.message}")

    def _build(self, step: Step, progress: Progress) -> Outcome:
        done = Done()
        try:
            for build in step.build:
                done.made += make(build, self.registry, progress)
        except NetdashError as exc:
            made = [m for m in self.registry.made if m not in self._all_made()]
            progress(f"failed: {exc.message}; removing what this step made")
            self._remove(made, progress)
            return Outcome(False, f"step {self.position + 1} failed, nothing of it is left: {exc.message}")
        self.done.append(done)
        return self._landed(step, "done", tuple((m.kind, m.id) for m in done.made))

    def _act(self, step: Step, progress: Progress) -> Outcome:
        assert step.action is not None
        kind = catalog.BY_ID[step.action.id]
        args = {name: self._ref(value) for name, value in step.action.args.items()}
        action = catalog.create(kind, args)
        result = self._run(action, progress)
        if not result.ok:
            return Outcome(False, f"step {self.position + 1}: {result.outcome}: {result.summary}", result.lines)
        self.done.append(Done(action=action))
        return self._landed(step, result.summary, action.touched(), result.lines)

    def _ref(self, value: str) -> str:
        made = self.registry.named(value)
        return made.id if made is not None else value

    def _run(self, action: Action, progress: Progress) -> Result:
        topology = reading(self.cloud.read_topology)
        plan = action.plan(topology, self.cloud)
        if plan.refusal is not None:
            return Result("refused", plan.refusal)
        for line in plan.lines():
            progress(line)
        return running.execute(action, self.cloud, self.cloud.info, plan, progress)

    def _landed(self, step: Step, summary: str, touched: tuple[tuple[str, str], ...],
                lines: tuple[str, ...] = ()) -> Outcome:
        topology = reading(self.cloud.read_topology)
        extra = tuple((kind, m.id) for kind, name in step.highlight if (m := self.registry.named(name)))
        probe = self._probe(step, topology) if step.probe is not None else None
        return Outcome(True, summary, lines, topology, extra + touched, probe)  # what the step names, first

    def _probe(self, step: Step, topology: Topology) -> tuple[ProbeSpec, Resource | str] | None:
        """The step's probe on `topology`: a floating IP or load balancer as the probe targets it, a port by
        the URL of its address (where the embedded cloud serves it, else the address itself)."""
        spec = step.probe
        made = self.registry.named(spec.target) if spec is not None else None
        if spec is None or made is None:
            return None
        if made.kind == "port":
            port = topology.ports.get(made.id)
            if port is None or not (port.endpoint or port.addresses):
                return None
            return spec, endpoint_url(port.endpoint) if port.endpoint else url_of(port.addresses[0], None)
        target: Resource | None = (topology.floating_ips.get(made.id) if made.kind == "floating_ip"
                                   else topology.load_balancers.get(made.id))
        return (spec, target) if target is not None else None

    def _last_probe(self, topology: Topology) -> tuple[ProbeSpec, Resource | str] | None:
        """After a step back: the probe of the last step still played that has one."""
        step = next((s for s in reversed(self.tour.steps[:self.position]) if s.probe is not None), None)
        return self._probe(step, topology) if step is not None else None

    # --- back -------------------------------------------------------------------------------------------
    def back(self, progress: Progress) -> Outcome:
        """Undo the last step played: what it built removed, or its action's inverse run."""
        if not self.done:
            return Outcome(False, "nothing to undo: no step has been played")
        done = self.done[-1]
        try:
            if done.action is not None:
                changed = reading(lambda: done.action.verify(self.cloud) if done.action else None)
                if changed is not None:
                    return Outcome(False, f"the cloud changed since the step ({changed}): not undone")
                inverse = done.action.inverse()
                result = self._run(inverse, progress)
                if not result.ok:
                    return Outcome(False, f"undo: {result.outcome}: {result.summary}", result.lines)
                touched = inverse.touched()
            else:
                self._remove(done.made, progress)
                touched = ()
        except Refused as exc:
            return Outcome(False, f"cannot undo step {self.position}: {exc.message}")
        except NetdashError as exc:
            return Outcome(False, f"undo of step {self.position} failed: {exc.message}")
        self.done.pop()
        topology = reading(self.cloud.read_topology)
        return Outcome(True, f"step {self.position + 1} undone", (), topology, touched, self._last_probe(topology))

    def _all_made(self) -> list[Made]:
        return [m for done in self.done for m in done.made]

    def _remove(self, made: list[Made], progress: Progress) -> None:
        remove(self.cloud.builds, made, progress, self.prefix)
        for item in made:
            if item in self.registry.made:
                self.registry.made.remove(item)

    # --- the end ----------------------------------------------------------------------------------------
    def clean_up(self, progress: Progress) -> Outcome:
        """Remove everything the tour made (its actions changed only what it made)."""
        try:
            self._remove(list(self.registry.made), progress)
        except NetdashError as exc:
            left = ", ".join(f"{m.kind} {self.real(m.name)}" for m in self.registry.made) or "nothing"
            return Outcome(False, f"clean-up failed: {exc.message}; left: {left}")
        self.done.clear()
        return Outcome(True, "everything the tour made is removed")

    # --- the probe's verdict ----------------------------------------------------------------------------
    def settle(self, spec: ProbeSpec, stats: Callable[[], ProbeStats | None], clear: Callable[[], None],
               cancelled: Callable[[], bool] = lambda: False, told: Progress = lambda _: None) -> tuple[bool, str]:
        """Whether the probe shows what `spec` says within its timeout: (met, what it saw last)."""
        deadline = time.monotonic() + spec.timeout
        why = "no answers yet"
        while time.monotonic() < deadline and not cancelled():
            clear()
            round_end = time.monotonic() + max(3.0, 3 * ROUND_ANSWERS / PROBE_RATE)
            while time.monotonic() < min(round_end, deadline) and not cancelled():
                time.sleep(0.1)
                now = stats()
                if now is None:
                    continue
                why = judge(spec, now, self.real) or ""
                if not why:
                    return True, spec.words()
                if not why.endswith("so far"):
                    break
            told(why)
        return False, why
