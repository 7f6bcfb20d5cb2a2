"""The provisioning state machine and the rules Octavia enforces with 409s and 400s."""

from __future__ import annotations

from typing import Any

import httpx

from netdash.democloud import DemoCloud
from tests.democloud.lb_support import Api, build_stack, instant, tenant_network


def immutable(lb_id: str) -> str:
    return f"Load Balancer {lb_id} is immutable and cannot be updated."


def refused(resp: httpx.Response) -> tuple[int, str]:
    return resp.status_code, resp.json()["faultstring"]


def listener_body(lb_id: str, port: int = 80, protocol: str = "HTTP") -> dict[str, Any]:
    return {"listener": {"name": "l", "protocol": protocol, "protocol_port": port, "loadbalancer_id": lb_id}}


def test_each_change_locks_the_load_balancer_until_it_settles(empty_cloud: DemoCloud, conn: Any) -> None:
    _, subnet_id = tenant_network(conn)
    api = Api(empty_cloud, conn)
    lb = api.post("/lbaas/loadbalancers", {"loadbalancer": {"name": "web", "vip_subnet_id": subnet_id}})
    lb_id = lb.json()["loadbalancer"]["id"]
    lb_path = f"/lbaas/loadbalancers/{lb_id}"
    assert refused(api.post("/lbaas/listeners", listener_body(lb_id))) == (409, immutable(lb_id))
    api.wait_active(lb_path)

    listener = api.post("/lbaas/listeners", listener_body(lb_id)).json()["listener"]
    assert listener["provisioning_status"] == "PENDING_CREATE" and listener["updated_at"] is None
    assert api.status(lb_path) == "PENDING_UPDATE"
    api.wait_active(lb_path)
    assert api.status(f"/lbaas/listeners/{listener['id']}") == "ACTIVE"

    pool = api.post("/lbaas/pools", {"pool": {"name": "p", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN",
                                              "listener_id": listener["id"]}}).json()["pool"]
    pool_path = f"/lbaas/pools/{pool['id']}"
    assert api.status(f"/lbaas/listeners/{listener['id']}") == "PENDING_UPDATE"
    api.wait_active(lb_path)
    member = api.post(f"{pool_path}/members", {"member": {"address": "10.0.0.9", "protocol_port": 80}})
    assert member.status_code == 201 and api.status(pool_path) == "PENDING_UPDATE"
    api.wait_active(lb_path)

    first = api.put(pool_path, {"pool": {"lb_algorithm": "LEAST_CONNECTIONS"}})
    assert first.status_code == 200 and first.json()["pool"]["provisioning_status"] == "PENDING_UPDATE"
    again = api.put(pool_path, {"pool": {"lb_algorithm": "SOURCE_IP"}})
    assert again.status_code == 409
    assert again.json() == {"faultcode": "Client", "faultstring": immutable(lb_id), "debuginfo": None}
    assert api.delete(lb_path, cascade="true").status_code == 409
    api.wait_active(lb_path)
    assert api.get(pool_path).json()["pool"]["lb_algorithm"] == "LEAST_CONNECTIONS"

    member_path = f"{pool_path}/members/{member.json()['member']['id']}"
    assert api.delete(member_path).status_code == 204
    assert api.status(member_path) == "PENDING_DELETE"
    api.wait_active(lb_path)
    assert api.get(f"{pool_path}/members").json()["members"] == []


def test_duplicates_are_conflicts(empty_cloud: DemoCloud, conn: Any) -> None:
    _, subnet_id = tenant_network(conn)
    api = Api(empty_cloud, conn)
    with instant(empty_cloud):
        stack = build_stack(api, subnet_id)
        lb_id, pool_id = stack.lb["id"], stack.pool["id"]
        assert refused(api.post("/lbaas/listeners", listener_body(lb_id))) == (
            409, "Another Listener on this Load Balancer is already using protocol HTTP and protocol_port 80")
        assert api.post("/lbaas/listeners", listener_body(lb_id, 80, "UDP")).status_code == 201
        member = api.post(f"/lbaas/pools/{pool_id}/members", {"member": {"address": "10.0.0.20",
                                                                         "protocol_port": 80}})
        assert refused(member) == (
            409, "Another member on this pool is already using ip 10.0.0.20 on protocol_port 80")
        hm = api.post("/lbaas/healthmonitors", {"healthmonitor": {
            "pool_id": pool_id, "type": "TCP", "delay": 1, "timeout": 1, "max_retries": 1}})
        assert refused(hm) == (409, "This pool already has a health monitor")
        second = api.post("/lbaas/pools", {"pool": {"protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN",
                                                    "listener_id": stack.listener["id"]}})
        assert refused(second) == (409, "This listener already has a default pool")


