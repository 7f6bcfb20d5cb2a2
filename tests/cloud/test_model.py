"""The Topology indexes the client, the diff and the CLI tree rely on, on hand-built snapshots."""

from __future__ import annotations

from typing import Any

from netdash.cloud import convert
from netdash.cloud.model import (
    FixedIP,
    FloatingIP,
    HealthMonitor,
    LoadBalancer,
    Pool,
    Port,
    Router,
    Server,
    Topology,
    by_id,
)
from netdash.cloud.naming import name_of
from tests import topology_factory as f


def snapshot() -> Topology:
    ports = [
        Port("gw", device_id="r1", device_owner="network:router_gateway", fixed_ips=(FixedIP("pub", "127.24.4.2"),)),
        Port("ri", device_id="r1", device_owner="network:router_interface", fixed_ips=(FixedIP("priv", "10.0.0.1"),)),
        Port("p1", name="server-1-port", device_id="s1", fixed_ips=(FixedIP("priv", "10.0.0.5"),)),
        Port("p2", device_id="s2", fixed_ips=(FixedIP("priv", "10.0.0.6"),)),
        Port("vip", device_owner="Octavia", fixed_ips=(FixedIP("priv", "10.0.0.9"),)),
        Port("island", device_id="s2", fixed_ips=(FixedIP("other", "10.0.0.5"),)),  # same address, other subnet
    ]
    return Topology(
        ports=by_id(ports), servers=by_id([Server("s1", name="server1"), Server("s2", name="server2")]),
        routers=by_id([Router("r1", name="gw", external_network_id="public")]),
        floating_ips=by_id([FloatingIP("f1", "127.24.4.12", floating_network_id="public", port_id="p1"),
                            FloatingIP("f2", "127.24.4.13", floating_network_id="elsewhere")]),
        load_balancers=by_id([LoadBalancer("lb", name="web", vip_port_id="vip")]),
        pools=by_id([Pool("pool", name="web_pool", loadbalancer_id="lb")]),
        health_monitors=by_id([HealthMonitor("hm", pool_id="pool")]),
    )


def test_floating_ip_targets_follow_neutrons_rule() -> None:
    topo = snapshot()
    fip = topo.floating_ips["f1"]
    # ports on the routed subnet, except its own port and the router's; the other subnet is unreachable
    assert [p.id for p in topo.floating_ip_targets(fip)] == ["p2", "vip"]
    assert topo.floating_ip_targets(topo.floating_ips["f2"]) == ()


def test_owners_interfaces_addresses_and_names() -> None:
    topo = snapshot()
    assert topo.owner_of_port(topo.ports["p1"]).name == "server1"
    assert topo.owner_of_port(topo.ports["ri"]).name == "gw"
    assert topo.owner_of_port(topo.ports["vip"]).name == "web"
    assert [p.id for p in topo.router_interfaces("r1")] == ["ri"]
    assert [p.id for p in topo.ports_with_address("10.0.0.5")] == ["p1", "island"]
    assert topo.server_of_address("10.0.0.5", "other").name == "server2"
    assert topo.server_of_address("10.0.0.5").name == "server1"
    assert [f.id for f in topo.floating_ips_of_port("p1")] == ["f1"]
    assert topo.health_monitor_of(topo.pools["pool"]).id == "hm"  # found by pool_id without healthmonitor_id
    assert [p.id for p in topo.pools_of("lb")] == ["pool"]
    assert name_of(topo, "f1") == "127.24.4.12" and name_of(topo, "s2") == "server2"
    assert name_of(topo, "unknown-id-1234") == "unknown-"


def test_where_the_embedded_cloud_serves_goes_into_the_bodies_it_concerns() -> None:
    """`/democloud/endpoints` read into the floating IP's, port's and listener's bodies; a user's tags are left
    alone, and what the list does not name (or a malformed entry) has no endpoint."""
    listed = convert.endpoints({"endpoints": [
        {"resource": "floatingip", "id": "f1", "endpoints": ["127.24.4.12:8080"]},
        {"resource": "listener", "id": "l1", "endpoints": ["127.0.0.1:40123"]},
        {"resource": "port", "id": "p1", "endpoints": ["127.24.4.20:80"]}, {"resource": "listener"}, "junk"]})
    bodies: dict[str, list[Any]] = {"floating_ips": [{"id": "f1", "tags": ["mine"]}, {"id": "f2"}],
                                    "listeners": [{"id": "l1"}], "ports": [{"id": "p1"}]}
    convert.served_at(bodies, listed)
    fips = [convert.floating_ip(d) for d in bodies["floating_ips"]]
    assert [f.endpoint for f in fips] == ["127.24.4.12:8080", None]
    assert convert.listener(bodies["listeners"][0]).endpoint == "127.0.0.1:40123"
    assert convert.port(bodies["ports"][0]).endpoint == "127.24.4.20:80"
    assert convert.endpoints(None) == {}


def test_the_load_balancer_of_each_octavia_object_and_of_the_vip_floating_ip() -> None:
    t = f.seed_topology()
    for kind, resource_id in (("load_balancer", f.LB), ("listener", f.LISTENER), ("pool", f.POOL),
                              ("member", f.MEMBER2), ("health_monitor", f.MONITOR), ("floating_ip", f.FIP_LB)):
        assert t.load_balancer_of(kind, resource_id) == f.LB, kind
    assert t.load_balancer_of("floating_ip", f.FIP_S1) is None
    assert t.load_balancer_of("network", f.PUBLIC) is None
    assert t.load_balancer_of("member", "gone") is None
