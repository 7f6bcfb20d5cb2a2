"""The probe's statistics, change events, identification and target choice, on hand-made values."""

from __future__ import annotations

import dataclasses
import re

import httpx
import pytest

from netdash.cloud.model import by_id
from netdash.cloud.probe import Identifier, ProbeError, Prober, classify, default_target, source_addresses
from netdash.cloud.probe_stats import ChangeDetector, Window, percentile
from netdash.cloud.probe_values import Sample
from tests import topology_factory as f


def ok(at: float, backend: str, latency: float = 0.01, client: str = "127.0.0.1") -> Sample:
    return Sample(at, client, latency, 200, backend, "nginx" if backend == "server1" else "Apache")


def failed(at: float, kind: str, status: int | None = None) -> Sample:
    return Sample(at, "127.0.0.1", 0.002, status, error=kind)


def test_shares_errors_and_percentiles_over_the_window() -> None:
    window = Window(max_count=100, max_age=60)
    for i in range(60):
        window.add(ok(i * 0.1, "server1" if i % 2 else "server2", latency=(i + 1) / 1000))
    window.add(failed(6.0, "refused"))
    window.add(failed(6.1, "5xx", 503))
    stats = window.stats(6.1, url="http://x/", target_rate=10, clients=["127.0.0.1"])
    assert stats.requests == stats.total == 62
    assert [(b.backend, b.count, b.software) for b in stats.backends] == [("server1", 30, "nginx"),
                                                                         ("server2", 30, "Apache")]
    assert stats.backends[0].share == pytest.approx(30 / 62)
    assert dict(stats.errors) == {"refused": 1, "5xx": 1}
    assert stats.error_rate == pytest.approx(2 / 62)
    assert dict(stats.statuses) == {"200": 60, "refused": 1, "503": 1}
    # refused has no latency worth counting; the 503 answered in 2 ms
    assert stats.p50 == pytest.approx(30.0) and stats.p99 == pytest.approx(60.0)
    assert stats.clients == (("127.0.0.1", "503"),)


def test_window_is_bounded_by_count_and_by_time() -> None:
    window = Window(max_count=10, max_age=1.0, rate_span=1.0)
    for i in range(30):
        window.add(ok(i * 0.01, "server1"))
    assert window.stats(0.3).requests == 10  # count bound
    assert window.stats(0.3).total == 30
    window.add(ok(2.0, "server2"))
    stats = window.stats(2.0)
    assert [b.backend for b in stats.backends] == ["server2"] and stats.requests == 1  # time bound
    window.clear(3.0)
    assert window.stats(3.0).requests == 0 and window.stats(3.0).total == 0


def test_achieved_rate_counts_completions_over_the_rate_span() -> None:
    window = Window(rate_span=2.0)
    for i in range(100):
        window.add(ok(10 + i * 0.05, "server1", latency=0.0))  # 20/s for 5 s
    assert window.achieved_rate(14.95) == pytest.approx(20, rel=0.05)
    assert Window().achieved_rate(1.0) == 0.0


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (50, 95, 99)
    assert percentile([], 50) is None


def test_change_events_for_a_backend_leaving_and_coming_back() -> None:
    detector = ChangeDetector(recent=10)
    events: list[str] = []
    t = 0.0
    for i in range(20):
        t += 0.1
        events += [e.text for e in detector.add(ok(t, "server1" if i % 2 else "server2"))]
    assert events == ["distribution: server1 50%, server2 50%"]
    events.clear()
    t += 0.1
    events += [e.text for e in detector.add(failed(t, "reset"))]
    for _ in range(20):
        t += 0.1
        events += [e.text for e in detector.add(ok(t, "server2"))]
    assert events[0] == "errors: 1 reset in the last 10 requests"
    assert "backend server1 stopped answering" in events
    assert "no errors in the last 10 requests" in events
    assert [e for e in events if e.startswith("distribution")][-1] == "distribution changed: server2 100%"
    events.clear()
    for i in range(20):
        t += 0.1
        events += [e.text for e in detector.add(ok(t, "server1" if i % 2 else "server2"))]
    assert events == ["backend server1 answering", "distribution changed: server1 50%, server2 50%"]


