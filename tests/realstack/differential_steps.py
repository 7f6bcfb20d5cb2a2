"""The request sequences of the differential suite (see differential.py), in the order they are sent.

Neutron: a routed network with a port and a floating IP, a second network with no router (floating IPs
cannot reach it), then the error cases, a member of another project creating ports (isolation), the quota API and the
clean-up. Octavia: load balancer -> listener -> pool ->
member -> health monitor -> algorithm change -> a change while PENDING_UPDATE, the error cases, the
cascade delete. Nova (only when realstack runs it): a server booted on a port, its interfaces (attach,
attach of a port in use, detach), the error cases, what NOVA_SERVER asks of it, its deletion. Every
kind is sent once; `kind` names it in DIFFERENCES.md.
"""

from __future__ import annotations

from . import differential_neutron
from .differential import DEEP, MALFORMED, Step

N, LB, C = "network", "load-balancer", "compute"
WAIT = {"wait_lb": True}

NEUTRON = [
    Step("network list by name (public)", "GET", N, "/v2.0/networks?name=public", save={"public": "networks.0.id"}),
    Step("network create", "POST", N, "/v2.0/networks", {"network": {"name": "diff-net"}},
         save={"net": "network.id", "project": "network.project_id"}),
    Step("network show", "GET", N, "/v2.0/networks/{net}"),
    Step("network update", "PUT", N, "/v2.0/networks/{net}", {"network": {"description": "differential"}}),
    Step("network list, full page", "GET", N, "/v2.0/networks?limit=1&name=diff-net"),
    Step("network list, short page", "GET", N, "/v2.0/networks?limit=5&name=diff-net"),
    Step("network list, empty page", "GET", N, "/v2.0/networks?limit=1&name=no-such-network"),
    Step("subnet create", "POST", N, "/v2.0/subnets", {"subnet": {
        "name": "diff-subnet", "network_id": "{net}", "cidr": "10.70.0.0/24", "ip_version": 4}},
        save={"subnet": "subnet.id"}),
    Step("subnet show", "GET", N, "/v2.0/subnets/{subnet}"),
    Step("subnet list by network", "GET", N, "/v2.0/subnets?network_id={net}"),
    Step("subnet create overlapping", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{net}", "cidr": "10.70.0.0/25", "ip_version": 4}}),
    Step("router create", "POST", N, "/v2.0/routers", {"router": {"name": "diff-router"}},
         save={"router": "router.id"}),
    Step("router set gateway", "PUT", N, "/v2.0/routers/{router}",
         {"router": {"external_gateway_info": {"network_id": "{public}"}}}),
    Step("router add interface", "PUT", N, "/v2.0/routers/{router}/add_router_interface", {"subnet_id": "{subnet}"}),
    Step("router add interface twice", "PUT", N, "/v2.0/routers/{router}/add_router_interface",
         {"subnet_id": "{subnet}"}),
    Step("router show", "GET", N, "/v2.0/routers/{router}"),
    Step("port list by device (router)", "GET", N, "/v2.0/ports?device_id={router}"),
    Step("port create with fixed IP", "POST", N, "/v2.0/ports", {"port": {
        "name": "diff-port", "network_id": "{net}",
        "fixed_ips": [{"subnet_id": "{subnet}", "ip_address": "10.70.0.10"}]}}, save={"port": "port.id"}),
    Step("port create duplicate fixed IP", "POST", N, "/v2.0/ports", {"port": {
        "network_id": "{net}", "fixed_ips": [{"subnet_id": "{subnet}", "ip_address": "10.70.0.10"}]}}),
    Step("port show", "GET", N, "/v2.0/ports/{port}"),
    Step("port update", "PUT", N, "/v2.0/ports/{port}", {"port": {"name": "diff-port-renamed"}}),
    Step("floating IP create on port", "POST", N, "/v2.0/floatingips", {"floatingip": {
        "floating_network_id": "{public}", "port_id": "{port}"}}, save={"fip": "floatingip.id"}),
    Step("floating IP show", "GET", N, "/v2.0/floatingips/{fip}"),
    Step("floating IP disassociate", "PUT", N, "/v2.0/floatingips/{fip}", {"floatingip": {"port_id": None}}),
    Step("floating IP associate", "PUT", N, "/v2.0/floatingips/{fip}", {"floatingip": {"port_id": "{port}"}}),
    Step("network create (unrouted)", "POST", N, "/v2.0/networks", {"network": {"name": "diff-island"}},
         save={"island": "network.id"}),
    Step("subnet create (unrouted)", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{island}", "cidr": "10.71.0.0/24", "ip_version": 4}}, save={"island_subnet": "subnet.id"}),
    Step("subnet create bad cidr", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{net}", "cidr": "10.70.0.0/33", "ip_version": 4}}),
    Step("subnet create cidr of another IP version", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{net}", "cidr": "fd00:70::/64", "ip_version": 4}}),
    Step("subnet create with host bits", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{island}", "cidr": "10.72.0.5/24", "ip_version": 4}}),
    Step("network create (point-to-point)", "POST", N, "/v2.0/networks", {"network": {"name": "diff-p2p"}},
         save={"p2p": "network.id"}),
    Step("subnet create /31 with DHCP", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{p2p}", "cidr": "10.73.0.0/31", "ip_version": 4}}),
    Step("subnet create /31, default gateway", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{p2p}", "cidr": "10.73.0.0/31", "ip_version": 4, "enable_dhcp": False}}),
    Step("subnet create /31, gateway on the network address", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{p2p}", "cidr": "10.73.0.0/31", "ip_version": 4, "enable_dhcp": False,
        "gateway_ip": "10.73.0.0"}}),
    Step("subnet create /31 without gateway", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{p2p}", "cidr": "10.73.0.0/31", "ip_version": 4, "enable_dhcp": False,
        "gateway_ip": None}}),
    Step("port create on a /31", "POST", N, "/v2.0/ports", {"port": {"network_id": "{p2p}"}},
         save={"p2p_port": "port.id"}),
    Step("port create (unrouted)", "POST", N, "/v2.0/ports", {"port": {"network_id": "{island}"}},
         save={"island_port": "port.id"}),
    Step("floating IP create on unrouted port", "POST", N, "/v2.0/floatingips", {"floatingip": {
        "floating_network_id": "{public}", "port_id": "{island_port}"}}),
    Step("floating IP move to unrouted port", "PUT", N, "/v2.0/floatingips/{fip}",
         {"floatingip": {"port_id": "{island_port}"}}),
    Step("network delete in use", "DELETE", N, "/v2.0/networks/{net}"),
    Step("router delete in use", "DELETE", N, "/v2.0/routers/{router}"),
    Step("network show unknown", "GET", N, "/v2.0/networks/{unknown}"),
    Step("port show unknown", "GET", N, "/v2.0/ports/{unknown}"),
    Step("router show unknown", "GET", N, "/v2.0/routers/{unknown}"),
    Step("floating IP show unknown", "GET", N, "/v2.0/floatingips/{unknown}"),
    Step("port update unknown", "PUT", N, "/v2.0/ports/{unknown}", {"port": {"name": "x"}}),
    Step("network create malformed body", "POST", N, "/v2.0/networks", MALFORMED),
    Step("network create wrong resource key", "POST", N, "/v2.0/networks", {"netwrk": {"name": "x"}}),
    Step("network create nested 100 000 deep", "POST", N, "/v2.0/networks", DEEP),
    Step("network create boolean that is none", "POST", N, "/v2.0/networks", {"network": {"admin_state_up": "maybe"}}),
    Step("network create read-only attribute", "POST", N, "/v2.0/networks", {"network": {"status": "DOWN"}}),
    Step("network update read-only attribute", "PUT", N, "/v2.0/networks/{net}", {"network": {"id": "{unknown}"}}),
    Step("port create fixed IPs not a list", "POST", N, "/v2.0/ports",
         {"port": {"network_id": "{net}", "fixed_ips": "10.70.0.5"}}),
    Step("subnet create IP version not an integer", "POST", N, "/v2.0/subnets",
         {"subnet": {"network_id": "{net}", "ip_version": "four", "cidr": "10.71.0.0/24"}}),
    Step("port create unknown network", "POST", N, "/v2.0/ports", {"port": {"network_id": "{unknown}"}}),
    Step("extension show unknown", "GET", N, "/v2.0/extensions/external-gateway-multihoming"),
]

#: A member of another project (`caller="other"`) against what this project owns: Neutron's policy decides
#: which ports it may create, and `network:*` device owners are only for the network's owner or an admin.
OTHER = "other"
ISOLATION = [
    Step("port create by another project on a private network", "POST", N, "/v2.0/ports",
         {"port": {"network_id": "{net}"}}, caller=OTHER),
    Step("port create by another project on the external network", "POST", N, "/v2.0/ports",
         {"port": {"network_id": "{public}"}}, save={"other_public_port": "port.id"}, caller=OTHER),
    Step("network create shared", "POST", N, "/v2.0/networks", {"network": {"name": "diff-shared", "shared": True}},
         save={"shared": "network.id"}),
    Step("subnet create (shared)", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{shared}", "cidr": "10.74.0.0/24", "ip_version": 4}}),
    Step("port create by another project on a shared network", "POST", N, "/v2.0/ports",
         {"port": {"network_id": "{shared}", "device_id": "{router}", "device_owner": "compute:nova"}},
         save={"other_port": "port.id"}, caller=OTHER),
    Step("port create by another project as a router interface", "POST", N, "/v2.0/ports", {"port": {
        "network_id": "{shared}", "device_id": "{router}", "device_owner": "network:router_interface"}},
        caller=OTHER),
    Step("port update by another project to a router gateway", "PUT", N, "/v2.0/ports/{other_port}",
         {"port": {"device_owner": "network:router_gateway"}}, caller=OTHER),
    Step("port show by another project of a port on its network", "GET", N, "/v2.0/ports/{port}", caller=OTHER),
]

#: The admin's own project's quotas (it owns diff-net, so networks are in use): read, change, a change below
#: what is used, a create past a limit set with `force`, another project's member asking for the usage, and
#: the reset to the defaults.
QUOTAS = [
    Step("quota show", "GET", N, "/v2.0/quotas/{project}"),
    Step("quota details", "GET", N, "/v2.0/quotas/{project}/details"),
    Step("quota default", "GET", N, "/v2.0/quotas/{project}/default"),
    Step("quota update by admin", "PUT", N, "/v2.0/quotas/{project}", {"quota": {"floatingip": 20}}),
    Step("quota update below usage", "PUT", N, "/v2.0/quotas/{project}", {"quota": {"network": 0}}),
    Step("quota update unknown resource", "PUT", N, "/v2.0/quotas/{project}", {"quota": {"networks": 5}}),
    Step("quota update forced below usage", "PUT", N, "/v2.0/quotas/{project}",
         {"quota": {"network": 0, "force": True}}),
    Step("network create over quota", "POST", N, "/v2.0/networks", {"network": {"name": "diff-over"}}),
    Step("quota details of another project by a member", "GET", N, "/v2.0/quotas/{project}/details",
         caller=OTHER),
    Step("quota reset", "DELETE", N, "/v2.0/quotas/{project}"),
    Step("quota reset again", "DELETE", N, "/v2.0/quotas/{project}"),
]

#: Issue 19's Octavia kinds, sent between the load balancer's build and its deletion: fields as Octavia
#: answers them, L7 policies and rules, quotas, the catalogue of flavors and availability zones, providers,
#: amphorae (a profile's JSON data doubles its braces: a body's strings are format strings)
OCTAVIA_19 = [
    Step("load balancer show, fields", "GET", LB, "/v2.0/lbaas/loadbalancers/{lb}?fields=id&fields=name"),
    Step("provider list, fields", "GET", LB, "/v2.0/lbaas/providers?fields=name"),
    Step("listener create allowed_cidrs of another IP version", "POST", LB, "/v2.0/lbaas/listeners", {"listener": {
        "loadbalancer_id": "{lb}", "protocol": "HTTP", "protocol_port": 81, "allowed_cidrs": ["2001:db8::/64"]}}),
    Step("listener update allowed_cidrs", "PUT", LB, "/v2.0/lbaas/listeners/{listener}",
         {"listener": {"allowed_cidrs": ["10.70.0.0/24"]}}, **WAIT),
    Step("member create, IPv6 address", "POST", LB, "/v2.0/lbaas/pools/{pool}/members", {"member": {
        "address": "2001:db8:0:0:0:0:0:1", "protocol_port": 8080}}, save={"member6": "member.id"}, **WAIT),
    Step("pool create with APP_COOKIE", "POST", LB, "/v2.0/lbaas/pools", {"pool": {
        "loadbalancer_id": "{lb}", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN",
        "session_persistence": {"type": "APP_COOKIE", "cookie_name": "sid"}}}, save={"cookie_pool": "pool.id"},
        **WAIT),
    Step("pool session persistence APP_COOKIE to HTTP_COOKIE", "PUT", LB, "/v2.0/lbaas/pools/{cookie_pool}",
         {"pool": {"session_persistence": {"type": "HTTP_COOKIE"}}}, **WAIT),
    Step("l7 policy create redirect without URL", "POST", LB, "/v2.0/lbaas/l7policies", {"l7policy": {
        "listener_id": "{listener}", "action": "REDIRECT_TO_URL"}}),
    Step("l7 policy create", "POST", LB, "/v2.0/lbaas/l7policies", {"l7policy": {
        "listener_id": "{listener}", "action": "REDIRECT_TO_URL", "redirect_url": "http://example.com/moved"}},
        save={"l7policy": "l7policy.id"}, **WAIT),
    Step("l7 rule create", "POST", LB, "/v2.0/lbaas/l7policies/{l7policy}/rules", {"rule": {
        "type": "PATH", "compare_type": "STARTS_WITH", "value": "/old"}}, save={"l7rule": "rule.id"}, **WAIT),
    Step("l7 rule create without a key", "POST", LB, "/v2.0/lbaas/l7policies/{l7policy}/rules", {"rule": {
        "type": "HEADER", "compare_type": "EQUAL_TO", "value": "x"}}),
    Step("l7 rule create, regex that does not compile", "POST", LB, "/v2.0/lbaas/l7policies/{l7policy}/rules",
         {"rule": {"type": "PATH", "compare_type": "REGEX", "value": "(open"}}),
    Step("l7 policy show", "GET", LB, "/v2.0/lbaas/l7policies/{l7policy}"),
    Step("l7 policy list", "GET", LB, "/v2.0/lbaas/l7policies?listener_id={listener}"),
    Step("l7 rule show", "GET", LB, "/v2.0/lbaas/l7policies/{l7policy}/rules/{l7rule}"),
    Step("l7 rule list", "GET", LB, "/v2.0/lbaas/l7policies/{l7policy}/rules"),
    Step("l7 rule update", "PUT", LB, "/v2.0/lbaas/l7policies/{l7policy}/rules/{l7rule}",
         {"rule": {"value": "/older", "invert": True}}, **WAIT),
    Step("l7 policy update to a pool", "PUT", LB, "/v2.0/lbaas/l7policies/{l7policy}",
         {"l7policy": {"redirect_pool_id": "{cookie_pool}", "position": 1}}, **WAIT),
    Step("listener show with an L7 policy", "GET", LB, "/v2.0/lbaas/listeners/{listener}"),
    Step("pool delete in use by an L7 policy", "DELETE", LB, "/v2.0/lbaas/pools/{cookie_pool}"),
    Step("l7 policy show unknown", "GET", LB, "/v2.0/lbaas/l7policies/{unknown}"),
    Step("l7 rule delete", "DELETE", LB, "/v2.0/lbaas/l7policies/{l7policy}/rules/{l7rule}", **WAIT),
    Step("l7 policy delete", "DELETE", LB, "/v2.0/lbaas/l7policies/{l7policy}", **WAIT),
    Step("load balancer quota update", "PUT", LB, "/v2.0/lbaas/quotas/{lb_project}", {"quota": {"load_balancer": 10}}),
    Step("load balancer quota update below -1", "PUT", LB, "/v2.0/lbaas/quotas/{lb_project}",
         {"quota": {"member": -2}}),
    Step("load balancer quota show", "GET", LB, "/v2.0/lbaas/quotas/{lb_project}"),
    Step("load balancer quota list", "GET", LB, "/v2.0/lbaas/quotas"),
    Step("load balancer quota default", "GET", LB, "/v2.0/lbaas/quotas/{lb_project}/default"),
    Step("load balancer quota reset", "DELETE", LB, "/v2.0/lbaas/quotas/{lb_project}"),
    Step("load balancer quota reset of a project without quotas", "DELETE", LB, "/v2.0/lbaas/quotas/{unknown}"),
    Step("load balancer flavor profile create", "POST", LB, "/v2.0/lbaas/flavorprofiles", {"flavorprofile": {
        "name": "diff-fp", "provider_name": "amphora", "flavor_data": '{{"loadbalancer_topology": "SINGLE"}}'}},
        save={"flavorprofile": "flavorprofile.id"}),
    Step("load balancer flavor profile create, option the provider lacks", "POST", LB, "/v2.0/lbaas/flavorprofiles", {
        "flavorprofile": {"name": "diff-bad", "provider_name": "amphora", "flavor_data": '{{"colour": "red"}}'}}),
    Step("load balancer flavor profile list", "GET", LB, "/v2.0/lbaas/flavorprofiles"),
    Step("load balancer flavor create", "POST", LB, "/v2.0/lbaas/flavors", {"flavor": {
        "name": "diff-flavor", "flavor_profile_id": "{flavorprofile}"}}, save={"lb_flavor": "flavor.id"}),
    Step("load balancer flavor show", "GET", LB, "/v2.0/lbaas/flavors/{lb_flavor}"),
    Step("load balancer flavor list", "GET", LB, "/v2.0/lbaas/flavors"),
    Step("load balancer flavor update", "PUT", LB, "/v2.0/lbaas/flavors/{lb_flavor}", {"flavor": {"enabled": False}}),
    Step("load balancer flavor profile delete in use", "DELETE", LB, "/v2.0/lbaas/flavorprofiles/{flavorprofile}"),
    Step("load balancer flavor delete", "DELETE", LB, "/v2.0/lbaas/flavors/{lb_flavor}"),
    Step("load balancer flavor profile delete", "DELETE", LB, "/v2.0/lbaas/flavorprofiles/{flavorprofile}"),
    Step("availability zone profile create", "POST", LB, "/v2.0/lbaas/availabilityzoneprofiles", {
        "availability_zone_profile": {"name": "diff-azp", "provider_name": "amphora",
                                      "availability_zone_data": '{{"compute_zone": "nova"}}'}},
        save={"azprofile": "availability_zone_profile.id"}),
    Step("availability zone create", "POST", LB, "/v2.0/lbaas/availabilityzones", {"availability_zone": {
        "name": "diff-az", "availability_zone_profile_id": "{azprofile}"}}),
    Step("availability zone list", "GET", LB, "/v2.0/lbaas/availabilityzones"),
    Step("availability zone delete", "DELETE", LB, "/v2.0/lbaas/availabilityzones/diff-az"),
    Step("availability zone profile delete", "DELETE", LB, "/v2.0/lbaas/availabilityzoneprofiles/{azprofile}"),
    Step("provider flavor capabilities", "GET", LB, "/v2.0/lbaas/providers/amphora/flavor_capabilities"),
    Step("provider availability zone capabilities", "GET", LB,
         "/v2.0/lbaas/providers/amphora/availability_zone_capabilities"),
    Step("amphora list of a load balancer", "GET", LB, "/v2.0/octavia/amphorae?loadbalancer_id={lb}"),
]

OCTAVIA = [
    Step("load balancer create", "POST", LB, "/v2.0/lbaas/loadbalancers", {"loadbalancer": {
        "name": "diff-lb", "vip_subnet_id": "{subnet}"}}, save={"lb": "loadbalancer.id",
                                                               "lb_project": "loadbalancer.project_id"}, **WAIT),
    Step("load balancer show", "GET", LB, "/v2.0/lbaas/loadbalancers/{lb}"),
    Step("load balancer list by name", "GET", LB, "/v2.0/lbaas/loadbalancers?name=diff-lb"),
    Step("load balancer list, full page", "GET", LB, "/v2.0/lbaas/loadbalancers?limit=1&name=diff-lb"),
    Step("load balancer list, short page", "GET", LB, "/v2.0/lbaas/loadbalancers?limit=5&name=diff-lb"),
    Step("listener create", "POST", LB, "/v2.0/lbaas/listeners", {"listener": {
        "name": "diff-listener", "loadbalancer_id": "{lb}", "protocol": "HTTP", "protocol_port": 80}},
        save={"listener": "listener.id"}, **WAIT),
    Step("listener create same port", "POST", LB, "/v2.0/lbaas/listeners", {"listener": {
        "loadbalancer_id": "{lb}", "protocol": "HTTP", "protocol_port": 80}}),
    Step("pool create", "POST", LB, "/v2.0/lbaas/pools", {"pool": {
        "name": "diff-pool", "listener_id": "{listener}", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}},
        save={"pool": "pool.id"}, **WAIT),
    Step("member create", "POST", LB, "/v2.0/lbaas/pools/{pool}/members", {"member": {
        "name": "diff-member", "address": "10.70.0.20", "protocol_port": 80, "subnet_id": "{subnet}"}},
        save={"member": "member.id"}, **WAIT),
    Step("member show", "GET", LB, "/v2.0/lbaas/pools/{pool}/members/{member}"),
    Step("member list", "GET", LB, "/v2.0/lbaas/pools/{pool}/members"),
    Step("health monitor create", "POST", LB, "/v2.0/lbaas/healthmonitors", {"healthmonitor": {
        "pool_id": "{pool}", "type": "HTTP", "delay": 3, "timeout": 3, "max_retries": 3}},
        save={"monitor": "healthmonitor.id"}, **WAIT),
    Step("pool algorithm change", "PUT", LB, "/v2.0/lbaas/pools/{pool}",
         {"pool": {"lb_algorithm": "LEAST_CONNECTIONS"}}),
    Step("pool change while PENDING_UPDATE", "PUT", LB, "/v2.0/lbaas/pools/{pool}",
         {"pool": {"lb_algorithm": "SOURCE_IP"}}, **WAIT),
    Step("pool show", "GET", LB, "/v2.0/lbaas/pools/{pool}"),
    Step("pool algorithm SOURCE_IP_PORT", "PUT", LB, "/v2.0/lbaas/pools/{pool}",
         {"pool": {"lb_algorithm": "SOURCE_IP_PORT"}}, **WAIT),
    Step("pool algorithm unknown", "PUT", LB, "/v2.0/lbaas/pools/{pool}", {"pool": {"lb_algorithm": "FASTEST"}}),
    Step("member disable", "PUT", LB, "/v2.0/lbaas/pools/{pool}/members/{member}",
         {"member": {"admin_state_up": False}}, **WAIT),
    Step("load balancer status tree", "GET", LB, "/v2.0/lbaas/loadbalancers/{lb}/status"),
    Step("listener list", "GET", LB, "/v2.0/lbaas/listeners"),
    Step("health monitor show", "GET", LB, "/v2.0/lbaas/healthmonitors/{monitor}"),
    Step("load balancer show unknown", "GET", LB, "/v2.0/lbaas/loadbalancers/{unknown}"),
    Step("pool show unknown", "GET", LB, "/v2.0/lbaas/pools/{unknown}"),
    Step("member show unknown", "GET", LB, "/v2.0/lbaas/pools/{pool}/members/{unknown}"),
    Step("load balancer create malformed body", "POST", LB, "/v2.0/lbaas/loadbalancers", MALFORMED),
    Step("load balancer create boolean that is none", "POST", LB, "/v2.0/lbaas/loadbalancers",
         {"loadbalancer": {"vip_subnet_id": "{subnet}", "admin_state_up": "maybe"}}),
    Step("listener create port not an integer", "POST", LB, "/v2.0/lbaas/listeners", {"listener": {
        "loadbalancer_id": "{lb}", "protocol": "HTTP", "protocol_port": "eighty"}}),
    Step("pool create unknown nested attribute", "POST", LB, "/v2.0/lbaas/pools", {"pool": {
        "listener_id": "{listener}", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN",
        "session_persistence": {"type": "SOURCE_IP", "colour": "red"}}}),
    Step("load balancer create without VIP", "POST", LB, "/v2.0/lbaas/loadbalancers",
         {"loadbalancer": {"name": "no-vip"}}),
    *OCTAVIA_19,
    Step("load balancer delete with children", "DELETE", LB, "/v2.0/lbaas/loadbalancers/{lb}"),
    Step("member delete", "DELETE", LB, "/v2.0/lbaas/pools/{pool}/members/{member}", **WAIT),
    Step("load balancer delete cascade", "DELETE", LB, "/v2.0/lbaas/loadbalancers/{lb}?cascade=true"),
]

#: What issue 19 found missing or different in Nova, on the server of NOVA (ACTIVE, on `diff-server-port` of
#: diff-net): its metadata, addresses, security groups (the ports' in Neutron), password, lock, instance actions,
#: what PUT and rebuild answer by microversion, server groups and what they decide at boot, min_count alone.
S = "/v2.1/servers/{server}"
NOVA_SERVER = [
    Step("server metadata list", "GET", C, f"{S}/metadata"),
    Step("server metadata merge", "POST", C, f"{S}/metadata", {"metadata": {"role": "web"}}),
    Step("server metadata item update", "PUT", C, f"{S}/metadata/role", {"meta": {"role": "db"}}),
    Step("server metadata item show", "GET", C, f"{S}/metadata/role"),
    Step("server metadata item update, key not the path's", "PUT", C, f"{S}/metadata/role", {"meta": {"x": "y"}}),
    Step("server metadata replace", "PUT", C, f"{S}/metadata", {"metadata": {"a": "1"}}),
    Step("server metadata item delete", "DELETE", C, f"{S}/metadata/a"),
    Step("server metadata item show unknown", "GET", C, f"{S}/metadata/a"),
    Step("server metadata over its quota", "PUT", C, f"{S}/metadata", {"metadata": {f"k{i}": "v" for i in range(129)}}),
    Step("server ips", "GET", C, f"{S}/ips"),
    Step("server ips of its network", "GET", C, f"{S}/ips/diff-net"),
    Step("server ips of another network", "GET", C, f"{S}/ips/public"),
    Step("server security groups", "GET", C, f"{S}/os-security-groups"),
    Step("server password", "GET", C, f"{S}/os-server-password"),
    Step("server password clear", "DELETE", C, f"{S}/os-server-password"),
    Step("security group create (for a server)", "POST", N, "/v2.0/security-groups",
         {"security_group": {"name": "diff-server-sg"}}, save={"server_sg": "security_group.id"}),
    Step("server add security group", "POST", C, f"{S}/action", {"addSecurityGroup": {"name": "diff-server-sg"}}),
    Step("server show with an added group", "GET", C, S, version="2.100"),
    Step("server remove security group", "POST", C, f"{S}/action", {"removeSecurityGroup": {"name": "{server_sg}"}}),
    Step("server remove security group not on it", "POST", C, f"{S}/action",
         {"removeSecurityGroup": {"name": "diff-server-sg"}}),
    Step("server add security group unknown", "POST", C, f"{S}/action", {"addSecurityGroup": {"name": "no-such-sg"}}),
    Step("server add security group empty name", "POST", C, f"{S}/action", {"addSecurityGroup": {"name": ""}}),
    Step("security group delete (the server's former)", "DELETE", N, "/v2.0/security-groups/{server_sg}"),
    Step("server lock with a reason", "POST", C, f"{S}/action", {"lock": {"locked_reason": "diff"}}, version="2.73"),
    Step("server lock with a reason before 2.73", "POST", C, f"{S}/action", {"lock": {"locked_reason": "x"}},
         version="2.72"),
    Step("server lock with an unknown key", "POST", C, f"{S}/action", {"lock": {"colour": "red"}}, version="2.73"),
    Step("server show locked", "GET", C, S, version="2.73"),
    Step("server metadata merge while locked (admin)", "POST", C, f"{S}/metadata", {"metadata": {"b": "2"}}),
    Step("server unlock", "POST", C, f"{S}/action", {"unlock": None}),
    Step("server instance actions", "GET", C, f"{S}/os-instance-actions",
         save={"request": "instanceActions.0.request_id"}),
    Step("server instance actions (2.58)", "GET", C, f"{S}/os-instance-actions?limit=1", version="2.58"),
    Step("server instance action show", "GET", C, f"{S}/os-instance-actions/{{request}}"),
    Step("server instance action show (2.84)", "GET", C, f"{S}/os-instance-actions/{{request}}", version="2.84"),
    Step("server instance action show unknown", "GET", C, f"{S}/os-instance-actions/req-{{unknown}}"),
    Step("server update (2.1)", "PUT", C, S, {"server": {"name": "diff-server-renamed"}}),
    Step("server update (2.75)", "PUT", C, S, {"server": {"accessIPv6": "2001:db8:0:0:0:0:0:1"}}, version="2.75"),
    Step("server update access IPv4 not an address", "PUT", C, S, {"server": {"accessIPv4": "1.1.1.1.1.1"}}),
    Step("server show (2.16)", "GET", C, S, version="2.16"),
    Step("server show (2.15)", "GET", C, S, version="2.15"),
    Step("server list detail (2.100)", "GET", C, "/v2.1/servers/detail?name=diff-server", version="2.100"),
    Step("server list, limit 0", "GET", C, "/v2.1/servers?limit=0"),
    Step("server rebuild unknown image", "POST", C, f"{S}/action", {"rebuild": {"imageRef": "{unknown}"}},
         version="2.100"),
    Step("server rebuild", "POST", C, f"{S}/action", {"rebuild": {"imageRef": "{image}", "metadata": {"r": "1"}}},
         version="2.100", wait_server="ACTIVE"),
    Step("server rebuild (2.1)", "POST", C, f"{S}/action", {"rebuild": {"imageRef": "{image}"}},
         wait_server="ACTIVE"),
    Step("server group create", "POST", C, "/v2.1/os-server-groups", {"server_group": {
        "name": "diff-group", "policy": "anti-affinity"}}, save={"group": "server_group.id"}, version="2.64"),
    Step("server group create (2.1)", "POST", C, "/v2.1/os-server-groups", {"server_group": {
        "name": "diff-group-old", "policies": ["affinity"]}}, save={"old_group": "server_group.id"}),
    Step("server group create, rules on affinity", "POST", C, "/v2.1/os-server-groups", {"server_group": {
        "name": "x", "policy": "affinity", "rules": {"max_server_per_host": 2}}}, version="2.64"),
    Step("server create in an anti-affinity group", "POST", C, "/v2.1/servers", {
        "server": {"name": "diff-apart-1", "imageRef": "{image}", "flavorRef": "{flavor}", "networks": "none"},
        "os:scheduler_hints": {"group": "{group}"}}, version="2.100", save={"apart": "server.id"},
        wait_server="ACTIVE", waited="apart"),
    Step("server create as its second member", "POST", C, "/v2.1/servers", {
        "server": {"name": "diff-apart-2", "imageRef": "{image}", "flavorRef": "{flavor}", "networks": "none"},
        "os:scheduler_hints": {"group": "{group}"}}, version="2.100", save={"apart2": "server.id"},
        wait_server="ERROR", waited="apart2"),
    Step("server show, no valid host", "GET", C, "/v2.1/servers/{apart2}", version="2.100"),
    Step("server group show", "GET", C, "/v2.1/os-server-groups/{group}", version="2.64"),
    Step("server group show (2.1)", "GET", C, "/v2.1/os-server-groups/{old_group}"),
    Step("server group list", "GET", C, "/v2.1/os-server-groups", version="2.64"),
    Step("server create in an unknown group", "POST", C, "/v2.1/servers", {
        "server": {"name": "x", "imageRef": "{image}", "flavorRef": "{flavor}", "networks": "none"},
        "os:scheduler_hints": {"group": "{unknown}"}}, version="2.100"),
    Step("server delete (second member)", "DELETE", C, "/v2.1/servers/{apart2}", wait_server="gone", waited="apart2"),
    Step("server delete (first member)", "DELETE", C, "/v2.1/servers/{apart}", wait_server="gone", waited="apart"),
    Step("server group delete", "DELETE", C, "/v2.1/os-server-groups/{group}"),
    Step("server group delete (2.1)", "DELETE", C, "/v2.1/os-server-groups/{old_group}"),
    Step("server group show unknown", "GET", C, "/v2.1/os-server-groups/{unknown}"),
    Step("server create, min_count alone", "POST", C, "/v2.1/servers", {"server": {
        "name": "diff-multi", "imageRef": "{image}", "flavorRef": "{flavor}", "networks": "none", "min_count": 2}},
        version="2.100", save={"multi": "server.id"}, wait_server="ACTIVE", waited="multi"),
    Step("server list, the second of min_count", "GET", C, "/v2.1/servers?name=diff-multi-2",
         save={"multi2": "servers.0.id"}),
    Step("server delete (min_count's first)", "DELETE", C, "/v2.1/servers/{multi}", wait_server="gone",
         waited="multi"),
    Step("server delete (min_count's second)", "DELETE", C, "/v2.1/servers/{multi2}", wait_server="gone",
         waited="multi2"),
    Step("server create, access IPv4 not an address", "POST", C, "/v2.1/servers", {"server": {
        "name": "x", "imageRef": "{image}", "flavorRef": "{flavor}", "networks": "none",
        "accessIPv4": "1.1.1.1.1.1"}}, version="2.100"),
]

NOVA = [
    Step("flavor list", "GET", C, "/v2.1/flavors"),
    Step("port create for a server", "POST", N, "/v2.0/ports", {"port": {
        "name": "diff-server-port", "network_id": "{net}"}}, save={"server_port": "port.id"}),
    Step("port create to attach", "POST", N, "/v2.0/ports", {"port": {
        "name": "diff-attach-port", "network_id": "{net}"}}, save={"attach_port": "port.id"}),
    Step("server create", "POST", C, "/v2.1/servers", {"server": {
        "name": "diff-server", "imageRef": "{image}", "flavorRef": "{flavor}",
        "networks": [{"port": "{server_port}"}]}}, save={"server": "server.id"}, wait_server="ACTIVE"),
    Step("server show", "GET", C, "/v2.1/servers/{server}"),
    Step("server interface list", "GET", C, "/v2.1/servers/{server}/os-interface"),
    Step("server interface attach", "POST", C, "/v2.1/servers/{server}/os-interface",
         {"interfaceAttachment": {"port_id": "{attach_port}"}}),
    Step("server interface attach of a port in use", "POST", C, "/v2.1/servers/{server}/os-interface",
         {"interfaceAttachment": {"port_id": "{server_port}"}}),
    Step("server interface detach", "DELETE", C, "/v2.1/servers/{server}/os-interface/{attach_port}"),
    Step("server show unknown", "GET", C, "/v2.1/servers/{unknown}"),
    Step("server create malformed body", "POST", C, "/v2.1/servers", MALFORMED),
    Step("server create name with leading space", "POST", C, "/v2.1/servers", {"server": {
        "name": " x", "imageRef": "{image}", "flavorRef": "{flavor}", "networks": [{"port": "{attach_port}"}]}}),
    Step("server action of two keys", "POST", C, "/v2.1/servers/{server}/action", {"os-start": None, "os-stop": None}),
    Step("server create without flavor", "POST", C, "/v2.1/servers", {"server": {
        "name": "no-flavor", "imageRef": "{image}", "networks": [{"port": "{attach_port}"}]}}),
    *NOVA_SERVER,
    Step("server delete", "DELETE", C, "/v2.1/servers/{server}", wait_server="gone"),
    Step("port delete (server's)", "DELETE", N, "/v2.0/ports/{server_port}"),
    Step("port delete (attached, then detached)", "DELETE", N, "/v2.0/ports/{attach_port}"),
]

CLEANUP = [
    Step("floating IP delete", "DELETE", N, "/v2.0/floatingips/{fip}"),
    Step("port delete", "DELETE", N, "/v2.0/ports/{port}"),
    Step("router remove interface", "PUT", N, "/v2.0/routers/{router}/remove_router_interface",
         {"subnet_id": "{subnet}"}),
    Step("router delete", "DELETE", N, "/v2.0/routers/{router}"),
    Step("port delete (unrouted)", "DELETE", N, "/v2.0/ports/{island_port}"),
    Step("network delete (unrouted, with subnet)", "DELETE", N, "/v2.0/networks/{island}"),
    Step("port delete (point-to-point)", "DELETE", N, "/v2.0/ports/{p2p_port}"),
    Step("network delete (point-to-point)", "DELETE", N, "/v2.0/networks/{p2p}"),
    Step("port delete unknown", "DELETE", N, "/v2.0/ports/{unknown}"),
    Step("port delete (another project's, by the admin)", "DELETE", N, "/v2.0/ports/{other_port}"),
    # not left on realstack's `public`, run after run
    Step("port delete (another project's on the external network, by its owner)", "DELETE", N,
         "/v2.0/ports/{other_public_port}", caller=OTHER),
    Step("network delete (shared)", "DELETE", N, "/v2.0/networks/{shared}"),
    Step("network delete", "DELETE", N, "/v2.0/networks/{net}"),
]

#: Octavia's load balancer and Nova's server need the subnet: they run between Neutron's creations and the
#: clean-up; the extension kinds (differential_neutron.py) after the quotas' reset
STEPS = [*NEUTRON, *ISOLATION, *QUOTAS, *differential_neutron.STEPS, *OCTAVIA, *NOVA, *CLEANUP]
#: the kinds sent only when realstack runs Nova (REALSTACK_NOVA=1)
NOVA_KINDS = frozenset(step.kind for step in NOVA)


def steps_for(nova: bool) -> list[Step]:
    return STEPS if nova else [step for step in STEPS if step.kind not in NOVA_KINDS]
