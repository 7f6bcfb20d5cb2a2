"""The topology map in the dashboard: snapshots of the seed scenario at 80x24 and 160x50 (the still app of
the other snapshot tests: fixed clock, no polling), the selection driving the details pane and the keys as
the tree's does, and the map following the embedded cloud as it changes (a floating IP moved, a member
going ERROR)."""

from __future__ import annotations

import dataclasses

from netdash.cloud.client import CloudClient
from netdash.cloud.model import Network, Port, Server, Topology, by_id
from netdash.democloud import DemoCloud, Settings
from netdash.tui.app import NetdashApp
from netdash.tui.messages import TopologyFetched
from netdash.widgets.details import DetailsPane
from netdash.widgets.topology_map import TopologyMap
from netdash.widgets.topology_tree import TopologyTree
from tests import topology_factory as f
from tests.cloud.test_topology_map import inside
from tests.dashboard_support import INTERVAL, in_thread, until
from tests.test_dashboard_snapshots import SMALL, Info, still_app

MEDIUM = (160, 50)


async def show_map(pilot) -> None:
    await pilot.press("M")
    await pilot.pause()


async def changed_and_selected(pilot) -> None:
    """The floating IP moved to server2 and member 1 ERROR, as the next refresh reads it; the member selected."""
    seed = f.seed_topology()
    changed = f.with_changed(seed, "floating_ips", f.FIP_S1, port_id=f.PORT_S2, fixed_ip_address="10.0.0.11")
    changed = f.with_changed(changed, "members", f.MEMBER1, operating_status="ERROR")
    pilot.app.post_message(TopologyFetched(dataclasses.replace(changed, fetched_at=f.FIXED_TIME + 4)))
    await pilot.pause()
    await show_map(pilot)
    pilot.app.query_one(TopologyMap).select("member", f.MEMBER1)
    await pilot.pause()


class TestMapSnapshots:
    def test_map_80x24(self, snap_compare) -> None:
        assert snap_compare(still_app(), terminal_size=SMALL, run_before=show_map)

    def test_map_160x50(self, snap_compare) -> None:
        assert snap_compare(still_app(), terminal_size=MEDIUM, run_before=show_map)

    def test_map_marks_changes_160x50(self, snap_compare) -> None:
        assert snap_compare(still_app(), terminal_size=MEDIUM, run_before=changed_and_selected)


async def test_the_map_selects_as_the_tree_does_and_m_puts_the_tree_back() -> None:
    app = still_app()
    async with app.run_test(size=MEDIUM) as pilot:
        tree, topology_map = app.query_one(TopologyTree), app.query_one(TopologyMap)
        tree.move_cursor(tree.find("server", f.SERVER2))
        await pilot.pause()
        assert "Show the map" in [command.title for command in app.get_system_commands(app.screen)]
        await show_map(pilot)
        assert topology_map.display and not tree.display and app.focused is topology_map
        assert topology_map.selected == ("server", f.SERVER2)  # it starts where the tree was
        topology_map.select("floating_ip", f.FIP_S1)
        await pilot.pause()
        details = app.query_one(DetailsPane)
        assert details.kind == "floating_ip" and details.resource.id == f.FIP_S1
        assert app._selection()[0] == "floating_ip" and "move_fip" in app.fitting_actions()  # m works from here
        await pilot.press("c")
        assert app.clipboard == f.FIP_S1
        await pilot.press("home")
        assert topology_map.selected == ("network", f.PUBLIC)
        await pilot.press("enter")  # a bar closes to its counts, and opens again
        assert not topology_map.is_open(f.PUBLIC)
        assert "▸ public · 127.24.4.0/24 · external shared · 2 routers, 2 servers" in topology_map.map_layout.text()
        await pilot.press("space")
        assert topology_map.is_open(f.PUBLIC)
        await pilot.press("down")
        assert topology_map.selected == ("router", f.GATEWAY_ROUTER)
        assert "Show the tree" in [command.title for command in app.get_system_commands(app.screen)]
        await pilot.press("M")
        assert tree.display and app.focused is tree and tree.selected == ("server", f.SERVER2)
        assert app.query_one(DetailsPane).kind == "server"  # the tree's selection is the App's again


async def test_the_filter_dims_what_it_does_not_match_on_the_map_and_enter_goes_to_the_first_match() -> None:
    app = still_app()
    async with app.run_test(size=MEDIUM) as pilot:
        await show_map(pilot)
        topology_map = app.query_one(TopologyMap)
        layout = topology_map.map_layout
        assert layout is not None
        box = {s.key: s for s in layout.spots}

        def dim(key: tuple[str, str]) -> bool:
            x, y, _, _ = box[key].rect
            style = topology_map._row(layout, y).crop(x, x + 1)._segments[0].style
            return box[key].rect in topology_map._dimmed and style == topology_map._style("unmatched")

        await pilot.press("slash", *"server2", "enter")
        assert dim(("server", f.SERVER1)) and not dim(("server", f.SERVER2))
        assert dim(("network", f.PUBLIC))  # as the tree's filter: a network matches by its own ports' names
        assert app.focused is topology_map and topology_map.selected == ("server", f.SERVER2)
        await pilot.press("escape")  # the filter goes, on the map as on the tree
        assert topology_map._dimmed == [] and app.focused is topology_map
        assert app.query_one(TopologyTree).filter_text == ""


