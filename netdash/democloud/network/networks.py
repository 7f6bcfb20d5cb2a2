"""Networks: ML2 with VXLAN tenant networks (MTU 1450), flat/VLAN provider networks for the admin."""

from __future__ import annotations

from typing import Any

from ..core import Request, Response, Router, new_id
from . import attrs as a
from .base import NetBase, Record
from .errors import conflict, forbidden
from .query import list_answer

#: the order real Neutron writes a network's fields in
FIELDS = (
    "id",
    "name",
    "tenant_id",
    "project_id",
    "admin_state_up",
    "mtu",
    "status",
    "subnets",
    "shared",
    "availability_zone_hints",
    "availability_zones",
    "ipv4_address_scope",
    "ipv6_address_scope",
    "router:external",
    "qinq",
    "vlan_transparent",
    "description",
    "port_security_enabled",
    "is_default",
    "tags",
    "created_at",
    "updated_at",
    "revision_number",
    "provider:network_type",
    "provider:physical_network",
    "provider:segmentation_id",
)
PROVIDER = ("provider:network_type", "provider:physical_network", "provider:segmentation_id")
ADMIN_ONLY = {"shared", "router:external", "is_default", *PROVIDER}
#: ports Neutron deletes itself with their network instead of refusing with NetworkInUse
AUTO_DELETE_OWNERS = ("network:dhcp", "network:distributed")

SPEC: dict[str, a.Attr] = {
    "name": a.NAME,
    "description": a.DESCRIPTION,
    "tags": a.TAGS,
    "project_id": a.PROJECT,
    "tenant_id": a.PROJECT,
    "admin_state_up": a.Attr(a.boolean),
    "shared": a.Attr(a.boolean),
    "router:external": a.Attr(a.boolean),
    "port_security_enabled": a.Attr(a.boolean),
    "is_default": a.Attr(a.boolean),
    "mtu": a.Attr(a.integer(68, 9216)),
    "vlan_transparent": a.Attr(a.boolean, put=False),
    "qinq": a.Attr(a.boolean, put=False),
    "availability_zone_hints": a.Attr(a.list_of(a.string(255)), put=False),
    "provider:network_type": a.Attr(a.one_of("flat", "vlan", "vxlan", "geneve", "local"), put=False),
    "provider:physical_network": a.Attr(a.nullable(a.string(64)), put=False),
    "provider:segmentation_id": a.Attr(a.nullable(a.integer(1, 16777215)), put=False),
}


class Networks(NetBase):
    def network_routes(self, r: Router) -> None:
        r.add("GET", "/v2.0/networks", self.list_networks)
        r.add("POST", "/v2.0/networks", self.create_network)
        r.add("GET", "/v2.0/networks/{net_id}", self.show_network)
        r.add("PUT", "/v2.0/networks/{net_id}", self.update_network)
        r.add("DELETE", "/v2.0/networks/{net_id}", self.delete_network)

    # --- views ----------------------------------------------------------------------------------
    def network_view(self, net: Record, *, created: bool = False) -> dict[str, Any]:
        """Provider attributes shown to everyone, as in the seed documents (recent policies hide them).
        `is_default` only on external networks, except in the answer to the create (real Neutron 29)."""
        view = {
            "tenant_id": net["project_id"],
            "status": "ACTIVE",
            "subnets": list(self.store.subnets_of_net.get(net["id"], ())),
            **net,
        }
        if not net["router:external"] and not created:
            del view["is_default"]
        return {k: view[k] for k in FIELDS if k in view}

    # --- handlers -------------------------------------------------------------------------------
    def list_networks(self, req: Request) -> Response:
        ctx = self.ctx(req)
        ids = req.args("id")
        networks = self.store.networks
        candidates = (networks[i] for i in ids if i in networks) if ids else networks.values()
        records = [n for n in candidates if self.net_visible(ctx, n)]
        return list_answer(req, "network", "networks", records, FIELDS, view=self.network_view)

    def show_network(self, req: Request, net_id: str) -> Response:
        ctx = self.ctx(req)
        return Response(200, {"network": self.network_view(self.visible_network(ctx, net_id))})

    def create_network(self, req: Request) -> Response:
        ctx = self.ctx(req)
        attrs = a.parse(req, "network", SPEC, update=False)
        self.check_admin_only(ctx, attrs, "create_network")
        net = self.new_network(ctx, attrs)
        return Response(201, {"network": self.network_view(net, created=True)})

    def new_network(self, ctx: Any, attrs: dict[str, Any]) -> Record:
        project = self.owner(ctx, attrs, "create_network")
        kind = attrs.pop("provider:network_type", "vxlan")
        segment = attrs.pop("provider:segmentation_id", None)
        if kind in ("vxlan", "geneve", "vlan") and segment is None:
            segment = self.free_segment(4094 if kind == "vlan" else 1000)
        if segment is not None:
            self.store.segments.add(segment)
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
        self.store.networks[net["id"]] = self.born(net, revision=1)
        self.store.subnets_of_net[net["id"]] = {}
        return net

    def free_segment(self, top: int) -> int:
        free = [n for n in (self.store.rng.randint(1, top) for _ in range(8)) if n not in self.store.segments]
        return free[0] if free else max(self.store.segments | {top}) + 1

    def check_admin_only(self, ctx: Any, attrs: dict[str, Any], action: str) -> None:
        """Sharing, external and provider attributes are for the admin (Neutron's default policy)."""
        if ctx.is_admin:
            return
        for key in ADMIN_ONLY & attrs.keys():
            if key in ("shared", "router:external", "is_default") and not attrs[key]:
                continue
            raise forbidden(f"{action}:{key}")

    def update_network(self, req: Request, net_id: str) -> Response:
        ctx = self.ctx(req)
        net = self.visible_network(ctx, net_id)
        attrs = a.parse(req, "network", SPEC, update=True)
        self.writable(ctx, net, "update_network")
        self.check_admin_only(ctx, attrs, "update_network")
        if attrs.get("router:external") is False and net["router:external"]:
            gateways = [
                p
                for p in self.store.ports_of_net.get(net_id, ())
                if self.store.ports[p]["device_owner"] == "network:router_gateway"
            ]
            if gateways:
                raise conflict(
                    "ExternalNetworkInUse",
                    f"External network {net_id} cannot be updated to be made "
                    "non-external, since it has existing gateway ports.",
                )
        net.update(attrs)
        self.touch(net)
        return Response(200, {"network": self.network_view(net)})

    def delete_network(self, req: Request, net_id: str) -> Response:
        ctx = self.ctx(req)
        net = self.visible_network(ctx, net_id)
        self.writable(ctx, net, "delete_network")
        ports = [self.store.ports[p] for p in self.store.ports_of_net.get(net_id, ())]
        busy = [p["id"] for p in ports if p["device_owner"] not in AUTO_DELETE_OWNERS]
        if busy:
            raise conflict(
                "NetworkInUse",
                f"Unable to complete operation on network {net_id}. There are one or "
                f"more ports still in use on the network, id for these ports is: {','.join(busy)}.",
            )
        for port in ports:
            self.drop_port(port)
        for subnet_id in list(self.store.subnets_of_net.get(net_id, ())):
            self.drop_subnet(self.store.subnets[subnet_id])
        del self.store.subnets_of_net[net_id]
        self.store.segments.discard(net["provider:segmentation_id"])
        del self.store.networks[net_id]
        return Response(204)
