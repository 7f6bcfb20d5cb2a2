"""The port swap through the command line: success (each port's IP then answers from the other server), a
failure injected at each of its four steps (rolled back, the report names the step), a failed undo (the
report names where each port is), and refusals."""

from __future__ import annotations

from typing import Any

import pytest

from netdash.democloud import DemoCloud
from tests.waiting import wait_for

from .conftest import Cli, answer, server_of, url_of


def ports(sdk: Any) -> tuple[Any, Any]:
    return sdk.network.find_port("server-1-port"), sdk.network.find_port("server-2-port")


def attachment(sdk: Any) -> tuple[str, str]:
    a, b = ports(sdk)
    return sdk.network.get_port(a.id).device_id, sdk.network.get_port(b.id).device_id


def nova_lists(sdk: Any, server: Any) -> set[str]:
    return {i.port_id for i in sdk.compute.server_interfaces(server)}


def test_swap_moves_each_port_and_its_traffic(cli: Cli, sdk: Any) -> None:
    s1, s2 = server_of(sdk, "server1"), server_of(sdk, "server2")
    p1, p2 = ports(sdk)
    wait_for(lambda: answer(url_of(sdk, p1)) == "server1" and answer(url_of(sdk, p2)) == "server2",
             what="seed ports served")
    ran = cli("ports", "swap", "server1", "server2")
    assert ran.code == 0, ran.err
    assert "1. detach port server-1-port from server server1" in ran.out
    for step in ("detach port server-1-port from server server1", "attach port server-2-port to server server1"):
        assert ran.err.count(step) == 1, ran.err  # each step said once, as it starts
    assert "verified: " in ran.err
    assert attachment(sdk) == (s2.id, s1.id)
    assert p1.id in nova_lists(sdk, s2) and p2.id in nova_lists(sdk, s1)
    wait_for(lambda: answer(url_of(sdk, sdk.network.get_port(p1.id))) == "server2", what="server-1-port on server2")
    wait_for(lambda: answer(url_of(sdk, sdk.network.get_port(p2.id))) == "server1", what="server-2-port on server1")


STEPS = [
    # (step, method, path of the request to fail: {a}/{b} servers, {pa}/{pb} ports)
    ("detach port server-1-port from server server1", "DELETE", "/servers/{a}/os-interface/{pa}"),
    ("detach port server-2-port from server server2", "DELETE", "/servers/{b}/os-interface/{pb}"),
    ("attach port server-1-port to server server2", "POST", "/servers/{b}/os-interface$"),
    ("attach port server-2-port to server server1", "POST", "/servers/{a}/os-interface$"),
]


def ids(sdk: Any) -> dict[str, str]:
    p1, p2 = ports(sdk)
    return {"a": server_of(sdk, "server1").id, "b": server_of(sdk, "server2").id, "pa": p1.id, "pb": p2.id}


@pytest.mark.parametrize(("number", "step", "method", "path"), [(n, *s) for n, s in enumerate(STEPS, 1)])
def test_a_failed_step_is_rolled_back(cli: Cli, sdk: Any, seeded_cloud: DemoCloud, number: int, step: str,
                                      method: str, path: str) -> None:
    before = attachment(sdk)
    rule = seeded_cloud.cloud.faults.add("compute", method, path.format(**ids(sdk)), status=500)
    ran = cli("ports", "swap", "server1", "server2")
    assert rule.fired == 1
    assert ran.code == 1, ran.err
    assert f"step {number}/4 failed: {step}" in ran.err
    assert f"failed at: {step}; rolled back, original attachment restored" in ran.err
    assert attachment(sdk) == before
    s1, s2 = server_of(sdk, "server1"), server_of(sdk, "server2")
    p1, p2 = ports(sdk)
    assert p1.id in nova_lists(sdk, s1) and p2.id in nova_lists(sdk, s2)


def test_a_failed_undo_reports_where_each_port_is(cli: Cli, sdk: Any, seeded_cloud: DemoCloud) -> None:
    # every attach to server2 fails: step 3 fails, and so does the undo of step 2 (server-2-port back to server2)
    seeded_cloud.cloud.faults.add("compute", "POST", f"/servers/{ids(sdk)['b']}/os-interface$", status=503, times=0)
    ran = cli("ports", "swap", "server1", "server2")
    assert ran.code == 3
    assert "undo failed: attach port server-2-port to server server2" in ran.err
    assert "undone: attach port server-1-port to server server1" in ran.err
    assert ("NOT restored: port server-1-port on server server1; port server-2-port on detached (no server)"
            in ran.err)
    seeded_cloud.cloud.faults.clear()
    assert attachment(sdk) == (server_of(sdk, "server1").id, "")


def test_refuses_a_server_without_a_port(cli: Cli, sdk: Any) -> None:
    s1 = server_of(sdk, "server1")
    flavor = sdk.compute.find_flavor(s1.flavor.original_name)
    lonely = sdk.compute.create_server(name="lonely", image_id=s1.image.id, flavor_id=flavor.id, networks="none")
    sdk.compute.wait_for_server(lonely, wait=10, interval=0.05)
    ran = cli("ports", "swap", "server1", "lonely", "--port-a", "server-1-port")
    assert ran.code == 2
    assert "refused: server lonely has no port to swap" in ran.err


def test_refuses_an_ambiguous_port_choice_and_a_foreign_port(cli: Cli, seeded_cloud: DemoCloud) -> None:
    ran = cli("ports", "swap", "server1", "server2", "--port-a", "server-2-port")
    assert ran.code == 2 and "not attached to server server1" in ran.err
