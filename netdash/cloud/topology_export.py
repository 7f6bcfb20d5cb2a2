"""`netdash topology --format svg|mermaid|dot`: the topology map for documents and tickets.

The SVG is the dashboard's map itself (`topology_layout`, every bar open), its cells written as text on a
fixed grid. Mermaid and Graphviz lay a graph out themselves, so they get the map's graph (`MapGraph`, read
from the same `MapModel`): networks, the devices hanging off them with the port's addresses on each edge,
routers' gateways, floating IPs on their ports' devices, load balancers' members and the servers behind them.

Every name comes from the cloud and is written as each format quotes text: Mermaid's labels with
everything outside a small safe set as `#NNN;` entity codes (so no quote, bracket, pipe, `<br>`, markdown
backtick or `%%` comment can end a label or start markup), DOT's with `\\` and `\"` escaped (so no `\\n`,
`\\N` or quote in a name acts), SVG's as XML text; and first of all through `text.visible`, which spells
out control characters (a newline in a name is shown as `\\x0a`, never breaks a line).
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from rich.style import Style

from .model import Member, Topology
from .naming import display_name
from .status_styles import status_style
from .text import visible
from .topology_layout import lay_out
from .topology_map import Device, MapModel

# --- the graph -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GraphNode:
    id: str
    kind: str
    #: label lines, plain text (already `visible`)
    lines: tuple[str, ...]
    status: str | None = None


@dataclass(frozen=True, slots=True)
class GraphEdge:
    """An edge from the upper node to the lower one (networks on top: the formats rank by the edge's way)."""

    a: str
    b: str
    label: str = ""
    #: a dotted edge: not a port (a member's server, an unassociated floating IP's network)
    dotted: bool = False


@dataclass
class MapGraph:
    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)
    #: (kind, id) of a model object -> its node id
    ids: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, kind: str, resource_id: str, lines: tuple[str, ...], status: str | None = None) -> str:
        key = (kind, resource_id)
        if key not in self.ids:
            self.ids[key] = f"n{len(self.nodes)}"
            self.nodes.append(GraphNode(self.ids[key], kind, lines, status))
        return self.ids[key]


def map_graph(topology: Topology) -> MapGraph:
    """The map as a graph: what `to_mermaid` and `to_dot` draw (and their tests compare with the model)."""
    model = MapModel(topology)
    graph = MapGraph()
    for net in model.networks:
        cidrs = tuple(visible(s.cidr) for s in topology.subnets_of_network(net.id) if s.cidr)
        graph.add("network", net.id, (display_name(net), *cidrs, *(("external",) if net.external else ())), net.status)
    for net in model.networks:
        for device in model.devices_on(net.id):
            add_device(graph, model, device)
    for fip in topology.floating_ips.values():
        node = graph.add("floating_ip", fip.id, (visible(fip.floating_ip_address), "floating IP"), fip.status)
        port = topology.ports.get(fip.port_id or "")
        holder = model.device_of_port(port) if port is not None else None
        if holder is not None and holder.key in graph.ids:
            graph.edges.append(GraphEdge(graph.ids[holder.key], node, f"⇄ {visible(fip.fixed_ip_address or '')}"))
        elif fip.floating_network_id in topology.networks:
            graph.edges.append(GraphEdge(graph.ids[("network", fip.floating_network_id)], node, "unassociated",
                                         dotted=True))
    return graph


def add_device(graph: MapGraph, model: MapModel, device: Device) -> None:
    if device.key in graph.ids:
        return
    t = model.topology
    word = {"router": "router", "server": "server", "load_balancer": "load balancer", "port": "port"}[device.kind]
    node = graph.add(device.kind, device.id, (visible(device.name) or visible(device.id[:8]), word,
                                              *((device.status,) if device.status else ())), device.status)
    for hang in device.hangs:
        addresses = ", ".join(visible(a) for a in hang.addresses)
        label = f"gateway {addresses}" if hang.gateway else f"VIP {addresses}" if device.kind == "load_balancer" \
            else addresses
        if ("network", hang.network_id) in graph.ids:
            graph.edges.append(GraphEdge(graph.ids[("network", hang.network_id)], node, label.strip()))
    if device.kind == "load_balancer":
        for pool in t.pools_of(device.id):
            for member in t.members_of_pool(pool.id):
                add_member(graph, model, node, member, visible(pool.lb_algorithm or ""))


def add_member(graph: MapGraph, model: MapModel, lb_node: str, member: Member, algorithm: str) -> None:
    t = model.topology
    server = t.server_of_address(member.address, member.subnet_id)
    node = graph.add("member", member.id, (visible(member.label), "member", member.operating_status or "?"),
                     member.operating_status)
    graph.edges.append(GraphEdge(lb_node, node, algorithm))
    if server is not None:
        graph.add("server", server.id, (display_name(server), "server", *((server.status,) if server.status else ())),
                  server.status)
        graph.edges.append(GraphEdge(node, graph.ids[("server", server.id)], "backend", dotted=True))


# --- status colours, as the dashboard's -------------------------------------------------------------------
def status_hex(status: str | None, default: str = "#444444") -> str:
    """The status's colour (`cloud.status_styles`) as #rrggbb, for formats that cannot name Rich colours."""
    color = Style.parse(status_style(status)).color if status else None
    return color.get_truecolor().hex if color is not None else default


def status_class(status: str | None) -> str:
    """Mermaid's class for a status: ok, error, warning, busy or off (what `status_styles` colours it)."""
    style = status_style(status)
    return {"green": "ok", "bold red": "error", "yellow": "warning", "cyan": "busy"}.get(style, "off")


