"""diff(): changes made behind the dashboard's back through openstacksdk, named as an operator would."""

from __future__ import annotations

from typing import Any

from netdash.cloud.client import CloudClient
from netdash.cloud.events import ChangeEvent, diff
from netdash.cloud.model import FixedIP, FloatingIP, Member, Pool, Port, Router, Server, Topology, by_id
from netdash.democloud import DemoCloud
from tests.waiting import wait_for


def changes(client: CloudClient, change: Any) -> list[ChangeEvent]:
    before = client.fetch_topology_sync()
    change()
    after = client.fetch_topology_sync()
    return diff(before, after, at=after.fetched_at)


def texts(events: list[ChangeEvent]) -> list[str]:
    return [e.text for e in events]


def lb_active(conn: Any, name: str = "web") -> bool:
    return conn.load_balancer.find_load_balancer(name).provisioning_status == "ACTIVE"


def test_nothing_changed_means_no_events(client: CloudClient) -> None:
    topo = client.fetch_topology_sync()
    assert diff(topo, client.fetch_topology_sync(), at=1.0) == []


def test_moved_floating_ip(client: CloudClient, seeded_cloud: DemoCloud) -> None:
    conn = seeded_cloud.connection()
    server1, server2 = conn.compute.find_server("server1"), conn.compute.find_server("server2")
    private = conn.network.find_network("private")
    fip = next(f for f in conn.network.ips() if f.port_id
               and conn.network.get_port(f.port_id).device_id == server1.id)
    target = next(conn.network.ports(device_id=server2.id, network_id=private.id))
    events = changes(client, lambda: conn.network.update_ip(fip, port_id=target.id))
    moved = [e for e in events if e.resource == "floating IP"]
    assert texts(moved) == [f"floating IP {fip.floating_ip_address} moved server1 -> server2"]
    assert moved[0].kind == "changed" and moved[0].resource_id == fip.id and moved[0].severity == "info"
    events = changes(client, lambda: conn.network.update_ip(fip, port_id=None))
    assert f"floating IP {fip.floating_ip_address} disassociated from server2" in texts(events)


def test_stopped_server(client: CloudClient, seeded_cloud: DemoCloud) -> None:
    conn = seeded_cloud.connection()
    server1 = conn.compute.find_server("server1")

    def stop() -> None:
        conn.compute.stop_server(server1)
        wait_for(lambda: conn.compute.get_server(server1.id).status == "SHUTOFF", what="server1 SHUTOFF")

    events = [e for e in changes(client, stop) if e.resource == "server"]
    assert [(e.text, e.severity) for e in events] == [("server server1 ACTIVE -> SHUTOFF", "warning")]


def test_pool_algorithm_change(client: CloudClient, seeded_cloud: DemoCloud) -> None:
    conn = seeded_cloud.connection()
    pool = conn.load_balancer.find_pool("web_pool")
    events = changes(client, lambda: conn.load_balancer.update_pool(pool, lb_algorithm="SOURCE_IP"))
    assert "pool web_pool algorithm ROUND_ROBIN -> SOURCE_IP" in texts(events)


def test_deleted_member_and_created_port(client: CloudClient, seeded_cloud: DemoCloud) -> None:
    conn = seeded_cloud.connection()
    pool = conn.load_balancer.find_pool("web_pool")
    member = next(conn.load_balancer.members(pool))
    wait_for(lambda: lb_active(conn), what="web ACTIVE")

    def delete() -> None:  # Octavia keeps it PENDING_DELETE for a moment, as a real one does
        conn.load_balancer.delete_member(member, pool)
        wait_for(lambda: member.id not in {m.id for m in conn.load_balancer.members(pool)}, what="member gone")

    events = changes(client, delete)
    deleted = [e for e in events if e.resource == "member"]
    assert [(e.kind, e.text, e.resource_id, e.severity) for e in deleted] == [
        ("deleted", f"member {behind(conn, member.address)} ({member.address}:80) of web_pool deleted", member.id,
         "warning")]  # named by the server behind it, as the tree does
    private = conn.network.find_network("private")
    events = changes(client, lambda: conn.network.create_port(network_id=private.id, name="new-port"))
    assert [(e.kind, e.text) for e in events] == [("created", "port new-port created")]


