"""The seeded cloud holds the seed scenario (README, "The embedded cloud"), readable through openstacksdk as
from any cloud."""

from __future__ import annotations

from typing import Any

from netdash.democloud import DemoCloud


def by_name(items: Any) -> dict[str, Any]:
    return {item.name: item for item in items}


def test_seed_networks_routers_and_ports(seeded_cloud: DemoCloud) -> None:
    conn = seeded_cloud.connection()
    networks = by_name(conn.network.networks())
    assert set(networks) == {"public", "private", "worker_network", "webserver_network", "api_network"}
    assert networks["public"].is_router_external
    routers = by_name(conn.network.routers())
    assert set(routers) == {"private_gateway", "project_router"}
    for router in routers.values():
        assert router.external_gateway_info["network_id"] == networks["public"].id
    interfaces = conn.network.ports(device_id=routers["project_router"].id,
                                    device_owner="network:router_interface")
    assert sorted(p.fixed_ips[0]["ip_address"] for p in interfaces) == ["10.0.1.1", "10.0.2.1", "10.0.3.1"]
    ports = by_name(conn.network.ports())
    assert ports["server-1-port"].network_id == networks["public"].id


def test_seed_servers_have_their_ports_and_web_servers(seeded_cloud: DemoCloud) -> None:
    conn = seeded_cloud.connection()
    servers = by_name(conn.compute.servers())
    assert {name: s.status for name, s in servers.items()} == {"server1": "ACTIVE", "server2": "ACTIVE"}
    ports = by_name(conn.network.ports())
    assert ports["server-1-port"].device_id == servers["server1"].id
    assert ports["server-2-port"].device_id == servers["server2"].id
    assert set(servers["server1"].addresses) == {"private", "public"}
    nova = seeded_cloud.cloud.services["compute"]
    assert "nginx" in nova.get_server(servers["server1"].id)["user_data"]
    assert "httpd" in nova.get_server(servers["server2"].id)["user_data"]


def test_seed_load_balancer_and_floating_ips(seeded_cloud: DemoCloud) -> None:
    conn = seeded_cloud.connection()
    (lb,) = conn.load_balancer.load_balancers()
    assert (lb.name, lb.provisioning_status) == ("web", "ACTIVE")
    (pool,) = conn.load_balancer.pools()
    assert (pool.name, pool.lb_algorithm, pool.protocol) == ("web_pool", "ROUND_ROBIN", "HTTP")
    members = list(conn.load_balancer.members(pool))
    servers = by_name(conn.compute.servers())
    private_ips = {s.addresses["private"][0]["addr"] for s in servers.values()}
    assert {m.address for m in members} == private_ips
    assert {m.protocol_port for m in members} == {80}
    (monitor,) = conn.load_balancer.health_monitors()
    assert (monitor.type, monitor.delay, monitor.timeout, monitor.max_retries) == ("HTTP", 3, 3, 3)
    fips = {f.port_id: f for f in conn.network.ips()}
    assert lb.vip_port_id in fips
    assert fips[lb.vip_port_id].floating_ip_address.startswith("127.24.4.")
    server1_private = conn.network.ports(device_id=servers["server1"].id,
                                         network_id=conn.network.find_network("private").id)
    assert next(iter(server1_private)).id in fips
    tree = conn.load_balancer.get(f"/lbaas/loadbalancers/{lb.id}/status").json()
    listener = tree["statuses"]["loadbalancer"]["listeners"][0]
    assert listener["name"] == "web_listener"
    assert len(listener["pools"][0]["members"]) == 2


def test_empty_cloud_has_only_public(empty_cloud: DemoCloud) -> None:
    conn = empty_cloud.connection()
    assert [n.name for n in conn.network.networks()] == ["public"]
    (subnet,) = conn.network.subnets()
    assert subnet.cidr == "127.24.4.0/24"
    assert not list(conn.compute.servers()) and not list(conn.load_balancer.load_balancers())
