"""Fields as Octavia 19 answers them, where the embedded lb_cloud once answered otherwise (issue 19): an address
as sent, allowed CIDRs of the VIP's IP version, a session persistence update, `fields` on a show."""

from __future__ import annotations

from netdash.democloud import DemoCloud
from tests.democloud.lb_support import Api, Stack, instant


def test_a_member_address_is_answered_as_sent(lb_cloud: DemoCloud, lb_api: Api, lb_stack: Stack) -> None:
    members = f"/lbaas/pools/{lb_stack.pool['id']}/members"
    with instant(lb_cloud):
        made = lb_api.post(members, {"member": {"address": "2001:db8:0:0:0:0:0:1", "protocol_port": 80,
                                             "monitor_address": "2001:DB8::2"}}).json()["member"]
        assert (made["address"], made["monitor_address"]) == ("2001:db8:0:0:0:0:0:1", "2001:DB8::2")
        shown = lb_api.get(f"{members}/{made['id']}").json()["member"]
        assert shown["address"] == "2001:db8:0:0:0:0:0:1"
        assert lb_api.delete(f"{members}/{made['id']}").status_code == 204


def test_allowed_cidrs_of_the_vips_ip_version_and_the_lock_they_take(lb_cloud: DemoCloud, lb_api: Api,
                                                                      lb_stack: Stack) -> None:
    path = f"/lbaas/listeners/{lb_stack.listener['id']}"
    vip = lb_stack.lb["vip_address"]
    wrong = lb_api.put(path, {"listener": {"allowed_cidrs": ["10.1.0.0/16", "2001:db8::/64"]}})
    assert (wrong.status_code, wrong.json()["faultstring"]) == (
        400, f"Validation failure: CIDR 2001:db8::/64 IP version incompatible with all VIPs ['{vip}'] IP version.")
    assert lb_api.status(f"/lbaas/loadbalancers/{lb_stack.lb['id']}") == "ACTIVE"  # a refusal locks nothing
    accepted = lb_api.put(path, {"listener": {"allowed_cidrs": ["10.1.0.1/16"]}})
    assert accepted.json()["listener"]["allowed_cidrs"] == ["10.1.0.0/16"]  # normalised, as CidrType does
    assert lb_api.status(f"/lbaas/loadbalancers/{lb_stack.lb['id']}") == "PENDING_UPDATE"
    lb_api.wait_active(f"/lbaas/loadbalancers/{lb_stack.lb['id']}")  # then ACTIVE: the next change is taken
    cleared = lb_api.put(path, {"listener": {"allowed_cidrs": None}})
    assert cleared.status_code == 200 and cleared.json()["listener"]["allowed_cidrs"] is None
    lb_api.wait_active(f"/lbaas/loadbalancers/{lb_stack.lb['id']}")


def test_session_persistence_update_drops_what_it_does_not_name(lb_cloud: DemoCloud, lb_api: Api,
                                                                 lb_stack: Stack) -> None:
    with instant(lb_cloud):
        pool = lb_api.post("/lbaas/pools", {"pool": {
            "loadbalancer_id": lb_stack.lb["id"], "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN",
            "session_persistence": {"type": "APP_COOKIE", "cookie_name": "sid"}}}).json()["pool"]
        path = f"/lbaas/pools/{pool['id']}"
        changed = lb_api.put(path, {"pool": {"session_persistence": {"type": "HTTP_COOKIE"}}})
        assert changed.status_code == 200, changed.text
        assert changed.json()["pool"]["session_persistence"] == {
            "type": "HTTP_COOKIE", "cookie_name": None, "persistence_timeout": None, "persistence_granularity": None}
        kept_type = lb_api.put(path, {"pool": {"session_persistence": {"cookie_name": "x"}}})
        assert kept_type.json()["faultstring"] == ('Validation failure: Field "cookie_name" can only be specified '
                                                   'with session persistence of type "APP_COOKIE".')
        udp_only = lb_api.put(path, {"pool": {"session_persistence": {"type": "SOURCE_IP", "persistence_timeout": 9}}})
        assert udp_only.status_code == 400
        assert lb_api.delete(path).status_code == 204


def test_fields_on_a_show(lb_api: Api, lb_stack: Stack) -> None:
    shown = lb_api.get(f"/lbaas/loadbalancers/{lb_stack.lb['id']}", fields=["id", "name"]).json()
    assert shown == {"loadbalancer": {"id": lb_stack.lb["id"], "name": lb_stack.lb["name"]}}
    assert set(lb_api.get(f"/lbaas/pools/{lb_stack.pool['id']}", fields="id,lb_algorithm").json()["pool"]) == {
        "id", "lb_algorithm"}
