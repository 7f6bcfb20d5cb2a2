"""L7 policies and rules as Octavia's API answers them: what an action implies, positions, the checks of
a rule, the locks, and who may see them (the traffic they steer: test_dataplane_l7.py)."""

from __future__ import annotations

import httpx

from netdash.democloud import DemoCloud
from tests.democloud.lb_support import Api, Stack, build_stack, instant, tenant_network


def refused(resp: httpx.Response) -> tuple[int, str]:
    return resp.status_code, resp.json()["faultstring"]


def test_what_an_action_implies_and_requires(lb_cloud: DemoCloud, lb_api: Api, lb_stack: Stack) -> None:
    li = lb_stack.listener["id"]
    with instant(lb_cloud):
        cases = [
            ({"action": "REDIRECT_TO_URL"}, "Invalid L7 Policy arguments: redirect_url must not be None"),
            ({"action": "REDIRECT_TO_POOL"},
             "Invalid L7 Policy arguments: redirect_pool_id or redirect_pool must not be None"),
            ({"action": "REDIRECT_TO_URL", "redirect_url": "ftp://example.com"},
             "Invalid input for field/attribute redirect_url. Value: 'ftp://example.com'. "
             "Value must be a valid URL string"),
            ({"action": "REDIRECT_TO_URL", "redirect_url": "http://example.com/a b"},
             "Invalid input for field/attribute redirect_url. Value: 'http://example.com/a b'. "
             "Value must be a valid URL string"),
            ({"action": "REDIRECT_PREFIX", "redirect_prefix": "http://x.example",
              "redirect_pool_id": lb_stack.pool["id"]},
             "Invalid L7 Policy arguments: Cannot specify redirect_pool_id and redirect_url or redirect_prefix "
             "at the same time"),
            ({"action": "REJECT", "position": 0},
             "Invalid input for field/attribute position. Value: '0'. Value should be greater or equal to 1"),
        ]
        for body, message in cases:
            assert refused(lb_api.post("/lbaas/l7policies", {"l7policy": {"listener_id": li, **body}})) == (
                400, message), body
        # REJECT drops a redirect sent with it; a redirect gets haproxy's default code, 302
        made = lb_api.post("/lbaas/l7policies", {"l7policy": {"listener_id": li, "action": "REJECT",
                                                          "redirect_url": "http://example.com"}})
        assert (made.json()["l7policy"]["action"], made.json()["l7policy"]["redirect_url"]) == ("REJECT", None)
        assert lb_api.delete(f"/lbaas/l7policies/{made.json()['l7policy']['id']}").status_code == 204
        made = lb_api.post("/lbaas/l7policies", {"l7policy": {"listener_id": li, "action": "REDIRECT_TO_URL",
                                                          "redirect_url": "http://example.com"}})
        assert made.status_code == 201, made.text
        policy = made.json()["l7policy"]
        assert (policy["action"], policy["redirect_http_code"], policy["position"]) == ("REDIRECT_TO_URL", 302, 1)
        assert policy["provisioning_status"] == "ACTIVE" and policy["operating_status"] == "ONLINE"
        path = f"/lbaas/l7policies/{policy['id']}"  # what an update gives decides the action
        to_pool = lb_api.put(path, {"l7policy": {"redirect_pool_id": lb_stack.pool["id"]}}).json()["l7policy"]
        assert (to_pool["action"], to_pool["redirect_url"], to_pool["redirect_http_code"]) == (
            "REDIRECT_TO_POOL", None, None)
        assert refused(lb_api.put(path, {"l7policy": {}})) == (400, "Invalid L7 Policy arguments: Invalid update "
                                                                 "options")
        rejecting = lb_api.put(path, {"l7policy": {"action": "REJECT"}}).json()["l7policy"]
        assert (rejecting["action"], rejecting["redirect_pool_id"]) == ("REJECT", None)
        assert lb_api.delete(path).status_code == 204


