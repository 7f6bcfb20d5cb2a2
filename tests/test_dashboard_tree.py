"""The topology tree on hand-built snapshots: lazy children, in-place updates, the filter, node data."""

from __future__ import annotations

from dataclasses import replace

from textual.app import App, ComposeResult

from netdash.cloud.model import Port
from netdash.widgets.details import DetailsPane
from netdash.widgets.event_log import EventLog
from netdash.widgets.topology_tree import TopologyTree
from tests import topology_factory as f


class TreeApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TopologyTree(id="tree")
        yield DetailsPane(id="details")
        yield EventLog(id="events")


def labels(node) -> list[str]:
    return [child.label.plain for child in node.children]


async def expand(pilot, node) -> None:
    node.expand()
    await pilot.pause()


async def test_sections_and_top_level_objects_of_the_seed() -> None:
    app = TreeApp()
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        tree.update(f.seed_topology())
        await pilot.pause()
        assert [n.label.plain.split()[0] for n in tree.root.children] == [
            "Networks", "Routers", "Servers", "Floating", "Load", "Unused"]
        unused = tree.section("unused")  # the free floating IP, again; closed until asked for
        assert unused.label.plain == "Unused  (1)" and not unused.is_expanded and not unused.children
        unused.expand()
        await pilot.pause()
        assert labels(unused) == ["floating IP  127.24.4.8  not associated"]
        assert [t.split()[0] for t in labels(tree.section("networks"))] == [
            "public", "private", "worker_network", "webserver_network", "api_network"]
        assert "gw public 127.24.4.2" in labels(tree.section("routers"))[0]
        assert "⇄ 127.24.4.5" in labels(tree.section("servers"))[0]
        assert "unassociated" in labels(tree.section("floating_ips"))[2]
        assert "⇄ 127.24.4.6" in labels(tree.section("load_balancers"))[0]


async def test_sections_of_missing_services_say_so() -> None:
    app = TreeApp()
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        tree.update(replace(f.seed_topology(servers=(), load_balancers=()), services=frozenset({"network"})))
        await pilot.pause()
        servers, lbs = tree.section("servers"), tree.section("load_balancers")
        assert servers.label.plain == "Servers  unavailable: no compute service in this cloud"
        assert lbs.label.plain == "Load balancers  unavailable: no load-balancer service in this cloud"
        assert not servers.allow_expand and not servers.children and not lbs.children
        assert tree.section("networks").children  # Neutron's sections as ever


async def test_children_are_built_on_first_expansion_only() -> None:
    app = TreeApp()
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        tree.update(f.seed_topology())
        await pilot.pause()
        private = tree.find("network", f.PRIVATE)
        assert private is not None and private.allow_expand and not private.children
        await expand(pilot, private)
        subnet = private.children[0]
        assert subnet.data == subnet.data and (subnet.data.kind, subnet.data.id) == ("subnet", f.PRIVATE_SUBNET)
        await expand(pilot, subnet)
        ports = {child.data.id: child for child in subnet.children}
        assert set(ports) == {f.ROUTER_IF, f.PORT_S1, f.PORT_S2, f.LB_VIP}
        await expand(pilot, ports[f.PORT_S1])
        owner, fip = ports[f.PORT_S1].children
        assert (owner.data.kind, owner.data.id) == ("server", f.SERVER1)
        assert (fip.data.kind, fip.data.id) == ("floating_ip", f.FIP_S1)

        lb = tree.find("load_balancer", f.LB)
        await expand(pilot, lb)
        await expand(pilot, lb.children[0])
        pool = lb.children[0].children[0]
        assert "ROUND_ROBIN" in pool.label.plain
        await expand(pilot, pool)
        assert [c.data.kind for c in pool.children] == ["member", "member", "health_monitor"]
        assert "10.0.0.11:80" in pool.children[1].label.plain and "ERROR" in pool.children[1].label.plain
        assert any(span.style == "bold red" for span in pool.children[1].label.spans)


