"""Nova servers: create in every network form, views, list filters and paging, update, delete, rules."""

from __future__ import annotations

import base64
from typing import Any

from netdash.democloud import DemoCloud

from ..waiting import wait_for
from .nova_api import Api, fault

NGINX = "#cloud-config\nruncmd:\n- yum install -y nginx\n- systemctl start nginx\n"


def test_create_on_a_network_makes_a_bound_nova_port(empty_cloud: DemoCloud) -> None:
    api = Api(empty_cloud)
    net_id, _ = api.network("private", "10.0.0.0/24")
    user_data = base64.b64encode(NGINX.encode()).decode()
    resp = api.boot("server1", [{"uuid": net_id}], user_data=user_data, metadata={"role": "web"})
    assert resp.status_code == 202
    created = resp.json()["server"]
    assert set(created) == {"id", "links", "OS-DCF:diskConfig", "security_groups", "adminPass"}
    assert resp.headers["location"] == created["links"][0]["href"]
    server = api.server(created["id"])
    assert server["status"] == "BUILD" and server["OS-EXT-STS:task_state"] == "scheduling"
    assert server["hostId"] == "" and server["OS-SRV-USG:launched_at"] is None
    assert server["flavor"]["original_name"] == "m1.tiny" and server["image"]["id"] == api.image_id()
    assert server["key_name"] is None and server["description"] is None and server["config_drive"] == ""
    assert server["metadata"] == {"role": "web"} and server["OS-EXT-SRV-ATTR:hostname"] == "server1"
    assert "OS-EXT-SRV-ATTR:user_data" not in server and "OS-EXT-SRV-ATTR:host" not in server
    ports = api.neutron("GET", "/ports", params={"device_id": created["id"]}).json()["ports"]
    assert len(ports) == 1 and ports[0]["device_owner"] == "compute:nova"
    # as on real Nova (the corpus' reads right after a create): no addresses or groups until the build ends
    assert server["addresses"] == {} and "security_groups" not in server
    active = wait_for(lambda: (s := api.server(created["id"]))["status"] == "ACTIVE" and s, what="ACTIVE")
    address = active["addresses"]["private"][0]
    assert address["addr"] == ports[0]["fixed_ips"][0]["ip_address"] and address["OS-EXT-IPS:type"] == "fixed"
    assert address["OS-EXT-IPS-MAC:mac_addr"] == ports[0]["mac_address"] and address["version"] == 4
    assert active["security_groups"] == [{"name": "default"}]
    assert active["OS-EXT-STS:power_state"] == 1 and active["hostId"] and active["OS-SRV-USG:launched_at"]
    assert active["OS-EXT-AZ:availability_zone"] == "nova"
    nova = empty_cloud.cloud.services["compute"]
    assert nova.get_server(created["id"])["user_data"] == NGINX
    assert nova.server_status(created["id"]) == "ACTIVE" and nova.server_status("nope") is None
    admin_view = Api(empty_cloud, "admin").server(created["id"])
    assert admin_view["OS-EXT-SRV-ATTR:user_data"] == user_data
    assert admin_view["OS-EXT-SRV-ATTR:host"] == "democloud" and admin_view["host_status"] == "UP"
    binding = Api(empty_cloud, "admin").neutron("GET", f"/ports/{ports[0]['id']}").json()["port"]
    assert binding["binding:host_id"] == "democloud"


def test_create_with_ports_fixed_ip_and_boot_from_volume(empty_cloud: DemoCloud) -> None:
    api = Api(empty_cloud)
    net_id, _ = api.network("private", "10.0.0.0/24")
    port = api.port(net_id, "server-1-port")
    by_port = api.boot("server1", [{"port": port["id"]}])
    assert by_port.status_code == 202
    server_id = by_port.json()["server"]["id"]
    claimed = api.neutron("GET", f"/ports/{port['id']}").json()["port"]
    assert claimed["device_id"] == server_id and claimed["device_owner"] == "compute:nova"
    in_use = api.boot("server2", [{"port": port["id"]}])
    assert (
        in_use.status_code == 409
        and fault(in_use, "conflictingRequest") == f"Port {port['id']} is still in use."
    )
    fixed = api.boot("fixed", [{"uuid": net_id, "fixed_ip": "10.0.0.50"}])
    assert api.active(fixed.json()["server"]["id"])["addresses"]["private"][0]["addr"] == "10.0.0.50"
    by_url = api.boot("by-url", flavorRef=f"{api.base}/compute/v2.1/flavors/2")
    assert api.server(by_url.json()["server"]["id"])["flavor"]["original_name"] == "m1.small"
    taken = api.boot("fixed2", [{"uuid": net_id, "fixed_ip": "10.0.0.50"}])
    assert taken.status_code == 400 and "already in use" in fault(taken, "badRequest")
    bdm = [
        {
            "uuid": api.image_id(),
            "boot_index": 0,
            "source_type": "image",
            "destination_type": "volume",
            "volume_size": 100,
            "delete_on_termination": False,
        }
    ]
    bfv = api.nova(
        "POST",
        "/servers",
        {
            "server": {
                "name": "bfv",
                "imageRef": "",
                "flavorRef": "1",
                "networks": "none",
                "block_device_mapping_v2": bdm,
            }
        },
    )
    assert bfv.status_code == 202
    view = api.server(bfv.json()["server"]["id"])
    assert view["image"] == "" and len(view["os-extended-volumes:volumes_attached"]) == 1
    assert "security_groups" not in view and view["addresses"] == {}