def behind(conn: Any, address: str) -> str:
    return next(conn.compute.get_server(p.device_id).name for p in conn.network.ports()
                if any(ip["ip_address"] == address for ip in p.fixed_ips) and p.device_owner.startswith("compute:"))


# --- unit tests on hand-built snapshots ----------------------------------------------------------
def topo(**collections: Any) -> Topology:
    return Topology(**{name: by_id(items) for name, items in collections.items()})


def test_member_health_port_attachment_router_changes_and_order() -> None:
    pool = Pool("p1", name="web_pool", lb_algorithm="ROUND_ROBIN", loadbalancer_id="lb")
    online = Member("m1", "p1", address="10.0.0.19", protocol_port=80, operating_status="ONLINE")
    srv = [Server("s1", name="server1"), Server("s2", name="server2")]
    port = Port("pt", name="server-1-port", network_id="n", fixed_ips=(FixedIP("sn", "10.0.0.5"),))
    router = Router("r1", name="gw")
    old = topo(pools=[pool], members=[online], servers=srv, ports=[port], routers=[router])
    new = topo(pools=[pool], members=[Member("m1", "p1", address="10.0.0.19", protocol_port=80,
                                             operating_status="ERROR")],
               servers=srv, routers=[Router("r1", name="gw", external_network_id="ext")],
               ports=[Port("pt", name="server-1-port", network_id="n", device_id="s2",
                           fixed_ips=(FixedIP("sn", "10.0.0.5"),)),
                      Port("ri", network_id="n", device_id="r1", device_owner="network:router_interface",
                           fixed_ips=(FixedIP("sn", "10.0.0.1"),))])
    events = diff(old, new, at=5.0)
    assert [(e.kind, e.resource, e.text, e.severity) for e in events] == [
        ("changed", "router", "router gw gateway set to ext", "info"),
        ("changed", "router", "router gw interface added on subnet sn", "info"),
        ("created", "port", "port ri created", "info"),
        ("changed", "port", "port server-1-port attached to server2", "info"),
        ("changed", "member", "member 10.0.0.19:80 of web_pool ONLINE -> ERROR", "error"),
    ]
    assert all(e.at == 5.0 for e in events)
    assert diff(new, old, at=6.0)[-1].text == "member 10.0.0.19:80 of web_pool ERROR -> ONLINE"
    assert "port server-1-port detached from server2" in texts(diff(new, old, at=6.0))


def test_floating_ip_associate_to_load_balancer_and_same_owner_moves() -> None:
    from netdash.cloud.model import LoadBalancer

    ports = [Port("a", name="vip", device_owner="Octavia"), Port("b", name="eth0", device_id="s1"),
             Port("c", name="eth1", device_id="s1")]
    base = {"ports": ports, "servers": [Server("s1", name="server1")],
            "load_balancers": [LoadBalancer("lb", name="web", vip_port_id="a")]}
    free = topo(floating_ips=[FloatingIP("f", "127.24.4.9")], **base)
    on_lb = topo(floating_ips=[FloatingIP("f", "127.24.4.9", port_id="a")], **base)
    on_b = topo(floating_ips=[FloatingIP("f", "127.24.4.9", port_id="b")], **base)
    on_c = topo(floating_ips=[FloatingIP("f", "127.24.4.9", port_id="c")], **base)
    assert texts(diff(free, on_lb, 0)) == ["floating IP 127.24.4.9 associated with web"]
    assert texts(diff(on_lb, on_b, 0)) == ["floating IP 127.24.4.9 moved web -> server1"]
    assert texts(diff(on_b, on_c, 0)) == ["floating IP 127.24.4.9 moved port eth0 -> port eth1"]
    assert texts(diff(on_c, free, 0)) == ["floating IP 127.24.4.9 disassociated from server1"]
