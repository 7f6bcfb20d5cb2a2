"""Snapshot tests of the dashboard's views: the seed scenario (hand-built, fixed ids), a fixed clock, no
polling, UTC, no cursor blink. Review the SVGs in tests/__snapshots__/ before `--snapshot-update`."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from types import MappingProxyType

import pytest
from textual.widgets import Input

from netdash.cloud.model import Quota, Unread, by_id
from netdash.tui.app import NetdashApp
from netdash.tui.messages import ChangeLine, FetchFailed, TopologyFetched
from netdash.widgets.status import StatusHeader
from netdash.widgets.topology_tree import TopologyTree
from tests import topology_factory as f

SIZE = (120, 40)


class Info:
    cloud = "netdash-demo"
    project = "demo"
    region = "RegionOne"
    demo = True


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def still_app() -> NetdashApp:
    return NetdashApp(None, Info(), poll=False, topology=f.seed_topology(), clock=lambda: f.FIXED_TIME + 12)


async def open_kind(pilot, kind: str, resource_id: str) -> None:
    tree = pilot.app.query_one(TopologyTree)
    node = tree.find(kind, resource_id)
    node.expand()
    await pilot.pause()


async def open_load_balancer(pilot) -> None:
    await open_kind(pilot, "load_balancer", f.LB)
    await open_kind(pilot, "listener", f.LISTENER)
    await open_kind(pilot, "pool", f.POOL)
    tree = pilot.app.query_one(TopologyTree)
    tree.move_cursor(tree.find("member", f.MEMBER2))
    await pilot.pause()


class TestDashboardViews:
    def test_overview(self, snap_compare) -> None:
        assert snap_compare(still_app(), terminal_size=SIZE)

    def test_load_balancer_members_and_details(self, snap_compare) -> None:
        assert snap_compare(still_app(), terminal_size=SIZE, run_before=open_load_balancer)

    def test_network_subnet_ports(self, snap_compare) -> None:
        async def run_before(pilot) -> None:
            await open_kind(pilot, "network", f.PRIVATE)
            await open_kind(pilot, "subnet", f.PRIVATE_SUBNET)
            await open_kind(pilot, "port", f.PORT_S1)
            tree = pilot.app.query_one(TopologyTree)
            tree.move_cursor(tree.find("port", f.PORT_S1))
            await pilot.pause()

        assert snap_compare(still_app(), terminal_size=SIZE, run_before=run_before)

    def test_filter(self, snap_compare) -> None:
        async def run_before(pilot) -> None:
            pilot.app.query_one(Input).cursor_blink = False
            await pilot.press("slash", *"server2")
            await pilot.pause()

        assert snap_compare(still_app(), terminal_size=SIZE, run_before=run_before)

    def test_keys(self, snap_compare) -> None:
        assert snap_compare(still_app(), terminal_size=SIZE, press=["question_mark"])


class TestDashboardStates:
    def test_change_events(self, snap_compare) -> None:
        async def run_before(pilot) -> None:
            changed = f.with_changed(f.seed_topology(), "pools", f.POOL, lb_algorithm="SOURCE_IP")
            changed = f.with_changed(changed, "members", f.MEMBER2, operating_status="ONLINE")
            at = f.FIXED_TIME + 4
            pilot.app.post_message(TopologyFetched(changed, [
                ChangeLine(at, "pool web_pool algorithm ROUND_ROBIN -> SOURCE_IP"),
                ChangeLine(at, "member 10.0.0.11:80 of web_pool ERROR -> ONLINE"),
                ChangeLine(at + 2, "floating IP 127.24.4.5 moved server1 -> server2"),
                ChangeLine(at + 3, "server server2 ACTIVE -> SHUTOFF", "warning"),
            ]))
            await pilot.pause()
            await open_load_balancer(pilot)

        assert snap_compare(still_app(), terminal_size=SIZE, run_before=run_before)

    def test_stale(self, snap_compare) -> None:
        async def run_before(pilot) -> None:
            pilot.app.post_message(FetchFailed("Cloud unreachable", "network API unreachable: connection refused",
                                               f.FIXED_TIME))
            await pilot.pause()
            pilot.app.clear_notifications()
            await pilot.pause()

        assert snap_compare(still_app(), terminal_size=SIZE, run_before=run_before)

    def test_stale_sections(self, snap_compare) -> None:
        """Two lists fail, the rest answers: the two sections marked, the banner counting them, the next
        try; the tree not dimmed (issue 14)."""
        since = f.FIXED_TIME - 12
        topology = dataclasses.replace(f.seed_topology(servers=()), unread=MappingProxyType({
            "ports": Unread("API error", "network /ports: HTTP 503 injected fault: HTTP 503", since, kept=True),
            "servers": Unread("API error", "compute /servers/detail: HTTP 503 injected fault: HTTP 503", since),
        }))

        async def run_before(pilot) -> None:
            pilot.app.query_one(StatusHeader).set_next_try(f.FIXED_TIME + 2)
            await pilot.pause()
            pilot.app.clear_notifications()
            await pilot.pause()

        app = NetdashApp(None, Info(), poll=False, topology=topology, clock=lambda: f.FIXED_TIME)
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


#: the sizes people run a terminal dashboard at: the default terminal, and a large one
SMALL, LARGE = (80, 24), (200, 50)


async def open_move_dialog(pilot) -> None:
    """The floating-IP move's confirm dialog, planned on the still snapshot (the plan reads no cloud)."""
    from netdash.actions.fip import MoveFloatingIP
    from netdash.tui.action_screens import ActionScreen

    app = pilot.app
    screen = ActionScreen(MoveFloatingIP(f.FIP_S1, "server2"), app.topology, None)
    await app.push_screen(screen)
    while screen.phase == "planning":
        await pilot.pause()
    screen.query_one("#action-progress").can_focus = False
    await pilot.pause()


class TestDashboardSizes:
    """80x24: one view at a time, the view bar, the header on one line, the dialog's buttons on screen;
    200x50: the tree as wide as its labels, the side column the rest."""

    def test_overview_80x24(self, snap_compare) -> None:
        assert snap_compare(still_app(), terminal_size=SMALL)

    def test_probe_view_80x24(self, snap_compare) -> None:
        assert snap_compare(still_app(), terminal_size=SMALL, press=["v", "v"])

    def test_action_dialog_80x24(self, snap_compare) -> None:
        assert snap_compare(still_app(), terminal_size=SMALL, run_before=open_move_dialog)

    def test_quota_warning_80x24(self, snap_compare) -> None:
        """Floating IPs at 9 of 10: the header names it on a line of its own (the first is full at 80
        columns); the Networks title's details (the next view) list every quota, the near one marked."""
        quotas = by_id([Quota("floatingip", 10, 9), Quota("port", 500, 41), Quota("network", 100, 5),
                        Quota("security_group", 10, 1), Quota("subnetpool", -1, 0)])
        topology = dataclasses.replace(f.seed_topology(), quotas=quotas)
        app = NetdashApp(None, Info(), poll=False, topology=topology, clock=lambda: f.FIXED_TIME + 12)
        assert snap_compare(app, terminal_size=SMALL, press=["v"])

    def test_overview_200x50(self, snap_compare) -> None:
        assert snap_compare(still_app(), terminal_size=LARGE, run_before=open_load_balancer)

    def test_action_dialog_200x50(self, snap_compare) -> None:
        assert snap_compare(still_app(), terminal_size=LARGE, run_before=open_move_dialog)
