"""Which panes are on screen: all four side by side on a wide terminal, one at a time on a narrow one.

At 80x24 four panes side by side leave the tree 18 columns and the events two lines; below `NARROW`
columns the dashboard shows one view at a time, full width (Tree, Details, Probe, Events), switched with
`v` or a click on the view bar, and it goes to the view an action needs (the probe when `g` starts it).
Above it the tree pane's width follows its content within bounds (CSS: `#topology-pane`), and the side
column gets the rest. The topology map takes the tree's place (`M`): the same pane, wider (`-map`), the
same view on a narrow terminal, and whichever of the two is shown is where the selection comes from.
"""

from __future__ import annotations

from textual.app import App
from textual.widget import Widget

from netdash.widgets.topology_map import TopologyMap
from netdash.widgets.topology_tree import TopologyTree
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
        #: the map in the tree's place
        self.map_shown = False

    def bar(self) -> ViewBar:
        return ViewBar(self._titles(), id="views")

    def _titles(self) -> tuple[tuple[str, str], ...]:
        return tuple((view, "Map" if view == "tree" and self.map_shown else title) for view, _, title in VIEWS)

    def navigator(self) -> TopologyTree | TopologyMap:
        """The tree, or the map when it is shown: where the selection is (the dashboard's screen, under any
        modal)."""
        screen = self.app.screen_stack[0]
        return screen.query_one(TopologyMap) if self.map_shown else screen.query_one(TopologyTree)

    def toggle_map(self) -> None:
        """The map in the tree's place, or the tree back; the other keeps its own selection, and the one
        shown says what it has selected (the map starts on the tree's object when it can show it)."""
        self.map_shown = not self.map_shown
        tree, topology_map = self.app.query_one(TopologyTree), self.app.query_one(TopologyMap)
        tree.display, topology_map.display = not self.map_shown, self.map_shown
        pane = self.app.query_one("#topology-pane")
        pane.set_class(self.map_shown, "-map")
        pane.border_title = "Map" if self.map_shown else "Topology"
        self.app.query_one(ViewBar).views = self._titles()
        if self.narrow:
            self.current = "tree"
        self._apply()
        if self.map_shown:
            selected = tree.selected
            if selected is None or not topology_map.select(*selected):
                topology_map.announce()
            topology_map.focus()
        else:
            tree.focus()
            tree.announce()

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
            self.navigator().focus()
