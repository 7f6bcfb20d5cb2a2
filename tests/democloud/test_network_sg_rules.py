"""Security groups and their rules as Neutron 29 converts, canonicalises and refuses them: protocols as
numbers (integers too), names in any case, ports, ethertypes and prefixes, a remote group looked up, and a
group named `default`."""

from __future__ import annotations

from typing import Any

import pytest

from netdash.democloud import DemoCloud

from .neutron_api import Neutron


@pytest.fixture(scope="module")
def api(module_cloud: DemoCloud) -> Neutron:
    return Neutron(module_cloud)


@pytest.fixture(scope="module")
def sg(api: Neutron) -> str:
    return str(api.create("security_group", name="rules-sg")["id"])


def rule(api: Neutron, sg: str, **attrs: Any) -> Any:
    return api.call("POST", "/security-group-rules", {"security_group_rule": {
        "security_group_id": sg, "direction": "ingress", **attrs}})


@pytest.mark.parametrize(("attrs", "shown"), [
    ({"protocol": 17, "port_range_min": 53, "port_range_max": 53}, {"protocol": "17", "port_range_min": 53}),
    ({"protocol": "SCTP"}, {"protocol": "sctp"}),
    ({"protocol": "tcp", "port_range_min": "1", "port_range_max": 65535}, {"port_range_min": None,
                                                                          "port_range_max": None}),
    ({"protocol": "icmp", "ethertype": "ipv6"}, {"protocol": "ipv6-icmp", "ethertype": "IPv6"}),
    ({"protocol": "any", "remote_ip_prefix": "10.130.0.5"}, {"protocol": None, "remote_ip_prefix": "10.130.0.5/32",
                                                             "normalized_cidr": "10.130.0.5/32"}),
    ({"remote_ip_prefix": "10.131.0.5/24"}, {"remote_ip_prefix": "10.131.0.5/24", "normalized_cidr": "10.131.0.0/24"}),
])
def test_rules_are_converted_as_neutron_converts_them(api: Neutron, sg: str, attrs: dict[str, Any],
                                                      shown: dict[str, Any]) -> None:
    resp = rule(api, sg, **attrs)
    assert resp.status_code == 201, resp.text
    made = resp.json()["security_group_rule"]
    assert {k: made[k] for k in shown} == shown
    api.ok("DELETE", f"/security-group-rules/{made['id']}")


def test_rule_answers_have_no_standard_attr_id_or_tags_but_a_groups_rules_do(api: Neutron, sg: str) -> None:
    """`/v2.0/security-group-rules` answers are the rule resource's attributes (rules are not taggable); a
    group's `security_group_rules` is the database's dicts as they are, as realstack answers both."""
    single = rule(api, sg, protocol=17, port_range_min=5353, port_range_max=5353)
    assert single.status_code == 201, single.text
    made = single.json()["security_group_rule"]
    bulk = api.ok("POST", "/security-group-rules", {"security_group_rules": [
        {"security_group_id": sg, "direction": "ingress", "protocol": "tcp", "port_range_min": p, "port_range_max": p}
        for p in (8081, 8443)]})["security_group_rules"]
    listed = api.ok("GET", "/security-group-rules", params={"id": made["id"]})["security_group_rules"]
    shown = api.ok("GET", f"/security-group-rules/{made['id']}")["security_group_rule"]
    for answer in (made, *bulk, *listed, shown):
        assert list(answer) == [
            "id", "project_id", "security_group_id", "ethertype", "direction", "protocol", "port_range_min",
            "port_range_max", "remote_ip_prefix", "remote_address_group_id", "normalized_cidr", "remote_group_id",
            "belongs_to_default_sg", "description", "created_at", "updated_at", "revision_number", "tenant_id"]
    nested = api.ok("GET", f"/security-groups/{sg}")["security_group"]["security_group_rules"]
    inside = next(r for r in nested if r["id"] == made["id"])
    assert isinstance(inside["standard_attr_id"], int) and inside["tags"] == []
    for one in (made, *bulk):
        api.ok("DELETE", f"/security-group-rules/{one['id']}")


