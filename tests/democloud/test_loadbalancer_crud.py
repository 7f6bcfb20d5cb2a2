"""Octavia through openstacksdk: each resource's create/list/get/update/delete; the VIP port in Neutron."""

from __future__ import annotations

import re
from typing import Any

from netdash.democloud import DemoCloud
from tests.democloud.lb_support import Api, build_stack, instant, tenant_network
from tests.waiting import wait_for

OCTAVIA_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")


def test_load_balancer_lifecycle_and_vip_port(empty_cloud: DemoCloud, conn: Any) -> None:
    net_id, subnet_id = tenant_network(conn)
    lb = conn.load_balancer.create_load_balancer(name="web", vip_subnet_id=subnet_id, description="front")
    assert lb.provisioning_status == "PENDING_CREATE" and lb.operating_status == "OFFLINE"
    assert lb.provider == "amphora" and lb.vip_network_id == net_id and lb.vip_subnet_id == subnet_id
    assert lb.listeners == [] and lb.pools == [] and lb.tags == []

    port = conn.network.get_port(lb.vip_port_id)
    assert port.name == f"octavia-lb-{lb.id}" and port.device_owner == "Octavia"
    assert port.device_id == f"lb-{lb.id}" and port.project_id == lb.project_id
    assert port.fixed_ips[0]["ip_address"] == lb.vip_address and port.fixed_ips[0]["subnet_id"] == subnet_id

    lb = conn.load_balancer.wait_for_load_balancer(lb.id, interval=0.05, wait=5)
    assert lb.provisioning_status == "ACTIVE" and lb.operating_status == "ONLINE"
    assert [x.name for x in conn.load_balancer.load_balancers()] == ["web"]
    assert conn.load_balancer.find_load_balancer("web").id == lb.id

    lb = conn.load_balancer.update_load_balancer(lb, name="web2", admin_state_up=False)
    assert lb.name == "web2" and lb.provisioning_status == "PENDING_UPDATE"
    lb = conn.load_balancer.wait_for_load_balancer(lb.id, interval=0.05, wait=5)
    assert lb.operating_status == "OFFLINE" and not lb.is_admin_state_up

    stats = conn.load_balancer.get_load_balancer_statistics(lb.id)
    assert (stats.bytes_in, stats.bytes_out, stats.active_connections, stats.total_connections,
            stats.request_errors) == (0, 0, 0, 0, 0)

    conn.load_balancer.delete_load_balancer(lb)
    assert conn.load_balancer.get_load_balancer(lb.id).provisioning_status == "PENDING_DELETE"
    conn.load_balancer.wait_for_delete(lb, interval=0.05, wait=5)
    wait_for(lambda: conn.network.find_port(port.id) is None, what="VIP port released")


def test_raw_shapes_follow_the_corpus(empty_cloud: DemoCloud, conn: Any) -> None:
    _, subnet_id = tenant_network(conn)
    api = Api(empty_cloud, conn)
    created = api.post("/lbaas/loadbalancers", {"loadbalancer": {"name": "web", "vip_subnet_id": subnet_id}})
    body = created.json()["loadbalancer"]
    assert created.status_code == 201 and body["updated_at"] is None
    assert OCTAVIA_TIME.match(body["created_at"])
    assert {"vip_qos_policy_id", "flavor_id", "availability_zone", "additional_vips", "vip_sg_ids",
            "tenant_id", "vip_vnic_type"} <= set(body)
    api.wait_active(f"/lbaas/loadbalancers/{body['id']}")
    shown = api.get(f"/lbaas/loadbalancers/{body['id']}").json()["loadbalancer"]
    assert OCTAVIA_TIME.match(shown["updated_at"])
    listing = api.get("/lbaas/loadbalancers").json()
    assert listing["loadbalancers_links"] == [] and listing["loadbalancers"][0]["id"] == body["id"]
    assert Api(empty_cloud, conn, "v2.0").get(f"/lbaas/loadbalancers/{body['id']}").status_code == 200


