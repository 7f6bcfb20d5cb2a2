"""Server actions (stop, start, reboot) and os-interface attach/detach: the port-migration scenario."""

from __future__ import annotations

from typing import Any

from netdash.democloud import DemoCloud

from ..waiting import wait_for
from .nova_api import Api, fault


def boot_active(api: Api, name: str, networks: Any) -> str:
    server_id = str(api.boot(name, networks).json()["server"]["id"])
    wait_for(lambda: api.server(server_id)["status"] == "ACTIVE", what=f"{name} ACTIVE")
    return server_id


def test_stop_start_reboot_and_invalid_states(empty_cloud: DemoCloud, conn: Any) -> None:
    api = Api(empty_cloud)
    building = str(api.boot("early").json()["server"]["id"])
    refused = api.nova("POST", f"/servers/{building}/action", {"os-stop": None})
    # Nova checks the host before the state: a server still being scheduled has none
    assert refused.status_code == 409 and fault(refused, "conflictingRequest") == f"Instance {building} is not ready"
    server_id = boot_active(api, "server1", "none")
    stop = api.nova("POST", f"/servers/{server_id}/action", {"os-stop": None})
    assert stop.status_code == 202 and stop.content == b""
    view = api.server(server_id)
    assert (view["status"], view["OS-EXT-STS:vm_state"], view["OS-EXT-STS:power_state"]) == (
        "SHUTOFF",
        "stopped",
        4,
    )
    assert api.nova("POST", f"/servers/{server_id}/action", {"os-stop": None}).status_code == 409
    # Nova's schemas: os-start/os-stop take any value (`{}`), reboot one of its types
    odd = api.nova("POST", f"/servers/{server_id}/action", {"reboot": {"type": "SIDEWAYS"}})
    assert odd.status_code == 400 and fault(odd, "badRequest") == (
        "Invalid input for field/attribute type. Value: SIDEWAYS. 'SIDEWAYS' is not one of "
        "['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']")
    two = api.nova("POST", f"/servers/{server_id}/action", {"os-start": None, "os-stop": None})
    assert two.status_code == 400 and fault(two, "badRequest") == "Malformed request body"
    assert api.server(server_id)["status"] == "SHUTOFF"
    assert api.nova("POST", f"/servers/{server_id}/action", {"reboot": {"type": "SOFT"}}).status_code == 409
    conn.compute.start_server(server_id)
    assert api.server(server_id)["status"] == "ACTIVE"
    assert api.nova("POST", f"/servers/{server_id}/action", {"os-start": None}).status_code == 409
    conn.compute.reboot_server(server_id, "HARD")
    assert api.server(server_id)["status"] == "HARD_REBOOT"
    wait_for(lambda: api.server(server_id)["status"] == "ACTIVE", what="ACTIVE after reboot")
    assert api.nova("POST", f"/servers/{server_id}/action", {"reboot": {"type": "SOFT"}}).status_code == 202
    assert empty_cloud.cloud.services["compute"].server_status(server_id) == "REBOOT"
    for body in ({"os-explode": None}, {"reboot": {"type": "GENTLE"}}, {}, []):
        assert api.nova("POST", f"/servers/{server_id}/action", body).status_code == 400
    assert api.nova("POST", f"/servers/{server_id}/action", content=b"{").status_code == 400
    alt = Api(empty_cloud, "alt_demo")
    assert alt.nova("POST", f"/servers/{server_id}/action", {"os-stop": None}).status_code == 404


