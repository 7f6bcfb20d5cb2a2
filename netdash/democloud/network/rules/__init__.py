"""Neutron's rules: named operations over the store that raise typed errors (errors.py), one module per
resource. Each takes the store, the clock and the other rules it uses, never the service: the arrows go
addresses <- ports <- subnets, networks, routers, floating IPs, and security groups <- ports.

`Rules` builds them once, wired together, for the service and its controllers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..store import Store
from .addresses import Addresses
from .floatingips import FloatingIPs
from .networks import Networks
from .ports import Ports
from .quotas import Quotas
from .routers import Routers
from .secgroups import SecurityGroups
from .subnets import Subnets


@dataclass(frozen=True)
class Rules:
    addresses: Addresses
    groups: SecurityGroups
    ports: Ports
    subnets: Subnets
    networks: Networks
    routers: Routers
    fips: FloatingIPs
    quotas: Quotas

    @classmethod
    def build(cls, store: Store, clock: Callable[[], float]) -> Rules:
        addresses = Addresses(store)
        groups = SecurityGroups(store, clock)
        ports = Ports(store, clock, addresses, groups)
        subnets = Subnets(store, clock, addresses)
        return cls(addresses=addresses, groups=groups, ports=ports, subnets=subnets,
                   networks=Networks(store, clock, ports, subnets), routers=Routers(store, clock, ports, addresses),
                   fips=FloatingIPs(store, clock, ports), quotas=Quotas(store))


__all__ = ["Rules"]
