"""Issue 16 on the command line: every action that moves traffic says where traffic went, probed before and
after ("traffic at floating IP ... before: server1 100% -> after: server2 100%"), and `netdash undo` puts
back the last one, proven the same way. A data plane told to ignore the change (the embedded cloud's
`freeze-dataplane` fault) makes the outcome "traffic disagrees", exit status 4.

One seeded cloud for the module (each test's journal is its own: `private_state_home`); each case undoes
what it did, and waits at its start until the cloud serves as seeded, so the order does not matter."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from netdash.democloud import DemoCloud, Settings
from tests.democloud.dataplane_support import SCALE
from tests.waiting import wait_for

from .conftest import Cli, answer, fip_of, traffic, url_of

BOTH = {"server1", "server2"}


@pytest.fixture(scope="module")
def seeded_cloud() -> Iterator[DemoCloud]:
    """The module's cloud (overrides the per-test one `cli` and `sdk` use); monitors 10x faster, so a
    member whose server comes back is ONLINE again quickly."""
    settings = Settings(provisioning_delay=0.1, build_delay=0.05, monitor_time_scale=SCALE)
    with DemoCloud(seed=True, settings=settings) as cloud:
        yield cloud


@pytest.fixture
def cli(cli: Cli) -> Cli:
    """The command line as `netdash` runs it: actions probe their addresses (the other tests turn it off)."""
    cli.probe = True
    return cli


def web_fip(sdk: Any) -> Any:
    lb = sdk.load_balancer.find_load_balancer("web")
    return next(f for f in sdk.network.ips() if f.port_id == lb.vip_port_id)


def port1(sdk: Any) -> Any:
    return sdk.network.find_port("server-1-port")


def as_seeded(sdk: Any) -> None:
    """Wait until the web load balancer answers from both servers and each server's addresses from it."""
    lb_url, fip_url, port_url = url_of(sdk, web_fip(sdk)), url_of(sdk, fip_of(sdk, "server1")), url_of(sdk, port1(sdk))
    wait_for(lambda: {answer(lb_url) for _ in range(4)} == BOTH and answer(fip_url) == "server1"
             and answer(port_url) == "server1", timeout=10, what="the cloud serving as seeded")


#: (label of the address in the report, how to find it) for each kind of address
LB = ("floating IP {}", lambda sdk: web_fip(sdk).floating_ip_address)
FIP1 = ("floating IP {}", lambda sdk: fip_of(sdk, "server1").floating_ip_address)
PORT1 = ("port server-1-port ({})", lambda sdk: port1(sdk).fixed_ips[0]["ip_address"])
Where = tuple[str, Callable[[Any], str]]


@pytest.mark.parametrize(("argv", "where", "before", "after"), [
    pytest.param(("fip", "move", "{fip1}", "server2"), FIP1, {"server1"}, {"server2"}, id="fip-move"),
    pytest.param(("fip", "disassociate", "{fip1}"), FIP1, {"server1"}, set(), id="fip-disassociate+associate"),
    pytest.param(("ports", "swap", "server1", "server2"), PORT1, {"server1"}, {"server2"}, id="ports-swap"),
    pytest.param(("member", "disable", "web_pool", "server1"), LB, BOTH, {"server2"}, id="member-disable+enable"),
    pytest.param(("member", "drain", "web_pool", "server2"), LB, BOTH, {"server1"}, id="member-drain+enable"),
    pytest.param(("server", "stop", "server1"), FIP1, {"server1"}, set(), id="server-stop+start"),
    pytest.param(("port", "admin-state", "server-1-port", "down"), PORT1, {"server1"}, set(), id="port-down+up"),
])
def test_an_action_and_its_undo_each_say_where_traffic_went(cli: Cli, sdk: Any, argv: tuple[str, ...],
                                                            where: Where, before: set[str], after: set[str]) -> None:
    as_seeded(sdk)
    label = where[0].format(where[1](sdk))
    ran = cli(*(arg.format(fip1=fip_of(sdk, "server1").floating_ip_address) for arg in argv))
    assert ran.code == 0, ran.err
    assert traffic(ran.err, label) == (before, after)
    undone = cli("undo")
    assert undone.code == 0, undone.err
    assert undone.out.startswith("undo: ") and "done: undo: " in undone.out and "it undoes: " in undone.out
    assert traffic(undone.err, label) == (after, before)  # back as it was, and proven so
    as_seeded(sdk)


