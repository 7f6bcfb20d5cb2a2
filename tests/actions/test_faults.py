"""Injected faults: the Nth matching HTTP request fails with the service's own body, and actions meeting a
fault (an error answer, a dropped connection) say exactly where things are or roll back."""

from __future__ import annotations

from typing import Any

import pytest
from openstack import exceptions

from netdash.democloud import DemoCloud

from .conftest import Cli, fip_of


def test_nth_matching_request_fails_with_the_service_body(seeded_cloud: DemoCloud, sdk: Any) -> None:
    faults = seeded_cloud.cloud.faults
    rule = faults.add("network", "GET", r"/ports/[0-9a-f-]+$", status=503, nth=2, message="port service down")
    port = sdk.network.find_port("server-1-port")

    with pytest.raises(exceptions.HttpException) as failed:
        while rule.fired == 0:
            sdk.network.get_port(port.id)
    assert failed.value.status_code == 503 and "port service down" in str(failed.value)
    sdk.network.get_port(port.id)                     # fired once: exhausted
    assert (rule.seen, rule.fired) == (2, 1) or rule.fired == 1
    faults.add("compute", None, "/servers", status=500, times=0)
    with pytest.raises(exceptions.HttpException):
        list(sdk.compute.servers())
    faults.clear()
    assert len(list(sdk.compute.servers())) == 2


def test_peer_calls_inside_the_cloud_are_not_faulted(seeded_cloud: DemoCloud, sdk: Any) -> None:
    # Neutron fails every port update over HTTP, but Nova's in-process unplug of the port still works
    seeded_cloud.cloud.faults.add("network", "PUT", "/ports/", status=500, times=0)
    server = sdk.compute.find_server("server1")
    port = sdk.network.find_port("server-1-port")
    sdk.compute.delete_server_interface(port.id, server=server)
    assert sdk.network.get_port(port.id).device_id == ""
    with pytest.raises(exceptions.HttpException):
        sdk.network.update_port(port.id, name="renamed")


def test_a_rule_needs_an_error_status(seeded_cloud: DemoCloud) -> None:
    with pytest.raises(ValueError):
        seeded_cloud.cloud.faults.add(status=200)


# --- actions meeting `--faults` specs: each ends rolled back or with its state said exactly -----------------
# (a 409 retried, a 501 refused and a 500/503 at each swap step live in test_lb_and_servers.py and test_swap.py)

@pytest.mark.parametrize(("spec", "why"), [("503@network:PUT:/floatingips/", "HTTP 503 injected fault"),
                                           ("drop@network:PUT:/floatingips/", "network API unreachable")])
def test_a_floating_ip_move_meeting_a_fault_says_nothing_changed(cli: Cli, sdk: Any, seeded_cloud: DemoCloud,
                                                                 spec: str, why: str) -> None:
    fip = fip_of(sdk, "server1")
    [rule] = seeded_cloud.cloud.faults.add_spec(spec)
    ran = cli("fip", "move", fip.floating_ip_address, "server2")
    assert rule.fired == 1 and ran.code == 1
    assert f"{fip.floating_ip_address} is on port {fip.port_id}" in ran.err
    assert "error: failed, nothing changed: " in ran.err and why in ran.err
    assert sdk.network.get_ip(fip.id).port_id == fip.port_id


def test_a_floating_ip_move_refused_with_429_waits_as_told_and_goes_on(cli: Cli, sdk: Any,
                                                                       seeded_cloud: DemoCloud) -> None:
    fip = fip_of(sdk, "server1")
    [rule] = seeded_cloud.cloud.faults.add_spec("429:nth=1:retry-after=0.2@network:PUT:/floatingips/")
    ran = cli("fip", "move", fip.floating_ip_address, "server2")
    assert rule.fired == 1 and ran.code == 0, ran.err
    assert (f"network /floatingips/{fip.id}: the cloud answered 429 (too many requests): trying again in 0.2 s, "
            "as its Retry-After asks") in ran.err
    assert sdk.network.get_ip(fip.id).port_id != fip.port_id


