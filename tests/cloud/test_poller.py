"""Poller: diffs between refreshes, staleness while the cloud is down, back-off, recovery, no overlap."""

from __future__ import annotations

import asyncio

from netdash.cloud.client import CloudClient
from netdash.cloud.errors import CloudUnreachable
from netdash.cloud.poller import Poller
from netdash.democloud import DemoCloud


async def test_stale_while_the_cloud_is_stopped_then_recovers(client: CloudClient, seeded_cloud: DemoCloud) -> None:
    now = [1000.0]
    poller = Poller(client, interval=2.0, max_backoff=10.0, clock=lambda: now[0])
    first = await poller.refresh()
    assert first.ok and first.events == [] and first.stale_since is None and poller.last is first.topology
    assert poller.next_delay() == 2.0

    seeded_cloud.stop()
    failed = await poller.refresh()
    assert isinstance(failed.error, CloudUnreachable) and "\n" not in failed.error.message
    assert failed.topology is first.topology  # the last good snapshot stays on screen
    assert failed.stale_since == 1000.0 and failed.events == []
    assert poller.next_delay() == 2.0
    now[0] = 1002.0
    again = await poller.refresh()
    assert again.stale_since == 1000.0  # stale since the first failure, not the latest
    assert [poller.next_delay() for _ in range(1)] == [4.0]
    await poller.refresh(), await poller.refresh()
    assert poller.next_delay() == 10.0  # 2, 4, 8, then capped
    assert seeded_cloud.password() not in again.error.message

    seeded_cloud.start()  # same state, same port
    conn = seeded_cloud.connection()
    conn.network.create_port(network_id=conn.network.find_network("private").id, name="while-away")
    recovered = await poller.refresh()
    assert recovered.ok and recovered.stale_since is None and poller.next_delay() == 2.0
    assert [e.text for e in recovered.events] == ["port while-away created"]  # diffed against the last good


async def test_a_refresh_requested_during_one_joins_it(client: CloudClient) -> None:
    poller = Poller(client)
    await poller.refresh()
    before = client.api_calls
    one, two = await asyncio.gather(poller.refresh(), poller.refresh())
    assert one is two
    # 11 lists, the quota details, the embedded cloud's endpoint list, the web load balancer's status tree
    assert client.api_calls - before == 14


def test_a_refresh_begun_before_any_loop_is_the_first_one_joined(client: CloudClient,
                                                                  seeded_cloud: DemoCloud) -> None:
    """`netdash` begins the first fetch before Textual starts (`Poller.begin`): the App's first refresh, and
    any asked for while it runs, join it (no second fetch); the next one is a fetch of its own, diffed
    against it."""
    poller = Poller(client)
    poller.begin()
    begun = poller._begun
    assert begun is not None
    first = begun.result(timeout=30)
    assert poller.begun() is first  # what `netdash` gives the App to draw in its first frame
    calls = client.api_calls

    async def joined() -> tuple[object, object]:
        one, two = await asyncio.gather(poller.refresh(), poller.refresh())
        return one, two

    one, two = asyncio.run(joined())
    assert one is two is first and first.ok and first.topology.servers and poller.last is first.topology
    assert client.api_calls == calls and poller.begun() is None  # joined: not fetched again
    conn = seeded_cloud.connection()
    conn.network.create_network(name="after-the-begun-one")
    after = asyncio.run(poller.refresh())
    assert [e.text for e in after.events] == ["network after-the-begun-one created"]
    assert client.api_calls > calls
