"""What every action shares: the plan it shows, the result it reports, waiting with a timeout.

An action is a small single-use object built from what the user picked (names or ids): `plan(topology)`
resolves the picks against a snapshot and returns the steps in words (or a refusal); `execute(client, plan,
progress)` makes the change through `cloud.client`, waits for each step to take effect, verifies the end
state and returns a `Result`; `verify(client)` re-reads the cloud and names what is not as intended. The
dashboard and the command line drive the same objects; neither knows how an action works.

Outcomes, and the command line's exit status for each:
- `done` (0): every step took effect and the end state was read back;
- `rolled back` (1): a step failed and the cloud is as it was before (read back);
- `refused` (2): the plan, or the cloud at the first change, said no; nothing changed;
- `failed` (3): a step failed and the cloud may be left changed; the lines say where things are.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from netdash.cloud.errors import ApiError, NetdashError
from netdash.cloud.model import Topology

Progress = Callable[[str], None]

DONE = "done"
ROLLED_BACK = "rolled back"
REFUSED = "refused"
FAILED = "failed"
EXIT_STATUS = {DONE: 0, ROLLED_BACK: 1, REFUSED: 2, FAILED: 3}


class Refused(NetdashError):
    """A precondition does not hold (unknown name, target that cannot take it...): nothing was changed."""

    title = "Action refused"


class StepTimeout(NetdashError):
    """A change was accepted but did not take effect in time."""

    title = "Timed out"


@dataclass(frozen=True)
class Plan:
    """What an action will do, in words, before it does it; `refusal` instead when it cannot."""

    title: str
    steps: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    refusal: str | None = None

    @property
    def refused(self) -> bool:
        return self.refusal is not None

    def lines(self) -> list[str]:
        if self.refusal is not None:
            return [f"{self.title}: refused: {self.refusal}"]
        return [self.title, *(f"  {n}. {step}" for n, step in enumerate(self.steps, 1)),
                *(f"  {note}" for note in self.notes)]


@dataclass(frozen=True)
class Result:
    """How it ended: `outcome` (see the module docstring), one summary line, and what happened in order."""

    outcome: str
    summary: str
    lines: tuple[str, ...] = ()
    failed_step: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == DONE

    @property
    def exit_status(self) -> int:
        return EXIT_STATUS[self.outcome]


def is_refusal(exc: NetdashError) -> bool:
    """The cloud said no to the request itself (4xx, or 501 "not supported"): nothing was changed."""
    status = exc.status if isinstance(exc, ApiError) else None
    return status is not None and (400 <= status < 500 or status == 501)


def wait_until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll `check` (a read of the cloud) until it is truthy; StepTimeout naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    interval = 0.05
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise StepTimeout(f"{what}: not done after {timeout:g} s")
        time.sleep(interval)
        interval = min(interval * 1.5, 0.2)


class Action:
    """The common frame: `_plan` may raise Refused; subclasses keep what they resolved on `self`."""

    #: the verb shown in keys, the palette and the CLI (`move floating IP`)
    name = ""
    #: seconds each step may take to take effect
    timeout = 60.0

    def __init__(self) -> None:
        self.planned: Plan | None = None

    def plan(self, topology: Topology) -> Plan:
        try:
            plan = self._plan(topology)
        except Refused as exc:
            plan = Plan(title=self.describe(), refusal=exc.message)
        self.planned = plan
        return plan

    def describe(self) -> str:
        return self.name

    def _plan(self, topology: Topology) -> Plan:
        raise NotImplementedError

    def execute(self, client: Any, plan: Plan, progress: Progress) -> Result:
        raise NotImplementedError

    def verify(self, client: Any) -> str | None:
        """None when the cloud is in the intended end state, else what differs (one line)."""
        raise NotImplementedError


class SingleChange(Action):
    """An action that is one request plus a wait: the FIP, pool, member and server actions.

    A refusal by the cloud is `refused`; any other failure is `rolled back` when a re-read shows nothing
    changed (the request did not take), else `failed` with where things are.
    """

    def change(self, client: Any, progress: Progress) -> None:
        raise NotImplementedError

    def settled(self, client: Any) -> bool:
        """Polled after the change until true: the change has taken effect (status ACTIVE, ...)."""
        return True

    def unchanged(self, client: Any) -> bool:
        """After a failed change: is the cloud as it was? (True when it cannot have changed.)"""
        return False

    def state(self, client: Any) -> str:
        """Where things are now, for a failure report."""
        return ""

    def done_text(self, plan: Plan) -> str:
        """The summary of a verified success (the allocated address, say)."""
        return plan.title

    def execute(self, client: Any, plan: Plan, progress: Progress) -> Result:
        if plan.refusal is not None:
            return Result(REFUSED, plan.refusal)
        step = plan.steps[0] if plan.steps else plan.title
        progress(step)
        try:
            self.change(client, progress)
        except NetdashError as exc:
            if is_refusal(exc):
                return Result(REFUSED, f"the cloud refused: {exc.message}", (f"{step}: {exc.message}",), step)
            return self._failed(client, step, exc)
        try:
            progress("waiting for the change to take effect")
            wait_until(lambda: self.settled(client), self.timeout, step)
            problem = self.verify(client)
        except NetdashError as exc:
            return self._failed(client, step, exc)
        if problem is not None:
            return Result(FAILED, f"not verified: {problem}", (f"{step}: done, but {problem}",), step)
        return Result(DONE, f"done: {self.done_text(plan)}", (f"{step}: done, verified",))

    def _failed(self, client: Any, step: str, exc: NetdashError) -> Result:
        try:
            same = self.unchanged(client)
            where = self.state(client)
        except NetdashError as again:
            same, where = False, f"state unknown: {again.message}"
        lines = (f"{step}: failed: {exc.message}", *([where] if where else []))
        if same:
            return Result(ROLLED_BACK, f"failed, nothing changed: {exc.message}", lines, step)
        return Result(FAILED, f"failed, the cloud may be changed: {exc.message}", lines, step)
