"""A fetch with some lists failing (issue 14), through openstacksdk against the embedded cloud: the failing
lists keep their last good objects (or none) and are named in `Topology.unread`, every other list is
fresh; only a fetch in which nothing answered fails as a whole; the poller treats a partial fetch as a
success (no back-off)."""

from __future__ import annotations

import pytest

from netdash.cloud.client import CloudClient
from netdash.cloud.errors import ApiError
from netdash.cloud.poller import Poller
from netdash.democloud import DemoCloud


def test_a_first_fetch_with_a_failing_list_returns_the_rest(client: CloudClient, seeded_cloud: DemoCloud) -> None:
    seeded_cloud.cloud.faults.add_spec("503@network:GET:/v2.0/ports")
    topology = client.fetch_topology_sync()
    assert set(topology.unread) == {"ports"} and not topology.ports
    why = topology.unread["ports"]
    assert not why.kept and "HTTP 503" in why.reason and why.since == topology.fetched_at
    assert topology.networks and topology.servers and topology.load_balancers and topology.members

    seeded_cloud.cloud.faults.clear()
    again = client.fetch_topology_sync()
    assert not again.unread and again.ports


def test_a_failing_status_tree_keeps_the_members(client: CloudClient, seeded_cloud: DemoCloud) -> None:
    before = client.fetch_topology_sync()
    seeded_cloud.cloud.faults.add_spec("503@load-balancer:GET:/status$")
    seeded_cloud.connection().network.create_network(name="while-trees-fail")
    after = client.fetch_topology_sync()
    assert set(after.unread) == {"members"} and after.unread["members"].kept
    assert after.members is before.members   # the last good members, the same objects
    assert "while-trees-fail" in {n.name for n in after.networks.values()}


def test_a_failing_list_keeps_its_last_objects_and_since(client: CloudClient, seeded_cloud: DemoCloud) -> None:
    before = client.fetch_topology_sync()
    seeded_cloud.cloud.faults.add_spec("503@compute")
    first = client.fetch_topology_sync()
    second = client.fetch_topology_sync()
    assert first.servers is before.servers and second.servers is before.servers
    assert first.unread["servers"].kept and second.unread["servers"].since == first.unread["servers"].since


def test_nothing_answering_fails_the_whole_fetch(client: CloudClient, seeded_cloud: DemoCloud) -> None:
    seeded_cloud.cloud.faults.add_spec("503@network; 503@compute; 503@load-balancer")
    with pytest.raises(ApiError, match="HTTP 503"):
        client.fetch_topology_sync()


async def test_a_partial_refresh_is_no_failure_for_the_poller(client: CloudClient, seeded_cloud: DemoCloud) -> None:
    poller = Poller(client, interval=2.0)
    await poller.refresh()
    seeded_cloud.cloud.faults.add_spec("503@load-balancer")
    partial = await poller.refresh()
    assert partial.ok and set(partial.topology.unread) >= {"load_balancers", "members"}
    assert partial.events == [] and poller.next_delay() == 2.0   # nothing deleted, no back-off

    seeded_cloud.cloud.faults.add_spec("503@network; 503@compute")
    for _ in range(4):
        await poller.refresh()
    assert poller.next_delay() == 5.0   # the back-off stops at a few seconds (it was 30)
