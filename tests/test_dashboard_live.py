"""The dashboard against the embedded cloud: the seed in place, changes made behind its back, a failing
cloud marked stale and recovered. Everything goes over HTTP through openstacksdk, as with a real cloud."""

from __future__ import annotations

import pytest

from netdash.cloud.client import CloudClient
from netdash.tui.app import NetdashApp
from netdash.widgets.event_log import EventLog
from netdash.widgets.status import StatusHeader
from netdash.widgets.topology_tree import TopologyTree
from tests.dashboard_support import INTERVAL, dashboard, in_thread, next_refreshes, press, until
from tests.waiting import wait_for


def names(node) -> list[str]:
    return [child.label.plain.split()[0] for child in node.children]


async def open_node(pilot, node):
    node.expand()
    await until(pilot, lambda: node.children or not node.allow_expand, what=f"children of {node.label}")
    return node


def child(node, text: str):
    return next(c for c in node.children if text in c.label.plain)


async def test_seed_scenario_appears_in_the_right_places(seeded_cloud) -> None:
    app = dashboard(seeded_cloud)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
        assert {"public", "private", "worker_network", "webserver_network", "api_network"} <= set(
            names(tree.section("networks")))
        assert set(names(tree.section("routers"))) == {"private_gateway", "project_router"}
        assert set(names(tree.section("servers"))) == {"server1", "server2"}
        assert len(tree.section("floating_ips").children) == 2
        assert names(tree.section("load_balancers")) == ["web"]
        assert "embedded demo cloud" in app.query_one(StatusHeader).render().plain  # type: ignore[union-attr]

        # network -> subnet -> port -> owner: server-1-port sits on public, attached to server1
        public = await open_node(pilot, child(tree.section("networks"), "public"))
        subnet = await open_node(pilot, public.children[0])
        port = await open_node(pilot, child(subnet, "server-1-port"))
        assert [c.label.plain.split()[1] for c in port.children] == ["server1"]

        # server1's private port carries the floating IP; the floating IP points back at server1
        server1 = await open_node(pilot, child(tree.section("servers"), "server1"))
        assert any("⇄ 127.24.4." in c.label.plain for c in server1.children)
        fip = next(c for c in tree.section("floating_ips").children if "server1" in c.label.plain)
        fip_port = await open_node(pilot, fip)
        await open_node(pilot, fip_port.children[0])
        assert "server1" in fip_port.children[0].children[0].label.plain

        # routers: gateway on public, one interface per subnet
        project_router = await open_node(pilot, child(tree.section("routers"), "project_router"))
        assert [c.label.plain.split()[0] for c in project_router.children] == ["gateway"] + ["interface"] * 3

        # LB -> listener -> pool (algorithm) -> two members with health, and the monitor
        lb = await open_node(pilot, tree.section("load_balancers").children[0])
        listener = await open_node(pilot, lb.children[0])
        pool = await open_node(pilot, listener.children[0])
        assert "web_pool" in pool.label.plain and "ROUND_ROBIN" in pool.label.plain
        kinds = [c.data.kind for c in pool.children]
        assert kinds == ["member", "member", "health_monitor"]
        assert "delay 3 timeout 3 retries 3" in pool.children[2].label.plain


#: fetching in the dashboard's process, and in a fetch process as `netdash` runs it
FETCHES = pytest.mark.parametrize("fetch_process", [False, True], ids=["fetch-here", "fetch-process"])


