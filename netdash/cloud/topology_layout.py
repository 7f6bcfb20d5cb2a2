"""Where the topology map puts each thing: a grid of character cells with style names, and the nodes on it.

The picture, top to bottom: a legend, then each network as a bar across the width (`━━ ▾ private ·
10.0.0.0/24 ━━━`), and under an open bar its devices as boxes hanging from it by a stem, left to right,
wrapping into further rows that hang from a dashed continuation of the bar. A router's box hangs under the
first open network it is on (its gateway's, normally); a line leaves its box to the left margin and runs
down a lane of its own to every other open network it has an interface on (`┿` where it joins a bar, the
bar drawn over it where it only passes). Lanes stay in the margin and connectors get a line of their own,
so nothing crosses anything but a bar. A closed bar says what it holds in counts and costs one line.

Headless (no Textual): the dashboard's widget paints these cells with its theme, the SVG export writes
the same cells as text, and tests read `MapLayout.text()`. Style names, not styles: `bar`, `caption`,
`box`, `name`, `dim`, `fip`, `status:ACTIVE`, with `+changed` / `+pending` appended where a mark applies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rich.cells import cell_len

from .model import Member, Network, Pool, Topology
from .naming import display_name, name_of
from .text import visible
from .topology_map import Device, MapModel, NodeKey

#: a box's content is cut (with …) past this many cells
MAX_INNER = 46
#: lanes at most; a router beyond them still names its networks in its box
MAX_LANES = 12
#: columns between two boxes of a row
GAP = 2
ICONS = {"router": "◆", "server": "■", "load_balancer": "▲", "port": "○"}
LEGEND = "◆ router  ■ server  ▲ load balancer  ○ port  ⇄ floating IP  ● member"
KIND_WORDS = {"router": ("router", "routers"), "server": ("server", "servers"),
              "load_balancer": ("load balancer", "load balancers")}

#: text whose every character takes one cell (ASCII, Latin, the map's lines, shapes and arrows): written
#: without asking each character its width, which for a bar's few hundred cells was most of a layout's time
NARROW = re.compile("[\x20-\x7e\xa0-\u02ff\u2010-\u2027\u2190-\u21ff\u2500-\u25ff]*\\Z")
Fragment = tuple[str, str, NodeKey | None]  # text, style name, the node it stands for (None: its box's)


@dataclass(frozen=True, slots=True)
class Spot:
    """A node on the grid: what it stands for, the cells it covers (`rect`: x, y, width, height), the cells
    that say its name (`label`) and, for a box, its frame (the same as `rect`)."""

    key: NodeKey
    rect: tuple[int, int, int, int]
    label: tuple[int, int, int]
    boxed: bool = False
    #: the network whose bar it hangs from ("" for a bar itself)
    network: str = ""


@dataclass
class MapLayout:
    width: int
    chars: list[list[str]] = field(default_factory=list)
    styles: list[list[str]] = field(default_factory=list)
    spots: list[Spot] = field(default_factory=list)
    #: network id -> the row of its bar
    bars: dict[str, int] = field(default_factory=dict)

    @property
    def height(self) -> int:
        return len(self.chars)

    def text(self) -> str:
        """The picture as plain text, trailing spaces cut (for tests and for a look in a log)."""
        return "\n".join("".join(row).rstrip() for row in self.chars)

    def row_runs(self, y: int) -> list[tuple[str, str]]:
        """Row `y` as runs of (text, style name)."""
        runs: list[tuple[str, str]] = []
        for char, style in zip(self.chars[y], self.styles[y], strict=True):
            if runs and runs[-1][1] == style:
                runs[-1] = (runs[-1][0] + char, style)
            else:
                runs.append((char, style))
        return runs

    # --- painting ---------------------------------------------------------------------------------------
    def ensure(self, y: int) -> None:
        while len(self.chars) <= y:
            self.chars.append([" "] * self.width)
            self.styles.append([""] * self.width)

    def put(self, x: int, y: int, text: str, style: str) -> int:
        """Write `text` from cell x of row y (wide characters take two cells); returns the next x."""
        self.ensure(y)
        row, styles = self.chars[y], self.styles[y]
        if NARROW.match(text):  # one cell a character: the bars, the boxes, most names
            end = min(x + len(text), self.width)
            row[x:end] = text[:end - x]
            styles[x:end] = [style] * (end - x)
            return end
        for char in text:
            width = cell_len(char)
            if width == 0:  # a combining mark joins the cell before it
                if x > 0:
                    row[x - 1] += char
                continue
            if x + width > self.width:
                break
            row[x], styles[x] = char, style
            if width == 2:
                row[x + 1], styles[x + 1] = "", style
            x += width
        return x

    def cell(self, x: int, y: int) -> str:
        return self.chars[y][x] if 0 <= y < len(self.chars) and 0 <= x < self.width else " "


# --- what a box says ------------------------------------------------------------------------------------
def marked(style: str, key: NodeKey | None, marks: frozenset[NodeKey], pending: frozenset[NodeKey]) -> str:
    if key is not None and key in pending:
        return f"{style}+pending"
    if key is not None and key in marks:
        return f"{style}+changed"
    return style


def status_fragment(status: str | None) -> Fragment:
    return status or "?", f"status:{status or ''}", None


def box_lines(model: MapModel, device: Device, network_id: str) -> list[list[Fragment]]:
    """The lines of a device's box under a network's bar (the first is its title)."""
    t = model.topology
    title: list[Fragment] = [(ICONS[device.kind], f"status:{device.status or ''}", None), (" ", "", None),
                             (visible(device.name) or display_name_of(device), "name", None), (" ", "", None),
                             status_fragment(device.status)]
    lines = [title]
    if device.kind == "router":
        for hang in device.hangs:
            where = "gateway " if hang.gateway else "→ "
            lines.append([(f"{where}{name_of(t, hang.network_id)} ", "dim", None),
                          (", ".join(visible(a) for a in hang.addresses) or "no address", "", None)])
        return lines
    for hang in device.hangs_on(network_id):
        prefix = "VIP " if device.kind == "load_balancer" else ""
        line: list[Fragment] = [(prefix + (", ".join(visible(a) for a in hang.addresses) or "no address"), "", None)]
        for fip in hang.fips:
            line += [(" ⇄ ", "fip", None), (visible(fip.floating_ip_address) or fip.id[:8], "fip",
                                            ("floating_ip", fip.id))]
        lines.append(line)
    if device.kind == "load_balancer":
        lines += lb_lines(t, device.id)
    others = [name_of(t, n) for n in device.networks() if n != network_id]
    if others:
        lines.append([("also on " + ", ".join(others), "dim", None)])
    return lines


def display_name_of(device: Device) -> str:
    return visible(device.id[:8])


def lb_lines(topology: Topology, lb_id: str) -> list[list[Fragment]]:
    """A listener and its pool's algorithm per line (the pool's node), then each member with its health."""
    lines: list[list[Fragment]] = []
    pools = topology.pools_of(lb_id)
    shown: set[str] = set()
    for listener in topology.listeners_of(lb_id):
        pool = next((p for p in pools if p.id == listener.default_pool_id or listener.id in p.listener_ids), None)
        text = f"{visible(listener.protocol or '?')}:{listener.protocol_port or '?'}"
        if pool is not None:
            shown.add(pool.id)
            lines.append([(text + " ", "", None), *pool_fragments(pool)])
        else:
            lines.append([(text, "", None)])
    for pool in pools:
        if pool.id not in shown:
            lines.append(pool_fragments(pool))
    for pool in pools:
        lines += [member_line(topology, member) for member in topology.members_of_pool(pool.id)]
    return lines


def pool_fragments(pool: Pool) -> list[Fragment]:
    key = ("pool", pool.id)
    return [(visible(pool.lb_algorithm or "?"), "algorithm", key), (" " + display_name(pool), "dim", key)]


def member_line(topology: Topology, member: Member) -> list[Fragment]:
    key = ("member", member.id)
    server = topology.server_of_address(member.address, member.subnet_id)
    status = member.operating_status
    out: list[Fragment] = [("● ", f"status:{status or ''}", key)]
    if server is not None:
        out.append((display_name(server) + " ", "name", key))
    out += [(visible(member.label) + " ", "", key), (status or "?", f"status:{status or ''}", key)]
    if not member.admin_state_up:
        out.append((" admin down", "dim", key))
    return out


def fit(line: list[Fragment], width: int) -> list[Fragment]:
    """The line cut to `width` cells, an ellipsis at the cut."""
    out: list[Fragment] = []
    used = 0
    for text, style, key in line:
        size = cell_len(text)
        if used + size <= width:
            out.append((text, style, key))
            used += size
            continue
        room = width - used - 1
        cut = ""
        for char in text:
            if cell_len(cut + char) > room:
                break
            cut += char
        out.append((cut + "…", style, key))
        break
    return out


def caption(model: MapModel, net: Network, opened: bool) -> list[tuple[str, str]]:
    """A bar's words: open or closed, name, subnets' CIDRs, external/shared, status if not ACTIVE, counts
    when closed (what opening it would show)."""
    t = model.topology
    parts: list[tuple[str, str]] = [("▾ " if opened else "▸ ", "caption"), (display_name(net), "caption")]
    cidrs = [visible(s.cidr) for s in t.subnets_of_network(net.id) if s.cidr]
    if cidrs:
        parts.append((" · " + ", ".join(cidrs), "cidr"))
    flags = [word for word, on in (("external", net.external), ("shared", net.shared)) if on]
    if flags:
        parts.append((" · " + " ".join(flags), "dim"))
    if net.status and net.status != "ACTIVE":
        parts += [(" · ", "dim"), (visible(net.status), f"status:{net.status}")]
    if not opened:
        counts = model.counts(net.id)
        words = [f"{counts[k]} {KIND_WORDS[k][counts[k] != 1]}" for k in ("router", "server", "load_balancer")
                 if counts.get(k)]
        parts.append((" · " + (", ".join(words) if words else "nothing attached"), "dim"))
    return parts


# --- the layout -------------------------------------------------------------------------------------------
@dataclass
class Box:
    device: Device
    network: str
    lines: list[list[Fragment]]
    width: int
    height: int
    x: int = 0
    y: int = 0


def make_box(model: MapModel, device: Device, network_id: str) -> Box:
    lines = [fit(line, MAX_INNER) for line in box_lines(model, device, network_id)]
    inner = max(sum(cell_len(text) for text, _, _ in line) for line in lines)
    return Box(device, network_id, lines, inner + 4, len(lines) + 2)


def lay_out(model: MapModel, opened: Iterable[str] | None, width: int, *, marks: frozenset[NodeKey] = frozenset(),
            pending: frozenset[NodeKey] = frozenset(), legend: bool = True) -> MapLayout:
    """The map of `model` with these networks open (None: all), as wide as `width` or as its widest box."""
    is_open = set(model.order) if opened is None else set(opened) & set(model.order)
    # which boxes hang under which bar: every device under each open network it is on, a router only once
    hanging: dict[str, list[Box]] = {}
    lanes: list[tuple[Box, list[str]]] = []
    for net in model.networks:
        if net.id not in is_open:
            continue
        boxes = hanging.setdefault(net.id, [])
        for device in model.devices_on(net.id):
            if device.kind == "router" and model.anchor(device, is_open) != net.id:
                continue
            box = make_box(model, device, net.id)
            boxes.append(box)
            targets = [n for n in device.networks() if n != net.id and n in is_open] if device.kind == "router" else []
            if targets and len(lanes) < MAX_LANES:
                lanes.append((box, targets))
    x0 = 2 * len(lanes) + 2 if lanes else 1
    widest = max((box.width for boxes in hanging.values() for box in boxes), default=0)
    painter = Painter(MapLayout(max(width, x0 + widest + 1)), x0, marks, pending,
                      {id(box): 1 + 2 * i for i, (box, _) in enumerate(lanes)})
    layout = painter.layout
    y = 0
    if legend:
        layout.put(x0, 0, LEGEND, "dim")
        y = 2
    for net in model.networks:
        y = painter.bar(model, net, net.id in is_open, y)
        if net.id in is_open:
            y = painter.hang_rows(hanging.get(net.id, []), y)
    for box, targets in lanes:  # lanes last: they are drawn over the bars they join, under the ones they pass
        painter.lane(box, [layout.bars[n] for n in targets])
    return layout


@dataclass
class Painter:
    """Draws one layout: the grid, where boxes start (`x0`, right of the lanes), the marks, the lanes."""

    layout: MapLayout
    x0: int
    marks: frozenset[NodeKey]
    pending: frozenset[NodeKey]
    #: id(router's box) -> its lane's column, and the row its lane starts at
    lane_of: dict[int, int]
    lane_start: dict[int, int] = field(default_factory=dict)

    def mark(self, style: str, key: NodeKey | None) -> str:
        return marked(style, key, self.marks, self.pending)

    def bar(self, model: MapModel, net: Network, opened: bool, y: int) -> int:
        """A network's bar: an open one has its words on a line of their own, the bar below left free for
        the stems; a closed one says what it holds on the bar itself, in one line. Returns the next row."""
        layout, key = self.layout, ("network", net.id)
        bar = self.mark("bar", key)
        if not opened:
            layout.put(0, y, "━" * layout.width, bar)
        x = start = self.x0 + 1 if opened else self.x0 + 2
        for text, style in caption(model, net, opened):
            x = layout.put(x, y, text, self.mark(style, key))
        layout.spots.append(Spot(key, (start, y, x - start, 1), (start, y, x - start)))
        if opened:
            y += 1
            layout.put(0, y, "━" * layout.width, bar)
        else:
            layout.put(start - 1, y, " ", bar)
            layout.put(x, y, " ", bar)
        layout.bars[net.id] = y
        return y + 1

    def hang_rows(self, boxes: list[Box], y: int) -> int:
        """Boxes under a bar, in rows; returns the first row after them."""
        layout, x0 = self.layout, self.x0
        rows: list[list[Box]] = []
        x = x0
        for box in boxes:
            if not rows or (x + box.width > layout.width and x > x0):
                rows.append([])
                x = x0
            box.x = x
            rows[-1].append(box)
            x += box.width + GAP
        for index, row in enumerate(rows):
            if index:  # the bar goes on, dashed, for the next row to hang from
                layout.put(x0, y, "┄" * (layout.width - x0), "bar")
                y += 1
            for box in row:
                box.y = y
                self.box(box)
                stem = box.x + 2
                above = layout.cell(stem, y - 1)
                layout.put(stem, y - 1, "┯" if above == "━" else "┬", layout.styles[y - 1][stem] or "bar")
            y += max(box.height for box in row)
            for box in [b for b in row if id(b) in self.lane_of]:  # a line each for the routers going on down
                stem, lane = box.x + 2, self.lane_of[id(box)]
                layout.put(stem, box.y + box.height - 1, "┬", self.mark("box", box.device.key))
                for line in range(box.y + box.height, y):
                    layout.put(stem, line, "│", "link")
                layout.put(lane, y, "╭" + "─" * (stem - lane - 1) + "╯", "link")
                self.lane_start[id(box)] = y
                y += 1
        return y

    def box(self, box: Box) -> None:
        layout = self.layout
        style = self.mark("box", box.device.key)
        inner = box.width - 2
        layout.put(box.x, box.y, "╭" + "─" * inner + "╮", style)
        layout.put(box.x + 2, box.y, "┴", style)
        for i, line in enumerate(box.lines, 1):
            layout.put(box.x, box.y + i, "│", style)
            layout.put(box.x + 1, box.y + i, " " * inner, "")
            layout.put(box.x + box.width - 1, box.y + i, "│", style)
            x = box.x + 2
            spans: dict[NodeKey, list[int]] = {}
            for text, frag_style, key in line:
                start = x
                # a mark shows on the part that changed: a floating IP, a member, else the frame and the name
                mark = key if key is not None else box.device.key if frag_style == "name" else None
                x = layout.put(x, box.y + i, text, self.mark(frag_style, mark))
                if key is not None:
                    spans.setdefault(key, [start, x])[1] = x
            for key, (start, end) in spans.items():
                layout.spots.append(Spot(key, (start, box.y + i, end - start, 1), (start, box.y + i, end - start),
                                         network=box.network))
        layout.put(box.x, box.y + box.height - 1, "╰" + "─" * inner + "╯", style)
        title = sum(cell_len(text) for text, _, _ in box.lines[0])
        layout.spots.append(Spot(box.device.key, (box.x, box.y, box.width, box.height),
                                 (box.x + 2, box.y + 1, title), boxed=True, network=box.network))

    def lane(self, box: Box, joins: list[int]) -> None:
        """A router's lane from its connector down to the last bar it joins: joined bars get a junction, the
        others are drawn over it."""
        layout, x = self.layout, self.lane_of[id(box)]
        end = max(joins)
        for y in range(self.lane_start[id(box)] + 1, end + 1):
            here = layout.cell(x, y)
            if y in joins:
                layout.put(x, y, "┷" if y == end else "┿", layout.styles[y][x] or "bar")
            elif here in (" ", "┄"):
                layout.put(x, y, "│", "link")
