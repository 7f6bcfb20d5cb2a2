"""Neutron routers (gateway, interfaces, routes) and floating IPs with the association rules of Neutron."""

from __future__ import annotations

from typing import Any

from netdash.democloud import DemoCloud

from .neutron_api import Neutron, address_not_held


def test_router_gateway_and_interfaces(conn: Any, empty_cloud: DemoCloud) -> None:
    api, admin = Neutron(empty_cloud), Neutron(empty_cloud, "admin")
    public = api.public()
    router = api.create("router", name="private_gateway")
    assert router["external_gateway_info"] is None and router["status"] == "ACTIVE" and router["routes"] == []
    router = api.ok(
        "PUT", f"/routers/{router['id']}", {"router": {"external_gateway_info": {"network_id": public["id"]}}}
    )["router"]
    info = router["external_gateway_info"]
    assert info["network_id"] == public["id"] and info["enable_snat"] is True
    gateway_ip = info["external_fixed_ips"][0]["ip_address"]
    gateway_port = admin.ok("GET", "/ports", params={"device_id": router["id"]})["ports"][0]
    assert gateway_port["device_owner"] == "network:router_gateway" and gateway_port["project_id"] == ""
    assert gateway_port["fixed_ips"][0]["ip_address"] == gateway_ip and gateway_port["status"] == "ACTIVE"
    net = api.create("network", name="private")
    subnet = api.create("subnet", network_id=net["id"], cidr="10.0.0.0/24", ip_version=4)
    added = api.ok("PUT", f"/routers/{router['id']}/add_router_interface", {"subnet_id": subnet["id"]})
    assert set(added) == {"id", "project_id", "port_id", "network_id", "subnet_id", "subnet_ids"}
    assert (added["id"], added["subnet_ids"], added["network_id"]) == (
        router["id"],
        [subnet["id"]],
        net["id"],
    )
    iface = api.ok("GET", f"/ports/{added['port_id']}")["port"]
    assert iface["device_owner"] == "network:router_interface" and iface["device_id"] == router["id"]
    assert iface["fixed_ips"] == [{"subnet_id": subnet["id"], "ip_address": "10.0.0.1"}]
    assert iface["status"] == "ACTIVE"
    again = api.call("PUT", f"/routers/{router['id']}/add_router_interface", {"subnet_id": subnet["id"]})
    assert (
        api.error(again, 400, "BadRequest")
        == f"Bad router request: Router already has a port on subnet {subnet['id']}."
    )
    assert (
        api.error(api.call("DELETE", f"/routers/{router['id']}"), 409, "RouterInUse")
        == f"Router {router['id']} still has ports"
    )
    api.error(api.call("DELETE", f"/ports/{iface['id']}"), 409, "L3PortInUse")
    api.error(api.call("DELETE", f"/networks/{net['id']}"), 409, "NetworkInUse")
    other = api.create(
        "subnet", network_id=api.create("network", name="o")["id"], cidr="10.1.0.0/24", ip_version=4
    )
    missing = api.call("PUT", f"/routers/{router['id']}/remove_router_interface", {"subnet_id": other["id"]})
    assert (
        api.error(missing, 404, "RouterInterfaceNotFoundForSubnet")
        == f"Router {router['id']} has no interface on subnet {other['id']}"
    )
    routed = api.ok(
        "PUT",
        f"/routers/{router['id']}",
        {"router": {"routes": [{"destination": "192.168.0.0/24", "nexthop": "10.0.0.5"}]}},
    )["router"]
    assert routed["routes"] == [{"destination": "192.168.0.0/24", "nexthop": "10.0.0.5"}]
    bad = api.call(
        "PUT",
        f"/routers/{router['id']}",
        {"router": {"routes": [{"destination": "192.168.0.0/24", "nexthop": "172.16.0.5"}]}},
    )
    api.error(bad, 400, "InvalidRoutes")
    held = api.call("PUT", f"/routers/{router['id']}/remove_router_interface", {"subnet_id": subnet["id"]})
    api.error(held, 409, "RouterInterfaceInUseByRoute")  # the route's nexthop is on that subnet
    api.ok("PUT", f"/routers/{router['id']}", {"router": {"routes": []}})
    removed = api.ok("PUT", f"/routers/{router['id']}/remove_router_interface", {"subnet_id": subnet["id"]})
    assert removed["port_id"] == iface["id"]
    api.error(api.call("GET", f"/ports/{iface['id']}"), 404, "PortNotFound")
    api.ok("DELETE", f"/routers/{router['id']}")
    assert admin.ok("GET", "/ports", params={"device_id": router["id"]})["ports"] == []
    api.error(api.call("GET", f"/routers/{router['id']}"), 404, "RouterNotFound")


