"""Routers: an external gateway port on an external network, interface ports on project subnets, routes."""

from __future__ import annotations

import ipaddress
from typing import Any

from ..core import Context, Request, Response, Router, new_id
from . import attrs as a
from .base import NETWORK_HOST, SYSTEM, NetBase, Record
from .errors import bad_request, bad_resource, conflict, forbidden, neutron_error
from .ports import FIXED_IP
from .query import list_answer
from .subnets import ROUTE

FIELDS = (
    "id",
    "name",
    "project_id",
    "admin_state_up",
    "status",
    "external_gateway_info",
    "description",
    "availability_zones",
    "distributed",
    "ha",
    "availability_zone_hints",
    "routes",
    "flavor_id",
    "tags",
    "created_at",
    "updated_at",
    "revision_number",
    "tenant_id",
)
GATEWAY = a.dict_of(
    {"network_id": a.uuid, "enable_snat": a.boolean, "external_fixed_ips": a.list_of(FIXED_IP)},
    required=("network_id",),
)
SPEC: dict[str, a.Attr] = {
    "name": a.NAME,
    "description": a.DESCRIPTION,
    "tags": a.TAGS,
    "project_id": a.PROJECT,
    "tenant_id": a.PROJECT,
    "admin_state_up": a.Attr(a.boolean),
    "external_gateway_info": a.Attr(a.nullable(lambda v: GATEWAY(v) if v else None)),
    "routes": a.Attr(a.nullable(a.list_of(ROUTE))),
    "distributed": a.Attr(a.boolean),
    "ha": a.Attr(a.boolean),
    "availability_zone_hints": a.Attr(a.list_of(a.string(255)), put=False),
    "flavor_id": a.Attr(a.nullable(a.uuid), put=False),
}