def test_multiple_create_security_groups_and_keys(empty_cloud: DemoCloud) -> None:
    api = Api(empty_cloud)
    net_id, _ = api.network("webserver_network", "10.0.2.0/24")
    group = api.neutron("GET", "/security-groups", params={"name": "default"}).json()["security_groups"][0]
    api.nova(
        "POST",
        "/os-keypairs",
        {
            "keypair": {
                "name": "k",
                "public_key": (
                    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILdBXqhckFaewTcRZTiDkx5HNUCUcToJlXgar7oUU7CU x"
                ),
            }
        },
        version="2.10",
    )
    resp = api.boot(
        "test",
        [{"uuid": net_id}],
        min_count=2,
        max_count=2,
        key_name="k",
        security_groups=[{"name": group["id"]}],
    )
    assert resp.status_code == 202
    assert resp.json()["server"]["security_groups"] == [{"name": group["id"]}]
    servers = [api.active(s["id"]) for s in api.nova("GET", "/servers/detail").json()["servers"]]
    assert sorted(s["name"] for s in servers) == ["test-1", "test-2"]
    assert {s["OS-EXT-SRV-ATTR:hostname"] for s in servers} == {"test-1", "test-2"}
    assert all(s["security_groups"] == [{"name": "default"}] and s["key_name"] == "k" for s in servers)
    bad_key = api.boot("x", key_name="ghost")
    assert bad_key.status_code == 400 and fault(bad_key, "badRequest") == "Invalid key_name provided."
    bad_group = api.boot("x", security_groups=[{"name": "ghost"}])
    assert bad_group.status_code == 400
    auto = api.boot("auto", "auto")
    assert auto.status_code == 409 and "Multiple possible networks" in fault(auto, "conflictingRequest")


def test_create_rejects_malformed_requests(empty_cloud: DemoCloud) -> None:
    api = Api(empty_cloud)
    assert (
        fault(api.nova("POST", "/servers", content=b'{"server": {"name": "oops",'), "badRequest")
        == "Malformed request body"
    )
    no_flavor = api.nova(
        "POST", "/servers", {"server": {"name": "x", "imageRef": api.image_id(), "networks": "none"}}
    )
    assert "'flavorRef' is a required property" in fault(no_flavor, "badRequest")
    assert fault(api.boot("x", flavorRef="nope"), "badRequest") == "Flavor nope could not be found."
    unknown = "61a803f8-126a-4b65-96f1-d2f4fb02f8ae"
    assert fault(api.boot("x", imageRef=unknown), "badRequest") == f"Image {unknown} could not be found."
    assert fault(api.boot("x", imageRef="ghost"), "badRequest") == (  # Nova's schema: a uuid or ""
        "Invalid input for field/attribute imageRef. Value: ghost. 'ghost' is not valid under any of the "
        "given schemas")
    assert fault(api.boot("x ", imageRef=unknown), "badRequest") == (  # Nova's `format: name`
        "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end "
        "with whitespace.")
    for spec in (
        {"networks": "some"},
        {"networks": [{"uuid": "not-a-uuid"}]},
        {"networks": [{"port": "p"}]},
        {"user_data": "***"},
        {"min_count": 0},
        {"min_count": 3, "max_count": 2},
        {"bogus": 1},
        {"metadata": {"k": 1}},
        {"availability_zone": "mars"},
        {"name": ""},
        {"name": 7},
    ):
        base = {"name": "x", "imageRef": api.image_id(), "flavorRef": "1", "networks": "none"}
        resp = api.nova("POST", "/servers", {"server": {**base, **spec}})
        assert resp.status_code == 400, (spec, resp.text)
        fault(resp, "badRequest")
    for body in ([], {"server": []}, {"srv": {}}, {"server": {"name": "x", "flavorRef": "1"}}):
        assert api.nova("POST", "/servers", body).status_code == 400
    assert api.nova("GET", "/servers").json()["servers"] == []


