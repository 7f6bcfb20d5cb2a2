"""Keystone v3 of the embedded cloud: discovery, password auth, catalog, validation, expiry, scoping."""

from __future__ import annotations

import httpx
import pytest

from netdash.democloud import DemoCloud, Settings


def password_body(user: str, password: str, project: str) -> dict:
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "domain": {"name": "Default"}, "password": password}}},
        "scope": {"project": {"name": project, "domain": {"name": "Default"}}}}}


def login(cloud: DemoCloud, user: str = "demo", project: str | None = None) -> httpx.Response:
    body = password_body(user, cloud.password(user), project or user)
    return httpx.post(f"{cloud.auth_url}/auth/tokens", json=body)


def test_version_document_is_what_keystoneauth_needs(empty_cloud: DemoCloud) -> None:
    doc = httpx.get(empty_cloud.auth_url).json()["version"]
    assert doc["id"].startswith("v3.") and doc["status"] == "stable"
    assert doc["links"][0]["href"] == f"{empty_cloud.auth_url}/"
    root = httpx.get(empty_cloud.auth_url.removesuffix("/v3"))
    assert root.status_code == 300 and root.json()["versions"]["values"][0]["id"] == doc["id"]


def test_password_auth_returns_a_scoped_token_and_a_full_catalog(empty_cloud: DemoCloud) -> None:
    resp = login(empty_cloud)
    assert resp.status_code == 201
    assert len(resp.headers["X-Subject-Token"]) > 100
    token = resp.json()["token"]
    assert token["project"]["name"] == "demo" and token["user"]["name"] == "demo"
    assert token["expires_at"].endswith("Z") and {r["name"] for r in token["roles"]} >= {"member", "reader"}
    catalog = {entry["type"]: entry for entry in token["catalog"]}
    assert set(catalog) == {"identity", "network", "compute", "image", "load-balancer"}
    for entry in catalog.values():
        assert {e["interface"] for e in entry["endpoints"]} == {"public", "internal", "admin"}
        assert all(e["region_id"] == "RegionOne" for e in entry["endpoints"])
    assert catalog["compute"]["endpoints"][0]["url"].endswith("/compute/v2.1")


def test_wrong_password_is_401_and_never_echoes_the_password(empty_cloud: DemoCloud) -> None:
    resp = httpx.post(f"{empty_cloud.auth_url}/auth/tokens",
                      json=password_body("demo", "not-the-password-xyz", "demo"))
    assert resp.status_code == 401
    assert resp.json()["error"]["title"] == "Unauthorized"
    assert "not-the-password-xyz" not in resp.text
    assert resp.headers["WWW-Authenticate"].startswith("Keystone uri=")


def test_a_user_cannot_scope_to_another_project(empty_cloud: DemoCloud) -> None:
    body = password_body("demo", empty_cloud.password("demo"), "alt_demo")
    assert httpx.post(f"{empty_cloud.auth_url}/auth/tokens", json=body).status_code == 401


@pytest.mark.parametrize("body", [b"{not json", b'{"auth": 3}', b'{"auth": {"identity": {}}}'])
def test_malformed_auth_bodies_are_400(empty_cloud: DemoCloud, body: bytes) -> None:
    resp = httpx.post(f"{empty_cloud.auth_url}/auth/tokens", content=body,
                      headers={"Content-Type": "application/json"})
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == 400


@pytest.mark.parametrize("path", ["/networking/v2.0/networks", "/compute/v2.1/servers",
                                  "/load-balancer/v2/lbaas/loadbalancers", "/image/v2/images",
                                  "/identity/v3/auth/projects"])
def test_every_service_checks_the_token(empty_cloud: DemoCloud, path: str) -> None:
    url = empty_cloud.cloud.base_url + path
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"X-Auth-Token": "gAAAAAforged"}).status_code == 401
    token = login(empty_cloud).headers["X-Subject-Token"]
    assert httpx.get(url, headers={"X-Auth-Token": token}).status_code == 200


def test_token_validation_and_revocation(empty_cloud: DemoCloud) -> None:
    # the caller is an admin: only an admin or the token's own user may validate or revoke it (Keystone's
    # policy; test_isolation.py has the refusals)
    token = login(empty_cloud, "admin").headers["X-Subject-Token"]
    other = login(empty_cloud, "alt_demo").headers["X-Subject-Token"]
    url = f"{empty_cloud.auth_url}/auth/tokens"
    checked = httpx.get(url, headers={"X-Auth-Token": token, "X-Subject-Token": other})
    assert checked.status_code == 200 and checked.json()["token"]["project"]["name"] == "alt_demo"
    assert httpx.get(url, headers={"X-Auth-Token": token, "X-Subject-Token": "bogus"}).status_code == 404
    assert httpx.delete(url, headers={"X-Auth-Token": token, "X-Subject-Token": other}).status_code == 204
    assert httpx.get(f"{empty_cloud.auth_url}/auth/projects", headers={"X-Auth-Token": other}).status_code == 401