def test_positions_order_a_listeners_policies(lb_cloud: DemoCloud, lb_api: Api, lb_stack: Stack) -> None:
    li = lb_stack.listener["id"]
    made = []
    with instant(lb_cloud):
        for name, position in (("a", None), ("b", None), ("c", 1), ("d", 99)):
            body = {"listener_id": li, "action": "REJECT", "name": name,
                    **({"position": position} if position else {})}
            made.append(lb_api.post("/lbaas/l7policies", {"l7policy": body}).json()["l7policy"]["id"])

        def order() -> list[str]:
            listed = lb_api.get("/lbaas/l7policies", listener_id=li).json()["l7policies"]
            by_position = sorted(listed, key=lambda p: p["position"])
            assert [p["position"] for p in by_position] == list(range(1, len(listed) + 1))
            return [p["name"] for p in by_position]

        assert order() == ["c", "a", "b", "d"]
        assert lb_api.get(f"/lbaas/listeners/{li}").json()["listener"]["l7policies"] == [
            {"id": i} for i in (made[2], made[0], made[1], made[3])]
        lb_api.put(f"/lbaas/l7policies/{made[3]}", {"l7policy": {"position": 2}})
        assert order() == ["c", "d", "a", "b"]
        lb_api.delete(f"/lbaas/l7policies/{made[2]}")
        assert order() == ["d", "a", "b"]  # the others close the gap
        for ident in made[:2] + made[3:]:
            lb_api.delete(f"/lbaas/l7policies/{ident}")
    assert lb_api.get(f"/lbaas/listeners/{li}").json()["listener"]["l7policies"] == []


def test_rules_are_checked_as_octavia_checks_them(lb_cloud: DemoCloud, lb_api: Api, lb_stack: Stack) -> None:
    with instant(lb_cloud):
        policy = lb_api.post("/lbaas/l7policies", {"l7policy": {"listener_id": lb_stack.listener["id"],
                                                            "action": "REJECT"}}).json()["l7policy"]
        rules = f"/lbaas/l7policies/{policy['id']}/rules"
        cases = [
            ({"type": "HEADER", "compare_type": "EQUAL_TO", "value": "x"},
             "Error parsing L7Rule: Invalid L7 Rule: L7 rule type requires a key"),
            ({"type": "HEADER", "compare_type": "EQUAL_TO", "key": "bad key", "value": "x"},
             "Error parsing L7Rule: Invalid characters in key"),
            ({"type": "PATH", "compare_type": "EQUAL_TO", "value": "/a b"},
             "Error parsing L7Rule: Invalid characters in comparison value"),
            ({"type": "PATH", "compare_type": "REGEX", "value": "(unclosed"},
             "Error parsing L7Rule: Unable to parse regular expression: missing ), unterminated subpattern at "
             "position 0"),
            ({"type": "FILE_TYPE", "compare_type": "CONTAINS", "value": "jpg"},
             "Error parsing L7Rule: Invalid L7 Rule: invalid comparison type for rule type"),
            ({"type": "SSL_CONN_HAS_CERT", "compare_type": "EQUAL_TO", "value": "yes"},
             "Error parsing L7Rule: Invalid L7 Rule: L7rule value yes is not a boolean True string."),
            ({"type": "PATH", "compare_type": "LIKE", "value": "/"},
             "Invalid input for field/attribute compare_type. Value: 'LIKE'. Value should be one of: REGEX, "
             "STARTS_WITH, ENDS_WITH, CONTAINS, EQUAL_TO"),
        ]
        for body, message in cases:
            assert refused(lb_api.post(rules, {"rule": body})) == (400, message), body
        made = lb_api.post(rules, {"rule": {"type": "COOKIE", "compare_type": "STARTS_WITH", "key": "session",
                                         "value": "abc"}})
        assert made.status_code == 201, made.text
        rule = made.json()["rule"]
        assert (rule["invert"], rule["admin_state_up"], rule["provisioning_status"]) == (False, True, "ACTIVE")
        rule_path = f"{rules}/{rule['id']}"
        # an update is checked as the rule it makes
        assert refused(lb_api.put(rule_path, {"rule": {"type": "HEADER", "key": None}}))[0] == 400
        assert lb_api.put(rule_path, {"rule": {"value": "xyz", "invert": None}}).json()["rule"]["value"] == "xyz"
        assert [r["id"] for r in lb_api.get(rules).json()["rules"]] == [rule["id"]]
        assert lb_api.get(f"/lbaas/l7policies/{policy['id']}").json()["l7policy"]["rules"] == [{"id": rule["id"]}]
        assert refused(lb_api.get("/lbaas/l7policies/6d1e3f0a-5b7c-4e2d-9a8b-0c1d2e3f4a5b/rules")) == (
            404, "L7Policy 6d1e3f0a-5b7c-4e2d-9a8b-0c1d2e3f4a5b not found.")
        assert lb_api.delete(f"/lbaas/l7policies/{policy['id']}").status_code == 204


