"""Hypothesis over the request bodies of every write route of every service (Neutron, Octavia, Nova with
its server actions, Keystone's token request) and `/democloud/faults`: JSON of random shapes and depths,
wrong types, huge numbers, unicode and nulls, bare or under the route's own key or one of its fields, and
bodies nested 100 000 deep. Every answer comes back (no dropped connection), none is a 5xx, and every refusal
is the service's own error body: a NeutronError, Octavia's fault, a Nova fault, Keystone's error.

The hand-written sweep (test_malformed_sweep.py) tries the junk a person thinks of; this finds the junk
nobody thought of. Bounded (examples, no deadline) so it stays a few seconds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netdash.democloud import DemoCloud, Settings
from netdash.democloud.core import MAX_NESTING
from netdash.democloud.validation import COMPILED
from tests.democloud.test_malformed_sweep import JUNK_VALUES, OWN_KEY, real_ids

#: every write route (method, path template, own body key, who answers: a service type or "faults")
Route = tuple[str, str, str | None, str]
FAULTS = "faults"
NOVA_FAULTS = {"badRequest", "unauthorized", "forbidden", "itemNotFound", "badMethod", "conflictingRequest",
               "overLimit", "badMediaType", "notImplemented", "serviceUnavailable"}


def routes_of(cloud: DemoCloud) -> list[Route]:
    out: list[Route] = [("POST", "/democloud/faults", None, FAULTS)]
    for service in cloud.cloud.services.values():
        for route in service.router.routes:
            if route.method in ("POST", "PUT", "PATCH"):
                template = route.pattern.pattern.removeprefix("^").removesuffix("/?$").replace("\\", "")
                literal = [part for part in template.split("/") if part and "(" not in part]
                out.append((route.method, service.prefix + template,
                            OWN_KEY.get(literal[-1]) if literal else None, service.type))
    return out


def own_error(answerer: str, resp: httpx.Response) -> None:
    """A refusal in the answering service's own error body (anything below 400 is an acceptance)."""
    assert resp.status_code < 500, f"{resp.status_code} {resp.text[:300]}"
    assert "Traceback" not in resp.text and 'File "' not in resp.text, resp.text[:300]
    if resp.status_code < 400:
        return
    body = resp.json()
    if answerer == "network":
        assert list(body) == ["NeutronError"] and set(body["NeutronError"]) == {"type", "message", "detail"}, body
    elif answerer == "load-balancer":
        assert set(body) == {"faultcode", "faultstring", "debuginfo"} and body["faultcode"] == "Client", body
    elif answerer == "compute":
        (name,) = body
        assert name in NOVA_FAULTS and body[name]["code"] == resp.status_code, body
    else:  # Keystone, and the faults admin that answers in its shape
        assert list(body) == ["error"] and body["error"]["code"] == resp.status_code, body
        assert isinstance(body["error"]["message"], str), body


@pytest.fixture(scope="module")
def fuzz_target() -> Iterator[tuple[DemoCloud, httpx.Client, list[Route], dict[str, str]]]:
    with DemoCloud(seed=True, settings=Settings(provisioning_delay=0.0, build_delay=0.0)) as cloud:
        ids = real_ids(cloud)
        token = cloud.connection().session.get_token()
        with httpx.Client(base_url=cloud.cloud.base_url, timeout=10,
                          headers={"X-Auth-Token": token, "Content-Type": "application/json"}) as client:
            yield cloud, client, routes_of(cloud), ids


def path_of(template: str, ids: dict[str, str]) -> str:
    return re.sub(r"\(\?P<(\w+)>\[\^/\]\+\)", lambda m: ids[m.group(1)], template)


SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(min_value=2**63, max_value=2**200)
           | st.integers(max_value=-(2**63)) | st.floats() | st.text(max_size=40)
           | st.sampled_from(["", "0", "-1", "true", "null", "10.0.0.0/24", "127.0.0.1", "::1", "ROUND_ROBIN",
                              "HTTP", "ACTIVE", "a" * 300, "\u202e\u0000\ud7ff", "💥", "SOFT", "password",
                              "61a803f8-126a-4b65-96f1-d2f4fb02f8ae"]))
NAMES = st.sampled_from(sorted({*JUNK_VALUES, *OWN_KEY.values(), "os-stop", "os-start", "reboot", "type", "auth",
                                 "identity", "methods", "password", "token", "user", "domain", "scope",
                                 "project", "spec", "fixed_ips", "pools", "members", "subnet_id"}))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(NAMES | st.text(max_size=10), inner, max_size=5), max_leaves=10)


@st.composite
def deep(draw: Any) -> Any:
    """A value wrapped in lists and objects up to a little past the nesting limit."""
    value = draw(SCALARS)
    for _ in range(draw(st.integers(min_value=1, max_value=MAX_NESTING + 5))):
        value = [value] if draw(st.booleans()) else {draw(NAMES): value}
    return value


@st.composite
def requests(draw: Any, routes: list[Route]) -> tuple[Route, bytes]:
    route = draw(st.sampled_from(routes))
    own_key = route[2]
    value = VALUES | deep()
    body = draw(value | st.dictionaries(NAMES, value, max_size=6))
    if own_key and draw(st.booleans()):
        body = {own_key: draw(st.dictionaries(NAMES, value, max_size=6))}
    return route, json.dumps(body).encode()


def test_no_random_body_gets_a_server_error(fuzz_target: Any) -> None:
    _cloud, client, routes, ids = fuzz_target
    assert len(routes) > 40
    assert {r[3] for r in routes} == {"network", "load-balancer", "compute", "identity", FAULTS}

    @settings(max_examples=400, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(requests(routes))
    def check(request: tuple[Route, bytes]) -> None:
        (method, template, _key, answerer), body = request
        resp = client.request(method, path_of(template, ids), content=body)
        own_error(answerer, resp)

    check()


#: write routes that read no body (Octavia's failovers and amphora configure: PUT with nothing to say)
BODILESS = ("/failover", "/config")


def nested(depth: int, *, objects: bool) -> bytes:
    return (b'{"a":' * depth + b"1" + b"}" * depth) if objects else (b"[" * depth + b"]" * depth)


def test_deep_nesting_is_a_400_in_each_services_own_words(fuzz_target: Any) -> None:
    """100 000 levels (past the JSON parser's recursion), just past the limit, and just within it under the
    route's own key: the first two are the service's malformed-body 400, the last an answer of any kind."""
    _cloud, client, routes, ids = fuzz_target
    for method, template, own_key, answerer in routes:
        path = path_of(template, ids)
        for body in (nested(100_000, objects=False), nested(100_000, objects=True),
                     nested(MAX_NESTING + 1, objects=False), nested(MAX_NESTING + 1, objects=True)):
            resp = client.request(method, path, content=body)
            if not template.endswith(BODILESS):
                assert resp.status_code in (400, 401), (method, path, resp.status_code, resp.text[:200])
            own_error(answerer, resp)
        inner = json.loads(nested(MAX_NESTING - 3, objects=False))
        for key in (own_key or "x", "name"):
            resp = client.request(method, path, content=json.dumps({key: {"name": inner}}).encode())
            own_error(answerer, resp)


def test_every_schema_is_a_valid_json_schema() -> None:
    """Each compiled body schema (Neutron's and Octavia's generated ones, Nova's and Keystone's) against the
    meta-schema: a typo in a keyword would otherwise just never match."""
    assert len(COMPILED) > 40
    for validator in COMPILED:
        type(validator).check_schema(validator.schema)