def test_list_filters_pagination_and_isolation(empty_cloud: DemoCloud, alt_conn: Any) -> None:
    api = Api(empty_cloud)
    net_id, _ = api.network("private", "10.0.0.0/24")
    ids = [api.boot(f"web{i}", [{"uuid": net_id}]).json()["server"]["id"] for i in range(3)]
    api.boot("db", flavorRef="2")
    names = [s["name"] for s in api.nova("GET", "/servers").json()["servers"]]
    assert names == ["db", "web2", "web1", "web0"]
    assert [
        s["name"] for s in api.nova("GET", "/servers/detail", params={"name": "^web[01]"}).json()["servers"]
    ] == ["web1", "web0"]
    assert api.nova("GET", "/servers/detail", params={"name": "server1"}).json()["servers"] == []
    assert [s["name"] for s in api.nova("GET", "/servers", params={"flavor": "2"}).json()["servers"]] == [
        "db"
    ]
    # the build may finish between the two lists on a loaded machine: each list holds only its status, and
    # together they hold every server
    by_status = {
        status: api.nova("GET", "/servers/detail", params={"deleted": "False", "status": status}).json()["servers"]
        for status in ("BUILD", "ACTIVE")
    }
    assert all(s["status"] == status for status, listed in by_status.items() for s in listed)
    assert len({s["id"] for listed in by_status.values() for s in listed}) == 4
    ip = api.active(ids[1])["addresses"]["private"][0]["addr"]
    assert [s["id"] for s in api.nova("GET", "/servers", params={"ip": f"^{ip}$"}).json()["servers"]] == [
        ids[1]
    ]
    assert api.nova("GET", "/servers", params={"status": "SHUTOFF"}).json()["servers"] == []
    assert api.nova("GET", "/servers", params={"bogus": "1"}).status_code == 400
    first = api.nova("GET", "/servers/detail", params={"limit": "2"}).json()
    assert len(first["servers"]) == 2 and first["servers_links"][0]["rel"] == "next"
    second = api.http.get(
        first["servers_links"][0]["href"], headers={"OpenStack-API-Version": "compute 2.100"}
    )
    assert [s["name"] for s in second.json()["servers"]] == ["web1", "web0"]
    assert api.nova("GET", "/servers", params={"marker": "nope"}).status_code == 400
    # another project sees nothing and gets 404 naming the server
    assert list(alt_conn.compute.servers()) == []
    alt = Api(empty_cloud, "alt_demo")
    missing = alt.nova("GET", f"/servers/{ids[0]}")
    assert fault(missing, "itemNotFound") == f"Instance {ids[0]} could not be found."
    assert alt.nova("DELETE", f"/servers/{ids[0]}").status_code == 404
    assert alt.nova("GET", "/servers", params={"all_tenants": "True"}).status_code == 403
    admin = Api(empty_cloud, "admin")
    assert admin.nova("GET", "/servers").json()["servers"] == []
    assert len(admin.nova("GET", "/servers", params={"all_tenants": "1"}).json()["servers"]) == 4


def test_lookup_by_name_update_and_delete(empty_cloud: DemoCloud, conn: Any) -> None:
    api = Api(empty_cloud)
    net_id, _ = api.network("private", "10.0.0.0/24")
    kept = api.port(net_id, "kept")
    server_id = api.boot("server1", [{"uuid": net_id}, {"port": kept["id"]}]).json()["server"]["id"]
    assert (
        fault(api.nova("GET", "/servers/server1"), "itemNotFound") == "Instance server1 could not be found."
    )
    assert conn.compute.find_server("server1").id == server_id
    renamed = api.nova("PUT", f"/servers/{server_id}", {"server": {"name": "renamed", "description": "d"}})
    assert renamed.status_code == 200
    assert (renamed.json()["server"]["name"], renamed.json()["server"]["description"]) == ("renamed", "d")
    assert api.nova("PUT", f"/servers/{server_id}", {"server": {"flavorRef": "2"}}).status_code == 400
    assert api.nova("PUT", f"/servers/{server_id}", {"server": {"name": " x"}}).status_code == 400
    old = api.nova("GET", f"/servers/{server_id}", version="2.1").json()["server"]
    assert old["flavor"] == {"id": "1", "links": old["flavor"]["links"]} and "description" not in old
    assert "locked" not in old and "tags" not in old
    ports = api.neutron("GET", "/ports", params={"device_id": server_id}).json()["ports"]
    assert len(ports) == 2
    assert api.nova("DELETE", f"/servers/{server_id}").status_code == 204
    assert api.nova("GET", f"/servers/{server_id}").status_code == 404
    survivors = api.neutron("GET", "/ports", params={"network_id": net_id}).json()["ports"]
    assert [p["id"] for p in survivors if p["device_owner"] != "network:dhcp"] == [kept["id"]]
    assert api.neutron("GET", f"/ports/{kept['id']}").json()["port"]["device_id"] == ""
