"""Trust in the embedded cloud: no valid token, no answer (401); project B never reads or changes A's.

The routes come from the services' own routers, so a route added later is swept too; the public ones
(the version documents and the token request, as on a real cloud) are named here, so a route that
becomes public by mistake fails.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from netdash.democloud import DemoCloud, Settings
from tests.waiting import wait_for

#: (service type, method, path template) that answer without a token, as Keystone and the version
#: documents of every real service do
PUBLIC = {
    ("identity", "GET", "/"), ("identity", "GET", "/v3"), ("identity", "POST", "/v3/auth/tokens"),
    ("network", "GET", "/"), ("network", "GET", "/v2.0"),
    ("compute", "GET", "/"), ("compute", "GET", "/v2.1"),
    ("image", "GET", "/"), ("image", "GET", "/versions"),
    ("load-balancer", "GET", "/"),
}
#: ... and those an unscoped token may use, as on Keystone: the projects it can then be scoped to
UNSCOPED = {("identity", "GET", "/v3/auth/projects")}


def template_of(pattern: str) -> str:
    text = pattern.removeprefix("^").removesuffix("/?$").replace("\\", "")
    return re.sub(r"\(\?P<(\w+)>\[\^/\]\+\)", r"{\1}", text) or "/"


def test_every_route_without_a_valid_token_is_401(empty_cloud: DemoCloud) -> None:
    cloud = empty_cloud.cloud
    conn = empty_cloud.connection()
    expired = conn.session.get_token()
    cloud.identity.expire_all()
    revoked = empty_cloud.connection().session.get_token()
    assert httpx.delete(cloud.auth_url + "/auth/tokens", headers={"X-Auth-Token": revoked,
                                                                  "X-Subject-Token": revoked}).status_code == 204
    unscoped = httpx.post(cloud.auth_url + "/auth/tokens", json={"auth": {"identity": {
        "methods": ["password"], "password": {"user": {"name": "demo", "domain": {"name": "Default"},
                                                       "password": empty_cloud.password()}}}}})
    assert unscoped.status_code == 201
    tokens: dict[str, dict[str, str]] = {
        "none": {}, "garbage": {"X-Auth-Token": "gAAAAAnot-a-token"}, "empty": {"X-Auth-Token": ""},
        "expired": {"X-Auth-Token": expired}, "revoked": {"X-Auth-Token": revoked},
        "unscoped": {"X-Auth-Token": unscoped.headers["X-Subject-Token"]},
    }
    public_seen: set[tuple[str, str, str]] = set()
    wrong: list[str] = []
    sent = 0
    with httpx.Client(base_url=cloud.base_url) as client:
        for service in cloud.services.values():
            for route in service.router.routes:
                template = template_of(route.pattern.pattern)
                key = (service.type, route.method, template)
                path = service.prefix + re.sub(r"\{\w+\}", "0b7e2f4c-1c37-4f0e-9a57-5d1d5c8a3f10", template)
                if key in PUBLIC:
                    public_seen.add(key)
                    continue
                for label, headers in tokens.items():
                    if label == "unscoped" and key in UNSCOPED:
                        continue
                    resp = client.request(route.method, path, headers=headers, content=b"{}")
                    sent += 1
                    if resp.status_code != 401:
                        wrong.append(f"{label}: {route.method} {path} -> {resp.status_code} {resp.text[:80]}")
                    elif "Traceback" in resp.text:
                        wrong.append(f"{label}: {route.method} {path} -> traceback")
    assert public_seen == PUBLIC
    assert sent > 800
    assert not wrong, f"{len(wrong)} of {sent}:\n" + "\n".join(wrong[:30])


# --- project isolation: alt_demo against what demo owns -----------------------------------------------
def token(cloud: DemoCloud, user: str) -> str:
    return str(cloud.connection(user).session.get_token())


def demo_resources(cloud: DemoCloud) -> dict[str, str]:
    """Paths (under the cloud's base URL) of one resource of each type the `demo` project owns."""
    conn = cloud.connection("demo")
    lb = conn.load_balancer.find_load_balancer("web")
    wait_for(lambda: conn.load_balancer.get_load_balancer(lb.id).provisioning_status == "ACTIVE",
             what="the seeded load balancer ACTIVE")
    pool = next(iter(conn.load_balancer.pools()))
    member = next(iter(conn.load_balancer.members(pool)))
    sg = next(iter(conn.network.security_groups(name="default")))
    keypair = conn.compute.create_keypair(name="demo-only-key")
    server = conn.compute.find_server("server1")
    net = "/networking/v2.0"
    lbaas = "/load-balancer/v2/lbaas"
    return {
        "network": f"{net}/networks/{conn.network.find_network('private').id}",
        "subnet": f"{net}/subnets/{conn.network.find_subnet('private_subnet').id}",
        "port": f"{net}/ports/{conn.network.find_port('server-1-port').id}",
        "router": f"{net}/routers/{conn.network.find_router('private_gateway').id}",
        "floatingip": f"{net}/floatingips/{next(iter(conn.network.ips())).id}",
        "security_group": f"{net}/security-groups/{sg.id}",
        "security_group_rule": f"{net}/security-group-rules/{sg.security_group_rules[0]['id']}",
        "server": f"/compute/v2.1/servers/{server.id}",
        "keypair": f"/compute/v2.1/os-keypairs/{keypair.name}",
        "loadbalancer": f"{lbaas}/loadbalancers/{lb.id}",
        "listener": f"{lbaas}/listeners/{next(iter(conn.load_balancer.listeners())).id}",
        "pool": f"{lbaas}/pools/{pool.id}",
        "member": f"{lbaas}/pools/{pool.id}/members/{member.id}",
        "healthmonitor": f"{lbaas}/healthmonitors/{next(iter(conn.load_balancer.health_monitors())).id}",
    }


#: a change each resource accepts from its owner (so a refusal to alt_demo is isolation, not validation)
UPDATES: dict[str, Any] = {
    "network": {"network": {"name": "stolen"}}, "subnet": {"subnet": {"name": "stolen"}},
    "port": {"port": {"name": "stolen"}}, "router": {"router": {"name": "stolen"}},
    "floatingip": {"floatingip": {"description": "stolen"}},
    "security_group": {"security_group": {"name": "stolen"}},
    "server": {"server": {"name": "stolen"}}, "loadbalancer": {"loadbalancer": {"name": "stolen"}},
    "listener": {"listener": {"name": "stolen"}}, "pool": {"pool": {"name": "stolen"}},
    "member": {"member": {"name": "stolen"}}, "healthmonitor": {"healthmonitor": {"name": "stolen"}},
}
#: what else a project could do to another's resource by id
ACTIONS: dict[str, list[tuple[str, str, Any]]] = {
    "server": [("POST", "/action", {"os-stop": None}), ("GET", "/os-interface", None),
               ("POST", "/os-interface", {"interfaceAttachment": {}})],
    "router": [("PUT", "/add_router_interface", {"subnet_id": "x"}),
               ("PUT", "/remove_router_interface", {"subnet_id": "x"})],
    "loadbalancer": [("GET", "/status", None), ("GET", "/stats", None), ("PUT", "/failover", None)],
    "listener": [("GET", "/stats", None)],
    "pool": [("GET", "/members", None), ("POST", "/members", {"member": {"address": "10.0.0.9",
                                                                          "protocol_port": 80}})],
}
OCTAVIA_KINDS = frozenset({"loadbalancer", "listener", "pool", "member", "healthmonitor"})
COLLECTION_KEYS = {"security_group": "security_groups", "security_group_rule": "security_group_rules",
                   "floatingip": "floatingips", "keypair": "keypairs"}


@pytest.fixture(scope="module")
def demo_owned() -> Any:
    """One seeded cloud for every resource type: alt_demo changes nothing (or the test fails anyway)."""
    with DemoCloud(seed=True, settings=Settings(provisioning_delay=0.2, build_delay=0.1)) as cloud:
        yield cloud, demo_resources(cloud), token(cloud, "demo"), token(cloud, "alt_demo")


@pytest.mark.parametrize("kind", ["network", "subnet", "port", "router", "floatingip", "security_group",
                                  "security_group_rule", "server", "keypair", "loadbalancer", "listener",
                                  "pool", "member", "healthmonitor"])
def test_another_project_never_reads_or_changes_a_resource(demo_owned: Any, kind: str) -> None:
    cloud, paths, owner_token, other_token = demo_owned
    path = paths[kind]
    owner = {"X-Auth-Token": owner_token}
    other = {"X-Auth-Token": other_token}
    with httpx.Client(base_url=cloud.cloud.base_url, timeout=10) as client:
        before = client.get(path, headers=owner)
        assert before.status_code == 200, before.text

        answers = {"show": client.get(path, headers=other)}
        if kind in UPDATES:
            answers["update"] = client.put(path, headers=other, json=UPDATES[kind])
        for method, suffix, body in ACTIONS.get(kind, []):
            answers[f"{method} {suffix}"] = client.request(method, path + suffix, headers=other, json=body)
        answers["delete"] = client.delete(path, headers=other)
        # Octavia's owner-or-admin policy answers 403 for an object that exists; the others say 404
        refusal = 403 if kind in OCTAVIA_KINDS else 404
        for what, resp in answers.items():
            assert resp.status_code == refusal, f"{kind} {what}: {resp.status_code} {resp.text[:200]}"

        collection = path.rsplit("/", 1)[0]
        listed = client.get(collection, headers=other)
        ident = path.rsplit("/", 1)[1]
        if kind == "member":  # the list hangs under demo's pool, which is not alt_demo's
            assert listed.status_code == 403, listed.text
        else:
            assert listed.status_code == 200, listed.text
            assert ident not in listed.text, f"{kind}: alt_demo's list shows demo's {ident}"

        after = client.get(path, headers=owner)
        assert after.status_code == 200 and after.json() == before.json(), kind


def test_a_token_is_validated_or_revoked_only_by_its_owner_or_an_admin(empty_cloud: DemoCloud) -> None:
    """Keystone's policy for `identity:validate_token` / `identity:revoke_token`: the token's own user, or
    an admin. Another project's user learns nothing of it and cannot log its owner out."""
    url = empty_cloud.cloud.auth_url + "/auth/tokens"
    demo = empty_cloud.connection("demo").session.get_token()
    alt = empty_cloud.connection("alt_demo").session.get_token()
    admin = empty_cloud.connection("admin").session.get_token()
    for method in ("GET", "DELETE"):
        refused = httpx.request(method, url, headers={"X-Auth-Token": alt, "X-Subject-Token": demo})
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["title"] == "Forbidden" and "demo" not in refused.text
    assert httpx.get(url, headers={"X-Auth-Token": demo, "X-Subject-Token": demo}).status_code == 200
    shown = httpx.get(url, headers={"X-Auth-Token": admin, "X-Subject-Token": demo})
    assert shown.status_code == 200 and shown.json()["token"]["user"]["name"] == "demo"
    assert httpx.delete(url, headers={"X-Auth-Token": admin, "X-Subject-Token": demo}).status_code == 204
    assert httpx.get(url, headers={"X-Auth-Token": alt, "X-Subject-Token": alt}).status_code == 200


def test_a_port_that_names_another_projects_server_is_not_its_interface(seeded_cloud: DemoCloud) -> None:
    """alt_demo can create a port whose device_id is demo's server1 (Neutron does not check it), but that
    makes it none of server1's: not in its addresses or interface list, and the data plane serves nothing
    of server1 behind it."""
    from netdash.democloud.dataplane.desired import Snapshotter

    demo, alt = seeded_cloud.connection("demo"), seeded_cloud.connection("alt_demo")
    server = demo.compute.find_server("server1", ignore_missing=False)
    before = demo.compute.get_server(server.id).addresses
    public = alt.network.find_network("public", ignore_missing=False)
    forged = alt.network.create_port(network_id=public.id, device_id=server.id, device_owner="compute:nova",
                                     name="forged")
    assert demo.compute.get_server(server.id).addresses == before
    assert forged.id not in {i.port_id for i in demo.compute.server_interfaces(server.id)}
    edges = Snapshotter(seeded_cloud.cloud).take().edges.values()
    assert not [e for e in edges if e.owner == ("port", forged.id)], "alt's address forwarded to server1"


def test_network_device_owners_only_on_ones_own_network(seeded_cloud: DemoCloud) -> None:
    """Neutron's policy: `network:*` device owners (router interfaces and gateways...) only on a network the
    caller owns, or for an admin."""
    demo, alt = seeded_cloud.connection("demo"), seeded_cloud.connection("alt_demo")
    router = demo.network.find_router("private_gateway", ignore_missing=False)
    public = alt.network.find_network("public", ignore_missing=False)
    headers = {"X-Auth-Token": alt.session.get_token()}
    url = seeded_cloud.cloud.network.url + "/v2.0/ports"
    for owner in ("network:router_interface", "network:router_gateway", "network:dhcp"):
        refused = httpx.post(url, headers=headers, json={"port": {
            "network_id": public.id, "device_id": router.id, "device_owner": owner}})
        assert refused.status_code == 403, refused.text
        assert refused.json()["NeutronError"]["type"] == "PolicyNotAuthorized"
    mine = alt.network.create_port(network_id=public.id, name="plain")
    changed = httpx.put(f"{url}/{mine.id}", headers=headers, json={"port": {
        "device_id": router.id, "device_owner": "network:router_interface"}})
    assert changed.status_code == 403, changed.text
    own = alt.network.create_network(name="alt-net")
    assert alt.network.create_port(network_id=own.id, device_owner="network:dhcp").device_owner == "network:dhcp"
