"""Floating IPs: external addresses held by `network:floatingip` ports, NATed by a router to fixed IPs.

The rule that matters most to netdash: a floating IP only associates with a fixed IP whose subnet is an
interface of a router that has its gateway on the floating IP's network; otherwise Neutron answers 404
`ExternalGatewayForFloatingIPNotFound`.
"""

from __future__ import annotations

from typing import Any

from ..core import Context, HttpError, Request, Response, Router, new_id
from . import attrs as a
from .base import SYSTEM, NetBase, Record
from .errors import bad_resource, conflict, forbidden, neutron_error
from .query import list_answer

FIELDS = (
    "id",
    "tenant_id",
    "project_id",
    "floating_ip_address",
    "floating_network_id",
    "router_id",
    "port_id",
    "fixed_ip_address",
    "status",
    "description",
    "port_details",
    "tags",
    "created_at",
    "updated_at",
    "revision_number",
)
SPEC: dict[str, a.Attr] = {
    "description": a.DESCRIPTION,
    "tags": a.TAGS,
    "project_id": a.PROJECT,
    "tenant_id": a.PROJECT,
    "floating_network_id": a.Attr(a.uuid, put=False, required=True),
    "floating_ip_address": a.Attr(a.ip_address, put=False),
    "subnet_id": a.Attr(a.nullable(a.uuid), put=False),
    "port_id": a.Attr(a.nullable(a.uuid)),
    "fixed_ip_address": a.Attr(a.nullable(a.ip_address)),
}