@FETCHES
async def test_changes_behind_the_dashboards_back_appear_within_one_refresh(seeded_cloud, fetch_process) -> None:
    conn = seeded_cloud.connection()
    app = dashboard(seeded_cloud, fetch_process=fetch_process)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        log = app.query_one(EventLog)
        await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
        lb = await open_node(pilot, tree.section("load_balancers").children[0])
        listener = await open_node(pilot, lb.children[0])
        pool = await open_node(pilot, listener.children[0])
        private = await open_node(pilot, child(tree.section("networks"), "private"))
        subnet = await open_node(pilot, private.children[0])
        tree.move_cursor(pool)
        await pilot.pause()
        expanded = {n.id for n in tree._tree_nodes.values() if n.is_expanded}

        servers = {s.name: s for s in await in_thread(lambda: list(conn.compute.servers()))}
        private_net = await in_thread(conn.network.find_network, "private")
        fip = next(f for f in await in_thread(lambda: list(conn.network.ips()))
                   if f.fixed_ip_address and servers["server1"].id in str(
                       conn.network.get_port(f.port_id).device_id))
        server2_port = next(p for p in await in_thread(lambda: list(conn.network.ports(
            device_id=servers["server2"].id, network_id=private_net.id))))
        os_pool = await in_thread(conn.load_balancer.find_pool, "web_pool")
        os_lb = await in_thread(conn.load_balancer.find_load_balancer, "web")

        def lb_active() -> bool:
            return conn.load_balancer.get_load_balancer(os_lb.id).provisioning_status == "ACTIVE"

        new_port = await in_thread(conn.network.create_port, network_id=private_net.id, name="sneaky-port")
        await in_thread(conn.network.update_ip, fip, port_id=server2_port.id)
        await in_thread(conn.compute.stop_server, servers["server2"])
        await in_thread(conn.load_balancer.update_pool, os_pool, lb_algorithm="SOURCE_IP")
        await in_thread(wait_for, lb_active, what="lb ACTIVE after the pool change")
        members = await in_thread(lambda: list(conn.load_balancer.members(os_pool)))
        await in_thread(conn.load_balancer.delete_member, members[0], os_pool)
        await in_thread(wait_for, lambda: len(list(conn.load_balancer.members(os_pool))) == 1, what="member gone")
        await in_thread(wait_for, lambda: conn.compute.get_server(servers["server2"].id).status == "SHUTOFF",
                        what="server2 SHUTOFF")
        await next_refreshes(pilot, app)

        texts = [entry[1] for entry in log.entries]
        assert any("sneaky-port" in t for t in texts), texts
        assert any(fip.floating_ip_address in t and "server2" in t for t in texts), texts
        assert any("server2" in t and "SHUTOFF" in t for t in texts), texts
        assert any("ROUND_ROBIN -> SOURCE_IP" in t for t in texts), texts
        assert any("member" in t and members[0].address in t for t in texts), texts

        assert "SOURCE_IP" in pool.label.plain
        assert [c.data.kind for c in pool.children] == ["member", "health_monitor"]
        assert any(c.data.id == new_port.id for c in subnet.children)
        assert "SHUTOFF" in child(tree.section("servers"), "server2").label.plain
        moved = next(c for c in tree.section("floating_ips").children if fip.floating_ip_address in c.label.plain)
        assert "server2" in moved.label.plain
        # the view did not move under the operator
        assert tree.cursor_node is pool
        assert {n.id for n in tree._tree_nodes.values() if n.is_expanded} >= expanded


@FETCHES
async def test_a_stopped_cloud_marks_the_view_stale_and_a_restarted_one_recovers(seeded_cloud,
                                                                                  fetch_process) -> None:
    app = dashboard(seeded_cloud, fetch_process=fetch_process)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        header = app.query_one(StatusHeader)
        await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
        servers_before = names(tree.section("servers"))

        seeded_cloud.stop()
        await until(pilot, lambda: header.has_class("-stale"), timeout=3, what="stale mark")
        assert tree.has_class("-stale") and "STALE" in header.render().plain  # type: ignore[union-attr]
        assert "unreachable" in header.reason
        assert names(tree.section("servers")) == servers_before  # the last snapshot stays on screen

        # keys still answer while the cloud is down
        line = tree.cursor_line
        await press(pilot, "down", "down")
        assert tree.cursor_line == line + 2
        await press(pilot, "slash", "s", "e", "r", "v", "e", "r", "1")
        assert names(tree.section("servers")) == ["server1"]
        await press(pilot, "escape")
        assert len(tree.section("servers").children) == 2

        seeded_cloud.start()
        await until(pilot, lambda: not header.has_class("-stale"), timeout=5, what="recovery")
        assert not tree.has_class("-stale")
        assert any("answers again" in entry[1] for entry in app.query_one(EventLog).entries)


