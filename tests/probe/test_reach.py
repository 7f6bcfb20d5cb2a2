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
    # by where the embedded cloud serves it too, on whatever port that is
    served = f.with_changed(seed, "floating_ips", f.FIP_LB, endpoint="127.24.4.6:8080")
    assert reach_of(served, "http://127.24.4.6:8080/").facts == reach.facts


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


# --- expected beside observed (issue 16) ----------------------------------------------------------------
def expected(topology: Topology, new_connection: bool = False):
    from netdash.cloud.reach import expected_of

    return expected_of(topology, reach_of(topology, LB_URL), new_connection)


def healthy(seed: Topology) -> Topology:
    return f.with_changed(seed, "members", f.MEMBER2, operating_status="ONLINE")


def test_expected_shares_follow_weights_admin_state_and_health(seed: Topology) -> None:
    both = healthy(seed)
    assert expected(both).shares == (("server1", 0.5), ("server2", 0.5))
    assert expected(both).rule == "ROUND_ROBIN by weight 1:1"
    weighted = f.with_changed(both, "members", f.MEMBER2, weight=2)  # weights 1:2
    assert expected(weighted).shares == (("server1", pytest.approx(1 / 3)), ("server2", pytest.approx(2 / 3)))
    drained = f.with_changed(both, "members", f.MEMBER1, weight=0)  # a drained member gets nothing
    assert expected(drained).shares == (("server2", 1.0),)
    assert expected(seed).shares == (("server1", 1.0),)  # member2 in ERROR: evicted by its health monitor
    disabled = f.with_changed(both, "members", f.MEMBER2, admin_state_up=False)
    assert expected(disabled).shares == (("server1", 1.0),)
    none = f.with_changed(drained, "members", f.MEMBER2, operating_status="ERROR")
    assert expected(none).shares == () and "no member can serve" in expected(none).rule


def test_source_ip_pins_a_client_and_source_ip_port_spreads_new_connections(seed: Topology) -> None:
    sticky = f.with_changed(healthy(seed), "pools", f.POOL, lb_algorithm="SOURCE_IP")
    assert expected(sticky).pinned and "one backend for every request" in expected(sticky).rule
    per_port = f.with_changed(healthy(seed), "pools", f.POOL, lb_algorithm="SOURCE_IP_PORT")
    assert expected(per_port).pinned  # keep-alive: one connection, one source port
    assert expected(per_port, new_connection=True).shares == (("server1", 0.5), ("server2", 0.5))


def test_a_deviation_is_marked_only_beyond_what_the_sample_explains() -> None:
    from netdash.cloud.probe_values import Expected

    half = Expected((("server1", 0.5), ("server2", 0.5)))
    assert half.deviating({"server1": 26, "server2": 24}) == frozenset()
    assert half.deviating({"server1": 40, "server2": 10}) == {"server1", "server2"}
    assert half.deviating({"server1": 5, "server2": 1}) == frozenset()  # too few to tell
    one = Expected((("server1", 1.0),))
    assert one.deviating({"server1": 30, "server2": 2}) == {"server1", "server2"}  # a drained one still answers
    assert Expected(pinned=True).deviating({"server1": 20}) == frozenset()
    assert Expected(pinned=True).deviating({"server1": 12, "server2": 8}) == {"server1", "server2"}


def test_the_pane_shows_expected_beside_observed() -> None:
    from netdash.cloud.probe_values import BackendShare, Expected, ProbeStats
    from netdash.widgets.probe_pane import render_bars

    stats = ProbeStats(url=LB_URL, running=True, requests=40, backends=(BackendShare("server1", 40, 1.0, ""),),
                       expected=Expected((("server1", 0.5), ("server2", 0.5)), rule="ROUND_ROBIN by weight 1:1"))
    text = render_bars(stats, 80).plain
    assert "exp  50%" in text and "server2" in text and text.count("⚠") == 2, text
    assert text.endswith("expected: ROUND_ROBIN by weight 1:1")