def test_expired_tokens_are_refused_and_openstacksdk_reauthenticates(empty_cloud: DemoCloud) -> None:
    conn = empty_cloud.connection()
    project_id = conn.current_project_id
    token = conn.session.get_token()
    empty_cloud.cloud.identity.expire_all()
    url = f"{empty_cloud.auth_url}/auth/projects"
    assert httpx.get(url, headers={"X-Auth-Token": token}).status_code == 401
    # keystoneauth sees the 401, authenticates again and retries: the caller notices nothing.
    assert conn.identity.get_project(project_id).name == "demo"
    assert conn.session.get_token() != token


def test_short_token_lifetime_is_configurable(empty_cloud: DemoCloud) -> None:
    empty_cloud.settings.token_ttl = 120
    token = login(empty_cloud).json()["token"]
    from datetime import datetime

    issued = datetime.fromisoformat(token["issued_at"].replace("Z", "+00:00"))
    expires = datetime.fromisoformat(token["expires_at"].replace("Z", "+00:00"))
    assert round((expires - issued).total_seconds()) == 120


def test_projects_are_isolated_in_keystone(empty_cloud: DemoCloud) -> None:
    token = login(empty_cloud).headers["X-Subject-Token"]
    headers = {"X-Auth-Token": token}
    mine = httpx.get(f"{empty_cloud.auth_url}/auth/projects", headers=headers).json()["projects"]
    assert [p["name"] for p in mine] == ["demo", "invisible_to_admin"]  # devstack's: not alt_demo's
    alt = empty_cloud.cloud.identity.project_named("alt_demo")["id"]
    assert httpx.get(f"{empty_cloud.auth_url}/projects/{alt}", headers=headers).status_code == 404
    assert httpx.get(f"{empty_cloud.auth_url}/projects", headers=headers).status_code == 403


def test_odd_credentials_get_keystones_400_or_401_never_a_500() -> None:
    """A non-ASCII password works; a string where Keystone expects an object is its 400."""
    with DemoCloud(seed=False, settings=Settings(password="pässwörd-✓")) as cloud:
        assert login(cloud).status_code == 201
        url = f"{cloud.auth_url}/auth/tokens"
        wrong = password_body("demo", "wrong-päss", "demo")
        assert httpx.post(url, json=wrong).status_code == 401
        for body in (
            {"auth": {"identity": {"methods": ["token"], "token": "abc"}}},
            {"auth": {"identity": {"methods": ["password"], "password": {"user": {
                "name": "demo", "domain": "Default", "password": "x"}}}}},
            {"auth": {"identity": {"methods": ["password"], "password": {"user": {
                "name": "demo", "domain": {"name": "Default"}, "password": 5}}}}},
        ):
            answer = httpx.post(url, json=body)
            assert answer.status_code == 400, answer.text
            assert answer.json()["error"]["message"].startswith("Invalid input for field")


def test_auth_projects_lists_the_projects_a_user_has_a_role_on_as_devstack_grants_them(empty_cloud: DemoCloud) -> None:
    """devstack's accounts: demo on demo and invisible_to_admin, alt_demo on alt_demo, admin on admin and
    demo; a token may be scoped to each of them (and to no other), an unscoped one may ask too."""
    def listed(token: str) -> list[str]:
        resp = httpx.get(f"{empty_cloud.auth_url}/auth/projects", headers={"X-Auth-Token": token})
        assert resp.status_code == 200
        return sorted(p["name"] for p in resp.json()["projects"])

    expected = {"demo": ["demo", "invisible_to_admin"], "alt_demo": ["alt_demo"], "admin": ["admin", "demo"]}
    for user, projects in expected.items():
        assert listed(login(empty_cloud, user).headers["X-Subject-Token"]) == projects
    other = login(empty_cloud, "demo", "invisible_to_admin")
    assert other.status_code == 201 and other.json()["token"]["project"]["name"] == "invisible_to_admin"
    assert listed(other.headers["X-Subject-Token"]) == ["demo", "invisible_to_admin"]
    assert login(empty_cloud, "alt_demo", "invisible_to_admin").status_code == 401
    unscoped = httpx.post(f"{empty_cloud.auth_url}/auth/tokens", json={"auth": password_body(
        "demo", empty_cloud.password("demo"), "demo")["auth"] | {"scope": "unscoped"}})
    assert unscoped.status_code == 201 and "project" not in unscoped.json()["token"]
    assert listed(unscoped.headers["X-Subject-Token"]) == ["demo", "invisible_to_admin"]
    forged = {"X-Auth-Token": "gAAAAAforged"}
    assert httpx.get(f"{empty_cloud.auth_url}/auth/projects", headers=forged).status_code == 401
