"""A hand-built `Topology` shaped like the seed scenario, with fixed ids: for widget and snapshot tests
that must not depend on a running cloud (or on the uuids and times a real one hands out)."""

from __future__ import annotations

import dataclasses

from netdash.cloud.model import (
    FixedIP,
    FloatingIP,
    HealthMonitor,
    Listener,
    LoadBalancer,
    Member,
    Network,
    Pool,
    Port,
    Router,
    Server,
    ServerAddress,
    Subnet,
    Topology,
    by_id,
)

FIXED_TIME = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC


def uid(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-{n:012x}"


PUBLIC, PUBLIC_SUBNET, PRIVATE, PRIVATE_SUBNET = uid(1), uid(2), uid(3), uid(4)
GATEWAY_ROUTER, PROJECT_ROUTER = uid(5), uid(6)
SERVER1, SERVER2 = uid(7), uid(8)
PORT_S1, PORT_S2, SERVER_1_PORT, SERVER_2_PORT = uid(9), uid(10), uid(11), uid(12)
ROUTER_GW, ROUTER_IF, LB_VIP = uid(13), uid(14), uid(15)
FIP_S1, FIP_LB, FIP_FREE = uid(16), uid(17), uid(18)
LB, LISTENER, POOL, MEMBER1, MEMBER2, MONITOR = uid(19), uid(20), uid(21), uid(22), uid(23), uid(24)
TIERS = [(uid(30 + 3 * i), uid(31 + 3 * i), uid(32 + 3 * i)) for i in range(3)]  # network, subnet, interface
PROJECT_GW = uid(40)


def seed_topology(**changes: object) -> Topology:
    """The seed scenario; keyword arguments replace whole collections (tuples of objects)."""
    networks = [
        Network(PUBLIC, "public", "ACTIVE", external=True, shared=True, mtu=1500, subnet_ids=(PUBLIC_SUBNET,)),
        Network(PRIVATE, "private", "ACTIVE", mtu=1450, subnet_ids=(PRIVATE_SUBNET,)),
        *[Network(net, f"{tier}_network", "ACTIVE", mtu=1450, subnet_ids=(sub,))
          for (net, sub, _), tier in zip(TIERS, ("worker", "webserver", "api"), strict=True)],
    ]
    subnets = [
        Subnet(PUBLIC_SUBNET, "public-subnet", PUBLIC, "127.24.4.0/24", gateway_ip="127.24.4.1"),
        Subnet(PRIVATE_SUBNET, "private_subnet", PRIVATE, "10.0.0.0/24", gateway_ip="10.0.0.1",
               allocation_pools=(("10.0.0.10", "10.0.0.200"),), dns_nameservers=("8.8.8.8",)),
        *[Subnet(sub, f"{tier}_subnet", net, f"10.0.{n}.0/24", gateway_ip=f"10.0.{n}.1")
          for n, ((net, sub, _), tier) in enumerate(zip(TIERS, ("worker", "webserver", "api"), strict=True), 1)],
    ]
    ports = [
        Port(ROUTER_GW, "", PUBLIC, "fa:16:3e:00:00:0d", (FixedIP(PUBLIC_SUBNET, "127.24.4.2"),), GATEWAY_ROUTER,
             "network:router_gateway", "ACTIVE"),
        Port(ROUTER_IF, "", PRIVATE, "fa:16:3e:00:00:0e", (FixedIP(PRIVATE_SUBNET, "10.0.0.1"),), GATEWAY_ROUTER,
             "network:router_interface", "ACTIVE"),
        Port(SERVER_1_PORT, "server-1-port", PUBLIC, "fa:16:3e:00:00:0b", (FixedIP(PUBLIC_SUBNET, "127.24.4.3"),),
             SERVER1, "compute:nova", "ACTIVE"),
        Port(SERVER_2_PORT, "server-2-port", PUBLIC, "fa:16:3e:00:00:0c", (FixedIP(PUBLIC_SUBNET, "127.24.4.4"),),
             SERVER2, "compute:nova", "ACTIVE"),
        Port(PORT_S1, "", PRIVATE, "fa:16:3e:00:00:09", (FixedIP(PRIVATE_SUBNET, "10.0.0.10"),), SERVER1,
             "compute:nova", "ACTIVE"),
        Port(PORT_S2, "", PRIVATE, "fa:16:3e:00:00:0a", (FixedIP(PRIVATE_SUBNET, "10.0.0.11"),), SERVER2,
             "compute:nova", "ACTIVE"),
        Port(LB_VIP, "octavia-lb-" + LB, PRIVATE, "fa:16:3e:00:00:0f", (FixedIP(PRIVATE_SUBNET, "10.0.0.12"),),
             LB, "Octavia", "DOWN"),
        Port(PROJECT_GW, "", PUBLIC, "fa:16:3e:00:00:28", (FixedIP(PUBLIC_SUBNET, "127.24.4.7"),), PROJECT_ROUTER,
             "network:router_gateway", "ACTIVE"),
        *[Port(iface, "", net, f"fa:16:3e:00:01:0{n}", (FixedIP(sub, f"10.0.{n}.1"),), PROJECT_ROUTER,
               "network:router_interface", "ACTIVE") for n, (net, sub, iface) in enumerate(TIERS, 1)],
    ]
    routers = [
        Router(GATEWAY_ROUTER, "private_gateway", "ACTIVE", external_network_id=PUBLIC,
               external_fixed_ips=(FixedIP(PUBLIC_SUBNET, "127.24.4.2"),), enable_snat=True),
        Router(PROJECT_ROUTER, "project_router", "ACTIVE", external_network_id=PUBLIC,
               external_fixed_ips=(FixedIP(PUBLIC_SUBNET, "127.24.4.7"),), enable_snat=True),
    ]
    servers = [
        Server(SERVER1, "server1", "ACTIVE", power_state=1, flavor="VC-4", image="centos-8.2-2004",
               key_name="ssh_key_name", created_at="2023-11-14T22:13:20Z", addresses=(
                   ServerAddress("private", "10.0.0.10", "fixed", "fa:16:3e:00:00:09"),
                   ServerAddress("private", "127.24.4.5", "floating", "fa:16:3e:00:00:09"),
                   ServerAddress("public", "127.24.4.3", "fixed", "fa:16:3e:00:00:0b"))),
        Server(SERVER2, "server2", "ACTIVE", power_state=1, flavor="VC-4", image="centos-8.2-2004",
               key_name="ssh_key_name", created_at="2023-11-14T22:13:20Z", addresses=(
                   ServerAddress("private", "10.0.0.11", "fixed", "fa:16:3e:00:00:0a"),
                   ServerAddress("public", "127.24.4.4", "fixed", "fa:16:3e:00:00:0c"))),
    ]
    fips = [
        FloatingIP(FIP_S1, "127.24.4.5", PUBLIC, PORT_S1, "10.0.0.10", GATEWAY_ROUTER, "ACTIVE"),
        FloatingIP(FIP_LB, "127.24.4.6", PUBLIC, LB_VIP, "10.0.0.12", GATEWAY_ROUTER, "ACTIVE"),
        FloatingIP(FIP_FREE, "127.24.4.8", PUBLIC, None, None, None, "DOWN"),
    ]
    lbs = [LoadBalancer(LB, "web", "10.0.0.12", LB_VIP, PRIVATE_SUBNET, PRIVATE, "ACTIVE", "ONLINE", "amphora")]
    listeners = [Listener(LISTENER, "web_listener", LB, "HTTP", 80, POOL, "ACTIVE", "ONLINE")]
    pools = [Pool(POOL, "web_pool", LB, (LISTENER,), "HTTP", "ROUND_ROBIN", MONITOR, None, "ACTIVE", "ONLINE")]
    members = [
        Member(MEMBER1, POOL, "", "10.0.0.10", 80, PRIVATE_SUBNET, 1, provisioning_status="ACTIVE",
               operating_status="ONLINE"),
        Member(MEMBER2, POOL, "", "10.0.0.11", 80, PRIVATE_SUBNET, 1, provisioning_status="ACTIVE",
               operating_status="ERROR"),
    ]
    monitors = [HealthMonitor(MONITOR, POOL, "", "HTTP", 3, 3, 3, 3, "/", "200", "GET", "ACTIVE", "ONLINE")]
    collections: dict[str, object] = {
        "networks": networks, "subnets": subnets, "ports": ports, "routers": routers, "servers": servers,
        "floating_ips": fips, "load_balancers": lbs, "listeners": listeners, "pools": pools,
        "members": members, "health_monitors": monitors,
    }
    collections.update(changes)
    return Topology(**{k: by_id(v) for k, v in collections.items()},  # type: ignore[arg-type]
                    services=frozenset({"network", "compute", "load-balancer"}), fetched_at=FIXED_TIME)


def with_changed(topology: Topology, collection: str, resource_id: str, **fields: object) -> Topology:
    """A copy of `topology` with one object's fields replaced (what a poll would bring)."""
    items = dict(getattr(topology, collection))
    items[resource_id] = dataclasses.replace(items[resource_id], **fields)
    return dataclasses.replace(topology, **{collection: by_id(items.values())})
