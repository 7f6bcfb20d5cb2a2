"""The screens an action goes through: pickers for what it needs, then one modal for plan, progress, result.

`PickScreen` is a `ModalScreen[str | None]`: a list of choices (some may be shown but disabled, as the
current algorithm is), the chosen id or None. `ActionScreen` is a `ModalScreen[bool]` that owns its action
from plan to result (Textual's rule: the widget that starts a worker owns it): a thread worker plans it and
the screen shows the plan (or the refusal); it asks for confirmation with the focus on Cancel when the
action is destructive; once confirmed, a thread worker runs it and the screen shows each progress line and
the result (with the traffic probed before and after, `actions.traffic`). Upwards it posts three messages,
`Started` (what the action touches, to be marked pending), `Changed` (its requests are done: the probe
follows now, while the traffic proof still runs) and `Finished` (the result): the App marks, logs and
refreshes. It dismisses with whether the action ran.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, RichLog, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from netdash.actions import CANCELLED, DISPUTED, DONE, FAILED, REFUSED, Action, Plan, Result, journal, running
from netdash.actions.traffic import TrafficProof
from netdash.cloud.api import CloudApi
from netdash.cloud.caller import telling
from netdash.cloud.errors import NetdashError
from netdash.cloud.model import Topology
from netdash.cloud.text import visible

#: the severity of each outcome, for the event log and the result line
OUTCOME_SEVERITY = {DONE: "ok", REFUSED: "warning", CANCELLED: "warning", "rolled back": "warning",
                    DISPUTED: "warning", "failed": "error"}


def outcome_line(result: Result) -> str:
    """`done: move floating IP ...`, `rolled back: failed, nothing changed: ...` (the outcome said once)."""
    return result.summary if result.summary.startswith(result.outcome) else f"{result.outcome}: {result.summary}"


class PickScreen(ModalScreen[str | None]):
    """Choose one of `choices` ((id, label, enabled)); dismisses with the id, or None on escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Choose nothing and go back", id="pick.cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str, bool]]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-dialog", classes="action-dialog") as dialog:
            dialog.border_title = escape(self.title_text)  # it names objects: markup in a name is text
            dialog.border_subtitle = "enter to choose, esc to cancel"
            yield OptionList(*(Option(Text(label), id=key, disabled=not enabled)  # Text: a name is never markup
                               for key, label, enabled in self.choices), id="pick-list")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        first = next((n for n, (_, _, enabled) in enumerate(self.choices) if enabled), None)
        options.highlighted = first
        options.focus()

    def choose(self, key: str) -> None:
        """Highlight the choice with id `key` (tests and the palette use it)."""
        options = self.query_one(OptionList)
        options.highlighted = options.get_option_index(key)

    @on(OptionList.OptionSelected, "#pick-list")
    def _selected(self, message: OptionList.OptionSelected) -> None:
        self.dismiss(message.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


#: objects an action touches, as the tree names them: (kind, id), ("section", key) for a section's title
Touched = tuple[tuple[str, str], ...]


class ActionScreen(ModalScreen[bool]):
    """Plan -> confirm -> progress -> result, for one action; `phase` says where it is."""

    BINDINGS = [Binding("escape", "close", "Cancel", tooltip="Go back without running the action, or close",
                        id="action.close"),
                Binding("y", "confirm", "Run", tooltip="Run the planned action", id="action.confirm"),
                Binding("n", "close", "Cancel", show=False, id="action.cancel")]

    @dataclass
    class Started(Message):
        """The user confirmed the plan and the action runs: these objects are about to change."""

        plan: Plan
        touched: Touched

    @dataclass
    class Changed(Message):
        """The action's requests are done (its traffic proof may still run): these objects may have changed."""

        touched: Touched

    @dataclass
    class Finished(Message):
        """The action ended (or its plan was refused: `ran` is False): its result."""

        result: Result
        ran: bool

    @dataclass
    class Planned(Message, bubble=False):
        plan: Plan

    @dataclass
    class Progress(Message, bubble=False):
        line: str

    @dataclass
    class Ran(Message, bubble=False):
        result: Result

    def __init__(self, action: Action, topology: Topology, cloud: CloudApi, *, proof: bool = True) -> None:
        """`proof`: probe the addresses the action changes before and after it (`actions.traffic`)."""
        super().__init__()
        self.proof = proof
        self.action = action
        self.topology = topology
        self.cloud = cloud
        #: set to stop a running action: the step under way finishes, then the roll-back runs
        self.stop_requested = threading.Event()
        self.title_text = action.name[:1].upper() + action.name[1:]
        self.destructive = action.destructive
        #: planning | confirm | refused | running | finished
        self.phase = "planning"
        self.plan: Plan | None = None
        self.result: Result | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="action-dialog", classes="action-dialog") as dialog:
            dialog.border_title = self.title_text
            with VerticalScroll(id="action-plan-box"):
                yield Static("planning…", id="action-plan")
            yield RichLog(id="action-progress", wrap=True, markup=False, auto_scroll=True)
            with Vertical(id="action-footer"):  # docked at the bottom (app.tcss): always on screen
                yield Static("", id="action-result")
                with Horizontal(id="action-buttons"):
                    yield Button("Run (y)", id="action-run", variant="error" if self.destructive else "primary",
                                 disabled=True)
                    yield Button("Cancel (n)", id="action-cancel")

    def on_mount(self) -> None:
        self.query_one("#action-cancel", Button).focus()
        self._make_plan()

    # --- the workers: they only post ------------------------------------------------------------------
    @work(thread=True, group="actions", exit_on_error=False, description="plan an action")
    def _make_plan(self) -> None:
        try:
            plan = self.action.plan(self.topology, self.cloud)
        except NetdashError as exc:
            plan = Plan(title=self.action.describe(), refusal=f"could not read the cloud: {exc.message}")
        if not get_current_worker().is_cancelled:
            self.post_message(self.Planned(plan))

    @work(thread=True, group="actions", exit_on_error=False, description="run an action")
    def _run_action(self, plan: Plan) -> None:
        worker = get_current_worker()

        def progress(line: str) -> None:
            if not worker.is_cancelled:
                self.post_message(self.Progress(line))

        told = threading.Event()

        def changed() -> None:
            if not told.is_set():
                told.set()
                self.post_message(self.Changed(self.action.touched()))

        try:
            with telling(progress):  # a 429's wait shows in the modal as it happens
                proof = TrafficProof(self.topology, self.action.touched()) if self.proof else None
                result = running.execute(self.action, self.cloud, self.cloud.info, plan, progress,
                                         cancelled=self.stop_requested.is_set, proof=proof, changed=changed)
        except journal.JournalError as exc:
            result = Result(REFUSED, f"{exc}: nothing changed")
        except NetdashError as exc:
            result = Result(FAILED, f"failed, the cloud may be changed: {exc.message}", (exc.message,))
        except Exception as exc:  # a bug in an action must end in a report, not a crash
            result = Result(FAILED, f"failed: {type(exc).__name__}: {exc}")
        changed()  # also when the action raised: the cloud may be changed
        if not worker.is_cancelled:
            self.post_message(self.Ran(result))

    @on(Planned)
    def _planned(self, message: Planned) -> None:
        self.show_plan(message.plan)
        if message.plan.refusal is not None:
            self.post_message(self.Finished(Result(REFUSED, message.plan.lines()[0]), ran=False))

    @on(Progress)
    def _progress(self, message: Progress) -> None:
        self.add_progress(message.line)

    @on(Ran)
    def _ran(self, message: Ran) -> None:
        self.show_result(message.result)
        self.post_message(self.Finished(message.result, ran=True))

    # --- what it shows --------------------------------------------------------------------------------
    def show_plan(self, plan: Plan) -> None:
        self.plan = plan
        text = Text("\n".join(plan.lines()))
        run = self.query_one("#action-run", Button)
        cancel = self.query_one("#action-cancel", Button)
        if plan.refused:
            self.phase = "refused"
            text.stylize("bold yellow")
            run.display = False
            cancel.label = "Close"
            cancel.focus()
        else:
            self.phase = "confirm"
            if self.destructive:
                text.append(f"\n\n{self.action.warning}: press y to run it, n to cancel.", style="bold")
            self.query_one("#action-dialog").border_subtitle = "y run · n or esc cancel"
            run.disabled = False
            (cancel if self.destructive else run).focus()
        self.query_one("#action-plan", Static).update(text)

    def add_progress(self, line: str) -> None:
        self.query_one("#action-progress", RichLog).write(Text(visible(line)))  # names from the cloud: text

    def show_result(self, result: Result) -> None:
        self.result = result
        self.phase = "finished"
        for line in result.beyond_progress:  # the steps are above, as they started
            self.add_progress(line)
        style = {"ok": "bold green", "warning": "bold yellow"}.get(OUTCOME_SEVERITY.get(result.outcome, ""),
                                                                     "bold red")
        self.query_one("#action-result", Static).update(Text(outcome_line(result), style=style))
        self.query_one("#action-run", Button).display = False
        cancel = self.query_one("#action-cancel", Button)
        cancel.label = "Close"
        cancel.disabled = False
        cancel.focus()

    # --- keys and buttons -----------------------------------------------------------------------------
    @on(Button.Pressed, "#action-run")
    def action_confirm(self) -> None:
        if self.phase != "confirm" or self.plan is None:
            return
        self.query_one("#action-dialog").border_subtitle = ""
        self.phase = "running"
        self.query_one("#action-run", Button).disabled = True
        self.add_progress("running…")
        cancel = self.query_one("#action-cancel", Button)
        cancel.label = "Stop (roll back)"
        cancel.disabled = not self.action.stoppable
        self.post_message(self.Started(self.plan, self.action.touched()))
        self._run_action(self.plan)

    def request_stop(self) -> None:
        """Stop the running action: the step under way finishes, then what was done is rolled back."""
        if self.phase == "running" and self.action.stoppable and not self.stop_requested.is_set():
            self.stop_requested.set()
            self.add_progress("stopping: the current step finishes, then the roll-back runs")
            self.query_one("#action-cancel", Button).disabled = True

    @on(Button.Pressed, "#action-cancel")
    def _cancel(self) -> None:
        self.action_close()

    def action_close(self) -> None:
        if self.phase == "running":  # never half-way: the step finishes and the roll-back runs
            if self.action.stoppable:
                self.request_stop()
            else:
                self.notify("One request, already sent: it finishes in a moment.", severity="warning")
            return
        if self.phase in ("planning", "confirm"):  # said in the event log: a cancel is never silent
            title = self.plan.title if self.plan is not None else self.action.describe()
            cancelled = Result(CANCELLED, f"cancelled, nothing changed: {title}")
            self.app.post_message(self.Finished(cancelled, ran=False))  # the App's: this screen is going
        self.dismiss(self.phase == "finished")
