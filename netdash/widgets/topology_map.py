"""The topology map: the project drawn as OpenStack's web dashboard draws it, a key away from the tree.

Where things go is `cloud.topology_layout`'s (headless, shared with the SVG export); this widget paints its
cells with the theme (a Line API `ScrollView`: only the rows on screen are drawn, so a map of hundreds of
rows scrolls as cheaply as one of ten), moves a selection over its nodes and announces it with the tree's
own message, so the details pane, the action keys and the probe follow the map exactly as they follow the
tree. A refresh re-reads the snapshot (`MapModel`, which recounts only what changed) and marks what the
event log names as changed (`cloud.topology_map.Marks`). A large project opens with every bar closed:
a closed bar is one line of counts, and a bar's boxes are laid out only once it is opened.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from netdash.cloud.model import Topology
from netdash.cloud.status_styles import status_style
from netdash.cloud.topology_layout import MapLayout, Spot, lay_out
from netdash.cloud.topology_map import MapModel, Marks, NodeKey
from netdash.widgets.nodes import resource_of, search_text
from netdash.widgets.topology_tree import TopologyTree

#: a project with more ports than this opens with every network's bar closed (its counts only)
LARGE_PROJECT = 500
#: style names drawn as lines, not text: a mark colours them rather than tinting their background
STRUCTURE = frozenset({"bar", "box", "link"})
#: the snapshot's collections the map draws: a refresh that replaced none of them changes nothing on it
DRAWN = ("networks", "subnets", "ports", "routers", "servers", "floating_ips", "load_balancers", "listeners",
         "pools", "members")
#: the narrowest the map lays itself out for (narrower panes scroll sideways)
MIN_WIDTH = 40


class TopologyMap(ScrollView, can_focus=True):
    """Networks as bars, devices hanging off them; `update(topology)` applies a new snapshot."""

    COMPONENT_CLASSES = {
        "topology-map--bar", "topology-map--caption", "topology-map--cidr", "topology-map--dim",
        "topology-map--box", "topology-map--name", "topology-map--fip", "topology-map--link",
        "topology-map--algorithm", "topology-map--changed", "topology-map--changed-text",
        "topology-map--pending", "topology-map--pending-text", "topology-map--selected", "topology-map--frame",
        "topology-map--unmatched",
    }
    DEFAULT_CSS = """
    TopologyMap { background: $surface; }
    TopologyMap > .topology-map--bar { color: $primary; }
    TopologyMap > .topology-map--caption { color: $text; text-style: bold; }
    TopologyMap > .topology-map--cidr { color: $text; }
    TopologyMap > .topology-map--dim { color: $text-muted; }
    TopologyMap > .topology-map--box { color: $secondary; }
    TopologyMap > .topology-map--name { text-style: bold; }
    TopologyMap > .topology-map--fip { color: magenta; }
    TopologyMap > .topology-map--link { color: $primary; }
    TopologyMap > .topology-map--algorithm { color: cyan; }
    TopologyMap > .topology-map--changed { color: $warning; text-style: bold; }
    TopologyMap > .topology-map--changed-text { background: $warning 35%; }
    TopologyMap > .topology-map--pending { color: $warning; text-style: bold italic; }
    TopologyMap > .topology-map--pending-text { background: $warning 20%; text-style: italic; }
    TopologyMap > .topology-map--selected {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    TopologyMap > .topology-map--frame { color: $accent; text-style: bold; }
    TopologyMap > .topology-map--unmatched { color: $text-disabled; text-style: dim; }
    """
    BINDINGS = [
        Binding("down", "move('down')", "Down", show=False, tooltip="The node below", id="map.down"),
        Binding("up", "move('up')", "Up", show=False, tooltip="The node above", id="map.up"),
        Binding("right", "move('right')", "Next", show=False, tooltip="The next node", id="map.next"),
        Binding("left", "move('left')", "Previous", show=False, tooltip="The previous node", id="map.previous"),
        Binding("enter,space", "toggle_network", "Open/close", show=False,
                tooltip="Open or close the selected network's bar (a closed bar counts what hangs from it)",
                id="map.toggle"),
        Binding("home", "first", "First", show=False, tooltip="The first node", id="map.first"),
        Binding("end", "last", "Last", show=False, tooltip="The last node", id="map.last"),
    ]

    class ObjectHighlighted(TopologyTree.ObjectHighlighted):
        """The selection is on another object: the tree's message, so the App follows either the same way."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.topology = Topology()
        self.model = MapModel(self.topology)
        self.marks = Marks()
        self.pending: frozenset[NodeKey] = frozenset()
        self.map_layout: MapLayout | None = None
        #: networks opened or closed by the user (the rest follow `default_open`)
        self.toggled: dict[str, bool] = {}
        self.default_open: bool | None = None
        #: the selected node, and the bar its box hangs from (a server hangs from each of its networks)
        self.selected_key: NodeKey | None = None
        self.selected_network = ""
        self._announced: tuple[str, str, object] | None = None
        #: the `/` filter (lower-cased), and the cells of the bars and boxes it does not match (drawn dim)
        self.filter_text = ""
        self._dimmed: list[tuple[int, int, int, int]] = []
        self._rows: dict[int, Strip] = {}
        self._styles: dict[str, Style] = {}

    # --- attributes down ----------------------------------------------------------------------------------
    def update(self, topology: Topology) -> None:
        """Apply a new snapshot: re-read it, mark what changed, lay out again if the map is on screen."""
        marks = self.marks.active()
        self.marks.update(self.topology, topology)
        same = marks == self.marks.active() and all(getattr(self.topology, name) is getattr(topology, name)
                                                   for name in DRAWN)
        self.topology = topology
        if self.default_open is None and topology.fetched_at:
            self.default_open = len(topology.ports) <= LARGE_PROJECT
        if same:  # nothing the map draws changed (a refresh of a quiet project): no layout, no paint
            return
        self.model = MapModel(topology, self.model)
        self.map_layout = None
        if self.display:
            self.relayout()
            self.announce(quiet_if_same=True)

    def set_pending(self, touched: Iterable[tuple[str, str]]) -> None:
        """Mark these objects' nodes while an action changes them (as the tree marks its nodes)."""
        self.pending = frozenset((kind, resource_id) for kind, resource_id in touched if resource_id)
        self._invalidate()

    def clear_pending(self) -> None:
        self.pending = frozenset()
        self._invalidate()

    def select(self, kind: str, resource_id: str) -> bool:
        """Put the selection on this object if the map shows it (opening its network's bar if need be)."""
        spot = self._find((kind, resource_id))
        if spot is None:
            for network in self._networks_of(kind, resource_id):
                self.toggled[network] = True
            self._invalidate()
            spot = self._find((kind, resource_id))
        if spot is None:
            return False
        self._choose(spot)
        return True

    def set_filter(self, text: str) -> None:
        """Draw the bars and boxes the filter does not match dim (by the tree's rule, `search_text`): the
        picture keeps its shape, so what matched is seen where it is."""
        self.filter_text = text.strip().lower()
        if self.map_layout is not None:
            self._dimmed = self._unmatched(self.map_layout)
            self._rows.clear()
            self.refresh()

    def first_match(self) -> bool:
        """Select the first bar or box the filter matches, in reading order (Enter in the filter)."""
        spot = next((s for s in self._reading_order() if self._matches(s)), None)
        if spot is not None:
            self._choose(spot)
        return spot is not None

    def _matches(self, spot: Spot) -> bool:
        obj = resource_of(self.topology, *spot.key)
        return obj is not None and self.filter_text in search_text(self.topology, obj)

    def _unmatched(self, layout: MapLayout) -> list[tuple[int, int, int, int]]:
        """The bars and boxes (a box's lines go with it) the filter does not match."""
        if not self.filter_text:
            return []
        return [s.rect for s in layout.spots if (s.boxed or not s.network) and not self._matches(s)]

    @property
    def selected(self) -> tuple[str, str] | None:
        """(kind, id) of the selected object, as `TopologyTree.selected` says it."""
        return self.selected_key

    def is_open(self, network_id: str) -> bool:
        return self.toggled.get(network_id, self.default_open is not False)

    def announce(self, quiet_if_same: bool = False) -> None:
        """Say what is selected (the App shows its details, offers its keys, aims the probe at it)."""
        self._ensure_layout()
        kind, ident = self.selected_key or ("", "")
        said = (kind, ident, resource_of(self.topology, kind, ident) if kind else None)
        if quiet_if_same and said == self._announced:
            return
        self._announced = said
        self.post_message(self.ObjectHighlighted(*said))  # type: ignore[arg-type]

    # --- layout -------------------------------------------------------------------------------------------
    def relayout(self) -> None:
        width = max(self.scrollable_content_region.width, MIN_WIDTH)
        opened = [net.id for net in self.model.networks if self.is_open(net.id)]
        self.map_layout = lay_out(self.model, opened, width, marks=self.marks.active(), pending=self.pending)
        self.virtual_size = Size(self.map_layout.width, self.map_layout.height)
        self._dimmed = self._unmatched(self.map_layout)
        self._rows.clear()
        spot = self._current() or (self.map_layout.spots and self._reading_order()[0]) or None
        if spot is not None:
            self.selected_key, self.selected_network = spot.key, spot.network
        self.refresh()

    def _ensure_layout(self) -> MapLayout:
        if self.map_layout is None:
            self.relayout()
        assert self.map_layout is not None
        return self.map_layout

    def _invalidate(self) -> None:
        self.map_layout = None
        if self.display:
            self.relayout()

    def on_resize(self) -> None:
        width = max(self.scrollable_content_region.width, MIN_WIDTH)
        if self.map_layout is not None and self.map_layout.width != width:
            self.relayout()

    def on_show(self) -> None:
        self._ensure_layout()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._rows.clear()

    # --- selection ----------------------------------------------------------------------------------------
    def _reading_order(self) -> list[Spot]:
        layout = self._ensure_layout()
        return sorted(layout.spots, key=lambda s: (s.label[1], s.label[0]))

    def _find(self, key: NodeKey, network: str = "") -> Spot | None:
        spots = [s for s in self._ensure_layout().spots if s.key == key]
        return next((s for s in spots if s.network == network), spots[0] if spots else None)

    def _current(self) -> Spot | None:
        return self._find(self.selected_key, self.selected_network) if self.selected_key else None

    def _networks_of(self, kind: str, resource_id: str) -> tuple[str, ...]:
        """The networks whose bars show this object: its device's (a floating IP's is its port's, a pool's
        or member's its load balancer's)."""
        t = self.topology
        if kind == "floating_ip":
            fip = t.floating_ips.get(resource_id)
            port = t.ports.get(fip.port_id or "") if fip is not None else None
            device = self.model.device_of_port(port) if port is not None else None
        elif kind in ("pool", "member"):
            lb_id = t.load_balancer_of(kind, resource_id)
            device = self.model.device("load_balancer", lb_id) if lb_id else None
        else:
            device = self.model.device(kind, resource_id)
        return device.networks() if device is not None else ()

    def _choose(self, spot: Spot) -> None:
        self.selected_key, self.selected_network = spot.key, spot.network
        x, y, width, height = spot.rect
        if height > self.scrollable_content_region.height:
            x, y, width, height = spot.label[0], spot.label[1], spot.label[2], 1
        self.scroll_to_region(Region(x, y, width, height), animate=False, force=True)
        self.refresh()
        self.announce()

    def action_move(self, direction: str) -> None:
        order = self._reading_order()
        current = self._current()
        if not order:
            return
        if current is None:
            self._choose(order[0])
            return
        cx, cy = current.label[0], current.label[1]
        if direction in ("left", "right"):
            index = order.index(current) + (1 if direction == "right" else -1)
            if 0 <= index < len(order):
                self._choose(order[index])
            return
        below = direction == "down"
        candidates = [s for s in order if (s.label[1] > cy if below else s.label[1] < cy)]
        if candidates:  # the nearest row first, then the nearest column
            self._choose(min(candidates, key=lambda s: (abs(s.label[1] - cy) * 8 + abs(s.label[0] - cx))))

    def action_first(self) -> None:
        order = self._reading_order()
        if order:
            self._choose(order[0])

    def action_last(self) -> None:
        order = self._reading_order()
        if order:
            self._choose(order[-1])

    def action_toggle_network(self) -> None:
        key = self.selected_key
        if key is None or key[0] != "network":
            return
        self.toggled[key[1]] = not self.is_open(key[1])
        self._invalidate()
        spot = self._find(key)
        if spot is not None:
            self._choose(spot)

    # --- painting -----------------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        layout = self.map_layout
        row = scroll_y + y
        if layout is None or row >= layout.height:
            return Strip.blank(width, self.rich_style)
        return self._row(layout, row).crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def _row(self, layout: MapLayout, row: int) -> Strip:
        spot = self._current()
        overlay = spot is not None and spot.rect[1] <= row < spot.rect[1] + spot.rect[3]
        if not overlay and row in self._rows:
            return self._rows[row]
        styles = list(layout.styles[row])
        for x, top, width, height in self._dimmed:
            if top <= row < top + height:
                styles[x:x + width] = ["unmatched"] * width
        if overlay and spot is not None:
            x, top, width, height = spot.rect
            if spot.boxed:  # the frame in the accent colour
                columns = range(x, x + width) if row in (top, top + height - 1) else (x, x + width - 1)
                for column in columns:
                    styles[column] += "+frame"
            lx, ly, length = spot.label
            if row == ly:
                for column in range(lx, lx + length):
                    styles[column] += "+selected"
        segments = []
        text, style = "", None
        for char, name in zip(layout.chars[row], styles, strict=True):
            if name != style and text:
                segments.append(Segment(text, self._style(style or "")))
                text = ""
            text += char
            style = name
        if text:
            segments.append(Segment(text, self._style(style or "")))
        strip = Strip(segments, layout.width)
        if not overlay:
            self._rows[row] = strip
        return strip

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            base, *modifiers = name.split("+")
            style = self.rich_style + self._base(base)
            for modifier in modifiers:
                suffix = "" if base in STRUCTURE or modifier in ("selected", "frame") else "-text"
                style += self.get_component_rich_style(f"topology-map--{modifier}{suffix}", partial=True)
            self._styles[name] = style
        return style

    def _base(self, name: str) -> Style:
        if name.startswith("status:"):
            return Style.parse(status_style(name[7:] or None))
        if not name:
            return Style()
        return self.get_component_rich_style(f"topology-map--{name}", partial=True)
