"""The topology map's model and layout, headless: where each thing is drawn for the seed scenario, what a
closed bar says, what a change marks, and names from the cloud shown as text."""

from __future__ import annotations

import dataclasses

from netdash.cloud.model import Network, Port, Server, Subnet, Topology, by_id
from netdash.cloud.topology_layout import MapLayout, Spot, lay_out
from netdash.cloud.topology_map import MARK_SECONDS, MapModel, Marks
from tests import topology_factory as f


def spots(layout: MapLayout, key: tuple[str, str]) -> list[Spot]:
    return [s for s in layout.spots if s.key == key]


def inside(inner: Spot, outer: Spot) -> bool:
    x, y, _, _ = inner.rect
    ox, oy, ow, oh = outer.rect
    return ox <= x < ox + ow and oy <= y < oy + oh


def test_seed_networks_are_bars_external_first_with_their_cidrs() -> None:
    layout = lay_out(MapModel(f.seed_topology()), None, 80)
    lines = layout.text().splitlines()
    captions = [line.split("▾ ")[1].split(" ·")[0] for line in lines if "▾ " in line]
    assert captions == ["public", "private", "worker_network", "webserver_network", "api_network"]
    assert "▾ public · 127.24.4.0/24 · external shared" in layout.text()
    for net, y in layout.bars.items():  # each bar a line of ━ across the width (junctions aside)
        assert set(lines[y]) <= set("━┯┿┷│ "), (net, lines[y])
        assert lines[y].count("━") > 60


def test_servers_hang_off_each_network_of_their_ports_with_that_ports_address_and_floating_ip() -> None:
    layout = lay_out(MapModel(f.seed_topology()), None, 160)
    server1 = spots(layout, ("server", f.SERVER1))
    assert sorted(s.network for s in server1) == sorted([f.PUBLIC, f.PRIVATE])
    under_private = next(s for s in server1 if s.network == f.PRIVATE)
    (fip,) = spots(layout, ("floating_ip", f.FIP_S1))
    assert inside(fip, under_private)  # the floating IP is on server1's private port
    x, y, width, _ = fip.rect
    assert "".join(layout.chars[y][x:x + width]) == "127.24.4.5"
    assert "10.0.0.10 ⇄ 127.24.4.5" in layout.text()
    for box in server1:  # each box just under its own bar, hanging from it by a stem
        assert layout.bars[box.network] < box.rect[1]
        assert layout.chars[box.rect[1]][box.rect[0] + 2] == "┴"


def test_routers_hang_once_and_join_their_other_networks_by_a_lane() -> None:
    layout = lay_out(MapModel(f.seed_topology()), None, 160)
    (gateway,) = spots(layout, ("router", f.GATEWAY_ROUTER))
    (project,) = spots(layout, ("router", f.PROJECT_ROUTER))
    assert gateway.network == project.network == f.PUBLIC
    # a lane per router in the left margin: junctions where it joins a bar, hidden under the others
    private, worker, api = (layout.bars[n] for n in (f.PRIVATE, f.TIERS[0][0], f.TIERS[2][0]))
    assert layout.chars[private][1] == "┷"  # private_gateway's lane ends on private
    assert layout.chars[private][3] == "━"  # project_router's passes it
    assert layout.chars[worker][3] == "┿" and layout.chars[api][3] == "┷"
    assert "gateway public 127.24.4.2" in layout.text() and "→ api_network 10.0.3.1" in layout.text()


def test_load_balancer_box_has_its_vip_pool_and_members_with_health() -> None:
    layout = lay_out(MapModel(f.seed_topology()), None, 160)
    (lb,) = spots(layout, ("load_balancer", f.LB))
    assert lb.network == f.PRIVATE
    for key in (("floating_ip", f.FIP_LB), ("pool", f.POOL), ("member", f.MEMBER1), ("member", f.MEMBER2)):
        (spot,) = spots(layout, key)
        assert inside(spot, lb)
    (member2,) = spots(layout, ("member", f.MEMBER2))
    x, y, width, _ = member2.rect
    assert "".join(layout.chars[y][x:x + width]) == "● server2 10.0.0.11:80 ERROR"
    assert layout.styles[y][x] == "status:ERROR"  # its health in its colour


def test_closed_bars_are_one_line_of_counts_and_build_no_box() -> None:
    model = MapModel(f.seed_topology())
    layout = lay_out(model, [], 100)
    assert not [s for s in layout.spots if s.key[0] != "network"]
    assert layout.height == 2 + len(model.networks)  # the legend, a blank line, a bar each
    assert "▸ public · 127.24.4.0/24 · external shared · 2 routers, 2 servers" in layout.text()
    assert "▸ private · 10.0.0.0/24 · 1 router, 2 servers, 1 load balancer" in layout.text()
    assert not model._on  # nothing was gathered for the closed bars: counts only
    opened = lay_out(model, [f.PRIVATE], 100)
    assert {s.network for s in opened.spots if s.key[0] != "network"} == {f.PRIVATE}
    assert spots(opened, ("router", f.GATEWAY_ROUTER))  # under the first open network it is on


