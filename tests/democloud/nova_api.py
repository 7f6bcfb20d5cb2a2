"""Raw HTTP access to the embedded Nova/Glance/Neutron for the compute and image tests.

openstacksdk hides status codes, headers and error bodies; these tests need to see them.
"""

from __future__ import annotations

from typing import Any

import httpx

from netdash.democloud import DemoCloud

from ..waiting import wait_for


class Api:
    """One user's token and an httpx client pointed at the cloud's services."""

    def __init__(self, cloud: DemoCloud, user: str = "demo") -> None:
        self.cloud = cloud
        self.base = cloud.cloud.base_url
        body = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": user,
                            "domain": {"name": "Default"},
                            "password": cloud.password(user),
                        }
                    },
                },
                "scope": {"project": {"name": user, "domain": {"name": "Default"}}},
            }
        }
        resp = httpx.post(f"{cloud.auth_url}/auth/tokens", json=body)
        self.token = resp.headers["X-Subject-Token"]
        self.project_id = resp.json()["token"]["project"]["id"]
        self.user_id = resp.json()["token"]["user"]["id"]
        self.http = httpx.Client(base_url=self.base, headers={"X-Auth-Token": self.token}, timeout=10)

    def nova(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        version: str | None = "2.100",
        content: bytes | None = None,
        params: Any = None,
    ) -> httpx.Response:
        headers = {}
        if version is not None:
            headers = {"OpenStack-API-Version": f"compute {version}", "X-OpenStack-Nova-API-Version": version}
        return self.http.request(
            method, f"/compute/v2.1{path}", json=body, content=content, headers=headers, params=params
        )

    def neutron(self, method: str, path: str, body: Any = None, params: Any = None) -> httpx.Response:
        return self.http.request(method, f"/networking/v2.0{path}", json=body, params=params)

    def glance(self, method: str, path: str, params: Any = None) -> httpx.Response:
        return self.http.request(method, f"/image{path}", params=params)

    # --- shortcuts used by many tests -----------------------------------------------------------
    def image_id(self, name: str = "cirros-0.3.3-x86_64-disk") -> str:
        return str(self.glance("GET", "/v2/images", params={"name": name}).json()["images"][0]["id"])

    def network(self, name: str, cidr: str) -> tuple[str, str]:
        net = self.neutron("POST", "/networks", {"network": {"name": name}}).json()["network"]
        subnet = self.neutron(
            "POST",
            "/subnets",
            {"subnet": {"network_id": net["id"], "cidr": cidr, "ip_version": 4, "name": f"{name}-subnet"}},
        )
        assert subnet.status_code == 201, subnet.text
        return str(net["id"]), str(subnet.json()["subnet"]["id"])

    def port(self, network_id: str, name: str = "") -> dict[str, Any]:
        resp = self.neutron("POST", "/ports", {"port": {"network_id": network_id, "name": name}})
        assert resp.status_code == 201, resp.text
        return dict(resp.json()["port"])

    def boot(self, name: str, networks: Any = "none", **extra: Any) -> httpx.Response:
        spec = {"name": name, "imageRef": self.image_id(), "flavorRef": "1", "networks": networks, **extra}
        return self.nova("POST", "/servers", {"server": spec})

    def server(self, server_id: str) -> dict[str, Any]:
        resp = self.nova("GET", f"/servers/{server_id}")
        assert resp.status_code == 200, resp.text
        return dict(resp.json()["server"])

    def booted(self, name: str, networks: Any = "none", **extra: Any) -> str:
        """A new server's id, once it is ACTIVE."""
        resp = self.boot(name, networks, **extra)
        assert resp.status_code == 202, resp.text
        server_id = str(resp.json()["server"]["id"])
        self.active(server_id)
        return server_id

    def active(self, server_id: str) -> dict[str, Any]:
        """The server once it is ACTIVE (its addresses and groups show from then on, as on real Nova)."""
        return wait_for(lambda: (s := self.server(server_id))["status"] == "ACTIVE" and s, what=f"{server_id} ACTIVE")


def fault(resp: httpx.Response, name: str) -> str:
    """The message of a Nova fault body, asserting its shape."""
    body = resp.json()
    assert list(body) == [name], body
    assert body[name]["code"] == resp.status_code
    return str(body[name]["message"])
