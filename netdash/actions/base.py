"""What every action shares: the plan it shows, the result it reports, waiting with a timeout.

An action is a small single-use object built from what the user picked (names or ids): `plan(topology,
cloud)` resolves the picks against a snapshot and returns the steps in words (or a refusal); `execute(cloud,
plan, progress)` makes the change through the `CloudWrites` seam, waits for each step to take effect,
verifies the end state and returns a `Result`; `verify(cloud)` re-reads the cloud and names what is not as
intended. The dashboard and the command line drive the same objects; neither knows how an action works.

Each action class also carries its contract, which `actions.catalog.CATALOG` hands to every front end: its
key, label and tooltip, the tree node kinds it applies to, `applies_to` (the rule that hides its key and is
the plan's first refusal), the `Param`s its constructor takes (each with its command-line form, and where
the dashboard gets it: the selected node, or a `Pick` the user makes), and its command-line verb.

Outcomes, and the command line's exit status for each:
- `done` (0): every step took effect and the end state was read back;
- `rolled back` (1): a step failed and the cloud is as it was before (read back);
- `refused` (2): the plan, or the cloud at the first change, said no; nothing changed;
- `failed` (3): a step failed and the cloud may be left changed; the lines say where things are;
- `traffic disagrees` (4): every step took effect and was read back, but the traffic probed after it
  still contradicts what the cloud says (`actions.traffic`): a data plane that did not follow its API.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from netdash.cloud.api import CloudWrites
from netdash.cloud.caller import until as requests_until
from netdash.cloud.errors import ApiError, CloudUnreachable, NetdashError
from netdash.cloud.model import Resource, Topology
from netdash.cloud.naming import kind_name
from netdash.cloud.text import visible

from .journal import Entry

Progress = Callable[[str], None]
T = TypeVar("T")

#: how `Result.lines` records a step that went as announced (the event log keeps these; a terminal that
#: printed the step's progress line does not need them again)
STEP_DONE = re.compile(r"step \d+/\d+ done: ")

DONE = "done"
ROLLED_BACK = "rolled back"
REFUSED = "refused"
#: the user said no to the plan: nothing was sent (exit status as a refusal's)
CANCELLED = "cancelled"
FAILED = "failed"
#: done by the API, contradicted by the traffic probed after it (`actions.traffic`)
DISPUTED = "traffic disagrees"
EXIT_STATUS = {DONE: 0, ROLLED_BACK: 1, REFUSED: 2, CANCELLED: 2, FAILED: 3, DISPUTED: 4}


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

    def __post_init__(self) -> None:
        # what a person reads quotes names any user of the project can set: text, never terminal control
        object.__setattr__(self, "title", visible(self.title))
        object.__setattr__(self, "steps", tuple(visible(step) for step in self.steps))
        object.__setattr__(self, "notes", tuple(visible(note) for note in self.notes))
        if self.refusal is not None:
            object.__setattr__(self, "refusal", visible(self.refusal))

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

    def __post_init__(self) -> None:  # as Plan's
        object.__setattr__(self, "summary", visible(self.summary))
        object.__setattr__(self, "lines", tuple(visible(line) for line in self.lines))

    @property
    def ok(self) -> bool:
        return self.outcome == DONE

    @property
    def beyond_progress(self) -> tuple[str, ...]:
        """The lines a front end that showed the progress as it came has not said yet: every line but the
        records of steps that ended as their progress line announced (`step 2/4 done: ...`)."""
        return tuple(line for line in self.lines if not STEP_DONE.match(line))

    @property
    def exit_status(self) -> int:
        return EXIT_STATUS[self.outcome]


def is_refusal(exc: NetdashError) -> bool:
    """The cloud said no to the request itself (4xx, or 501 "not supported"): nothing was changed."""
    status = exc.status if isinstance(exc, ApiError) else None
    return status is not None and (400 <= status < 500 or status == 501)


def _plain(value: object) -> bool:
    """JSON that reads back as it was written (tuples come back as lists, which the actions accept)."""
    if value is None or isinstance(value, str | int | float | bool):
        return True
    if isinstance(value, list | tuple):
        return all(_plain(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and _plain(item) for key, item in value.items())
    return False


#: answers that say "not now" rather than "no": a read that gets one is worth trying again
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})


def is_transient(exc: NetdashError) -> bool:
    """The cloud did not answer, or answered "try again" (5xx, 429): a read may well succeed next time.

    Not a 429 the session gave up on (`retry_after` set): it has already waited what the cloud asked, within
    the step's deadline (`cloud.caller`), and the wait that is left ends past it; asking sooner is what
    429 refuses, and waiting again here would double the waits."""
    if isinstance(exc, CloudUnreachable):
        return True
    return isinstance(exc, ApiError) and exc.status in TRANSIENT_STATUSES and exc.retry_after is None


def wait_until(check: Callable[[], T], timeout: float, what: str) -> T:
    """Poll `check` (a read of the cloud) until it is truthy; StepTimeout naming `what` after `timeout` s.

    A read that fails transiently (`is_transient`) is tried again within the same deadline: one 503 while
    waiting says nothing about the change, and must not turn a change that took effect into a failure. A
    read that meets 429 waits out its Retry-After in the session, within the same deadline."""
    deadline = time.monotonic() + timeout
    interval = 0.05
    while True:
        try:
            with requests_until(deadline):
                value = check()
        except NetdashError as exc:
            if not is_transient(exc) or time.monotonic() >= deadline:
                raise
            value = None
        if value:
            return value
        if time.monotonic() >= deadline:
            raise StepTimeout(f"{what}: not done after {timeout:g} s")
        time.sleep(interval)
        interval = min(interval * 1.5, 0.5)


def reading(read: Callable[[], T], timeout: float = 20.0) -> T:
    """A read of the cloud, tried again with back-off while it fails transiently, up to `timeout` s (a 429's
    Retry-After is waited out by the session within the same `timeout`)."""
    deadline = time.monotonic() + timeout
    interval = 0.1
    while True:
        try:
            with requests_until(deadline):
                return read()
        except NetdashError as exc:
            if not is_transient(exc) or time.monotonic() + interval > deadline:
                raise
        time.sleep(interval)
        interval = min(interval * 2, 2.0)


@dataclass
class Control:
    """What a front end lends a running action: whether the user asked it to stop (Ctrl-C, SIGTERM, a
    closed terminal) and the journal its steps are written to before they are sent."""

    cancelled: Callable[[], bool] = lambda: False
    journal: Entry | None = None

    def record(self, event: str, **fields: Any) -> None:
        if self.journal is not None:
            self.journal.record(event, **fields)


@dataclass(frozen=True)
class Choice:
    """One thing a picker offers: the value the action gets, what the user reads, whether it can be chosen."""

    value: str
    label: str
    enabled: bool = True

    def __post_init__(self) -> None:  # as Plan's
        object.__setattr__(self, "label", visible(self.label))


@dataclass(frozen=True)
class Pick:
    """A question the dashboard asks before planning: a title and the choices."""

    title: str
    choices: tuple[Choice, ...]

    def __post_init__(self) -> None:  # as Plan's
        object.__setattr__(self, "title", visible(self.title))


#: what a dashboard flow has gathered so far: constructor keyword -> value
Args = Mapping[str, str | bool | None]
#: fills a parameter from the selected node (its kind, the model object): None when it cannot
FromSelection = Callable[[str, Resource | None], str | None]
#: what the dashboard asks for a parameter, given the snapshot and what is known: a `Pick` to ask the user,
#: a value when there is nothing to choose (a server's only port), None to leave the default
Asker = Callable[[Topology, Args], "Pick | str | None"]


@dataclass(frozen=True)
class Param:
    """One constructor keyword of an action, in every front end's terms.

    On the command line it is a positional (`metavar`), an option (`option`, e.g. `--port-a`) or a flag
    (`flag`); in the dashboard it comes from the selection (`selected`), from a picker (`ask`), or stays at
    its `default`.
    """

    name: str
    metavar: str
    help: str
    option: str | None = None
    flag: bool = False
    default: str | bool | None = None
    selected: FromSelection | None = None
    ask: Asker | None = None


#: every action class with an `id` of its own, in definition order (`actions.catalog` imports them all)
REGISTERED: list[type[Action]] = []


class Action:
    """The common frame: `_plan` may raise Refused; subclasses keep what they resolved on `self`."""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("id"):
            REGISTERED.append(cls)

    # --- the contract (read by `actions.catalog`; see the module docstring) ---------------------------
    #: the catalog's name for it: binding id `actions.<id>`, palette and `?` entry
    id: ClassVar[str] = ""
    #: the verb shown in the plan's heading (`move floating IP`)
    name: ClassVar[str] = ""
    key: ClassVar[str] = ""
    label: ClassVar[str] = ""
    tooltip: ClassVar[str] = ""
    #: tree node kinds its key applies to ("section:<key>": on that section's title)
    kinds: ClassVar[tuple[str, ...]] = ()
    #: it changes what serves traffic: the confirmation starts on Cancel
    destructive: ClassVar[bool] = True
    #: what the confirmation of a destructive action says it does
    warning: ClassVar[str] = "This changes what is serving traffic"
    #: `netdash GROUP VERB` on the command line, and the verb's help
    command: ClassVar[tuple[str, str]] = ("", "")
    help: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()
    #: seconds each step may take to take effect
    timeout: ClassVar[float] = 60.0
    #: several steps: asked to stop while it runs, it finishes the step under way and rolls back (a single
    #: change, once sent, can only finish)
    stoppable: ClassVar[bool] = False
    #: its steps are written to a journal of its own before they are sent (`actions.running`)
    journaled: ClassVar[bool] = True

    @classmethod
    def applies_to(cls, kind: str, obj: Resource | None, topology: Topology) -> str | None:
        """Why this action cannot apply to `obj` (a node of `kind`), or None when it can. The dashboard
        offers its key where the kind fits (greyed where `refusal` says no); the plan refuses with the
        same words."""
        return cls.kind_refusal(kind, obj) or cls.refusal(obj, topology)

    @classmethod
    def kind_refusal(cls, kind: str, obj: Resource | None) -> str | None:
        """Why the selection is not the kind of thing this action is for (its key is not even shown)."""
        if kind not in cls.kinds:
            return f"{cls.label} is not an action for a {kind_name(kind) or 'selection'}"
        if obj is None and not kind.startswith("section:"):
            return "the selected object is gone"
        return None

    @classmethod
    def refusal(cls, obj: Resource | None, topology: Topology) -> str | None:
        """The action's own rule, once the kind fits: why not, or None."""
        return None

    def check(self, kind: str, obj: Resource, topology: Topology) -> None:
        """The plan's first refusal: the rule that decides whether the dashboard offers the key."""
        reason = self.applies_to(kind, obj, topology)
        if reason is not None:
            raise Refused(reason)

    def plan(self, topology: Topology, cloud: CloudWrites) -> Plan:
        try:
            return self._plan(topology, cloud)
        except Refused as exc:
            return Plan(title=self.describe(), refusal=exc.message)

    def describe(self) -> str:
        return self.name

    def touched(self) -> tuple[tuple[str, str], ...]:
        """The tree objects (kind, id) the planned action changes, shown as pending while it runs."""
        return ()

    def journal_state(self) -> dict[str, Any]:
        """What `netdash recover` needs of the planned action if its process dies half-way (JSON, no
        secret): ids, and the state before and after."""
        return {}

    @classmethod
    def resume(cls, state: dict[str, Any]) -> Action:
        """The planned action again, from its `journal_state` (`netdash recover`); Refused if it cannot be."""
        raise Refused(f"{cls.name} cannot be recovered by netdash")

    def where(self, cloud: CloudWrites) -> str:
        """Where the objects of the action are now, in one line (for `netdash recover`)."""
        return ""

    def journaled_as(self) -> Action:
        """The action its journal records (`netdash undo` is recorded as the inverse it runs)."""
        return self

    def inverse(self) -> Action:
        """The action that puts back what this one (as planned, or resumed from its journal) changed, for
        `netdash undo`; Refused, with why, where there is none that is safe."""
        raise Refused(f"{self.name} cannot be undone by netdash")

    def recover(self, cloud: CloudWrites, complete: bool, progress: Progress) -> Result:
        """From whatever the cloud holds now: on to the planned end state (`complete`), or back to the
        state before the action. Reads first, then acts: safe to run again."""
        raise NotImplementedError

    def _plan(self, topology: Topology, cloud: CloudWrites) -> Plan:
        raise NotImplementedError

    def execute(self, cloud: CloudWrites, plan: Plan, progress: Progress, control: Control | None = None) -> Result:
        raise NotImplementedError

    def verify(self, cloud: CloudWrites) -> str | None:
        """None when the cloud is in the intended end state, else what differs (one line)."""
        raise NotImplementedError


