"""Ports: fixed IPs drawn from the subnets, MACs, device ownership, binding state, port security.
Also how routers and floating IPs make and drop the ports they own."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

from ...core import Context, new_id
from ..errors import NeutronError, bad_request, conflict, forbidden, neutron_error
from ..policy import owner, usable_network, visible_network
from ..store import Record, Store
from .addresses import Addresses
from .secgroups import SecurityGroups

ROUTER_OWNERS = (
    "network:router_interface",
    "network:router_gateway",
    "network:router_interface_distributed",
    "network:ha_router_replicated_interface",
    "network:router_ha_interface",
)
#: the router ports whose IPv4 addresses an update may not change (`IP_UPDATE_NOT_ALLOWED_LIST`)
IP_UPDATE_NOT_ALLOWED = ("network:router_interface", "network:router_ha_interface",
                         "network:ha_router_replicated_interface", "network:router_centralized_snat",
                         "network:router_interface_distributed")
MAC = re.compile(r"^([0-9a-f]{2}:){5}[0-9a-f]{2}$")


class Ports:
    def __init__(self, store: Store, clock: Callable[[], float], addresses: Addresses,
                 groups: SecurityGroups) -> None:
        self.store = store
        self.clock = clock
        self.addresses = addresses
        self.groups = groups

    def create(self, ctx: Context, attrs: dict[str, Any]) -> Record:
        """Validate and store a port; also how routers and floating IPs make theirs."""
        store = self.store
        net = visible_network(store, ctx, attrs.pop("network_id"))
        if not usable_network(store, ctx, net):
            raise forbidden("create_port")
        check_binding_policy(ctx, attrs, "create_port")
        internal = attrs.pop("_project", None)  # router and floating IP ports belong to no project
        if internal is None:
            check_device_owner_policy(ctx, net, attrs, "create_port")
        project = internal if internal is not None else owner(ctx, attrs, "create_port")
        port_id = new_id()
        mac = self.check_mac(net["id"], attrs.pop("mac_address", None))
        device_owner = attrs.get("device_owner", "")
        security = attrs.pop(
            "port_security_enabled", net["port_security_enabled"] and not device_owner.startswith("network:")
        )
        groups = attrs.pop("security_groups", None)
        groups = self.port_groups(ctx, project, security, groups, device_owner)
        pairs = check_pairs(security, attrs.pop("allowed_address_pairs", None) or [], mac)
        fixed = self.addresses.claim(port_id, net["id"], attrs.pop("fixed_ips", None), [], mac=mac,
                                     owner=device_owner)
        port: Record = {
            "id": port_id,
            "name": "",
            "network_id": net["id"],
            "project_id": project,
            "mac_address": mac,
            "admin_state_up": True,
            "device_id": "",
            "device_owner": "",
            "fixed_ips": [],
            "allowed_address_pairs": pairs,
            "extra_dhcp_opts": attrs.pop("extra_dhcp_opts", None) or [],
            "security_groups": groups,
            "binding:vnic_type": "normal",
            "binding:profile": {},
            "binding:host_id": "",
            "port_security_enabled": security,
        }
        port.update({k: v if v is not None else port.get(k) for k, v in attrs.items()})
        port["binding:profile"] = port["binding:profile"] or {}
        port["binding:host_id"] = port["binding:host_id"] or ""
        store.ports[port_id] = store.born(port, self.clock(), revision=1)
        store.macs.add(mac)
        store.index_add(store.ports_of_net, net["id"], port_id)
        if port["device_id"]:
            store.index_add(store.ports_of_dev, port["device_id"], port_id)
        self.addresses.set_fixed_ips(port, fixed)
        return port

    def update(self, ctx: Context, port: Record, attrs: dict[str, Any]) -> None:
        store = self.store
        port_id = port["id"]
        check_binding_policy(ctx, attrs, "update_port")
        check_device_owner_policy(ctx, store.networks[port["network_id"]], attrs, "update_port")
        if "mac_address" in attrs and attrs["mac_address"] != port["mac_address"]:
            if not ctx.is_admin:
                raise forbidden("update_port:mac_address")
            if port["binding:host_id"]:
                raise conflict(
                    "PortBound",
                    f"Unable to complete operation on port {port_id}, port is already bound,"
                    " port type: ovs, old_mac {port['mac_address']}, new_mac {attrs['mac_address']}.",
                )
            attrs["mac_address"] = self.check_mac(port["network_id"], attrs["mac_address"])  # None: a new one
        security = attrs.get("port_security_enabled", port["port_security_enabled"])
        if "security_groups" in attrs:
            attrs["security_groups"] = self.port_groups(
                ctx, port["project_id"], security, attrs["security_groups"] or [], port["device_owner"]
            )
        elif not security and port["security_groups"]:
            raise conflict(
                "PortSecurityPortHasSecurityGroup",
                "Port has security group associated. Cannot "
                "disable port security or ip address until security group is removed",
            )
        if "allowed_address_pairs" in attrs:
            attrs["allowed_address_pairs"] = check_pairs(
                security, attrs["allowed_address_pairs"] or [], attrs.get("mac_address", port["mac_address"])
            )
        elif not security and port["allowed_address_pairs"]:
            raise conflict(
                "AddressPairAndPortSecurityRequired",
                "Port Security must be enabled in order to have allowed address pairs on a port.",
            )
        if "fixed_ips" in attrs or attrs.get("mac_address", port["mac_address"]) != port["mac_address"]:
            # a new MAC makes new EUI-64 addresses (neutron's `update_port_with_ips`)
            requested = attrs.pop("fixed_ips", None)
            if requested is None:
                requested = [ip for ip in port["fixed_ips"] if not self.addresses.is_auto(ip["subnet_id"])]
            fixed = self.addresses.claim(port_id, port["network_id"], requested, port["fixed_ips"],
                                         mac=attrs.get("mac_address", port["mac_address"]),
                                         owner=attrs.get("device_owner", port["device_owner"]))
            try:
                self.addresses.check_fip_ips(port, fixed)
                self.check_router_port_ips(port, fixed)
            except NeutronError:
                self.addresses.release_claims(port, fixed)
                raise
            self.addresses.set_fixed_ips(port, fixed)
        if "device_id" in attrs and attrs["device_id"] != port["device_id"]:
            store.index_drop(store.ports_of_dev, port["device_id"], port_id)
            if attrs["device_id"]:
                store.index_add(store.ports_of_dev, attrs["device_id"], port_id)
        if attrs.get("mac_address", port["mac_address"]) != port["mac_address"]:
            store.macs.discard(port["mac_address"])
            store.macs.add(attrs["mac_address"])
        for key in ("binding:host_id", "binding:profile", "extra_dhcp_opts"):
            if key in attrs and attrs[key] is None:
                attrs[key] = "" if key == "binding:host_id" else ([] if key == "extra_dhcp_opts" else {})
        port.update(attrs)
        store.touch(port, self.clock())

    def delete(self, port: Record) -> None:
        """The API's delete: ports a router or floating IP owns go with their owner, not directly."""
        device_owner = port["device_owner"]
        if device_owner in ROUTER_OWNERS or (
            device_owner == "network:floatingip" and port["device_id"] in self.store.fips
        ):
            raise conflict(
                "L3PortInUse",
                f"Port {port['id']} has owner {device_owner} and therefore cannot be deleted "
                "directly via the port API.",
            )
        self.drop(port)

    def drop(self, port: Record) -> None:
        """Forget a port everywhere; its floating IPs are disassociated, as Neutron does."""
        store = self.store
        for fip_id in list(store.fips_of_port.get(port["id"], ())):
            store.unlink_fip(store.fips[fip_id])
            store.touch(store.fips[fip_id], self.clock())
        self.addresses.set_fixed_ips(port, [])
        store.index_drop(store.ports_of_net, port["network_id"], port["id"])
        store.index_drop(store.ports_of_dev, port["device_id"], port["id"])
        store.macs.discard(port["mac_address"])
        del store.ports[port["id"]]

    # --- checks ---------------------------------------------------------------------------------
    def check_router_port_ips(self, port: Record, fixed: list[dict[str, str]]) -> None:
        """l3-port-ip-change-not-allowed: a router's interface keeps its IPv4 addresses."""
        if port["device_owner"] not in IP_UPDATE_NOT_ALLOWED or port["device_id"] not in self.store.routers:
            return
        def v4(ips: list[dict[str, str]]) -> set[str]:
            return {ip["ip_address"] for ip in ips if ":" not in ip["ip_address"]}
        if v4(fixed) != v4(port["fixed_ips"]):
            raise neutron_error(400, "IPAddressChangeNotAllowed", f"IP updates for port {port['id']} are not allowed")


    def check_mac(self, net_id: str, mac: str | None) -> str:
        store = self.store
        if mac is None:
            while True:
                mac = "fa:16:3e:" + ":".join(f"{store.rng.randrange(256):02x}" for _ in range(3))
                if mac not in store.macs:
                    return mac
        mac = mac.lower()
        if not MAC.match(mac):
            raise bad_request(f"Invalid input for mac_address. Reason: '{mac}' is not a valid MAC address.")
        if any(store.ports[p]["mac_address"] == mac for p in store.ports_of_net.get(net_id, ())):
            raise conflict(
                "MacAddressInUse",
                f"Unable to complete operation for network {net_id}. The mac address {mac} is in use.",
            )
        return mac

    def port_groups(
        self, ctx: Context, project: str, security: bool, groups: list[str] | None, device_owner: str
    ) -> list[str]:
        if groups is None:
            if not security or device_owner.startswith("network:"):
                return []
            return [self.groups.ensure_default(project)]
        if groups and not security:
            raise bad_request(
                "Port security must be enabled and port must have an IP address in order to use "
                "security groups."
            )
        for group in groups:
            self.groups.usable(ctx, project, group)
        return groups


