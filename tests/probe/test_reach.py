"""What a probed address reaches (`cloud.reach`): each change issue 16 names changes the signature, what
does not move traffic does not, and the words say the new target. Plus the probe's side: a reconnect
forgets the answers still in flight."""

from __future__ import annotations

import pytest

from netdash.cloud.model import Topology
from netdash.cloud.probe import Prober
from netdash.cloud.probe_values import Sample
from netdash.cloud.reach import Follower, reach_of
from tests import topology_factory as f

LB_URL = "http://127.24.4.6/"


@pytest.fixture
def seed() -> Topology:
    return f.seed_topology()


def test_the_load_balancers_floating_ip(seed: Topology) -> None:
    reach = reach_of(seed, LB_URL)
    assert reach.known
    assert reach.text == "floating IP 127.24.4.6 (on load balancer web's VIP port): ROUND_ROBIN over server1"
    assert {f.FIP_LB, f.LB_VIP, f.LB, f.LISTENER, f.POOL, f.MEMBER1, f.MEMBER2, f.SERVER1} <= reach.ids
    # by the embedded cloud's endpoint tag too, on whatever port it serves
    tagged = f.with_changed(seed, "floating_ips", f.FIP_LB, endpoint="127.24.4.6:8080")
    assert reach_of(tagged, "http://127.24.4.6:8080/").facts == reach.facts


@pytest.mark.parametrize(("collection", "resource_id", "fields"), [
    ("floating_ips", f.FIP_LB, {"port_id": f.PORT_S2}),  # moved
    ("floating_ips", f.FIP_LB, {"port_id": None}),  # disassociated
    ("pools", f.POOL, {"lb_algorithm": "SOURCE_IP"}),
    ("members", f.MEMBER1, {"admin_state_up": False}),
    ("members", f.MEMBER1, {"weight": 0}),
    ("members", f.MEMBER2, {"operating_status": "ONLINE"}),  # health
    ("ports", f.PORT_S1, {"device_id": f.SERVER2}),  # the member's address now on another server
])
def test_what_moves_traffic_changes_the_signature(seed: Topology, collection: str, resource_id: str,
                                                  fields: dict[str, object]) -> None:
    follower = Follower(LB_URL, seed)
    changed = follower.update(f.with_changed(seed, collection, resource_id, **fields))
    assert changed is not None and changed.facts != reach_of(seed, LB_URL).facts


@pytest.mark.parametrize(("collection", "resource_id", "fields"), [
    ("servers", f.SERVER1, {"name": "renamed"}),
    ("pools", f.POOL, {"provisioning_status": "PENDING_UPDATE"}),
    ("load_balancers", f.LB, {"provisioning_status": "PENDING_UPDATE"}),
    ("floating_ips", f.FIP_S1, {"port_id": None}),  # another address
])
def test_what_does_not_move_traffic_keeps_it(seed: Topology, collection: str, resource_id: str,
                                             fields: dict[str, object]) -> None:
    follower = Follower(LB_URL, seed)
    assert follower.update(f.with_changed(seed, collection, resource_id, **fields)) is None


def test_the_words_follow_the_target(seed: Topology) -> None:
    moved = f.with_changed(seed, "floating_ips", f.FIP_LB, port_id=f.PORT_S1)
    assert reach_of(moved, LB_URL).text.startswith("floating IP 127.24.4.6 (on server server1's port ")
    free = f.with_changed(seed, "floating_ips", f.FIP_LB, port_id=None)
    assert reach_of(free, LB_URL).text == "floating IP 127.24.4.6 (associated with nothing)"
    swapped = f.with_changed(seed, "ports", f.SERVER_1_PORT, device_id=f.SERVER2)
    assert reach_of(seed, "http://127.24.4.3/").text == "port server-1-port (127.24.4.3) of server server1"
    assert reach_of(swapped, "http://127.24.4.3/").text == "port server-1-port (127.24.4.3) of server server2"
    assert reach_of(seed, "http://10.0.0.12/").text.startswith("VIP of load balancer web: ROUND_ROBIN")
    elsewhere = reach_of(seed, "https://example.org/")
    assert not elsewhere.known and "not an address of this project" in elsewhere.text


def test_touched_by_an_action(seed: Topology) -> None:
    follower = Follower(LB_URL, seed)
    assert follower.touched_by({f.POOL}) and follower.touched_by({f.FIP_LB, "other"})
    assert not follower.touched_by({f.FIP_S1, f.SERVER_2_PORT, "floating_ips"})


def test_a_reconnect_forgets_the_answers_in_flight() -> None:
    probe = Prober("http://127.0.0.1:9/", clock=lambda: 10.0)
    before = probe.generation
    probe.record(Sample(1.0, "c", 0.01, 200, "server2"), before)
    probe.reconnect("target changed, now server1", reason="floating IP on server1")
    probe.record(Sample(2.0, "c", 0.01, 200, "server2"), before)  # sent on the old connection: not counted
    probe.record(Sample(3.0, "c", 0.01, 200, "server1"), probe.generation)
    stats = probe.stats()
    assert [b.backend for b in stats.backends] == ["server1"] and stats.reason == "floating IP on server1"
    assert [e.text for e in probe.events()] == ["target changed, now server1: connections dropped, counting afresh"]
    probe.set_new_connection(True)
    assert probe.stats().new_connections
