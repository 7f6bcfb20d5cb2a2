"""The screens an action goes through: pickers for what it needs, then one modal for plan, progress, result.

`PickScreen` is a `ModalScreen[str | None]`: a list of choices (some may be shown but disabled, as the
current algorithm is), the chosen id or None. `ActionScreen` is a `ModalScreen[bool]`: it shows the plan
(or the refusal) as soon as the planning worker posts it, asks for confirmation with the focus on Cancel
when the action is destructive, posts `ActionScreen.Confirmed` when the user runs it, then shows the
progress lines and the result the App hands it (attributes down), and dismisses with whether it ran.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, RichLog, Static
from textual.widgets.option_list import Option

from netdash.actions import DONE, REFUSED, Plan, Result

#: the severity of each outcome, for the event log and the result line
OUTCOME_SEVERITY = {DONE: "ok", REFUSED: "warning", "rolled back": "warning", "failed": "error"}


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
            dialog.border_title = self.title_text
            dialog.border_subtitle = "enter to choose, esc to cancel"
            yield OptionList(*(Option(label, id=key, disabled=not enabled) for key, label, enabled in self.choices),
                             id="pick-list")

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


class ActionScreen(ModalScreen[bool]):
    """Plan -> confirm -> progress -> result, for one action; `phase` says where it is."""

    BINDINGS = [Binding("escape", "close", "Cancel", tooltip="Go back without running the action, or close",
                        id="action.close")]

    class Confirmed(Message):
        """The user chose to run the planned action."""

        def __init__(self, token: int) -> None:
            self.token = token
            super().__init__()

    def __init__(self, token: int, title: str, destructive: bool) -> None:
        super().__init__()
        self.token = token
        self.title_text = title
        self.destructive = destructive
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
            yield Static("", id="action-result")
            with Horizontal(id="action-buttons"):
                yield Button("Run", id="action-run", variant="error" if self.destructive else "primary",
                             disabled=True)
                yield Button("Cancel", id="action-cancel")

    def on_mount(self) -> None:
        self.query_one("#action-cancel", Button).focus()

    # --- attributes down ------------------------------------------------------------------------------
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
                text.append("\n\nThis changes what is serving traffic: confirm to run it.", style="bold")
            run.disabled = False
            (cancel if self.destructive else run).focus()
        self.query_one("#action-plan", Static).update(text)

    def add_progress(self, line: str) -> None:
        self.query_one("#action-progress", RichLog).write(line)

    def show_result(self, result: Result) -> None:
        self.result = result
        self.phase = "finished"
        for line in result.lines:
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
    def _run(self) -> None:
        if self.phase != "confirm":
            return
        self.phase = "running"
        self.query_one("#action-run", Button).disabled = True
        self.query_one("#action-cancel", Button).disabled = True
        self.add_progress("running…")
        self.post_message(self.Confirmed(self.token))

    @on(Button.Pressed, "#action-cancel")
    def _cancel(self) -> None:
        self.action_close()

    def action_close(self) -> None:
        if self.phase == "running":
            self.notify("The action is running: it cannot be stopped half-way.", severity="warning")
            return
        self.dismiss(self.phase == "finished")
