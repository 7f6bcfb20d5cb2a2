"""The actions through the dashboard's keys, against the embedded cloud: pick, plan, confirm, progress,
result; the end state read back with openstacksdk (and, for the FIP move and the swap, the data plane);
refusals change nothing; `--read-only` offers no action at all."""

from __future__ import annotations

from typing import Any

from textual.command import CommandList, CommandPalette
from textual.widgets import Button, OptionList, Static

from netdash.actions import DONE, REFUSED, ROLLED_BACK
from netdash.tui.action_flow import ACTION_OF_BINDING
from netdash.tui.action_screens import ActionScreen, PickScreen, outcome_line
from netdash.widgets.event_log import EventLog
from netdash.widgets.key_bar import KeyBar
from netdash.widgets.topology_tree import TopologyTree
from tests.actions.conftest import traffic
from tests.dashboard_support import dashboard, in_thread, press
from tests.dashboard_support import until as until_within
from tests.democloud.dataplane_support import answer, endpoint_of
from tests.waiting import wait_for

#: generous: the whole suite runs these beside many other clouds on two cores; a pass takes far less
WAIT = 20.0


async def until(pilot, check, what: str = "") -> Any:
    return await until_within(pilot, check, WAIT, what)


def child(node, text: str):
    return next(c for c in node.children if text in c.label.plain)


async def open_node(pilot, node):
    node.expand()
    await until(pilot, lambda: node.children or not node.allow_expand, what=f"children of {node.label}")
    return node


async def select(pilot, app, node) -> None:
    app.query_one(TopologyTree).move_cursor(node)
    await until(pilot, lambda: app.query_one(TopologyTree).cursor_node is node, what="cursor on the node")
    await pilot.pause(0.02)  # the highlight's message reaches the App (not an idle wait: a probing app never is)


def shown_actions(app, enabled: bool = True) -> set[str]:
    """The action keys the key bar shows now, usable (or greyed: `enabled=False`)."""
    return {ACTION_OF_BINDING[b.binding.action] for b in app.screen.active_bindings.values()
            if b.binding.action in ACTION_OF_BINDING and b.enabled is enabled}


async def start(pilot, app, key: str, *picks: str) -> ActionScreen:
    """Press an action key, make the picks, and wait for the plan (or the refusal) in the modal."""
    await press(pilot, key)
    for pick in picks:
        picker = await until(pilot, lambda: isinstance(app.screen, PickScreen) and app.screen.query(OptionList)
                             and app.screen, what="a picker, composed")
        picker.choose(pick)
        await press(pilot, "enter")
    return await until(pilot, lambda: isinstance(app.screen, ActionScreen) and app.screen.phase != "planning"
                       and app.screen, what="the plan")


async def run(pilot, app, screen: ActionScreen) -> Any:
    """Confirm, wait for the result, close the modal; the Result."""
    assert screen.phase == "confirm", screen.plan
    screen.query_one("#action-run", Button).press()
    await until(pilot, lambda: screen.phase == "finished", what="the action's result")
    await logged_result(pilot, app, screen)
    await press(pilot, "escape")
    await until(pilot, lambda: app.screen is not screen and not app.action_open, what="the modal closed")
    return screen.result


def logged(app) -> list[str]:
    return [entry[1] for entry in app.query_one(EventLog).entries]


async def logged_result(pilot, app, screen: ActionScreen) -> None:
    """The screen shows the result first; the App logs it when the screen's `Finished` reaches it."""
    await until(pilot, lambda: outcome_line(screen.result) in logged(app), what="the result in the event log")