def test_a_rule_change_locks_the_policy_listener_and_load_balancer(lb_cloud: DemoCloud, lb_api: Api,
                                                                   lb_stack: Stack) -> None:
    with instant(lb_cloud):
        policy = lb_api.post("/lbaas/l7policies", {"l7policy": {"listener_id": lb_stack.listener["id"],
                                                            "action": "REJECT"}}).json()["l7policy"]
    rules = f"/lbaas/l7policies/{policy['id']}/rules"
    made = lb_api.post(rules, {"rule": {"type": "PATH", "compare_type": "STARTS_WITH", "value": "/x"}})
    assert made.json()["rule"]["provisioning_status"] == "PENDING_CREATE"
    assert lb_api.status(f"/lbaas/l7policies/{policy['id']}") == "PENDING_UPDATE"
    assert lb_api.status(f"/lbaas/listeners/{lb_stack.listener['id']}") == "PENDING_UPDATE"
    again = lb_api.post(rules, {"rule": {"type": "PATH", "compare_type": "STARTS_WITH", "value": "/y"}})
    assert refused(again) == (409, f"L7Policy {policy['id']} is immutable and cannot be updated.")
    lb_api.wait_active(f"/lbaas/loadbalancers/{lb_stack.lb['id']}")
    with instant(lb_cloud):
        assert lb_api.delete(f"/lbaas/l7policies/{policy['id']}").status_code == 204


def test_another_project_and_prometheus_listeners(lb_cloud: DemoCloud, lb_api: Api, lb_stack: Stack) -> None:
    alt = Api(lb_cloud, lb_cloud.connection("alt_demo"))
    with instant(lb_cloud):
        policy = lb_api.post("/lbaas/l7policies", {"l7policy": {"listener_id": lb_stack.listener["id"],
                                                            "action": "REJECT"}}).json()["l7policy"]
        assert alt.get("/lbaas/l7policies").json()["l7policies"] == []
        assert refused(alt.get(f"/lbaas/l7policies/{policy['id']}"))[0] == 403
        assert refused(alt.post("/lbaas/l7policies", {"l7policy": {"listener_id": lb_stack.listener["id"],
                                                                  "action": "REJECT"}}))[0] == 403
        prometheus = lb_api.post("/lbaas/listeners", {"listener": {
            "loadbalancer_id": lb_stack.lb["id"], "protocol": "PROMETHEUS", "protocol_port": 9100}}).json()
        assert refused(lb_api.post("/lbaas/l7policies", {"l7policy": {
            "listener_id": prometheus["listener"]["id"], "action": "REJECT"}})) == (
            400, "Protocol PROMETHEUS listeners cannot have child objects.")
        assert lb_api.delete(f"/lbaas/l7policies/{policy['id']}").status_code == 204
        assert lb_api.delete(f"/lbaas/listeners/{prometheus['listener']['id']}").status_code == 204


def test_sdk_l7_calls(lb_cloud: DemoCloud, lb_stack: Stack) -> None:
    """openstacksdk's L7 calls, as its own functional test makes them."""
    lbs = lb_cloud.connection("demo").load_balancer
    with instant(lb_cloud):
        policy = lbs.create_l7_policy(listener_id=lb_stack.listener["id"], name="sdk", action="REDIRECT_TO_URL",
                                      redirect_url="http://www.example.com")
        rule = lbs.create_l7_rule(l7_policy=policy.id, compare_type="CONTAINS", type="HOST_NAME", value="example")
        assert lbs.find_l7_policy("sdk").id == policy.id
        assert [r.id for r in lbs.l7_rules(policy.id)] == [rule.id]
        assert lbs.update_l7_rule(rule, l7_policy=policy.id, rule_value="other").rule_value == "other"
        assert lbs.update_l7_policy(policy.id, name="renamed").name == "renamed"
        lbs.delete_l7_rule(rule.id, l7_policy=policy.id, ignore_missing=False)
        lbs.delete_l7_policy(policy.id, ignore_missing=False)
    assert list(lbs.l7_policies()) == []


def test_a_cascade_delete_takes_policies_and_rules_with_it(lb_cloud: DemoCloud, lb_api: Api) -> None:
    """A cascade delete of the load balancer removes its policies and rules; their quota counts go too."""
    _, subnet_id = tenant_network(lb_cloud.connection("demo"), name="cascade", cidr="10.9.0.0/24")
    with instant(lb_cloud):
        other = build_stack(lb_api, subnet_id, monitor=False, name="gone")
        policy = lb_api.post("/lbaas/l7policies", {"l7policy": {"listener_id": other.listener["id"],
                                                            "action": "REJECT"}}).json()["l7policy"]
        lb_api.post(f"/lbaas/l7policies/{policy['id']}/rules",
                 {"rule": {"type": "PATH", "compare_type": "STARTS_WITH", "value": "/"}})
        assert lb_api.delete(f"/lbaas/loadbalancers/{other.lb['id']}", cascade="true").status_code == 204
    assert lb_api.get(f"/lbaas/l7policies/{policy['id']}").status_code == 404
    assert not [r for r in lb_cloud.cloud.load_balancer.store.l7rules.values() if r["_policy"] == policy["id"]]
