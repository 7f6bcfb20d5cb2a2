"""A server's sub-resources as Nova 34 serves them: metadata, `/ips`, `/os-security-groups` (read from its ports
in Neutron), `/os-server-password` and `/os-instance-actions`. One cloud for the module."""

from __future__ import annotations

import pytest

from netdash.democloud import DemoCloud

from .nova_api import Api, fault


@pytest.fixture(scope="module")
def net(api: Api) -> str:
    return api.network("sub-net", "10.60.0.0/24")[0]


def test_metadata_read_merge_replace_item_and_delete(module_cloud: DemoCloud, api: Api) -> None:
    server = api.booted("meta", "none", metadata={"role": "web"})
    path = f"/servers/{server}/metadata"
    assert api.nova("GET", path).json() == {"metadata": {"role": "web"}}
    merged = api.nova("POST", path, {"metadata": {"tier": "1"}})
    assert merged.status_code == 200 and merged.json() == {"metadata": {"role": "web", "tier": "1"}}
    item = api.nova("PUT", f"{path}/tier", {"meta": {"tier": "2"}})
    assert item.status_code == 200 and item.json() == {"meta": {"tier": "2"}}
    assert api.nova("GET", f"{path}/tier").json() == {"meta": {"tier": "2"}}
    mismatch = api.nova("PUT", f"{path}/tier", {"meta": {"other": "x"}})
    assert mismatch.status_code == 400 and fault(mismatch, "badRequest") == "Request body and URI mismatch"
    two = api.nova("PUT", f"{path}/tier", {"meta": {"tier": "3", "x": "y"}})
    assert two.status_code == 400
    replaced = api.nova("PUT", path, {"metadata": {"only": "this"}})
    assert replaced.json() == {"metadata": {"only": "this"}} and api.server(server)["metadata"] == {"only": "this"}
    assert api.nova("DELETE", f"{path}/only").status_code == 204
    gone = api.nova("GET", f"{path}/only")
    assert gone.status_code == 404 and fault(gone, "itemNotFound") == "Metadata item was not found"
    assert api.nova("DELETE", f"{path}/only").status_code == 404
    too_many = api.nova("PUT", path, {"metadata": {f"k{i}": "v" for i in range(129)}})
    assert too_many.status_code == 403
    assert fault(too_many, "forbidden") == "Maximum number of metadata items exceeds 128"
    bad_key = api.nova("POST", path, {"metadata": {"no/slash": "v"}})
    assert bad_key.status_code == 400
    assert Api(module_cloud, "alt_demo").nova("GET", path).status_code == 404
    # openstacksdk's own calls read and write the same items
    conn = module_cloud.connection()
    conn.compute.set_server_metadata(server, color="blue")
    assert conn.compute.get_server_metadata(server).metadata == {"color": "blue"}


def test_metadata_changes_wait_for_the_build_and_honour_the_lock(module_cloud: DemoCloud, api: Api) -> None:
    saved, module_cloud.settings.build_delay = module_cloud.settings.build_delay, 1.0  # still building when asked
    try:
        building = str(api.boot("meta-early").json()["server"]["id"])
    finally:
        module_cloud.settings.build_delay = saved
    refused = api.nova("POST", f"/servers/{building}/metadata", {"metadata": {"a": "b"}})
    assert refused.status_code == 409
    assert fault(refused, "conflictingRequest") == (
        f"Cannot 'update metadata' instance {building} while it is in vm_state building")
    assert api.nova("GET", f"/servers/{building}/metadata").status_code == 200  # reads never wait
    api.active(building)
    assert api.nova("POST", f"/servers/{building}/action", {"lock": None}).status_code == 202
    locked = api.nova("DELETE", f"/servers/{building}/metadata/a")
    assert locked.status_code == 404  # the item is looked for first, as Nova does
    locked = api.nova("POST", f"/servers/{building}/metadata", {"metadata": {"a": "b"}})
    assert locked.status_code == 409 and fault(locked, "conflictingRequest") == f"Instance {building} is locked"
    admin = Api(module_cloud, "admin")
    assert admin.nova("POST", f"/servers/{building}/metadata", {"metadata": {"a": "b"}}).status_code == 200


def test_ips_by_network_fixed_then_floating(module_cloud: DemoCloud, api: Api, net: str) -> None:
    port = api.port(net, "ips-port")
    server = api.booted("ips", [{"port": port["id"]}, {"uuid": net}])
    public = api.neutron("GET", "/networks", params={"name": "public"}).json()["networks"][0]["id"]
    router = api.neutron("POST", "/routers", {"router": {"external_gateway_info": {"network_id": public}}})
    subnet = api.neutron("GET", "/subnets", params={"network_id": net}).json()["subnets"][0]["id"]
    api.neutron("PUT", f"/routers/{router.json()['router']['id']}/add_router_interface", {"subnet_id": subnet})
    fip = api.neutron("POST", "/floatingips", {"floatingip": {"floating_network_id": public, "port_id": port["id"]}})
    floating = fip.json()["floatingip"]["floating_ip_address"]
    ips = api.nova("GET", f"/servers/{server}/ips").json()["addresses"]
    assert list(ips) == ["sub-net"]
    fixed = [a["addr"] for a in ips["sub-net"][:2]]
    assert port["fixed_ips"][0]["ip_address"] in fixed and ips["sub-net"][2] == {"version": 4, "addr": floating}
    assert all(set(a) == {"version", "addr"} for a in ips["sub-net"])  # no OS-EXT-IPS keys here
    one = api.nova("GET", f"/servers/{server}/ips/sub-net")
    assert one.status_code == 200 and one.json() == {"sub-net": ips["sub-net"]}
    unknown = api.nova("GET", f"/servers/{server}/ips/public")
    assert unknown.status_code == 404 and fault(unknown, "itemNotFound") == (
        "Instance is not a member of specified network")
    detail = api.server(server)["addresses"]["sub-net"]
    assert [a["addr"] for a in detail] == [a["addr"] for a in ips["sub-net"]]
    assert detail[2]["OS-EXT-IPS:type"] == "floating"


