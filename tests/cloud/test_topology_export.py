"""`netdash topology --format svg|mermaid|dot`: each export parsed back (Graphviz's own parser when `dot` is
installed, a parser of the subset written here otherwise) and compared with the model, names from the cloud
that would break each format included."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from netdash.cloud.model import FixedIP, FloatingIP, Network, Port, Server, Subnet, Topology
from netdash.cloud.naming import display_name
from netdash.cloud.text import visible
from netdash.cloud.topology_export import map_graph, to_dot, to_mermaid, to_svg
from tests import topology_factory as f

#: names a cloud user may give: quotes, brackets, pipes, markup, entity codes, comments, escapes, controls
HOSTILE = ['a"b<c>&d', "x]--> y{{z}}|w|", "#quot; %% `md` <br> &amp;", "back\\slash \\N \\n \\\"", "nl\nend\x1b[31m",
           "名前 ünï"]


def hostile_topology() -> Topology:
    """The seed, with every network and server renamed to a hostile name."""
    seed = f.seed_topology()
    networks = [Network(n.id, HOSTILE[i % len(HOSTILE)], n.status, external=n.external, subnet_ids=n.subnet_ids)
                for i, n in enumerate(seed.networks.values())]
    servers = [Server(s.id, HOSTILE[-1 - i], s.status) for i, s in enumerate(seed.servers.values())]
    return f.seed_topology(networks=networks, servers=servers)


def expected_edges(topology: Topology) -> set[tuple[str, str]]:
    """(network name, device name) for every port of a router, server or load balancer, from the model."""
    out = set()
    for port in topology.ports.values():
        owner = topology.owner_of_port(port)
        if owner is not None and port.network_id in topology.networks:
            out.add((display_name(topology.networks[port.network_id]), display_name(owner)))
    return out


# --- Mermaid: a parser of what to_mermaid writes -------------------------------------------------------
NODE = re.compile(r'^    (n\d+)(\[\[|\{\{|\[/|\(\[|\[|>)"([^"]*)"(\]\]|\}\}|/\]|\]\)|\])$')
EDGE = re.compile(r'^    (n\d+) (---|-\.-)(?:\|"([^"]*)"\|)? (n\d+)$')
CLASS = re.compile(r"^    (classDef \w+ [\w:#,.-]+|class [n\d,]+ \w+)$")
#: what may appear between the quotes of a label: no quote, bracket, pipe, backtick, % or raw markup
LABEL_TEXT = re.compile(r"^(?:[A-Za-z0-9 .,:/\-_+=@⇄]|#\d+;|<br>)*$")


def unescape_mermaid(text: str) -> str:
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), text)


def parse_mermaid(text: str) -> tuple[dict[str, list[str]], list[tuple[str, str, str, bool]]]:
    lines = text.splitlines()
    assert lines[0] == "flowchart TB"
    nodes: dict[str, list[str]] = {}
    edges = []
    for line in lines[1:]:
        if node := NODE.match(line):
            assert LABEL_TEXT.match(node.group(3)), line
            nodes[node.group(1)] = [unescape_mermaid(part) for part in node.group(3).split("<br>")]
        elif edge := EDGE.match(line):
            assert LABEL_TEXT.match(edge.group(3) or ""), line
            edges.append((edge.group(1), edge.group(4), unescape_mermaid(edge.group(3) or ""), edge.group(2) == "-.-"))
        else:
            assert CLASS.match(line), f"not Mermaid this exporter writes: {line!r}"
    assert all(a in nodes and b in nodes for a, b, _, _ in edges)
    return nodes, edges


@pytest.mark.parametrize("topology", [f.seed_topology(), hostile_topology()], ids=["seed", "hostile-names"])
def test_mermaid_parses_and_says_what_the_model_says(topology: Topology) -> None:
    nodes, edges = parse_mermaid(to_mermaid(topology))
    names = {node: lines[0] for node, lines in nodes.items()}
    for net in topology.networks.values():
        assert visible(net.name) in names.values()
    drawn = {(names[a], names[b]) for a, b, _, dotted in edges if not dotted}
    assert expected_edges(topology) <= drawn
    fip = topology.floating_ips[f.FIP_S1]
    (holder,) = [names[a] for a, b, label, _ in edges if names[b] == fip.floating_ip_address]
    assert holder == display_name(topology.servers[f.SERVER1]) and "10.0.0.10" in next(
        label for a, b, label, _ in edges if names[b] == fip.floating_ip_address)
    assert any(lines[-1] == "ERROR" and lines[1] == "member" for lines in nodes.values())


# --- DOT: Graphviz's own parser, else a parser of the subset written here --------------------------------
DOT_STATEMENT = re.compile(r'^    (n\d+)(?: -- (n\d+))?(?: \[(.*)\])?;$')
DOT_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[\w.#]+)(?:, |$)')


def unescape_dot(body: str) -> str:
    """A DOT string's content as Graphviz draws a label: \\" a quote, \\\\ a backslash, \\n a line break."""
    return re.sub(r'\\(.)', lambda m: {"n": "\n", '"': '"', "\\": "\\"}.get(m.group(1), m.group(0)), body)


