"""The tour pane: where a guided tour speaks. Full width under the tree, the details and the probe, so that
what it narrates and what changes are on screen together.

Attributes down: the App hands it a `TourView` (plain values) with `show()`; it has no keys of its own (the
tour's keys are the App's, so they work wherever the focus is) and never sees the tour engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from netdash.cloud.text import visible

#: the style of the status line by what it says
STATUS_STYLES = {"info": "bold", "ok": "bold green", "warning": "bold yellow", "error": "bold red",
                 "busy": "bold cyan"}


@dataclass(frozen=True)
class TourView:
    """What the pane shows: where the tour is, the step's words and commands, and how it is going."""

    tour: str
    #: "step 3/7" (or "ready", "finished")
    where: str
    title: str
    narration: str
    commands: tuple[str, ...] = ()
    status: str = ""
    severity: str = "info"
    #: the keys that do something now, in words ("] next · [ back · A auto-play · Q quit tour")
    keys: str = ""


def render_view(view: TourView) -> Text:
    text = Text()
    text.append(f"{visible(view.tour)} · {view.where}: ", style="bold")
    text.append(visible(view.title), style="bold underline")
    if view.status:  # second: on a small terminal the pane scrolls, and how the step went must show
        text.append("\n")
        text.append(visible(view.status), style=STATUS_STYLES.get(view.severity, "bold"))
    text.append("\n")
    text.append(visible(" ".join(view.narration.split())))  # the file's line breaks are not the screen's
    for command in view.commands:
        text.append("\n$ ", style="bright_black")
        text.append(visible(command), style="cyan")
    if view.keys:
        text.append(f"\n{view.keys}", style="bright_black")
    return text


class TourPane(Static):
    """The running tour's step, its commands and its status; hidden while no tour runs."""

    DEFAULT_CSS = """
    TourPane {
        dock: bottom;
        height: auto;
        max-height: 45%;
        overflow-y: auto;
        border: round $accent;
        border-title-color: $text;
        padding: 0 1;
        display: none;
    }
    TourPane.-shown { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        #: the view on screen (tests read it)
        self.view: TourView | None = None

    def show(self, view: TourView | None) -> None:
        self.view = view
        self.set_class(view is not None, "-shown")
        if view is not None:
            self.border_title = "Tour"
            self.update(render_view(view))
