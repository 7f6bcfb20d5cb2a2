"""Pool algorithm, members and server power through the command line; refusals; --read-only."""

from __future__ import annotations

from typing import Any

import pytest

from netdash.democloud import DemoCloud
from tests.democloud.dataplane_support import spread
from tests.waiting import wait_for

from .conftest import Cli, answer, fip_of, url_of

AMPHORA_501 = ("Provider 'amphora' does not support a requested option: Unsupported lb_algorithm "
               "SOURCE_IP_PORT")


def pool(sdk: Any) -> Any:
    return sdk.load_balancer.find_pool("web_pool")


def test_change_algorithm(cli: Cli, sdk: Any) -> None:
    ran = cli("pool", "algorithm", "web_pool", "source_ip", "--dry-run")
    assert ran.code == 0 and "* ROUND_ROBIN (current)" in ran.out and "SOURCE_IP <- new" in ran.out
    ran = cli("pool", "algorithm", "web_pool", "SOURCE_IP")
    assert ran.code == 0, ran.err
    assert pool(sdk).lb_algorithm == "SOURCE_IP"
    assert sdk.load_balancer.find_load_balancer("web").provisioning_status == "ACTIVE"


def test_a_409_while_pending_is_retried(cli: Cli, sdk: Any, seeded_cloud: DemoCloud) -> None:
    rule = seeded_cloud.cloud.faults.add("load-balancer", "PUT", "^/v2(.0)?/lbaas/pools/", status=409, times=2,
                                         message="Load Balancer x is immutable and cannot be updated.")
    ran = cli("pool", "algorithm", "web_pool", "LEAST_CONNECTIONS")
    assert ran.code == 0, ran.err
    assert rule.fired == 2 and "retrying" in ran.err
    assert pool(sdk).lb_algorithm == "LEAST_CONNECTIONS"


def test_refuses_an_algorithm_the_cloud_refuses_and_an_unknown_one(cli: Cli, sdk: Any,
                                                                    seeded_cloud: DemoCloud) -> None:
    seeded_cloud.cloud.faults.add("load-balancer", "PUT", "/lbaas/pools/", status=501, message=AMPHORA_501)
    ran = cli("pool", "algorithm", "web_pool", "SOURCE_IP_PORT")
    assert ran.code == 2
    assert "refused: the cloud refused" in ran.err and "does not support" in ran.err
    ran = cli("pool", "algorithm", "web_pool", "RANDOM")
    assert ran.code == 2 and "unknown algorithm 'RANDOM'" in ran.err
    assert pool(sdk).lb_algorithm == "ROUND_ROBIN"


def test_drain_and_back_and_disable(cli: Cli, sdk: Any) -> None:
    lb = sdk.load_balancer.find_load_balancer("web")
    (lb_fip,) = sdk.network.ips(port_id=lb.vip_port_id)
    url = url_of(sdk, lb_fip)
    p = pool(sdk)
    member = next(m for m in sdk.load_balancer.members(p) if m.address == next(
        ip["ip_address"] for port in sdk.network.ports(device_id=sdk.compute.find_server("server1").id)
        for ip in port.fixed_ips if ip["ip_address"].startswith("10.0.0.")))
    wait_for(lambda: set(spread(url, 4)) == {"server1", "server2"}, what="both members serving")
    ran = cli("member", "drain", "web_pool", "server1")
    assert ran.code == 0, ran.err
    assert sdk.load_balancer.get_member(member, p).weight == 0
    wait_for(lambda: set(spread(url, 6)) == {"server2"}, what="server1 drained")
    ran = cli("member", "enable", "web_pool", member.address)
    assert ran.code == 0, ran.err
    assert "restore" in ran.out
    back = sdk.load_balancer.get_member(member, p)
    assert back.weight == 1 and not any(t.startswith("netdash:") for t in back.tags)
    ran = cli("member", "disable", "web_pool", member.id)
    assert ran.code == 0, ran.err
    assert sdk.load_balancer.get_member(member, p).is_admin_state_up is False
    assert cli("member", "disable", "web_pool", member.id).code == 2  # already disabled


def test_stop_and_start_a_server(cli: Cli, sdk: Any) -> None:
    url = url_of(sdk, fip_of(sdk, "server1"))
    wait_for(lambda: answer(url) == "server1", what="server1 serving")
    ran = cli("server", "stop", "server1")
    assert ran.code == 0, ran.err
    assert sdk.compute.find_server("server1").status == "SHUTOFF"
    wait_for(lambda: answer(url) is None, what="server1 down")
    assert cli("server", "stop", "server1").code == 2  # already SHUTOFF
    assert cli("server", "start", "server1").code == 0
    wait_for(lambda: answer(url) == "server1", what="server1 back")
    assert cli("server", "reboot", "server1").code == 0
    assert sdk.compute.find_server("server1").status == "ACTIVE"


@pytest.mark.parametrize("argv", [
    ["fip", "move", "127.24.4.1", "server2"], ["fip", "associate", "x", "y"], ["fip", "disassociate", "x"],
    ["fip", "create"], ["ports", "swap", "a", "b"], ["pool", "algorithm", "p", "SOURCE_IP"],
    ["member", "enable", "p", "m"], ["member", "disable", "p", "m"], ["member", "drain", "p", "m"],
    ["server", "stop", "s"], ["server", "start", "s"], ["server", "reboot", "s"]])
def test_read_only_refuses_every_action(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from netdash.__main__ import main

    assert main(["--read-only", *argv, "--yes"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "netdash: error: --read-only: actions that change the cloud are disabled"


def test_bad_input_is_one_line_exit_2(cli: Cli) -> None:
    ran = cli("fip", "move", "192.0.2.250", "server2")  # never a floating IP here (TEST-NET-1)
    assert ran.code == 2 and ran.err.strip() == "netdash: refused: no floating IP '192.0.2.250'"
    ran = cli("server", "stop", "nosuch")
    assert ran.code == 2 and "no server 'nosuch'" in ran.err
    ran = cli("pool", "algorithm", "web_pool")
    assert ran.code == 2 and len(ran.err.strip().splitlines()) == 1
