"""Neutron ports: IP allocation, explicit and multiple fixed IPs, MACs, status, bindings, port security."""

from __future__ import annotations

import re
from typing import Any

from netdash.democloud import DemoCloud

from .neutron_api import Neutron


def small_network(api: Neutron, cidr: str = "10.0.0.0/24", **subnet: Any) -> tuple[dict[str, Any], ...]:
    net = api.create("network", name="n")
    sub = api.create("subnet", network_id=net["id"], cidr=cidr, ip_version=4, **subnet)
    return net, sub


def test_port_crud_allocation_mac_and_defaults(conn: Any, empty_cloud: DemoCloud) -> None:
    api = Neutron(empty_cloud)
    net, sub = small_network(api, allocation_pools=[{"start": "10.0.0.10", "end": "10.0.0.200"}])
    port = conn.network.create_port(network_id=net["id"], name="p1")
    ip = port.fixed_ips[0]["ip_address"]
    assert port.fixed_ips[0]["subnet_id"] == sub["id"]
    assert 10 <= int(ip.rsplit(".", 1)[1]) <= 200
    assert re.fullmatch(r"fa:16:3e(:[0-9a-f]{2}){3}", port.mac_address)
    assert port.status == "DOWN" and port.device_id == "" and port.device_owner == ""
    raw = api.ok("GET", f"/ports/{port.id}")["port"]
    default_sg = api.ok("GET", "/security-groups", params={"name": "default"})["security_groups"][0]
    assert raw["security_groups"] == [default_sg["id"]] and raw["port_security_enabled"] is True
    assert raw["allowed_address_pairs"] == [] and raw["extra_dhcp_opts"] == [] and raw["revision_number"] == 1
    assert "binding:host_id" not in raw and raw["binding:vnic_type"] == "normal"
    updated = conn.network.update_port(port, name="renamed", device_id="dev-1", device_owner="compute:nova")
    assert updated.name == "renamed" and updated.device_id == "dev-1"
    assert [p.id for p in conn.network.ports(device_id="dev-1")] == [port.id]
    macs = {conn.network.create_port(network_id=net["id"]).mac_address for _ in range(20)}
    assert len(macs) == 20
    conn.network.delete_port(port)
    assert (
        api.error(api.call("GET", f"/ports/{port.id}"), 404, "PortNotFound")
        == f"Port {port.id} could not be found."
    )
    assert api.call("GET", "/ports", params={"fixed_ips": f"ip_address={ip}"}).json()["ports"] == []


def test_explicit_fixed_ips_conflicts_and_invalid(empty_cloud: DemoCloud) -> None:
    api = Neutron(empty_cloud)
    net, sub = small_network(api)
    first = api.create(
        "port", network_id=net["id"], fixed_ips=[{"subnet_id": sub["id"], "ip_address": "10.0.0.10"}]
    )
    assert first["fixed_ips"] == [{"subnet_id": sub["id"], "ip_address": "10.0.0.10"}]
    resp = api.call(
        "POST",
        "/ports",
        {
            "port": {
                "network_id": net["id"],
                "fixed_ips": [{"subnet_id": sub["id"], "ip_address": "10.0.0.10"}],
            }
        },
    )
    assert (
        api.error(resp, 409, "IpAddressAlreadyAllocated")
        == f"IP address 10.0.0.10 already allocated in subnet {sub['id']}"
    )
    resp = api.call(
        "POST",
        "/ports",
        {
            "port": {
                "network_id": net["id"],
                "fixed_ips": [{"subnet_id": sub["id"], "ip_address": "10.99.0.10"}],
            }
        },
    )
    assert (
        api.error(resp, 400, "InvalidIpForSubnet")
        == "IP address 10.99.0.10 is not a valid IP for the specified subnet."
    )
    resp = api.call(
        "POST", "/ports", {"port": {"network_id": net["id"], "fixed_ips": [{"ip_address": "10.5.0.1"}]}}
    )
    api.error(resp, 400, "InvalidIpForNetwork")
    by_ip = api.create("port", network_id=net["id"], fixed_ips=[{"ip_address": "10.0.0.20"}])
    assert by_ip["fixed_ips"][0]["subnet_id"] == sub["id"]
    by_subnet = api.create("port", network_id=net["id"], fixed_ips=[{"subnet_id": sub["id"]}])
    assert by_subnet["fixed_ips"][0]["subnet_id"] == sub["id"]
    _, other_sub = small_network(api, "10.9.0.0/24")
    resp = api.call(
        "POST", "/ports", {"port": {"network_id": net["id"], "fixed_ips": [{"subnet_id": other_sub["id"]}]}}
    )
    api.error(resp, 400, "InvalidInput")
    two = api.create(
        "port", network_id=net["id"], fixed_ips=[{"subnet_id": sub["id"]}, {"subnet_id": sub["id"]}]
    )
    assert len({ip["ip_address"] for ip in two["fixed_ips"]}) == 2


