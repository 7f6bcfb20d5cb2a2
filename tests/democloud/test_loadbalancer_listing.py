"""Octavia listings: exact filters, fields, sorting, limit/marker paging, and project isolation."""

from __future__ import annotations

from typing import Any

from netdash.democloud import DemoCloud
from tests.democloud.lb_support import Api, build_stack, instant, tenant_network


def names(resp: Any, key: str = "loadbalancers") -> list[str]:
    return [item["name"] for item in resp.json()[key]]


def make_lbs(cloud: DemoCloud, api: Api, subnet_id: str, *lb_names: str) -> list[dict[str, Any]]:
    with instant(cloud):
        return [api.post("/lbaas/loadbalancers", {"loadbalancer": {"name": n, "vip_subnet_id": subnet_id,
                                                                   "tags": [n[0]]}}).json()["loadbalancer"]
                for n in lb_names]


def test_filters_are_exact_and_fields_project(empty_cloud: DemoCloud, conn: Any) -> None:
    _, subnet_id = tenant_network(conn)
    api = Api(empty_cloud, conn)
    lbs = make_lbs(empty_cloud, api, subnet_id, "web", "web2", "api")
    assert names(api.get("/lbaas/loadbalancers", name="web")) == ["web"]
    assert names(api.get("/lbaas/loadbalancers", id=lbs[2]["id"])) == ["api"]
    assert names(api.get("/lbaas/loadbalancers", name="we")) == []
    assert names(api.get("/lbaas/loadbalancers", provisioning_status="ACTIVE", admin_state_up="true")) == [
        "web", "web2", "api"]
    assert names(api.get("/lbaas/loadbalancers", vip_address=lbs[1]["vip_address"])) == ["web2"]
    assert names(api.get("/lbaas/loadbalancers", tags="w")) == ["web", "web2"]
    assert names(api.get("/lbaas/loadbalancers", **{"not-tags": "w"})) == ["api"]
    projected = api.get("/lbaas/loadbalancers", fields=["id", "name"]).json()["loadbalancers"]
    assert all(set(item) == {"id", "name"} for item in projected)
    assert names(api.get("/lbaas/loadbalancers", sort="name:desc")) == ["web2", "web", "api"]
    assert api.get("/lbaas/loadbalancers", sort="bogus:asc").status_code == 400
    found = conn.load_balancer.find_load_balancer("web")
    assert found is not None and found.id == lbs[0]["id"]


def test_pagination_with_limit_marker_and_links(empty_cloud: DemoCloud, conn: Any) -> None:
    _, subnet_id = tenant_network(conn)
    api = Api(empty_cloud, conn)
    make_lbs(empty_cloud, api, subnet_id, "a", "b", "c")
    first = api.get("/lbaas/loadbalancers", limit=2).json()
    assert [lb["name"] for lb in first["loadbalancers"]] == ["a", "b"]
    (link,) = first["loadbalancers_links"]
    assert link["rel"] == "next" and "marker=" in link["href"]
    second = api.client.get(link["href"]).json()
    assert [lb["name"] for lb in second["loadbalancers"]] == ["c"]
    assert [x["rel"] for x in second["loadbalancers_links"]] == ["previous"]
    assert [lb.name for lb in conn.load_balancer.load_balancers(limit=1)] == ["a", "b", "c"]
    bad = api.get("/lbaas/loadbalancers", marker="00000000-0000-0000-0000-000000000000")
    assert bad.status_code == 400 and "marker" in bad.json()["faultstring"]
    assert api.get("/lbaas/loadbalancers", limit="x").status_code == 400


