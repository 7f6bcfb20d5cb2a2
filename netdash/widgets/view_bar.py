"""The line of views a narrow terminal switches between (Tree, Details, Probe, Events): which one is shown.

On a narrow terminal the dashboard shows one pane at a time, full width, rather than four panes too thin
to read; this line names them, marks the one on screen, and a click on a name asks for it (`Chosen`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget


class ViewBar(Widget, can_focus=False):
    DEFAULT_CSS = """
    ViewBar {
        height: 1;
        background: $panel;
    }
    """

    @dataclass
    class Chosen(Message):
        view: str

    def __init__(self, views: tuple[tuple[str, str], ...], *, id: str | None = None, key: str = "v") -> None:
        """`views`: (id, title) in order; `key`: the key that shows the next one (said at the end)."""
        super().__init__(id=id)
        self.views = views
        self.key = key
        self.current = views[0][0]
        self.spans: list[tuple[int, int, str]] = []

    def show(self, view: str) -> None:
        self.current = view
        self.refresh()

    def render(self) -> Text:
        line, spans = Text(no_wrap=True, overflow="crop"), []
        for view, title in self.views:
            start = line.cell_len
            line.append(f" {title} ", style="bold reverse" if view == self.current else "dim")
            spans.append((start, line.cell_len, view))
            line.append(" ")
        line.append(f"  {self.key}: next view", style="dim italic")
        self.spans = spans
        return line

    def on_click(self, event: events.Click) -> None:
        chosen = next((view for start, end, view in self.spans if start <= event.x < end), None)
        if chosen is not None:
            self.post_message(self.Chosen(chosen))
