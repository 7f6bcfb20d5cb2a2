"""Screens above the dashboard: the key help (`?`).

A `ModalScreen` so the dashboard underneath keeps its state; while one is open the App holds refreshes
back and applies them when it closes (dolphie's rule: never repaint under a modal).
"""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class KeysScreen(ModalScreen[None]):
    """Every key of the dashboard with what it does and why you would press it."""

    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close", tooltip="Back to the dashboard", id="keys.close"),
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(style="dim")
        for key, description, tooltip in self.rows:
            table.add_row(key, description, tooltip)
        with VerticalScroll(id="keys-dialog") as dialog:
            dialog.border_title = "Keys"
            dialog.border_subtitle = "esc to close"
            yield Static(table, id="keys-table")

    def action_close(self) -> None:
        self.dismiss(None)