@pytest.mark.parametrize(("attrs", "kind", "message"), [
    ({"protocol": 300}, "SecurityGroupRuleInvalidProtocol", "Security group rule protocol 300 not supported. Only "
     "protocol values (None, 'any', 'ah', 'dccp', 'egp', 'esp', 'gre', 'hopopt', 'icmp', 'igmp', 'ip', 'ipip', "
     "'ipv6-encap', 'ipv6-frag', 'ipv6-icmp', 'icmpv6', 'ipv6-nonxt', 'ipv6-opts', 'ipv6-route', 'ospf', 'pgm', "
     "'rsvp', 'sctp', 'tcp', 'udp', 'udplite', 'vrrp') and integer representations [0 to 255] are supported."),
    ({"protocol": "tcp", "port_range_min": 90, "port_range_max": 80}, "SecurityGroupInvalidPortRange",
     "For TCP/UDP protocols, port_range_min must be <= port_range_max"),
    ({"protocol": "tcp", "port_range_min": 0, "port_range_max": 80}, "SecurityGroupInvalidPortValue",
     "Invalid value for port 0"),
    ({"protocol": "tcp", "port_range_min": "http"}, "SecurityGroupInvalidPortValue", "Invalid value for port http"),
    ({"protocol": "tcp", "port_range_min": 70000}, "SecurityGroupInvalidPortValue", "Invalid value for port 70000"),
    ({"port_range_min": 22, "port_range_max": 22}, "SecurityGroupProtocolRequiredWithPorts",
     "Must also specify protocol if port range is given."),
    ({"protocol": "gre", "port_range_min": 22, "port_range_max": 22}, "SecurityGroupInvalidProtocolForPort",
     "Ports cannot be specified for protocol 47. Ports are only supported for DCCP, SCTP, TCP, UDP, UDPLITE."),
    ({"protocol": "icmp", "port_range_min": 300}, "SecurityGroupInvalidIcmpValue",
     "Invalid value for ICMP type (port_range_min) 300. It must be 0 to 255."),
    ({"protocol": "icmp", "port_range_max": 0}, "SecurityGroupMissingIcmpType",
     "ICMP code (port-range-max) 0 is provided but ICMP type (port-range-min) is missing."),
    ({"ethertype": "IPv5"}, "SecurityGroupRuleInvalidEtherType",
     "Security group rule for ethertype 'IPv5' not supported. Allowed values are ['IPv4', 'IPv6']."),
    ({"remote_ip_prefix": "fd00::/64"}, "SecurityGroupRuleParameterConflict",
     "Conflicting value ethertype IPv4 for CIDR fd00::/64"),
    ({"remote_ip_prefix": "10.0.0.0/33"}, "InvalidCIDR", "Invalid CIDR 10.0.0.0/33 given as IP prefix."),
    ({"protocol": "ipv6-icmp"}, "SecurityGroupEthertypeConflictWithProtocol",
     "Invalid ethertype IPv4 for protocol ipv6-icmp."),
])
def test_rules_are_refused_in_neutrons_words(api: Neutron, sg: str, attrs: dict[str, Any], kind: str,
                                            message: str) -> None:
    assert api.error(rule(api, sg, **attrs), 400, kind) == message


def test_a_remote_group_is_looked_up_and_duplicates_are_one_rule(api: Neutron, sg: str) -> None:
    missing = rule(api, sg, remote_group_id="not-a-uuid")
    assert api.error(missing, 404, "SecurityGroupNotFound") == "Security group not-a-uuid does not exist"
    api.error(rule(api, "not-a-uuid"), 404, "SecurityGroupNotFound")
    first = rule(api, sg, protocol="tcp", port_range_min=8080, port_range_max=8080)
    assert first.status_code == 201
    again = rule(api, sg, protocol="6", port_range_min=8080, port_range_max=8080)  # tcp, by number
    api.error(again, 409, "SecurityGroupRuleExists")
    both = rule(api, sg, remote_group_id=sg, remote_ip_prefix="10.0.0.0/8")
    api.error(both, 400, "SecurityGroupMultipleRemoteEntites")


def test_a_group_named_default(api: Neutron, sg: str) -> None:
    renamed = api.call("PUT", f"/security-groups/{sg}", {"security_group": {"name": "default"}})
    assert api.error(renamed, 409, "SecurityGroupDefaultAlreadyExists") == "Default security group already exists."
    api.error(api.call("POST", "/security-groups", {"security_group": {"name": "DEFAULT"}}), 409,
              "SecurityGroupDefaultAlreadyExists")
    (default,) = api.ok("GET", "/security-groups", params={"name": "default"})["security_groups"]
    api.error(api.call("PUT", f"/security-groups/{default['id']}", {"security_group": {"name": "other"}}), 409,
              "SecurityGroupCannotUpdateDefault")
    assert api.ok("PUT", f"/security-groups/{default['id']}", {"security_group": {"description": "d"}})


def test_statefulness_changes_only_while_unused(api: Neutron) -> None:
    group = api.create("security_group", name="stateful-sg")
    net = api.create("network", name="stateful-net")
    api.create("subnet", network_id=net["id"], cidr="10.132.0.0/24", ip_version=4)
    port = api.create("port", network_id=net["id"], security_groups=[group["id"]])
    used = api.call("PUT", f"/security-groups/{group['id']}", {"security_group": {"stateful": False}})
    api.error(used, 409, "SecurityGroupInUse")
    api.ok("DELETE", f"/ports/{port['id']}")
    assert api.ok("PUT", f"/security-groups/{group['id']}",
                  {"security_group": {"stateful": False}})["security_group"]["stateful"] is False
