"""Floating IPs: external addresses held by `network:floatingip` ports, NATed by a router to fixed IPs.

The rule that matters most to netdash: a floating IP only associates with a fixed IP whose subnet is an
interface of a router that has its gateway on the floating IP's network; otherwise Neutron answers 404
`ExternalGatewayForFloatingIPNotFound`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...core import Context, new_id
from ..errors import NeutronError, bad_resource, conflict, forbidden, neutron_error
from ..policy import SYSTEM, owner, visible_network, visible_port
from ..store import Record, Store
from .ports import Ports


class FloatingIPs:
    def __init__(self, store: Store, clock: Callable[[], float], ports: Ports) -> None:
        self.store = store
        self.clock = clock
        self.ports = ports

    def create(self, ctx: Context, attrs: dict[str, Any]) -> Record:
        store = self.store
        net = visible_network(store, ctx, attrs.pop("floating_network_id"))
        if not net["router:external"]:
            raise bad_resource("floatingip", f"Network {net['id']} is not a valid external network")
        address = attrs.pop("floating_ip_address", None)
        if address is not None and not (ctx.is_admin or "manager" in ctx.roles):
            raise forbidden("create_floatingip:floating_ip_address")
        project = owner(ctx, attrs, "create_floatingip")
        fip_id = new_id()
        subnet_id = attrs.pop("subnet_id", None)
        if address is not None:
            fixed: list[dict[str, str]] | None = [{"ip_address": address}]
            if subnet_id:
                fixed[0]["subnet_id"] = subnet_id
        else:
            fixed = [{"subnet_id": subnet_id}] if subnet_id else None
        try:
            port = self.ports.create(
                SYSTEM,
                {
                    "network_id": net["id"],
                    "device_owner": "network:floatingip",
                    "device_id": fip_id,
                    "fixed_ips": fixed,
                    "_project": "",
                },
            )
        except NeutronError as exc:
            if exc.kind == "IpAddressGenerationFailure":
                raise exhausted(net["id"]) from None
            raise
        if not port["fixed_ips"]:
            self.ports.drop(port)
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
            except NeutronError:
                self.ports.drop(port)
                raise
        store.fips[fip_id] = store.born(fip, self.clock())
        return fip

    def update(self, ctx: Context, fip: Record, attrs: dict[str, Any]) -> None:
        if "port_id" in attrs or "fixed_ip_address" in attrs:
            target = attrs.pop("port_id", fip["port_id"])
            requested_ip = attrs.pop("fixed_ip_address", None)
            if target is None:
                self.store.unlink_fip(fip)
            else:
                self.associate(ctx, fip, target, requested_ip)
        fip.update(attrs)
        self.store.touch(fip, self.clock())

    def delete(self, fip: Record) -> None:
        store = self.store
        store.unlink_fip(fip)
        for port in store.in_creation_order(store.ports_of_dev.get(fip["id"]), store.ports):
            self.ports.drop(port)
        del store.fips[fip["id"]]

    # --- association ----------------------------------------------------------------------------
    def associate(self, ctx: Context, fip: Record, port_id: str, requested_ip: str | None) -> None:
        """Point `fip` at a fixed IP of `port_id`, enforcing Neutron's rules (nothing changes on error)."""
        store = self.store
        port = visible_port(store, ctx, port_id)
        if port["project_id"] != fip["project_id"] and not ctx.is_admin:
            raise bad_resource(
                "floatingip",
                f"Cannot process floating IP association with Port {port_id}, since that port is owned by a "
                "different project",
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
        for other_id in store.fips_of_port.get(port_id, ()):
            other = store.fips[other_id]
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
        store.unlink_fip(fip)
        fip.update(port_id=port_id, fixed_ip_address=chosen["ip_address"], router_id=router_id)
        store.index_add(store.fips_of_port, port_id, fip["id"])

    def router_between(self, external_net: str, subnet_id: str) -> str | None:
        """A router with its gateway on `external_net` and an interface on `subnet_id`."""
        store = self.store
        for router in store.routers.values():
            gateway = router["external_gateway_info"]
            if not gateway or gateway["network_id"] != external_net:
                continue
            for port_id in store.ports_of_dev.get(router["id"], ()):
                port = store.ports[port_id]
                if port["device_owner"] == "network:router_interface" and any(
                    ip["subnet_id"] == subnet_id for ip in port["fixed_ips"]
                ):
                    return str(router["id"])
        return None


def exhausted(net_id: str) -> NeutronError:
    return neutron_error(
        400, "ExternalIpAddressExhausted", f"Unable to find any IP address on external network {net_id}."
    )
