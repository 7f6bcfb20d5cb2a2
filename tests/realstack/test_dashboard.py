"""The dashboard (Pilot) on real Neutron and Octavia: what the `openstack` CLI made is on screen, and a
change made behind its back appears on a later refresh."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloud.client import CloudClient
from tests.dashboard_support import in_thread, until
from tests.osc import OpenStackCLI
from tui.app import NetdashApp
from widgets.topology_tree import TopologyTree

from .support import CLOUD, unique


def names(node) -> list[str]:
    return [child.label.plain.split()[0] for child in node.children]


async def test_dashboard_shows_realstack_and_sees_changes(realstack: Path, osc: OpenStackCLI, cleanup: list[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    net, later = unique("net"), unique("later")
    osc.run(f"network create {net}")
    cleanup.append(f"network delete {net}")
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(realstack))
    client = CloudClient.connect(CLOUD, max_rps=1000)
    app = NetdashApp(client, client.info, interval=0.5)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        await until(pilot, lambda: app.refreshes >= 1, timeout=15, what="first refresh")
        assert {"public", net} <= set(names(tree.section("networks")))

        await in_thread(osc.run, f"network create {later}")
        cleanup.append(f"network delete {later}")
        await until(pilot, lambda: later in names(tree.section("networks")), timeout=15, what=f"{later} shown")