def check_binding_policy(ctx: Context, attrs: dict[str, Any], action: str) -> None:
    for key in ("binding:host_id", "binding:profile"):
        if key in attrs and not ctx.is_admin:
            raise forbidden(f"{action}:{key}")


def check_device_owner_policy(ctx: Context, net: Record, attrs: dict[str, Any], action: str) -> None:
    """Neutron's `create_port:device_owner` / `update_port:device_owner`: a `network:*` owner (a router's
    interface or gateway, a DHCP port...) only on a network the caller owns, or for an admin; otherwise a
    user could plant a port that passes for another project's router."""
    owner_text = attrs.get("device_owner") or ""  # a string: the port table's schema says so
    if (owner_text.startswith("network:") and not ctx.is_admin
            and net["project_id"] != ctx.project_id):
        raise forbidden(f"{action}:device_owner")


def check_pairs(security: bool, pairs: list[dict[str, str]], mac: str) -> list[dict[str, str]]:
    if pairs and not security:
        raise conflict(
            "AddressPairAndPortSecurityRequired",
            "Port Security must be enabled in order to have allowed address pairs on a port.",
        )
    for pair in pairs:
        check_not_multicast(pair)
    return [{"ip_address": p["ip_address"], "mac_address": p.get("mac_address", mac)} for p in pairs]


def check_not_multicast(pair: dict[str, str]) -> None:
    """aap-reject-multicast: no multicast address, range or MAC in an allowed address pair (neutron-lib's
    `validate_ip_not_multicast`, `validate_subnet_not_multicast`, `validate_mac_address_not_multicast`)."""
    text = pair["ip_address"]
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return  # not an address: the port's own checks word that
    if "/" in text:
        multicast = ipaddress.ip_network("224.0.0.0/4" if net.version == 4 else "ff00::/8")
        if str(net) != "0.0.0.0/0" and net.overlaps(multicast):
            raise bad_request(f"Subnet {text} overlaps with multicast range {multicast}, which is not supported.")
    elif net.network_address.is_multicast:
        raise bad_request(f"IP {text} is a multicast address, which is not supported.")
    mac = pair.get("mac_address")
    if mac and MAC.match(mac.lower()) and int(mac.split(":")[0], 16) & 1:
        raise bad_request(f"MAC address {mac} is a multicast address, which is not supported.")
