"""Routers: an external gateway port on an external network, interface ports on project subnets, routes."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from ...core import Context, new_id
from ..errors import bad_request, bad_resource, conflict, forbidden, neutron_error
from ..policy import NETWORK_HOST, SYSTEM, check_zones, owner, visible_network, visible_port, visible_subnet
from ..store import Record, Store
from ..views import router_ports
from .addresses import Addresses
from .ports import Ports
from .quotas import Quotas


class Routers:
    def __init__(self, store: Store, clock: Callable[[], float], ports: Ports, addresses: Addresses,
                 quotas: Quotas) -> None:
        self.store = store
        self.clock = clock
        self.ports = ports
        self.addresses = addresses
        self.quotas = quotas

    # --- CRUD -----------------------------------------------------------------------------------
    def create(self, ctx: Context, attrs: dict[str, Any]) -> Record:
        store = self.store
        check_router_policy(ctx, attrs, "create_router")
        check_zones("router", attrs.get("availability_zone_hints", []))
        project = owner(ctx, attrs, "create_router")
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
        store.routers[router["id"]] = store.born(router, self.clock(), revision=1)
        if gateway:
            try:
                self.set_gateway(ctx, router, gateway)
            except Exception:
                del store.routers[router["id"]]
                raise
        return router

    def update(self, ctx: Context, router: Record, attrs: dict[str, Any]) -> None:
        check_router_policy(ctx, attrs, "update_router")
        for key, what in (("distributed", "'distributed' attribute"), ("ha", "HA attribute")):
            if key in attrs and attrs[key] != router[key] and attrs.get("admin_state_up", router["admin_state_up"]):
                raise bad_resource("router", f"Cannot change {what} of active routers. Please set router "
                                             "admin_state_up to False prior to upgrade")
        if "routes" in attrs:
            self.check_routes(router, attrs["routes"] or [])
            attrs["routes"] = attrs["routes"] or []
        if "external_gateway_info" in attrs:
            self.set_gateway(ctx, router, attrs.pop("external_gateway_info"))
        router.update(attrs)
        self.store.touch(router, self.clock())

    def delete(self, router: Record) -> None:
        router_id = router["id"]
        if router_ports(self.store, router_id, "network:router_interface"):
            raise conflict("RouterInUse", f"Router {router_id} still has ports")
        for port in router_ports(self.store, router_id, "network:router_gateway"):
            self.ports.drop(port)
        del self.store.routers[router_id]

    # --- gateway --------------------------------------------------------------------------------
    def set_gateway(self, ctx: Context, router: Record, info: dict[str, Any] | None) -> None:
        store = self.store
        current = router["external_gateway_info"]
        ports = router_ports(store, router["id"], "network:router_gateway")
        if info and current and info["network_id"] == current["network_id"]:
            if "external_fixed_ips" in info and ports:
                fixed = self.addresses.claim(ports[0]["id"], current["network_id"], info["external_fixed_ips"],
                                             ports[0]["fixed_ips"], mac=ports[0]["mac_address"],
                                             owner="network:router_gateway")
                self.addresses.set_fixed_ips(ports[0], fixed)
            current["enable_snat"] = info.get("enable_snat", current["enable_snat"])
            return
        if info:
            net = visible_network(store, ctx, info["network_id"])
            if not net["router:external"]:
                raise bad_resource("router", f"Network {net['id']} is not an external network")
        if current and any(f["router_id"] == router["id"] for f in store.fips.values()):
            raise conflict(
                "RouterExternalGatewayInUseByFloatingIp",
                f"Gateway cannot be updated for router "
                f"{router['id']}, since a gateway to external network {current['network_id']} is "
                "required by one or more floating IPs.",
            )
        if info:
            self.ports.create(
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
            self.ports.drop(port)
        router["external_gateway_info"] = (
            {"network_id": info["network_id"], "enable_snat": info.get("enable_snat", True)} if info else None
        )

    def check_routes(self, router: Record, routes: list[dict[str, str]]) -> None:
        """`_update_extra_routes`: each nexthop on a subnet of the router's ports and none of their addresses,
        and no more routes than the project's `router_route` limit."""
        store = self.store
        fixed = [ip for port_id in store.ports_of_dev.get(router["id"], ()) for ip in store.ports[port_id]["fixed_ips"]]
        attached = [store.subnet_ranges[ip["subnet_id"]][0] for ip in fixed]
        own = {ip["ip_address"] for ip in fixed}
        for route in routes:
            try:
                ipaddress.ip_network(route["destination"])
            except ValueError:
                raise bad_request(
                    f"Invalid input for routes. Reason: '{route['destination']}' is not a valid IP subnet."
                ) from None
            hop = ipaddress.ip_address(route["nexthop"])
            reason = ("the nexthop is not connected with router" if not any(hop in cidr for cidr in attached)
                      else "the nexthop is used by router" if str(hop) in own else None)
            if reason is not None:
                raise neutron_error(400, "InvalidRoutes", f"Invalid format for routes: {routes}, {reason}")
        self.quotas.limit_check(router["project_id"], "router_route", len(routes))

    def add_extraroutes(self, ctx: Context, router: Record, routes: list[dict[str, str]]) -> None:
        """`add_extraroutes`: the router's routes and these, an exact duplicate once (`_add_extra_routes`)."""
        merged = [*router["routes"], *(r for r in routes if r not in router["routes"])]
        unique = [r for i, r in enumerate(merged) if r not in merged[:i]]
        self.update(ctx, router, {"routes": unique})

    def remove_extraroutes(self, ctx: Context, router: Record, routes: list[dict[str, str]]) -> None:
        """`remove_extraroutes`: the router's routes but these; one it has not is no error."""
        self.update(ctx, router, {"routes": [r for r in router["routes"] if r not in routes]})

    # --- interfaces -----------------------------------------------------------------------------
    def attached_subnets(self, router_id: str) -> dict[str, str]:
        """Subnet id -> interface port id."""
        return {
            ip["subnet_id"]: p["id"]
            for p in router_ports(self.store, router_id, "network:router_interface")
            for ip in p["fixed_ips"]
        }

    def check_new_subnet(self, router_id: str, subnet_id: str) -> None:
        attached = self.attached_subnets(router_id)
        if subnet_id in attached:
            raise bad_resource("router", f"Router already has a port on subnet {subnet_id}")
        cidr = self.store.subnet_ranges[subnet_id][0]
        for other in attached:
            other_cidr = self.store.subnet_ranges[other][0]
            if other_cidr.overlaps(cidr):
                raise bad_resource(
                    "router",
                    f"Cidr {cidr} of subnet {subnet_id} overlaps with cidr {other_cidr} of subnet {other}",
                )

    def add_interface(self, ctx: Context, router: Record, subnet_id: str | None, port_id: str | None) -> Record:
        """Attach a port, or a new port on the subnet's gateway address; the interface port."""
        store = self.store
        router_id = router["id"]
        if port_id:
            port = visible_port(store, ctx, port_id)
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
            store.index_add(store.ports_of_dev, router_id, port_id)
            port.update(
                {
                    "device_id": router_id,
                    "device_owner": "network:router_interface",
                    "binding:host_id": NETWORK_HOST,
                }
            )
            store.touch(port, self.clock())
        else:
            subnet = visible_subnet(store, ctx, str(subnet_id))
            self.check_new_subnet(router_id, subnet["id"])
            if not subnet["gateway_ip"]:
                raise bad_resource("router", f"Subnet {subnet['id']} does not have a gateway IP")
            port = self.ports.create(
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
        store.touch(router, self.clock())
        return port

    def interface_to_remove(
        self, ctx: Context, router: Record, subnet_id: str | None, port_id: str | None
    ) -> tuple[Record, list[str]]:
        """The interface port a removal names, and the subnets it takes off the router."""
        store = self.store
        router_id = router["id"]
        if port_id:
            port = store.ports.get(port_id)
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
            visible_subnet(store, ctx, str(subnet_id))
            holder = self.attached_subnets(router_id).get(str(subnet_id))
            if holder is None:
                raise neutron_error(
                    404,
                    "RouterInterfaceNotFoundForSubnet",
                    f"Router {router_id} has no interface on subnet {subnet_id}",
                )
            port, subnets = store.ports[holder], [str(subnet_id)]
        for subnet in subnets:  # `_confirm_router_interface_not_in_use`: floating IPs first, then routes
            if any(
                f["router_id"] == router_id and self.fixed_subnet(f) == subnet for f in store.fips.values()
            ):
                raise conflict(
                    "RouterInterfaceInUseByFloatingIP",
                    f"Router interface for subnet {subnet} on router "
                    f"{router_id} cannot be deleted, as it is required by one or more floating IPs.",
                )
            cidr = store.subnet_ranges[subnet][0]
            if any(ipaddress.ip_address(r["nexthop"]) in cidr for r in router["routes"]):
                raise conflict("RouterInterfaceInUseByRoute", f"Router interface for subnet {subnet} on router "
                               f"{router_id} cannot be deleted, as it is required by one or more routes.")
        return port, subnets

    def remove_interface(self, router: Record, port: Record, subnets: list[str]) -> None:
        remaining = [ip for ip in port["fixed_ips"] if ip["subnet_id"] not in subnets]
        if remaining:
            self.addresses.set_fixed_ips(port, remaining)
        else:
            self.ports.drop(port)
        self.store.touch(router, self.clock())

    def fixed_subnet(self, fip: Record) -> str | None:
        port = self.store.ports.get(fip["port_id"] or "")
        if port is None:
            return None
        return next(
            (ip["subnet_id"] for ip in port["fixed_ips"] if ip["ip_address"] == fip["fixed_ip_address"]), None
        )


def check_router_policy(ctx: Context, attrs: dict[str, Any], action: str) -> None:
    for key in ("distributed", "ha"):
        if key in attrs and not ctx.is_admin:
            raise forbidden(f"{action}:{key}")
    gateway = attrs.get("external_gateway_info") or {}
    for key in ("enable_snat", "external_fixed_ips"):
        if key in gateway and not (ctx.is_admin or "manager" in ctx.roles):
            raise forbidden(f"{action}:external_gateway_info:{key}")