def test_default_identification_is_title_else_first_line_with_the_server_header() -> None:
    page = httpx.Response(200, headers={"Server": "nginx"}, text="<html><head><title> server1 </title>")
    assert Identifier()(page) == ("server1", "nginx")
    plain = httpx.Response(200, headers={"Server": "x"}, text="\n\n<h1>hello from b</h1>\nmore")
    assert Identifier()(plain) == ("hello from b", "x")
    assert Identifier()(httpx.Response(204, headers={"Server": "Apache"})) == ("Apache", "Apache")
    assert Identifier.build(header="X-Backend")(httpx.Response(200, headers={"X-Backend": "b2"})) == ("b2", "")
    by_regex = Identifier.build(regex=r"on (server\d)")
    assert by_regex(httpx.Response(200, text="nginx on server2 (id)")) == ("server2", "")
    assert by_regex(httpx.Response(200, text="nothing")) == ("unknown", "")
    with pytest.raises(ProbeError, match="bad backend regex"):
        Identifier.build(regex="(")


def test_errors_are_classified_by_kind() -> None:
    request = httpx.Request("GET", "http://x/")
    refused = httpx.ConnectError("All connection attempts failed", request=request)
    refused.__cause__ = ConnectionRefusedError(111, "Connection refused")
    assert classify(refused) == "refused"
    assert classify(httpx.ReadTimeout("timed out", request=request)) == "timeout"
    assert classify(httpx.RemoteProtocolError("Server disconnected", request=request)) == "reset"
    reset = httpx.ReadError("", request=request)
    reset.__context__ = ConnectionResetError(104, "Connection reset by peer")
    assert classify(reset) == "reset"


def test_source_addresses_and_bad_input() -> None:
    assert source_addresses("http://127.24.4.12/", 3) == ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
    assert source_addresses("http://example.org/", 1) == [None]
    with pytest.raises(ProbeError, match="several clients"):
        source_addresses("http://example.org/", 2)
    with pytest.raises(ProbeError, match="between 1 and 254"):
        source_addresses("http://127.0.0.1/", 0)
    with pytest.raises(ProbeError, match="not an http"):
        Prober("ftp://127.0.0.1/")
    assert Prober("http://127.0.0.1/").set_rate(1000) == 200 and Prober("http://127.0.0.1/").set_rate(0) == 1


def test_default_target_prefers_where_the_cloud_serves_the_floating_ip_of_the_vip_port() -> None:
    topology = f.seed_topology()
    lb = topology.load_balancers[f.LB]
    target = default_target(topology, lb)
    assert target.url == "http://127.24.4.6/"
    assert target.reason == "floating IP 127.24.4.6 of load balancer web's VIP port, port 80"
    fips = [dataclasses.replace(fip, endpoint="127.24.4.6:8080") if fip.id == f.FIP_LB else fip
            for fip in topology.floating_ips.values()]
    served = dataclasses.replace(topology, floating_ips=by_id(fips))
    assert default_target(served, lb).url == "http://127.24.4.6:8080/"
    assert "endpoint list" in default_target(served, lb).reason
    # a member or pool of the load balancer leads to the same target
    assert default_target(served, served.members[f.MEMBER1]).url == "http://127.24.4.6:8080/"


def test_default_target_without_floating_ip_uses_the_vip_or_the_served_listener() -> None:
    topology = f.seed_topology()
    no_fip = dataclasses.replace(topology, floating_ips=by_id(
        fip for fip in topology.floating_ips.values() if fip.id != f.FIP_LB))
    lb = no_fip.load_balancers[f.LB]
    assert default_target(no_fip, lb).url == "http://10.0.0.12/"
    assert re.search(r"VIP of load balancer web, listener port 80", default_target(no_fip, lb).reason)
    served = dataclasses.replace(no_fip, listeners=by_id(
        dataclasses.replace(li, endpoint="127.0.0.1:40123") for li in no_fip.listeners.values()))
    assert default_target(served, lb).url == "http://127.0.0.1:40123/"


def test_default_target_for_a_floating_ip_a_typed_url_and_nothing() -> None:
    topology = f.seed_topology()
    server_fip = default_target(topology, topology.floating_ips[f.FIP_S1])
    assert server_fip.url == "http://127.24.4.5/" and server_fip.reason.startswith("floating IP 127.24.4.5")
    assert default_target(topology, "127.0.0.1:8080").url == "http://127.0.0.1:8080/"
    assert default_target(topology, "https://example.org/x").reason == "typed URL"
    nothing = default_target(topology, topology.networks[f.PRIVATE])
    assert nothing.url is None and "select a load balancer" in nothing.reason