async def test_move_floating_ip_by_key(seeded_cloud) -> None:
    conn = seeded_cloud.connection()
    app = dashboard(seeded_cloud)
    pending_seen: list[bool] = []

    def hook(message) -> None:
        if isinstance(message, ActionScreen.Progress):
            fips = app.query_one(TopologyTree).section("floating_ips")
            pending_seen.append(any("pending…" in c.label.plain for c in fips.children))

    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        tree = app.query_one(TopologyTree)
        await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
        s2 = await in_thread(conn.compute.find_server, "server2")
        private = await in_thread(conn.network.find_network, "private")
        (target,) = await in_thread(lambda: list(conn.network.ports(device_id=s2.id, network_id=private.id)))
        fip_node = child(tree.section("floating_ips"), "server1")
        fip = await in_thread(conn.network.get_ip, fip_node.data.id)
        url = f"http://{await in_thread(endpoint_of, conn, 'floatingip', fip.id)}/"
        await in_thread(wait_for, lambda: answer(url) == "server1", what="server1 behind the floating IP")

        await select(pilot, app, fip_node)
        assert {"move_fip", "disassociate_fip", "allocate_fip"} <= shown_actions(app)
        assert "associate_fip" not in shown_actions(app) and "server_stop" not in shown_actions(app)
        # greyed: it is associated (use move; disassociate before releasing it)
        assert shown_actions(app, enabled=False) == {"associate_fip", "release_fip"}
        await press(pilot, "m")  # the load balancer's VIP holds a floating IP: shown, greyed, with the reason
        picker = await until(pilot, lambda: isinstance(app.screen, PickScreen) and app.screen, what="the picker")
        options = picker.query_one(OptionList).options
        assert [str(o.prompt) for o in options if o.disabled] == [
            next(str(o.prompt) for o in options if "already has floating IP" in str(o.prompt))]
        assert target.id in {o.id for o in options if not o.disabled}
        await press(pilot, "escape")
        await until(pilot, lambda: not isinstance(app.screen, PickScreen), what="the picker closed")
        screen = await start(pilot, app, "m", target.id)
        assert "move floating IP" in screen.plan.title and "server2" in screen.plan.title
        assert app.focused is not None and app.focused.id == "action-cancel"  # destructive: focus on Cancel
        assert "y run" in screen.query_one("#action-dialog").border_subtitle
        router = await in_thread(conn.network.find_router, "project_router")  # a change while the dialog is open
        await in_thread(conn.network.update_router, router, name="renamed_meanwhile")
        await until(pilot, lambda: any("renamed renamed_meanwhile" in t for t in logged(app)),
                    what="the change logged while the dialog is open")
        await press(pilot, "n")  # a cancel is said in the event log, never silent
        await until(pilot, lambda: app.screen is not screen and any(
            t.startswith("cancelled, nothing changed: move floating IP") for t in logged(app)), what="the cancel")
        assert (await in_thread(conn.network.get_ip, fip.id)).port_id == fip.port_id

        await select(pilot, app, fip_node)
        screen = await start(pilot, app, "m", target.id)
        # the refresh after the move slowed down: `m` again at once must still pick from the cloud as the
        # move left it (server1's port free, server2's taken), not from the topology read before it
        slow = seeded_cloud.cloud.faults.add("network", "GET", "/floatingips$", kind="latency", delay=1.0, times=0)
        await press(pilot, "y")
        await until(pilot, lambda: screen.phase == "finished", what="the action's result")
        await logged_result(pilot, app, screen)
        await press(pilot, "escape")
        result = screen.result
        assert result.outcome == DONE, result
        await until(pilot, lambda: not app.action_open, what="the modal closed")
        await press(pilot, "m")
        picker = await until_within(pilot, lambda: isinstance(app.screen, PickScreen) and app.screen.query(
            OptionList) and app.screen, 10, "the picker, after the refresh")
        free = {o.id for o in picker.query_one(OptionList).options if not o.disabled}
        assert fip.port_id in free and target.id not in free, free
        seeded_cloud.cloud.faults.rules.remove(slow)
        await press(pilot, "escape")
        await until(pilot, lambda: not isinstance(app.screen, PickScreen), what="the picker closed")

        assert (await in_thread(conn.network.get_ip, fip.id)).port_id == target.id
        assert traffic("\n".join(result.lines), f"floating IP {fip.floating_ip_address}") == ({"server1"}, {"server2"})
        await in_thread(wait_for, lambda: answer(url) == "server2", what="the moved floating IP from server2")
        assert pending_seen and all(pending_seen)
        assert any(t.startswith("done: move floating IP") for t in logged(app))
        times = [at for at, _, _ in app.query_one(EventLog).entries]
        assert times == sorted(times)
        await until(pilot, lambda: "server2" in child(tree.section("floating_ips"), fip.floating_ip_address)
                    .label.plain, what="the verified state in the tree")
        assert not any("pending…" in c.label.plain for c in tree.section("floating_ips").children)


