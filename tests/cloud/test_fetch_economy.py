"""What keeps a refresh cheap at scale, checked through openstacksdk against the embedded cloud: unchanged
bodies give back the same model objects, status trees are read again only when the lists say their load
balancer changed (plus a few in rotation), and a refresh with a thousand changes logs a summary."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from netdash.cloud.client import CloudClient
from netdash.cloud.events import ChangeEvent
from netdash.cloud.status_trees import TreeCache
from netdash.democloud import DemoCloud, Settings
from netdash.tui.refresh import MAX_LINES, change_lines
from tests.waiting import wait_for


def test_unchanged_objects_come_back_as_the_same_objects(client: CloudClient, seeded_cloud: DemoCloud) -> None:
    first = client.fetch_topology_sync()
    second = client.fetch_topology_sync()
    for field in ("ports", "networks", "servers", "floating_ips", "load_balancers", "pools", "members"):
        before, after = getattr(first, field), getattr(second, field)
        assert after and all(after[i] is before[i] for i in after), field

    conn = seeded_cloud.connection()
    port = next(p for p in second.ports.values() if p.name)
    conn.network.update_port(port.id, name="renamed-by-the-test")
    third = client.fetch_topology_sync()
    assert third.ports[port.id] is not second.ports[port.id]
    assert third.ports[port.id].name == "renamed-by-the-test"
    assert all(third.ports[i] is second.ports[i] for i in third.ports if i != port.id)


@pytest.fixture
def two_lbs() -> Iterator[DemoCloud]:
    """`--scale 20`: two load balancers of ten members each, health monitors at their real delays."""
    with DemoCloud(seed=False, scale=20, settings=Settings(provisioning_delay=0.1, build_delay=0.1)) as cloud:
        yield cloud


def read_this_time(client: CloudClient) -> set[str]:
    trees = client.fetcher.inline.trees
    return {lb_id for lb_id, entry in trees.entries.items() if entry.fetched == trees.fetches}


def test_status_trees_are_read_when_their_load_balancer_changed_and_in_rotation(two_lbs: DemoCloud) -> None:
    client = CloudClient.for_demo(two_lbs, max_rps=1000)
    client.fetcher.inline.trees = TreeCache(rotate=1)
    try:
        first = client.fetch_topology_sync()
        lb_ids = set(first.load_balancers)
        assert len(lb_ids) == 2 and read_this_time(client) == lb_ids  # the first refresh reads every tree
        assert len(first.members) == 20

        rotation = []
        for _ in range(2):
            client.fetch_topology_sync()
            rotation.append(read_this_time(client))
        assert [len(r) for r in rotation] == [1, 1] and set.union(*rotation) == lb_ids  # oldest first, in turn

        # A member removed changes its pool's `members` in the pool list: that load balancer's tree is read at
        # once (with the rotation's one), and the member is gone from the snapshot.
        conn = two_lbs.connection()
        member = next(iter(first.members.values()))
        lb_id = first.pools[member.pool_id].loadbalancer_id
        member_id = member.id
        conn.load_balancer.delete_member(member_id, member.pool_id)
        wait_for(lambda: conn.load_balancer.get_load_balancer(lb_id).provisioning_status == "ACTIVE",
                 what="the load balancer ACTIVE again")
        after = client.fetch_topology_sync()
        assert read_this_time(client) == lb_ids  # the changed one, and the other one in rotation

        # The load balancer someone is looking at is read on every refresh, the other one in turn.
        client.watch_load_balancers(frozenset({lb_id}))
        reads = []
        for _ in range(3):
            client.fetch_topology_sync()
            reads.append(read_this_time(client))
        assert all(lb_id in r for r in reads) and any(r == lb_ids for r in reads)
        assert member_id not in after.members and len(after.members) == 19
    finally:
        client.close()


def event(n: int, severity: str, resource: str) -> ChangeEvent:
    return ChangeEvent(float(n), "changed", resource, f"id-{n}", f"{resource} {n} changed", severity)


def test_a_refresh_with_many_changes_logs_the_worst_and_a_summary() -> None:
    events = [event(n, "info", "member") for n in range(990)] + [event(990 + n, "error", "pool") for n in range(10)]
    lines = change_lines(events)
    assert len(lines) == MAX_LINES
    assert [line.severity for line in lines[:10]] == ["error"] * 10  # the errors first, whatever their order
    summary = lines[-1]
    assert summary.text == f"... and {1000 - MAX_LINES + 1:,} more changes: 971 members (the tree shows each)"
    assert summary.severity == "info"
    few = [event(n, "warning", "port") for n in range(5)]
    assert [line.text for line in change_lines(few)] == [e.text for e in few]
