"""CloudClient against the embedded cloud: the seed's topology, call counts, absent services, failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from netdash.cloud.client import CloudClient
from netdash.cloud.errors import AuthError, CloudUnreachable, ConfigError, NoCloudConfigured
from netdash.democloud import DemoCloud
from tests.conftest import use_clouds_yaml
from tests.waiting import wait_for


def named(collection, name):
    return next(item for item in collection.values() if item.name == name)


def test_seed_topology_has_every_resource_where_the_views_look(client: CloudClient) -> None:
    topo = client.fetch_topology_sync()
    assert topo.services == {"network", "compute", "load-balancer"}
    assert {"public", "private", "worker_network", "webserver_network", "api_network"} <= {
        n.name for n in topo.networks.values()}
    assert {s.name for s in topo.servers.values()} == {"server1", "server2"}
    assert {r.name for r in topo.routers.values()} == {"private_gateway", "project_router"}
    private = named(topo.networks, "private")
    assert [s.name for s in topo.subnets_of_network(private.id)] == ["private_subnet"]
    server1, server2 = named(topo.servers, "server1"), named(topo.servers, "server2")
    assert server1.status == "ACTIVE" and server1.addresses
    assert "server-1-port" in {p.name for p in topo.ports_of_device(server1.id)}
    # the floating IP of server1, found from its port
    fip_ports = [p for p in topo.ports_of_device(server1.id) if topo.floating_ips_of_port(p.id)]
    assert len(fip_ports) == 1 and topo.owner_of_port(fip_ports[0]) == server1
    # routers: gateway on public, interfaces on their subnets
    gateway = named(topo.routers, "private_gateway")
    assert gateway.external_network_id == named(topo.networks, "public").id
    assert [ip.subnet_id for p in topo.router_interfaces(gateway.id) for ip in p.fixed_ips] == [
        named(topo.subnets, "private_subnet").id]
    assert len(topo.router_interfaces(named(topo.routers, "project_router").id)) == 3
    # the load balancer tree, with operating statuses from the status tree
    web = named(topo.load_balancers, "web")
    assert web.operating_status == "ONLINE" and web.vip_port_id in topo.ports
    assert topo.owner_of_port(topo.ports[web.vip_port_id]) == web
    assert topo.floating_ips_of_port(web.vip_port_id)
    (listener,) = topo.listeners_of(web.id)
    assert (listener.protocol, listener.protocol_port) == ("HTTP", 80)
    pool = topo.pools[listener.default_pool_id]
    assert (pool.name, pool.lb_algorithm) == ("web_pool", "ROUND_ROBIN")
    members = topo.members_of_pool(pool.id)
    assert {topo.server_of_address(m.address).name for m in members} == {"server1", "server2"}
    assert all(m.protocol_port == 80 and m.operating_status for m in members)
    monitor = topo.health_monitor_of(pool)
    assert monitor is not None and (monitor.type, monitor.delay, monitor.timeout) == ("HTTP", 3, 3)
    # what a floating IP can move to: server2's private port, not the router's
    fip = topo.floating_ips_of_port(fip_ports[0].id)[0]
    targets = {p.id for p in topo.floating_ip_targets(fip)}
    assert any(p.id in targets for p in topo.ports_of_device(server2.id))
    assert not any(p.device_owner.startswith("network:router") for p in topo.floating_ip_targets(fip))


def test_api_calls_per_fetch_do_not_grow_with_ports(client: CloudClient, seeded_cloud: DemoCloud) -> None:
    before = client.api_calls
    first = client.fetch_topology_sync()
    # one list per type, the quota details, the embedded cloud's endpoint list, one status tree per LB, and
    # (trees read for the first time) each pool's member list
    assert client.api_calls - before == 13 + len(first.load_balancers) + len(first.pools)
    before = client.api_calls
    client.fetch_topology_sync()
    per_fetch = client.api_calls - before
    assert per_fetch == 13 + len(first.load_balancers)  # the trees are unchanged: no member list again
    conn = seeded_cloud.connection()
    private = conn.network.find_network("private")
    for i in range(50):
        conn.network.create_port(network_id=private.id, name=f"bulk-{i}")
    before = client.api_calls
    second = client.fetch_topology_sync()
    assert client.api_calls - before == per_fetch
    assert len(second.ports) == len(first.ports) + 50


def test_members_are_as_octavia_lists_them_and_a_change_by_anyone_is_read(client: CloudClient,
                                                                            seeded_cloud: DemoCloud) -> None:
    """Weight, admin state, backup and subnet come from the pool's member list (a status tree has none of
    them), read again when the load balancer changed: here a drain and a disable made by another client."""
    first = client.fetch_topology_sync()
    assert {(m.weight, m.admin_state_up, m.backup) for m in first.members.values()} == {(1, True, False)}
    assert all(m.subnet_id in first.subnets for m in first.members.values())
    conn = seeded_cloud.connection()
    pool = conn.load_balancer.find_pool("web_pool")
    drained, disabled = sorted(first.members_of_pool(pool.id), key=lambda m: m.address)
    conn.load_balancer.update_member(drained.id, pool.id, weight=0)
    wait_for(lambda: conn.load_balancer.get_load_balancer(pool.loadbalancers[0]["id"]).provisioning_status
             == "ACTIVE", what="the load balancer ACTIVE after the drain")
    conn.load_balancer.update_member(disabled.id, pool.id, admin_state_up=False)

    def read_back() -> bool:
        members = client.fetch_topology_sync().members
        return (members[drained.id].weight, members[disabled.id].admin_state_up) == (0, False)

    wait_for(read_back, what="the drain and the disable read back")


def test_a_cloud_without_load_balancer_service_shows_it_absent(empty_cloud: DemoCloud) -> None:
    del empty_cloud.cloud.services["load-balancer"]  # gone from the catalog Keystone hands out
    client = CloudClient.for_demo(empty_cloud, max_rps=1000)
    try:
        topo = client.fetch_topology_sync()
    finally:
        client.close()
    assert topo.services == {"network", "compute"}
    assert not topo.load_balancers and not topo.pools
    assert [n.name for n in topo.networks.values()] == ["public"]


def test_info_names_cloud_project_region_and_never_the_password(client: CloudClient, seeded_cloud) -> None:
    info = client.info
    assert (info.cloud, info.project, info.user, info.region, info.demo) == (
        "netdash-demo", "demo", "demo", "RegionOne", True)
    assert info.auth_url == seeded_cloud.auth_url
    assert seeded_cloud.password() not in repr(info) + repr(client)


# --- connecting through clouds.yaml, as the openstack CLI does ---------------------------------------
@pytest.fixture
def clouds_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty_cloud: DemoCloud) -> Path:
    return use_clouds_yaml(empty_cloud, tmp_path / "clouds.yaml", monkeypatch)


def test_connect_by_name_and_by_os_cloud(clouds_yaml: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client = CloudClient.connect("netdash-demo", max_rps=1000)
    try:
        assert client.info.cloud == "netdash-demo" and not client.info.demo
        assert [n.name for n in client.fetch_topology_sync().networks.values()] == ["public"]
    finally:
        client.close()
    monkeypatch.setenv("OS_CLOUD", "netdash-demo")
    CloudClient.connect(region="RegionOne").close()


def test_connect_failures_are_one_line_without_the_password(clouds_yaml: Path, empty_cloud: DemoCloud,
                                                              tmp_path: Path) -> None:
    password = empty_cloud.password()
    with pytest.raises(ConfigError, match=r"unknown cloud 'nope'.*known clouds: netdash-demo"):
        CloudClient.connect("nope")
    with pytest.raises(ConfigError, match="Region Elsewhere is not a valid region name"):
        CloudClient.connect("netdash-demo", region="Elsewhere")
    good = clouds_yaml.read_text()
    clouds_yaml.write_text(good.replace(password, "wrong-password"))
    with pytest.raises(AuthError, match="authentication refused") as refused:
        CloudClient.connect("netdash-demo")
    assert "wrong-password" not in refused.value.message
    clouds_yaml.write_text(good.replace(f":{empty_cloud.port}/", ":9/"))
    with pytest.raises(CloudUnreachable, match=r"cannot reach the auth URL .*connection refused") as down:
        CloudClient.connect("netdash-demo")
    assert password not in down.value.message
    clouds_yaml.write_text(good + f"  broken: [\n    password: {password}\n")
    with pytest.raises(ConfigError, match=r"not valid YAML \(line \d+") as malformed:
        CloudClient.connect("netdash-demo")
    assert password not in malformed.value.message and "\n" not in malformed.value.message


def test_nothing_configured_is_its_own_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in [v for v in __import__("os").environ if v.startswith("OS_")]:
        monkeypatch.delenv(var)
    from openstack.config import loader

    monkeypatch.setattr(loader, "CONFIG_FILES", [str(tmp_path / "none.yaml")])
    with pytest.raises(NoCloudConfigured):
        CloudClient.connect()
    # a file named by OS_CLIENT_CONFIG_FILE that is not there is a mistake to report, not "nothing configured"
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(tmp_path / "absent.yaml"))
    with pytest.raises(ConfigError) as missing:
        CloudClient.connect()
    assert not isinstance(missing.value, NoCloudConfigured)
    assert missing.value.message == (f"no cloud configured: OS_CLIENT_CONFIG_FILE names {tmp_path / 'absent.yaml'}, "
                                     "which does not exist")
