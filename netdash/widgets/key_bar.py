"""The bottom line of keys: what applies to the selection now, drawn as one line of text.

Why not Textual's `Footer`: it is a container of one widget per key, rebuilt (unmounted, mounted, styled)
whenever the offered keys change, which was what the slowest keys of a refresh waited for (`bench.scale`,
numbers in `bench/README.md`). Moving the cursor from a network to a port changes the offered keys, so the cost landed
on the very keys the operator was pressing. Here a change of keys is one `Text` built and one line
repainted. It looks and clicks like the Footer: each key in the footer's colours, keys that do not fit
the selection greyed (Textual's `check_action` answering None) or absent (False), the command palette's
key on the right; clicking a key presses it. Hovering a greyed key shows why it does not apply (`explain`,
given by the App: the same rule the plan refuses with).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import events
from textual.widget import Widget

#: (first cell, cell after the last, key) of each key on the line, for clicks
Spans = list[tuple[int, int, str]]


class KeyBar(Widget, can_focus=False):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-bar--separator {
            color: $foreground 20%;
        }
    }
    """
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--separator"}

    def __init__(self, *, id: str | None = None, explain: Callable[[str], str | None] | None = None) -> None:
        super().__init__(id=id)
        self.spans: Spans = []
        #: why the binding with this action does not apply now (None: it does, or nothing to say)
        self.explain = explain

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, _screen: Any) -> None:
        self.refresh()

    def shown_keys(self) -> list[tuple[str, str, str, bool]]:
        """(key, key as shown, description, enabled) of each key shown, in the footer's order: one per action,
        its first key."""
        app = self.app
        shown: dict[str, tuple[str, str, str, bool]] = {}
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in shown and binding.key != app.COMMAND_PALETTE_BINDING:
                shown[binding.action] = (binding.key, app.get_key_display(binding), binding.description, enabled)
        return list(shown.values())

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        line, spans = Text(no_wrap=True, overflow="crop"), []
        for key, display, description, enabled in self.shown_keys():
            start = line.cell_len
            dim = "" if enabled else " dim"
            line.append(f" {display} ", style=f"{key_style}{dim}")
            line.append(f"{description} ", style=f"{description_style}{dim}")
            spans.append((start, line.cell_len, key))
        palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if palette is not None and self.app.ENABLE_COMMAND_PALETTE:
            _node, binding, _enabled, _tooltip = palette
            tail = Text.assemble(("▏", self.get_component_rich_style("key-bar--separator")),
                                 (f"{self.app.get_key_display(binding)} ", key_style),
                                 (f"{binding.description} ", description_style))
            start = max(line.cell_len, self.size.width - tail.cell_len)
            line.append(" " * (start - line.cell_len))
            line.append_text(tail)
            spans.append((start, line.cell_len, binding.key))
        self.spans = spans
        return line

    def key_at(self, x: int) -> str | None:
        return next((key for start, end, key in self.spans if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self.key_at(event.x)
        binding = next((b for _n, b, enabled, _t in self.screen.active_bindings.values()
                        if b.key == key and not enabled), None) if key else None
        reason = self.explain(binding.action) if binding is not None and self.explain is not None else None
        self.tooltip = reason

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self.spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