class Routers(NetBase):
    def router_routes(self, r: Router) -> None:
        r.add("GET", "/v2.0/routers", self.list_routers)
        r.add("POST", "/v2.0/routers", self.create_router)
        r.add("GET", "/v2.0/routers/{router_id}", self.show_router)
        r.add("PUT", "/v2.0/routers/{router_id}", self.update_router)
        r.add("DELETE", "/v2.0/routers/{router_id}", self.delete_router)
        r.add("PUT", "/v2.0/routers/{router_id}/add_router_interface", self.add_interface)
        r.add("PUT", "/v2.0/routers/{router_id}/remove_router_interface", self.remove_interface)

    def router_ports(self, router_id: str, owner: str) -> list[Record]:
        ports = self.store.in_creation_order(self.store.ports_of_dev.get(router_id), self.store.ports)
        return [p for p in ports if p["device_owner"] == owner]

    def router_view(self, router: Record) -> dict[str, Any]:
        info = router["external_gateway_info"]
        if info is not None:
            gateway = self.router_ports(router["id"], "network:router_gateway")
            info = {
                "network_id": info["network_id"],
                "external_fixed_ips": gateway[0]["fixed_ips"] if gateway else [],
                "enable_snat": info["enable_snat"],
            }
        view = {
            "status": "ACTIVE",
            "tenant_id": router["project_id"],
            **router,
            "external_gateway_info": info,
        }
        return {k: view[k] for k in FIELDS}

    # --- CRUD -----------------------------------------------------------------------------------
    def list_routers(self, req: Request) -> Response:
        ctx = self.ctx(req)
        records = [r for r in self.store.routers.values() if ctx.can_see(r["project_id"])]
        return list_answer(req, "router", "routers", records, FIELDS, view=self.router_view)

    def show_router(self, req: Request, router_id: str) -> Response:
        return Response(
            200, {"router": self.router_view(self.owned(self.ctx(req), self.store.routers, "router", router_id))}
        )

    def create_router(self, req: Request) -> Response:
        ctx = self.ctx(req)
        attrs = a.parse(req, "router", SPEC, update=False)
        self.check_router_policy(ctx, attrs, "create_router")
        project = self.owner(ctx, attrs, "create_router")
        gateway = attrs.pop("external_gateway_info", None)
        routes = attrs.pop("routes", None)
        router: Record = {
            "id": new_id(),
            "name": "",
            "project_id": project,
            "admin_state_up": True,
            "external_gateway_info": None,
            "availability_zones": [],
            "distributed": False,
            "ha": False,
            "availability_zone_hints": [],
            "routes": [],
            "flavor_id": None,
        }
        router.update(attrs)
        if routes:
            raise neutron_error(
                400,
                "InvalidRoutes",
                f"Invalid format for routes: {routes}, the nexthop is not connected with router",
            )
        self.store.routers[router["id"]] = self.born(router, revision=1)
        if gateway:
            try:
                self.set_gateway(ctx, router, gateway)
            except Exception:
                del self.store.routers[router["id"]]
                raise
        return Response(201, {"router": self.router_view(router)})

    @staticmethod
    def check_router_policy(ctx: Context, attrs: dict[str, Any], action: str) -> None:
        for key in ("distributed", "ha"):
            if key in attrs and not ctx.is_admin:
                raise forbidden(f"{action}:{key}")
        gateway = attrs.get("external_gateway_info") or {}
        for key in ("enable_snat", "external_fixed_ips"):
            if key in gateway and not (ctx.is_admin or "manager" in ctx.roles):
                raise forbidden(f"{action}:external_gateway_info:{key}")

    def update_router(self, req: Request, router_id: str) -> Response:
        ctx = self.ctx(req)
        router = self.owned(ctx, self.store.routers, "router", router_id)
        attrs = a.parse(req, "router", SPEC, update=True)
        self.check_router_policy(ctx, attrs, "update_router")
        if "routes" in attrs:
            self.check_routes(router, attrs["routes"] or [])
            attrs["routes"] = attrs["routes"] or []
        if "external_gateway_info" in attrs:
            self.set_gateway(ctx, router, attrs.pop("external_gateway_info"))
        router.update(attrs)
        self.touch(router)
        return Response(200, {"router": self.router_view(router)})

    def delete_router(self, req: Request, router_id: str) -> Response:
        self.owned(self.ctx(req), self.store.routers, "router", router_id)
        if self.router_ports(router_id, "network:router_interface"):
            raise conflict("RouterInUse", f"Router {router_id} still has ports")
        for port in self.router_ports(router_id, "network:router_gateway"):
            self.drop_port(port)
        del self.store.routers[router_id]
        return Response(204)

    # --- gateway --------------------------------------------------------------------------------
    def set_gateway(self, ctx: Context, router: Record, info: dict[str, Any] | None) -> None:
        current = router["external_gateway_info"]
        ports = self.router_ports(router["id"], "network:router_gateway")
        if info and current and info["network_id"] == current["network_id"]:
            if "external_fixed_ips" in info and ports:
                fixed, _ = self.claim_ips(
                    ports[0]["id"], current["network_id"], info["external_fixed_ips"], ports[0]["fixed_ips"]
                )
                self.set_fixed_ips(ports[0], fixed)
            current["enable_snat"] = info.get("enable_snat", current["enable_snat"])
            return
        if info:
            net = self.visible_network(ctx, info["network_id"])
            if not net["router:external"]:
                raise bad_resource("router", f"Network {net['id']} is not an external network")
        if current and any(f["router_id"] == router["id"] for f in self.store.fips.values()):
            raise conflict(
                "RouterExternalGatewayInUseByFloatingIp",
                f"Gateway cannot be updated for router "
                f"{router['id']}, since a gateway to external network {current['network_id']} is "
                "required by one or more floating IPs.",
            )
        if info:
            self.new_port(
                SYSTEM,
                {
                    "network_id": info["network_id"],
                    "device_owner": "network:router_gateway",
                    "device_id": router["id"],
                    "fixed_ips": info.get("external_fixed_ips"),
                    "binding:host_id": NETWORK_HOST,
                    "_project": "",
                },
            )
        for port in ports:
            self.drop_port(port)
        router["external_gateway_info"] = (
            {"network_id": info["network_id"], "enable_snat": info.get("enable_snat", True)} if info else None
        )

    def check_routes(self, router: Record, routes: list[dict[str, str]]) -> None:
        attached = [
            self.store.subnet_ranges[ip["subnet_id"]][0]
            for port_id in self.store.ports_of_dev.get(router["id"], ())
            for ip in self.store.ports[port_id]["fixed_ips"]
        ]
        for route in routes:
            try:
                ipaddress.ip_network(route["destination"])
            except ValueError:
                raise bad_request(
                    f"Invalid input for routes. Reason: '{route['destination']}' is not a valid IP subnet."
                ) from None
            hop = ipaddress.ip_address(route["nexthop"])
            if not any(hop in cidr for cidr in attached):
                raise neutron_error(
                    400,
                    "InvalidRoutes",
                    f"Invalid format for routes: {routes}, the nexthop is not connected with router",
                )

    # --- interfaces -----------------------------------------------------------------------------
    def interface_args(self, req: Request) -> tuple[str | None, str | None]:
        body = a.read_json(req)
        if not isinstance(body, dict):
            raise bad_request("Body contains invalid data")
        subnet_id, port_id = body.get("subnet_id"), body.get("port_id")
        for key, value in (("subnet_id", subnet_id), ("port_id", port_id)):
            if value is not None:
                try:
                    a.uuid(value)
                except a.Invalid as exc:
                    raise bad_request(f"Invalid input for {key}. Reason: {exc}.") from None
        if subnet_id and port_id:
            raise bad_resource("router", "Cannot specify both subnet-id and port-id")
        if not subnet_id and not port_id:
            raise bad_resource("router", "Either subnet_id or port_id must be specified")
        return subnet_id, port_id

    def interface_answer(self, router: Record, port: Record, subnet_ids: list[str]) -> Response:
        return Response(
            200,
            {
                "id": router["id"],
                "project_id": router["project_id"],
                "port_id": port["id"],
                "network_id": port["network_id"],
                "subnet_id": subnet_ids[0] if subnet_ids else None,
                "subnet_ids": subnet_ids,
            },
        )

    def attached_subnets(self, router_id: str) -> dict[str, str]:
        """Subnet id -> interface port id."""
        return {
            ip["subnet_id"]: p["id"]
            for p in self.router_ports(router_id, "network:router_interface")
            for ip in p["fixed_ips"]
        }

    def check_new_subnet(self, router_id: str, subnet_id: str) -> None:
        attached = self.attached_subnets(router_id)
        if subnet_id in attached:
            raise bad_resource("router", f"Router already has a port on subnet {subnet_id}.")
        cidr = self.store.subnet_ranges[subnet_id][0]
        for other in attached:
            other_cidr = self.store.subnet_ranges[other][0]
            if other_cidr.overlaps(cidr):
                raise bad_resource(
                    "router",
                    f"Cidr {cidr} of subnet {subnet_id} overlaps with cidr {other_cidr} of subnet {other}",
                )

    def add_interface(self, req: Request, router_id: str) -> Response:
        ctx = self.ctx(req)
        router = self.owned(ctx, self.store.routers, "router", router_id)
        subnet_id, port_id = self.interface_args(req)
        if port_id:
            port = self.visible_port(ctx, port_id)
            if port["device_id"]:
                raise conflict(
                    "PortInUse",
                    f"Unable to complete operation on port {port_id} for network "
                    f"{port['network_id']}. Port already has an attached device {port['device_id']}.",
                )
            if not port["fixed_ips"]:
                raise bad_resource("router", "Router port must have at least one fixed IP")
            for ip in port["fixed_ips"]:
                self.check_new_subnet(router_id, ip["subnet_id"])
            self.store.index_add(self.store.ports_of_dev, router_id, port_id)
            port.update(
                {
                    "device_id": router_id,
                    "device_owner": "network:router_interface",
                    "binding:host_id": NETWORK_HOST,
                }
            )
            self.touch(port)
        else:
            subnet = self.visible_subnet(ctx, str(subnet_id))
            self.check_new_subnet(router_id, subnet["id"])
            if not subnet["gateway_ip"]:
                raise bad_resource("router", f"Subnet {subnet['id']} does not have a gateway IP")
            port = self.new_port(
                SYSTEM,
                {
                    "network_id": subnet["network_id"],
                    "device_owner": "network:router_interface",
                    "device_id": router_id,
                    "binding:host_id": NETWORK_HOST,
                    "_project": subnet["project_id"],
                    "fixed_ips": [{"subnet_id": subnet["id"], "ip_address": subnet["gateway_ip"]}],
                },
            )
        self.touch(router)
        return self.interface_answer(router, port, [ip["subnet_id"] for ip in port["fixed_ips"]])

    def remove_interface(self, req: Request, router_id: str) -> Response:
        ctx = self.ctx(req)
        router = self.owned(ctx, self.store.routers, "router", router_id)
        subnet_id, port_id = self.interface_args(req)
        if port_id:
            port = self.store.ports.get(port_id)
            if (
                port is None
                or port["device_id"] != router_id
                or port["device_owner"] != "network:router_interface"
            ):
                raise neutron_error(
                    404,
                    "RouterInterfaceNotFound",
                    f"Router {router_id} does not have an interface with id {port_id}",
                )
            subnets = [ip["subnet_id"] for ip in port["fixed_ips"]]
        else:
            self.visible_subnet(ctx, str(subnet_id))
            holder = self.attached_subnets(router_id).get(str(subnet_id))
            if holder is None:
                raise neutron_error(
                    404,
                    "RouterInterfaceNotFoundForSubnet",
                    f"Router {router_id} has no interface on subnet {subnet_id}",
                )
            port, subnets = self.store.ports[holder], [str(subnet_id)]
        for subnet in subnets:
            if any(
                f["router_id"] == router_id and self.fixed_subnet(f) == subnet for f in self.store.fips.values()
            ):
                raise conflict(
                    "RouterInterfaceInUseByFloatingIP",
                    f"Router interface for subnet {subnet} on router "
                    f"{router_id} cannot be deleted, as it is required by one or more floating IPs.",
                )
        answer = self.interface_answer(router, port, subnets)
        remaining = [ip for ip in port["fixed_ips"] if ip["subnet_id"] not in subnets]
        if remaining:
            self.set_fixed_ips(port, remaining)
        else:
            self.drop_port(port)
        self.touch(router)
        return answer

    def fixed_subnet(self, fip: Record) -> str | None:
        port = self.store.ports.get(fip["port_id"] or "")
        if port is None:
            return None
        return next(
            (ip["subnet_id"] for ip in port["fixed_ips"] if ip["ip_address"] == fip["fixed_ip_address"]), None
        )