def test_no_fixed_ip_then_several_fixed_ips(empty_cloud: DemoCloud) -> None:
    """`port set --no-fixed-ip` then `--fixed-ip` three times, as in the port-migration scenario."""
    api = Neutron(empty_cloud)
    net, sub = small_network(api)
    port = api.create(
        "port", network_id=net["id"], fixed_ips=[{"subnet_id": sub["id"], "ip_address": "10.0.0.10"}]
    )
    cleared = api.ok("PUT", f"/ports/{port['id']}", {"port": {"fixed_ips": []}})["port"]
    assert cleared["fixed_ips"] == [] and cleared["revision_number"] == 2
    reuse = api.create("port", network_id=net["id"], fixed_ips=[{"ip_address": "10.0.0.10"}])
    api.ok("DELETE", f"/ports/{reuse['id']}")
    wanted: list[dict[str, str]] = []
    for last in (10, 11, 12):
        wanted.append({"subnet_id": sub["id"], "ip_address": f"10.0.0.{last}"})
        got = api.ok("PUT", f"/ports/{port['id']}", {"port": {"fixed_ips": wanted}})["port"]
        assert got["fixed_ips"] == wanted
    listed = api.ok("GET", "/ports", params={"fixed_ips": "ip_address=10.0.0.11"})["ports"]
    assert [p["id"] for p in listed] == [port["id"]]


def test_pool_exhaustion_is_409(empty_cloud: DemoCloud) -> None:
    api = Neutron(empty_cloud)
    net, sub = small_network(api, "10.0.0.0/29", allocation_pools=[{"start": "10.0.0.2", "end": "10.0.0.4"}])
    ips = {api.create("port", network_id=net["id"])["fixed_ips"][0]["ip_address"] for _ in range(3)}
    assert ips == {"10.0.0.2", "10.0.0.3", "10.0.0.4"}
    msg = api.error(
        api.call("POST", "/ports", {"port": {"network_id": net["id"]}}), 409, "IpAddressGenerationFailure"
    )
    assert msg == f"No more IP addresses available on network {net['id']}."
    resp = api.call(
        "POST", "/ports", {"port": {"network_id": net["id"], "fixed_ips": [{"subnet_id": sub["id"]}]}}
    )
    assert (
        api.error(resp, 409, "IpAddressGenerationFailure")
        == f"No more IP addresses available for subnet {sub['id']}."
    )
    outside_pool = api.create("port", network_id=net["id"], fixed_ips=[{"ip_address": "10.0.0.6"}])
    assert outside_pool["fixed_ips"][0]["ip_address"] == "10.0.0.6"


def test_network_without_subnet_gives_port_without_ip(empty_cloud: DemoCloud) -> None:
    api = Neutron(empty_cloud)
    net = api.create("network", name="bare")
    assert api.create("port", network_id=net["id"])["fixed_ips"] == []


