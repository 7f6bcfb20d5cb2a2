"""Servers on real Nova 34 (REALSTACK_NOVA=1): the `openstack` CLI boots them, netdash shows them and its
server and port actions reach their verified end state. Skipped when realstack runs without Nova.

Two servers, each booted on a named port of a routed network (`--port`, so the ports are the user's and
survive being detached, as in document 000's port migration).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.osc import OpenStackCLI
from tests.waiting import wait_for

from .support import FLAVOR, IMAGE, Nova, RoutedNetwork, netdash, realstack_cli, topology_json, unique


@dataclass(frozen=True)
class Servers:
    net: str
    a: str
    b: str
    a_id: str
    b_id: str
    port_a: str
    port_b: str
    port_a_id: str
    port_b_id: str


@pytest.fixture(scope="module")
def servers(nova: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    osc = realstack_cli(tmp_path_factory.mktemp("osc"))
    routed = RoutedNetwork.create(osc, "10.63.0.0/24")
    net = routed.net
    a, b, port_a, port_b = unique("server-a"), unique("server-b"), unique("port-a"), unique("port-b")
    port_ids = [osc.value(f"port create {port} --network {net} -c id") for port in (port_a, port_b)]
    ids = [osc.value(f"server create --flavor {FLAVOR} --image {IMAGE} --port {port} {name} -c id")
           for name, port in ((a, port_a), (b, port_b))]
    for server_id in ids:
        wait_for(lambda s=server_id: osc.value(f"server show {s} -c status") == "ACTIVE", timeout=60,
                 interval=0.5, what=f"server {server_id} ACTIVE")
    yield Servers(net, a, b, ids[0], ids[1], port_a, port_b, port_ids[0], port_ids[1])
    routed.teardown(osc, f"server delete --wait {a} {b}", f"port delete {port_a} {port_b}")


def port_device(osc: OpenStackCLI, port_id: str) -> str:
    return osc.value(f"port show {port_id} -c device_id")


def addresses(osc: OpenStackCLI, server_id: str) -> list[str]:
    shown: dict[str, list[str]] = osc.json(f"server show {server_id}")["addresses"]
    return [address for network in shown.values() for address in network]


def assert_port_on(osc: OpenStackCLI, port_id: str, server_id: str) -> None:
    assert port_device(osc, port_id) == server_id
    assert Nova().interface_ports(server_id) == {port_id}


def test_topology_shows_servers_with_their_ports(servers: Servers, osc: OpenStackCLI) -> None:
    topo = topology_json()

    assert "compute" in topo["services"]
    shown: dict[str, Any] = {s["name"]: s for s in topo["servers"]}
    assert {servers.a, servers.b} <= set(shown)
    for name, server_id, port_id in ((servers.a, servers.a_id, servers.port_a_id),
                                     (servers.b, servers.b_id, servers.port_b_id)):
        [port] = [p for p in topo["ports"] if p["id"] == port_id]
        assert (shown[name]["id"], shown[name]["status"], port["device_id"]) == (server_id, "ACTIVE", server_id)
        fixed = [a["address"] for a in shown[name]["addresses"] if a["kind"] == "fixed"]
        assert fixed == [port["fixed_ips"][0]["ip_address"]]
        assert fixed[0].startswith("10.63.0.")
    tree = netdash("topology").stdout
    assert servers.a in tree and servers.port_a in tree


def test_port_swap_then_swap_back_with_reboot(servers: Servers, osc: OpenStackCLI) -> None:
    """Nova detaches asynchronously: the swap waits for each port to be free before attaching it."""
    done = netdash("ports", "swap", servers.a, servers.b, "--yes")

    assert "verified" in done.stderr + done.stdout
    assert_port_on(osc, servers.port_b_id, servers.a_id)
    assert_port_on(osc, servers.port_a_id, servers.b_id)
    ip_a = osc.json(f"port show {servers.port_a_id}")["fixed_ips"][0]["ip_address"]
    assert addresses(osc, servers.b_id) == [ip_a]

    netdash("ports", "swap", servers.a, servers.b, "--reboot", "--yes")

    assert_port_on(osc, servers.port_a_id, servers.a_id)
    assert_port_on(osc, servers.port_b_id, servers.b_id)
    assert osc.value(f"server show {servers.a_id} -c status") == "ACTIVE"


def test_server_stop_start_reboot(servers: Servers, osc: OpenStackCLI) -> None:
    netdash("server", "stop", servers.b, "--yes")
    assert osc.value(f"server show {servers.b_id} -c status") == "SHUTOFF"

    netdash("server", "start", servers.b, "--yes")
    assert osc.value(f"server show {servers.b_id} -c status") == "ACTIVE"

    netdash("server", "reboot", servers.b, "--yes")
    shown = osc.json(f"server show {servers.b_id}")
    assert (shown["status"], shown["OS-EXT-STS:task_state"]) == ("ACTIVE", None)


def test_floating_ip_shows_in_addresses_and_moves_to_a_server(servers: Servers, osc: OpenStackCLI,
                                                               cleanup: list[str]) -> None:
    """Neutron tells Nova "network changed"; Nova's compute refreshes the server's addresses (on its
    compute-alt RPC topic: without it the floating IP would never show)."""
    fip = osc.json(f"floating ip create public --port {servers.port_a_id}")
    cleanup.append(f"floating ip delete {fip['id']}")
    address = fip["floating_ip_address"]
    wait_for(lambda: address in addresses(osc, servers.a_id), timeout=20, interval=0.5,
             what=f"{address} in {servers.a}'s addresses")

    done = netdash("fip", "move", address, servers.b, "--yes")

    assert address in done.stdout
    assert osc.value(f"floating ip show {fip['id']} -c port_id") == servers.port_b_id
    wait_for(lambda: address in addresses(osc, servers.b_id) and address not in addresses(osc, servers.a_id),
             timeout=20, interval=0.5, what=f"{address} moved to {servers.b}'s addresses")
