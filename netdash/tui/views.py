"""Which panes are on screen: all four side by side on a wide terminal, one at a time on a narrow one.

At 80x24 four panes side by side leave the tree 18 columns and the events two lines; below `NARROW`
columns the dashboard shows one view at a time, full width (Tree, Details, Probe, Events), switched with
`v` or a click on the view bar, and it goes to the view an action needs (the probe when `g` starts it).
Above it the tree pane's width follows its content within bounds (CSS: `#topology-pane`), and the side
column gets the rest.
"""

from __future__ import annotations

from textual.app import App
from textual.widget import Widget

from netdash.widgets.view_bar import ViewBar

#: below this many columns, one view at a time
NARROW = 100
#: (view, the pane's selector, its title), in the order `v` goes through them
VIEWS = (("tree", "#topology-pane", "Tree"), ("details", "#details", "Details"), ("probe", "#probe", "Probe"),
         ("events", "#events", "Events"))


class Views:
    """The App's panes as views: `fit` on every resize, `show` and `next` on the user's keys."""

    def __init__(self, app: App[object]) -> None:
        self.app = app
        self.narrow = False
        self.current = "tree"

    def bar(self) -> ViewBar:
        return ViewBar(tuple((view, title) for view, _, title in VIEWS), id="views")

    def fit(self, width: int) -> None:
        self.narrow = width < NARROW
        self.app.query_one("#main").set_class(self.narrow, "-narrow")
        self.app.query_one(ViewBar).display = self.narrow
        self._apply()

    def show(self, view: str) -> None:
        self.current = view
        self._apply()

    def next(self) -> None:
        order = [view for view, _, _ in VIEWS]
        self.show(order[(order.index(self.current) + 1) % len(order)])

    def _apply(self) -> None:
        for view, selector, _ in VIEWS:
            pane: Widget = self.app.query_one(selector)
            pane.set_class(self.narrow and view != self.current, "-off")
        side_shown = not self.narrow or self.current != "tree"
        self.app.query_one("#side-pane").set_class(not side_shown, "-off")
        self.app.query_one(ViewBar).show(self.current)
        if self.narrow and self.current == "tree":
            self.app.query_one("#tree").focus()