def test_router_interface_by_port_and_gateway_rules(empty_cloud: DemoCloud) -> None:
    api = Neutron(empty_cloud)
    net = api.create("network", name="n")
    subnet = api.create("subnet", network_id=net["id"], cidr="10.0.0.0/24", ip_version=4)
    port = api.create("port", network_id=net["id"])
    router = api.create("router", name="r")
    added = api.ok("PUT", f"/routers/{router['id']}/add_router_interface", {"port_id": port["id"]})
    assert added["port_id"] == port["id"] and added["subnet_id"] == subnet["id"]
    assert api.ok("GET", f"/ports/{port['id']}")["port"]["device_owner"] == "network:router_interface"
    neither = api.call("PUT", f"/routers/{router['id']}/add_router_interface", {})
    api.error(neither, 400, "BadRequest")
    wrong = api.call(
        "PUT",
        f"/routers/{router['id']}/remove_router_interface",
        {"port_id": api.create("port", network_id=net["id"])["id"]},
    )
    api.error(wrong, 404, "RouterInterfaceNotFound")
    api.ok("PUT", f"/routers/{router['id']}/remove_router_interface", {"port_id": port["id"]})
    internal = api.call(
        "PUT", f"/routers/{router['id']}", {"router": {"external_gateway_info": {"network_id": net["id"]}}}
    )
    assert (
        api.error(internal, 400, "BadRequest")
        == f"Bad router request: Network {net['id']} is not an external network."
    )


def test_floating_ip_lifecycle(conn: Any, empty_cloud: DemoCloud) -> None:
    api, admin = Neutron(empty_cloud), Neutron(empty_cloud, "admin")
    public = api.public()
    net, subnet, router = api.routed()
    fip = api.create("floatingip", floating_network_id=public["id"])
    assert fip["status"] == "DOWN" and fip["port_id"] is None and fip["port_details"] is None
    assert fip["router_id"] is None and fip["floating_ip_address"].startswith("127.24.4.")
    holder = admin.ok("GET", "/ports", params={"device_id": fip["id"]})["ports"][0]
    assert holder["device_owner"] == "network:floatingip" and holder["status"] == "N/A"
    assert holder["fixed_ips"][0]["ip_address"] == fip["floating_ip_address"]
    assert api.ok("GET", "/ports", params={"device_id": fip["id"]})["ports"] == []
    vm1 = api.create("port", network_id=net["id"], name="vm1")
    vm2 = api.create("port", network_id=net["id"], name="vm2")
    linked = api.ok("PUT", f"/floatingips/{fip['id']}", {"floatingip": {"port_id": vm1["id"]}})["floatingip"]
    assert linked["status"] == "ACTIVE" and linked["router_id"] == router["id"]
    assert linked["fixed_ip_address"] == vm1["fixed_ips"][0]["ip_address"]
    assert linked["port_details"]["name"] == "vm1" and linked["port_details"]["device_owner"] == ""
    moved = api.ok("PUT", f"/floatingips/{fip['id']}", {"floatingip": {"port_id": vm2["id"]}})["floatingip"]
    assert moved["port_id"] == vm2["id"] and moved["revision_number"] == 2
    second = api.call(
        "POST", "/floatingips", {"floatingip": {"floating_network_id": public["id"], "port_id": vm2["id"]}}
    )
    message = api.error(second, 409, "FloatingIPPortAlreadyAssociated")
    assert f"with port {vm2['id']} using fixed IP {vm2['fixed_ips'][0]['ip_address']}" in message
    freed = api.ok("PUT", f"/floatingips/{fip['id']}", {"floatingip": {"port_id": None}})["floatingip"]
    assert (freed["port_id"], freed["fixed_ip_address"], freed["router_id"], freed["status"]) == (
        None,
        None,
        None,
        "DOWN",
    )
    direct = api.create(
        "floatingip",
        floating_network_id=public["id"],
        port_id=vm1["id"],
        fixed_ip_address=vm1["fixed_ips"][0]["ip_address"],
    )
    assert direct["port_id"] == vm1["id"] and direct["status"] == "ACTIVE"
    assert [f.id for f in conn.network.ips(port_id=vm1["id"])] == [direct["id"]]
    # a route through the subnet too: Neutron checks the floating IPs first (l3_db's
    # _confirm_router_interface_not_in_use, before extraroute_db's), so the floating IP is named
    api.ok("PUT", f"/routers/{router['id']}/add_extraroutes",
           {"router": {"routes": [{"destination": "192.168.5.0/24", "nexthop": "10.0.0.50"}]}})
    held = api.call("PUT", f"/routers/{router['id']}/remove_router_interface", {"subnet_id": subnet["id"]})
    assert api.error(held, 409, "RouterInterfaceInUseByFloatingIP") == (
        f"Router interface for subnet {subnet['id']} on router {router['id']} cannot be deleted, as it is "
        "required by one or more floating IPs.")
    api.ok("PUT", f"/routers/{router['id']}", {"router": {"routes": []}})
    api.error(
        api.call("PUT", f"/routers/{router['id']}", {"router": {"external_gateway_info": None}}),
        409,
        "RouterExternalGatewayInUseByFloatingIp",
    )
    api.ok("DELETE", f"/ports/{vm1['id']}")
    after = api.ok("GET", f"/floatingips/{direct['id']}")["floatingip"]
    assert after["port_id"] is None and after["status"] == "DOWN"
    api.ok("DELETE", f"/floatingips/{direct['id']}")
    api.error(api.call("GET", f"/floatingips/{direct['id']}"), 404, "FloatingIPNotFound")
    assert admin.ok("GET", "/ports", params={"device_id": direct["id"]})["ports"] == []
    assert (
        api.error(api.call("GET", f"/floatingips/{fip['floating_ip_address']}"), 404, "FloatingIPNotFound")
        == f"Floating IP {fip['floating_ip_address']} could not be found"
    )


