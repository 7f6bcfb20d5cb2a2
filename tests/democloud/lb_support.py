"""Shared by the Octavia tests: raw HTTP access with a token, a tenant network, a built load balancer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from netdash.democloud import DemoCloud
from tests.waiting import wait_for


class Api:
    """Octavia over plain HTTP, for what openstacksdk hides: status codes, error bodies, raw JSON."""

    def __init__(self, cloud: DemoCloud, conn: Any, version: str = "v2") -> None:
        self.base = f"{cloud.cloud.base_url}/load-balancer/{version}"
        self.client = httpx.Client(headers={"X-Auth-Token": conn.auth_token}, timeout=10)

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.client.get(self.base + path, params=params)

    def post(self, path: str, body: Any) -> httpx.Response:
        if isinstance(body, bytes | str):
            return self.client.post(self.base + path, content=body,
                                    headers={"Content-Type": "application/json"})
        return self.client.post(self.base + path, json=body)

    def put(self, path: str, body: Any) -> httpx.Response:
        return self.client.put(self.base + path, json=body)

    def delete(self, path: str, **params: Any) -> httpx.Response:
        return self.client.delete(self.base + path, params=params)

    def status(self, path: str) -> str:
        resp = self.get(path)
        if resp.status_code != 200:
            return "GONE"
        return str(next(iter(resp.json().values()))["provisioning_status"])

    def wait_active(self, path: str) -> None:
        wait_for(lambda: self.status(path) == "ACTIVE", timeout=5, what=f"{path} ACTIVE")


@contextmanager
def instant(cloud: DemoCloud) -> Iterator[None]:
    """Build fixtures with no provisioning delay, so only the steps under test wait."""
    saved = cloud.settings.provisioning_delay
    cloud.settings.provisioning_delay = 0.0
    try:
        yield
    finally:
        cloud.settings.provisioning_delay = saved


def tenant_network(conn: Any, name: str = "private", cidr: str = "10.0.0.0/24") -> tuple[str, str]:
    net = conn.network.create_network(name=name)
    subnet = conn.network.create_subnet(network_id=net.id, name=f"{name}_subnet", cidr=cidr, ip_version=4)
    return str(net.id), str(subnet.id)


@dataclass
class Stack:
    lb: dict[str, Any]
    listener: dict[str, Any]
    pool: dict[str, Any]
    members: list[dict[str, Any]]
    monitor: dict[str, Any] | None


def build_stack(api: Api, subnet_id: str, *, addresses: tuple[str, ...] = ("10.0.0.20", "10.0.0.21"),
                monitor: bool = True, name: str = "web") -> Stack:
    """LB -> HTTP:80 listener -> ROUND_ROBIN pool -> members (-> HTTP monitor); call inside `instant`."""
    lb = api.post("/lbaas/loadbalancers", {"loadbalancer": {"name": name, "vip_subnet_id": subnet_id}})
    assert lb.status_code == 201, lb.text
    lb_id = lb.json()["loadbalancer"]["id"]
    listener = api.post("/lbaas/listeners", {"listener": {"name": f"{name}_listener", "protocol": "HTTP",
                                                         "protocol_port": 80, "loadbalancer_id": lb_id}})
    assert listener.status_code == 201, listener.text
    listener_id = listener.json()["listener"]["id"]
    pool = api.post("/lbaas/pools", {"pool": {"name": f"{name}_pool", "protocol": "HTTP",
                                              "lb_algorithm": "ROUND_ROBIN", "listener_id": listener_id}})
    assert pool.status_code == 201, pool.text
    pool_id = pool.json()["pool"]["id"]
    members = []
    for address in addresses:
        member = api.post(f"/lbaas/pools/{pool_id}/members", {"member": {
            "address": address, "protocol_port": 80, "subnet_id": subnet_id}})
        assert member.status_code == 201, member.text
        members.append(member.json()["member"])
    hm = None
    if monitor:
        created = api.post("/lbaas/healthmonitors", {"healthmonitor": {
            "pool_id": pool_id, "type": "HTTP", "delay": 3, "timeout": 3, "max_retries": 3}})
        assert created.status_code == 201, created.text
        hm = created.json()["healthmonitor"]
    return Stack(api.get(f"/lbaas/loadbalancers/{lb_id}").json()["loadbalancer"], listener.json()["listener"],
                 api.get(f"/lbaas/pools/{pool_id}").json()["pool"], members, hm)