def parse_dot(text: str) -> tuple[dict[str, list[str]], list[tuple[str, str, str, bool]]]:
    lines = text.splitlines()
    assert lines[0] == "graph topology {" and lines[-1] == "}"
    nodes: dict[str, list[str]] = {}
    edges = []
    for line in lines[4:-1]:
        match = DOT_STATEMENT.match(line)
        assert match, line
        attrs_text = match.group(3) or ""
        attrs = {m.group(1): m.group(2) for m in DOT_ATTR.finditer(attrs_text)}
        assert ", ".join(f"{k}={v}" for k, v in attrs.items()) == attrs_text, line  # nothing left unparsed
        label = unescape_dot(attrs.get("label", '""')[1:-1])
        if match.group(2):
            edges.append((match.group(1), match.group(2), label, attrs.get("style") == "dotted"))
        else:
            nodes[match.group(1)] = label.split("\n")
    return nodes, edges


def graphviz_parse(text: str) -> tuple[dict[str, list[str]], list[tuple[str, str, str, bool]]]:
    """The DOT as Graphviz reads it (`dot -Tjson0`: its parsed graph, labels unescaped by Graphviz)."""
    done = subprocess.run(["dot", "-Tjson0"], input=text, capture_output=True, text=True, check=True, timeout=30)
    graph = json.loads(done.stdout)
    ids = {obj["_gvid"]: obj["name"] for obj in graph.get("objects", [])}
    nodes = {obj["name"]: unescape_dot(obj["label"]).split("\n") for obj in graph.get("objects", [])}
    edges = [(ids[e["tail"]], ids[e["head"]], unescape_dot(e.get("label", "")), e.get("style") == "dotted")
             for e in graph.get("edges", [])]
    return nodes, edges


@pytest.mark.parametrize("topology", [f.seed_topology(), hostile_topology()], ids=["seed", "hostile-names"])
def test_dot_parses_and_says_what_the_model_says(topology: Topology) -> None:
    text = to_dot(topology)
    parsed = [parse_dot(text)]
    if shutil.which("dot"):
        parsed.append(graphviz_parse(text))
    for nodes, edges in parsed:
        names = {node: lines[0] for node, lines in nodes.items()}
        for net in topology.networks.values():
            assert visible(net.name) in names.values()
        drawn = {(names[a], names[b]) for a, b, _, dotted in edges if not dotted}
        assert expected_edges(topology) <= drawn
        graph = map_graph(topology)
        assert len(nodes) == len(graph.nodes) and len(edges) == len(graph.edges)
    if len(parsed) == 2:
        assert parsed[0][0] == parsed[1][0] and sorted(parsed[0][1]) == sorted(parsed[1][1])  # as Graphviz reads it


def test_graphviz_draws_the_dot_export() -> None:
    if not shutil.which("dot"):
        pytest.skip("graphviz's dot is not installed (make test installs it with apt-get where it can): the DOT "
                    "export was checked by this module's own parser only")
    done = subprocess.run(["dot", "-Tsvg"], input=to_dot(hostile_topology()), capture_output=True, text=True,
                          check=True, timeout=30)
    texts = "\n".join(t.text or "" for t in ET.fromstring(done.stdout).iter("{http://www.w3.org/2000/svg}text"))
    assert 'a"b<c>&d' in texts and "back\\slash \\N \\n \\\"" in texts and "nl\\x0aend\\x1b[31m" in texts


# --- SVG: the map itself ------------------------------------------------------------------------------------
def test_svg_opens_and_shows_the_networks_by_name() -> None:
    topology = hostile_topology()
    root = ET.fromstring(to_svg(topology, title='a "title" <b>'))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}title").text == 'a "title" <b>'
    rows = ["".join(span.text or "" for span in text) for text in root.iter("{http://www.w3.org/2000/svg}text")]
    page = "\n".join(rows)
    for net in topology.networks.values():
        assert f"▾ {visible(net.name)}" in page
    assert "10.0.0.10 ⇄ 127.24.4.5" in page and "● server2 10.0.0.11:80 ERROR" in page.replace(
        visible(HOSTILE[-2]), "server2")


def test_an_unowned_port_with_a_floating_ip_hangs_as_a_port() -> None:
    topology = f.seed_topology(
        networks=(Network("n1", "lonely", "ACTIVE"),), subnets=(Subnet("s1", "", "n1", "10.8.0.0/24"),),
        ports=(Port("p1", "spare", "n1", fixed_ips=(FixedIP("s1", "10.8.0.5"),)),),
        floating_ips=(FloatingIP("f1", "127.24.4.9", "n1", "p1", "10.8.0.5"),), routers=(), servers=(),
        load_balancers=(), listeners=(), pools=(), members=(), health_monitors=())
    nodes, edges = parse_mermaid(to_mermaid(topology))
    names = {node: lines for node, lines in nodes.items()}
    port = next(n for n, lines in names.items() if lines[:2] == ["spare", "port"])
    fip = next(n for n, lines in names.items() if lines[0] == "127.24.4.9")
    assert (port, fip) in {(a, b) for a, b, _, _ in edges}
