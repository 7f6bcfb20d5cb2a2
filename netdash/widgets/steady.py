"""A `Static` that asks for a layout of the screen only when its content's height changed.

Why: `Static.update` lays the whole screen out again by default, in case the widget's size changed, and
on a large project those layouts were most of what was left of a key's wait during a refresh
(`bench.scale`, numbers in `bench/README.md`). The header re-renders every second and on every refresh,
the details pane on every cursor move, the probe's lines several times a second, and almost never with a
new height. Measuring the height (rendering the content once at the current width) is far cheaper than a
layout.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.widgets import Static


class SteadyStatic(Static):
    _lines: int | None = None

    def update(self, content: Any = "", *, layout: bool | None = None) -> None:
        """As `Static.update`; `layout=None` (the default): only when the height in lines changed."""
        lines, before = self._height_of(content), self._lines
        if layout is None:
            layout = lines is None or before is None or (lines != before and not self._fits(lines, before))
        self._lines = lines
        super().update(content, layout=layout)

    def _fits(self, *heights: int) -> bool:
        """Whether a widget of a set height (not `auto`) shows each of these heights whole: then its size
        and its scroll range (none) stay as they are, and moving between a one-line and a ten-line
        content needs no layout either."""
        height = self.styles.height
        return height is not None and not height.is_auto and max(heights) <= self.scrollable_content_region.height

    def _height_of(self, content: Any) -> int | None:
        width = self.scrollable_content_region.width if self.is_mounted else 0
        if width <= 0:
            return None  # not laid out yet: the layout to come measures it
        console = self.app.console
        renderable = Text(content) if isinstance(content, str) else content
        try:
            return len(console.render_lines(renderable, console.options.update_width(width), pad=False))
        except Exception:  # not a Rich renderable (a Textual Visual): let the layout measure it
            return None

    def on_resize(self, _event: events.Resize) -> None:
        self._lines = None  # measured at another width: the next update lays out again
