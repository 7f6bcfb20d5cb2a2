"""Neutron listings: filters, fields, sorting, pagination, project isolation, scale, the peer read API."""

from __future__ import annotations

from typing import Any

import httpx

from netdash.democloud import DemoCloud

from .neutron_api import Neutron


def test_filters_fields_and_sorting(empty_cloud: DemoCloud) -> None:
    api = Neutron(empty_cloud)
    nets = [api.create("network", name=name) for name in ("b-net", "a-net", "c-net")]
    by_name = api.ok("GET", "/networks", params={"name": "a-net"})["networks"]
    assert [n["id"] for n in by_name] == [nets[1]["id"]]
    either = api.ok("GET", "/networks", params=[("id", nets[0]["id"]), ("id", nets[2]["id"])])["networks"]
    assert {n["id"] for n in either} == {nets[0]["id"], nets[2]["id"]}
    for text in ("True", "true", "1"):
        external = api.ok("GET", "/networks", params={"router:external": text})["networks"]
        assert [n["name"] for n in external] == ["public"]
    internal = api.ok("GET", "/networks", params={"router:external": "False"})["networks"]
    assert {n["name"] for n in internal} == {"b-net", "a-net", "c-net"}
    ordered = api.ok("GET", "/networks", params={"sort_key": "name", "sort_dir": "desc"})["networks"]
    assert [n["name"] for n in ordered] == ["public", "c-net", "b-net", "a-net"]
    slim = api.ok("GET", "/networks", params=[("fields", "id"), ("fields", "name")])["networks"]
    assert all(set(n) == {"id", "name"} for n in slim)
    unknown = api.call("GET", "/networks", params={"colour": "blue"})
    assert api.error(unknown, 400, "HTTPBadRequest") == "['colour'] is invalid attribute for filtering"
    api.error(api.call("GET", "/networks", params={"sort_key": "colour"}), 400, "HTTPBadRequest")
    subnet = api.create("subnet", network_id=nets[0]["id"], cidr="10.0.0.0/24", ip_version=4)
    p1 = api.create("port", network_id=nets[0]["id"], device_id="server-1", device_owner="compute:nova")
    api.create("port", network_id=nets[0]["id"], device_id="server-2", tags=["blue"])
    ip = p1["fixed_ips"][0]["ip_address"]
    for params in (
        {"device_id": "server-1"},
        {"fixed_ips": f"ip_address={ip}"},
        {"device_owner": "compute:nova"},
        [("fixed_ips", f"subnet_id={subnet['id']}"), ("fixed_ips", f"ip_address={ip}")],
    ):
        assert [p["id"] for p in api.ok("GET", "/ports", params=params)["ports"]] == [p1["id"]], params
    assert len(api.ok("GET", "/ports", params={"network_id": nets[0]["id"]})["ports"]) == 2
    assert len(api.ok("GET", "/ports", params={"tags": "blue"})["ports"]) == 1
    assert len(api.ok("GET", "/ports", params={"not-tags": "blue"})["ports"]) == 1
    assert [s["id"] for s in api.ok("GET", "/subnets", params={"network_id": nets[0]["id"]})["subnets"]] == [
        subnet["id"]
    ]


def test_pagination_links(conn: Any, empty_cloud: DemoCloud) -> None:
    api = Neutron(empty_cloud)
    for index in range(7):
        api.create("network", name=f"net-{index}")
    page = api.ok("GET", "/networks", params={"limit": 3})
    assert len(page["networks"]) == 3
    next_link = next(link for link in page["networks_links"] if link["rel"] == "next")
    second = httpx.get(next_link["href"], headers=api.http.headers).json()
    assert len(second["networks"]) == 3
    assert {link["rel"] for link in second["networks_links"]} == {"next", "previous"}
    seen = [n.name for n in conn.network.networks(limit=2)]
    assert len(seen) == 8 and len(set(seen)) == 8
    last = api.ok("GET", "/networks", params={"limit": 3, "marker": second["networks"][-1]["id"]})
    assert len(last["networks"]) == 2 and not any(x["rel"] == "next" for x in last.get("networks_links", []))
    bad = api.call("GET", "/networks", params={"limit": "x"})
    assert (
        api.error(bad, 400, "BadRequest")
        == "Bad limit request: Limit must be an integer 0 or greater and not 'x'."
    )
    api.error(api.call("GET", "/networks", params={"marker": "nope"}), 404, "NetworkNotFound")


