"""Bulk creates (`{"networks": [...]}` and the other collections), all or nothing as ML2 makes them, and
`fields=` on a show as on a list."""

from __future__ import annotations

import pytest

from netdash.democloud import DemoCloud

from .neutron_api import Neutron


@pytest.fixture(scope="module")
def api(module_cloud: DemoCloud) -> Neutron:
    return Neutron(module_cloud)


def names(api: Neutron, collection: str, prefix: str) -> list[str]:
    return sorted(n["name"] for n in api.ok("GET", f"/{collection}")[collection.replace("-", "_")]
                  if n["name"].startswith(prefix))


def test_bulk_networks_subnets_and_ports(api: Neutron) -> None:
    made = api.ok("POST", "/networks", {"networks": [{"name": "bulk-a"}, {"network": {"name": "bulk-b"}}]})
    assert [n["name"] for n in made["networks"]] == ["bulk-a", "bulk-b"]
    assert all(n["is_default"] is False for n in made["networks"])  # as a single create answers
    net_a, net_b = (n["id"] for n in made["networks"])
    subnets = api.ok("POST", "/subnets", {"subnets": [
        {"network_id": net_a, "cidr": "10.90.0.0/24", "ip_version": 4, "name": "bulk-sa"},
        {"network_id": net_b, "cidr": "10.91.0.0/24", "ip_version": 4, "name": "bulk-sb"}]})["subnets"]
    assert [s["cidr"] for s in subnets] == ["10.90.0.0/24", "10.91.0.0/24"]
    ports = api.ok("POST", "/ports", {"ports": [{"network_id": net_a, "name": f"bulk-p{i}"} for i in range(3)]})
    assert len({p["fixed_ips"][0]["ip_address"] for p in ports["ports"]}) == 3


def test_a_bulk_create_makes_all_or_nothing(api: Neutron) -> None:
    refused = api.call("POST", "/networks", {"networks": [{"name": "bulk-none-1"}, {"name": "bulk-none-2",
                                                                                   "mtu": 5}]})
    assert api.error(refused, 400, "HTTPBadRequest") == (
        "Invalid input for mtu. Reason: '5' is not in range 68 through 9216.")
    assert names(api, "networks", "bulk-none") == []
    net = api.create("network", name="bulk-partial")
    api.create("subnet", network_id=net["id"], cidr="10.92.0.0/24", ip_version=4)
    before = {p["id"] for p in api.ok("GET", "/ports")["ports"]}
    clash = api.call("POST", "/ports", {"ports": [
        {"network_id": net["id"], "fixed_ips": [{"ip_address": "10.92.0.50"}]},
        {"network_id": net["id"], "fixed_ips": [{"ip_address": "10.92.0.50"}]}]})
    api.error(clash, 409, "IpAddressAlreadyAllocated")
    assert {p["id"] for p in api.ok("GET", "/ports")["ports"]} == before
    # the address the undone port held is free again
    assert api.create("port", network_id=net["id"], fixed_ips=[{"ip_address": "10.92.0.50"}])
    overlapping = api.call("POST", "/subnets", {"subnets": [
        {"network_id": net["id"], "cidr": "10.93.0.0/24", "ip_version": 4, "name": "bulk-sub-ok"},
        {"network_id": net["id"], "cidr": "10.93.0.0/25", "ip_version": 4}]})
    api.error(overlapping, 400, "InvalidInput")
    assert names(api, "subnets", "bulk-sub-ok") == []


def test_bulk_of_the_other_resources_and_its_refusals(api: Neutron) -> None:
    routers = api.ok("POST", "/routers", {"routers": [{"name": "bulk-r1"}, {"name": "bulk-r2"}]})["routers"]
    assert len(routers) == 2 and "distributed" not in routers[0]  # a member's view
    groups = api.ok("POST", "/security-groups", {"security_groups": [{"name": "bulk-g1"}, {"name": "bulk-g2"}]})
    sg = groups["security_groups"][0]["id"]
    rule = {"security_group_id": sg, "direction": "ingress", "protocol": "tcp", "port_range_min": 22,
            "port_range_max": 22}
    rules = api.ok("POST", "/security-group-rules", {"security_group_rules": [rule, {**rule, "port_range_min": 80,
                                                                                       "port_range_max": 80}]})
    assert len(rules["security_group_rules"]) == 2
    https = {**rule, "port_range_min": 443, "port_range_max": 443}
    same = api.call("POST", "/security-group-rules", {"security_group_rules": [https, https]})
    api.error(same, 409, "DuplicateSecurityGroupRuleInPost")
    two = groups["security_groups"][1]["id"]
    mixed = api.call("POST", "/security-group-rules",
                     {"security_group_rules": [rule, {**rule, "security_group_id": two}]})
    api.error(mixed, 400, "SecurityGroupNotSingleGroupRules")
    assert api.error(api.call("POST", "/networks", {"networks": []}), 400, "HTTPBadRequest") == "Resources required"
    assert api.error(api.call("POST", "/networks", {"networks": 5}), 400, "HTTPBadRequest") == (
        "Body contains invalid data")
    assert api.error(api.call("POST", "/networks", {"networks": ["x"]}), 400, "HTTPBadRequest") == (
        "Object 'network' contains invalid data")


def test_fields_on_show_as_on_list(api: Neutron) -> None:
    net = api.create("network", name="fields-net")
    params = [("fields", "id"), ("fields", "name")]
    expected = {"network": {"id": net["id"], "name": "fields-net"}}
    assert api.ok("GET", f"/networks/{net['id']}", params=params) == expected
    assert api.ok("GET", f"/networks/{net['id']}", params={"fields": "colour"}) == {"network": {}}
    listed = api.ok("GET", "/networks", params=[*params, ("name", "fields-net")])["networks"]
    assert listed == [{"id": net["id"], "name": "fields-net"}]
    subnet = api.create("subnet", network_id=net["id"], cidr="10.94.0.0/24", ip_version=4)
    port = api.create("port", network_id=net["id"])
    for path in (f"/subnets/{subnet['id']}", f"/ports/{port['id']}"):
        (shown,) = api.ok("GET", path, params={"fields": "id"}).values()
        assert shown == {"id": path.rsplit("/", 1)[1]}
