"""Finding objects by name, address, MAC or id prefix (the command bar's matching), and the rules of what
serves nothing (`:unused`), on the hand-built seed snapshot: no cloud, no terminal."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

from netdash.cloud import unused
from netdash.cloud.model import Port, SecurityGroup, SecurityGroupRule, Topology, Unread
from netdash.cloud.search import EXACT, PREFIX, search
from tests import topology_factory as f


def hits(topology: Topology, text: str, kinds: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    return [(m.kind, m.id) for m in search(topology, text, kinds)]


def test_an_address_finds_who_holds_it_first_then_who_mentions_it() -> None:
    t = f.seed_topology()
    assert hits(t, "10.0.0.10") == [("port", f.PORT_S1), ("server", f.SERVER1), ("member", f.MEMBER1)]
    best = search(t, "127.24.4.5")[0]  # a floating IP is its address; the server only mentions it
    assert (best.kind, best.id, best.rank) == ("floating_ip", f.FIP_S1, EXACT)
    assert best.text(t) == "floating IP 127.24.4.5"  # its address is its name: not said twice
    assert search(t, "10.0.0.10")[0].text(t) == "port 00000009: address 10.0.0.10"
    assert hits(t, "10.0.0.12")[:2] == [("load_balancer", f.LB), ("port", f.LB_VIP)]  # a VIP is the LB's


def test_a_mac_an_id_prefix_and_a_name() -> None:
    t = f.seed_topology()
    assert hits(t, "FA:16:3E:00:00:0B") == [("port", f.SERVER_1_PORT), ("server", f.SERVER1)]
    assert hits(t, f.POOL[:8]) == [("pool", f.POOL)]  # the first characters of an id
    assert search(t, f.POOL[:8])[0].rank == PREFIX
    web = hits(t, "web")
    assert web[0] == ("load_balancer", f.LB)  # the exact name first, then those that start with it
    assert set(web[1:]) >= {("listener", f.LISTENER), ("pool", f.POOL), ("network", f.TIERS[1][0])}
    assert hits(t, "pool") == [("pool", f.POOL)]  # a name containing the text
    assert hits(t, "server-1-port") == [("port", f.SERVER_1_PORT)]


def test_kinds_narrow_and_nothing_matches_nothing() -> None:
    t = f.seed_topology()
    assert hits(t, "127.24.4", ("floating_ip",)) == [("floating_ip", i) for i in (f.FIP_S1, f.FIP_LB, f.FIP_FREE)]
    assert hits(t, "server1", ("network",)) == []
    assert hits(t, "no such thing") == [] and hits(t, "   ") == []
    assert search(t, "10.0", limit=3) == search(t, "10.0")[:3]


def groups(*extra: SecurityGroup) -> dict[str, object]:
    default = SecurityGroup("sg-default", "default")
    web = SecurityGroup("sg-web", "web")
    idle = SecurityGroup("sg-idle", "idle")
    peer = SecurityGroup("sg-peer", "peer")  # named as remote group by the rule of another group
    named_by = SecurityGroup("sg-db", "db", rules=(SecurityGroupRule("r1", "ingress", remote_group_id="sg-peer"),))
    return {"security_groups": (default, web, idle, peer, named_by, *extra)}


def test_what_serves_nothing() -> None:
    ports = (*f.seed_topology().ports.values(),
             Port("spare", "spare-port", f.PRIVATE, "fa:16:3e:00:00:99"),
             Port("dhcp", "", f.PRIVATE, device_id="dhcp-1", device_owner="network:dhcp"),
             Port("claimed", "", f.PRIVATE, device_owner="compute:nova"),
             dataclasses.replace(f.seed_topology().ports[f.PORT_S1], security_group_ids=("sg-web", "sg-default")),
             Port("orphan-sg", "", f.PRIVATE, device_id="s9", security_group_ids=("sg-db",)))
    t = f.seed_topology(ports=ports, **groups())
    found = {(x.kind, x.id): x.reason for x in unused.findings(t)}
    assert found == {("floating_ip", f.FIP_FREE): "not associated", ("port", "spare"): "no device",
                     ("security_group", "sg-idle"): "used by nothing"}
    assert unused.findings(t) is unused.findings(t)  # once per snapshot

    assert unused.fip_in_use(t, t.floating_ips[f.FIP_S1]) == \
        "127.24.4.5 is associated with server1: disassociate it first"
    assert unused.port_in_use(t, t.ports[f.PORT_S1]) == "port 00000009 is attached to server server1"
    assert unused.port_in_use(t, t.ports[f.LB_VIP]).endswith("is attached to load balancer web")
    assert unused.port_in_use(t, t.ports["dhcp"]) == "port dhcp has a device (dhcp-1)"
    assert unused.port_in_use(t, t.ports["claimed"]) == "port claimed is owned by compute:nova"
    assert unused.group_in_use(t, t.security_groups["sg-web"]) == "security group web is used by port 00000009"
    assert unused.group_in_use(t, t.security_groups["sg-peer"]) == \
        "security group peer is named by a rule of security group db"
    assert "default group" in unused.group_in_use(t, t.security_groups["sg-default"])


def test_a_load_balancer_with_no_member_taking_traffic() -> None:
    t = f.seed_topology()
    assert unused.lb_serving(t, t.load_balancers[f.LB]) is None  # one member ONLINE
    down = f.with_changed(t, "members", f.MEMBER1, operating_status="ERROR")
    assert unused.lb_serving(down, down.load_balancers[f.LB]) == "no member ONLINE (2: ERROR): it serves nothing"
    off = f.with_changed(down, "members", f.MEMBER2, admin_state_up=False)
    assert ("load_balancer", f.LB) in {(x.kind, x.id) for x in unused.findings(off)}
    assert "disabled" in unused.lb_serving(off, off.load_balancers[f.LB])
    unmonitored = f.with_changed(down, "members", f.MEMBER2, operating_status="NO_MONITOR")
    assert unused.lb_serving(unmonitored, unmonitored.load_balancers[f.LB]) is None  # traffic goes to it
    bare = f.seed_topology(pools=(), members=())
    assert unused.lb_serving(bare, bare.load_balancers[f.LB]) == "no pool: it serves nothing"


def test_what_could_not_be_read_is_not_called_unused() -> None:
    t = f.seed_topology(members=(), **groups())
    stale = dataclasses.replace(t, unread=MappingProxyType({"members": Unread("API error", "503"),
                                                            "ports": Unread("API error", "503")}))
    assert unused.lb_serving(stale, stale.load_balancers[f.LB]) is None
    assert unused.group_in_use(stale, stale.security_groups["sg-idle"]).startswith("the ports could not be read")
    assert {x.kind for x in unused.findings(stale)} == {"floating_ip"}
