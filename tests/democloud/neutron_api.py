"""Raw HTTP access to the embedded Neutron for tests that check exact status codes and bodies."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from netdash.democloud import DemoCloud


class Neutron:
    """One user's authenticated httpx client on `/networking/v2.0`."""

    def __init__(self, cloud: DemoCloud, user: str = "demo") -> None:
        self.cloud = cloud
        token = cloud.connection(user).auth_token
        self.http = httpx.Client(
            base_url=f"{cloud.cloud.base_url}/networking/v2.0", headers={"X-Auth-Token": token}, timeout=10
        )

    def call(
        self, method: str, path: str, body: Any = None, *, raw: bytes | None = None, params: Any = None
    ) -> httpx.Response:
        return self.http.request(method, path, json=body if raw is None else None, content=raw, params=params)

    def ok(self, method: str, path: str, body: Any = None, params: Any = None) -> Any:
        resp = self.call(method, path, body, params=params)
        assert resp.status_code < 300, resp.text
        return resp.json() if resp.content else None

    def create(self, resource: str, **attrs: Any) -> dict[str, Any]:
        collection = {
            "floatingip": "floatingips",
            "security_group": "security-groups",
            "security_group_rule": "security-group-rules",
            "rbac_policy": "rbac-policies",
        }.get(resource, resource + "s")
        return self.ok("POST", f"/{collection}", {resource: attrs})[resource]

    def error(self, resp: httpx.Response, status: int, kind: str) -> str:
        assert resp.status_code == status, resp.text
        error = resp.json()["NeutronError"]
        assert error["type"] == kind, error
        assert error["detail"] == ""
        return str(error["message"])

    def public(self) -> dict[str, Any]:
        return self.ok("GET", "/networks", params={"name": "public"})["networks"][0]

    def routed(self, cidr: str = "10.0.0.0/24", name: str = "private") -> tuple[dict[str, Any], ...]:
        """A network + subnet behind a router whose gateway is on `public` (the seed documents' layout)."""
        net = self.create("network", name=name)
        subnet = self.create("subnet", name=f"{name}_subnet", network_id=net["id"], cidr=cidr, ip_version=4)
        router = self.create(
            "router", name=f"{name}_router", external_gateway_info={"network_id": self.public()["id"]}
        )
        self.ok("PUT", f"/routers/{router['id']}/add_router_interface", {"subnet_id": subnet["id"]})
        return net, subnet, router


def address_not_held(held: Iterable[str]) -> str:
    """An address of 10.0.0.0/24 that none of `held` is: the cloud allocates addresses at random, so a test
    that needs one nothing holds cannot simply name one."""
    taken = set(held)
    return next(address for address in ("10.0.0.250", "10.0.0.251", "10.0.0.252") if address not in taken)
