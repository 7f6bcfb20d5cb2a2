"""netdash's actions, run from its command line, reach their verified end state on real services.

Octavia here has no health manager: provisioning goes PENDING_UPDATE -> ACTIVE, operating statuses stay
where Octavia put them, so the checks are on provisioning status and the changed field."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.osc import OpenStackCLI

from .support import Octavia, RoutedNetwork, netdash, realstack_cli, unique


@dataclass(frozen=True)
class Project:
    net: str
    subnet: str
    router: str
    port_a: str
    port_b: str
    lb_id: str
    pool: str
    pool_id: str
    member_id: str


@pytest.fixture(scope="module")
def project(realstack: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """A routed network with two ports, and a load balancer with a listener, a pool and one member."""
    osc = realstack_cli(tmp_path_factory.mktemp("osc"))
    octavia = Octavia()
    routed = RoutedNetwork.create(osc, "10.62.0.0/24")
    net, subnet, router = routed.net, routed.subnet, routed.router
    port_a, port_b, lb, pool = unique("port-a"), unique("port-b"), unique("lb"), unique("pool")
    osc.run(f"port create {port_a} --network {net}")
    osc.run(f"port create {port_b} --network {net}")
    lb_id = osc.value(f"loadbalancer create --name {lb} --vip-subnet-id {subnet} -c id")
    octavia.wait_active(lb_id)
    listener = osc.value(f"loadbalancer listener create --protocol HTTP --protocol-port 80 {lb} -c id")
    octavia.wait_active(lb_id)
    pool_id = osc.value(f"loadbalancer pool create --name {pool} --lb-algorithm ROUND_ROBIN --listener {listener} "
                        "--protocol HTTP -c id")
    octavia.wait_active(lb_id)
    member_id = osc.value(f"loadbalancer member create --name m1 --address 10.62.0.10 --protocol-port 80 "
                          f"--subnet-id {subnet} {pool} -c id")
    octavia.wait_active(lb_id)
    yield Project(net, subnet, router, port_a, port_b, lb_id, pool, pool_id, member_id)
    routed.teardown(osc, f"loadbalancer delete --cascade {lb_id}", f"port delete {port_a} {port_b}")


def test_fip_move_reaches_the_other_port(project: Project, osc: OpenStackCLI, cleanup: list[str]) -> None:
    fip = osc.json(f"floating ip create public --port {project.port_a}")
    cleanup.append(f"floating ip delete {fip['id']}")
    port_b_id = osc.value(f"port show {project.port_b} -c id")

    done = netdash("fip", "move", fip["floating_ip_address"], project.port_b, "--yes")

    assert fip["floating_ip_address"] in done.stdout
    assert osc.value(f"floating ip show {fip['id']} -c port_id") == port_b_id


def test_pool_algorithm_change_is_applied(project: Project, osc: OpenStackCLI) -> None:
    netdash("pool", "algorithm", project.pool, "LEAST_CONNECTIONS", "--yes")

    pool = Octavia().get("pool", project.pool_id)
    assert (pool["lb_algorithm"], pool["provisioning_status"]) == ("LEAST_CONNECTIONS", "ACTIVE")
    assert Octavia().get("loadbalancer", project.lb_id)["provisioning_status"] == "ACTIVE"


def test_amphora_refuses_source_ip_port_and_nothing_changes(project: Project) -> None:
    before = Octavia().get("pool", project.pool_id)["lb_algorithm"]

    done = netdash("pool", "algorithm", project.pool, "SOURCE_IP_PORT", "--yes", expect=None)

    assert done.returncode in (1, 2), done
    assert Octavia().get("pool", project.pool_id)["lb_algorithm"] == before


def test_member_disable_then_enable(project: Project) -> None:
    octavia = Octavia()

    netdash("member", "disable", project.pool, "m1", "--yes")
    member = octavia.http.get(f"/pools/{project.pool_id}/members/{project.member_id}").json()["member"]
    assert (member["admin_state_up"], member["provisioning_status"]) == (False, "ACTIVE")

    netdash("member", "enable", project.pool, "m1", "--yes")
    member = octavia.http.get(f"/pools/{project.pool_id}/members/{project.member_id}").json()["member"]
    assert (member["admin_state_up"], member["provisioning_status"]) == (True, "ACTIVE")


def test_fip_create_on_a_port_then_disassociate(project: Project, osc: OpenStackCLI, cleanup: list[str]) -> None:
    port_a_id = osc.value(f"port show {project.port_a} -c id")

    done = netdash("fip", "create", "--network", "public", "--target", project.port_a, "--yes")

    [fip] = [f for f in osc.json("floating ip list --port " + port_a_id)]
    cleanup.append(f"floating ip delete {fip['ID']}")
    assert fip["Floating IP Address"] in done.stdout
    netdash("fip", "disassociate", fip["Floating IP Address"], "--yes")
    shown = osc.json(f"floating ip show {fip['ID']}")
    assert (shown["port_id"], shown["status"]) == (None, "DOWN")


def test_member_drain_keeps_it_enabled_with_weight_zero(project: Project) -> None:
    octavia = Octavia()
    path = f"/pools/{project.pool_id}/members/{project.member_id}"

    netdash("member", "drain", project.pool, "m1", "--yes")
    member = octavia.http.get(path).json()["member"]
    assert (member["weight"], member["admin_state_up"], member["provisioning_status"]) == (0, True, "ACTIVE")

    netdash("member", "enable", project.pool, "m1", "--yes")
    assert octavia.http.get(path).json()["member"]["weight"] == 1