def test_listener_pool_member_monitor_crud(empty_cloud: DemoCloud, conn: Any) -> None:
    _, subnet_id = tenant_network(conn)
    lbs = conn.load_balancer
    with instant(empty_cloud):
        lb = lbs.create_load_balancer(name="web", vip_subnet_id=subnet_id)
        listener = lbs.create_listener(name="web_listener", protocol="HTTP", protocol_port=80,
                                       load_balancer_id=lb.id)
        assert listener.connection_limit == -1 and listener.timeout_client_data == 50000
        pool = lbs.create_pool(name="web_pool", lb_algorithm="ROUND_ROBIN", listener_id=listener.id,
                               protocol="HTTP")
        assert lbs.get_listener(listener.id).default_pool_id == pool.id
        member = lbs.create_member(pool, address="10.0.0.20", protocol_port=80, subnet_id=subnet_id,
                                   weight=5)
        assert (member.weight, member.backup, member.operating_status) == (5, False, "NO_MONITOR")
        hm = lbs.create_health_monitor(pool_id=pool.id, type="HTTP", delay=3, timeout=3, max_retries=3)
        assert (hm.http_method, hm.url_path, hm.expected_codes, hm.max_retries_down) == ("GET", "/", "200", 3)

        assert [m.address for m in lbs.members(pool)] == ["10.0.0.20"]
        numeric = conn.load_balancer.post(f"/lbaas/pools/{pool.id}/members",
                                          json={"member": {"address": 5, "protocol_port": 81}})
        assert numeric.status_code == 400 and "IPv4 or IPv6" in numeric.text  # not stored as 0.0.0.5
        assert lbs.get_pool(pool.id).health_monitor_id == hm.id
        assert lbs.get_load_balancer(lb.id).listeners == [{"id": listener.id}]
        assert [x.id for x in lbs.health_monitors()] == [hm.id]

        assert lbs.update_listener(listener, connection_limit=100).connection_limit == 100
        assert lbs.update_pool(pool, lb_algorithm="SOURCE_IP").lb_algorithm == "SOURCE_IP"
        assert lbs.update_member(member, pool, weight=0, admin_state_up=False).weight == 0
        assert lbs.get_member(member, pool).operating_status == "OFFLINE"
        assert lbs.update_health_monitor(hm, delay=5, url_path="/health").url_path == "/health"

        lbs.delete_health_monitor(hm)
        lbs.delete_member(member, pool)
        lbs.delete_pool(pool)
        lbs.delete_listener(listener)
        lbs.delete_load_balancer(lb)
    api = Api(empty_cloud, conn)
    for path in (f"/lbaas/healthmonitors/{hm.id}", f"/lbaas/pools/{pool.id}",
                 f"/lbaas/listeners/{listener.id}",
                 f"/lbaas/loadbalancers/{lb.id}"):
        assert api.get(path).status_code == 404


def test_cascade_delete_removes_everything_and_the_vip_port(empty_cloud: DemoCloud, conn: Any) -> None:
    _, subnet_id = tenant_network(conn)
    api = Api(empty_cloud, conn)
    with instant(empty_cloud):
        stack = build_stack(api, subnet_id)
    refused = api.delete(f"/lbaas/loadbalancers/{stack.lb['id']}")
    assert refused.status_code == 400
    assert refused.json()["faultstring"] == (f"Validation failure: Cannot delete Load Balancer "
                                             f"{stack.lb['id']} - it has children")
    conn.load_balancer.delete_load_balancer(stack.lb["id"], cascade=True)
    assert api.status(f"/lbaas/pools/{stack.pool['id']}") == "PENDING_DELETE"
    wait_for(lambda: api.get(f"/lbaas/loadbalancers/{stack.lb['id']}").status_code == 404, what="LB gone")
    for path in ("/lbaas/listeners", "/lbaas/pools", "/lbaas/healthmonitors"):
        assert next(iter(api.get(path).json().values())) == []
    assert conn.network.find_port(stack.lb["vip_port_id"]) is None


def test_vip_by_network_and_by_user_port(empty_cloud: DemoCloud, conn: Any) -> None:
    net_id, subnet_id = tenant_network(conn)
    with instant(empty_cloud):
        # the chosen addresses first: the others are allocated at random and could take them
        chosen = conn.load_balancer.create_load_balancer(name="d", vip_network_id=net_id,
                                                         vip_address="10.0.0.66")
        assert (chosen.vip_subnet_id, chosen.vip_address) == (subnet_id, "10.0.0.66")
        taken = Api(empty_cloud, conn).post("/lbaas/loadbalancers", {"loadbalancer": {
            "vip_subnet_id": subnet_id, "vip_address": "10.0.0.66"}})
        assert taken.status_code == 409 and taken.json()["faultstring"]
        fixed = conn.load_balancer.create_load_balancer(name="c", vip_subnet_id=subnet_id,
                                                        vip_address="10.0.0.77")
        assert fixed.vip_address == "10.0.0.77"
        by_net = conn.load_balancer.create_load_balancer(name="a", vip_network_id=net_id)
        assert by_net.vip_subnet_id == subnet_id and by_net.vip_address
        own = conn.network.create_port(network_id=net_id, name="mine")
        on_port = conn.load_balancer.create_load_balancer(name="b", vip_port_id=own.id)
        assert on_port.vip_port_id == own.id and on_port.vip_address == own.fixed_ips[0]["ip_address"]
        conn.load_balancer.delete_load_balancer(on_port)
    wait_for(lambda: conn.load_balancer.find_load_balancer("b") is None, what="b deleted")
    assert conn.network.get_port(own.id).name == "mine"


def test_member_batch_update_replaces_the_set(empty_cloud: DemoCloud, conn: Any) -> None:
    _, subnet_id = tenant_network(conn)
    api = Api(empty_cloud, conn)
    with instant(empty_cloud):
        stack = build_stack(api, subnet_id, monitor=False)
        path = f"/lbaas/pools/{stack.pool['id']}/members"
        batch = api.client.put(api.base + path, json={"members": [
            {"address": "10.0.0.21", "protocol_port": 80, "weight": 7},
            {"address": "10.0.0.30", "protocol_port": 8080}]})
        assert batch.status_code == 202
        members = {m["address"]: m for m in api.get(path).json()["members"]}
    assert set(members) == {"10.0.0.21", "10.0.0.30"}
    assert members["10.0.0.21"]["id"] == stack.members[1]["id"] and members["10.0.0.21"]["weight"] == 7
    assert members["10.0.0.30"]["protocol_port"] == 8080
