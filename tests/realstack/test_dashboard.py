"""The dashboard (Pilot) on real Neutron and Octavia (and Nova): what the `openstack` CLI made is on
screen, and a change made behind its back appears on a later refresh. It fetches as `netdash` does, in
its fetch process."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from netdash.cloud.client import CloudClient
from netdash.tui.app import NetdashApp
from netdash.widgets.topology_tree import TopologyTree
from tests.dashboard_support import in_thread, until
from tests.osc import OpenStackCLI

from .support import CLOUD, FLAVOR, IMAGE, unique


def names(node) -> list[str]:
    return [child.label.plain.split()[0] for child in node.children]


@contextlib.asynccontextmanager
async def dashboard(clouds_yaml: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Any, TopologyTree]]:
    """(pilot, tree) of a dashboard on realstack, its first refresh done."""
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds_yaml))
    client = CloudClient.connect(CLOUD, max_rps=1000)
    assert client.start_fetch_process() and client.fetch_process_ready(wait=60)
    app = NetdashApp(client, client.info, interval=0.5)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.refreshes >= 1, timeout=15, what="first refresh")
            assert client.fetcher.process is not None  # the fetch went through it
            yield pilot, app.query_one(TopologyTree)
    finally:
        client.close()


async def test_dashboard_shows_realstack_and_sees_changes(realstack: Path, osc: OpenStackCLI, cleanup: list[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    net, later = unique("net"), unique("later")
    osc.run(f"network create {net}")
    cleanup.append(f"network delete {net}")
    async with dashboard(realstack, monkeypatch) as (pilot, tree):
        assert {"public", net} <= set(names(tree.section("networks")))

        await in_thread(osc.run, f"network create {later}")
        cleanup.append(f"network delete {later}")
        await until(pilot, lambda: later in names(tree.section("networks")), timeout=15, what=f"{later} shown")


async def test_dashboard_shows_a_server_and_its_state(nova: Path, osc: OpenStackCLI, cleanup: list[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """With REALSTACK_NOVA=1: a server booted by the `openstack` CLI is in the Servers section, and a
    stop made behind the dashboard's back shows on a later refresh."""
    net, subnet, server = unique("net"), unique("subnet"), unique("server")
    osc.run(f"network create {net}")
    cleanup.append(f"network delete {net}")
    osc.run(f"subnet create {subnet} --network {net} --subnet-range 10.64.0.0/24")
    server_id = osc.value(f"server create --flavor {FLAVOR} --image {IMAGE} --network {net} --wait {server} -c id")
    cleanup.append(f"server delete --wait {server_id}")
    async with dashboard(nova, monkeypatch) as (pilot, tree):
        [node] = [n for n in tree.section("servers").children if n.label.plain.split()[0] == server]
        assert "ACTIVE" in node.label.plain

        await in_thread(osc.run, f"server stop {server_id}")
        await until(pilot, lambda: any(n.label.plain.split()[0] == server and "SHUTOFF" in n.label.plain
                                       for n in tree.section("servers").children),
                    timeout=15, what=f"{server} SHUTOFF shown")
