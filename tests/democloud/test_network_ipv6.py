"""IPv6 as Neutron 29 addresses it: EUI-64 addresses from the port's MAC on SLAAC and DHCPv6-stateless
subnets, the mode pairs it refuses, and the deletion of an auto-address subnet whose ports lose their
addresses of it."""

from __future__ import annotations

import ipaddress

import pytest

from netdash.democloud import DemoCloud
from netdash.democloud.network.ipam import eui64

from .neutron_api import Neutron


@pytest.fixture(scope="module")
def api(module_cloud: DemoCloud) -> Neutron:
    return Neutron(module_cloud)


def test_eui64_is_rfc_4291s() -> None:
    assert eui64(ipaddress.ip_network("2001:db8::/64"), "fa:16:3e:12:34:56") == "2001:db8::f816:3eff:fe12:3456"


@pytest.mark.parametrize("mode", ["slaac", "dhcpv6-stateless"])
def test_ports_get_their_eui64_address(api: Neutron, mode: str) -> None:
    net = api.create("network", name=f"v6-{mode}")
    v4 = api.create("subnet", network_id=net["id"], cidr="10.120.0.0/24", ip_version=4)
    early = api.create("port", network_id=net["id"], name="before-the-v6-subnet")
    v6 = api.create("subnet", network_id=net["id"], cidr="2001:db8:1::/64", ip_version=6, ipv6_ra_mode=mode,
                    ipv6_address_mode=mode)
    port = api.create("port", network_id=net["id"], mac_address="fa:16:3e:00:00:01")
    assert port["fixed_ips"][1] == {"subnet_id": v6["id"], "ip_address": "2001:db8:1:0:f816:3eff:fe00:1"}
    assert port["fixed_ips"][0]["subnet_id"] == v4["id"]
    later = api.ok("GET", f"/ports/{early['id']}")["port"]  # a new auto-address subnet addresses the old ports
    assert {"subnet_id": v6["id"], "ip_address": eui64(ipaddress.ip_network(v6["cidr"]), early["mac_address"])} in (
        later["fixed_ips"])
    explicit = api.call("POST", "/ports", {"port": {"network_id": net["id"], "fixed_ips": [
        {"subnet_id": v6["id"], "ip_address": "2001:db8:1::5"}]}})
    api.error(explicit, 400, "AllocationOnAutoAddressSubnet")
    only_v4 = api.create("port", network_id=net["id"], fixed_ips=[{"subnet_id": v4["id"]}])
    assert len(only_v4["fixed_ips"]) == 2  # the auto-address subnet's address comes anyway
    kept = api.ok("PUT", f"/ports/{only_v4['id']}", {"port": {"fixed_ips": [{"subnet_id": v4["id"]}]}})["port"]
    assert len(kept["fixed_ips"]) == 2


def test_a_router_interface_on_a_slaac_subnet_takes_the_gateway(api: Neutron) -> None:
    net = api.create("network", name="v6-routed")
    v6 = api.create("subnet", network_id=net["id"], cidr="2001:db8:2::/64", ip_version=6, ipv6_ra_mode="slaac",
                    ipv6_address_mode="slaac")
    router = api.create("router", name="v6-router")
    added = api.ok("PUT", f"/routers/{router['id']}/add_router_interface", {"subnet_id": v6["id"]})
    iface = api.ok("GET", f"/ports/{added['port_id']}")["port"]
    assert iface["fixed_ips"] == [{"subnet_id": v6["id"], "ip_address": "2001:db8:2::1"}]
    api.error(api.call("DELETE", f"/subnets/{v6['id']}"), 409, "SubnetInUse")  # a router's interface holds it


def test_a_slaac_subnet_with_ports_can_be_deleted(api: Neutron) -> None:
    net = api.create("network", name="v6-delete")
    v4 = api.create("subnet", network_id=net["id"], cidr="10.121.0.0/24", ip_version=4)
    v6 = api.create("subnet", network_id=net["id"], cidr="2001:db8:3::/64", ip_version=6,
                    ipv6_address_mode="slaac")
    port = api.create("port", network_id=net["id"])
    assert api.call("DELETE", f"/subnets/{v6['id']}").status_code == 204
    assert api.ok("GET", f"/ports/{port['id']}")["port"]["fixed_ips"][0]["subnet_id"] == v4["id"]
    assert len(api.ok("GET", f"/ports/{port['id']}")["port"]["fixed_ips"]) == 1
    api.error(api.call("DELETE", f"/subnets/{v4['id']}"), 409, "SubnetInUse")  # a stateful one: refused


@pytest.mark.parametrize(("attrs", "message"), [
    ({"ipv6_ra_mode": "slaac", "ipv6_address_mode": "dhcpv6-stateful"},
     "ipv6_ra_mode set to 'slaac' with ipv6_address_mode set to 'dhcpv6-stateful' is not valid. If both attributes "
     "are set, they must be the same value"),
    ({"ipv6_address_mode": "slaac", "enable_dhcp": False},
     "ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False"),
    ({"ipv6_address_mode": "slaac", "cidr": "2001:db8:9::/80"},
     "Invalid CIDR 2001:db8:9::/80 for IPv6 address mode. OpenStack uses the EUI-64 address format, which requires "
     "the prefix to be /64"),
    ({"ipv6_ra_mode": "slaac", "ip_version": 4, "cidr": "10.122.0.0/24"},
     "ipv6_ra_mode is not valid when ip_version is 4"),
])
def test_invalid_mode_pairs_are_refused(api: Neutron, attrs: dict[str, object], message: str) -> None:
    net = api.create("network", name="v6-modes")
    body = {"network_id": net["id"], "ip_version": 6, "cidr": "2001:db8:9::/64", **attrs}
    refused = api.call("POST", "/subnets", {"subnet": body})
    assert api.error(refused, 400, "InvalidInput") == f"Invalid input for operation: {message}."