def test_a_swap_whose_last_attach_is_dropped_is_rolled_back(cli: Cli, sdk: Any, seeded_cloud: DemoCloud) -> None:
    p1, p2 = sdk.network.find_port("server-1-port"), sdk.network.find_port("server-2-port")
    [rule] = seeded_cloud.cloud.faults.add_spec("drop:nth=2@compute:POST:/os-interface$")
    ran = cli("ports", "swap", "server1", "server2")
    assert rule.fired == 1 and ran.code == 1
    assert "step 4/4 failed: attach port server-2-port to server server1: compute API unreachable" in ran.err
    assert ("original attachment verified: port server-1-port on server server1; port server-2-port on server "
            "server2") in ran.err
    assert (sdk.network.get_port(p1.id).device_id, sdk.network.get_port(p2.id).device_id) == (
        p1.device_id, p2.device_id)


# --- transient failures of reads: retried within the deadline, never a changed cloud reported as failed ----

def test_a_503_on_the_read_after_a_floating_ip_move_is_retried(cli: Cli, sdk: Any, seeded_cloud: DemoCloud) -> None:
    fip = fip_of(sdk, "server1")
    rule = seeded_cloud.cloud.faults.add("network", "GET", f"/floatingips/{fip.id}$", status=503, times=2)
    ran = cli("fip", "move", fip.floating_ip_address, "server2")
    assert rule.fired == 2 and ran.code == 0, ran.err
    assert ran.out.strip().splitlines()[-1].startswith("done: move floating IP")
    assert sdk.network.get_ip(fip.id).port_id != fip.port_id


def test_a_503_on_the_read_after_a_pool_change_is_retried(cli: Cli, sdk: Any, seeded_cloud: DemoCloud) -> None:
    rule = seeded_cloud.cloud.faults.add("load-balancer", "GET", "/lbaas/(pools|loadbalancers)/[0-9a-f-]+$",
                                         status=503, times=2)
    ran = cli("pool", "algorithm", "web_pool", "SOURCE_IP")
    assert rule.fired == 2 and ran.code == 0, ran.err
    assert sdk.load_balancer.find_pool("web_pool").lb_algorithm == "SOURCE_IP"


def test_503s_on_the_swaps_reads_do_not_roll_back_a_completed_swap(cli: Cli, sdk: Any,
                                                                   seeded_cloud: DemoCloud) -> None:
    p1, p2 = sdk.network.find_port("server-1-port"), sdk.network.find_port("server-2-port")
    faults = seeded_cloud.cloud.faults
    reads = [faults.add("network", "GET", "/ports/[0-9a-f-]+$", status=503, times=0, rate=0.3, seed=7),
             faults.add("compute", "GET", "/os-interface$", status=503, times=0, rate=0.3, seed=11)]
    ran = cli("ports", "swap", "server1", "server2")
    assert all(rule.fired for rule in reads)
    assert ran.code == 0, ran.err
    assert "verified: port server-1-port on server server2; port server-2-port on server server1" in ran.err
    faults.clear()
    assert (sdk.network.get_port(p1.id).device_id, sdk.network.get_port(p2.id).device_id) == (
        p2.device_id, p1.device_id)


def test_a_failed_step_that_never_took_effect_is_not_undone(cli: Cli, sdk: Any, seeded_cloud: DemoCloud) -> None:
    """Step 2 (detach server-2-port) fails, the port never leaves server2, and the first read of it after
    the failure fails too: the roll-back reads again and leaves the port alone, instead of attaching it
    again (409 "in use") and calling an untouched port "NOT restored"."""
    p1, p2 = sdk.network.find_port("server-1-port"), sdk.network.find_port("server-2-port")
    faults = seeded_cloud.cloud.faults
    rule = faults.add("compute", "DELETE", f"/os-interface/{p2.id}$", status=500)
    read = faults.add("network", "GET", f"/ports/{p2.id}$", status=503)
    ran = cli("ports", "swap", "server1", "server2")
    assert rule.fired == 1 and read.fired == 1 and ran.code == 1, ran.err
    assert "step 2/4 failed: detach port server-2-port" in ran.err
    assert "undone: attach port server-1-port to server server1" in ran.err
    assert "server-2-port to server server2" not in ran.err  # it never left: nothing to undo
    assert "original attachment verified" in ran.err and "NOT restored" not in ran.err
    assert (sdk.network.get_port(p1.id).device_id, sdk.network.get_port(p2.id).device_id) == (
        p1.device_id, p2.device_id)
