"""Taking a port down and back up: the action added as one class (`actions/port.py`), reached through
the command line and through its key, the palette and `?` in the dashboard, which the catalog made."""

from __future__ import annotations

from typing import Any

from textual.command import CommandList, CommandPalette

from netdash.actions import DONE
from netdash.actions.port import PortAdminState
from netdash.democloud import DemoCloud
from netdash.tui.screens import KeysScreen
from tests.dashboard_support import dashboard, in_thread, press
from tests.test_dashboard_actions import child, open_node, run, select, shown_actions, start, until
from tests.waiting import wait_for

from .conftest import Cli, answer, url_of


def test_port_down_and_up_by_command(cli: Cli, sdk: Any) -> None:
    url = url_of(sdk, sdk.network.find_port("server-1-port"))  # server1 behind the port's public address
    wait_for(lambda: answer(url) == "server1", what="server1 on its port")
    ran = cli("port", "admin-state", "server-1-port", "down", "--dry-run")
    assert ran.code == 0 and "admin state down" in ran.out and "admin_state_up -> false" in ran.out
    assert sdk.network.find_port("server-1-port").is_admin_state_up is True
    ran = cli("port", "admin-state", "server-1-port", "down")
    assert ran.code == 0, ran.err
    port = sdk.network.find_port("server-1-port")
    assert port.is_admin_state_up is False and port.status == "DOWN"
    wait_for(lambda: answer(url) is None, what="no traffic through a port set down")
    ran = cli("port", "admin-state", "server-1-port", "down")
    assert ran.code == 2 and "is already down" in ran.err
    ran = cli("port", "admin-state", "server-1-port", "sideways")
    assert ran.code == 2 and "unknown state 'sideways'" in ran.err
    ran = cli("port", "admin-state", "server-1-port", "UP")
    assert ran.code == 0, ran.err
    port = sdk.network.find_port("server-1-port")
    assert port.is_admin_state_up is True and port.status == "ACTIVE"
    wait_for(lambda: answer(url_of(sdk, sdk.network.find_port("server-1-port"))) == "server1",
             what="server1 on its port again")


async def test_port_down_and_up_by_key_palette_and_help(seeded_cloud: DemoCloud) -> None:
    conn = seeded_cloud.connection()
    app = dashboard(seeded_cloud)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one("#tree")
        await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
        server = await open_node(pilot, child(tree.section("servers"), "server1"))
        port_node = child(server, "server-1-port")
        await select(pilot, app, port_node)
        assert "port_admin_state" in shown_actions(app)

        await press(pilot, "ctrl+p")
        palette = await until(pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen, what="palette")
        await press(pilot, *"port up")
        await until(pilot, lambda: any("Port up/down (s)" in str(o.prompt) for o in
                                       palette.query_one(CommandList).options), what="the action in the palette")
        await press(pilot, "escape")
        await until(pilot, lambda: not isinstance(app.screen, CommandPalette), what="palette closed")

        screen = await start(pilot, app, "s")
        assert "admin state down" in screen.plan.title
        assert (await run(pilot, app, screen)).outcome == DONE
        assert (await in_thread(conn.network.get_port, port_node.data.id)).is_admin_state_up is False
        await until(pilot, lambda: not app.topology.ports[port_node.data.id].admin_state_up, what="the port down")
        await select(pilot, app, child(server, "server-1-port"))
        screen = await start(pilot, app, "s")
        assert "admin state up" in screen.plan.title
        assert (await run(pilot, app, screen)).outcome == DONE
        assert (await in_thread(conn.network.get_port, port_node.data.id)).is_admin_state_up is True

        await press(pilot, "question_mark")
        keys = await until(pilot, lambda: isinstance(app.screen, KeysScreen) and app.screen, what="the keys")
        assert ("s", "Port up/down", f"{PortAdminState.tooltip}  [actions.{PortAdminState.id}]") in keys.rows


async def test_read_only_offers_no_port_key(seeded_cloud: DemoCloud) -> None:
    app = dashboard(seeded_cloud, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one("#tree")
        await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
        server = await open_node(pilot, child(tree.section("servers"), "server1"))
        await select(pilot, app, child(server, "server-1-port"))
        assert shown_actions(app) == set()
        await press(pilot, "s")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]
