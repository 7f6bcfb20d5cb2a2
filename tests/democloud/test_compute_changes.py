"""Changing a server as Nova 34 does: lock/unlock, rebuild, add/remove a security group (on its ports in
Neutron), server groups at boot, min_count alone, access IPs, `limit=0`, what PUT answers by microversion,
and `--provisioning-delay` governing builds. One cloud for the module."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from netdash.democloud import DemoCloud, Settings
from netdash.democloud import state as state_module
from netdash.democloud.__main__ import parser, settings_of

from ..waiting import wait_for
from .nova_api import Api, fault


@pytest.fixture(scope="module")
def net(api: Api) -> str:
    return api.network("chg-net", "10.61.0.0/24")[0]


def act(api: Api, server: str, body: Any, version: str = "2.100") -> Any:
    return api.nova("POST", f"/servers/{server}/action", body, version=version)


def test_lock_refuses_the_owner_but_not_an_admin_and_records_the_reason(module_cloud: DemoCloud, api: Api) -> None:
    server = api.booted("locked")
    assert act(api, server, {"lock": {"locked_reason": "maintenance"}}).status_code == 202
    view = api.server(server)
    assert view["locked"] is True and view["locked_reason"] == "maintenance"
    for body in ({"os-stop": None}, {"reboot": {"type": "SOFT"}}):
        refused = act(api, server, body)
        assert refused.status_code == 409 and fault(refused, "conflictingRequest") == f"Instance {server} is locked"
    assert api.nova("DELETE", f"/servers/{server}").status_code == 409
    assert act(api, server, {"lock": {"colour": "red"}}).status_code == 400  # 2.73's schema
    assert act(api, server, {"lock": {"locked_reason": "x"}}, version="2.72").status_code == 202  # any value
    assert api.server(server)["locked_reason"] == "maintenance"  # its owner locking it again changes nothing
    admin = Api(module_cloud, "admin")
    assert act(admin, server, {"os-stop": None}).status_code == 202  # Nova's lock stops no admin
    assert act(api, server, {"unlock": None}).status_code == 202
    assert api.server(server)["locked"] is False and api.server(server)["locked_reason"] is None
    # a lock an admin of another project takes is for admins to lift (`unlock_override`)
    assert act(admin, server, {"lock": None}).status_code == 202
    refused = act(api, server, {"unlock": None})
    assert refused.status_code == 403 and "unlock:unlock_override" in fault(refused, "forbidden")
    assert act(admin, server, {"unlock": None}).status_code == 202
    assert api.nova("GET", "/servers", params={"locked": "false"}).status_code == 200


def test_rebuild_keeps_id_and_ports_and_passes_through_rebuild(module_cloud: DemoCloud, api: Api, net: str) -> None:
    server = api.booted("rb", [{"uuid": net}], metadata={"old": "1"})
    before = api.server(server)
    centos = api.image_id("centos-8.2-2004")
    resp = act(api, server, {"rebuild": {"imageRef": centos, "name": "rb2", "metadata": {"new": "2"},
                                         "accessIPv6": "2001:db8:0:0:0:0:0:1"}})
    assert resp.status_code == 202, resp.text
    view = resp.json()["server"]
    assert view["status"] == "REBUILD" and view["id"] == server and view["image"]["id"] == centos
    assert view["name"] == "rb2" and view["metadata"] == {"new": "2"} and view["accessIPv6"] == "2001:db8::1"
    assert view["adminPass"] and "user_data" in view and "OS-EXT-STS:vm_state" in view  # 2.75: GET's fields
    after = api.active(server)
    assert after["addresses"] == before["addresses"] and after["image"]["id"] == centos
    old = act(api, server, {"rebuild": {"imageRef": centos}}, version="2.1").json()["server"]
    assert "OS-EXT-STS:vm_state" not in old and "key_name" not in old and "user_data" not in old
    busy = act(api, server, {"rebuild": {"imageRef": centos}})
    assert busy.status_code == 409 and "task_state rebuilding" in fault(busy, "conflictingRequest")
    api.active(server)
    missing = act(api, server, {"rebuild": {"imageRef": "6d1e3f0a-5b7c-4e2d-9a8b-0c1d2e3f4a5b"}})
    assert missing.status_code == 400 and fault(missing, "badRequest") == "Cannot find image for rebuild"
    assert act(api, server, {"rebuild": {"name": "no image"}}).status_code == 400
    assert act(api, server, {"rebuild": {"imageRef": centos, "key_name": "ghost"}}).status_code == 400
    act(api, server, {"os-stop": None})
    act(api, server, {"rebuild": {"imageRef": centos}})
    assert api.server(server)["status"] == "REBUILD"
    wait_for(lambda: api.server(server)["status"] == "SHUTOFF", what="a stopped server rebuilt stays SHUTOFF")
    actions = [a["action"] for a in api.nova("GET", f"/servers/{server}/os-instance-actions").json()["instanceActions"]]
    assert actions.count("rebuild") == 3


def test_add_and_remove_a_security_group_change_the_ports_in_neutron(module_cloud: DemoCloud, api: Api,
                                                                     net: str) -> None:
    server = api.booted("sg", [{"uuid": net}, {"uuid": net}])
    extra = api.neutron("POST", "/security-groups", {"security_group": {"name": "chg-extra"}}).json()["security_group"]
    assert act(api, server, {"addSecurityGroup": {"name": "chg-extra"}}).status_code == 202
    ports = api.neutron("GET", "/ports", params={"device_id": server}).json()["ports"]
    assert len(ports) == 2 and all(extra["id"] in p["security_groups"] for p in ports)
    # Nova lists a group once per port that has it
    assert api.server(server)["security_groups"].count({"name": "chg-extra"}) == 2
    assert act(api, server, {"removeSecurityGroup": {"name": extra["id"]}}).status_code == 202
    ports = api.neutron("GET", "/ports", params={"device_id": server}).json()["ports"]
    assert all(extra["id"] not in p["security_groups"] for p in ports)
    again = act(api, server, {"removeSecurityGroup": {"name": "chg-extra"}})
    assert again.status_code == 404 and fault(again, "itemNotFound") == (
        f"Security group chg-extra not associated with the instance {server}")
    unknown = act(api, server, {"addSecurityGroup": {"name": "ghost"}})
    assert unknown.status_code == 404 and fault(unknown, "itemNotFound") == (
        f"Security group ghost is not found for project {api.project_id}")
    assert act(api, server, {"addSecurityGroup": {"name": ""}}).status_code == 400
    assert act(api, server, {"addSecurityGroup": {"name": "  "}}).status_code == 400
    portless = api.booted("sg-portless")
    none = act(api, portless, {"addSecurityGroup": {"name": "chg-extra"}})
    assert none.status_code == 404 and "could not be found as device id on any ports" in fault(none, "itemNotFound")
    conn = module_cloud.connection()
    conn.compute.add_security_group_to_server(server, {"name": "chg-extra"})
    assert {"name": "chg-extra"} in api.server(server)["security_groups"]


def test_server_groups_and_anti_affinity_on_one_host(module_cloud: DemoCloud, api: Api) -> None:
    made = api.nova("POST", "/os-server-groups", {"server_group": {"name": "apart", "policy": "anti-affinity"}})
    assert made.status_code == 200, made.text
    group = made.json()["server_group"]
    assert set(group) == {"id", "name", "policy", "rules", "members", "project_id", "user_id"}
    hint = {"group": group["id"]}
    one = api.nova("POST", "/servers", {"server": {"name": "apart-1", "imageRef": api.image_id(), "flavorRef": "1",
                                                   "networks": "none"}, "os:scheduler_hints": hint})
    two = api.nova("POST", "/servers", {"server": {"name": "apart-2", "imageRef": api.image_id(), "flavorRef": "1",
                                                   "networks": "none"}, "os:scheduler_hints": hint})
    first = api.active(one.json()["server"]["id"])
    second = api.server(two.json()["server"]["id"])
    assert second["status"] == "ERROR" and second["fault"]["message"] == (
        "No valid host was found. There are not enough hosts available.")
    assert first["server_groups"] == [group["id"]]
    shown = api.nova("GET", f"/os-server-groups/{group['id']}").json()["server_group"]
    assert shown["members"] == [first["id"], second["id"]]
    legacy = api.nova("GET", f"/os-server-groups/{group['id']}", version="2.1").json()["server_group"]
    assert legacy["policies"] == ["anti-affinity"] and legacy["metadata"] == {} and "project_id" not in legacy
    assert [g["id"] for g in api.nova("GET", "/os-server-groups").json()["server_groups"]] == [group["id"]]
    assert Api(module_cloud, "alt_demo").nova("GET", f"/os-server-groups/{group['id']}").status_code == 404
    rules = api.nova("POST", "/os-server-groups", {"server_group": {
        "name": "x", "policy": "affinity", "rules": {"max_server_per_host": 2}}})
    assert rules.status_code == 400 and fault(rules, "badRequest") == "Only anti-affinity policy supports rules."
    unknown = api.nova("POST", "/servers", {"server": {"name": "x", "imageRef": api.image_id(), "flavorRef": "1",
                                                       "networks": "none"},
                                            "os:scheduler_hints": {"group": "6d1e3f0a-5b7c-4e2d-9a8b-0c1d2e3f4a5b"}})
    assert unknown.status_code == 400
    assert api.nova("DELETE", f"/servers/{second['id']}").status_code == 204
    assert api.nova("GET", f"/os-server-groups/{group['id']}").json()["server_group"]["members"] == [first["id"]]
    assert api.nova("DELETE", f"/os-server-groups/{group['id']}").status_code == 204
    assert api.nova("GET", f"/os-server-groups/{group['id']}").status_code == 404


def test_min_count_alone_access_ips_limit_zero_and_update_answers(module_cloud: DemoCloud, api: Api, net: str) -> None:
    # seed document 001 boots with `--min-count 2` and no --max-count: Nova's max_count defaults to min_count
    many = api.boot("multi", [{"uuid": net}], min_count=2)
    assert many.status_code == 202, many.text
    names = {s["name"] for s in api.nova("GET", "/servers", params={"name": "^multi"}).json()["servers"]}
    assert names == {"multi-1", "multi-2"}
    assert api.boot("x", min_count=3, max_count=2).status_code == 400
    bad_v4 = api.boot("x", accessIPv4="1.1.1.1.1.1")
    assert bad_v4.status_code == 400 and "is not a 'ipv4'" in fault(bad_v4, "badRequest")
    server = api.booted("access", accessIPv6="2001:DB8:0:0:0:0:0:1", accessIPv4="192.0.2.1")
    assert api.server(server)["accessIPv6"] == "2001:db8::1"
    assert api.nova("GET", "/servers", params={"limit": "0"}).json() == {"servers": []}
    assert api.nova("GET", "/servers/detail", params={"limit": "0"}).json() == {"servers": []}
    old = api.nova("PUT", f"/servers/{server}", {"server": {"accessIPv6": "::ffff:1.2.3.4"}}, version="2.1")
    assert old.status_code == 200 and old.json()["server"]["accessIPv6"] == "::ffff:1.2.3.4"
    assert set(old.json()["server"]) == {
        "accessIPv4", "accessIPv6", "addresses", "created", "flavor", "hostId", "id", "image", "links", "metadata",
        "name", "status", "tenant_id", "user_id", "updated", "OS-DCF:diskConfig", "progress"}
    admin = Api(module_cloud, "admin")
    new = admin.nova("PUT", f"/servers/{server}", {"server": {"name": " spaced "}}, version="2.75")
    assert new.status_code == 400  # Nova's name format refuses leading/trailing blanks
    new = admin.nova("PUT", f"/servers/{server}", {"server": {"name": "renamed"}}, version="2.75").json()["server"]
    assert new["host_status"] == "UP" and new["server_groups"] == [] and "OS-EXT-SRV-ATTR:host" in new
    assert "host_status" not in api.nova("PUT", f"/servers/{server}", {"server": {}}, version="2.75").json()["server"]


def test_host_status_is_the_admins_from_2_16(module_cloud: DemoCloud, api: Api) -> None:
    server = api.booted("hs")
    admin = Api(module_cloud, "admin")
    assert admin.nova("GET", f"/servers/{server}", version="2.16").json()["server"]["host_status"] == "UP"
    assert "host_status" not in admin.nova("GET", f"/servers/{server}", version="2.15").json()["server"]
    assert "host_status" not in api.server(server)
    detail = admin.nova("GET", "/servers/detail", params={"all_tenants": "1", "name": "^hs$"}).json()["servers"]
    assert detail[0]["host_status"] == "UP"
    building = str(api.boot("hs-building").json()["server"]["id"])
    assert admin.nova("GET", f"/servers/{building}").json()["server"]["host_status"] == ""


def test_provisioning_delay_governs_builds_too(module_cloud: DemoCloud, api: Api) -> None:
    quick = settings_of(parser().parse_args(["--provisioning-delay", "0"]))
    assert (quick.provisioning_delay, quick.build_delay) == (0.0, 0.0)
    default = settings_of(parser().parse_args([]))
    assert (default.provisioning_delay, default.build_delay) == (Settings().provisioning_delay, Settings().build_delay)
    saved = module_cloud.settings.build_delay
    module_cloud.settings.build_delay = quick.build_delay
    try:
        server = api.boot("instant").json()["server"]["id"]
        assert api.server(server)["status"] == "ACTIVE"  # no BUILD to wait out before attaching a port
    finally:
        module_cloud.settings.build_delay = saved


def test_the_new_kinds_of_change_are_logged_and_replay_exactly(tmp_path: Path) -> None:
    """Metadata, locks, rebuilds, server groups and the instance actions they leave live in Nova's store, so
    `--state` logs each before it is answered and a reload is the very same cloud."""
    path = tmp_path / "cloud.json"
    with DemoCloud(seed=False, settings=Settings(build_delay=0.01), state=path) as cloud:
        journal = cloud.journal
        assert journal is not None
        journal.verify = True
        api = Api(cloud)
        group = api.nova("POST", "/os-server-groups", {"server_group": {"name": "g", "policy": "affinity"}})
        server = api.nova("POST", "/servers", {"server": {"name": "durable", "imageRef": api.image_id(),
                                                          "flavorRef": "1", "networks": "none"},
                                               "os:scheduler_hints": {"group": group.json()["server_group"]["id"]}})
        server_id = server.json()["server"]["id"]
        api.active(server_id)
        api.nova("PUT", f"/servers/{server_id}/metadata/k", {"meta": {"k": "v"}})
        act(api, server_id, {"rebuild": {"imageRef": api.image_id()}})
        api.active(server_id)
        act(api, server_id, {"lock": {"locked_reason": "kept"}})
        assert journal.missed == []
        with cloud.cloud.lock:
            live = state_module.dumps(cloud.cloud)
            assert state_module.dumps(DemoCloud(settings=Settings(), state=path).cloud) == live
    reloaded = DemoCloud(settings=Settings(), state=path).cloud.compute.store
    assert reloaded.servers[server_id]["locked_reason"] == "kept" and reloaded.servers[server_id]["metadata"] == {
        "k": "v"}
    assert [a["action"] for a in reloaded.actions[server_id]["actions"]] == ["create", "rebuild", "lock"]
    assert next(iter(reloaded.server_groups.values()))["members"] == [server_id]