def test_os_security_groups_are_the_ports_groups(module_cloud: DemoCloud, api: Api, net: str) -> None:
    web = api.neutron("POST", "/security-groups", {"security_group": {"name": "sub-web"}}).json()["security_group"]
    api.neutron("POST", "/security-group-rules", {"security_group_rule": {
        "security_group_id": web["id"], "direction": "ingress", "protocol": "tcp", "port_range_min": 80,
        "port_range_max": 80, "remote_ip_prefix": "10.0.0.0/8"}})
    server = api.booted("sg", [{"uuid": net}], security_groups=[{"name": "sub-web"}, {"name": "default"}])
    groups = api.nova("GET", f"/servers/{server}/os-security-groups").json()["security_groups"]
    assert [g["name"] for g in groups] == ["default", "sub-web"]  # sorted by (tenant_id, name), as Nova
    mine = next(g for g in groups if g["name"] == "sub-web")
    assert set(mine) == {"id", "name", "description", "tenant_id", "rules"} and mine["tenant_id"] == api.project_id
    assert mine["rules"] == [{"id": mine["rules"][0]["id"], "parent_group_id": web["id"], "ip_protocol": "tcp",
                              "from_port": 80, "to_port": 80, "group": {}, "ip_range": {"cidr": "10.0.0.0/8"}}]
    default = next(g for g in groups if g["name"] == "default")
    # the default group's ingress rules name the group itself; its egress rules are not Nova's to show
    assert {r["group"]["name"] for r in default["rules"]} == {"default"} and len(default["rules"]) == 2
    assert all(r["ip_range"] == {} and r["ip_protocol"] is None and r["from_port"] is None for r in default["rules"])
    assert api.server(server)["security_groups"] == [{"name": "sub-web"}, {"name": "default"}]
    conn = module_cloud.connection()
    fetched = conn.compute.fetch_server_security_groups(conn.compute.get_server(server))
    assert sorted(g["name"] for g in fetched.security_groups) == ["default", "sub-web"]
    none = api.booted("sg-none", "none")
    assert api.nova("GET", f"/servers/{none}/os-security-groups").json() == {"security_groups": []}
    assert "security_groups" not in api.server(none)


def test_password_is_empty_and_clearing_is_accepted(module_cloud: DemoCloud, api: Api) -> None:
    server = api.booted("pw", "none")
    assert api.nova("GET", f"/servers/{server}/os-server-password").json() == {"password": ""}
    cleared = api.nova("DELETE", f"/servers/{server}/os-server-password")
    assert cleared.status_code == 204 and cleared.content == b""
    assert Api(module_cloud, "alt_demo").nova("GET", f"/servers/{server}/os-server-password").status_code == 404


def test_instance_actions_record_each_change_with_its_request_id(module_cloud: DemoCloud, api: Api) -> None:
    created = api.boot("acts")
    server = api.active(created.json()["server"]["id"])["id"]
    stop = api.nova("POST", f"/servers/{server}/action", {"os-stop": None})
    api.nova("POST", f"/servers/{server}/action", {"lock": None})
    listed = api.nova("GET", f"/servers/{server}/os-instance-actions").json()["instanceActions"]
    assert [a["action"] for a in listed] == ["lock", "stop", "create"]  # newest first
    assert set(listed[0]) == {"action", "instance_uuid", "request_id", "user_id", "project_id", "start_time",
                              "message", "updated_at"}
    assert listed[1]["request_id"] == stop.headers["x-openstack-request-id"]
    assert listed[2]["request_id"] == created.headers["x-openstack-request-id"]
    shown = api.nova("GET", f"/servers/{server}/os-instance-actions/{listed[2]['request_id']}")
    action = shown.json()["instanceAction"]
    assert action["events"][0]["event"] == "compute__do_build_and_run_instance"
    assert action["events"][0]["result"] == "Success" and set(action["events"][0]) == {
        "event", "start_time", "finish_time", "result", "hostId"}  # a member sees no host nor traceback
    old = api.nova("GET", f"/servers/{server}/os-instance-actions/{listed[2]['request_id']}", version="2.1")
    assert "events" not in old.json()["instanceAction"] and "updated_at" not in old.json()["instanceAction"]
    admin = Api(module_cloud, "admin").nova("GET", f"/servers/{server}/os-instance-actions/{listed[0]['request_id']}")
    assert admin.json()["instanceAction"]["events"][0]["event"] == "api_lock"
    assert {"host", "traceback", "details"} <= set(admin.json()["instanceAction"]["events"][0])
    page = api.nova("GET", f"/servers/{server}/os-instance-actions", params={"limit": "1"}).json()
    assert len(page["instanceActions"]) == 1 and page["links"][0]["rel"] == "next"
    unknown = api.nova("GET", f"/servers/{server}/os-instance-actions/req-nothing")
    assert unknown.status_code == 404 and fault(unknown, "itemNotFound") == "Action req-nothing not found"
    api.nova("POST", f"/servers/{server}/action", {"unlock": None})
    assert api.nova("DELETE", f"/servers/{server}").status_code == 204
    after = api.nova("GET", f"/servers/{server}/os-instance-actions")  # a deleted server's, from 2.21
    assert [a["action"] for a in after.json()["instanceActions"]][:2] == ["delete", "unlock"]
    assert api.nova("GET", f"/servers/{server}/os-instance-actions", version="2.20").status_code == 404
