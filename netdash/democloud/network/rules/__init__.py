"""Neutron's rules: named operations over the store that raise typed errors (errors.py), one module per
resource. Each takes the store, the clock and the other rules it uses, never the service: the arrows go
addresses <- ports <- subnets, networks, routers, floating IPs, and security groups <- ports; RBAC policies
<- networks, subnet pools, security groups; subnet pools <- subnets; floating IPs <- networks (an external
network's unassociated floating IPs go with it).

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
from .rbac import Rbac
from .routers import Routers
from .secgroups import SecurityGroups
from .subnetpools import SubnetPools
from .subnets import Subnets
from .tags import Tags


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
    rbac: Rbac
    pools: SubnetPools
    tags: Tags

    @classmethod
    def build(cls, store: Store, clock: Callable[[], float]) -> Rules:
        addresses = Addresses(store)
        rbac = Rbac(store, clock)
        groups = SecurityGroups(store, clock, rbac)
        ports = Ports(store, clock, addresses, groups)
        pools = SubnetPools(store, clock, rbac)
        subnets = Subnets(store, clock, addresses, pools)
        fips = FloatingIPs(store, clock, ports)
        quotas = Quotas(store)
        return cls(addresses=addresses, groups=groups, ports=ports, subnets=subnets,
                   networks=Networks(store, clock, ports, subnets, rbac=rbac, fips=fips),
                   routers=Routers(store, clock, ports, addresses, quotas), fips=fips, quotas=quotas, rbac=rbac,
                   pools=pools, tags=Tags(store, clock))


__all__ = ["Rules"]
