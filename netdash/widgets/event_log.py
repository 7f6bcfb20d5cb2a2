"""The event log: one line per detected change or refresh outcome, with its time, coloured by severity.

It takes plain values (time, text, severity), not `cloud.events.ChangeEvent`, so the widget depends on
nothing but Textual (and `cloud.text`); the App turns events into lines.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual.widgets import RichLog

from netdash.cloud.text import visible

SEVERITY_STYLES = {"info": "", "warning": "yellow", "error": "bold red", "ok": "green"}


class EventLog(RichLog):
    """A bounded, append-only log of change events."""

    def __init__(self, *, id: str | None = None, classes: str | None = None, max_lines: int = 2000) -> None:
        super().__init__(id=id, classes=classes, max_lines=max_lines, wrap=True, markup=False,
                         min_width=20)
        #: the plain lines written so far (tests read them; RichLog keeps only rendered strips)
        self.entries: list[tuple[float, str, str]] = []

    def add_event(self, at: float, text: str, severity: str = "info") -> None:
        text = visible(text)  # names and the cloud's error messages: shown as text, never terminal control
        self.entries.append((at, text, severity))
        del self.entries[: max(0, len(self.entries) - (self.max_lines or len(self.entries)))]
        stamp = time.strftime("%H:%M:%S", time.localtime(at))
        self.write(Text.assemble((stamp, "bright_black"), " ", (text, SEVERITY_STYLES.get(severity, ""))))