def test_counts_are_reused_by_the_next_snapshot_when_ports_and_owners_did_not_change() -> None:
    seed = f.seed_topology()
    first = MapModel(seed)
    counts = first.counts(f.PRIVATE)
    members = f.with_changed(seed, "members", f.MEMBER2, operating_status="ONLINE").members
    healthier = seed.following(f.FIXED_TIME + 2, members=members)  # as a refresh builds the next snapshot
    assert MapModel(healthier, first).counts(f.PRIVATE) is counts
    stopped = f.with_changed(seed, "servers", f.SERVER2, status="SHUTOFF")
    assert MapModel(stopped, first).counts(f.PRIVATE) == counts


def test_a_change_is_marked_where_it_is_drawn_for_a_while() -> None:
    seed = f.seed_topology()
    marks = Marks()
    marks.update(Topology(), seed)
    assert not marks.active()  # the first snapshot is not news
    later = dataclasses.replace(f.with_changed(seed, "floating_ips", f.FIP_S1, port_id=f.PORT_S2,
                                               fixed_ip_address="10.0.0.11"), fetched_at=f.FIXED_TIME + 2)
    later = dataclasses.replace(f.with_changed(later, "members", f.MEMBER1, operating_status="ERROR"),
                                fetched_at=f.FIXED_TIME + 2)
    marks.update(seed, later)
    assert marks.active() == {("floating_ip", f.FIP_S1), ("member", f.MEMBER1)}
    layout = lay_out(MapModel(later), None, 160, marks=marks.active())
    (fip,) = spots(layout, ("floating_ip", f.FIP_S1))
    server2 = next(s for s in spots(layout, ("server", f.SERVER2)) if s.network == f.PRIVATE)
    assert inside(fip, server2)
    assert layout.styles[fip.rect[1]][fip.rect[0]].endswith("+changed")
    still = dataclasses.replace(later, fetched_at=later.fetched_at + MARK_SECONDS)
    marks.update(later, still)
    assert not marks.active()


def test_pool_and_port_changes_mark_the_box_that_draws_them() -> None:
    seed = f.seed_topology()
    marks = Marks()
    changed = dataclasses.replace(f.with_changed(seed, "pools", f.POOL, lb_algorithm="SOURCE_IP"),
                                  fetched_at=f.FIXED_TIME + 1)
    changed = dataclasses.replace(f.with_changed(changed, "ports", f.PORT_S2, admin_state_up=False),
                                  fetched_at=f.FIXED_TIME + 1)
    marks.update(seed, changed)
    assert {("pool", f.POOL), ("load_balancer", f.LB), ("server", f.SERVER2)} <= marks.active()


def test_names_from_the_cloud_are_text_and_wide_characters_keep_the_grid() -> None:
    hostile = "\x1b[31mred\x07\n名前"
    topology = f.seed_topology(
        networks=(Network("n1", hostile, "ACTIVE"),),
        subnets=(Subnet("s1", "", "n1", "10.9.0.0/24"),),
        ports=(Port("p1", "", "n1", fixed_ips=(), device_id="v1", device_owner="compute:nova"),),
        servers=(Server("v1", "サーバー[bold]", "ACTIVE"),),
        routers=(), floating_ips=(), load_balancers=(), listeners=(), pools=(), members=(), health_monitors=())
    layout = lay_out(MapModel(topology), None, 80)
    text = layout.text()
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b[31mred\\x07\\x0a名前" in text and "サーバー[bold]" in text
    for row in layout.chars:  # every row is as many cells as the grid is wide
        assert sum(2 if len(c) == 1 and ord(c) > 0x3000 else (0 if c == "" else 1) for c in row) == layout.width


def test_a_large_project_lays_out_closed_bars_only() -> None:
    networks = [Network(f"net{i}", f"net-{i}", "ACTIVE") for i in range(100)]
    ports = [Port(f"p{i}", "", f"net{i % 100}", device_id=f"s{i % 1000}", device_owner="compute:nova")
             for i in range(5000)]
    servers = [Server(f"s{i}", f"server-{i}", "ACTIVE") for i in range(1000)]
    topology = Topology(networks=by_id(networks), ports=by_id(ports), servers=by_id(servers))
    model = MapModel(topology)
    layout = lay_out(model, [], 120)
    assert layout.height == 102 and len(layout.spots) == 100
    assert "▸ net-7 · 10 servers" in layout.text()  # 50 ports: 5 each of 10 servers
    one = lay_out(model, ["net7"], 120)
    assert len([s for s in one.spots if s.key[0] == "server"]) == 10