async def test_update_touches_only_changed_nodes_and_keeps_expansion_and_cursor() -> None:
    app = TreeApp()
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        topology = f.seed_topology()
        tree.update(topology)
        await pilot.pause()
        lb = tree.find("load_balancer", f.LB)
        await expand(pilot, lb)
        await expand(pilot, lb.children[0])
        pool = lb.children[0].children[0]
        await expand(pilot, pool)
        member = pool.children[1]
        tree.move_cursor(member)
        await pilot.pause()
        nodes_before = {n.id for n in tree._tree_nodes.values()}

        tree.update(topology)  # same snapshot: nothing to do
        assert tree.last_changes == 0

        changed = f.with_changed(topology, "pools", f.POOL, lb_algorithm="SOURCE_IP")
        changed = f.with_changed(changed, "members", f.MEMBER2, operating_status="ONLINE")
        tree.update(changed)
        await pilot.pause()
        assert tree.last_changes == 2
        assert "SOURCE_IP" in pool.label.plain and "ONLINE" in member.label.plain
        assert {n.id for n in tree._tree_nodes.values()} == nodes_before
        assert tree.cursor_node is member and pool.is_expanded and lb.is_expanded

        # a new port above the cursor: the cursor stays on its member, the new node appears
        new_port = Port("ffffffff-0000-4000-8000-000000000001", "new-port", f.PRIVATE)
        tree.update(f.seed_topology(ports=(*topology.ports.values(), new_port)))
        await pilot.pause()
        assert tree.cursor_node is member
        assert tree.find("port", new_port.id) is None  # under a collapsed network: not built


async def test_removed_objects_disappear_and_new_ones_appear_in_place() -> None:
    app = TreeApp()
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        topology = f.seed_topology()
        tree.update(topology)
        await pilot.pause()
        servers = [s for s in topology.servers.values() if s.id != f.SERVER1]
        tree.update(f.seed_topology(servers=servers))
        await pilot.pause()
        assert [t.split()[0] for t in labels(tree.section("servers"))] == ["server2"]
        assert "(1)" in tree.section("servers").label.plain
        tree.update(topology)
        await pilot.pause()
        assert [t.split()[0] for t in labels(tree.section("servers"))] == ["server1", "server2"]


async def test_filter_by_name_address_and_id() -> None:
    app = TreeApp()
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        tree.update(f.seed_topology())
        await pilot.pause()
        tree.set_filter("10.0.0.11")  # server2's address: its network, server, the LB with that member
        assert [t.split()[0] for t in labels(tree.section("networks"))] == ["private"]
        assert [t.split()[0] for t in labels(tree.section("servers"))] == ["server2"]
        assert len(labels(tree.section("load_balancers"))) == 1
        assert labels(tree.section("routers")) == []
        tree.set_filter(f.FIP_FREE[:12])
        assert [t.split()[0] for t in labels(tree.section("floating_ips"))] == ["127.24.4.8"]
        tree.set_filter("")
        assert len(labels(tree.section("networks"))) == 5


async def test_the_filter_keeps_every_nodes_expansion() -> None:
    """Clearing the filter puts back what it hid as it was (open or closed, nested ones too), and closes the
    sections it opened; what was open before stays open."""
    app = TreeApp()
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        tree.update(f.seed_topology())
        await pilot.pause()
        server1 = next(n for n in tree.section("servers").children if "server1" in n.label.plain)
        await expand(pilot, server1)
        port = next(n for n in server1.children if n.allow_expand)
        await expand(pilot, port)
        tree.section("routers").collapse()
        await pilot.pause()
        tree.set_filter("server2")
        await pilot.pause()
        assert tree.section("routers").is_expanded and not any("server1" in t for t in labels(tree.section("servers")))
        tree.set_filter("")
        await pilot.pause()
        server1 = next(n for n in tree.section("servers").children if "server1" in n.label.plain)
        assert server1.is_expanded and next(n for n in server1.children if n.allow_expand).is_expanded
        assert not tree.section("routers").is_expanded and tree.section("networks").is_expanded
        server2 = next(n for n in tree.section("servers").children if "server2" in n.label.plain)
        assert not server2.is_expanded


async def test_details_show_every_field_with_whole_ids() -> None:
    app = TreeApp()
    async with app.run_test(size=(120, 40)) as pilot:
        topology = f.seed_topology()
        details = app.query_one(DetailsPane)
        details.show(topology, "port", topology.ports[f.PORT_S1])
        await pilot.pause()
        shown = app.export_screenshot()
        for text in (f.PORT_S1, f.SERVER1, "fa:16:3e:00:00:09", "10.0.0.10", "compute:nova", "(server1)"):
            assert text in shown, text
        details.show(topology, "server", topology.servers[f.SERVER1])
        await pilot.pause()
        assert "running (1)" in app.export_screenshot().replace("&#160;", " ")
        details.show(topology, "port", None)
        await pilot.pause()
        assert "gone from the cloud" in app.export_screenshot().replace("&#160;", " ")


