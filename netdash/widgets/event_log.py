"""The event log: one line per detected change or refresh outcome, with its time, coloured by severity.

It takes plain values (time, text, severity), not `cloud.events.ChangeEvent`, so the widget depends on
nothing but Textual (and `cloud.text`); the App turns events into lines.
"""

from __future__ import annotations

import bisect
import time

from rich.text import Text
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
            self.clear()
            for line in self.entries:
                self.write(self._line(*line))
        else:
            self.write(self._line(*entry))

    @staticmethod
    def _line(at: float, text: str, severity: str) -> Text:
        stamp = time.strftime("%H:%M:%S", time.localtime(at))
        return Text.assemble((stamp, "bright_black"), " ", (text, SEVERITY_STYLES.get(severity, "")))