def test_pool_rules(empty_cloud: DemoCloud, conn: Any) -> None:
    _, subnet_id = tenant_network(conn)
    api = Api(empty_cloud, conn)
    with instant(empty_cloud):
        stack = build_stack(api, subnet_id, monitor=False)
        lb_id, pool_path = stack.lb["id"], f"/lbaas/pools/{stack.pool['id']}"
        assert refused(api.put(pool_path, {"pool": {"lb_algorithm": "NOT_AN_ALGORITHM"}})) == (
            400, "Invalid input for field/attribute lb_algorithm. Value: 'NOT_AN_ALGORITHM'. Value should be "
                 "one of: LEAST_CONNECTIONS, SOURCE_IP, SOURCE_IP_PORT, ROUND_ROBIN")
        ok = api.put(pool_path, {"pool": {"lb_algorithm": "SOURCE_IP_PORT"}})
        assert ok.status_code == 200 and ok.json()["pool"]["lb_algorithm"] == "SOURCE_IP_PORT"
        orphan = api.post("/lbaas/pools", {"pool": {"protocol": "TCP", "lb_algorithm": "SOURCE_IP"}})
        assert refused(orphan) == (
            400, "Validation failure: Must provide at least one of: loadbalancer_id, listener_id")
        mismatch = api.post("/lbaas/pools", {"pool": {"protocol": "UDP", "lb_algorithm": "SOURCE_IP",
                                                      "listener_id": stack.listener["id"]}})
        assert refused(mismatch) == (400, "Validation failure: The pool protocol 'UDP' is invalid while the "
                                          "listener protocol is 'HTTP'.")
        spare = api.post("/lbaas/pools", {"pool": {
            "name": "spare", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "loadbalancer_id": lb_id,
            "session_persistence": {"type": "HTTP_COOKIE"}}}).json()["pool"]
        assert spare["listeners"] == [] and spare["session_persistence"]["type"] == "HTTP_COOKIE"
        moved = api.put(f"/lbaas/listeners/{stack.listener['id']}",
                        {"listener": {"default_pool_id": spare["id"]}})
        assert moved.json()["listener"]["default_pool_id"] == spare["id"]
        assert api.get(f"/lbaas/pools/{spare['id']}").json()["pool"]["listeners"] == [
            {"id": stack.listener["id"]}]
        assert api.get(pool_path).json()["pool"]["listeners"] == []
        cookie = api.post("/lbaas/pools", {"pool": {"protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN",
                                                    "loadbalancer_id": lb_id,
                                                    "session_persistence": {"type": "APP_COOKIE"}}})
        assert cookie.status_code == 400


def test_health_monitor_rules(empty_cloud: DemoCloud, conn: Any) -> None:
    _, subnet_id = tenant_network(conn)
    api = Api(empty_cloud, conn)
    with instant(empty_cloud):
        stack = build_stack(api, subnet_id, monitor=False)
        base = {"pool_id": stack.pool["id"], "delay": 3, "timeout": 3, "max_retries": 3}
        cases = [
            ({"type": "TCP", "url_path": "/x"},
             "url_path is not a valid option for health monitors of type TCP"),
            ({"type": "HTTP", "max_retries": 11},
             "Invalid input for field/attribute max_retries. Value: '11'. "
             "Value should be lower or equal to 10"),
            ({"type": "BOGUS"}, "Invalid input for field/attribute type. Value: 'BOGUS'. Value should be one "
                                "of: HTTP, HTTPS, PING, TCP, TLS-HELLO, UDP-CONNECT, SCTP"),
            ({"type": "UDP-CONNECT"},
             "Validation failure: The UDP-CONNECT type is only supported for pools of type UDP."),
        ]
        for extra, message in cases:
            assert refused(api.post("/lbaas/healthmonitors", {"healthmonitor": {**base, **extra}})) == (
                400, message)
        tcp = api.post("/lbaas/healthmonitors", {"healthmonitor": {**base, "type": "TCP"}})
        hm = tcp.json()["healthmonitor"]
        assert (hm["http_method"], hm["url_path"], hm["expected_codes"]) == (None, None, None)
        cleared = api.put(f"/lbaas/healthmonitors/{hm['id']}", {"healthmonitor": {"max_retries_down": None}})
        assert cleared.json()["healthmonitor"]["max_retries_down"] == 3
