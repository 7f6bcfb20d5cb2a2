"""`/v2.0/quotas`: limits, usage, defaults, the admin's changes and the 409 past a limit, as Neutron 29
answers them (neutron/extensions/quotasv2.py, quotasv2_detail.py, neutron/db/quota/driver.py)."""

from __future__ import annotations

from typing import Any

import pytest

from netdash.democloud import DemoCloud

from .neutron_api import Neutron

DEFAULTS = {"network": 100, "subnet": 100, "subnetpool": -1, "port": 500, "router": 10, "floatingip": 50,
            "rbac_policy": 10, "security_group": 10, "security_group_rule": 100, "router_route": 30}


@pytest.fixture
def apis(empty_cloud: DemoCloud) -> tuple[Neutron, Neutron, Neutron]:
    return Neutron(empty_cloud), Neutron(empty_cloud, "alt_demo"), Neutron(empty_cloud, "admin")


def project(api: Neutron) -> str:
    return str(api.ok("GET", "/quotas/project")["project"]["project_id"])


def test_a_project_reads_its_limits_defaults_and_usage(apis: tuple[Neutron, Neutron, Neutron]) -> None:
    demo, _, _ = apis
    me = project(demo)
    assert demo.ok("GET", f"/quotas/{me}") == {"quota": DEFAULTS}
    assert demo.ok("GET", f"/quotas/{me}/default") == {"quota": DEFAULTS}
    net = demo.create("network", name="n")
    demo.create("port", network_id=net["id"])
    details: dict[str, Any] = demo.ok("GET", f"/quotas/{me}/details")["quota"]
    assert details["router_route"] == {"limit": 30, "used": 0, "reserved": 0}  # listed, as real Neutron 29 does
    assert details["network"] == {"limit": 100, "used": 1, "reserved": 0}
    assert details["port"] == {"limit": 500, "used": 1, "reserved": 0}
    assert details["floatingip"] == {"limit": 50, "used": 0, "reserved": 0}


def test_only_an_admin_reads_another_projects_quotas_or_changes_any(
        apis: tuple[Neutron, Neutron, Neutron]) -> None:
    demo, alt, admin = apis
    other = project(alt)
    # `get_quota` is admin or manager, checked against the caller's own project: a manager (as every demo
    # account is) reads any project's limits, but only an admin its usage
    assert demo.ok("GET", f"/quotas/{other}") == {"quota": DEFAULTS}
    assert demo.error(demo.call("GET", f"/quotas/{other}/details"), 403, "AdminRequired") == (
        "User does not have admin privileges: Only admin is authorized to access quotas for another project.")
    demo.error(demo.call("PUT", f"/quotas/{project(demo)}", {"quota": {"network": 1}}), 403, "PolicyNotAuthorized")
    demo.error(demo.call("DELETE", f"/quotas/{project(demo)}"), 403, "PolicyNotAuthorized")
    assert admin.ok("GET", f"/quotas/{other}/details")["quota"]["network"]["used"] == 0


def test_a_create_past_the_limit_is_409_over_quota_until_the_admin_resets_it(
        apis: tuple[Neutron, Neutron, Neutron]) -> None:
    demo, _, admin = apis
    me = project(demo)
    demo.create("network", name="first")
    changed = admin.ok("PUT", f"/quotas/{me}", {"quota": {"network": "1", "floatingip": 10}})["quota"]
    assert changed == {**DEFAULTS, "network": 1, "floatingip": 10}
    assert demo.ok("GET", f"/quotas/{me}/details")["quota"]["network"] == {"limit": 1, "used": 1, "reserved": 0}
    refused = demo.call("POST", "/networks", {"network": {"name": "second"}})
    assert demo.error(refused, 409, "OverQuota") == "Quota exceeded for resources: ['network']."
    below = admin.call("PUT", f"/quotas/{me}", {"quota": {"network": 0}})
    assert admin.error(below, 400, "HTTPBadRequest") == (
        "Quota limit 0 for network must be greater than or equal to already used 1")
    assert admin.ok("PUT", f"/quotas/{me}", {"quota": {"network": 0, "force": True}})["quota"]["network"] == 0
    admin.error(admin.call("PUT", f"/quotas/{me}", {"quota": {"networks": 5}}), 400, "HTTPBadRequest")
    admin.error(admin.call("PUT", f"/quotas/{me}", {"quota": {"network": -2}}), 400, "HTTPBadRequest")
    assert admin.call("DELETE", f"/quotas/{me}").status_code == 204
    assert demo.ok("GET", f"/quotas/{me}") == {"quota": DEFAULTS}
    assert admin.error(admin.call("DELETE", f"/quotas/{me}"), 404, "TenantQuotaNotFound") == (
        f"Quota for project {me} could not be found.")
    demo.create("network", name="second")


def test_quota_limits_survive_a_state_save(empty_cloud: DemoCloud) -> None:
    from netdash.democloud import state

    admin = Neutron(empty_cloud, "admin")
    admin.ok("PUT", "/quotas/some-project", {"quota": {"floatingip": 3}})
    document = state.dump(empty_cloud.cloud)
    assert document["stores"]["network"]["quotas"] == {"some-project": {"floatingip": 3}}
    del document["stores"]["network"]["quotas"]  # a file written before quotas were kept still opens
    state.load(empty_cloud.cloud, document)
    assert empty_cloud.cloud.network.store.quotas == {}


def test_openstacksdk_reads_and_changes_quotas(admin_conn: Any, conn: Any) -> None:
    project = conn.current_project_id
    assert conn.network.get_quota(project).floating_ips == 50
    details = conn.network.get_quota(project, details=True)
    assert details.networks == {"limit": 100, "used": 0, "reserved": 0}
    admin_conn.network.update_quota(project, floating_ips=3)
    assert conn.network.get_quota(project).floating_ips == 3
    admin_conn.network.delete_quota(project)
    assert conn.network.get_quota(project).floating_ips == 50


def test_quota_limits_are_in_the_write_ahead_log(tmp_path: Any) -> None:
    from netdash.democloud import Settings

    path = tmp_path / "cloud.json"
    with DemoCloud(seed=False, state=path) as cloud:
        journal = cloud.journal
        assert journal is not None
        journal.verify = True
        admin = Neutron(cloud, "admin")
        admin.ok("PUT", "/quotas/p1", {"quota": {"floatingip": 3}})
        admin.ok("PUT", "/quotas/p2", {"quota": {"port": 7}})
        admin.ok("PUT", "/quotas/p2", {"quota": {"network": 9}})
        assert admin.call("DELETE", "/quotas/p1").status_code == 204
        assert journal.missed == []
        with cloud.cloud.lock:  # what a kill -9 now would leave: the snapshot and its log
            replayed = DemoCloud(settings=Settings(), state=path).cloud.network.store.quotas
        assert replayed == {"p2": {"port": 7, "network": 9}}
