"""The command bar: one line to type on (`:` opens it, as in k9s) and what it could become, under it.

It only shows: what the line means and what to suggest are the App's (`complete`, given at construction
as the key bar's `explain` is), so the widget knows no command, no catalog and no search. Tab writes the
highlighted suggestion (the first when none is) into the line; up and down move through the suggestions;
Enter posts `Submitted` with the line, or with the suggestion the arrows chose; Escape closes it. `say`
puts one line under it (what an unknown command gets), and the bar stays open to be corrected.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option


class Suggestion(NamedTuple):
    """A line the command could become (`text`), and how it is listed (`prompt`, plain text)."""

    text: str
    prompt: str


class CommandBar(Vertical, can_focus=False):
    DEFAULT_CSS = """
    CommandBar {
        dock: bottom;
        margin-bottom: 1;  /* above the key bar, docked at the bottom too */
        height: auto;
        display: none;
        background: $panel;
        border-top: solid $accent;
    }
    CommandBar.-open {
        display: block;
    }
    CommandBar > Horizontal {
        height: 1;
    }
    CommandBar #command-prompt {
        width: 2;
        padding: 0 0 0 1;
        color: $accent;
        text-style: bold;
    }
    CommandBar Input, CommandBar Input:focus {
        border: none;
        height: 1;
        width: 1fr;
        padding: 0 1 0 0;
        background: $panel;
    }
    CommandBar > OptionList {
        height: auto;
        max-height: 8;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        border: none;
        padding: 0 1;
        background: $panel;
    }
    CommandBar > #command-message {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    CommandBar > #command-message.-error {
        color: $error;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", tooltip="Close the command bar", id="command.close"),
        Binding("tab", "complete", "Complete", tooltip="Take the highlighted suggestion", id="command.complete"),
        Binding("down", "move(1)", "Next", show=False, tooltip="Highlight the next suggestion", id="command.next"),
        Binding("up", "move(-1)", "Previous", show=False, tooltip="Highlight the previous suggestion",
                id="command.previous"),
    ]

    class Submitted(Message):
        """Enter: the line as typed, or the suggestion the arrows chose."""

        def __init__(self, bar: CommandBar, text: str) -> None:
            self.bar = bar
            self.text = text
            super().__init__()

        @property
        def control(self) -> CommandBar:
            return self.bar

    class Closed(Message):
        """Escape: the bar is gone; the focus goes back to where it was."""

    def __init__(self, complete: Callable[[str], Sequence[Suggestion]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.complete = complete
        self.suggestions: list[Suggestion] = []
        #: whether the arrows chose a suggestion since the line last changed
        self.chosen = False

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static(":", id="command-prompt")
            yield Input(placeholder="fip ADDRESS, server NAME, unused, quota, an action's name, or anything to find",
                        id="command-input")
        yield OptionList(id="command-suggestions")
        yield Static("", id="command-message")

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    @property
    def value(self) -> str:
        return self.query_one(Input).value

    def open(self, text: str = "") -> None:
        self.add_class("-open")
        field = self.query_one(Input)
        field.value = text
        field.cursor_position = len(text)
        self.say("")
        self._suggest(text)
        self.screen.set_focus(field)

    def close(self) -> None:
        if self.is_open:
            self.remove_class("-open")
            self.post_message(self.Closed())

    def say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#command-message", Static)
        if not text and not message.display:
            return
        message.update(Text(text))
        message.set_class(error, "-error")
        message.display = bool(text)

    @on(Input.Changed, "#command-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.say("")
        self._suggest(event.value)

    @on(Input.Submitted, "#command-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        listed = self.query_one(OptionList)
        index = listed.highlighted
        if self.chosen and index is not None and index < len(self.suggestions):
            text = self.suggestions[index].text
        else:
            text = event.value
        self.post_message(self.Submitted(self, text))

    @on(OptionList.OptionSelected, "#command-suggestions")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index < len(self.suggestions):
            self.post_message(self.Submitted(self, self.suggestions[event.option_index].text))

    def _suggest(self, text: str) -> None:
        suggestions = list(self.complete(text))
        listed = self.query_one(OptionList)
        if suggestions == self.suggestions and listed.option_count == len(suggestions):
            return  # the same list (and the arrows' choice) stays: nothing to lay out again
        self.suggestions = suggestions
        self.chosen = False
        listed.clear_options()
        listed.add_options([Option(Text(s.prompt)) for s in self.suggestions])
        listed.display = bool(self.suggestions)
        listed.highlighted = None

    def action_close(self) -> None:
        self.close()

    def action_complete(self) -> None:
        if not self.suggestions:
            return
        index = self.query_one(OptionList).highlighted
        chosen = self.suggestions[index if self.chosen and index is not None else 0]
        field = self.query_one(Input)
        field.value = chosen.text + ("" if chosen.text.endswith(" ") else " ")
        field.cursor_position = len(field.value)

    def action_move(self, step: int) -> None:
        listed = self.query_one(OptionList)
        if not self.suggestions:
            return
        current = listed.highlighted if self.chosen and listed.highlighted is not None else (-1 if step > 0 else 0)
        listed.highlighted = (current + step) % len(self.suggestions)
        self.chosen = True
