"""`--faults SPEC`: the grammar (parsed and refused), and each kind of fault seen from outside the cloud,
through httpx and openstacksdk, then gone again after `Faults.clear()`."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from keystoneauth1 import exceptions as ksa
from openstack import exceptions

from netdash.democloud import DemoCloud
from netdash.democloud.faults_spec import FaultSpec, SpecError, parse
from tests.waiting import wait_for


@pytest.mark.parametrize(("text", "expected"), [
    ("latency=0.3@network", dict(kind="latency", seconds=0.3, service="network", times=0, nth=1)),
    ("503:rate=0.2@load-balancer:GET:/lbaas/pools",
     dict(kind="status", status=503, rate=0.2, service="load-balancer", method="GET", path="/lbaas/pools")),
    ("409@load-balancer:put", dict(kind="status", status=409, method="PUT", times=0)),
    ("drop:rate=0.1", dict(kind="drop", rate=0.1, service=None, method=None, path="")),
    ("expire-tokens", dict(kind="expire-tokens", now=True)),
    ("expire-tokens:nth=4@*:*", dict(kind="expire-tokens", now=False, nth=4, times=1)),
    ("provisioning=5", dict(kind="provisioning", seconds=5.0, service=None)),
    ("500:nth=3@compute:POST:/servers/.*/action",
     dict(status=500, nth=3, times=1, service="compute", method="POST", path="/servers/.*/action")),
    ("500:nth=3:times=2:rate=0.5:seed=7@compute::/a:b@c", dict(nth=3, times=2, seed=7, path="/a:b@c")),
    ("429:retry-after=2@network", dict(kind="status", status=429, retry_after=2.0, service="network", times=0)),
    ("429:rate=0.5:retry-after=0.25", dict(status=429, rate=0.5, retry_after=0.25)),
    ("503@network", dict(retry_after=None)),
    ("freeze-dataplane", dict(kind="freeze-dataplane", service=None, now=False)),
])
def test_specs_parse(text: str, expected: dict[str, Any]) -> None:
    [spec] = parse(text)
    assert spec.text == text
    assert {name: getattr(spec, name) for name in expected} == expected


def test_several_specs_in_one_string() -> None:
    specs = parse(" latency=1@image ;; 503@network ")
    assert [(s.kind, s.service) for s in specs] == [("latency", "image"), ("status", "network")]
    assert all(isinstance(s, FaultSpec) for s in specs)


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty fault spec"),
    (" ; ", "empty fault spec"),
    ("bogus", "unknown fault 'bogus'"),
    ("200", "not an error status"),
    ("latency=abc", "latency= needs a number"),
    ("latency=-1", "between 0 and 600"),
    ("latency=nan", "between 0 and 600"),
    ("503:rate=1.5", "between 0 and 1"),
    ("503:nth=0", "nth= needs a whole number >= 1"),
    ("503:times=-1", "times= needs a whole number >= 0"),
    ("503:often", "unknown option 'often'"),
    ("503:nth=2:nth=3", "given twice"),
    ("503@nova", "unknown service 'nova'"),
    ("503@network:G3T", "bad method 'G3T'"),
    ("503@network:GET:/ports/(", "bad path pattern"),
    ("503@network:GET:(a+)+$", "a repeat inside a repeat"),
    ("503@network:GET:(ports|port)*x", "an alternation inside a repeat"),
    ("503@network:GET:(a)\\1", "a backreference"),
    ("503@network:GET:" + "a" * 201, "longer than 200"),
    ("provisioning=5@network", "only @load-balancer or @compute"),
    ("provisioning=5:nth=2", "takes no options"),
    ("expire-tokens@network", "expire-tokens at once takes no @WHERE"),
    ("429:retry-after=soon", "retry-after= needs a number"),
    ("429:retry-after=-1", "between 0 and 600"),
    ("latency=1:retry-after=2", "retry-after= goes with an HTTP status"),
    ("drop:retry-after=2", "retry-after= goes with an HTTP status"),
    ("freeze-dataplane@network", "freeze-dataplane takes no options and no @WHERE"),
    ("freeze-dataplane:nth=2", "freeze-dataplane takes no options"),
])
def test_bad_specs_are_refused_in_one_line(text: str, message: str) -> None:
    with pytest.raises(SpecError) as refused:
        parse(text)
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_a_bad_spec_changes_nothing(seeded_cloud: DemoCloud) -> None:
    with pytest.raises(SpecError):
        seeded_cloud.cloud.faults.add_spec("provisioning=9; 503@nowhere")
    assert seeded_cloud.cloud.faults.rules == [] and seeded_cloud.settings.provisioning_delay == 0.2


# --- each fault seen from outside ---------------------------------------------------------------------

def token_of(conn: Any) -> str:
    return str(conn.session.get_token())


def networks_url(cloud: DemoCloud) -> str:
    return f"{cloud.cloud.base_url}/networking/v2.0/networks"


def test_latency_delays_matching_requests(seeded_cloud: DemoCloud) -> None:
    token = token_of(seeded_cloud.connection())
    [rule] = seeded_cloud.cloud.faults.add_spec("latency=0.5@network:GET:/v2.0/networks$")
    with httpx.Client(headers={"X-Auth-Token": token}) as http:
        with pytest.raises(httpx.ReadTimeout):
            http.get(networks_url(seeded_cloud), timeout=0.1)
        started = time.monotonic()
        assert http.get(networks_url(seeded_cloud)).status_code == 200
        assert time.monotonic() - started >= 0.5  # at least the delay: a lower bound, which a busy host cannot break
        assert http.get(f"{seeded_cloud.cloud.base_url}/networking/v2.0/ports").status_code == 200
        assert (rule.seen, rule.fired) == (2, 2)
        seeded_cloud.cloud.faults.clear()
        assert http.get(networks_url(seeded_cloud), timeout=5).status_code == 200


def test_a_delayed_read_does_not_hold_up_the_others(seeded_cloud: DemoCloud) -> None:
    """Reads are answered on the HTTP server's loop when nothing is in their way; a fault's delay never is:
    while one read sleeps in its latency, another is answered at once."""
    token = token_of(seeded_cloud.connection())
    [rule] = seeded_cloud.cloud.faults.add_spec("latency=2@network:GET:/v2.0/networks$")
    with httpx.Client(headers={"X-Auth-Token": token}) as http, ThreadPoolExecutor(1) as pool:
        delayed = pool.submit(http.get, networks_url(seeded_cloud), timeout=10)
        wait_for(lambda: rule.seen == 1, what="the delayed read asleep in its latency")
        started = time.monotonic()
        assert http.get(f"{seeded_cloud.cloud.base_url}/networking/v2.0/ports").status_code == 200
        assert time.monotonic() - started < 1.5
        assert delayed.result().status_code == 200
    seeded_cloud.cloud.faults.clear()


def outcomes(cloud: DemoCloud, token: str, count: int = 24) -> str:
    with httpx.Client(headers={"X-Auth-Token": token}) as http:
        return "".join("x" if http.get(networks_url(cloud)).status_code == 503 else "." for _ in range(count))


def test_a_rate_of_503_is_seeded(seeded_cloud: DemoCloud) -> None:
    token = token_of(seeded_cloud.connection())
    faults = seeded_cloud.cloud.faults
    faults.add_spec("503:rate=0.5@network:GET")
    first = outcomes(seeded_cloud, token)
    assert 0 < first.count("x") < len(first), first
    faults.clear()
    assert outcomes(seeded_cloud, token, 4) == "...."
    faults.add_spec("503:rate=0.5@network:GET")
    assert outcomes(seeded_cloud, token) == first      # same seed, same requests fail
    faults.clear()
    faults.add_spec("503:rate=0.5:seed=1@network:GET")
    assert outcomes(seeded_cloud, token) != first
    faults.clear()
    faults.add_spec("503:rate=1@network")
    body = httpx.get(networks_url(seeded_cloud), headers={"X-Auth-Token": token}).json()
    assert body["NeutronError"]["message"] == "injected fault: HTTP 503"  # Neutron's own error shape


def test_nth_request_fails_once(seeded_cloud: DemoCloud) -> None:
    token = token_of(seeded_cloud.connection())
    seeded_cloud.cloud.faults.add_spec("500:nth=2@network:GET:/v2.0/networks$")
    with httpx.Client(headers={"X-Auth-Token": token}) as http:
        assert [http.get(networks_url(seeded_cloud)).status_code for _ in range(4)] == [200, 500, 200, 200]


def test_a_429_says_when_to_come_back(seeded_cloud: DemoCloud) -> None:
    token = token_of(seeded_cloud.connection())
    [rule] = seeded_cloud.cloud.faults.add_spec("429:nth=1:retry-after=2@network:GET:/v2.0/networks$")
    with httpx.Client(headers={"X-Auth-Token": token}) as http:
        limited = http.get(networks_url(seeded_cloud))
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "2"
        assert limited.json()["NeutronError"]["message"] == "injected fault: HTTP 429"
        again = http.get(networks_url(seeded_cloud))
        assert again.status_code == 200 and "Retry-After" not in again.headers
    seeded_cloud.cloud.faults.add(service="compute", status=429, retry_after=0.5)
    answer = httpx.get(f"{seeded_cloud.cloud.base_url}/compute/v2.1/servers", headers={"X-Auth-Token": token})
    assert (answer.status_code, answer.headers["retry-after"]) == (429, "0.5")
    assert rule.fired == 1
    with pytest.raises(ValueError, match="retry_after is for status faults"):
        seeded_cloud.cloud.faults.add(kind="latency", delay=1, retry_after=1)


def test_409_on_octavia_changes_names_the_load_balancer(seeded_cloud: DemoCloud) -> None:
    sdk = seeded_cloud.connection()
    pool = sdk.load_balancer.find_pool("web_pool")
    lb = sdk.load_balancer.find_load_balancer("web")
    seeded_cloud.cloud.faults.add_spec("409@load-balancer:PUT")
    with pytest.raises(exceptions.ConflictException):
        sdk.load_balancer.update_pool(pool, lb_algorithm="SOURCE_IP")
    assert sdk.load_balancer.get_pool(pool.id).lb_algorithm == "ROUND_ROBIN"  # GETs pass, nothing changed
    answer = httpx.put(f"{seeded_cloud.cloud.base_url}/load-balancer/v2/lbaas/pools/{pool.id}",
                       json={"pool": {"name": "x"}}, headers={"X-Auth-Token": token_of(sdk)})
    assert answer.status_code == 409
    assert answer.json() == {"faultcode": "Client", "debuginfo": None,
                             "faultstring": f"Load Balancer {lb.id} is immutable and cannot be updated."}
    seeded_cloud.cloud.faults.clear()
    assert sdk.load_balancer.update_pool(pool, lb_algorithm="SOURCE_IP").lb_algorithm == "SOURCE_IP"


def test_a_dropped_connection_gets_no_answer(seeded_cloud: DemoCloud) -> None:
    sdk = seeded_cloud.connection()
    [rule] = seeded_cloud.cloud.faults.add_spec("drop@network:GET:/v2.0/networks$")
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(networks_url(seeded_cloud), headers={"X-Auth-Token": token_of(sdk)})
    with pytest.raises(ksa.ConnectFailure):
        list(sdk.network.networks())
    assert len(list(sdk.network.ports())) > 0    # the cloud serves on, on new connections
    assert rule.fired == 2
    seeded_cloud.cloud.faults.clear()
    assert "public" in {n.name for n in sdk.network.networks()}


def test_expired_tokens_are_refused_and_openstacksdk_authenticates_again(seeded_cloud: DemoCloud) -> None:
    sdk = seeded_cloud.connection()
    old = token_of(sdk)
    assert httpx.get(networks_url(seeded_cloud), headers={"X-Auth-Token": old}).status_code == 200
    logins = seeded_cloud.cloud.requests["identity"]
    assert seeded_cloud.cloud.faults.add_spec("expire-tokens") == []
    assert httpx.get(networks_url(seeded_cloud), headers={"X-Auth-Token": old}).status_code == 401
    assert "public" in {n.name for n in sdk.network.networks()}   # keystoneauth re-authenticated on the 401
    assert token_of(sdk) != old and seeded_cloud.cloud.requests["identity"] > logins

    # when a rule fires: the first network list expires every token, its own included, once
    [rule] = seeded_cloud.cloud.faults.add_spec("expire-tokens:nth=1@network:GET:/v2.0/networks$")
    current = token_of(sdk)
    assert {s.name for s in sdk.compute.servers()} == {"server1", "server2"}
    assert token_of(sdk) == current and rule.fired == 0
    assert "public" in {n.name for n in sdk.network.networks()}
    renewed = token_of(sdk)
    assert rule.fired == 1 and renewed != current
    list(sdk.network.networks())
    assert token_of(sdk) == renewed


def test_slow_provisioning_until_cleared(seeded_cloud: DemoCloud) -> None:
    sdk = seeded_cloud.connection()
    settings = seeded_cloud.settings
    seeded_cloud.cloud.faults.add_spec("provisioning=30@load-balancer")
    assert (settings.provisioning_delay, settings.build_delay) == (30.0, 0.1)
    pool = sdk.load_balancer.find_pool("web_pool")
    sdk.load_balancer.update_pool(pool, lb_algorithm="SOURCE_IP")
    assert sdk.load_balancer.find_load_balancer("web").provisioning_status == "PENDING_UPDATE"
    with pytest.raises(exceptions.ConflictException):
        sdk.load_balancer.update_pool(pool, lb_algorithm="LEAST_CONNECTIONS")
    seeded_cloud.cloud.faults.add_spec("provisioning=20")
    assert (settings.provisioning_delay, settings.build_delay) == (20.0, 20.0)
    seeded_cloud.cloud.faults.clear()
    assert (settings.provisioning_delay, settings.build_delay) == (0.2, 0.1)   # the values before any fault


def test_faults_change_over_http_with_a_token(seeded_cloud: DemoCloud) -> None:
    url = f"{seeded_cloud.cloud.base_url}/democloud/faults"
    token = {"X-Auth-Token": token_of(seeded_cloud.connection("alt_demo"))}
    assert httpx.get(url).status_code == 401
    assert httpx.post(url, json={"spec": "503@network"}).status_code == 401
    added = httpx.post(url, json={"spec": "503@network:GET:/v2.0/networks$; provisioning=4"}, headers=token)
    assert added.status_code == 201
    assert added.json() == {"faults": [{"spec": "503@network:GET:/v2.0/networks$", "seen": 0, "fired": 0}],
                            "provisioning_delay": 4.0, "build_delay": 4.0, "dataplane_frozen": False}
    assert httpx.get(networks_url(seeded_cloud), headers=token).status_code == 503
    assert httpx.get(url, headers=token).json()["faults"][0]["fired"] == 1
    refused = httpx.post(url, json={"spec": "latency=soon"}, headers=token)
    assert refused.status_code == 400 and "latency= needs a number" in refused.json()["error"]["message"]
    assert httpx.post(url, content=b"{", headers=token).status_code == 400
    assert httpx.put(url, json={}, headers=token).status_code == 405
    assert httpx.delete(url, headers=token).status_code == 204
    assert httpx.get(networks_url(seeded_cloud), headers=token).status_code == 200
    assert httpx.get(url, headers=token).json() == {"faults": [], "provisioning_delay": 0.2, "build_delay": 0.1,
                                                    "dataplane_frozen": False}


def test_a_hostile_fault_pattern_cannot_stall_other_requests(seeded_cloud: DemoCloud) -> None:
    """Any project may add faults: a pattern that backtracks catastrophically on a crafted path (each more
    character doubling the time) is refused, over HTTP as on the command line, and a crafted path against
    the faults that are allowed is answered at once."""
    url = f"{seeded_cloud.cloud.base_url}/democloud/faults"
    token = {"X-Auth-Token": token_of(seeded_cloud.connection("alt_demo"))}
    refused = httpx.post(url, json={"spec": "503@network:GET:(a+)+$"}, headers=token)
    assert refused.status_code == 400 and "repeat inside a repeat" in refused.json()["error"]["message"]
    assert httpx.get(url, headers=token).json()["faults"] == []
    assert httpx.post(url, json={"spec": "503@network:GET:/ports/[0-9a-f-]+$"}, headers=token).status_code == 201
    crafted = networks_url(seeded_cloud).replace("/networks", "/" + "a" * 5000 + "!")
    started = time.monotonic()
    assert httpx.get(crafted, headers=token).status_code == 404
    assert time.monotonic() - started < 2.0