def test_other_projects_objects_are_unlisted_and_forbidden(empty_cloud: DemoCloud, conn: Any, alt_conn: Any,
                                              admin_conn: Any) -> None:
    _, subnet_id = tenant_network(conn)
    api, alt = Api(empty_cloud, conn), Api(empty_cloud, alt_conn)
    with instant(empty_cloud):
        stack = build_stack(api, subnet_id)
    for path, key in (("/lbaas/loadbalancers", "loadbalancers"), ("/lbaas/listeners", "listeners"),
                      ("/lbaas/pools", "pools"), ("/lbaas/healthmonitors", "healthmonitors")):
        assert alt.get(path).json()[key] == []
    assert stack.monitor is not None
    for path, title, ident in (
            (f"/lbaas/loadbalancers/{stack.lb['id']}", "Load Balancer", stack.lb["id"]),
            (f"/lbaas/loadbalancers/{stack.lb['id']}/status", "Load Balancer", stack.lb["id"]),
            (f"/lbaas/listeners/{stack.listener['id']}", "Listener", stack.listener["id"]),
            (f"/lbaas/pools/{stack.pool['id']}", "Pool", stack.pool["id"]),
            (f"/lbaas/pools/{stack.pool['id']}/members", "Pool", stack.pool["id"]),
            (f"/lbaas/healthmonitors/{stack.monitor['id']}", "Health Monitor", stack.monitor["id"])):
        resp = alt.get(path)  # Octavia's owner-or-admin policy: the object exists, and is not yours
        assert resp.status_code == 403, (title, resp.text)
        assert resp.json()["faultstring"] == "Policy does not allow this request to be performed."
        assert ident not in resp.text
    assert alt.delete(f"/lbaas/loadbalancers/{stack.lb['id']}", cascade="true").status_code == 403
    stolen = alt.post("/lbaas/listeners", {"listener": {"protocol": "TCP", "protocol_port": 22,
                                                       "loadbalancer_id": stack.lb["id"]}})
    assert stolen.status_code == 403
    assert alt.get("/lbaas/loadbalancers", project_id=stack.lb["project_id"]).status_code == 403
    unknown = alt.get("/lbaas/loadbalancers/6d1e3f0a-5b7c-4e2d-9a8b-0c1d2e3f4a5b")
    assert unknown.status_code == 404
    foreign_subnet = alt.post("/lbaas/loadbalancers", {"loadbalancer": {"vip_subnet_id": subnet_id}})
    assert foreign_subnet.status_code == 400
    assert foreign_subnet.json()["faultstring"] == f"Subnet {subnet_id} not found."
    assert [lb.id for lb in admin_conn.load_balancer.load_balancers()] == [stack.lb["id"]]


def test_child_listings_filter_by_parent(empty_cloud: DemoCloud, conn: Any) -> None:
    _, subnet_id = tenant_network(conn)
    api = Api(empty_cloud, conn)
    with instant(empty_cloud):
        stack = build_stack(api, subnet_id, addresses=("10.0.0.20", "10.0.0.21", "10.0.0.22"))
        other = build_stack(api, subnet_id, name="other")
    assert other.monitor is not None
    assert names(api.get("/lbaas/listeners", loadbalancer_id=other.lb["id"]), "listeners") == ["other_listener"]
    assert names(api.get("/lbaas/pools", loadbalancer_id=stack.lb["id"]), "pools") == ["web_pool"]
    assert names(api.get("/lbaas/pools", listener_id=other.listener["id"]), "pools") == ["other_pool"]
    monitors = api.get("/lbaas/healthmonitors", pool_id=other.pool["id"]).json()["healthmonitors"]
    assert [hm["id"] for hm in monitors] == [other.monitor["id"]]
    path = f"/lbaas/pools/{stack.pool['id']}/members"
    assert [m["address"] for m in api.get(path, address="10.0.0.21").json()["members"]] == ["10.0.0.21"]
    page = api.get(path, limit=2).json()
    assert len(page["members"]) == 2 and page["members_links"][0]["rel"] == "next"
    missing = api.get(f"{path}/61a803f8-126a-4b65-96f1-d2f4fb02f8ae")
    assert missing.json()["faultstring"] == "Member 61a803f8-126a-4b65-96f1-d2f4fb02f8ae not found."
