"""What an operator of Octavia configures and looks at: quotas (enforced on create), flavors and
availability zones with their profiles, the providers and what they accept, the amphorae. Driven through
openstacksdk's load-balancer calls, as its own functional tests make them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openstack import exceptions

from netdash.democloud import DemoCloud, Settings
from tests.democloud.lb_support import Api, instant, tenant_network


@pytest.fixture(scope="module")
def cloud() -> Iterator[DemoCloud]:
    with DemoCloud(seed=False, settings=Settings(provisioning_delay=0.0, build_delay=0.1)) as made:
        yield made


@pytest.fixture(scope="module")
def subnet(cloud: DemoCloud) -> str:
    return tenant_network(cloud.connection("demo"))[1]


def test_quotas_through_openstacksdk(cloud: DemoCloud, subnet: str) -> None:
    admin, demo = cloud.connection("admin").load_balancer, cloud.connection("demo").load_balancer
    project = cloud.connection("demo").session.get_project_id()
    shown = demo.get_quota(project)
    assert (shown.load_balancers, shown.members) == (-1, -1)  # unlimited, Octavia's default
    assert admin.get_quota_default().load_balancers == -1
    changed = admin.update_quota(project, load_balancer=1, pool=100, listener=100, health_monitor=100, member=100)
    assert (changed.id, changed.load_balancers, changed.pools) == (project, 1, 100)
    assert {q.project_id: q.load_balancers for q in admin.quotas()}[project] == 1
    assert [q.project_id for q in demo.quotas()] == [project]  # a member lists its own project's only

    first = demo.create_load_balancer(name="one", vip_subnet_id=subnet)
    with pytest.raises(exceptions.ForbiddenException, match="Quota has been met for resources: Load Balancer"):
        demo.create_load_balancer(name="two", vip_subnet_id=subnet)
    with pytest.raises(exceptions.ForbiddenException):  # a member cannot raise its own limits
        demo.update_quota(project, load_balancer=5)
    with pytest.raises(exceptions.ForbiddenException):
        demo.get_quota(cloud.connection("alt_demo").session.get_project_id())

    admin.delete_quota(project, ignore_missing=False)  # back to the defaults: the next create passes
    assert demo.get_quota(project).load_balancers == -1
    second = demo.create_load_balancer(name="two", vip_subnet_id=subnet)
    for lb in (first, second):
        demo.delete_load_balancer(lb.id)


def test_quota_bodies_and_every_kind(cloud: DemoCloud, subnet: str) -> None:
    admin = Api(cloud, cloud.connection("admin"))
    demo = Api(cloud, cloud.connection("demo"))
    project = cloud.connection("demo").session.get_project_id()
    path = f"/lbaas/quotas/{project}"
    bad = admin.put(path, {"quota": {"member": -2}})
    assert bad.status_code == 400 and "Value should be greater or equal to -1" in bad.json()["faultstring"]
    assert admin.put(path, {"quota": {"members": 1}}).status_code == 400
    assert admin.put(path, {"quota": {"loadbalancer": 3}}).json()["quota"]["load_balancer"] == 3
    assert admin.get(f"{path}/default").json()["quota"]["loadbalancer"] == -1
    assert admin.put(path, {"quota": {"l7policy": 0, "member": 1, "loadbalancer": None}}).status_code == 202
    with instant(cloud):
        lb = demo.post("/lbaas/loadbalancers", {"loadbalancer": {"vip_subnet_id": subnet}}).json()["loadbalancer"]
        listener = demo.post("/lbaas/listeners", {"listener": {
            "loadbalancer_id": lb["id"], "protocol": "HTTP", "protocol_port": 80}}).json()["listener"]
        pool = demo.post("/lbaas/pools", {"pool": {"listener_id": listener["id"], "protocol": "HTTP",
                                                   "lb_algorithm": "ROUND_ROBIN"}}).json()["pool"]
        members = f"/lbaas/pools/{pool['id']}/members"
        assert demo.post(members, {"member": {"address": "10.0.0.5", "protocol_port": 80}}).status_code == 201
        over = demo.post(members, {"member": {"address": "10.0.0.6", "protocol_port": 80}})
        assert (over.status_code, over.json()["faultstring"]) == (403, "Quota has been met for resources: Member")
        batch = demo.client.put(demo.base + members, json={"members": [
            {"address": "10.0.0.5", "protocol_port": 80}, {"address": "10.0.0.7", "protocol_port": 80}]})
        assert batch.status_code == 403  # one more than the limit, even in a batch
        policy = demo.post("/lbaas/l7policies", {"l7policy": {"listener_id": listener["id"], "action": "REJECT"}})
        assert policy.json()["faultstring"] == "Quota has been met for resources: L7 Policy"
        assert admin.delete(path).status_code == 202
        assert demo.delete(f"/lbaas/loadbalancers/{lb['id']}", cascade="true").status_code == 204
    assert admin.delete("/lbaas/quotas/6d1e3f0a5b7c4e2d9a8b0c1d2e3f4a5b").status_code == 404


def test_flavors_zones_and_their_profiles(cloud: DemoCloud, subnet: str) -> None:
    admin, demo = cloud.connection("admin").load_balancer, cloud.connection("demo").load_balancer
    profile = admin.create_flavor_profile(name="single", provider_name="amphora",
                                          flavor_data='{"loadbalancer_topology": "SINGLE"}')
    flavor = admin.create_flavor(name="small", flavor_profile_id=profile.id, is_enabled=True, description="d")
    zone_profile = admin.create_availability_zone_profile(name="az-p", provider_name="amphora",
                                                          availability_zone_data='{"compute_zone": "nova"}')
    zone = admin.create_availability_zone(name="az1", availability_zone_profile_id=zone_profile.id,
                                          is_enabled=True)
    assert (zone.name, zone.is_enabled) == ("az1", True)
    assert [f.name for f in demo.flavors()] == ["small"]  # anyone reads flavors and zones...
    assert demo.find_availability_zone("az1").name == "az1"
    with pytest.raises(exceptions.ForbiddenException):  # ...an admin alone their profiles
        list(demo.flavor_profiles())
    assert admin.find_flavor_profile("single").id == profile.id
    assert admin.update_flavor(flavor.id, name="smaller").name == "smaller"

    lb = demo.create_load_balancer(vip_subnet_id=subnet, flavor_id=flavor.id, availability_zone="az1")
    assert (lb.flavor_id, lb.availability_zone, lb.provider) == (flavor.id, "az1", "amphora")
    with pytest.raises(exceptions.ConflictException):  # in use: neither goes
        admin.delete_flavor(flavor.id, ignore_missing=False)
    with pytest.raises(exceptions.ConflictException):
        admin.update_flavor_profile(profile.id, flavor_data="{}")
    demo.delete_load_balancer(lb.id)  # gone at once: the provisioning delay is 0
    admin.update_flavor(flavor.id, is_enabled=False)
    with pytest.raises(exceptions.BadRequestException, match="not allowed in this deployment"):
        demo.create_load_balancer(vip_subnet_id=subnet, flavor_id=flavor.id)
    for delete, ident in ((admin.delete_flavor, flavor.id), (admin.delete_flavor_profile, profile.id),
                          (admin.delete_availability_zone, "az1"),
                          (admin.delete_availability_zone_profile, zone_profile.id)):
        delete(ident, ignore_missing=False)
    assert list(admin.flavors()) == [] and list(admin.availability_zones()) == []


def test_profiles_are_what_the_provider_accepts(cloud: DemoCloud) -> None:
    api = Api(cloud, cloud.connection("admin"))

    def profile(data: Any, provider: str = "amphora") -> httpx.Response:
        text = data if isinstance(data, str) else json.dumps(data)
        return api.post("/lbaas/flavorprofiles", {"flavorprofile": {
            "name": "p", "provider_name": provider, "flavor_data": text}})

    unknown = profile({"loadbalancer_topology": "SINGLE", "colour": "red"})
    assert unknown.status_code == 501
    assert unknown.json()["faultstring"].startswith("Provider 'amphora' does not support a requested option: ")
    assert profile({"loadbalancer_topology": "TRIPLE"}).status_code == 501
    assert profile("{not json").json()["faultstring"] == "{not json is not a valid option for flavor_data"
    assert profile({}, provider="ovn").json()["faultstring"] == "Provider 'ovn' is not enabled."
    assert profile({}).status_code == 201


def test_providers_capabilities_and_amphorae(cloud: DemoCloud, subnet: str) -> None:
    admin, demo = cloud.connection("admin").load_balancer, cloud.connection("demo").load_balancer
    api = Api(cloud, cloud.connection("demo"))
    assert api.get("/lbaas/providers", fields="name").json() == {"providers": [{"name": "amphora"},
                                                                               {"name": "octavia"}]}
    capabilities = {c["name"] for c in admin.provider_flavor_capabilities("amphora")}
    assert {"loadbalancer_topology", "compute_flavor"} <= capabilities
    zone = Api(cloud, cloud.connection("admin")).get(
        "/lbaas/providers/amphora/availability_zone_capabilities", name="compute_zone")
    assert [c["name"] for c in zone.json()["availability_zone_capabilities"]] == ["compute_zone"]
    assert api.get("/lbaas/providers/amphora/flavor_capabilities").status_code == 403

    lb = demo.create_load_balancer(vip_subnet_id=subnet)
    (amphora,) = admin.amphorae(loadbalancer_id=lb.id)
    assert (amphora.status, amphora.role, amphora.ha_ip) == ("ALLOCATED", "STANDALONE", lb.vip_address)
    assert admin.get_amphora(amphora.id).loadbalancer_id == lb.id
    admin.configure_amphora(amphora.id)
    admin.failover_amphora(amphora.id)
    assert admin.get_load_balancer(lb.id).provisioning_status in ("PENDING_UPDATE", "ACTIVE")
    with pytest.raises(exceptions.ForbiddenException):
        list(demo.amphorae())
    demo.delete_load_balancer(lb.id)
