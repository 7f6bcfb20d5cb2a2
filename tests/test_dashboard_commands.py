"""The command bar (`:`) and `:unused` through the dashboard at 80x24, against the seeded embedded cloud:
search by address, MAC, id prefix and name jumps to the object (parents opened, the tree view shown on a
narrow terminal); an unknown line is one line in the bar; Tab completes; an action by name runs on the
object it names, refused by the key's own rule; and each clean-up of the Unused section (release, delete
port, delete group) is planned, confirmed from Cancel, run and read back gone. One app run for all: each
check is a few key presses, a cloud and a dashboard are seconds."""

from __future__ import annotations

from typing import Any

from textual import events

from netdash.actions import DONE
from netdash.widgets.command_bar import CommandBar
from netdash.widgets.topology_tree import TopologyTree
from tests.dashboard_support import dashboard, in_thread
from tests.test_dashboard_actions import run, select, shown_actions, start, until


async def command(pilot: Any, app: Any, line: str) -> CommandBar:
    """`:`, the line pasted (an address or an id is pasted more often than typed, and a key at a time costs
    the suite a tenth of a second each), Enter; the bar (open still if the line said what went wrong)."""
    await pilot.press("colon")
    bar = app.query_one(CommandBar)
    field = await until(pilot, lambda: bar.is_open and app.focused is not None and app.focused.id == "command-input"
                        and app.focused, what="the command bar")
    field.post_message(events.Paste(line))
    await until(pilot, lambda: field.value == line, what="the line pasted")
    await pilot.press("enter")
    await pilot.pause()
    return bar


async def jumped(pilot: Any, app: Any, line: str, kind: str, resource_id: str) -> None:
    bar = await command(pilot, app, line)
    tree = app.query_one(TopologyTree)
    await until(pilot, lambda: tree.selected == (kind, resource_id), what=f"{line!r} -> the {kind}")
    assert not bar.is_open and app.focused is tree
    assert app.views.current == "tree"  # 80 columns: one view at a time, and the tree is where the object is


async def test_command_bar_search_and_unused_clean_up(seeded_cloud: Any) -> None:
    conn = seeded_cloud.connection()
    public = conn.network.find_network("public")
    private = conn.network.find_network("private")
    free = conn.network.create_ip(floating_network_id=public.id)
    spare = conn.network.create_port(network_id=private.id, name="spare")
    idle = conn.network.create_security_group(name="idle")
    server1 = conn.compute.find_server("server1")
    (s1_port,) = list(conn.network.ports(device_id=server1.id, network_id=private.id))
    held = next(f for f in conn.network.ips() if f.port_id == s1_port.id)
    pool = conn.load_balancer.find_pool("web_pool")

    app = dashboard(seeded_cloud)
    async with app.run_test(size=(80, 24)) as pilot:
        tree = app.query_one(TopologyTree)
        await until(pilot, lambda: app.refreshes >= 1 and free.id in app.topology.floating_ips, what="first refresh")
        await pilot.press("p", "v")  # polling paused (the searches need no refresh); the details view
        await jumped(pilot, app, f"fip {free.floating_ip_address}", "floating_ip", free.id)
        await jumped(pilot, app, spare.mac_address.upper(), "port", spare.id)
        await jumped(pilot, app, server1.id[:8], "server", server1.id)
        await jumped(pilot, app, "web_pool", "pool", pool.id)  # under web -> web_listener, built on the way
        assert tree.cursor_node.parent.data.kind == "listener"

        await command(pilot, app, "quota")  # the quotas are in the Networks title's details: that view
        assert tree.cursor_node is tree.section("networks") and app.views.current == "details"
        bar = await command(pilot, app, "no-such-thing")
        assert bar.is_open and "nothing matches 'no-such-thing'" in str(bar.query_one("#command-message").render())
        await pilot.press("escape")
        await until(pilot, lambda: not bar.is_open and app.focused is tree, what="the bar closed by escape")

        await pilot.press("colon", *"fip 1")  # completion: Tab writes the first suggestion
        await until(pilot, lambda: len(bar.suggestions) >= 3, what="floating IPs suggested")
        await pilot.press("tab")
        assert bar.value.startswith("fip 127.24.4.") and bar.value.endswith(" ")
        await pilot.press("escape")

        # an action by name, on the object the line names: refused by the rule that greys its key
        await command(pilot, app, f"fip release {held.floating_ip_address}")
        await until(pilot, lambda: tree.selected == ("floating_ip", held.id), what="the held floating IP")
        assert "release_fip" in shown_actions(app, enabled=False)
        await until(pilot, lambda: any("is associated with server1: disassociate it first" in str(n.message)
                                       for n in app._notifications), what="the refusal")

        await pilot.press("p")  # polling again: the clean-ups are read back by the refreshes after them
        await command(pilot, app, "unused")
        unused = tree.section("unused")
        assert tree.cursor_node is unused and unused.is_expanded
        assert {(c.data.kind, c.data.id) for c in unused.children} == {
            ("floating_ip", free.id), ("port", spare.id), ("security_group", idle.id)}
        for node, read in ((next(c for c in unused.children if c.data.kind == "floating_ip"), conn.network.find_ip),
                           (next(c for c in unused.children if c.data.kind == "port"), conn.network.find_port),
                           (next(c for c in unused.children if c.data.kind == "security_group"),
                            conn.network.find_security_group)):
            await select(pilot, app, node)
            screen = await start(pilot, app, "D")
            assert "cannot be undone" in " ".join(screen.plan.notes)
            assert app.focused is not None and app.focused.id == "action-cancel"  # destructive: Cancel first
            assert (await run(pilot, app, screen)).outcome == DONE
            assert await in_thread(read, node.data.id) is None
        await until(pilot, lambda: not unused.children, what="the Unused section empty after the refresh")
