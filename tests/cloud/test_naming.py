"""cloud.naming: one name per object, the same in the tree, the event log, the CLI and an action's plan."""

from __future__ import annotations

from netdash.cloud.model import FixedIP, FloatingIP, Member, Network, Pool, Port, Server, Topology, by_id
from netdash.cloud.naming import (
    display_name,
    member_name,
    name_of,
    owner_name,
    port_text,
    resource_name,
    target_name,
)
from tests.cloud.test_model import snapshot


def test_a_name_else_a_short_id() -> None:
    assert display_name(Network("0123456789abcdef", name="private")) == "private"
    assert display_name(Network("0123456789abcdef")) == "01234567"


def test_what_a_port_belongs_to_and_what_a_floating_ip_points_at() -> None:
    topo = snapshot()
    assert owner_name(topo, "p1") == "server1" and target_name(topo, "p1") == "server1"
    assert owner_name(topo, "vip") == "web"  # a load balancer's VIP port
    assert owner_name(topo, "gw") == "gw"  # a router's
    lone = Topology(ports=by_id([Port("lone-port-id", fixed_ips=(FixedIP("s", "10.0.0.7"),))]))
    assert owner_name(lone, "lone-port-id") is None and target_name(lone, "lone-port-id") == "port lone-por"
    assert owner_name(topo, "gone-port-id") is None and target_name(topo, "gone-port-id") == "port gone-por"
    assert owner_name(topo, None) is None and target_name(topo, None) == "nothing"


def test_members_floating_ips_and_ids_by_name() -> None:
    topo = Topology(pools=by_id([Pool("pool-id-1", name="web_pool")]),
                    floating_ips=by_id([FloatingIP("fip-id-12", "127.24.4.12"), FloatingIP("fip-id-34")]))
    member = Member("m1", "pool-id-1", address="10.0.0.5", protocol_port=80)
    assert member_name(topo, member) == resource_name(topo, member) == "10.0.0.5:80 of web_pool"
    assert member_name(topo, Member("m2", "other-pool-id", address="10.0.0.6")) == "10.0.0.6 of other-po"
    served = Topology(pools=topo.pools, servers=by_id([Server("s1", name="server2")]),
                      ports=by_id([Port("p", device_id="s1", device_owner="compute:nova",
                                        fixed_ips=(FixedIP("s", "10.0.0.5"),))]))
    assert member_name(served, member) == "server2 (10.0.0.5:80) of web_pool"  # as the tree names it
    assert resource_name(topo, topo.floating_ips["fip-id-12"]) == "127.24.4.12"
    assert resource_name(topo, topo.floating_ips["fip-id-34"]) == "fip-id-3"
    assert name_of(topo, "fip-id-12") == "127.24.4.12" and name_of(topo, "pool-id-1") == "web_pool"


def test_port_text_is_the_name_actions_give_a_port() -> None:
    topo = snapshot()
    assert port_text(topo, None) == "nothing"
    assert port_text(topo, topo.ports["p1"]) == "port server-1-port 10.0.0.5 (server1)"
    assert port_text(topo, topo.ports["p2"]) == "port p2 10.0.0.6 (server2)"


def test_state_numbers_are_shown_by_name_with_the_number() -> None:
    from netdash.cloud.naming import value_name

    assert value_name("power_state", 4) == "shut down (4)" and value_name("power_state", 1) == "running (1)"
    assert value_name("power_state", 99) == "unknown (99)"
    assert value_name("power_state", None) is None and value_name("protocol_port", 80) is None
