"""L7 policies through the data plane: real HTTP through the seed's floating IP, routed, redirected and
refused as Octavia's haproxy configuration makes haproxy do (`dataplane/l7.py`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from netdash.democloud import DemoCloud, Settings
from tests.democloud.dataplane_support import SCALE, Web, spread


@pytest.fixture(scope="module")
def l7_cloud() -> Iterator[DemoCloud]:
    """One seeded cloud for the module: each test removes the policies it made."""
    settings = Settings(provisioning_delay=0.05, build_delay=0.1, monitor_time_scale=SCALE)
    with DemoCloud(seed=True, settings=settings) as cloud:
        yield cloud


def private_address(conn: Any, server: str) -> str:
    found = conn.compute.find_server(server, ignore_missing=False)
    return str(conn.compute.get_server(found.id).addresses["private"][0]["addr"])


def policy(web: Web, **attrs: Any) -> Any:
    web.wait_active()
    made = web.conn.load_balancer.create_l7_policy(listener_id=web.listener.id, **attrs)
    return made


def rule(web: Web, policy_id: str, **attrs: Any) -> Any:
    web.wait_active()
    return web.conn.load_balancer.create_l7_rule(l7_policy=policy_id, **attrs)


def remove(web: Web, *policies: Any) -> None:
    for made in policies:
        web.wait_active()
        web.conn.load_balancer.delete_l7_policy(made.id)
    web.wait_active()


def test_a_path_rule_routes_real_traffic_to_a_second_pool(l7_cloud: DemoCloud) -> None:
    web = Web(l7_cloud.connection())
    lbs = web.conn.load_balancer
    web.wait_active()
    api = lbs.create_pool(name="api_pool", loadbalancer_id=web.lb.id, protocol="HTTP", lb_algorithm="ROUND_ROBIN")
    web.wait_active()
    lbs.create_member(api.id, address=private_address(web.conn, "server2"), protocol_port=80)
    routed = policy(web, action="REDIRECT_TO_POOL", redirect_pool_id=api.id, name="api")
    rule(web, routed.id, type="PATH", compare_type="EQUAL_TO", value="/index.html")
    web.wait_active()
    try:
        assert spread(web.url + "index.html", 8) == Counter({"server2": 8})
        assert spread(web.url, 8) == Counter({"server1": 4, "server2": 4})  # the rest: the default pool
        # Octavia's view of it: the pool is used by the listener, and the status tree shows it there
        assert [li["id"] for li in lbs.get_pool(api.id).listeners] == [web.listener.id]
        octavia = f"{l7_cloud.cloud.load_balancer.url}/v2/lbaas"
        with httpx.Client(timeout=5, headers={"X-Auth-Token": web.conn.session.get_token()}) as http:
            tree = http.get(f"{octavia}/loadbalancers/{web.lb.id}/status").json()["statuses"]
            assert {p["id"] for p in tree["loadbalancer"]["listeners"][0]["pools"]} == {web.pool.id, api.id}
            refused = http.delete(f"{octavia}/pools/{api.id}")
        assert refused.status_code == 409 and routed.id in refused.json()["faultstring"]

        lbs.update_l7_policy(routed.id, admin_state_up=False)  # a disabled policy is not applied
        web.wait_active()
        assert set(spread(web.url + "index.html", 4)) == {"server1", "server2"}
    finally:
        remove(web, routed)
        lbs.delete_pool(api.id)
        web.wait_active()


def test_redirects_and_rejects_whatever_their_positions(l7_cloud: DemoCloud) -> None:
    web = Web(l7_cloud.connection())
    moved = policy(web, action="REDIRECT_TO_URL", redirect_url="http://example.com/moved", position=1)
    rule(web, moved.id, type="HOST_NAME", compare_type="ENDS_WITH", value=".OLD.example")  # `-i`: any case
    web.wait_active()  # openstacksdk's L7Policy has no redirect_http_code: sent as a client of the API would
    created = httpx.post(f"{l7_cloud.cloud.load_balancer.url}/v2/lbaas/l7policies", headers={
        "X-Auth-Token": web.conn.session.get_token()}, json={"l7policy": {
            "listener_id": web.listener.id, "action": "REDIRECT_PREFIX", "redirect_prefix": "https://secure.example",
            "redirect_http_code": 301}})
    assert created.status_code == 201, created.text
    old = web.conn.load_balancer.get_l7_policy(created.json()["l7policy"]["id"])
    rule(web, old.id, type="PATH", compare_type="STARTS_WITH", value="/old/")
    blocked = policy(web, action="REJECT", position=3)
    rule(web, blocked.id, type="HEADER", compare_type="EQUAL_TO", key="X-Block", value="yes")
    rule(web, blocked.id, type="COOKIE", compare_type="REGEX", key="session", value="^evil", invert=True)
    web.wait_active()
    try:
        positions = {p.id: p.position for p in web.conn.load_balancer.l7_policies(listener_id=web.listener.id)}
        assert positions == {moved.id: 1, old.id: 2, blocked.id: 3}
        with httpx.Client(timeout=5, follow_redirects=False) as http:
            url = web.url
            redirected = http.get(url, headers={"Host": "www.old.example"})
            assert redirected.status_code == 302 and redirected.headers["location"] == "http://example.com/moved"
            prefixed = http.get(url + "old/page?x=1")
            assert prefixed.status_code == 301
            assert prefixed.headers["location"] == "https://secure.example/old/page?x=1"
            # REJECT is haproxy's `http-request deny`: before any redirect, at position 3 or not
            denied = http.get(url, headers={"Host": "www.old.example", "X-Block": "yes"})
            assert denied.status_code == 403 and "Request forbidden" in denied.text
            # every rule of a policy must match: this cookie matches the inverted rule's regex
            let_through = http.get(url, headers={"X-Block": "yes", "Cookie": "a=1; session=evil-42"})
            assert let_through.status_code == 200
            assert http.get(url).status_code == 200  # nothing matched: the default pool
    finally:
        remove(web, moved, old, blocked)