async def test_algorithm_and_member_disable_enable_by_key(seeded_cloud) -> None:
    conn = seeded_cloud.connection()
    app = dashboard(seeded_cloud)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
        lb = await open_node(pilot, tree.section("load_balancers").children[0])
        listener = await open_node(pilot, lb.children[0])
        pool = await open_node(pilot, listener.children[0])
        await select(pilot, app, pool)
        assert shown_actions(app) == {"pool_algorithm"}

        screen = await start(pilot, app, "l", "SOURCE_IP")
        assert "ROUND_ROBIN -> SOURCE_IP" in screen.plan.title
        assert app.focused is not None and app.focused.id == "action-run"
        result = await run(pilot, app, screen)
        assert result.outcome == DONE
        web = await in_thread(conn.load_balancer.find_load_balancer, "web")
        (web_fip,) = await in_thread(lambda: list(conn.network.ips(port_id=web.vip_port_id)))
        web_label = f"floating IP {web_fip.floating_ip_address}"
        before, after = traffic("\n".join(result.lines), web_label)
        assert before and len(after) == 1  # SOURCE_IP: one client, one backend
        assert (await in_thread(conn.load_balancer.find_pool, "web_pool")).lb_algorithm == "SOURCE_IP"
        await until(pilot, lambda: "SOURCE_IP" in pool.label.plain, what="the new algorithm in the tree")
        await select(pilot, app, pool)
        await press(pilot, "l")
        picker = await until(pilot, lambda: isinstance(app.screen, PickScreen) and app.screen, what="the picker")
        assert [o.disabled for o in picker.query_one(OptionList).options] == [False, False, True, False]
        assert "(current)" in str(picker.query_one(OptionList).get_option_at_index(2).prompt)
        await press(pilot, "escape")

        member = pool.children[0]
        pool_id, member_id = pool.data.id, member.data.id

        async def offered(keys: set[str], shown: str) -> None:
            """The member as Octavia reports it (weight, admin state), and only the verbs that change it."""
            def now() -> bool:
                node = next(c for c in pool.children if c.data.id == member_id)
                app.query_one(TopologyTree).move_cursor(node)
                return shown_actions(app) == keys and shown in node.label.plain
            await until(pilot, now, what=f"{sorted(keys)} offered, {shown!r} shown")

        await offered({"member_disable", "member_drain"}, "weight 1")
        result = await run(pilot, app, await start(pilot, app, "x"))
        assert result.outcome == DONE
        disabled = app.topology.members[member_id].address
        server = next(n for n, srv in app.topology.servers.items()
                      if any(a.address == disabled for a in srv.addresses))
        assert app.topology.servers[server].name not in traffic("\n".join(result.lines), web_label)[1]
        got = await in_thread(conn.load_balancer.get_member, member_id, pool_id)
        assert got.is_admin_state_up is False
        await offered({"member_enable", "member_drain"}, "admin down")
        assert (await run(pilot, app, await start(pilot, app, "e"))).outcome == DONE
        got = await in_thread(conn.load_balancer.get_member, member_id, pool_id)
        assert got.is_admin_state_up is True
        weight = got.weight
        await offered({"member_disable", "member_drain"}, f"weight {weight}")
        assert (await run(pilot, app, await start(pilot, app, "i"))).outcome == DONE
        assert (await in_thread(conn.load_balancer.get_member, member_id, pool_id)).weight == 0
        await offered({"member_enable", "member_disable"}, "weight 0")
        assert (await run(pilot, app, await start(pilot, app, "e"))).outcome == DONE
        assert (await in_thread(conn.load_balancer.get_member, member_id, pool_id)).weight == weight