def test_floating_ip_rules(empty_cloud: DemoCloud) -> None:
    api = Neutron(empty_cloud)
    public = api.public()
    chosen = api.create("floatingip", floating_network_id=public["id"], floating_ip_address="127.24.4.77")
    assert chosen["floating_ip_address"] == "127.24.4.77"
    taken = api.call(
        "POST",
        "/floatingips",
        {"floatingip": {"floating_network_id": public["id"], "floating_ip_address": "127.24.4.77"}},
    )
    assert api.error(taken, 409, "IpAddressAlreadyAllocated").startswith(
        "IP address 127.24.4.77 already allocated"
    )
    net = api.create("network", name="isolated")
    subnet = api.create("subnet", network_id=net["id"], cidr="192.168.50.0/24", ip_version=4)
    lonely = api.create("port", network_id=net["id"], name="lonely")
    resp = api.call("PUT", f"/floatingips/{chosen['id']}", {"floatingip": {"port_id": lonely["id"]}})
    assert (
        api.error(resp, 404, "ExternalGatewayForFloatingIPNotFound")
        == f"External network {public['id']} is not reachable from subnet {subnet['id']}.  Therefore, cannot "
        f"associate Port {lonely['id']} with a Floating IP."
    )
    resp = api.call(
        "POST", "/floatingips", {"floatingip": {"floating_network_id": public["id"], "port_id": lonely["id"]}}
    )
    api.error(resp, 404, "ExternalGatewayForFloatingIPNotFound")
    routed_net, routed_subnet, _ = api.routed("10.0.0.0/24")
    multi = api.create(
        "port",
        network_id=routed_net["id"],
        fixed_ips=[{"subnet_id": routed_subnet["id"]}, {"subnet_id": routed_subnet["id"]}],
    )
    resp = api.call("PUT", f"/floatingips/{chosen['id']}", {"floatingip": {"port_id": multi["id"]}})
    assert "has multiple fixed IPv4 addresses" in api.error(resp, 400, "BadRequest")
    absent = address_not_held(ip["ip_address"] for ip in multi["fixed_ips"])
    resp = api.call(
        "PUT",
        f"/floatingips/{chosen['id']}",
        {"floatingip": {"port_id": multi["id"], "fixed_ip_address": absent}},
    )
    assert (
        api.error(resp, 400, "BadRequest")
        == f"Bad floatingip request: Port {multi['id']} does not have fixed ip {absent}."
    )
    second = multi["fixed_ips"][1]["ip_address"]
    ok = api.ok(
        "PUT",
        f"/floatingips/{chosen['id']}",
        {"floatingip": {"port_id": multi["id"], "fixed_ip_address": second}},
    )
    assert ok["floatingip"]["fixed_ip_address"] == second
    internal = api.call("POST", "/floatingips", {"floatingip": {"floating_network_id": net["id"]}})
    api.error(internal, 400, "BadRequest")
    missing = api.call("POST", "/floatingips", {"floatingip": {}})
    assert (
        api.error(missing, 400, "HTTPBadRequest")
        == "Failed to parse request. Required attribute 'floating_network_id' not specified"
    )


def test_floating_ip_address_choice_needs_admin_or_manager(empty_cloud: DemoCloud) -> None:
    cloud = empty_cloud.cloud
    ctx = cloud.identity.context_for("demo")
    member = type(ctx)(ctx.project_id, ctx.user_id, ("member", "reader"), ctx.project_name)
    public = cloud.network.store.networks
    net_id = next(n for n in public if public[n]["name"] == "public")
    resp = cloud.call(
        "network",
        "POST",
        "/v2.0/floatingips",
        {"floatingip": {"floating_network_id": net_id, "floating_ip_address": "127.24.4.9"}},
        context=member,
    )
    assert resp.status == 403
    assert resp.body["NeutronError"]["type"] == "PolicyNotAuthorized"