def test_project_isolation(conn: Any, alt_conn: Any, empty_cloud: DemoCloud) -> None:
    api, alt, admin = Neutron(empty_cloud), Neutron(empty_cloud, "alt_demo"), Neutron(empty_cloud, "admin")
    net, subnet, router = api.routed()
    port = api.create("port", network_id=net["id"])
    fip = api.create("floatingip", floating_network_id=api.public()["id"])
    sg = api.create("security_group", name="web")
    assert [n.name for n in alt_conn.network.networks()] == ["public"]
    assert [s.name for s in alt_conn.network.subnets()] == ["public-subnet"]
    assert list(alt_conn.network.ports()) == [] and list(alt_conn.network.routers()) == []
    assert list(alt_conn.network.ips()) == []
    assert {g.name for g in alt_conn.network.security_groups()} == {"default"}
    for path, kind, ident in (
        ("networks", "NetworkNotFound", net["id"]),
        ("subnets", "SubnetNotFound", subnet["id"]),
        ("ports", "PortNotFound", port["id"]),
        ("routers", "RouterNotFound", router["id"]),
        ("floatingips", "FloatingIPNotFound", fip["id"]),
        ("security-groups", "SecurityGroupNotFound", sg["id"]),
    ):
        assert ident in alt.error(alt.call("GET", f"/{path}/{ident}"), 404, kind)
        alt.error(alt.call("DELETE", f"/{path}/{ident}"), 404, kind)
    alt.error(alt.call("PUT", f"/ports/{port['id']}", {"port": {"name": "x"}}), 404, "PortNotFound")
    resp = alt.call("PUT", f"/floatingips/{fip['id']}", {"floatingip": {"port_id": port["id"]}})
    alt.error(resp, 404, "FloatingIPNotFound")
    alt_fip = alt.create("floatingip", floating_network_id=alt.public()["id"])
    alt.error(
        alt.call("PUT", f"/floatingips/{alt_fip['id']}", {"floatingip": {"port_id": port["id"]}}),
        404,
        "PortNotFound",
    )
    alt.error(
        alt.call("PUT", f"/routers/{router['id']}/add_router_interface", {"subnet_id": subnet["id"]}),
        404,
        "RouterNotFound",
    )
    assert {p["id"] for p in admin.ok("GET", "/ports")["ports"]} >= {port["id"]}
    assert {f["id"] for f in admin.ok("GET", "/floatingips")["floatingips"]} == {fip["id"], alt_fip["id"]}


def test_security_groups_and_rules(conn: Any, empty_cloud: DemoCloud) -> None:
    api = Neutron(empty_cloud)
    groups = api.ok("GET", "/security-groups")["security_groups"]
    assert [g["name"] for g in groups] == ["default"]
    default = groups[0]
    assert default["description"] == "Default security group" and default["stateful"] is True
    rules = default["security_group_rules"]
    assert {(r["direction"], r["ethertype"], r["remote_group_id"]) for r in rules} == {
        ("ingress", "IPv4", default["id"]),
        ("ingress", "IPv6", default["id"]),
        ("egress", "IPv4", None),
        ("egress", "IPv6", None),
    }
    assert (
        api.error(api.call("GET", "/security-groups/default"), 404, "SecurityGroupNotFound")
        == "Security group default does not exist"
    )
    rule = conn.network.create_security_group_rule(
        security_group_id=default["id"],
        direction="ingress",
        protocol="tcp",
        port_range_min=80,
        port_range_max=80,
        remote_ip_prefix="0.0.0.0/0",
        ethertype="IPv4",
    )
    assert rule.protocol == "tcp" and rule.port_range_min == 80
    dup = api.call(
        "POST",
        "/security-group-rules",
        {
            "security_group_rule": {
                "security_group_id": default["id"],
                "direction": "ingress",
                "protocol": "tcp",
                "port_range_min": 80,
                "port_range_max": 80,
                "remote_ip_prefix": "0.0.0.0/0",
                "ethertype": "IPv4",
            }
        },
    )
    assert (
        api.error(dup, 409, "SecurityGroupRuleExists")
        == f"Security group rule already exists. Rule id is {rule.id}."
    )
    bad = api.call(
        "POST",
        "/security-group-rules",
        {"security_group_rule": {"security_group_id": default["id"], "direction": "sideways"}},
    )
    api.error(bad, 400, "HTTPBadRequest")
    web = conn.network.create_security_group(name="web", description="w")
    assert len(web.security_group_rules) == 2
    api.error(
        api.call("DELETE", f"/security-groups/{default['id']}"), 409, "SecurityGroupCannotRemoveDefault"
    )
    net = api.create("network", name="n")
    api.create("subnet", network_id=net["id"], cidr="10.0.0.0/24", ip_version=4)
    port = api.create("port", network_id=net["id"], security_groups=[web.id])
    api.error(api.call("DELETE", f"/security-groups/{web.id}"), 409, "SecurityGroupInUse")
    api.ok("DELETE", f"/ports/{port['id']}")
    conn.network.delete_security_group_rule(rule)
    conn.network.delete_security_group(web)
    assert [g.name for g in conn.network.security_groups()] == ["default"]