def test_swap_ports_between_servers(empty_cloud: DemoCloud, conn: Any) -> None:
    api = Api(empty_cloud)
    net_id, _ = api.network("public-ish", "10.9.0.0/24")
    port1, port2 = api.port(net_id, "server-1-port"), api.port(net_id, "server-2-port")
    server1 = boot_active(api, "server1", [{"port": port1["id"]}])
    server2 = boot_active(api, "server2", [{"port": port2["id"]}])
    listed = api.nova("GET", f"/servers/{server1}/os-interface", version="2.70").json()[
        "interfaceAttachments"
    ]
    assert [i["port_id"] for i in listed] == [port1["id"]] and listed[0]["tag"] is None
    busy = api.nova(
        "POST", f"/servers/{server1}/os-interface", {"interfaceAttachment": {"port_id": port2["id"]}}
    )
    assert (
        busy.status_code == 409
        and fault(busy, "conflictingRequest") == f"Port {port2['id']} is still in use."
    )
    conn.compute.delete_server_interface(port1["id"], server=server1)
    assert api.nova("DELETE", f"/servers/{server2}/os-interface/{port2['id']}").status_code == 202
    freed = api.neutron("GET", f"/ports/{port1['id']}").json()["port"]
    assert (freed["device_id"], freed["device_owner"]) == ("", "")
    attached = api.nova(
        "POST",
        f"/servers/{server1}/os-interface",
        {"interfaceAttachment": {"port_id": port2["id"]}},
        version="2.70",
    )
    assert attached.status_code == 200
    body = attached.json()["interfaceAttachment"]
    assert (
        body["port_id"] == port2["id"]
        and body["net_id"] == net_id
        and body["mac_addr"] == port2["mac_address"]
    )
    conn.compute.create_server_interface(server2, port_id=port1["id"])
    assert list(api.server(server1)["addresses"]) == ["public-ish"]
    assert api.server(server1)["addresses"]["public-ish"][0]["addr"] == port2["fixed_ips"][0]["ip_address"]
    assert api.neutron("GET", f"/ports/{port1['id']}").json()["port"]["device_id"] == server2
    shown = api.nova("GET", f"/servers/{server2}/os-interface/{port1['id']}")
    assert shown.json()["interfaceAttachment"]["port_id"] == port1["id"]
    assert api.nova("GET", f"/servers/{server2}/os-interface/{port2['id']}").status_code == 404
    by_net = api.nova("POST", f"/servers/{server2}/os-interface", {"interfaceAttachment": {"net_id": net_id}})
    new_port = by_net.json()["interfaceAttachment"]["port_id"]
    assert api.nova("DELETE", f"/servers/{server2}/os-interface/{new_port}").status_code == 202
    assert api.neutron("GET", f"/ports/{new_port}").status_code == 404  # Nova made it, Nova deletes it
    for body in (
        {"interfaceAttachment": {"port_id": port1["id"], "net_id": net_id}},
        {"interfaceAttachment": {"bogus": 1}},
        {"attachment": {}},
    ):
        assert api.nova("POST", f"/servers/{server2}/os-interface", body).status_code == 400
    ghost = api.nova("POST", f"/servers/{server2}/os-interface",
                     {"interfaceAttachment": {"port_id": "61a803f8-126a-4b65-96f1-d2f4fb02f8ae"}})
    assert ghost.status_code == 404
    not_an_id = api.nova("POST", f"/servers/{server2}/os-interface", {"interfaceAttachment": {"port_id": "ghost"}})
    assert fault(not_an_id, "badRequest") == (  # Nova's schema: port_id is a uuid
        "Invalid input for field/attribute port_id. Value: ghost. 'ghost' is not a 'uuid'")


def test_addresses_show_floating_ips(empty_cloud: DemoCloud, conn: Any) -> None:
    api = Api(empty_cloud)
    net_id, subnet_id = api.network("private", "10.0.0.0/24")
    router = api.neutron("POST", "/routers", {"router": {"name": "r"}}).json()["router"]
    public = api.neutron("GET", "/networks", params={"name": "public"}).json()["networks"][0]
    api.neutron(
        "PUT", f"/routers/{router['id']}", {"router": {"external_gateway_info": {"network_id": public["id"]}}}
    )
    api.neutron("PUT", f"/routers/{router['id']}/add_router_interface", {"subnet_id": subnet_id})
    server_id = boot_active(api, "server1", [{"uuid": net_id}])
    port = api.neutron("GET", "/ports", params={"device_id": server_id}).json()["ports"][0]
    fip = api.neutron(
        "POST", "/floatingips", {"floatingip": {"floating_network_id": public["id"], "port_id": port["id"]}}
    )
    assert fip.status_code == 201, fip.text
    entries = api.server(server_id)["addresses"]["private"]
    assert [e["OS-EXT-IPS:type"] for e in entries] == ["fixed", "floating"]
    assert entries[1]["addr"] == fip.json()["floatingip"]["floating_ip_address"]
    assert entries[1]["OS-EXT-IPS-MAC:mac_addr"] == port["mac_address"]
    conn.compute.delete_server(server_id)
    assert (
        api.neutron("GET", f"/floatingips/{fip.json()['floatingip']['id']}").json()["floatingip"]["port_id"]
        is None
    )