async def test_event_log_keeps_plain_entries() -> None:
    app = TreeApp()
    async with app.run_test(size=(120, 40)) as pilot:
        log = app.query_one(EventLog)
        log.add_event(f.FIXED_TIME, "pool web_pool algorithm ROUND_ROBIN -> SOURCE_IP", "info")
        log.add_event(f.FIXED_TIME, "member 10.0.0.11:80 of web_pool ONLINE -> ERROR", "error")
        await pilot.pause()
        assert [e[1].split()[0] for e in log.entries] == ["pool", "member"]


async def test_keys_typed_in_one_burst_after_the_slash_are_the_filters() -> None:
    """`/server2⏎` arriving at once (pasted, or typed fast over a slow link): all of it is the filter's, the
    Enter goes to the first match, and a `/` inside the filter (a CIDR) is text."""
    from textual import events
    from textual.widgets import Input

    from tests.test_dashboard_snapshots import still_app

    app = still_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        burst = [("slash", "/"), *((c, c) for c in "server2"), ("enter", "\r")]
        for key, character in burst:  # queued together: none is handled before the next is posted
            app.post_message(events.Key(key, character))
        await pilot.pause()
        await pilot.pause()
        assert app.query_one("#filter", Input).value == "server2"
        assert tree.cursor_node is not None and "server2" in tree.cursor_node.label.plain
        assert tree.section("servers").is_expanded
        await pilot.press("slash", *"10.0.0.0/24")
        assert app.query_one("#filter", Input).value == "10.0.0.0/24"


async def test_the_event_log_stays_in_time_order() -> None:
    app = TreeApp()
    async with app.run_test(size=(120, 40)) as pilot:
        log = app.query_one(EventLog)
        for at, text in ((10.0, "first"), (30.0, "third"), (20.0, "second, logged late"), (30.0, "fourth")):
            log.add_event(at, text)
        await pilot.pause()
        assert [text for _, text, _ in log.entries] == ["first", "second, logged late", "third", "fourth"]
        shown = [line.text for line in log.lines]
        assert [line.split(" ", 1)[1] for line in shown] == ["first", "second, logged late", "third", "fourth"]


async def test_the_event_log_wraps_again_when_its_width_changes() -> None:
    """A line written at one width and shown at another is wrapped again, every word of it still there
    (RichLog alone crops it: the start-up hint with the `export` line lost its middle)."""
    long = ("the openstack CLI reaches this embedded cloud with: export "
            "OS_CLIENT_CONFIG_FILE=/tmp/netdash-demo-3s94cfvg/clouds.yaml OS_CLOUD=netdash-demo (? shows it)")
    app = TreeApp()
    async with app.run_test(size=(200, 40)) as pilot:
        log = app.query_one(EventLog)
        log.add_event(10.0, long)
        await pilot.pause()
        for width in (90, 60, 200):
            await pilot.resize_terminal(width, 40)
            await pilot.pause()
            room = log.scrollable_content_region.width
            shown = [line.text.rstrip() for line in log.lines]
            assert all(len(line) <= room for line in shown), (room, shown)
            assert "".join("".join(shown).split()).endswith("".join(long.split())), shown  # long words fold


async def test_g_in_the_same_burst_as_the_cursor_keys_probes_where_the_cursor_landed() -> None:
    """`↓ ↓ g` arriving at once: the probe starts on the node the cursor moved to, not on the one it left
    (nor not at all, when the node it left could not be probed). The cursor moves in the tree's turn, and
    the App heard of it only later, by a message queued behind the `g`."""
    from textual import events

    from tests.test_dashboard_snapshots import still_app

    app = still_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        section = tree.section("floating_ips")
        section.expand()
        await pilot.pause()
        first, second = section.children[0], section.children[1]
        tree.move_cursor(section)  # a section's title: nothing to probe there
        await pilot.pause()
        assert not app.probe.can_probe_selection(None)
        for key in ("down", "down", "g"):  # queued together: none is handled before the next is posted
            app.post_message(events.Key(key, None))
        await pilot.pause()
        await pilot.pause()
        assert tree.cursor_node is second
        address = app.topology.floating_ips[second.data.id].floating_ip_address
        assert app.probe.running and address in app.probe.target.reason, app.probe.target
        assert first.data.id != second.data.id
        app.probe.stop()
