"""Issue 16 in the dashboard: an action whose traffic disagrees with the cloud says so (a data plane told to
ignore the change: the embedded cloud's `freeze-dataplane` fault), and `ctrl+z` undoes it: the inverse
planned against the cloud as it is now, shown, confirmed, run and proven by traffic like any action."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette

from netdash.actions import DISPUTED, DONE
from netdash.tui.action_screens import ActionScreen
from netdash.widgets.topology_tree import TopologyTree
from tests.actions.conftest import traffic
from tests.dashboard_support import dashboard, in_thread
from tests.test_dashboard_actions import child, logged, run, select, start, until


async def test_traffic_that_disagrees_is_a_warning_and_ctrl_z_undoes_the_move(seeded_cloud) -> None:
    conn = seeded_cloud.connection()
    app = dashboard(seeded_cloud)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
        fip_node = child(tree.section("floating_ips"), "server1")
        fip = await in_thread(conn.network.get_ip, fip_node.data.id)
        label = f"floating IP {fip.floating_ip_address}"
        s2 = await in_thread(conn.compute.find_server, "server2")
        private = await in_thread(conn.network.find_network, "private")
        (target,) = await in_thread(lambda: list(conn.network.ports(device_id=s2.id, network_id=private.id)))

        await select(pilot, app, fip_node)
        screen = await start(pilot, app, "m", target.id)
        seeded_cloud.cloud.faults.add_spec("freeze-dataplane")  # the API moves it, the traffic stays
        try:
            result = await run(pilot, app, screen)
        finally:
            seeded_cloud.cloud.faults.clear()
        assert result.outcome == DISPUTED, result
        assert traffic("\n".join(result.lines), label) == ({"server1"}, {"server1"})
        assert any(f"traffic disagrees with what the API says is done: {label}: server1 answered" in line
                   for line in logged(app))
        assert (await in_thread(conn.network.get_ip, fip.id)).port_id == target.id

        await pilot.press("ctrl+p")  # the palette offers the undo too
        palette = await until(pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen, what="palette")
        await pilot.press(*"undo")
        await until(pilot, lambda: any("Undo the last action" in str(o.prompt) for o in
                                       palette.query_one(CommandList).options), what="the undo in the palette")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, CommandPalette), what="palette closed")

        await pilot.press("ctrl+z")
        undo = await until(pilot, lambda: isinstance(app.screen, ActionScreen) and app.screen.phase != "planning"
                           and app.screen, what="the undo's plan")
        assert undo.plan.title.startswith(f"undo: move floating IP {fip.floating_ip_address}"), undo.plan
        assert "(server1)" in undo.plan.title.rsplit(" to ", 1)[1]  # the inverse, planned against the cloud now
        assert undo.plan.notes[-1].startswith(f"it undoes: move floating IP {fip.floating_ip_address}")
        result = await run(pilot, app, undo)
        assert result.outcome == DONE, result
        # the data plane follows again: it had caught up with the move, and the undo moves it back
        assert traffic("\n".join(result.lines), label) == ({"server2"}, {"server1"})
        assert (await in_thread(conn.network.get_ip, fip.id)).port_id == fip.port_id
