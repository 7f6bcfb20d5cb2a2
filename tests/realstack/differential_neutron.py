"""The differential suite's Neutron extension kinds (issue 19), sent after the quota kinds and before
Octavia's: the extension list, tags and their filters, subnet pools and subnets carved from them, RBAC
policies sharing a network with another project, bulk creates, `fields` on shows, IPv6 address modes,
security group rules, extra routes, an external network deleted with its floating IP, revisions in
If-Match, and the read APIs of agents, availability zones, service providers, IP availability and
floating-IP pools. Each sequence deletes what it made, so realstack can run it again.

Saves used from differential_steps.py: {net} {island} {subnet} {port} {router} {public} {project}.
"""

from __future__ import annotations

from .differential import Step

N, OTHER = "network", "other"
#: a project id no cloud has (RBAC targets are project ids, dashes or not)
NOBODY = "5f6e7d8c9b0a41f2a3b4c5d6e7f80912"
SG_RULE = "/v2.0/security-group-rules"


def rule(**attrs: object) -> dict[str, object]:
    return {"security_group_rule": {"security_group_id": "{sg}", "direction": "ingress", **attrs}}


EXTENSIONS = [
    Step("extension list", "GET", N, "/v2.0/extensions"),
    Step("extension show standard-attr-tag", "GET", N, "/v2.0/extensions/standard-attr-tag"),
    Step("extension show flavors (not served)", "GET", N, "/v2.0/extensions/flavors"),
]

TAGS = [
    Step("tag replace (network)", "PUT", N, "/v2.0/networks/{net}/tags", {"tags": ["red", "blue"]}),
    Step("tag list (network)", "GET", N, "/v2.0/networks/{net}/tags"),
    Step("tag add one (network)", "PUT", N, "/v2.0/networks/{net}/tags/green"),
    Step("tag check (network)", "GET", N, "/v2.0/networks/{net}/tags/green"),
    Step("tag check of a tag it has not", "GET", N, "/v2.0/networks/{net}/tags/absent"),
    Step("tag add several (network)", "POST", N, "/v2.0/networks/{net}/tags", {"tags": ["x", "y"]}),
    Step("tag delete one (network)", "DELETE", N, "/v2.0/networks/{net}/tags/x"),
    Step("tag delete of a tag it has not", "DELETE", N, "/v2.0/networks/{net}/tags/x"),
    Step("tag replace with a body that is no tags", "PUT", N, "/v2.0/networks/{net}/tags", {"tag": ["a"]}),
    Step("tag replace with duplicates", "PUT", N, "/v2.0/networks/{net}/tags", {"tags": ["a", "a"]}),
    Step("tag replace past the limit", "PUT", N, "/v2.0/networks/{net}/tags", {"tags": [f"t{i}" for i in range(51)]}),
    Step("tag list of an unknown network", "GET", N, "/v2.0/networks/{unknown}/tags"),
    Step("tag list of another project's network", "GET", N, "/v2.0/networks/{net}/tags", caller=OTHER),
    Step("network list by tags", "GET", N, "/v2.0/networks?tags=red,blue"),
    Step("network list by tags-any", "GET", N, "/v2.0/networks?tags-any=red&tags-any=nothing"),
    # by id, not by name: a network left over by an interrupted earlier run (named diff-net, untagged) is
    # kept by these filters, which is what made realstack's first run differ here; {island} has no tags
    Step("network list by not-tags", "GET", N, "/v2.0/networks?not-tags=red&id={net}&id={island}"),
    Step("network list by not-tags-any", "GET", N, "/v2.0/networks?not-tags-any=green&id={net}&id={island}"),
    Step("tag replace (port)", "PUT", N, "/v2.0/ports/{port}/tags", {"tags": ["p"]}),
    Step("tag replace (subnet)", "PUT", N, "/v2.0/subnets/{subnet}/tags", {"tags": ["s"]}),
    Step("tag replace (router)", "PUT", N, "/v2.0/routers/{router}/tags", {"tags": ["r"]}),
    Step("tag delete all (network)", "DELETE", N, "/v2.0/networks/{net}/tags"),
    Step("network create with tags", "POST", N, "/v2.0/networks", {"network": {"name": "diff-tagged",
                                                                               "tags": ["a"]}}),
    Step("port create with tags", "POST", N, "/v2.0/ports", {"port": {"network_id": "{net}", "tags": ["a"]}},
         save={"tagged_port": "port.id"}),
    Step("port delete (tagged)", "DELETE", N, "/v2.0/ports/{tagged_port}"),
]

