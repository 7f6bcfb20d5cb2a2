"""Neutron's rules on their own: a store, the rules built over it, typed refusals; no HTTP, no service.

The API tests (test_network_*.py) check the same rules through the wire; these show they can be read and
tested apart from it, which is what the store/rules/controllers split is for.
"""

from __future__ import annotations

import pytest

from netdash.democloud.core import Context
from netdash.democloud.network.errors import Conflict, NotFound
from netdash.democloud.network.policy import SYSTEM
from netdash.democloud.network.rules import Rules
from netdash.democloud.network.store import Store

ADMIN = Context("admin-project", "admin", ("admin", "member", "reader"), "admin")
DEMO = Context("demo-project", "demo", ("member", "reader"), "demo")


@pytest.fixture
def world() -> tuple[Store, Rules]:
    store = Store()
    return store, Rules.build(store, clock=lambda: 1_700_000_000.0)


def routed_port(store: Store, rules: Rules) -> tuple[dict, dict]:
    """`public` (external), a project network with a subnet, and a port on it: (public network, port)."""
    public = rules.networks.create(ADMIN, {"name": "public", "router:external": True, "shared": True})
    rules.subnets.create(ADMIN, {"network_id": public["id"], "ip_version": 4, "cidr": "127.24.4.0/24",
                                 "enable_dhcp": False})
    net = rules.networks.create(DEMO, {"name": "private"})
    subnet = rules.subnets.create(DEMO, {"network_id": net["id"], "ip_version": 4, "cidr": "10.0.0.0/24"})
    port = rules.ports.create(DEMO, {"network_id": net["id"], "name": "p"})
    assert port["fixed_ips"][0]["subnet_id"] == subnet["id"]
    return public, port


def test_a_floating_ip_needs_a_router_between_its_network_and_the_port(world: tuple[Store, Rules]) -> None:
    store, rules = world
    public, port = routed_port(store, rules)
    with pytest.raises(NotFound) as refused:
        rules.fips.create(DEMO, {"floating_network_id": public["id"], "port_id": port["id"]})
    assert refused.value.kind == "ExternalGatewayForFloatingIPNotFound"
    assert store.fips == {} and not any(p["device_owner"] == "network:floatingip" for p in store.ports.values())

    router = rules.routers.create(DEMO, {"name": "r", "external_gateway_info": {"network_id": public["id"]}})
    rules.routers.add_interface(DEMO, router, port["fixed_ips"][0]["subnet_id"], None)
    fip = rules.fips.create(DEMO, {"floating_network_id": public["id"], "port_id": port["id"]})
    assert (fip["port_id"], fip["router_id"]) == (port["id"], router["id"])
    assert fip["floating_ip_address"].startswith("127.24.4.")


def test_dropping_a_port_disassociates_its_floating_ip(world: tuple[Store, Rules]) -> None:
    store, rules = world
    public, port = routed_port(store, rules)
    router = rules.routers.create(DEMO, {"name": "r", "external_gateway_info": {"network_id": public["id"]}})
    rules.routers.add_interface(DEMO, router, port["fixed_ips"][0]["subnet_id"], None)
    fip = rules.fips.create(DEMO, {"floating_network_id": public["id"], "port_id": port["id"]})
    rules.ports.delete(port)
    assert (fip["port_id"], fip["fixed_ip_address"], fip["router_id"]) == (None, None, None)
    assert port["id"] not in store.fips_of_port and port["id"] not in store.ports


def test_an_address_in_use_is_refused_and_nothing_is_claimed(world: tuple[Store, Rules]) -> None:
    store, rules = world
    _, port = routed_port(store, rules)
    taken = port["fixed_ips"][0]["ip_address"]
    allocations = {s: dict(a) for s, a in store.allocations.items()}
    with pytest.raises(Conflict) as refused:
        rules.ports.create(DEMO, {"network_id": port["network_id"], "fixed_ips": [{"ip_address": taken}]})
    assert refused.value.kind == "IpAddressAlreadyAllocated"
    assert store.allocations == allocations


def test_ports_routers_and_floating_ips_own_are_not_deleted_through_the_port_rules(
        world: tuple[Store, Rules]) -> None:
    store, rules = world
    public, _ = routed_port(store, rules)
    router = rules.routers.create(DEMO, {"name": "r", "external_gateway_info": {"network_id": public["id"]}})
    gateway = next(p for p in store.ports.values() if p["device_owner"] == "network:router_gateway")
    with pytest.raises(Conflict) as refused:
        rules.ports.delete(gateway)
    assert refused.value.kind == "L3PortInUse"
    assert gateway["project_id"] == "" and router["external_gateway_info"]["network_id"] == public["id"]
    assert SYSTEM.is_admin


def test_deleting_a_group_drops_the_rules_that_name_it_as_their_remote_group(world: tuple[Store, Rules]) -> None:
    """As Neutron's foreign key does (ON DELETE CASCADE): the other group keeps its other rules."""
    store, rules = world
    peer = rules.groups.create(DEMO, {"name": "peer"})
    db = rules.groups.create(DEMO, {"name": "db"})
    naming = rules.groups.create_rule(DEMO, db, {"direction": "ingress", "protocol": "tcp", "port_range_min": 5432,
                                                 "port_range_max": 5432, "remote_group_id": peer["id"]})
    kept = set(store.rules_of_sg[db["id"]]) - {naming["id"]}
    rules.groups.delete(DEMO, peer)
    assert peer["id"] not in store.sgs and naming["id"] not in store.sg_rules
    assert set(store.rules_of_sg[db["id"]]) == kept and all(r in store.sg_rules for r in kept)
