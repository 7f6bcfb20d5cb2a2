"""Fields as Octavia 19 answers them, where the embedded cloud once answered otherwise (issue 19): an address
as sent, allowed CIDRs of the VIP's IP version, a session persistence update, `fields` on a show."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from netdash.democloud import DemoCloud, Settings
from tests.democloud.lb_support import Api, Stack, build_stack, instant, tenant_network


@pytest.fixture(scope="module")
def cloud() -> Iterator[DemoCloud]:
    with DemoCloud(seed=False, settings=Settings(provisioning_delay=0.2, build_delay=0.1)) as made:
        yield made


@pytest.fixture(scope="module")
def api(cloud: DemoCloud) -> Api:
    return Api(cloud, cloud.connection("demo"))


@pytest.fixture(scope="module")
def stack(cloud: DemoCloud, api: Api) -> Stack:
    _, subnet_id = tenant_network(cloud.connection("demo"))
    with instant(cloud):
        return build_stack(api, subnet_id, monitor=False)


def test_a_member_address_is_answered_as_sent(cloud: DemoCloud, api: Api, stack: Stack) -> None:
    members = f"/lbaas/pools/{stack.pool['id']}/members"
    with instant(cloud):
        made = api.post(members, {"member": {"address": "2001:db8:0:0:0:0:0:1", "protocol_port": 80,
                                             "monitor_address": "2001:DB8::2"}}).json()["member"]
        assert (made["address"], made["monitor_address"]) == ("2001:db8:0:0:0:0:0:1", "2001:DB8::2")
        shown = api.get(f"{members}/{made['id']}").json()["member"]
        assert shown["address"] == "2001:db8:0:0:0:0:0:1"
        assert api.delete(f"{members}/{made['id']}").status_code == 204


def test_allowed_cidrs_of_the_vips_ip_version_and_the_lock_they_take(cloud: DemoCloud, api: Api,
                                                                      stack: Stack) -> None:
    path = f"/lbaas/listeners/{stack.listener['id']}"
    vip = stack.lb["vip_address"]
    wrong = api.put(path, {"listener": {"allowed_cidrs": ["10.1.0.0/16", "2001:db8::/64"]}})
    assert (wrong.status_code, wrong.json()["faultstring"]) == (
        400, f"Validation failure: CIDR 2001:db8::/64 IP version incompatible with all VIPs ['{vip}'] IP version.")
    assert api.status(f"/lbaas/loadbalancers/{stack.lb['id']}") == "ACTIVE"  # a refusal locks nothing
    accepted = api.put(path, {"listener": {"allowed_cidrs": ["10.1.0.1/16"]}})
    assert accepted.json()["listener"]["allowed_cidrs"] == ["10.1.0.0/16"]  # normalised, as CidrType does
    assert api.status(f"/lbaas/loadbalancers/{stack.lb['id']}") == "PENDING_UPDATE"
    api.wait_active(f"/lbaas/loadbalancers/{stack.lb['id']}")  # then ACTIVE: the next change is taken
    cleared = api.put(path, {"listener": {"allowed_cidrs": None}})
    assert cleared.status_code == 200 and cleared.json()["listener"]["allowed_cidrs"] is None
    api.wait_active(f"/lbaas/loadbalancers/{stack.lb['id']}")


def test_session_persistence_update_drops_what_it_does_not_name(cloud: DemoCloud, api: Api, stack: Stack) -> None:
    with instant(cloud):
        pool = api.post("/lbaas/pools", {"pool": {
            "loadbalancer_id": stack.lb["id"], "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN",
            "session_persistence": {"type": "APP_COOKIE", "cookie_name": "sid"}}}).json()["pool"]
        path = f"/lbaas/pools/{pool['id']}"
        changed = api.put(path, {"pool": {"session_persistence": {"type": "HTTP_COOKIE"}}})
        assert changed.status_code == 200, changed.text
        assert changed.json()["pool"]["session_persistence"] == {
            "type": "HTTP_COOKIE", "cookie_name": None, "persistence_timeout": None, "persistence_granularity": None}
        kept_type = api.put(path, {"pool": {"session_persistence": {"cookie_name": "x"}}})
        assert kept_type.json()["faultstring"] == ('Validation failure: Field "cookie_name" can only be specified '
                                                   'with session persistence of type "APP_COOKIE".')
        udp_only = api.put(path, {"pool": {"session_persistence": {"type": "SOURCE_IP", "persistence_timeout": 9}}})
        assert udp_only.status_code == 400
        assert api.delete(path).status_code == 204


def test_fields_on_a_show(api: Api, stack: Stack) -> None:
    shown = api.get(f"/lbaas/loadbalancers/{stack.lb['id']}", fields=["id", "name"]).json()
    assert shown == {"loadbalancer": {"id": stack.lb["id"], "name": stack.lb["name"]}}
    assert set(api.get(f"/lbaas/pools/{stack.pool['id']}", fields="id,lb_algorithm").json()["pool"]) == {
        "id", "lb_algorithm"}
