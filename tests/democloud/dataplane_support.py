"""Shared by the data plane tests: a seeded cloud with fast monitors, endpoints read from the cloud's list."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import httpx

from tests.waiting import wait_for

#: monitor delay/timeout scale: the seed's delay 3 s becomes 0.3 s
SCALE = 0.1
TITLE = re.compile(r"<title>([^<]*)</title>")


def endpoints(conn: Any) -> list[dict[str, Any]]:
    """`GET /democloud/endpoints` as `conn`'s user, at the URL its clouds.yaml entry names."""
    resp = httpx.get(conn.config.config["democloud_endpoints"], headers={"X-Auth-Token": conn.session.get_token()})
    assert resp.status_code == 200, resp.text
    return list(resp.json()["endpoints"])


def endpoint_of(conn: Any, resource: str, ident: str) -> str | None:
    """The `addr:port` the data plane bound for a floating IP, port or listener, as a client must learn it:
    from the cloud's endpoint list (None: not served)."""
    found = [e["endpoints"][0] for e in endpoints(conn) if (e["resource"], e["id"]) == (resource, ident)]
    return found[0] if found else None


def served_by(resp: httpx.Response) -> str:
    match = TITLE.search(resp.text)
    assert resp.status_code == 200 and match, (resp.status_code, resp.text)
    return match.group(1)


def answer(url: str, **client: Any) -> str | None:
    """Which server answers `url` (None: connection refused or closed)."""
    try:
        with httpx.Client(timeout=5, **client) as http:
            return served_by(http.get(url))
    except httpx.TransportError:
        return None


def spread(url: str, count: int, **client: Any) -> Counter[str]:
    with httpx.Client(timeout=5, **client) as http:
        return Counter(served_by(http.get(url)) for _ in range(count))


def source(address: str) -> dict[str, Any]:
    """httpx client options for requests from a given local loopback address."""
    return {"transport": httpx.HTTPTransport(local_address=address)}


class Web:
    """The seed's `web` load balancer, seen through openstacksdk."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        lbs = conn.load_balancer
        self.lb = lbs.find_load_balancer("web")
        self.listener = lbs.find_listener("web_listener")
        self.pool = lbs.find_pool("web_pool")
        (self.fip,) = conn.network.ips(port_id=self.lb.vip_port_id)

    @property
    def url(self) -> str:
        endpoint = endpoint_of(self.conn, "floatingip", self.fip.id)
        assert endpoint is not None, endpoints(self.conn)
        return f"http://{endpoint}/"

    def members(self) -> dict[str, Any]:
        """server name -> member, matched through the member's address."""
        owner = {a["addr"]: s.name for s in self.conn.compute.servers() for net in s.addresses.values()
                 for a in net}
        return {owner[m.address]: m for m in self.conn.load_balancer.members(self.pool.id)}

    def member_status(self, name: str) -> str:
        member = self.members()[name]
        return str(self.conn.load_balancer.get_member(member.id, self.pool.id).operating_status)

    def wait_active(self) -> None:
        wait_for(lambda: self.conn.load_balancer.get_load_balancer(self.lb.id).provisioning_status == "ACTIVE",
                 timeout=5, what="load balancer ACTIVE")

    def update_member(self, name: str, **attrs: Any) -> None:
        self.wait_active()
        self.conn.load_balancer.update_member(self.members()[name].id, self.pool.id, **attrs)

    def update_pool(self, **attrs: Any) -> None:
        self.wait_active()
        self.conn.load_balancer.update_pool(self.pool.id, **attrs)
