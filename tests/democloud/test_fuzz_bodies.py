"""Hypothesis over the request bodies of every POST/PUT route: JSON of random shapes, wrong types, huge
numbers, unicode and nulls, bare or under the route's own key. No answer is a 5xx or carries a traceback.

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
from tests.democloud.test_malformed_sweep import JUNK_VALUES, OWN_KEY, real_ids

#: every POST/PUT route of every service (token requests included), as (method, path template, own key)
Route = tuple[str, str, str | None]


def routes_of(cloud: DemoCloud) -> list[Route]:
    out = []
    for service in cloud.cloud.services.values():
        for route in service.router.routes:
            if route.method in ("POST", "PUT"):
                template = route.pattern.pattern.removeprefix("^").removesuffix("/?$").replace("\\", "")
                literal = [part for part in template.split("/") if part and "(" not in part]
                out.append((route.method, service.prefix + template, OWN_KEY.get(literal[-1]) if literal else None))
    return out


@pytest.fixture(scope="module")
def fuzz_target() -> Iterator[tuple[DemoCloud, httpx.Client, list[Route], dict[str, str]]]:
    with DemoCloud(seed=True, settings=Settings(provisioning_delay=0.0, build_delay=0.0)) as cloud:
        ids = real_ids(cloud)
        token = cloud.connection().session.get_token()
        with httpx.Client(base_url=cloud.cloud.base_url, timeout=10,
                          headers={"X-Auth-Token": token, "Content-Type": "application/json"}) as client:
            yield cloud, client, routes_of(cloud), ids


SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(min_value=2**63, max_value=2**200)
           | st.integers(max_value=-(2**63)) | st.floats() | st.text(max_size=40)
           | st.sampled_from(["", "0", "-1", "true", "null", "10.0.0.0/24", "127.0.0.1", "::1", "ROUND_ROBIN",
                              "HTTP", "ACTIVE", "a" * 300, "\u202e\u0000\ud7ff", "💥"]))
NAMES = st.sampled_from(sorted({*JUNK_VALUES, *OWN_KEY.values(), "os-stop", "reboot", "auth", "identity",
                                 "methods", "password", "scope", "fixed_ips", "pools", "members", "subnet_id"}))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(NAMES | st.text(max_size=10), inner, max_size=5), max_leaves=10)


@st.composite
def requests(draw: Any, routes: list[Route]) -> tuple[str, str, bytes]:
    method, template, own_key = draw(st.sampled_from(routes))
    body = draw(VALUES | st.dictionaries(NAMES, VALUES, max_size=6))
    if own_key and draw(st.booleans()):
        body = {own_key: draw(st.dictionaries(NAMES, VALUES, max_size=6))}
    return method, template, json.dumps(body).encode()


def test_no_random_body_gets_a_server_error(fuzz_target: Any) -> None:
    _cloud, client, routes, ids = fuzz_target
    assert len(routes) > 40

    @settings(max_examples=400, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(requests(routes))
    def check(request: tuple[str, str, bytes]) -> None:
        method, template, body = request
        path = re.sub(r"\(\?P<(\w+)>\[\^/\]\+\)", lambda m: ids[m.group(1)], template)
        resp = client.request(method, path, content=body)
        assert resp.status_code < 500, f"{method} {path} {body[:200]!r} -> {resp.status_code} {resp.text[:200]}"
        assert "Traceback" not in resp.text and 'File "' not in resp.text, resp.text[:300]

    check()
