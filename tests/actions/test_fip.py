"""Floating IP actions through the command line: end state by openstacksdk, and the data plane agrees."""

from __future__ import annotations

import re
from typing import Any

from tests.waiting import wait_for

from .conftest import Cli, answer, fip_of, server_of, url_of


def test_move_floating_ip_to_a_server(cli: Cli, sdk: Any) -> None:
    fip = fip_of(sdk, "server1")
    url = url_of(sdk, fip)
    wait_for(lambda: answer(url) == "server1", what="server1 behind the floating IP")
    ran = cli("fip", "move", fip.floating_ip_address, "server2")
    assert ran.code == 0, ran.err
    assert "move floating IP" in ran.out and "done:" in ran.out
    server2 = server_of(sdk, "server2")
    port = sdk.network.get_port(sdk.network.get_ip(fip.id).port_id)
    assert port.device_id == server2.id
    wait_for(lambda: answer(url) == "server2", what="the moved floating IP answering from server2")


def test_disassociate_associate_and_allocate(cli: Cli, sdk: Any) -> None:
    fip = fip_of(sdk, "server1")
    assert cli("fip", "disassociate", fip.floating_ip_address).code == 0
    assert sdk.network.get_ip(fip.id).port_id is None
    ran = cli("fip", "associate", fip.id, "server2")
    assert ran.code == 0, ran.err
    assert sdk.network.get_port(sdk.network.get_ip(fip.id).port_id).device_id == server_of(sdk, "server2").id
    ran = cli("fip", "create", "--target", "server1")
    assert ran.code == 0, ran.err
    address = re.search(r"allocated floating IP (\S+)", ran.out).group(1)
    (created,) = sdk.network.ips(floating_ip_address=address)
    assert sdk.network.get_port(created.port_id).device_id == server_of(sdk, "server1").id
    wait_for(lambda: answer(url_of(sdk, sdk.network.get_ip(created.id))) == "server1", what="the new floating IP")


def test_refuses_a_port_on_an_unrouted_network(cli: Cli, sdk: Any) -> None:
    net = sdk.network.create_network(name="island")
    sdk.network.create_subnet(network_id=net.id, cidr="10.9.0.0/24", ip_version=4, name="island_subnet")
    sdk.network.create_port(network_id=net.id, name="island-port")
    fip = fip_of(sdk, "server1")
    ran = cli("fip", "move", fip.floating_ip_address, "island-port")
    assert ran.code == 2
    assert "refused" in ran.err and "cannot take a floating IP" in ran.err and "island" in ran.err
    assert sdk.network.get_ip(fip.id).port_id == fip.port_id


def test_dry_run_and_no_terminal_change_nothing(cli: Cli, sdk: Any) -> None:
    fip = fip_of(sdk, "server1")
    ran = cli("fip", "move", fip.floating_ip_address, "server2", "--dry-run", yes=False)
    assert ran.code == 0 and "1. update" in ran.out
    ran = cli("fip", "move", fip.floating_ip_address, "server2", yes=False)  # stdin is not a terminal
    assert ran.code == 2 and "--yes" in ran.err
    assert sdk.network.get_ip(fip.id).port_id == fip.port_id


def test_refuses_a_target_that_holds_a_floating_ip_even_in_a_dry_run(cli: Cli, sdk: Any) -> None:
    """Neutron answers 409 to a second floating IP of a network on one port: the plan refuses it first."""
    fip = fip_of(sdk, "server1")
    ran = cli("fip", "move", fip.floating_ip_address, "web", "--dry-run")  # the VIP holds the LB's floating IP
    assert ran.code == 2, ran.out
    assert "already has floating IP" in ran.err and "move or disassociate that one first" in ran.err
    assert cli("fip", "disassociate", fip.floating_ip_address).code == 0
    ran = cli("fip", "create", "--target", "server1")  # server1 is free now: it gets a new one
    assert ran.code == 0, ran.err
    ran = cli("fip", "associate", fip.floating_ip_address, "server1", "--dry-run")
    assert ran.code == 2 and "already has floating IP" in ran.err, ran.err
    assert sdk.network.get_ip(fip.id).port_id is None
