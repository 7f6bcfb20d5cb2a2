"""What the `openstack` CLI creates on real Neutron and Octavia shows in `netdash topology`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.osc import OpenStackCLI

from .support import Octavia, has_nova, netdash, topology_json, unique


def test_cli_resources_appear_in_topology(realstack: Path, osc: OpenStackCLI, cleanup: list[str]) -> None:
    net, subnet, router, port = unique("net"), unique("subnet"), unique("router"), unique("port")
    osc.run(f"network create {net}")
    cleanup.append(f"network delete {net}")
    osc.run(f"subnet create {subnet} --network {net} --subnet-range 10.61.0.0/24")
    osc.run(f"router create {router}")
    cleanup.append(f"router delete {router}")
    osc.run(f"router set --external-gateway public {router}")
    osc.run(f"router add subnet {router} {subnet}")
    cleanup.append(f"router remove subnet {router} {subnet}")
    port_id = osc.value(f"port create {port} --network {net} -c id")
    cleanup.append(f"port delete {port}")
    fip = osc.json(f"floating ip create public --port {port}")
    cleanup.append(f"floating ip delete {fip['id']}")
    lb, listener, pool = unique("lb"), unique("listener"), unique("pool")
    octavia = Octavia()
    lb_id = osc.value(f"loadbalancer create --name {lb} --vip-subnet-id {subnet} -c id")
    cleanup.append(f"loadbalancer delete --cascade {lb}")
    octavia.wait_active(lb_id)
    osc.run(f"loadbalancer listener create --name {listener} --protocol HTTP --protocol-port 80 {lb}")
    octavia.wait_active(lb_id)
    osc.run(f"loadbalancer pool create --name {pool} --lb-algorithm ROUND_ROBIN --listener {listener} "
            "--protocol HTTP")
    octavia.wait_active(lb_id)
    osc.run(f"loadbalancer member create --name m1 --address 10.61.0.10 --protocol-port 80 "
            f"--subnet-id {subnet} {pool}")
    octavia.wait_active(lb_id)

    topo = topology_json()

    # servers: test_servers.py (realstack runs Nova only with REALSTACK_NOVA=1)
    assert topo["services"] == (["compute", "load-balancer", "network"] if has_nova(realstack)
                                else ["load-balancer", "network"])
    names = {c: {o["name"] for o in topo[c]} for c in ("networks", "subnets", "routers", "ports", "load_balancers",
                                                         "listeners", "pools")}
    assert {"public", net} <= names["networks"]
    assert subnet in names["subnets"] and router in names["routers"] and port in names["ports"]
    assert lb in names["load_balancers"] and listener in names["listeners"] and pool in names["pools"]
    [shown_fip] = [f for f in topo["floating_ips"] if f["id"] == fip["id"]]
    assert shown_fip["port_id"] == port_id
    assert shown_fip["floating_ip_address"].startswith("127.24.4.")
    [shown_router] = [r for r in topo["routers"] if r["name"] == router]
    assert shown_router["external_network_id"] == next(n["id"] for n in topo["networks"] if n["name"] == "public")
    [shown_pool] = [p for p in topo["pools"] if p["name"] == pool]
    members = [m for m in topo["members"] if m["pool_id"] == shown_pool["id"]]
    assert [(m["address"], m["protocol_port"]) for m in members] == [("10.61.0.10", 80)]
    # no health manager on realstack: operating statuses never move from where Octavia puts them
    [shown_lb] = [b for b in topo["load_balancers"] if b["name"] == lb]
    assert shown_lb["provisioning_status"] == "ACTIVE"


def test_tree_without_compute_says_servers_are_unavailable(realstack: Path, osc: OpenStackCLI,
                                                           cleanup: list[str]) -> None:
    if has_nova(realstack):
        pytest.skip("realstack runs Nova (REALSTACK_NOVA=1): test_servers.py covers the servers section")
    net = unique("net")
    osc.run(f"network create {net}")
    cleanup.append(f"network delete {net}")

    out = netdash("topology").stdout

    assert net in out and "public (external)" in out
    assert "Servers: unavailable, no compute service in this cloud" in out
    assert "Load balancers" in out