async def test_netdash_starts_its_fetch_process_after_the_first_paint_and_refreshes_through_it(
        seeded_cloud) -> None:
    client = CloudClient.for_demo(seeded_cloud, max_rps=1000)
    app = NetdashApp(client, client.info, interval=INTERVAL, fetch_process=True)  # as `netdash` runs it
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            tree = app.query_one(TopologyTree)
            await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
            await until(pilot, client.fetch_process_ready, timeout=30,
                        what="the fetch process up")
            child = client.fetcher.process
            before = child.calls
            await in_thread(seeded_cloud.connection().network.create_network, name="seen-through-the-child")
            await until(pilot, lambda: "seen-through-the-child" in names(tree.section("networks")), timeout=10,
                        what="the new network shown")
            assert client.fetcher.process is child and child.calls > before  # the refreshes went through it
    finally:
        client.close()


async def test_the_header_says_faults_and_the_keys_screen_shows_the_cli_line(seeded_cloud) -> None:
    from dataclasses import replace

    from textual.widgets import Static

    from netdash.tui.screens import KeysScreen

    client = CloudClient.for_demo(seeded_cloud, max_rps=1000)
    client.info = replace(client.info, clouds_yaml="/tmp/netdash demo/clouds.yaml", faults=("503:rate=0.1@network",))
    app = NetdashApp(client, client.info, interval=INTERVAL)
    async with app.run_test(size=(160, 40)) as pilot:
        await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
        header = str(app.query_one(StatusHeader).render())
        assert "faults active: 503:rate=0.1@network" in header
        line = "export OS_CLIENT_CONFIG_FILE='/tmp/netdash demo/clouds.yaml' OS_CLOUD=netdash-demo"
        assert any(line in text for _, text, _ in app.query_one(EventLog).entries)
        await press(pilot, "question_mark")
        screen = await until(pilot, lambda: isinstance(app.screen, KeysScreen) and app.screen, what="the keys")
        assert line in str(screen.query_one("#keys-environment", Static).render())
        await press(pilot, "c")
        assert app.clipboard == line


async def test_screenshots_go_where_asked_and_a_bad_place_is_named(tmp_path) -> None:
    from tests.test_dashboard_snapshots import still_app

    app = still_app()
    app.screenshots = str(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.deliver_screenshot()
        await until(pilot, lambda: list(tmp_path.glob("*.svg")), what="the screenshot saved")
        app.screenshots = str(tmp_path / "missing")
        assert app.deliver_screenshot() is None
        await pilot.pause()
        assert any(f"cannot save a screenshot in {tmp_path / 'missing'}: no such directory" in str(n.message)
                   for n in app._notifications)


async def test_the_config_files_theme_and_keys_apply() -> None:
    from tests import topology_factory as f
    from tests.test_dashboard_snapshots import Info

    app = NetdashApp(None, Info(), poll=False, topology=f.seed_topology(), theme="nord",
                     keymap={"app.keys": "f1"})
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.theme == "nord"
        await press(pilot, "f1")
        from netdash.tui.screens import KeysScreen

        screen = await until(pilot, lambda: isinstance(app.screen, KeysScreen) and app.screen,
                             what="the keys screen on f1")
        assert ("f1", "Keys") in {(key, description) for key, description, _ in screen.rows}
        assert any("[app.keys]" in why for _, _, why in screen.rows)


async def test_the_palette_switches_the_probes_connection_mode() -> None:
    from textual.command import CommandPalette

    from tests import topology_factory as f
    from tests.test_dashboard_snapshots import Info

    app = NetdashApp(None, Info(), poll=False, topology=f.seed_topology())
    async with app.run_test(size=(120, 40)) as pilot:
        from netdash.widgets.probe_pane import ProbePane

        pane = app.query_one(ProbePane)
        assert not pane.stats.new_connections
        await press(pilot, "ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
        await press(pilot, *"new connection per", "enter")
        await until(pilot, lambda: pane.stats.new_connections, what="the probe in new-connection mode")