async def test_server_stop_and_start_by_key(seeded_cloud) -> None:
    conn = seeded_cloud.connection()
    app = dashboard(seeded_cloud)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
        node = child(tree.section("servers"), "server2")
        await select(pilot, app, node)
        assert {"server_stop", "server_reboot", "swap_ports"} <= shown_actions(app)
        assert "server_start" not in shown_actions(app)
        result = await run(pilot, app, await start(pilot, app, "o"))
        assert result.outcome == DONE
        own = await in_thread(conn.network.find_port, "server-2-port")  # its address on public
        label = f"port server-2-port ({own.fixed_ips[0]['ip_address']})"
        assert traffic("\n".join(result.lines), label) == ({"server2"}, set())
        assert (await in_thread(conn.compute.get_server, node.data.id)).status == "SHUTOFF"
        await until(pilot, lambda: "SHUTOFF" in node.label.plain, what="SHUTOFF in the tree")
        await select(pilot, app, node)
        assert "server_start" in shown_actions(app) and "server_stop" not in shown_actions(app)
        assert (await run(pilot, app, await start(pilot, app, "t"))).outcome == DONE
        assert (await in_thread(conn.compute.get_server, node.data.id)).status == "ACTIVE"
        await until(pilot, lambda: "ACTIVE" in node.label.plain, what="ACTIVE in the tree")
        await select(pilot, app, node)
        assert (await run(pilot, app, await start(pilot, app, "b"))).outcome == DONE
        assert (await in_thread(conn.compute.get_server, node.data.id)).status == "ACTIVE"


async def test_disassociate_associate_allocate_by_key_and_palette(seeded_cloud) -> None:
    conn = seeded_cloud.connection()
    app = dashboard(seeded_cloud)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
        fip_node = child(tree.section("floating_ips"), "server1")
        fip_id = fip_node.data.id
        await select(pilot, app, fip_node)

        # the command palette offers the same actions for the selection
        await press(pilot, "ctrl+p")
        palette = await until(pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen, what="palette")
        await press(pilot, *"disassociate")
        await until(pilot, lambda: any("Disassociate FIP" in str(o.prompt) for o in
                                       palette.query_one(CommandList).options), what="the action in the palette")
        await press(pilot, "escape")
        await until(pilot, lambda: not isinstance(app.screen, CommandPalette), what="palette closed")

        result = await run(pilot, app, await start(pilot, app, "d"))
        assert result.outcome == DONE
        address = app.topology.floating_ips[fip_id].floating_ip_address
        assert traffic("\n".join(result.lines), f"floating IP {address}") == ({"server1"}, set())
        assert (await in_thread(conn.network.get_ip, fip_id)).port_id is None
        await until(pilot, lambda: app.topology.floating_ips[fip_id].port_id is None, what="the free FIP")
        await select(pilot, app, next(c for c in tree.section("floating_ips").children if c.data.id == fip_id))
        assert "associate_fip" in shown_actions(app) and "move_fip" not in shown_actions(app)
        s2 = await in_thread(conn.compute.find_server, "server2")
        private = await in_thread(conn.network.find_network, "private")
        (target,) = await in_thread(lambda: list(conn.network.ports(device_id=s2.id, network_id=private.id)))
        result = await run(pilot, app, await start(pilot, app, "a", target.id))
        assert result.outcome == DONE
        assert traffic("\n".join(result.lines), f"floating IP {address}") == (set(), {"server2"})
        assert (await in_thread(conn.network.get_ip, fip_id)).port_id == target.id

        await select(pilot, app, tree.section("servers"))
        assert shown_actions(app) == set()
        await select(pilot, app, tree.section("floating_ips"))
        assert shown_actions(app) == {"allocate_fip"}
        before = {f.id for f in await in_thread(lambda: list(conn.network.ips()))}
        await select(pilot, app, child(tree.section("networks"), "public"))
        assert "allocate_fip" in shown_actions(app)
        result = await run(pilot, app, await start(pilot, app, "n"))
        assert result.outcome == DONE and "allocated floating IP" in result.summary
        (new,) = [f for f in await in_thread(lambda: list(conn.network.ips())) if f.id not in before]
        assert new.port_id is None
        await until(pilot, lambda: new.id in app.topology.floating_ips, what="the new FIP in the tree")


