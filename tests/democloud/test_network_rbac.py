"""RBAC policies: a network shared with one project (seen and used by it, `shared` as it sees it), the
wildcard policies behind `shared` and `router:external`, security groups and subnet pools shared the same way,
and the policies other projects depend on, which cannot be taken away."""

from __future__ import annotations

import pytest

from netdash.democloud import DemoCloud
from netdash.democloud.network.store import Store

from .neutron_api import Neutron


@pytest.fixture(scope="module")
def api(module_cloud: DemoCloud) -> Neutron:
    return Neutron(module_cloud)


@pytest.fixture(scope="module")
def alt(module_cloud: DemoCloud) -> Neutron:
    return Neutron(module_cloud, "alt_demo")


def project_of(api: Neutron) -> str:
    return str(api.ok("GET", "/quotas/project")["project"]["project_id"])


def test_sharing_a_network_with_one_project(api: Neutron, alt: Neutron) -> None:
    net = api.create("network", name="rbac-net")
    api.create("subnet", network_id=net["id"], cidr="10.110.0.0/24", ip_version=4)
    alt.error(alt.call("GET", f"/networks/{net['id']}"), 404, "NetworkNotFound")
    target = project_of(alt)
    policy = api.create("rbac_policy", object_type="network", object_id=net["id"], action="access_as_shared",
                        target_tenant=target)
    assert set(policy) == {"id", "project_id", "tenant_id", "action", "object_id", "object_type", "target_tenant"}
    assert policy["target_tenant"] == target and policy["project_id"] == project_of(api)
    seen = alt.ok("GET", f"/networks/{net['id']}")["network"]
    assert seen["shared"] is True  # as the target sees it
    assert api.ok("GET", f"/networks/{net['id']}")["network"]["shared"] is False  # the owner: no wildcard
    assert net["id"] in {n["id"] for n in alt.ok("GET", "/networks")["networks"]}
    assert len(alt.ok("GET", "/subnets", params={"network_id": net["id"]})["subnets"]) == 1
    port = alt.create("port", network_id=net["id"], name="rbac-alt-port")
    assert alt.ok("GET", "/rbac-policies")["rbac_policies"] == []  # the owner's policy, not the target's
    in_use = api.call("DELETE", f"/rbac-policies/{policy['id']}")
    assert "Unable to reconfigure sharing settings" in api.error(in_use, 409, "RbacPolicyInUse")
    alt.ok("DELETE", f"/ports/{port['id']}")
    assert api.call("DELETE", f"/rbac-policies/{policy['id']}").status_code == 204
    alt.error(alt.call("GET", f"/networks/{net['id']}"), 404, "NetworkNotFound")
    api.error(api.call("GET", f"/rbac-policies/{policy['id']}"), 404, "RbacPolicyNotFound")


def test_shared_and_external_are_wildcard_policies(module_cloud: DemoCloud, api: Neutron, alt: Neutron) -> None:
    admin = Neutron(module_cloud, "admin")
    public = api.public()
    mine = {(p["action"], p["target_tenant"]) for p in admin.ok("GET", "/rbac-policies",
                                                                 params={"object_id": public["id"]})["rbac_policies"]}
    assert mine == {("access_as_shared", "*"), ("access_as_external", "*")}
    net = admin.create("network", name="rbac-wild")
    wildcard = admin.create("rbac_policy", object_type="network", object_id=net["id"], action="access_as_shared",
                            target_tenant="*")
    assert admin.ok("GET", f"/networks/{net['id']}")["network"]["shared"] is True
    assert alt.ok("GET", f"/networks/{net['id']}")["network"]["shared"] is True
    admin.error(admin.call("POST", "/rbac-policies", {"rbac_policy": {
        "object_type": "network", "object_id": net["id"], "action": "access_as_shared", "target_tenant": "*"}}),
        409, "DuplicateRbacPolicy")
    unshared = admin.ok("PUT", f"/networks/{net['id']}", {"network": {"shared": False}})["network"]
    assert unshared["shared"] is False
    admin.error(admin.call("GET", f"/rbac-policies/{wildcard['id']}"), 404, "RbacPolicyNotFound")


def test_policy_refusals(api: Neutron, alt: Neutron) -> None:
    net = api.create("network", name="rbac-refusals")

    def create(who: Neutron, **attrs: object) -> object:
        body = {"object_type": "network", "object_id": net["id"], "action": "access_as_shared",
                "target_tenant": project_of(alt), **attrs}
        return who.call("POST", "/rbac-policies", {"rbac_policy": body})

    assert api.error(create(api, target_tenant="*"), 403, "PolicyNotAuthorized") == (
        "Policy doesn't allow create_rbac_policy:target_tenant to be performed.")
    api.error(create(api, action="access_as_owner"), 400, "InvalidActionForType")
    api.error(create(api, object_type="colour"), 400, "InvalidInput")
    api.error(create(api, target_tenant="not-a-project"), 400, "InvalidInput")
    api.error(create(alt, target_tenant=project_of(api)), 404, "NetworkNotFound")
    api.error(create(api, target_project=project_of(alt)), 400, "HTTPBadRequest")  # the body says target_tenant


def test_sharing_a_security_group_and_a_subnet_pool(api: Neutron, alt: Neutron) -> None:
    sg = api.create("security_group", name="rbac-sg")
    alt.error(alt.call("GET", f"/security-groups/{sg['id']}"), 404, "SecurityGroupNotFound")
    api.create("rbac_policy", object_type="security_group", object_id=sg["id"], action="access_as_shared",
               target_tenant=project_of(alt))
    assert alt.ok("GET", f"/security-groups/{sg['id']}")["security_group"]["shared"] is True
    alt_net = alt.create("network", name="rbac-alt-net")
    alt.create("subnet", network_id=alt_net["id"], cidr="10.111.0.0/24", ip_version=4)
    port = alt.create("port", network_id=alt_net["id"], security_groups=[sg["id"]])
    assert port["security_groups"] == [sg["id"]]
    refused = api.call("POST", "/security-groups", {"security_group": {"name": "x", "shared": True}})
    assert api.error(refused, 400, "HTTPBadRequest") == "Attribute 'shared' not allowed in POST"
    pool = api.create("subnetpool", name="rbac-pool", prefixes=["10.112.0.0/16"])
    api.create("rbac_policy", object_type="subnetpool", object_id=pool["id"], action="access_as_shared",
               target_tenant=project_of(alt))
    pool_net = alt.create("network", name="rbac-alt-pool-net")  # one pool (or none) per network and IP version
    carved = alt.create("subnet", network_id=pool_net["id"], ip_version=4, subnetpool_id=pool["id"], prefixlen=24)
    assert carved["cidr"] == "10.112.0.0/24"


def test_a_store_saved_before_rbac_policies_gets_them_from_its_flags() -> None:
    net = {"id": "n1", "project_id": "p1", "shared": True, "router:external": True}
    sg = {"id": "g1", "project_id": "p1", "shared": False}
    first, second = (Store(networks={"n1": dict(net)}, sgs={"g1": dict(sg)}) for _ in range(2))
    assert {(p["action"], p["target_project"], p["object_id"]) for p in first.rbac.values()} == {
        ("access_as_shared", "*", "n1"), ("access_as_external", "*", "n1")}
    assert first.rbac == second.rbac  # the same ids, however often it is loaded
    assert Store(networks={"n1": dict(net)}, rbac=first.rbac, rbac_of=first.rbac_of).rbac == first.rbac
