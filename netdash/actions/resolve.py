"""Names or ids -> objects of a snapshot, as the user typed them; a Refused naming the problem otherwise.

An id always wins; a name must be unique (two servers called `web` are a refusal that lists their ids,
never a guess).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from netdash.cloud.model import FloatingIP, LoadBalancer, Member, Pool, Port, SecurityGroup, Server, Topology

from .base import Refused

T = TypeVar("T")


class Ambiguous(Refused):
    """A name that several objects share: the user must give the id (never a guess)."""


def one(kind: str, ref: str, items: Mapping[str, T], matches: Iterable[T]) -> T:
    if ref in items:
        return items[ref]
    found = list(matches)
    if not found:
        raise Refused(f"no {kind} {ref!r}")
    if len(found) > 1:
        ids = ", ".join(str(getattr(item, "id", "?")) for item in found)
        raise Ambiguous(f"{len(found)} {kind}s are called {ref!r} ({ids}): give the id")
    return found[0]


def server(topology: Topology, ref: str) -> Server:
    return one("server", ref, topology.servers, (s for s in topology.servers.values() if s.name == ref))


def port(topology: Topology, ref: str) -> Port:
    return one("port", ref, topology.ports, (p for p in topology.ports.values() if p.name == ref))


def floating_ip(topology: Topology, ref: str) -> FloatingIP:
    return one("floating IP", ref, topology.floating_ips,
               (f for f in topology.floating_ips.values() if f.floating_ip_address == ref))


def pool(topology: Topology, ref: str) -> Pool:
    return one("pool", ref, topology.pools, (p for p in topology.pools.values() if p.name == ref))


def load_balancer(topology: Topology, ref: str) -> LoadBalancer:
    return one("load balancer", ref, topology.load_balancers,
               (lb for lb in topology.load_balancers.values() if lb.name == ref))


def member(topology: Topology, pool_: Pool, ref: str) -> Member:
    """A member of the pool by id, name, address, address:port, or the name of the server behind it."""
    members = {m.id: m for m in topology.members_of_pool(pool_.id)}

    def server_name(m: Member) -> str | None:
        behind = topology.server_of_address(m.address, m.subnet_id)
        return behind.name if behind else None

    return one(f"member of pool {pool_.name or pool_.id}", ref, members,
               (m for m in members.values() if ref in (m.name, m.address, m.label, server_name(m))))


def network(topology: Topology, ref: str) -> str:
    net = one("network", ref, topology.networks, (n for n in topology.networks.values() if n.name == ref))
    return net.id



def security_group(topology: Topology, ref: str) -> SecurityGroup:
    return one("security group", ref, topology.security_groups,
               (g for g in topology.security_groups.values() if g.name == ref))
