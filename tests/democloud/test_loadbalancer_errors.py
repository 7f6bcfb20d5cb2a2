"""Octavia's answers to bad requests: always a 400/404 with WSME's fault body, never a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from netdash.democloud import DemoCloud
from tests.democloud.lb_support import Api, build_stack, instant, tenant_network

UNKNOWN = "61a803f8-126a-4b65-96f1-d2f4fb02f8ae"


def fault(resp: httpx.Response) -> tuple[int, str]:
    body = resp.json()
    assert set(body) == {"faultcode", "faultstring", "debuginfo"}, body
    return resp.status_code, body["faultstring"]


def test_version_document_and_authentication(empty_cloud: DemoCloud) -> None:
    base = f"{empty_cloud.cloud.base_url}/load-balancer"
    versions = httpx.get(f"{base}/").json()["versions"]
    assert versions[0]["id"] == "v2.0" and versions[-1]["status"] == "CURRENT"
    assert versions[0]["links"] == [{"href": f"{base}/v2", "rel": "self"}]
    denied = httpx.get(f"{base}/v2/lbaas/loadbalancers")
    assert denied.status_code == 401 and "x-openstack-request-id" not in denied.headers
    assert httpx.get(f"{base}/v2/lbaas/loadbalancers", headers={"X-Auth-Token": "bogus"}).status_code == 401


def test_unknown_ids_and_paths(empty_cloud: DemoCloud, conn: Any) -> None:
    api = Api(empty_cloud, conn)
    assert fault(api.get(f"/lbaas/loadbalancers/{UNKNOWN}")) == (404, f"Load Balancer {UNKNOWN} not found.")
    assert fault(api.get("/lbaas/loadbalancers/not-a-uuid")) == (404, "Load Balancer not-a-uuid not found.")
    assert fault(api.get(f"/lbaas/pools/{UNKNOWN}")) == (404, f"Pool {UNKNOWN} not found.")
    assert fault(api.get(f"/lbaas/listeners/{UNKNOWN}")) == (404, f"Listener {UNKNOWN} not found.")
    assert fault(api.get(f"/lbaas/healthmonitors/{UNKNOWN}"))[0] == 404
    assert fault(api.get("/lbaas/nothing"))[0] == 404
    assert fault(api.get("/lbaas/providers/amphora/nothing"))[0] == 404
    assert fault(api.put(f"/lbaas/loadbalancers/{UNKNOWN}", {"loadbalancer": {"name": "x"}}))[0] == 404
    assert [p["name"] for p in api.get("/lbaas/providers").json()["providers"]] == ["amphora", "octavia"]
    assert api.get("/lbaas/flavors").json() == {"flavors": [], "flavors_links": []}


@pytest.mark.parametrize(("path", "body", "message"), [
    ("/lbaas/loadbalancers", b'{"loadbalancer": {"name": "oops",', "Request is not in valid JSON format"),
    ("/lbaas/loadbalancers", b"", "Request is not in valid JSON format"),
    ("/lbaas/loadbalancers", [1, 2], "Request is not in valid JSON format"),
    ("/lbaas/loadbalancers", {"loadbalancer": {"name": "x"}},
     "Validation failure: VIP must contain one of: vip_port_id, vip_network_id, vip_subnet_id."),
    ("/lbaas/loadbalancers", {"loadbalancer": {"vip_subnet_id": "private_subnet"}},
     "Invalid input for field/attribute vip_subnet_id. Value: 'private_subnet'. Value should be UUID format"),
    ("/lbaas/loadbalancers", {"loadbalancer": {"vip_subnet_id": UNKNOWN}}, f"Subnet {UNKNOWN} not found."),
    ("/lbaas/loadbalancers", {"loadbalancer": {"vip_network_id": UNKNOWN}}, f"Network {UNKNOWN} not found."),
    ("/lbaas/loadbalancers", {"lb": {}}, "Unknown attribute for argument load_balancer: lb"),
    # as Octavia 19 words them (measured on realstack): WSME names the argument path of an unknown attribute,
    # and a value it cannot convert fails the whole argument (the body is the value)
    ("/lbaas/loadbalancers", {"loadbalancer": {"vip_subnet_id": UNKNOWN, "colour": "red"}},
     "Unknown attribute for argument load_balancer.loadbalancer: colour"),
    ("/lbaas/loadbalancers", {"loadbalancer": {"vip_subnet_id": UNKNOWN, "admin_state_up": "maybe"}},
     "Invalid input for field/attribute load_balancer. Value: "
     f"'{{'loadbalancer': {{'vip_subnet_id': '{UNKNOWN}', 'admin_state_up': 'maybe'}}}}'. "
     "Value not an unambiguous boolean: maybe"),
    ("/lbaas/loadbalancers", {"loadbalancer": {"vip_subnet_id": UNKNOWN, "name": 5}},
     "Invalid input for field/attribute name. Value: '5'. Value should be string"),
    ("/lbaas/loadbalancers", {"loadbalancer": "web"},
     "Invalid input for field/attribute loadbalancer. Value: 'web'. Value should be an object"),
    ("/lbaas/pools", {"pool": {"protocol": "HTTP", "listener_id": UNKNOWN}},
     "Invalid input for field/attribute lb_algorithm. Value: 'None'. Mandatory field missing."),
    ("/lbaas/listeners", {"listener": {"protocol": "HTTP", "protocol_port": 70000,
                                       "loadbalancer_id": UNKNOWN}},
     "Invalid input for field/attribute protocol_port. Value: '70000'. "
     "Value should be lower or equal to 65535"),
    ("/lbaas/listeners", {"listener": {"protocol": "HTTP", "protocol_port": "eighty",
                                       "loadbalancer_id": UNKNOWN}},
     "Invalid input for field/attribute listener_. Value: "
     f"'{{'listener': {{'protocol': 'HTTP', 'protocol_port': 'eighty', 'loadbalancer_id': '{UNKNOWN}'}}}}'. "
     "invalid literal for int() with base 10: 'eighty'"),
    ("/lbaas/healthmonitors", {"healthmonitor": {"pool_id": UNKNOWN, "type": "HTTP", "delay": 1,
                                                 "timeout": 1}},
     "Invalid input for field/attribute max_retries. Value: 'None'. Mandatory field missing."),
])
def test_malformed_bodies_are_400(empty_cloud: DemoCloud, conn: Any, path: str, body: Any,
                                  message: str) -> None:
    assert fault(Api(empty_cloud, conn).post(path, body)) == (400, message)


def test_malformed_children_and_updates(empty_cloud: DemoCloud, conn: Any) -> None:
    _, subnet_id = tenant_network(conn)
    api = Api(empty_cloud, conn)
    with instant(empty_cloud):
        stack = build_stack(api, subnet_id)
    members = f"/lbaas/pools/{stack.pool['id']}/members"
    cases: list[tuple[str, str, Any, int]] = [
        ("POST", members, {"member": {"address": "not-an-ip", "protocol_port": 80}}, 400),
        ("POST", members, {"member": {"address": "10.0.0.30", "protocol_port": 80, "weight": 257}}, 400),
        ("POST", members, {"member": {"address": "10.0.0.30", "protocol_port": 80,
                                      "subnet_id": UNKNOWN}}, 400),
        ("PUT", f"{members}/{stack.members[0]['id']}", {"member": {"address": "10.0.0.99"}}, 400),
        ("PUT", f"/lbaas/loadbalancers/{stack.lb['id']}", {"loadbalancer": {"vip_address": "10.0.0.1"}}, 400),
        ("PUT", f"/lbaas/listeners/{stack.listener['id']}", {"listener": {"connection_limit": -5}}, 400),
        ("PUT", f"/lbaas/listeners/{stack.listener['id']}",
         {"listener": {"insert_headers": {"X-Bad": "1"}}}, 400),
        ("PUT", f"/lbaas/pools/{stack.pool['id']}", "{not json", 400),
        ("POST", "/lbaas/listeners", {"listener": {"protocol": "TERMINATED_HTTPS", "protocol_port": 443,
                                                   "loadbalancer_id": stack.lb["id"]}}, 400),
        ("POST", "/lbaas/listeners", {"listener": {"protocol": "HTTP", "protocol_port": 81,
                                                   "loadbalancer_id": UNKNOWN}}, 404),
        ("POST", "/lbaas/healthmonitors", {"healthmonitor": {"pool_id": UNKNOWN, "type": "HTTP", "delay": 1,
                                                             "timeout": 1, "max_retries": 1}}, 404),
        ("PUT", f"/lbaas/healthmonitors/{stack.monitor['id'] if stack.monitor else ''}",
         {"healthmonitor": {"expected_codes": "abc"}}, 400),
    ]
    for method, path, body, status in cases:
        if isinstance(body, str):
            resp = api.client.request(method, api.base + path, content=body)
        else:
            resp = api.client.request(method, api.base + path, json=body)
        assert fault(resp)[0] == status, (method, path, body, resp.text)