class SingleChange(Action):
    """An action that is one request plus a wait: the FIP, pool, member and server actions.

    A refusal by the cloud is `refused`; any other failure is `rolled back` when a re-read shows nothing
    changed (the request did not take), else `failed` with where things are.
    """

    def change(self, cloud: CloudWrites, progress: Progress) -> None:
        raise NotImplementedError

    def settled(self, cloud: CloudWrites) -> bool:
        """Polled after the change until true: the change has taken effect (status ACTIVE, ...)."""
        return True

    def unchanged(self, cloud: CloudWrites) -> bool:
        """After a failed change: is the cloud as it was? (True when it cannot have changed.)"""
        return False

    def state(self, cloud: CloudWrites) -> str:
        """Where things are now, for a failure report."""
        return ""

    def done_text(self, plan: Plan) -> str:
        """The summary of a verified success (the allocated address, say)."""
        return plan.title

    def revert(self, cloud: CloudWrites) -> None:
        """The request that puts back what `change` changed; Refused when there is none."""
        raise Refused(f"{self.name} has no inverse netdash can make: check the cloud by hand")

    # --- recovery: what the planned fields were, and the same requests again ---------------------------
    def journal_state(self) -> dict[str, Any]:
        """The resolved fields (ids, before and after), those that are plain JSON."""
        return {key: value for key, value in vars(self).items() if _plain(value)}

    @classmethod
    def resume(cls, state: dict[str, Any]) -> Action:
        action = cls.__new__(cls)
        action.__dict__.update(state)
        return action

    def where(self, cloud: CloudWrites) -> str:
        return reading(lambda: self.state(cloud))

    def recover(self, cloud: CloudWrites, complete: bool, progress: Progress) -> Result:
        if complete:
            if reading(lambda: self.verify(cloud)) is None:
                return Result(DONE, "done: the change had taken effect", (self.where(cloud),))
            return self.execute(cloud, Plan(title=self.describe(), steps=(f"{self.describe()} (again)",)), progress)
        if reading(lambda: self.unchanged(cloud)):
            return Result(ROLLED_BACK, "nothing to undo: the change had not taken effect", (self.where(cloud),))
        progress(f"undo: {self.describe()}")
        self.revert(cloud)
        wait_until(lambda: self.unchanged(cloud), self.timeout, f"undo {self.describe()}")
        return Result(ROLLED_BACK, "rolled back: the state before the action is restored", (self.where(cloud),))

    def execute(self, cloud: CloudWrites, plan: Plan, progress: Progress, control: Control | None = None) -> Result:
        """One request, then a wait for its effect. An interrupt before the request changes nothing; after
        it, the change is one request that has been made, so the wait runs to its end and says how it ended
        (a single change is never half-done)."""
        control = control or Control()
        if plan.refusal is not None:
            return Result(REFUSED, plan.refusal)
        step = plan.steps[0] if plan.steps else plan.title
        if control.cancelled():
            return Result(ROLLED_BACK, "interrupted before any change: nothing changed", (), step)
        control.record("step", n=1, of=1, text=step, phase="sent")
        progress(step)
        try:
            self.change(cloud, progress)
        except NetdashError as exc:
            control.record("step", n=1, of=1, text=step, phase="failed")
            if isinstance(exc, Refused):  # a precondition checked again at the last moment: nothing was sent
                return Result(REFUSED, exc.message, (f"{step}: {exc.message}",), step)
            if is_refusal(exc):
                return Result(REFUSED, f"the cloud refused: {exc.message}", (f"{step}: {exc.message}",), step)
            return self._failed(cloud, step, exc)
        try:
            progress("waiting for the change to take effect")
            wait_until(lambda: self.settled(cloud), self.timeout, step)
            problem = reading(lambda: self.verify(cloud))
        except NetdashError as exc:
            return self._failed(cloud, step, exc)
        control.record("step", n=1, of=1, text=step, phase="done")
        if problem is not None:
            return Result(FAILED, f"not verified: {problem}", (f"{step}: done, but {problem}",), step)
        return Result(DONE, f"done: {self.done_text(plan)}", (f"{step}: done, verified",))

    def _failed(self, cloud: CloudWrites, step: str, exc: NetdashError) -> Result:
        try:
            same = reading(lambda: self.unchanged(cloud))
            where = reading(lambda: self.state(cloud))
        except NetdashError as again:
            same, where = False, f"state unknown: {again.message}"
        lines = (f"{step}: failed: {exc.message}", *([where] if where else []))
        if same:
            return Result(ROLLED_BACK, f"failed, nothing changed: {exc.message}", lines, step)
        return Result(FAILED, f"failed, the cloud may be changed: {exc.message}", lines, step)
