"""Screens above the dashboard: the key help (`?`).

A `ModalScreen` so the dashboard underneath keeps its state; while one is open the App holds the tree's
refreshes back and applies them when it closes (dolphie's rule: never repaint under a modal); the event
log goes on. With the embedded cloud, it also shows how to point the `openstack` CLI at it.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class KeysScreen(ModalScreen[None]):
    """Every key of the dashboard with what it does and why you would press it."""

    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close", tooltip="Back to the dashboard", id="keys.close"),
        Binding("c", "copy_environment", "Copy", tooltip="Copy the openstack CLI's settings for this cloud",
                id="keys.copy-environment"),
    ]

    def __init__(self, rows: list[tuple[str, str, str]], environment: str | None = None) -> None:
        super().__init__()
        self.rows = rows
        #: the shell line for the `openstack` CLI, when netdash runs the embedded cloud
        self.environment = environment

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(style="dim")
        for key, description, tooltip in self.rows:  # Text: a binding id's [brackets] are not markup
            table.add_row(Text(key), Text(description), Text(tooltip))
        with VerticalScroll(id="keys-dialog") as dialog:
            dialog.border_title = "Keys"
            dialog.border_subtitle = "esc to close"
            if self.environment is not None:
                yield Static(Text.assemble(("The openstack CLI reaches this embedded cloud with", "bold"),
                                           " (c copies it):\n", self.environment, "\n"), id="keys-environment")
            yield Static(table, id="keys-table")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.environment is not None if action == "copy_environment" else True

    def action_copy_environment(self) -> None:
        if self.environment is not None:
            self.app.copy_to_clipboard(self.environment)
            self.notify(self.environment, title="Copied")

    def action_close(self) -> None:
        self.dismiss(None)
