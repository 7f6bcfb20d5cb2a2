"""Issue 17 in the domain layer: quota details and security groups as API bodies -> model values, the
rules as people say them, the near-limit rule; and the fetch that reads them from the embedded cloud
(a failure is the Networks section's, a cloud without quota details is asked once)."""

from __future__ import annotations

import pytest

from netdash.cloud import convert
from netdash.cloud.client import CloudClient
from netdash.cloud.events import diff
from netdash.cloud.model import Port, Quota, SecurityGroup, SecurityGroupRule, Topology, by_id
from netdash.cloud.naming import quota_usage, rule_text
from netdash.democloud import DemoCloud

DETAILS = {"quota": {"floatingip": {"limit": 10, "used": 9, "reserved": 0},
                     "port": {"limit": -1, "used": 40, "reserved": 0},
                     "network": {"limit": "lots", "used": None}, "bogus": 7}}


def test_quota_details_become_one_quota_per_resource() -> None:
    quotas = {q.id: q for q in map(convert.quota, convert.quota_items(DETAILS))}
    assert quotas == {"floatingip": Quota("floatingip", 10, 9, 0), "port": Quota("port", -1, 40, 0),
                      "network": Quota("network")}  # a value of the wrong type is the model's default
    assert convert.quota_items({"quota": []}) == [] and convert.quota_items("nonsense") == []
    assert quota_usage(quotas["floatingip"]) == "floating IPs 9/10" and quota_usage(quotas["port"]) == "ports 40/∞"


@pytest.mark.parametrize(("limit", "used", "near"), [
    (10, 8, True), (10, 7, False), (10, 12, True), (-1, 10_000, False), (0, 0, False), (0, 1, True), (5, 0, False),
])
def test_a_quota_is_near_its_limit_from_80_percent(limit: int, used: int, near: bool) -> None:
    assert Quota("port", limit, used).near_limit is near


def test_security_groups_carry_their_rules_said_as_people_say_them() -> None:
    body = {"id": "sg-web", "name": "web", "security_group_rules": [
        {"id": "r1", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 80,
         "port_range_max": 80, "remote_ip_prefix": "0.0.0.0/0", "description": "allow TCP port 80"},
        {"id": "r2", "direction": "ingress", "ethertype": "IPv4", "protocol": "udp", "port_range_min": 5000,
         "port_range_max": 5010, "remote_ip_prefix": "10.0.0.0/8"},
        {"id": "r3", "direction": "ingress", "ethertype": "IPv6", "protocol": None, "remote_group_id": "sg-web"},
        {"id": "r4", "direction": "egress", "ethertype": "IPv6"},
        {"id": "r5", "direction": "ingress", "ethertype": "IPv4", "protocol": "icmp", "port_range_min": 8},
        {"id": "r6", "direction": "ingress", "protocol": "tcp\x1b[2J", "remote_ip_prefix": "1.2.3.4/32\x07"},
        "not a rule"]}
    group = convert.security_group(body)
    assert [r.id for r in group.rules] == ["r1", "r2", "r3", "r4", "r5", "r6"]
    port = Port("p1", security_group_ids=("sg-web", "sg-of-another-project"))
    topology = Topology(security_groups=by_id([group]), ports=by_id([port]))
    assert topology.security_groups_of(port) == (group,)
    said = [rule_text(topology, rule) for rule in group.rules]
    assert said[:5] == ["ingress tcp 80 from 0.0.0.0/0", "ingress udp 5000-5010 from 10.0.0.0/8",
                        "ingress any from group web (IPv6)", "egress any to ::/0", "ingress icmp type 8 from 0.0.0.0/0"]
    assert "\x1b" not in said[5] and "\x07" not in said[5]  # the cloud's text, never terminal control


def test_a_group_without_name_or_rules_still_reads() -> None:
    group = convert.security_group({"id": "0123456789abcdef"})
    assert group == SecurityGroup("0123456789abcdef") and rule_text(Topology(), SecurityGroupRule("x")) == \
        "? any to 0.0.0.0/0"


def test_a_fetch_reads_the_groups_and_the_quota_details(client: CloudClient, seeded_cloud: DemoCloud) -> None:
    topology = client.fetch_topology_sync()
    assert topology.quotas["floatingip"] == Quota("floatingip", 50, 2, 0)
    default = next(g for g in topology.security_groups.values() if g.name == "default")
    assert "ingress tcp 80 from 0.0.0.0/0" in [rule_text(topology, r) for r in default.rules]
    server_port = next(p for p in topology.ports.values() if p.name == "server-1-port")
    assert topology.security_groups_of(server_port) == (default,)


def test_a_failing_quota_call_is_the_networks_sections_failure(client: CloudClient, seeded_cloud: DemoCloud) -> None:
    before = client.fetch_topology_sync()
    seeded_cloud.cloud.faults.add_spec("503@network:GET:/v2.0/quotas/")
    after = client.fetch_topology_sync()
    assert set(after.unread) == {"quotas"} and after.unread["quotas"].kept
    assert after.quotas is before.quotas and after.ports  # the last good quotas; the rest fresh


def test_a_cloud_without_quota_details_is_asked_once(client: CloudClient, seeded_cloud: DemoCloud) -> None:
    seeded_cloud.cloud.faults.add_spec("404@network:GET:/v2.0/quotas/")
    first = client.fetch_topology_sync()
    assert not first.unread and not first.quotas and first.networks
    asked = seeded_cloud.cloud.requests["network"]
    client.fetch_topology_sync()
    assert seeded_cloud.cloud.requests["network"] - asked == 6  # the six lists, no quota call


def test_a_quota_crossing_into_the_warning_zone_and_out_is_an_event() -> None:
    def at(used: int) -> Topology:
        return Topology(quotas=by_id([Quota("floatingip", 10, used), Quota("port", 500, 3)]))

    assert diff(Topology(), at(9), 1.0) == []  # quotas read for the first time: no news
    warned = diff(at(7), at(8), 1.0)
    assert [(e.resource, e.text, e.severity) for e in warned] == [
        ("quota", "quota floating IPs 8/10: near its limit", "warning")]
    assert diff(at(8), at(9), 1.0) == []  # still near: said once
    assert [e.text for e in diff(at(9), at(5), 1.0)] == ["quota floating IPs 5/10: below 80% again"]