SUBNET_POOLS = [
    Step("subnet pool create", "POST", N, "/v2.0/subnetpools", {"subnetpool": {
        "name": "diff-pool", "prefixes": ["10.75.0.0/16"], "default_prefixlen": 24}}, save={"pool": "subnetpool.id"}),
    Step("subnet pool show", "GET", N, "/v2.0/subnetpools/{pool}"),
    Step("subnet pool list by name", "GET", N, "/v2.0/subnetpools?name=diff-pool"),
    Step("subnet pool update", "PUT", N, "/v2.0/subnetpools/{pool}", {"subnetpool": {"description": "diff"}}),
    Step("subnet pool create without a name", "POST", N, "/v2.0/subnetpools", {"subnetpool": {
        "prefixes": ["10.78.0.0/16"]}}),
    Step("subnet pool create of two IP versions", "POST", N, "/v2.0/subnetpools", {"subnetpool": {
        "name": "diff-mixed", "prefixes": ["10.78.0.0/16", "fd78::/48"]}}),
    Step("subnet pool create with bounds the wrong way round", "POST", N, "/v2.0/subnetpools", {"subnetpool": {
        "name": "diff-bounds", "prefixes": ["10.78.0.0/16"], "min_prefixlen": 24, "max_prefixlen": 20}}),
    Step("subnet create from a pool on a network whose subnet has none", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{net}", "ip_version": 4, "subnetpool_id": "{pool}", "prefixlen": 26}}),
    Step("network create (for a pool's subnets)", "POST", N, "/v2.0/networks", {"network": {"name": "diff-pool-net"}},
         save={"pool_net": "network.id"}),
    Step("subnet create from a pool by prefix length", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{pool_net}", "ip_version": 4, "subnetpool_id": "{pool}", "prefixlen": 26}},
        save={"pool_subnet": "subnet.id"}),
    Step("subnet create from a pool, prefix shorter than its minimum", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{pool_net}", "ip_version": 4, "subnetpool_id": "{pool}", "prefixlen": 7}}),
    Step("subnet create from a pool, CIDR outside it", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{pool_net}", "ip_version": 4, "subnetpool_id": "{pool}", "cidr": "192.168.75.0/24"}}),
    Step("subnet create from a pool, CIDR and prefix length", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{pool_net}", "ip_version": 4, "subnetpool_id": "{pool}", "cidr": "10.75.9.0/24",
        "prefixlen": 24}}),
    Step("subnet create from the default pool, none set", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{net}", "ip_version": 6, "use_default_subnetpool": True}}),
    Step("subnet pool delete in use", "DELETE", N, "/v2.0/subnetpools/{pool}"),
    Step("subnet pool add prefixes", "PUT", N, "/v2.0/subnetpools/{pool}/add_prefixes",
         {"prefixes": ["10.76.0.0/16"]}),
    Step("subnet pool remove prefixes", "PUT", N, "/v2.0/subnetpools/{pool}/remove_prefixes",
         {"prefixes": ["10.76.0.0/16"]}),
    Step("subnet pool remove prefixes in use", "PUT", N, "/v2.0/subnetpools/{pool}/remove_prefixes",
         {"prefixes": ["10.75.0.0/24"]}),
    Step("tag replace (subnet pool)", "PUT", N, "/v2.0/subnetpools/{pool}/tags", {"tags": ["sp"]}),
    Step("subnet delete (from a pool)", "DELETE", N, "/v2.0/subnets/{pool_subnet}"),
    Step("network delete (the pool's)", "DELETE", N, "/v2.0/networks/{pool_net}"),
    Step("subnet pool delete", "DELETE", N, "/v2.0/subnetpools/{pool}"),
]

RBAC = [
    Step("network create by another project", "POST", N, "/v2.0/networks", {"network": {"name": "diff-other"}},
         save={"other_net": "network.id", "other_project": "network.project_id"}, caller=OTHER),
    Step("rbac policy create (a network shared with one project)", "POST", N, "/v2.0/rbac-policies", {"rbac_policy": {
        "object_type": "network", "object_id": "{net}", "action": "access_as_shared",
        "target_tenant": "{other_project}"}}, save={"rbac": "rbac_policy.id"}),
    Step("rbac policy show", "GET", N, "/v2.0/rbac-policies/{rbac}"),
    Step("rbac policy list by object", "GET", N, "/v2.0/rbac-policies?object_id={net}"),
    Step("rbac policy create again", "POST", N, "/v2.0/rbac-policies", {"rbac_policy": {
        "object_type": "network", "object_id": "{net}", "action": "access_as_shared",
        "target_tenant": "{other_project}"}}),
    Step("network show by the project it is shared with", "GET", N, "/v2.0/networks/{net}", caller=OTHER),
    Step("port create by the project a network is shared with", "POST", N, "/v2.0/ports",
         {"port": {"network_id": "{net}"}}, save={"shared_port": "port.id"}, caller=OTHER),
    Step("rbac policy delete while the project uses it", "DELETE", N, "/v2.0/rbac-policies/{rbac}"),
    Step("port delete by the project a network was shared with", "DELETE", N, "/v2.0/ports/{shared_port}",
         caller=OTHER),
    Step("rbac policy update", "PUT", N, "/v2.0/rbac-policies/{rbac}", {"rbac_policy": {"target_tenant": NOBODY}}),
    Step("rbac policy delete", "DELETE", N, "/v2.0/rbac-policies/{rbac}"),
    Step("rbac policy show unknown", "GET", N, "/v2.0/rbac-policies/{unknown}"),
    Step("rbac policy create for everyone by another project", "POST", N, "/v2.0/rbac-policies", {"rbac_policy": {
        "object_type": "network", "object_id": "{other_net}", "action": "access_as_shared", "target_tenant": "*"}},
        caller=OTHER),
    Step("rbac policy create with an action of no type", "POST", N, "/v2.0/rbac-policies", {"rbac_policy": {
        "object_type": "network", "object_id": "{net}", "action": "access_as_owner", "target_tenant": NOBODY}}),
    Step("rbac policy create with target_project", "POST", N, "/v2.0/rbac-policies", {"rbac_policy": {
        "object_type": "network", "object_id": "{net}", "action": "access_as_shared", "target_project": NOBODY}}),
    Step("network delete by another project", "DELETE", N, "/v2.0/networks/{other_net}", caller=OTHER),
]

BULK_AND_FIELDS = [
    Step("network create in bulk", "POST", N, "/v2.0/networks", {"networks": [
        {"name": "diff-bulk-1"}, {"network": {"name": "diff-bulk-2"}}]},
        save={"bulk1": "networks.0.id", "bulk2": "networks.1.id"}),
    Step("subnet create in bulk", "POST", N, "/v2.0/subnets", {"subnets": [
        {"network_id": "{bulk1}", "cidr": "10.79.0.0/24", "ip_version": 4},
        {"network_id": "{bulk2}", "cidr": "10.79.1.0/24", "ip_version": 4}]}),
    Step("port create in bulk", "POST", N, "/v2.0/ports", {"ports": [
        {"network_id": "{bulk1}"}, {"network_id": "{bulk1}"}]}, save={"bulk_port1": "ports.0.id",
                                                                     "bulk_port2": "ports.1.id"}),
    Step("port create in bulk, two of one address", "POST", N, "/v2.0/ports", {"ports": [
        {"network_id": "{bulk1}", "fixed_ips": [{"ip_address": "10.79.0.50"}]},
        {"network_id": "{bulk1}", "fixed_ips": [{"ip_address": "10.79.0.50"}]}]}),
    Step("network create in bulk, one refused", "POST", N, "/v2.0/networks", {"networks": [
        {"name": "diff-bulk-3"}, {"name": "diff-bulk-4", "admin_state_up": "maybe"}]}),
    Step("network create in bulk of none", "POST", N, "/v2.0/networks", {"networks": []}),
    Step("network show with fields", "GET", N, "/v2.0/networks/{bulk1}?fields=id&fields=name"),
    Step("port show with fields", "GET", N, "/v2.0/ports/{bulk_port1}?fields=id&fields=fixed_ips"),
    Step("network list with fields", "GET", N, "/v2.0/networks?name=diff-bulk-1&fields=id&fields=tags"),
    Step("port delete (bulk 1)", "DELETE", N, "/v2.0/ports/{bulk_port1}"),
    Step("port delete (bulk 2)", "DELETE", N, "/v2.0/ports/{bulk_port2}"),
    Step("network delete (bulk 1)", "DELETE", N, "/v2.0/networks/{bulk1}"),
    Step("network delete (bulk 2)", "DELETE", N, "/v2.0/networks/{bulk2}"),
]

IPV6 = [
    Step("network create (IPv6)", "POST", N, "/v2.0/networks", {"network": {"name": "diff-v6"}},
         save={"v6": "network.id"}),
    Step("subnet create SLAAC", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{v6}", "ip_version": 6, "cidr": "2001:db8:70::/64", "ipv6_ra_mode": "slaac",
        "ipv6_address_mode": "slaac"}}, save={"slaac": "subnet.id"}),
    Step("subnet create with two IPv6 modes", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{v6}", "ip_version": 6, "cidr": "2001:db8:71::/64", "ipv6_ra_mode": "slaac",
        "ipv6_address_mode": "dhcpv6-stateful"}}),
    Step("subnet create SLAAC without DHCP", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{v6}", "ip_version": 6, "cidr": "2001:db8:71::/64", "ipv6_address_mode": "slaac",
        "enable_dhcp": False}}),
    Step("subnet create SLAAC not a /64", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{v6}", "ip_version": 6, "cidr": "2001:db8:71::/80", "ipv6_address_mode": "slaac"}}),
    Step("subnet create with an IPv6 mode on IPv4", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{v6}", "ip_version": 4, "cidr": "10.80.0.0/24", "ipv6_ra_mode": "slaac"}}),
    Step("port create on a SLAAC subnet", "POST", N, "/v2.0/ports", {"port": {
        "network_id": "{v6}", "mac_address": "fa:16:3e:70:00:01"}}, save={"v6_port": "port.id"}),
    Step("port create with an address on a SLAAC subnet", "POST", N, "/v2.0/ports", {"port": {
        "network_id": "{v6}", "fixed_ips": [{"subnet_id": "{slaac}", "ip_address": "2001:db8:70::5"}]}}),
    Step("subnet delete SLAAC with a port", "DELETE", N, "/v2.0/subnets/{slaac}"),
    Step("port delete (IPv6)", "DELETE", N, "/v2.0/ports/{v6_port}"),
    Step("network delete (IPv6)", "DELETE", N, "/v2.0/networks/{v6}"),
]

SECURITY_GROUPS = [
    Step("security group create", "POST", N, "/v2.0/security-groups", {"security_group": {"name": "diff-sg"}},
         save={"sg": "security_group.id"}),
    Step("security group create shared", "POST", N, "/v2.0/security-groups", {"security_group": {
        "name": "diff-sg-shared", "shared": True}}),
    Step("security group create named default", "POST", N, "/v2.0/security-groups",
         {"security_group": {"name": "default"}}),
    Step("security group rename to default", "PUT", N, "/v2.0/security-groups/{sg}",
         {"security_group": {"name": "default"}}),
    Step("security group rule create with an integer protocol", "POST", N, SG_RULE,
         rule(protocol=17, port_range_min=53, port_range_max=53)),
    Step("security group rule create with a remote group that is no UUID", "POST", N, SG_RULE,
         rule(remote_group_id="not-a-uuid")),
    Step("security group rule create in a group that is no UUID", "POST", N, SG_RULE,
         {"security_group_rule": {"security_group_id": "not-a-uuid", "direction": "ingress"}}),
    Step("security group rule create with ports the wrong way round", "POST", N, SG_RULE,
         rule(protocol="tcp", port_range_min=90, port_range_max=80)),
    Step("security group rule create with ports but no protocol", "POST", N, SG_RULE,
         rule(port_range_min=22, port_range_max=22)),
    Step("security group rule create with a port that is no number", "POST", N, SG_RULE,
         rule(protocol="tcp", port_range_min="http", port_range_max=80)),
    Step("security group rule create with port 0", "POST", N, SG_RULE,
         rule(protocol="tcp", port_range_min=0, port_range_max=80)),
    Step("security group rule create with ports for GRE", "POST", N, SG_RULE,
         rule(protocol="gre", port_range_min=22, port_range_max=22)),
    Step("security group rule create with an ICMP type past 255", "POST", N, SG_RULE,
         rule(protocol="icmp", port_range_min=300)),
    Step("security group rule create with an unknown protocol", "POST", N, SG_RULE, rule(protocol=300)),
    Step("security group rule create with an unknown ethertype", "POST", N, SG_RULE, rule(ethertype="IPv5")),
    Step("security group rule create with a prefix that is no CIDR", "POST", N, SG_RULE,
         rule(remote_ip_prefix="10.0.0.0/33")),
    Step("security group rule create, udp by name after 17", "POST", N, SG_RULE,
         rule(protocol="udp", port_range_min=53, port_range_max=53, ethertype="IPv4")),
    Step("security group rule create in bulk", "POST", N, SG_RULE, {"security_group_rules": [
        rule(protocol="tcp", port_range_min=80, port_range_max=80)["security_group_rule"],
        rule(protocol="tcp", port_range_min=443, port_range_max=443)["security_group_rule"]]}),
    Step("security group rule create in bulk, one rule twice", "POST", N, SG_RULE, {"security_group_rules": [
        rule(protocol="tcp", port_range_min=8080, port_range_max=8080)["security_group_rule"],
        rule(protocol="tcp", port_range_min=8080, port_range_max=8080)["security_group_rule"]]}),
    Step("security group show with fields", "GET", N, "/v2.0/security-groups/{sg}?fields=id&fields=shared"),
    Step("tag replace (security group)", "PUT", N, "/v2.0/security-groups/{sg}/tags", {"tags": ["g"]}),
    Step("security group delete", "DELETE", N, "/v2.0/security-groups/{sg}"),
]

ROUTERS = [
    Step("router create by another project", "POST", N, "/v2.0/routers", {"router": {"name": "diff-other-router"}},
         save={"other_router": "router.id"}, caller=OTHER),
    Step("router show by another project", "GET", N, "/v2.0/routers/{other_router}", caller=OTHER),
    Step("router delete by another project", "DELETE", N, "/v2.0/routers/{other_router}", caller=OTHER),
    Step("router update distributed while up", "PUT", N, "/v2.0/routers/{router}", {"router": {"distributed": True}}),
    Step("router add extra routes", "PUT", N, "/v2.0/routers/{router}/add_extraroutes", {"router": {"routes": [
        {"destination": "192.168.70.0/24", "nexthop": "10.70.0.20"}]}}),
    Step("router add extra routes, nexthop not connected", "PUT", N, "/v2.0/routers/{router}/add_extraroutes",
         {"router": {"routes": [{"destination": "192.168.71.0/24", "nexthop": "10.250.0.1"}]}}),
    Step("router remove interface used by a route", "PUT", N, "/v2.0/routers/{router}/remove_router_interface",
         {"subnet_id": "{subnet}"}),
    Step("router remove extra routes", "PUT", N, "/v2.0/routers/{router}/remove_extraroutes", {"router": {"routes": [
        {"destination": "192.168.70.0/24", "nexthop": "10.70.0.20"}]}}),
]

EXTERNAL = [
    Step("network create (second external)", "POST", N, "/v2.0/networks", {"network": {
        "name": "diff-ext", "router:external": True}}, save={"ext": "network.id"}),
    Step("subnet create (second external)", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{ext}", "cidr": "10.81.0.0/24", "ip_version": 4, "enable_dhcp": False}}),
    Step("floating IP create (second external)", "POST", N, "/v2.0/floatingips",
         {"floatingip": {"floating_network_id": "{ext}"}}, save={"ext_fip": "floatingip.id"}),
    Step("network delete (external, with an unassociated floating IP)", "DELETE", N, "/v2.0/networks/{ext}"),
    Step("floating IP show (deleted with its network)", "GET", N, "/v2.0/floatingips/{ext_fip}"),
]

READS = [
    Step("network show for its revision", "GET", N, "/v2.0/networks/{net}",
         save={"revision": "network.revision_number"}),
    Step("network update with a stale If-Match", "PUT", N, "/v2.0/networks/{net}", {"network": {"description": "x"}},
         headers={"If-Match": "revision_number=9999"}),
    Step("network update with the current If-Match", "PUT", N, "/v2.0/networks/{net}",
         {"network": {"description": "y"}}, headers={"If-Match": "revision_number={revision}"}),
    Step("network list changed since", "GET", N, "/v2.0/networks?changed_since=2000-01-01T00:00:00Z&name=diff-net"),
    Step("agent list", "GET", N, "/v2.0/agents"),
    Step("agent list by another project", "GET", N, "/v2.0/agents", caller=OTHER),
    Step("network availability zone list", "GET", N, "/v2.0/availability_zones"),
    Step("service provider list", "GET", N, "/v2.0/service-providers"),
    Step("network IP availability list", "GET", N, "/v2.0/network-ip-availabilities?network_id={net}"),
    Step("network IP availability show", "GET", N, "/v2.0/network-ip-availabilities/{net}"),
    Step("network IP availability show by another project", "GET", N, "/v2.0/network-ip-availabilities/{net}",
         caller=OTHER),
    Step("floating IP pool list", "GET", N, "/v2.0/floatingip-pools"),
]

STEPS = [*EXTENSIONS, *TAGS, *SUBNET_POOLS, *RBAC, *BULK_AND_FIELDS, *IPV6, *SECURITY_GROUPS, *ROUTERS, *EXTERNAL,
         *READS]
