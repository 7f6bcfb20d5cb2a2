"""The probe against the seed's `web` load balancer: round robin, SOURCE_IP stickiness, a backend evicted
by the health monitor and back. The cloud is changed through openstacksdk, as an operator would."""

from __future__ import annotations

import asyncio

from netdash.cloud.model import Topology
from netdash.cloud.probe import Prober, default_target
from netdash.cloud.probe_stats import Window
from netdash.cloud.probe_values import ProbeStats
from netdash.democloud import DemoCloud
from tests.democloud.dataplane_support import SCALE, Web
from tests.probe.conftest import floating_ip_of_server, load_balancer, until
from tests.waiting import wait_for

#: the seed's monitor: delay 3 s, max_retries_down 3, scaled: when server1 must be ERROR at the latest
DOWN_BOUND = 3 * (3 + 1) * SCALE + 1


def shares(stats: ProbeStats) -> dict[str, float]:
    return {b.backend: b.share for b in stats.backends}


def lb_url(topology: Topology) -> str:
    target = default_target(topology, load_balancer(topology))
    assert target.url is not None and "endpoint list" in target.reason, target
    return target.url


async def test_round_robin_splits_evenly_then_source_ip_sticks(probe_cloud: DemoCloud, topology: Topology) -> None:
    url = lb_url(topology)
    probe = Prober(url, rate=200)
    await probe.run(requests=100)
    stats = probe.stats()
    assert stats.requests == 100 and stats.error_rate == 0
    assert set(shares(stats)) == {"server1", "server2"}
    assert all(0.45 <= share <= 0.55 for share in shares(stats).values()), stats.backends
    assert {b.software for b in stats.backends} == {"nginx", "Apache"}

    web = Web(probe_cloud.connection())
    web.update_pool(lb_algorithm="SOURCE_IP")
    web.wait_active()
    one = Prober(url, rate=200)
    await one.run(requests=40)
    assert list(shares(one.stats()).values()) == [1.0]

    eight = Prober(url, rate=200, clients=8)
    await eight.run(requests=80)
    stats = eight.stats()
    assert set(shares(stats)) == {"server1", "server2"}
    assert [client for client, _ in stats.clients] == [f"127.0.0.{n}" for n in range(1, 9)]
    assert {backend for _, backend in stats.clients} == {"server1", "server2"}
    for client, backend in stats.clients[:3]:  # and each sticks to its backend
        alone = Prober(url, rate=200, clients=int(client.rsplit(".", 1)[1]))
        await alone.run(requests=alone_requests(alone))
        assert dict(alone.stats().clients)[client] == backend


def alone_requests(probe: Prober) -> int:
    return len(probe.sources) * 3


async def test_stopped_backend_is_evicted_and_returns(probe_cloud: DemoCloud, topology: Topology) -> None:
    conn = probe_cloud.connection()
    web = Web(conn)
    server1 = conn.compute.find_server("server1")
    wait_for(lambda: web.member_status("server1") == "ONLINE", timeout=3, what="server1 ONLINE")
    through_lb = Prober(lb_url(topology), rate=50, window=Window(max_count=100_000, max_age=float("inf")))
    direct_url = default_target(topology, floating_ip_of_server(topology, "server1")).url
    assert direct_url is not None
    direct = Prober(direct_url, rate=50, window=Window(max_count=100_000, max_age=float("inf")))
    runs = [asyncio.create_task(through_lb.run()), asyncio.create_task(direct.run())]
    try:
        await until(lambda: through_lb.stats().total >= 25, 5, "25 requests through the load balancer")
        assert set(shares(through_lb.stats())) == {"server1", "server2"}

        await asyncio.to_thread(conn.compute.stop_server, server1)
        await asyncio.to_thread(wait_for, lambda: web.member_status("server1") == "ERROR", DOWN_BOUND,
                                0.05, "server1 ERROR")
        # what the stop costs, counted: the load balancer redispatches a refused connection to server2
        # (haproxy's `option redispatch`), so its clients see no error; server1's own floating IP refuses
        before = through_lb.stats()
        assert before.requests == sum(b.count for b in before.backends) + sum(n for _, n in before.errors)
        await until(lambda: dict(direct.stats().errors).get("refused", 0) >= 3, 5, "refused on server1's FIP")
        seen = direct.stats()
        # a request in flight when the listener closed ends as a reset, not a refusal: every kind counts
        assert seen.error_rate > 0
        assert seen.requests == sum(b.count for b in seen.backends) + sum(n for _, n in seen.errors)
        assert dict(seen.statuses)["refused"] == dict(seen.errors)["refused"]

        events: list[str] = []
        await until(lambda: events.extend(e.text for e in through_lb.events())
                    or "backend server1 stopped answering" in events, 5, "the change event")
        through_lb.clear()
        await until(lambda: through_lb.stats().requests >= 30, 5, "30 requests after the eviction")
        assert shares(through_lb.stats()) == {"server2": 1.0}

        await asyncio.to_thread(conn.compute.start_server, server1)
        await asyncio.to_thread(wait_for, lambda: web.member_status("server1") == "ONLINE", DOWN_BOUND,
                                0.05, "server1 ONLINE")
        through_lb.clear()
        await until(lambda: through_lb.stats().requests >= 40, 5, "40 requests after the return")
        back = shares(through_lb.stats())
        assert set(back) == {"server1", "server2"} and all(0.45 <= s <= 0.55 for s in back.values()), back
    finally:
        through_lb.stop()
        direct.stop()
        await asyncio.gather(*runs)


async def test_unreachable_target_counts_refused(topology: Topology) -> None:
    probe = Prober("http://127.0.0.1:9/", rate=200, timeout=1)
    await probe.run(requests=10)
    stats = probe.stats()
    assert dict(stats.errors) == {"refused": 10} and stats.error_rate == 1.0 and not stats.backends