# --- Mermaid ----------------------------------------------------------------------------------------------
#: characters a Mermaid label keeps as they are; anything else is written as an entity code (#NNN;)
MERMAID_SAFE = frozenset(string.ascii_letters + string.digits + " .,:/-_+=@⇄")
MERMAID_SHAPES = {"network": ('[["', '"]]'), "router": ('{{"', '"}}'), "server": ('["', '"]'),
                  "load_balancer": ('[/"', '"/]'), "port": ('(["', '"])'), "floating_ip": ('(["', '"])'),
                  "member": ('>"', '"]')}
MERMAID_CLASSES = {"ok": "fill:#e6f4e6,stroke:#2e7d32", "error": "fill:#fde0e0,stroke:#c62828,stroke-width:2px",
                   "warning": "fill:#fff4d6,stroke:#b7950b", "busy": "fill:#e0f7fa,stroke:#00838f",
                   "off": "fill:#eeeeee,stroke:#757575"}


def mermaid_text(text: str) -> str:
    return "".join(ch if ch in MERMAID_SAFE else f"#{ord(ch)};" for ch in visible(text))


def to_mermaid(topology: Topology) -> str:
    graph = map_graph(topology)
    out = ["flowchart TB"]
    for node in graph.nodes:
        left, right = MERMAID_SHAPES[node.kind]
        out.append(f"    {node.id}{left}{'<br>'.join(mermaid_text(line) for line in node.lines)}{right}")
    for edge in graph.edges:
        link = "-.-" if edge.dotted else "---"
        label = f'|"{mermaid_text(edge.label)}"|' if edge.label else ""
        out.append(f"    {edge.a} {link}{label} {edge.b}")
    for name, css in MERMAID_CLASSES.items():
        out.append(f"    classDef {name} {css}")
    by_class: dict[str, list[str]] = {}
    for node in graph.nodes:
        if node.kind != "network" or node.status not in (None, "ACTIVE"):
            by_class.setdefault(status_class(node.status), []).append(node.id)
    for name, ids in by_class.items():
        out.append(f"    class {','.join(ids)} {name}")
    return "\n".join(out) + "\n"


# --- Graphviz DOT -----------------------------------------------------------------------------------------
DOT_SHAPES = {"network": "box", "router": "diamond", "server": "box", "load_balancer": "trapezium",
              "port": "ellipse", "floating_ip": "oval", "member": "note"}


def dot_text(text: str) -> str:
    """A DOT quoted string's content: a backslash and a quote escaped (so `\\N`, `\\n`, `\\"` in a name stay text)."""
    return visible(text).replace("\\", "\\\\").replace('"', '\\"')


def to_dot(topology: Topology) -> str:
    graph = map_graph(topology)
    out = ["graph topology {", '    graph [rankdir=TB, fontname="Helvetica"];',
           '    node [fontname="Helvetica", fontsize=10, style=filled, fillcolor="#ffffff"];',
           '    edge [fontname="Helvetica", fontsize=9];']
    for node in graph.nodes:
        label = "\\n".join(dot_text(line) for line in node.lines)
        attrs = [f'label="{label}"', f"shape={DOT_SHAPES[node.kind]}"]
        if node.kind == "network":
            attrs += ['style="filled,bold"', 'fillcolor="#dbe8ff"', "penwidth=2"]
        if node.status:
            attrs.append(f'color="{status_hex(node.status)}"')
        out.append(f"    {node.id} [{', '.join(attrs)}];")
    for edge in graph.edges:
        attrs = [f'label="{dot_text(edge.label)}"'] if edge.label else []
        if edge.dotted:  # not a port: it does not rank the picture
            attrs += ["style=dotted", "constraint=false"]
        out.append(f"    {edge.a} -- {edge.b}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    out.append("}")
    return "\n".join(out) + "\n"


# --- SVG: the map itself ----------------------------------------------------------------------------------
#: cell size in px, and the colours the dashboard's theme gives these style names, on a light page
CELL_W, CELL_H = 8.4, 17
SVG_COLOURS = {"bar": "#1565c0", "caption": "#111111", "cidr": "#333333", "dim": "#777777", "box": "#5c6bc0",
               "name": "#111111", "fip": "#a000a0", "link": "#1565c0", "algorithm": "#00838f", "": "#222222"}
SVG_BOLD = frozenset({"caption", "name"})


def to_svg(topology: Topology, title: str = "netdash topology", width: int = 120) -> str:
    layout = lay_out(MapModel(topology), None, width)
    w, h = layout.width * CELL_W, (layout.height + 2) * CELL_H
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" '
           f'viewBox="0 0 {w:.0f} {h:.0f}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" '
           'font-size="14">',
           f"<title>{escape(visible(title))}</title>",
           '<rect width="100%" height="100%" fill="#ffffff"/>']
    for y in range(layout.height):
        row, styles = layout.chars[y], layout.styles[y]
        spans = []
        x = 0
        while x < layout.width:  # a run of cells of one style (a wide character's second cell is "")
            name, start, text = styles[x], x, ""
            while x < layout.width and styles[x] == name:
                text, x = text + row[x], x + 1
            if text.strip():
                base = name.split("+")[0]
                colour = status_hex(base[7:] or None) if base.startswith("status:") else SVG_COLOURS.get(base, "#222")
                bold = ' font-weight="bold"' if base in SVG_BOLD or "+changed" in name else ""
                spans.append(f'<tspan x="{start * CELL_W:.1f}" fill="{colour}"{bold}>{escape(text)}</tspan>')
        if spans:
            out.append(f'<text y="{(y + 1) * CELL_H:.0f}" xml:space="preserve">{"".join(spans)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"

