"""State files written before the services were split into store, rules and controllers still load.

`state_v1/` holds files that the code of commit 8c859fe wrote (see `state_v1/README.md`): the seed scenario,
and an `--empty` cloud in which a network, subnet, port, router, floating IP, security group, key pair and
load balancer were created through the API.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from netdash.democloud import DemoCloud, Settings

FIXTURES = Path(__file__).parent / "state_v1"
PASSWORD = "fixture-Pa55word"


def started_from(name: str, tmp_path: Path) -> DemoCloud:
    path = tmp_path / name
    shutil.copy(FIXTURES / name, path)  # the cloud saves over the file it loaded
    return DemoCloud(settings=Settings(provisioning_delay=0.05, build_delay=0.05), state=path)


def test_the_seed_scenario_saved_before_the_split_loads(tmp_path: Path) -> None:
    cloud = started_from("seed.json", tmp_path)
    assert cloud.password() == PASSWORD
    with cloud:
        conn = cloud.connection()
        names = {n.name for n in conn.network.networks()}
        assert {"public", "private", "worker_network", "webserver_network", "api_network"} <= names
        assert {"private_gateway", "project_router"} <= {r.name for r in conn.network.routers()}
        assert {"server-1-port", "server-2-port"} <= {p.name for p in conn.network.ports()}
        assert {s.name for s in conn.compute.servers()} >= {"server1", "server2"}
        (lb,) = conn.load_balancer.load_balancers(name="web")
        (fip,) = conn.network.ips(port_id=lb.vip_port_id)
        assert fip.floating_ip_address.startswith("127.24.4.")
        members = [m for p in conn.load_balancer.pools() for m in conn.load_balancer.members(p)]
        assert len(members) == 2


def test_an_empty_cloud_with_resources_saved_before_the_split_loads(tmp_path: Path) -> None:
    with started_from("empty.json", tmp_path) as cloud:
        conn = cloud.connection()
        net = conn.network.find_network("made-net")
        assert net is not None
        (subnet,) = conn.network.subnets(network_id=net.id)
        assert subnet.name == "made-subnet" and subnet.cidr == "10.42.0.0/24"
        port = conn.network.find_port("made-port")
        router = conn.network.find_router("made-router")
        assert router.external_gateway_info["network_id"] == conn.network.find_network("public").id
        (fip,) = conn.network.ips(port_id=port.id)
        assert fip.router_id == router.id
        sg = conn.network.find_security_group("made-sg")
        assert any(r["port_range_min"] == 80 for r in sg.security_group_rules)
        assert conn.compute.find_keypair("made-keypair") is not None
        (lb,) = conn.load_balancer.load_balancers(name="made-lb")
        (member,) = conn.load_balancer.members(conn.load_balancer.find_pool("made-pool"))
        assert member.address == "10.42.0.77"
        # the indexes came back too: the port's address is refused to another port, a new one is fresh
        taken = port.fixed_ips[0]["ip_address"]
        resp = conn.network.post("/ports", json={"port": {"network_id": net.id,
                                                          "fixed_ips": [{"ip_address": taken}]}})
        assert resp.status_code == 409, resp.text
        assert conn.network.create_port(network_id=net.id).fixed_ips[0]["ip_address"] != taken
        assert conn.network.find_subnet("made-subnet") is not None
        assert lb.vip_subnet_id == subnet.id
