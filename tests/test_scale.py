"""`--scale N`: the generated project (through openstacksdk), the CLI refusals, the lazy tree, and API calls
per refresh that do not grow with the number of ports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from netdash.__main__ import main as netdash_main
from netdash.cloud.client import CloudClient
from netdash.cloud.poller import Poller
from netdash.democloud import DemoCloud, Settings
from netdash.democloud.__main__ import main as demo_cloud_main
from netdash.democloud.scale import expected_counts
from netdash.widgets import topology_tree
from netdash.widgets.topology_tree import TopologyTree
from tests.dashboard_support import dashboard, until


def scaled(n: int) -> DemoCloud:
    return DemoCloud(seed=False, scale=n, settings=Settings(provisioning_delay=0.2, build_delay=0.1))


@pytest.fixture
def scale_20() -> Iterator[DemoCloud]:
    with scaled(20) as cloud:
        yield cloud


def test_the_generated_project_as_openstacksdk_lists_it(scale_20: DemoCloud) -> None:
    conn = scale_20.connection("demo")
    want = expected_counts(20)
    assert want["ports"] == 20 * 5 + 2 + 2  # 4 NICs + a spare per server, router interfaces, VIPs
    servers = list(conn.compute.servers())
    assert len(servers) == want["servers"] and {s.status for s in servers} == {"ACTIVE"}
    assert len(list(conn.network.ports())) == want["ports"]
    networks = [n.name for n in conn.network.networks()]
    assert sorted(networks) == ["public", "scale-net-0000", "scale-net-0001"]
    assert len(list(conn.network.routers())) == want["routers"]
    fips = list(conn.network.ips())
    assert len(fips) == want["floating_ips"] and all(f.port_id for f in fips)
    lbs = list(conn.load_balancer.load_balancers())
    assert len(lbs) == want["load_balancers"] == 2
    pools = list(conn.load_balancer.pools())
    members = [m for p in pools for m in conn.load_balancer.members(p.id)]
    assert len(members) == want["members"] == 20
    assert len(list(conn.load_balancer.health_monitors())) == want["health_monitors"]
    # No server installs a web server: the data plane serves the listeners but starts no backend.
    assert scale_20.dataplane is not None
    assert not scale_20.dataplane.backends and len(scale_20.dataplane.proxies) == 2


@pytest.mark.parametrize("argv", [["--scale", "0"], ["--scale", "many"], ["--scale", "2.5"], ["--scale", "99999"]])
def test_demo_cloud_refuses_a_bad_scale(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert demo_cloud_main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("netdash demo-cloud: error: argument --scale: expected")


@pytest.mark.parametrize("argv, says", [
    (["--demo", "--scale", "0", "topology"], "argument --scale: expected a number of servers"),
    (["--demo", "--scale", "x", "topology"], "argument --scale: expected a whole number"),
    (["--scale", "3", "topology"], "--scale generates a project in the embedded cloud: use it with --demo"),
])
def test_netdash_refuses_a_bad_scale(argv: list[str], says: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert netdash_main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err and "Traceback" not in err


def built(node: Any) -> int:
    return sum(1 + built(child) for child in node.children)


async def test_the_tree_builds_children_only_when_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(topology_tree, "LARGE_SECTION", 20)  # 30 servers and floating IPs: "large"
    with scaled(30) as cloud:
        app = dashboard(cloud, poll=False)
        async with app.run_test(size=(120, 40)) as pilot:
            app.action_refresh_now()
            await until(pilot, lambda: app.topology.servers, what="the first topology")
            tree = app.query_one(TopologyTree)
            topo = app.topology
            assert len(topo.ports) == 30 * 5 + 3 + 3
            # Sections (Unused too, closed), plus the objects of the small ones (public and 3 networks, 3 routers,
            # 3 load balancers).
            assert built(tree.root) == 6 + 10
            servers = tree.section("servers")
            assert not servers.is_expanded and not servers.children and servers.allow_expand
            servers.expand()
            await until(pilot, lambda: len(servers.children) == 30, what="the servers built on expansion")
            assert built(tree.root) == 6 + 10 + 30  # still no port node
            first = servers.children[0]
            first.expand()
            await until(pilot, lambda: len(first.children) == 4, what="the server's four ports")
            assert {c.data.kind for c in first.children if c.data} == {"port"}
            assert built(tree.root) == 6 + 10 + 30 + 4 + sum(built(c) for c in first.children)
            # A refresh that changed nothing touches no node.
            app.action_refresh_now()
            await until(pilot, lambda: app.refreshes >= 2, what="a second refresh")
            assert tree.last_changes == 0 and first.is_expanded


async def calls_per_refresh(n: int) -> tuple[int, int]:
    with scaled(n) as cloud:
        client = CloudClient.for_demo(cloud, max_rps=1000)
        try:
            poller = Poller(client)
            await poller.refresh()  # authentication and discovery happen once, before
            before = client.api_calls
            refresh = await poller.refresh()
            assert refresh.ok and len(refresh.topology.servers) == n
            return client.api_calls - before, len(refresh.topology.ports)
        finally:
            client.close()


async def test_api_calls_per_refresh_do_not_grow_with_the_ports() -> None:
    # 10 and 19 servers: 52 and 97 ports, one load balancer each (its status tree is one call per load
    # balancer, so scales with different load balancer counts differ by exactly that many calls).
    small, small_ports = await calls_per_refresh(10)
    large, large_ports = await calls_per_refresh(19)
    assert (small_ports, large_ports) == (52, 97)
    assert small == large == 14  # 11 lists + the quota details + the endpoint list + 1 status tree
