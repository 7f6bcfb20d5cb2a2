"""Networks: ML2 with VXLAN tenant networks (MTU 1450), flat/VLAN provider networks for the admin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...core import Context, new_id
from ..errors import conflict, forbidden
from ..policy import AUTO_DELETE_OWNERS, owner, writable
from ..store import Record, Store
from .ports import Ports
from .subnets import Subnets

PROVIDER = ("provider:network_type", "provider:physical_network", "provider:segmentation_id")
ADMIN_ONLY = {"shared", "router:external", "is_default", *PROVIDER}


class Networks:
    def __init__(self, store: Store, clock: Callable[[], float], ports: Ports, subnets: Subnets) -> None:
        self.store = store
        self.clock = clock
        self.ports = ports
        self.subnets = subnets

    def create(self, ctx: Context, attrs: dict[str, Any]) -> Record:
        check_admin_only(ctx, attrs, "create_network")
        store = self.store
        project = owner(ctx, attrs, "create_network")
        kind = attrs.pop("provider:network_type", "vxlan")
        segment = attrs.pop("provider:segmentation_id", None)
        if kind in ("vxlan", "geneve", "vlan") and segment is None:
            segment = self.free_segment(4094 if kind == "vlan" else 1000)
        if segment is not None:
            store.segments.add(segment)
        physnet = attrs.pop("provider:physical_network", None)
        if kind in ("flat", "vlan") and physnet is None:
            physnet = "physnet1"
        net: Record = {
            "id": new_id(),
            "name": "",
            "project_id": project,
            "admin_state_up": True,
            "mtu": 1450 if kind in ("vxlan", "geneve") else 1500,
            "shared": False,
            "availability_zone_hints": [],
            "availability_zones": [],
            "ipv4_address_scope": None,
            "ipv6_address_scope": None,
            "router:external": False,
            "qinq": False,
            "vlan_transparent": False,
            "port_security_enabled": True,
            "is_default": False,
            "provider:network_type": kind,
            "provider:physical_network": physnet,
            "provider:segmentation_id": segment if kind != "flat" else None,
        }
        net.update(attrs)
        store.networks[net["id"]] = store.born(net, self.clock(), revision=1)
        store.subnets_of_net[net["id"]] = {}
        return net

    def free_segment(self, top: int) -> int:
        store = self.store
        free = [n for n in (store.rng.randint(1, top) for _ in range(8)) if n not in store.segments]
        return free[0] if free else max(store.segments | {top}) + 1

    def update(self, ctx: Context, net: Record, attrs: dict[str, Any]) -> None:
        store = self.store
        net_id = net["id"]
        writable(ctx, net, "update_network")
        check_admin_only(ctx, attrs, "update_network")
        if attrs.get("router:external") is False and net["router:external"]:
            gateways = [
                p
                for p in store.ports_of_net.get(net_id, ())
                if store.ports[p]["device_owner"] == "network:router_gateway"
            ]
            if gateways:
                raise conflict(
                    "ExternalNetworkInUse",
                    f"External network {net_id} cannot be updated to be made "
                    "non-external, since it has existing gateway ports.",
                )
        net.update(attrs)
        store.touch(net, self.clock())

    def delete(self, ctx: Context, net: Record) -> None:
        store = self.store
        net_id = net["id"]
        writable(ctx, net, "delete_network")
        ports = [store.ports[p] for p in store.ports_of_net.get(net_id, ())]
        busy = [p["id"] for p in ports if p["device_owner"] not in AUTO_DELETE_OWNERS]
        if busy:
            raise conflict(
                "NetworkInUse",
                f"Unable to complete operation on network {net_id}. There are one or "
                f"more ports still in use on the network, id for these ports is: {','.join(busy)}.",
            )
        for port in ports:
            self.ports.drop(port)
        for subnet_id in list(store.subnets_of_net.get(net_id, ())):
            self.subnets.drop(store.subnets[subnet_id])
        del store.subnets_of_net[net_id]
        store.segments.discard(net["provider:segmentation_id"])
        del store.networks[net_id]


def check_admin_only(ctx: Context, attrs: dict[str, Any], action: str) -> None:
    """Sharing, external and provider attributes are for the admin (Neutron's default policy)."""
    if ctx.is_admin:
        return
    for key in ADMIN_ONLY & attrs.keys():
        if key in ("shared", "router:external", "is_default") and not attrs[key]:
            continue
        raise forbidden(f"{action}:{key}")