def test_peer_read_api(empty_cloud: DemoCloud) -> None:
    api = Neutron(empty_cloud)
    neutron = empty_cloud.cloud.network
    net, subnet, _ = api.routed()
    ports = [api.create("port", network_id=net["id"], device_id="vm-1") for _ in range(3)]
    assert [p["id"] for p in neutron.ports_of_device("vm-1")] == [p["id"] for p in ports]
    assert neutron.get_port(ports[0]["id"])["binding:vif_type"] == "unbound"
    assert neutron.get_port("nope") is None
    ip = ports[1]["fixed_ips"][0]["ip_address"]
    assert neutron.port_with_ip(ip)["id"] == ports[1]["id"]
    assert neutron.port_with_ip(ip, subnet_id=subnet["id"])["id"] == ports[1]["id"]
    assert neutron.port_with_ip(ip, network_id=api.public()["id"]) is None
    assert neutron.get_network(net["id"])["subnets"] == [subnet["id"]]
    assert neutron.get_subnet(subnet["id"])["cidr"] == "10.0.0.0/24"
    fip = api.create("floatingip", floating_network_id=api.public()["id"], port_id=ports[0]["id"])
    assert [f["id"] for f in neutron.floating_ips_of_port(ports[0]["id"])] == [fip["id"]]


def test_thousands_of_ports_list_and_filter(empty_cloud: DemoCloud) -> None:
    cloud = empty_cloud.cloud
    admin = cloud.identity.context_for("admin")
    net = cloud.call("network", "POST", "/v2.0/networks", {"network": {"name": "big"}}, context=admin).body
    cloud.call(
        "network",
        "POST",
        "/v2.0/subnets",
        {"subnet": {"network_id": net["network"]["id"], "cidr": "10.128.0.0/16", "ip_version": 4}},
        context=admin,
    )
    neutron = cloud.network
    public = next(i for i, n in neutron.store.networks.items() if n["name"] == "public")
    # how fast is bench/scale.py's business (a timed assert here failed on a loaded 2-core machine)
    for index in range(5000):
        neutron.rules.ports.create(admin, {"network_id": net["network"]["id"], "device_id": f"vm-{index % 1000}"})
    project = admin.project_id  # 200 floating IPs: past Neutron's default limit of 50
    cloud.call("network", "PUT", f"/v2.0/quotas/{project}", {"quota": {"floatingip": -1}}, context=admin)
    for _ in range(200):
        cloud.call(
            "network",
            "POST",
            "/v2.0/floatingips",
            {"floatingip": {"floating_network_id": public}},
            context=admin,
        )
    answer = cloud.call("network", "GET", "/v2.0/ports", context=admin)
    assert len(answer.body["ports"]) == 5000 + 200
    one = cloud.call("network", "GET", "/v2.0/ports", query="device_id=vm-7", context=admin)
    assert len(one.body["ports"]) == 5
