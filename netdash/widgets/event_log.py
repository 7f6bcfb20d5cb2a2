"""The event log: one line per detected change or refresh outcome, with its time, coloured by severity.

It takes plain values (time, text, severity), not `cloud.events.ChangeEvent`, so the widget depends on
nothing but Textual (and `cloud.text`); the App turns events into lines.
"""

from __future__ import annotations

import bisect
import time

from rich.text import Text
from textual import events, on
from textual.widgets import RichLog

from netdash.cloud.text import visible

SEVERITY_STYLES = {"info": "", "warning": "yellow", "error": "bold red", "ok": "green"}


class EventLog(RichLog):
    """A bounded log of change events, in time order: a line stamped earlier than the last one (a refresh
    read before an action ended, logged after it) goes where its time puts it, and the log is redrawn."""

    def __init__(self, *, id: str | None = None, classes: str | None = None, max_lines: int = 2000) -> None:
        super().__init__(id=id, classes=classes, max_lines=max_lines, wrap=True, markup=False,
                         min_width=20)
        #: the plain lines written so far (tests read them; RichLog keeps only rendered strips)
        self.entries: list[tuple[float, str, str]] = []
        #: the width the lines were wrapped for (None: not drawn yet)
        self.wrapped_for: int | None = None

    def add_event(self, at: float, text: str, severity: str = "info") -> None:
        text = visible(text)  # names and the cloud's error messages: shown as text, never terminal control
        entry = (at, text, severity)
        late = bool(self.entries) and at < self.entries[-1][0]
        if late:  # after the last entry not later than it: equal times keep the order they came in
            self.entries.insert(bisect.bisect_right(self.entries, at, key=lambda e: e[0]), entry)
        else:
            self.entries.append(entry)
        del self.entries[: max(0, len(self.entries) - (self.max_lines or len(self.entries)))]
        if late:
            self.rewrite()
        else:
            self.write(self._line(*entry))

    def rewrite(self) -> None:
        self.clear()
        for line in self.entries:
            self.write(self._line(*line))

    @on(events.Resize)
    def _rewrap(self) -> None:
        """RichLog wraps a line once, for the width it has when the line is written: after the pane grows or
        shrinks (the terminal resized, the layout settling after start-up) its lines would be cropped, not
        wrapped again (the start-up hint lost the middle of its `export` line)."""
        width = self.scrollable_content_region.width
        if width and self.wrapped_for not in (None, width):
            self.rewrite()
        if width:
            self.wrapped_for = width

    @staticmethod
    def _line(at: float, text: str, severity: str) -> Text:
        stamp = time.strftime("%H:%M:%S", time.localtime(at))
        return Text.assemble((stamp, "bright_black"), " ", (text, SEVERITY_STYLES.get(severity, "")))