def test_an_algorithm_change_shows_the_pool_pin_one_client_then_spread_again(cli: Cli, sdk: Any) -> None:
    as_seeded(sdk)
    label = LB[0].format(LB[1](sdk))
    ran = cli("pool", "algorithm", "web_pool", "SOURCE_IP")
    assert ran.code == 0, ran.err
    before, after = traffic(ran.err, label)
    assert before == BOTH and len(after) == 1  # one client, pinned to one backend
    undone = cli("undo")
    assert undone.code == 0 and "ROUND_ROBIN" in undone.out, undone.err
    assert traffic(undone.err, label) == (after, BOTH)


def test_a_data_plane_that_ignores_the_change_makes_traffic_disagree(cli: Cli, sdk: Any,
                                                                    seeded_cloud: DemoCloud) -> None:
    """The API moves the floating IP; the frozen data plane keeps sending its traffic to server1."""
    as_seeded(sdk)
    fip = fip_of(sdk, "server1").floating_ip_address
    seeded_cloud.cloud.faults.add_spec("freeze-dataplane")
    try:
        ran = cli("fip", "move", fip, "server2")
    finally:
        seeded_cloud.cloud.faults.clear()
    assert ran.code == 4, ran.err
    assert "done, verified" in ran.err  # the API's part held
    assert traffic(ran.err, f"floating IP {fip}") == ({"server1"}, {"server1"})
    assert (f"warning: traffic disagrees with what the API says is done: floating IP {fip}: server1 answered, "
            "but only server2 should answer") in ran.err
    assert "done:" not in ran.out
    undone = cli("undo")  # a disputed action changed the cloud: it can be undone like any
    assert undone.code == 0, undone.err
    as_seeded(sdk)


def test_no_probe_and_the_actions_that_cannot_be_undone(cli: Cli, sdk: Any) -> None:
    as_seeded(sdk)
    nothing = cli("undo")
    assert nothing.code == 2 and "nothing to undo" in nothing.err
    ran = cli("server", "reboot", "server2", "--no-probe")
    assert ran.code == 0 and "traffic at" not in ran.err, ran.err
    refused = cli("undo")
    assert refused.code == 2 and "reboot server server2" in refused.err
    assert "cannot be undone: a reboot cannot be undone" in refused.err
    assert "traffic at" in cli("server", "reboot", "server2").err  # on by default
    ran = cli("fip", "create")
    assert ran.code == 0 and "traffic at" not in ran.err, ran.err  # a new address moves no traffic
    refused = cli("undo")
    assert refused.code == 2 and "releasing the address gives it back to the pool for good" in refused.err


def test_undo_refuses_to_overwrite_a_change_made_since(cli: Cli, sdk: Any) -> None:
    as_seeded(sdk)
    fip = fip_of(sdk, "server1")
    before = fip.port_id
    assert cli("fip", "move", fip.floating_ip_address, "server2", "--no-probe").code == 0
    sdk.network.update_ip(fip.id, port_id=before)  # someone puts it back meanwhile
    refused = cli("undo")
    assert refused.code == 2 and "the cloud changed since move floating IP" in refused.err, refused.err
    assert "an undo would overwrite that change" in refused.err
    assert sdk.network.get_ip(fip.id).port_id == before
    dry = cli("fip", "move", fip.floating_ip_address, "server2", "--dry-run")
    assert dry.code == 0
    assert cli("undo").code == 2  # a dry run completed nothing: still the move that was overwritten