def test_binding_fields_status_and_admin_policy(empty_cloud: DemoCloud) -> None:
    api, admin = Neutron(empty_cloud), Neutron(empty_cloud, "admin")
    net, _ = small_network(api)
    port = api.create("port", network_id=net["id"])
    resp = api.call("PUT", f"/ports/{port['id']}", {"port": {"binding:host_id": "h1"}})
    api.error(resp, 403, "PolicyNotAuthorized")
    bound = admin.ok(
        "PUT",
        f"/ports/{port['id']}",
        {"port": {"binding:host_id": "compute-1", "device_owner": "compute:nova"}},
    )["port"]
    assert bound["status"] == "ACTIVE" and bound["binding:vif_type"] == "ovs"
    assert bound["binding:vif_details"]["port_filter"] is True
    seen = api.ok("GET", f"/ports/{port['id']}")["port"]
    assert seen["status"] == "ACTIVE" and "binding:host_id" not in seen and "binding:vif_type" not in seen
    down = admin.ok("PUT", f"/ports/{port['id']}", {"port": {"admin_state_up": False}})["port"]
    assert down["status"] == "DOWN"
    unbound = admin.create("port", network_id=net["id"], device_owner="Octavia")
    assert unbound["status"] == "DOWN" and unbound["binding:vif_type"] == "unbound"


def test_port_security_groups_and_address_pairs(empty_cloud: DemoCloud) -> None:
    api = Neutron(empty_cloud)
    net, _ = small_network(api)
    web = api.create("security_group", name="web")
    port = api.create(
        "port",
        network_id=net["id"],
        security_groups=[web["id"]],
        allowed_address_pairs=[{"ip_address": "10.0.0.99"}],
    )
    assert port["security_groups"] == [web["id"]]
    assert port["allowed_address_pairs"] == [{"ip_address": "10.0.0.99", "mac_address": port["mac_address"]}]
    resp = api.call("PUT", f"/ports/{port['id']}", {"port": {"port_security_enabled": False}})
    api.error(resp, 409, "PortSecurityPortHasSecurityGroup")
    api.ok("PUT", f"/ports/{port['id']}", {"port": {"security_groups": [], "allowed_address_pairs": []}})
    off = api.ok("PUT", f"/ports/{port['id']}", {"port": {"port_security_enabled": False}})["port"]
    assert off["port_security_enabled"] is False and off["security_groups"] == []
    insecure = api.create("port", network_id=net["id"], port_security_enabled=False)
    assert insecure["security_groups"] == []
    resp = api.call(
        "POST",
        "/ports",
        {
            "port": {
                "network_id": net["id"],
                "port_security_enabled": False,
                "allowed_address_pairs": [{"ip_address": "10.0.0.5"}],
            }
        },
    )
    api.error(resp, 409, "AddressPairAndPortSecurityRequired")
    resp = api.call(
        "POST",
        "/ports",
        {"port": {"network_id": net["id"], "security_groups": ["0b016aae-9ae9-42df-b59d-298e433b22a9"]}},
    )
    api.error(resp, 404, "SecurityGroupNotFound")
    resp = api.call("POST", "/ports", {"port": {"network_id": net["id"], "mac_address": port["mac_address"]}})
    api.error(resp, 409, "MacAddressInUse")


def test_port_on_other_projects_network_is_404(empty_cloud: DemoCloud) -> None:
    api, alt = Neutron(empty_cloud), Neutron(empty_cloud, "alt_demo")
    net, _ = small_network(api)
    resp = alt.call("POST", "/ports", {"port": {"network_id": net["id"]}})
    assert alt.error(resp, 404, "NetworkNotFound") == f"Network {net['id']} could not be found."
    on_public = alt.create("port", network_id=alt.public()["id"], name="server-1-port")
    assert on_public["fixed_ips"][0]["ip_address"].startswith("127.24.4.")
    assert on_public["id"] not in {p["id"] for p in api.ok("GET", "/ports")["ports"]}