class FloatingIPs(NetBase):
    def floatingip_routes(self, r: Router) -> None:
        r.add("GET", "/v2.0/floatingips", self.list_fips)
        r.add("POST", "/v2.0/floatingips", self.create_fip)
        r.add("GET", "/v2.0/floatingips/{fip_id}", self.show_fip)
        r.add("PUT", "/v2.0/floatingips/{fip_id}", self.update_fip)
        r.add("DELETE", "/v2.0/floatingips/{fip_id}", self.delete_fip)

    def fip_view(self, fip: Record) -> dict[str, Any]:
        port = self.store.ports.get(fip["port_id"] or "")
        details = None
        if port is not None:
            view = self.port_view(port)
            details = {
                k: view[k]
                for k in (
                    "name",
                    "network_id",
                    "mac_address",
                    "admin_state_up",
                    "status",
                    "device_id",
                    "device_owner",
                )
            }
        full = {
            "tenant_id": fip["project_id"],
            "status": "ACTIVE" if port else "DOWN",
            "port_details": details,
            **fip,
        }
        return {k: full[k] for k in FIELDS}

    # --- handlers -------------------------------------------------------------------------------
    def list_fips(self, req: Request) -> Response:
        ctx = self.ctx(req)
        port_ids = req.args("port_id")
        if port_ids and "" not in port_ids:
            candidates: Any = [self.store.fips[f] for p in port_ids for f in self.store.fips_of_port.get(p, ())]
        else:
            candidates = self.store.fips.values()
        records = [f for f in candidates if ctx.can_see(f["project_id"])]
        return list_answer(req, "floatingip", "floatingips", records, FIELDS, view=self.fip_view)

    def show_fip(self, req: Request, fip_id: str) -> Response:
        return Response(
            200, {"floatingip": self.fip_view(self.owned(self.ctx(req), self.store.fips, "floatingip", fip_id))}
        )

    def create_fip(self, req: Request) -> Response:
        ctx = self.ctx(req)
        attrs = a.parse(req, "floatingip", SPEC, update=False)
        net = self.visible_network(ctx, attrs.pop("floating_network_id"))
        if not net["router:external"]:
            raise bad_resource("floatingip", f"Network {net['id']} is not a valid external network")
        address = attrs.pop("floating_ip_address", None)
        if address is not None and not (ctx.is_admin or "manager" in ctx.roles):
            raise forbidden("create_floatingip:floating_ip_address")
        project = self.owner(ctx, attrs, "create_floatingip")
        fip_id = new_id()
        subnet_id = attrs.pop("subnet_id", None)
        if address is not None:
            fixed: list[dict[str, str]] | None = [{"ip_address": address}]
            if subnet_id:
                fixed[0]["subnet_id"] = subnet_id
        else:
            fixed = [{"subnet_id": subnet_id}] if subnet_id else None
        try:
            port = self.new_port(
                SYSTEM,
                {
                    "network_id": net["id"],
                    "device_owner": "network:floatingip",
                    "device_id": fip_id,
                    "fixed_ips": fixed,
                    "_project": "",
                },
            )
        except HttpError as exc:
            if exc.response.body["NeutronError"]["type"] == "IpAddressGenerationFailure":
                raise exhausted(net["id"]) from None
            raise
        if not port["fixed_ips"]:
            self.drop_port(port)
            raise exhausted(net["id"])
        fip: Record = {
            "id": fip_id,
            "project_id": project,
            "floating_ip_address": port["fixed_ips"][0]["ip_address"],
            "floating_network_id": net["id"],
            "router_id": None,
            "port_id": None,
            "fixed_ip_address": None,
        }
        target = attrs.pop("port_id", None)
        requested_ip = attrs.pop("fixed_ip_address", None)
        fip.update(attrs)
        if target:
            try:
                self.associate(ctx, fip, target, requested_ip)
            except HttpError:
                self.drop_port(port)
                raise
        self.store.fips[fip_id] = self.born(fip)
        return Response(201, {"floatingip": self.fip_view(fip)})

    def update_fip(self, req: Request, fip_id: str) -> Response:
        ctx = self.ctx(req)
        fip = self.owned(ctx, self.store.fips, "floatingip", fip_id)
        attrs = a.parse(req, "floatingip", SPEC, update=True)
        if "port_id" in attrs or "fixed_ip_address" in attrs:
            target = attrs.pop("port_id", fip["port_id"])
            requested_ip = attrs.pop("fixed_ip_address", None)
            if target is None:
                self.unlink(fip)
            else:
                self.associate(ctx, fip, target, requested_ip)
        fip.update(attrs)
        self.touch(fip)
        return Response(200, {"floatingip": self.fip_view(fip)})

    def delete_fip(self, req: Request, fip_id: str) -> Response:
        fip = self.owned(self.ctx(req), self.store.fips, "floatingip", fip_id)
        self.unlink(fip)
        for port in self.store.in_creation_order(self.store.ports_of_dev.get(fip_id), self.store.ports):
            self.drop_port(port)
        del self.store.fips[fip_id]
        return Response(204)

    # --- association ----------------------------------------------------------------------------
    def associate(self, ctx: Context, fip: Record, port_id: str, requested_ip: str | None) -> None:
        """Point `fip` at a fixed IP of `port_id`, enforcing Neutron's rules (nothing changes on error)."""
        port = self.visible_port(ctx, port_id)
        if port["project_id"] != fip["project_id"] and not ctx.is_admin:
            raise bad_resource(
                "floatingip",
                f"Cannot create floating IP and bind it to Port {port_id}, since that "
                "port is owned by a different tenant.",
            )
        v4 = [ip for ip in port["fixed_ips"] if ":" not in ip["ip_address"]]
        if requested_ip is not None:
            chosen = next((ip for ip in v4 if ip["ip_address"] == requested_ip), None)
            if chosen is None:
                raise bad_resource("floatingip", f"Port {port_id} does not have fixed ip {requested_ip}")
        elif not v4:
            raise bad_resource(
                "floatingip", f"Cannot add floating IP to port {port_id} that has no fixed IPv4 addresses"
            )
        elif len(v4) > 1:
            raise bad_resource(
                "floatingip",
                f"Port {port_id} has multiple fixed IPv4 addresses.  Must provide a "
                "specific IPv4 address when assigning a floating IP",
            )
        else:
            chosen = v4[0]
        for other_id in self.store.fips_of_port.get(port_id, ()):
            other = self.store.fips[other_id]
            if other_id != fip["id"] and other["fixed_ip_address"] == chosen["ip_address"]:
                raise conflict(
                    "FloatingIPPortAlreadyAssociated",
                    f"Cannot associate floating IP "
                    f"{fip['floating_ip_address']} ({fip['id']}) with port {port_id} using fixed IP "
                    f"{chosen['ip_address']}, as that fixed IP already has a floating IP on external "
                    f"network {other['floating_network_id']}.",
                )
        router_id = self.router_between(fip["floating_network_id"], chosen["subnet_id"])
        if router_id is None:
            raise neutron_error(
                404,
                "ExternalGatewayForFloatingIPNotFound",
                f"External network {fip['floating_network_id']} is not reachable from subnet "
                f"{chosen['subnet_id']}.  Therefore, cannot associate Port {port_id} with a "
                "Floating IP.",
            )
        self.unlink(fip)
        fip.update(port_id=port_id, fixed_ip_address=chosen["ip_address"], router_id=router_id)
        self.store.index_add(self.store.fips_of_port, port_id, fip["id"])

    def router_between(self, external_net: str, subnet_id: str) -> str | None:
        """A router with its gateway on `external_net` and an interface on `subnet_id`."""
        for router in self.store.routers.values():
            gateway = router["external_gateway_info"]
            if not gateway or gateway["network_id"] != external_net:
                continue
            for port_id in self.store.ports_of_dev.get(router["id"], ()):
                port = self.store.ports[port_id]
                if port["device_owner"] == "network:router_interface" and any(
                    ip["subnet_id"] == subnet_id for ip in port["fixed_ips"]
                ):
                    return str(router["id"])
        return None

    def unlink(self, fip: Record) -> None:
        if fip["port_id"]:
            self.store.index_drop(self.store.fips_of_port, fip["port_id"], fip["id"])
        fip.update(port_id=None, fixed_ip_address=None, router_id=None)

    def disassociate_port(self, port_id: str) -> None:
        for fip_id in list(self.store.fips_of_port.get(port_id, ())):
            self.unlink(self.store.fips[fip_id])
            self.touch(self.store.fips[fip_id])


def exhausted(net_id: str) -> HttpError:
    return neutron_error(
        400, "ExternalIpAddressExhausted", f"Unable to find any IP address on external network {net_id}."
    )