async def test_swap_ports_by_key(seeded_cloud) -> None:
    conn = seeded_cloud.connection()
    app = dashboard(seeded_cloud)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
        p1 = await in_thread(conn.network.find_port, "server-1-port")
        p2 = await in_thread(conn.network.find_port, "server-2-port")
        s1, s2 = p1.device_id, p2.device_id
        await select(pilot, app, child(tree.section("servers"), "server1"))
        screen = await start(pilot, app, "w", s2, p1.id, p2.id)
        assert "detach port server-1-port from server server1" in "\n".join(screen.plan.lines())
        result = await run(pilot, app, screen)
        assert result.outcome == DONE
        label = f"port server-1-port ({p1.fixed_ips[0]['ip_address']})"
        assert traffic("\n".join(result.lines), label) == ({"server1"}, {"server2"})
        assert (await in_thread(conn.network.get_port, p1.id)).device_id == s2
        assert (await in_thread(conn.network.get_port, p2.id)).device_id == s1
        url = f"http://{await in_thread(endpoint_of, conn, 'port', p1.id)}/"
        await in_thread(wait_for, lambda: answer(url) == "server2", what="server-1-port answering from server2")


async def test_refusals_change_nothing(seeded_cloud) -> None:
    conn = seeded_cloud.connection()
    app = dashboard(seeded_cloud)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
        lb = await open_node(pilot, tree.section("load_balancers").children[0])
        listener = await open_node(pilot, lb.children[0])
        pool = await open_node(pilot, listener.children[0])

        # refused by the rule: the member is enabled already; its key is greyed, with the reason on hover,
        # and pressing it opens nothing
        await select(pilot, app, pool.children[0])
        bar = app.query_one(KeyBar)
        await until(pilot, lambda: ("e", False) in {(k, on) for k, _d, _t, on in bar.shown_keys()}
                    and any(key == "e" for _start, _end, key in bar.spans), what="e greyed, and drawn")
        start_x = next(start for start, _end, key in bar.spans if key == "e")
        await pilot.hover(KeyBar, offset=(start_x + 1, 0))
        assert "already enabled" in str(bar.tooltip)
        await press(pilot, "e")
        await pilot.pause()
        assert not isinstance(app.screen, ActionScreen | PickScreen)

        # refused by the cloud (the amphora provider's 501): shown as a refusal, the pool unchanged
        seeded_cloud.cloud.faults.add("load-balancer", "PUT", "/lbaas/pools/", status=501,
                                      message="Provider 'amphora' does not support a requested option")
        await select(pilot, app, pool)
        result = await run(pilot, app, await start(pilot, app, "l", "SOURCE_IP_PORT"))
        assert result.outcome == REFUSED and "does not support" in result.summary
        assert (await in_thread(conn.load_balancer.find_pool, "web_pool")).lb_algorithm == "ROUND_ROBIN"
        assert any(t.startswith("refused:") and "does not support" in t for t in logged(app))


