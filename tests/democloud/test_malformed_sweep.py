"""Every POST/PUT route of every service, given bodies a careless or hostile client sends: never a 5xx.

The routes come from the services' own routers (nothing to keep in sync), filled with the ids of real
seeded resources so that each request gets past the lookup to the body parsing.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from netdash.democloud import DemoCloud

#: the body key each collection takes (the last literal segment of a route names the collection); a route
#: not named here (Nova's `/action`) is sent junk under every key of KEYS
OWN_KEY = {"networks": "network", "subnets": "subnet", "ports": "port", "routers": "router",
           "floatingips": "floatingip", "security-groups": "security_group",
           "security-group-rules": "security_group_rule", "servers": "server", "os-keypairs": "keypair",
           "os-interface": "interfaceAttachment", "loadbalancers": "loadbalancer", "listeners": "listener",
           "pools": "pool", "members": "member", "healthmonitors": "healthmonitor", "subnetpools": "subnetpool",
           "rbac-policies": "rbac_policy", "add_extraroutes": "router", "remove_extraroutes": "router",
           "metadata": "metadata", "os-server-groups": "server_group", "l7policies": "l7policy",
           "rules": "rule", "quotas": "quota", "flavors": "flavor", "flavorprofiles": "flavorprofile",
           "availabilityzones": "availability_zone", "availabilityzoneprofiles": "availability_zone_profile",
           # routes whose body is bare fields, or none: their own "key" is a field's name
           "tags": "tags", "add_prefixes": "prefixes", "remove_prefixes": "prefixes",
           "add_router_interface": "subnet_id", "remove_router_interface": "subnet_id",
           "failover": "failover", "config": "config"}
KEYS = [*OWN_KEY.values(), "members", "os-stop", "os-start", "reboot", "lock", "unlock", "rebuild",
        "addSecurityGroup", "removeSecurityGroup", "meta"]
JUNK_VALUES: dict[str, Any] = {
    "name": {"a": 1}, "admin_state_up": "perhaps", "id": 5, "network_id": [], "subnet_id": [1],
    "cidr": 7, "ip_version": "four", "gateway_ip": 12, "allocation_pools": [{"start": 1}],
    "fixed_ips": "10.0.0.5", "port_id": {}, "device_id": 3.5, "external_gateway_info": "public",
    "floating_network_id": None, "imageRef": [], "flavorRef": {}, "networks": [{"uuid": 4}],
    "user_data": 17, "protocol_port": "eighty", "protocol": None, "lb_algorithm": 3,
    "vip_subnet_id": True, "loadbalancer_id": [], "listener_id": {}, "address": 10, "weight": "w",
    "delay": None, "timeout": -1, "max_retries": "3", "type": {}, "security_groups": "default",
    "public_key": 9, "remote_ip_prefix": "not-a-cidr", "direction": 1, "routes": "x",
}
LB = "load-balancer"
#: a path parameter in a route's pattern
GROUP = r"\(\?P<(\w+)>\[\^/\]\+\)"
NO_SUCH_ID = "6d1e3f0a-5b7c-4e2d-9a8b-0c1d2e3f4a5b"
RAW_BODIES = [b"", b"{", b"[]", b"null", b'"text"', b"42", b"{}", b'{"bogus": {}}', b"\xff\xfe"]


def bodies(own_key: str | None) -> list[bytes]:
    """Structural junk under the route's own key (and under one it does not take), or under every key a
    route with no own key (`/action`, `/tags`...) may take; one junk field at a time under the own key and
    bare. A key a route does not take is one code path (the body lacks its key), tried once, not 37 times."""
    out = list(RAW_BODIES)
    for key in (KEYS if own_key is None else [own_key, f"{own_key}s", "bogus"]):
        out += [json.dumps({key: value}).encode() for value in ([], "x", 7, None, {}, JUNK_VALUES)]
    for field, value in JUNK_VALUES.items():
        out.append(json.dumps({field: value}).encode())
        if own_key:
            out.append(json.dumps({own_key: {field: value}}).encode())
    return out


def real_ids(cloud: DemoCloud) -> dict[str, str]:
    """The ids each route's path names, of the seed's resources; and a subnet pool and an RBAC policy, which
    the seed has none of."""
    conn = cloud.connection()
    subnetpool = conn.network.create_subnet_pool(name="sweep-pool", prefixes=["10.250.0.0/16"])
    policy = conn.network.create_rbac_policy(object_type="network", object_id=conn.network.find_network("private").id,
                                             action="access_as_shared", target_project_id=conn.current_project_id)
    lb = next(iter(conn.load_balancer.load_balancers()))
    pool = next(iter(conn.load_balancer.pools()))
    sg = next(iter(conn.network.security_groups(name="default")))
    return {
        "net_id": conn.network.find_network("private").id,
        "subnet_id": conn.network.find_subnet("private_subnet").id,
        "port_id": conn.network.find_port("server-1-port").id,
        "router_id": conn.network.find_router("private_gateway").id,
        "fip_id": next(iter(conn.network.ips())).id,
        "sg_id": sg.id, "rule_id": sg.security_group_rules[0]["id"],
        "server_id": conn.compute.find_server("server1").id, "name": "ssh_key_name", "key": "role",
        "lb_id": lb.id, "listener_id": next(iter(conn.load_balancer.listeners())).id, "pool_id": pool.id,
        "member_id": next(iter(conn.load_balancer.members(pool))).id,
        "hm_id": next(iter(conn.load_balancer.health_monitors())).id,
        "project_id": conn.current_project_id,
        "subnetpool_id": subnetpool.id, "policy_id": policy.id, "ident": conn.network.find_network("private").id,
        "tag": "sweep",
        # none exist in the seed: their bodies are checked before the object is looked up
        "amphora_id": NO_SUCH_ID,
    }


def test_no_malformed_body_gets_a_server_error(seeded_cloud: DemoCloud) -> None:
    ids = real_ids(seeded_cloud)
    token = seeded_cloud.connection().session.get_token()
    failures: list[str] = []
    sent = 0
    with httpx.Client(headers={"X-Auth-Token": token, "Content-Type": "application/json"}) as client:
        for service in seeded_cloud.cloud.services.values():
            if service.type == "identity":
                continue
            for route in service.router.routes:
                template = route.pattern.pattern.removeprefix("^").removesuffix("/?$")
                if route.method not in ("POST", "PUT") or (template.startswith("/v2.0/") and service.type == LB):
                    continue  # Octavia's /v2.0 routes are its /v2 ones again, with the same handlers
                path = re.sub(GROUP, lambda m: ids[m.group(1)], template)
                url = seeded_cloud.cloud.base_url + service.prefix + path.replace("\\", "")
                literal = [part for part in re.sub(GROUP, "", template).split("/") if part]
                for body in bodies(OWN_KEY.get(literal[-1].replace("\\", ""))):
                    resp = client.request(route.method, url, content=body)
                    sent += 1
                    if resp.status_code >= 500:
                        failures.append(f"{route.method} {path} {body[:80]!r} -> {resp.status_code} "
                                        f"{resp.text[:160]}")
    assert sent > 3000
    assert not failures, f"{len(failures)} of {sent} answered 5xx:\n" + "\n".join(failures[:40])