async def test_a_large_project_opens_the_map_with_its_bars_closed() -> None:
    networks = [Network(f"net{i}", f"net-{i}", "ACTIVE") for i in range(100)]
    ports = [Port(f"p{i}", "", f"net{i % 100}", device_id=f"s{i % 1000}", device_owner="compute:nova")
             for i in range(2000)]
    servers = [Server(f"s{i}", f"server-{i}", "ACTIVE") for i in range(1000)]
    topology = Topology(networks=by_id(networks), ports=by_id(ports), servers=by_id(servers),
                        services=frozenset({"network", "compute"}), fetched_at=f.FIXED_TIME)
    app = NetdashApp(None, Info(), poll=False, topology=topology, clock=lambda: f.FIXED_TIME)
    async with app.run_test(size=SMALL) as pilot:
        await show_map(pilot)
        topology_map = app.query_one(TopologyMap)
        assert topology_map.map_layout.height == 102  # a line a bar, nothing laid out inside one
        await pilot.press("down", "down", "enter")
        assert topology_map.selected == ("network", "net2")
        assert len([s for s in topology_map.map_layout.spots if s.key[0] == "server"]) == 10


async def test_the_map_follows_a_floating_ip_move_and_a_member_going_error() -> None:
    """Changes made with openstacksdk behind the dashboard's back: at the next refreshes the floating IP is
    drawn on server2's box and the member in ERROR, both marked as changed."""
    settings = Settings(provisioning_delay=0.2, build_delay=0.1, monitor_time_scale=0.1)
    with DemoCloud(seed=True, settings=settings) as cloud:
        conn = cloud.connection()
        client = CloudClient.for_demo(cloud, max_rps=1000)
        app = NetdashApp(client, client.info, interval=INTERVAL)
        async with app.run_test(size=MEDIUM) as pilot:
            await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
            await show_map(pilot)
            topology_map = app.query_one(TopologyMap)
            t = app.topology
            server1, server2 = (next(s for s in t.servers.values() if s.name == n) for n in ("server1", "server2"))
            private = next(n for n in t.networks.values() if n.name == "private")
            fip = next(x for x in t.floating_ips.values()
                       if t.ports[x.port_id or ""].device_id == server1.id)
            target = next(p for p in t.ports_of_device(server2.id) if p.network_id == private.id)

            def drawn_in(key: tuple[str, str], box_key: tuple[str, str]) -> bool:
                layout = topology_map.map_layout
                spot = next((s for s in layout.spots if s.key == key), None) if layout else None
                boxes = [s for s in layout.spots if s.key == box_key] if layout else []
                return spot is not None and any(inside(spot, box) for box in boxes)

            def marked(key: tuple[str, str]) -> bool:
                layout = topology_map.map_layout
                spot = next((s for s in layout.spots if s.key == key), None) if layout else None
                return spot is not None and layout.styles[spot.rect[1]][spot.rect[0]].endswith("+changed")

            assert drawn_in(("floating_ip", fip.id), ("server", server1.id))
            await in_thread(conn.network.update_ip, conn.network.get_ip(fip.id), port_id=target.id)
            await until(pilot, lambda: drawn_in(("floating_ip", fip.id), ("server", server2.id)), timeout=10,
                        what="the floating IP drawn on server2")
            assert marked(("floating_ip", fip.id))

            member = next(m for m in app.topology.members.values()
                          if getattr(app.topology.server_of_address(m.address), "id", None) == server1.id)
            await in_thread(conn.compute.stop_server, server1.id)
            await until(pilot, lambda: app.topology.members[member.id].operating_status == "ERROR", timeout=15,
                        what="member on server1 ERROR")
            await until(pilot, lambda: marked(("member", member.id)), timeout=5, what="the member marked")
            layout = topology_map.map_layout
            spot = next(s for s in layout.spots if s.key == ("member", member.id))
            assert "".join(layout.chars[spot.rect[1]][spot.rect[0]:spot.rect[0] + spot.rect[2]]).endswith("ERROR")
            assert topology_map.select("member", member.id)
            await pilot.pause()
            assert app._selection() == ("member", app.topology.members[member.id])
            assert "member_disable" in app.fitting_actions()  # the member's keys, as on the tree
        client.close()