async def test_read_only_offers_no_action(seeded_cloud) -> None:
    app = dashboard(seeded_cloud, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
        for node in (tree.section("floating_ips").children[0], child(tree.section("servers"), "server1")):
            await select(pilot, app, node)
            assert shown_actions(app) == set()
            assert app.fitting_actions() == []  # what the command palette offers
            await press(pilot, "m", "o", "w")
            await pilot.pause()
            assert app.screen is app.screen_stack[0]


async def test_a_failed_swap_is_rolled_back_and_logged(seeded_cloud) -> None:
    conn = seeded_cloud.connection()
    app = dashboard(seeded_cloud)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
        p1 = await in_thread(conn.network.find_port, "server-1-port")
        p2 = await in_thread(conn.network.find_port, "server-2-port")
        s1, s2 = p1.device_id, p2.device_id
        rule = seeded_cloud.cloud.faults.add("compute", "POST", f"/servers/{s2}/os-interface$", status=500)
        await select(pilot, app, child(tree.section("servers"), "server1"))
        screen = await start(pilot, app, "w", s2, p1.id, p2.id)
        screen.query_one("#action-run", Button).press()
        await until(pilot, lambda: screen.phase == "finished", what="the action's result")
        await logged_result(pilot, app, screen)
        assert rule.fired == 1 and screen.result.outcome == ROLLED_BACK
        assert "rolled back" in str(screen.query_one("#action-result", Static).render())
        texts = logged(app)
        assert any("step 3/4 failed: attach port server-1-port to server server2" in t for t in texts), texts
        assert any("undone: attach port server-2-port to server server2" in t for t in texts), texts
        assert any(t.startswith("rolled back:") for t in texts), texts
        await press(pilot, "escape")
        await until(pilot, lambda: app.screen is not screen and not app.action_open, what="the modal closed")
        assert (await in_thread(conn.network.get_port, p1.id)).device_id == s1
        assert (await in_thread(conn.network.get_port, p2.id)).device_id == s2


async def test_stopping_a_running_swap_rolls_it_back_and_q_waits_for_it(seeded_cloud) -> None:
    """Esc (or the Stop button) while a swap runs: the step under way finishes, then the roll-back; `q`
    while one runs leaves only once it has rolled back — never with both servers short of a port."""
    conn = seeded_cloud.connection()
    for method in ("POST", "DELETE"):
        seeded_cloud.cloud.faults.add("compute", method, "/os-interface", kind="latency", delay=0.3, times=0)
    p1 = await in_thread(conn.network.find_port, "server-1-port")
    p2 = await in_thread(conn.network.find_port, "server-2-port")
    s1, s2 = p1.device_id, p2.device_id
    app = dashboard(seeded_cloud)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
        await select(pilot, app, child(tree.section("servers"), "server1"))
        screen = await start(pilot, app, "w", s2, p1.id, p2.id)
        screen.query_one("#action-run", Button).press()
        await until(pilot, lambda: any("[2/4]" in line for line in progress_lines(screen)), what="step 2")
        await press(pilot, "escape")
        await until(pilot, lambda: screen.phase == "finished", what="the roll-back")
        assert screen.result.outcome == ROLLED_BACK and "interrupted before step" in screen.result.summary
        await press(pilot, "escape")
        await until(pilot, lambda: not app.action_open, what="the modal closed")
        assert (await in_thread(conn.network.get_port, p1.id)).device_id == s1
        assert (await in_thread(conn.network.get_port, p2.id)).device_id == s2

        await select(pilot, app, child(tree.section("servers"), "server1"))
        screen = await start(pilot, app, "w", s2, p1.id, p2.id)
        screen.query_one("#action-run", Button).press()
        await until(pilot, lambda: any("[1/4]" in line for line in progress_lines(screen)), what="step 1")
        await app.run_action("quit")
        assert app.is_running  # not yet: the swap rolls back first
        await until(pilot, lambda: not app.is_running, what="netdash to leave after the roll-back")
    assert (await in_thread(conn.network.get_port, p1.id)).device_id == s1
    assert (await in_thread(conn.network.get_port, p2.id)).device_id == s2


def progress_lines(screen) -> list[str]:
    return [str(line.text) for line in screen.query_one("#action-progress").lines]
