"""Networks: ML2 with VXLAN tenant networks (MTU 1450), flat/VLAN provider networks for the admin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...core import Context, new_id
from ..errors import conflict, forbidden
from ..policy import AUTO_DELETE_OWNERS, EXTERNAL, SHARED, check_zones, owner, writable
from ..store import Record, Store
from .floatingips import FloatingIPs
from .ports import Ports
from .rbac import Rbac
from .subnets import Subnets

PROVIDER = ("provider:network_type", "provider:physical_network", "provider:segmentation_id")
ADMIN_ONLY = {"shared", "router:external", "is_default", *PROVIDER}


class Networks:
    def __init__(self, store: Store, clock: Callable[[], float], ports: Ports, subnets: Subnets, *, rbac: Rbac,
                 fips: FloatingIPs) -> None:
        self.store = store
        self.clock = clock
        self.ports = ports
        self.subnets = subnets
        self.rbac = rbac
        self.fips = fips

    def create(self, ctx: Context, attrs: dict[str, Any]) -> Record:
        check_admin_only(ctx, attrs, "create_network")
        store = self.store
        attrs.pop("ha", None)  # network_ha: a network for HA routers' traffic, which needs nothing more here
        check_zones("network", attrs.get("availability_zone_hints", []))
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
        wanted = [action for flag, action in (("shared", SHARED), ("router:external", EXTERNAL)) if net[flag]]
        for action in wanted:  # `shared` and `router:external` are wildcard RBAC policies, as in Neutron
            self.rbac.grant("network", net, action, touch=False)
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
        external = attrs.pop("router:external", net["router:external"])
        if external is False and net["router:external"]:
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
        shared = attrs.pop("shared", net["shared"])
        if shared is False and net["shared"]:
            self.rbac.unshare(net, network_name=net["name"])
        elif shared and not net["shared"]:
            self.rbac.grant("network", net, SHARED, touch=False)
        if external is False and net["router:external"]:
            for entry in [store.rbac[p] for p in store.rbac_of.get(net_id, ())]:
                if entry["action"] == EXTERNAL:
                    self.rbac.revoke(entry)
        elif external and not net["router:external"]:
            self.rbac.grant("network", net, EXTERNAL, touch=False)
        net.update(attrs)
        store.touch(net, self.clock())

    def delete(self, ctx: Context, net: Record) -> None:
        store = self.store
        net_id = net["id"]
        writable(ctx, net, "delete_network")
        # Neutron deletes the network's unassociated floating IPs first (external_net_db's BEFORE_DELETE),
        # before it looks for ports in use: they stay deleted even when the network then cannot be.
        for fip in [f for f in store.fips.values() if f["floating_network_id"] == net_id and not f["port_id"]]:
            self.fips.delete(fip)
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
        self.drop(net)

    def drop(self, net: Record) -> None:
        """Forget a network and its subnets (its ports are gone already), and its RBAC policies."""
        store = self.store
        for subnet_id in list(store.subnets_of_net.get(net["id"], ())):
            self.subnets.drop(store.subnets[subnet_id])
        del store.subnets_of_net[net["id"]]
        store.segments.discard(net["provider:segmentation_id"])
        self.rbac.forget(net["id"])
        del store.networks[net["id"]]


def check_admin_only(ctx: Context, attrs: dict[str, Any], action: str) -> None:
    """Sharing, external and provider attributes are for the admin (Neutron's default policy)."""
    if ctx.is_admin:
        return
    for key in ADMIN_ONLY & attrs.keys():
        if key in ("shared", "router:external", "is_default") and not attrs[key]:
            continue
        raise forbidden(f"{action}:{key}")
