"""429 answers and the request budget at the session's boundary, against the embedded cloud answering 429
with a Retry-After (`--faults 429:retry-after=S`): reads and writes wait it out and go again, within a cap
and the caller's deadline; what gives up keeps the status and says the wait; actions do not wait twice."""

from __future__ import annotations

import asyncio
import email.utils
import time

import pytest

from netdash.actions.base import is_transient, reading, wait_until
from netdash.cloud import caller
from netdash.cloud.client import CloudClient
from netdash.cloud.errors import ApiError
from netdash.cloud.session import MAX_RETRY_WAIT, on_loop_thread, retry_after
from netdash.democloud import DemoCloud


def port_id(client: CloudClient) -> str:
    return next(p.id for p in client.fetch_topology_sync().ports.values() if p.name == "server-1-port")


def test_a_fetch_waits_out_a_429_and_goes_on(client: CloudClient, seeded_cloud: DemoCloud) -> None:
    [rule] = seeded_cloud.cloud.faults.add_spec("429:nth=1:retry-after=0.3@network:GET:/v2.0/networks")
    started = time.monotonic()
    topology = client.fetch_topology_sync()
    assert time.monotonic() - started >= 0.3              # a lower bound: a busy host cannot break it
    assert "public" in {n.name for n in topology.networks.values()}
    assert rule.fired == 1


def test_a_write_refused_with_429_is_sent_again_once(client: CloudClient, seeded_cloud: DemoCloud) -> None:
    port = port_id(client)
    [rule] = seeded_cloud.cloud.faults.add_spec("429:nth=1:retry-after=0.2@network:PUT:/ports/")
    sent = client.session.calls
    assert client.update_port(port, admin_state_up=False).admin_state_up is False
    assert (client.session.calls - sent, rule.fired) == (2, 1)   # the 429 and the one that was processed
    assert client.get_port(port).admin_state_up is False


def test_a_retry_after_past_the_cap_is_not_waited_for(client: CloudClient, seeded_cloud: DemoCloud) -> None:
    port = port_id(client)
    [rule] = seeded_cloud.cloud.faults.add_spec(f"429:retry-after={MAX_RETRY_WAIT + 60:g}@network:GET:/ports/")
    started = time.monotonic()
    with pytest.raises(ApiError) as gave_up:
        client.get_port(port)
    assert time.monotonic() - started < MAX_RETRY_WAIT / 2
    assert (gave_up.value.status, gave_up.value.retry_after) == (429, MAX_RETRY_WAIT + 60)
    assert "HTTP 429" in gave_up.value.message and "Retry-After" in gave_up.value.message
    assert "\n" not in gave_up.value.message
    assert rule.seen == 1
    assert client.session.budget.take() > MAX_RETRY_WAIT / 2   # and the connection holds back meanwhile


def test_the_callers_deadline_bounds_the_wait(client: CloudClient, seeded_cloud: DemoCloud) -> None:
    port = port_id(client)
    [rule] = seeded_cloud.cloud.faults.add_spec("429:retry-after=2@network:GET:/ports/")
    with caller.until(time.monotonic() + 0.5), pytest.raises(ApiError) as gave_up:
        client.get_port(port)
    assert (gave_up.value.status, gave_up.value.retry_after, rule.seen) == (429, 2.0, 1)
    assert not is_transient(gave_up.value)   # the actions' retry loops leave it be: the wait is the cloud's


def test_actions_reads_wait_once_not_twice(client: CloudClient, seeded_cloud: DemoCloud) -> None:
    """`reading` and `wait_until` hand their deadline to the session, which waits the Retry-After; a 429 it
    gives up on is not tried again by them (that would send what the cloud asked us not to, and wait twice)."""
    port = port_id(client)
    faults = seeded_cloud.cloud.faults
    [rule] = faults.add_spec("429:nth=1:retry-after=0.2@network:GET:/ports/")
    sent = client.session.calls
    assert reading(lambda: client.get_port(port), timeout=5).id == port
    assert (client.session.calls - sent, rule.fired) == (2, 1)
    faults.clear()
    [rule] = faults.add_spec("429:retry-after=3@network:GET:/ports/")
    started = time.monotonic()
    with pytest.raises(ApiError) as gave_up:
        reading(lambda: client.get_port(port), timeout=1)
    assert gave_up.value.retry_after == 3.0 and rule.seen == 1   # one request, no loop of 429s
    with pytest.raises(ApiError) as held:
        wait_until(lambda: client.get_port(port), 1, "port readable")
    assert held.value.status == 429 and "not sent" in held.value.message
    assert rule.seen == 1 and time.monotonic() - started < 1.0     # held back by the 429's wait: none sent


def test_requests_keep_to_the_rate_after_the_burst(seeded_cloud: DemoCloud) -> None:
    client = CloudClient.for_demo(seeded_cloud, max_rps=10, burst=0)
    sent: list[float] = []
    client.session.on_send = lambda: sent.append(time.monotonic())
    try:
        for _ in range(3):
            client.fetch_topology_sync()                # 11 calls each, from the fetch's thread pool
    finally:
        client.close()
    assert len(sent) >= 30
    assert max(sum(1 for u in sent if t <= u < t + 1.0) for t in sent) <= 10
    assert sent[-1] - sent[0] >= (len(sent) - 10) / 10 - 0.05


@pytest.mark.parametrize(("header", "seconds"), [
    ("3", 3.0), (" 0.5 ", 0.5), ("-2", 0.0), ("0", 0.0), (None, None), ("soon", None), ("nan", None), ("inf", None),
    (email.utils.formatdate(1_000_010.0, usegmt=True), 10.0),       # an HTTP date: ten seconds after `now`
    (email.utils.formatdate(999_990.0, usegmt=True), 0.0),          # ... or already past
    ("Thu, 01 Jan 1970 00:00:00 -0000", 0.0),
])
def test_retry_after_reads_seconds_or_an_http_date(header: str | None, seconds: float | None) -> None:
    assert retry_after(header, now=1_000_000.0) == seconds


async def test_a_thread_running_an_event_loop_is_told_apart() -> None:
    assert on_loop_thread()
    assert not await asyncio.to_thread(on_loop_thread)


def test_the_fetch_process_has_no_burst_of_its_own(seeded_cloud: DemoCloud) -> None:
    """The dashboard's first fetch spends the run's burst; its fetch process then keeps to the rate."""
    from netdash.cloud.fetch_child import connect
    from netdash.cloud.fetch_process import DemoSpec

    dashboard = CloudClient.for_demo(seeded_cloud, max_rps=20)
    child = connect(DemoSpec(seeded_cloud.cloud_config("demo"), 60.0, 20.0))
    try:
        assert dashboard.session.budget.burst_left > 100 and child.session.budget.burst_left == 0
        assert child.session.budget.rate == dashboard.session.budget.rate == 20
    finally:
        dashboard.close()
        child.close()


def test_the_fetch_process_waits_out_429_too(seeded_cloud: DemoCloud) -> None:
    """Every status tree answered 429 once, in the dashboard's fetch process: the refresh still succeeds."""
    client = CloudClient.for_demo(seeded_cloud, max_rps=1000)
    try:
        assert client.start_fetch_process() and client.fetch_process_ready(wait=30)
        [rule] = seeded_cloud.cloud.faults.add_spec("429:nth=1:retry-after=0.2@load-balancer:GET:/status$")
        client.watch_load_balancers(frozenset(client.fetch_topology_sync().load_balancers))
        assert rule.fired == 1 and client.fetch_process_ready()
        assert client.fetch_topology_sync().members
    finally:
        client.close()
