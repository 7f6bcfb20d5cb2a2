"""The status tree, operating status aggregation, statistics, failover, and the Python read API."""

from __future__ import annotations

from typing import Any

from netdash.democloud import DemoCloud
from tests.democloud.lb_support import Api, build_stack, instant, tenant_network
from tests.democloud.neutron_api import address_not_held


def tree(api: Api, lb_id: str) -> dict[str, Any]:
    resp = api.get(f"/lbaas/loadbalancers/{lb_id}/status")
    assert resp.status_code == 200
    return dict(resp.json()["statuses"]["loadbalancer"])


def test_status_tree_shape(empty_cloud: DemoCloud, conn: Any) -> None:
    _, subnet_id = tenant_network(conn)
    api = Api(empty_cloud, conn, "v2.0")
    with instant(empty_cloud):
        stack = build_stack(api, subnet_id)
    assert stack.monitor is not None
    lb = tree(api, stack.lb["id"])
    assert list(lb) == ["id", "name", "operating_status", "provisioning_status", "listeners"]
    (listener,) = lb["listeners"]
    assert list(listener) == ["id", "name", "operating_status", "provisioning_status", "pools"]
    (pool,) = listener["pools"]
    assert list(pool) == ["id", "name", "provisioning_status", "operating_status", "health_monitor",
                          "members"]
    assert pool["health_monitor"] == {"id": stack.monitor["id"], "name": "", "type": "HTTP",
                                      "provisioning_status": "ACTIVE", "operating_status": "ONLINE"}
    assert [list(m) for m in pool["members"]] == [["id", "name", "operating_status", "provisioning_status",
                                                   "address", "protocol_port"]] * 2
    raw = conn.load_balancer.get(f"/lbaas/loadbalancers/{stack.lb['id']}/status").json()
    assert raw["statuses"]["loadbalancer"]["id"] == stack.lb["id"]


def test_operating_status_aggregates_member_health(empty_cloud: DemoCloud, conn: Any) -> None:
    _, subnet_id = tenant_network(conn)
    api = Api(empty_cloud, conn)
    octavia = empty_cloud.cloud.services["load-balancer"]
    with instant(empty_cloud):
        stack = build_stack(api, subnet_id, monitor=False)
        first, second = (m["id"] for m in stack.members)

        def statuses() -> tuple[str, str, list[str]]:
            lb = tree(api, stack.lb["id"])
            pool = lb["listeners"][0]["pools"][0]
            members = [m["operating_status"] for m in pool["members"]]
            return lb["operating_status"], pool["operating_status"], members

        assert statuses() == ("ONLINE", "ONLINE", ["NO_MONITOR", "NO_MONITOR"])
        api.post("/lbaas/healthmonitors", {"healthmonitor": {"pool_id": stack.pool["id"], "type": "HTTP",
                                                             "delay": 3, "timeout": 3, "max_retries": 3}})
        # No servers behind these addresses: the default health check fails them.
        assert statuses() == ("ERROR", "ERROR", ["ERROR", "ERROR"])
        octavia.member_health = lambda member: "ONLINE"
        assert statuses() == ("ONLINE", "ONLINE", ["ONLINE", "ONLINE"])
        octavia.set_member_health(second, "ERROR")
        assert statuses() == ("DEGRADED", "DEGRADED", ["ONLINE", "ERROR"])
        api.put(f"/lbaas/pools/{stack.pool['id']}/members/{second}", {"member": {"admin_state_up": False}})
        assert statuses() == ("ONLINE", "ONLINE", ["ONLINE", "OFFLINE"])
        octavia.set_member_health(first, None)
        octavia.member_health = lambda member: "ERROR"
        assert statuses() == ("ERROR", "ERROR", ["ERROR", "OFFLINE"])
        api.put(f"/lbaas/listeners/{stack.listener['id']}", {"listener": {"admin_state_up": False}})
        lb = tree(api, stack.lb["id"])
        assert lb["listeners"][0]["operating_status"] == "OFFLINE"
        assert lb["listeners"][0]["pools"][0]["operating_status"] == "OFFLINE"


def test_member_on_a_running_server_is_online(empty_cloud: DemoCloud, conn: Any) -> None:
    """The default health check: a member is ONLINE when its address is an ACTIVE server's port."""
    network = empty_cloud.cloud.services["network"]
    compute = empty_cloud.cloud.services["compute"]
    net_id, subnet_id = tenant_network(conn)
    api = Api(empty_cloud, conn)
    image = next(iter(conn.image.images()))
    flavor = next(iter(conn.compute.flavors()))
    server = conn.compute.create_server(name="web1", image_id=image.id, flavor_id=flavor.id,
                                        networks=[{"uuid": net_id}])
    conn.compute.wait_for_server(server, interval=0.05, wait=5)
    (port,) = conn.network.ports(device_id=server.id)
    address = port.fixed_ips[0]["ip_address"]
    assert network.port_with_ip(address, subnet_id=subnet_id)["device_id"] == server.id
    assert compute.server_status(server.id) == "ACTIVE"
    nobody = address_not_held([address])
    with instant(empty_cloud):
        stack = build_stack(api, subnet_id, addresses=(address, nobody))
    members = {m["address"]: m["operating_status"] for m in
               api.get(f"/lbaas/pools/{stack.pool['id']}/members").json()["members"]}
    assert members == {address: "ONLINE", nobody: "ERROR"}
    assert tree(api, stack.lb["id"])["operating_status"] == "DEGRADED"


def test_read_api_stats_and_failover(empty_cloud: DemoCloud, conn: Any, admin_conn: Any) -> None:
    _, subnet_id = tenant_network(conn)
    api, admin = Api(empty_cloud, conn), Api(empty_cloud, admin_conn)
    octavia = empty_cloud.cloud.services["load-balancer"]
    with instant(empty_cloud):
        stack = build_stack(api, subnet_id)
    (lb,) = octavia.load_balancers()
    assert lb["id"] == stack.lb["id"] and lb["vip_port_id"] == stack.lb["vip_port_id"]
    assert [li["protocol_port"] for li in octavia.listeners_of(lb["id"])] == [80]
    assert [p["lb_algorithm"] for p in octavia.pools_of(lb["id"])] == ["ROUND_ROBIN"]
    assert [m["address"] for m in octavia.members_of(stack.pool["id"])] == ["10.0.0.20", "10.0.0.21"]
    assert octavia.health_monitor_of(stack.pool["id"])["delay"] == 3

    octavia.record_listener_stats(stack.listener["id"], bytes_in=10, total_connections=2,
                                  active_connections=1)
    octavia.record_listener_stats(stack.listener["id"], bytes_in=5, total_connections=1, active_connections=0)
    stats = api.get(f"/lbaas/loadbalancers/{lb['id']}/stats").json()["stats"]
    assert stats == {"bytes_in": 15, "bytes_out": 0, "active_connections": 0, "total_connections": 3,
                     "request_errors": 0}
    assert api.get(f"/lbaas/listeners/{stack.listener['id']}/stats").json()["stats"]["bytes_in"] == 15

    assert api.put(f"/lbaas/loadbalancers/{lb['id']}/failover", {}).status_code == 403
    assert admin.put(f"/lbaas/loadbalancers/{lb['id']}/failover", {}).status_code == 202
    assert api.status(f"/lbaas/loadbalancers/{lb['id']}") == "PENDING_UPDATE"
