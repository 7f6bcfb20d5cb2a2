"""Ports: fixed IPs drawn from the subnets, MACs, device ownership, binding state, port security."""

from __future__ import annotations

import re
from typing import Any

from ..core import Context, HttpError, Request, Response, Router, new_id
from . import attrs as a
from .base import Record
from .errors import bad_request, conflict, forbidden, not_found
from .fixedips import FixedIPs
from .query import list_answer

FIELDS = (
    "id",
    "name",
    "network_id",
    "project_id",
    "mac_address",
    "admin_state_up",
    "status",
    "device_id",
    "device_owner",
    "fixed_ips",
    "allowed_address_pairs",
    "extra_dhcp_opts",
    "security_groups",
    "description",
    "binding:vnic_type",
    "binding:profile",
    "binding:host_id",
    "binding:vif_type",
    "binding:vif_details",
    "port_security_enabled",
    "tags",
    "created_at",
    "updated_at",
    "revision_number",
    "tenant_id",
)
ADMIN_FIELDS = ("binding:profile", "binding:host_id", "binding:vif_type", "binding:vif_details")
ROUTER_OWNERS = (
    "network:router_interface",
    "network:router_gateway",
    "network:router_interface_distributed",
    "network:ha_router_replicated_interface",
    "network:router_ha_interface",
)
BOUND_DETAILS = {
    "port_filter": True,
    "connectivity": "l2",
    "bridge_name": "br-int",
    "datapath_type": "system",
}
MAC = re.compile(r"^([0-9a-f]{2}:){5}[0-9a-f]{2}$")

FIXED_IP = a.dict_of({"subnet_id": a.uuid, "ip_address": a.ip_address})
PAIR = a.dict_of({"ip_address": a.string(64), "mac_address": a.string(17)}, required=("ip_address",))
SPEC: dict[str, a.Attr] = {
    "name": a.NAME,
    "description": a.DESCRIPTION,
    "tags": a.TAGS,
    "project_id": a.PROJECT,
    "tenant_id": a.PROJECT,
    "network_id": a.Attr(a.uuid, put=False, required=True),
    "admin_state_up": a.Attr(a.boolean),
    "mac_address": a.Attr(a.string(17)),
    "device_id": a.Attr(a.string(255)),
    "device_owner": a.Attr(a.string(255)),
    "fixed_ips": a.Attr(a.list_of(FIXED_IP)),
    "security_groups": a.Attr(a.nullable(a.unique_list_of(a.uuid))),
    "allowed_address_pairs": a.Attr(a.nullable(a.list_of(PAIR))),
    "extra_dhcp_opts": a.Attr(a.nullable(a.list_of(a.any_dict))),
    "port_security_enabled": a.Attr(a.boolean),
    "binding:host_id": a.Attr(a.nullable(a.string(255))),
    "binding:profile": a.Attr(a.nullable(a.any_dict)),
    "binding:vnic_type": a.Attr(
        a.one_of(
            "normal",
            "direct",
            "macvtap",
            "baremetal",
            "direct-physical",
            "virtio-forwarder",
            "smart-nic",
            "vdpa",
            "remote-managed",
        )
    ),
}


class Ports(FixedIPs):
    def port_routes(self, r: Router) -> None:
        r.add("GET", "/v2.0/ports", self.list_ports)
        r.add("POST", "/v2.0/ports", self.create_port)
        r.add("GET", "/v2.0/ports/{port_id}", self.show_port)
        r.add("PUT", "/v2.0/ports/{port_id}", self.update_port)
        r.add("DELETE", "/v2.0/ports/{port_id}", self.delete_port)

    def port_view(self, p: Record, admin: bool = True) -> dict[str, Any]:
        bound = bool(p["binding:host_id"])
        if p["device_owner"] == "network:floatingip":
            status = "N/A"
        else:
            status = "ACTIVE" if bound and p["admin_state_up"] else "DOWN"
        view = {
            "id": p["id"],
            "name": p["name"],
            "network_id": p["network_id"],
            "project_id": p["project_id"],
            "mac_address": p["mac_address"],
            "admin_state_up": p["admin_state_up"],
            "status": status,
            "device_id": p["device_id"],
            "device_owner": p["device_owner"],
            "fixed_ips": p["fixed_ips"],
            "allowed_address_pairs": p["allowed_address_pairs"],
            "extra_dhcp_opts": p["extra_dhcp_opts"],
            "security_groups": p["security_groups"],
            "description": p["description"],
            "binding:vnic_type": p["binding:vnic_type"],
        }
        if admin:
            view.update(
                {
                    "binding:profile": p["binding:profile"],
                    "binding:host_id": p["binding:host_id"],
                    "binding:vif_type": "ovs" if bound else "unbound",
                    "binding:vif_details": BOUND_DETAILS if bound else {},
                }
            )
        view.update(
            {
                "port_security_enabled": p["port_security_enabled"],
                "tags": p["tags"],
                "created_at": p["created_at"],
                "updated_at": p["updated_at"],
                "revision_number": p["revision_number"],
                "tenant_id": p["project_id"],
            }
        )
        return view

    # --- handlers -------------------------------------------------------------------------------
    def list_ports(self, req: Request) -> Response:
        ctx = self.ctx(req)
        candidates: Any = self.store.ports.values()
        store = self.store
        for key, index in (("id", None), ("device_id", store.ports_of_dev), ("network_id", store.ports_of_net)):
            values = req.args(key)
            if values:
                ids = values if index is None else [p for v in values for p in index.get(v, ())]
                candidates = [self.store.ports[i] for i in ids if i in self.store.ports]
                break
        records = [p for p in candidates if self.port_visible(ctx, p)]
        return list_answer(req, "port", "ports", records, FIELDS, view=lambda p: self.port_view(p, ctx.is_admin))

    def show_port(self, req: Request, port_id: str) -> Response:
        ctx = self.ctx(req)
        return Response(200, {"port": self.port_view(self.visible_port(ctx, port_id), ctx.is_admin)})

    def create_port(self, req: Request) -> Response:
        ctx = self.ctx(req)
        attrs = a.parse(req, "port", SPEC, update=False)
        port = self.new_port(ctx, attrs)
        return Response(201, {"port": self.port_view(port, ctx.is_admin)})

    def new_port(self, ctx: Context, attrs: dict[str, Any]) -> Record:
        """Validate and store a port; also how routers and floating IPs make theirs."""
        net = self.visible_network(ctx, attrs.pop("network_id"))
        if not ctx.can_see(net["project_id"]) and not net["shared"]:
            raise forbidden("create_port")
        self.check_binding_policy(ctx, attrs, "create_port")
        internal = attrs.pop("_project", None)  # router and floating IP ports belong to no project
        project = internal if internal is not None else self.owner(ctx, attrs, "create_port")
        port_id = new_id()
        mac = self.check_mac(net["id"], attrs.pop("mac_address", None))
        owner = attrs.get("device_owner", "")
        security = attrs.pop(
            "port_security_enabled", net["port_security_enabled"] and not owner.startswith("network:")
        )
        groups = attrs.pop("security_groups", None)
        groups = self.port_groups(ctx, project, security, groups, owner)
        pairs = self.check_pairs(security, attrs.pop("allowed_address_pairs", None) or [], mac)
        fixed, _ = self.claim_ips(port_id, net["id"], attrs.pop("fixed_ips", None), [])
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
        self.store.ports[port_id] = self.born(port, revision=1)
        self.store.macs.add(mac)
        self.store.index_add(self.store.ports_of_net, net["id"], port_id)
        if port["device_id"]:
            self.store.index_add(self.store.ports_of_dev, port["device_id"], port_id)
        self.set_fixed_ips(port, fixed)
        return port

    def update_port(self, req: Request, port_id: str) -> Response:
        ctx = self.ctx(req)
        port = self.visible_port(ctx, port_id)
        attrs = a.parse(req, "port", SPEC, update=True)
        self.check_binding_policy(ctx, attrs, "update_port")
        if "mac_address" in attrs and attrs["mac_address"] != port["mac_address"]:
            if not ctx.is_admin:
                raise forbidden("update_port:mac_address")
            if port["binding:host_id"]:
                raise conflict(
                    "PortBound",
                    f"Unable to complete operation on port {port_id}, port is already bound,"
                    " port type: ovs, old_mac {port['mac_address']}, new_mac {attrs['mac_address']}.",
                )
            self.store.macs.discard(port["mac_address"])
            attrs["mac_address"] = self.check_mac(port["network_id"], attrs["mac_address"])
            self.store.macs.add(attrs["mac_address"])
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
            attrs["allowed_address_pairs"] = self.check_pairs(
                security, attrs["allowed_address_pairs"] or [], attrs.get("mac_address", port["mac_address"])
            )
        elif not security and port["allowed_address_pairs"]:
            raise conflict(
                "AddressPairAndPortSecurityRequired",
                "Port Security must be enabled in order to have allowed address pairs on a port.",
            )
        if "fixed_ips" in attrs:
            fixed, _ = self.claim_ips(port_id, port["network_id"], attrs.pop("fixed_ips"), port["fixed_ips"])
            try:
                self.check_fip_ips(port, fixed)
            except HttpError:
                self.release_claims(port, fixed)
                raise
            self.set_fixed_ips(port, fixed)
        if "device_id" in attrs and attrs["device_id"] != port["device_id"]:
            self.store.index_drop(self.store.ports_of_dev, port["device_id"], port_id)
            if attrs["device_id"]:
                self.store.index_add(self.store.ports_of_dev, attrs["device_id"], port_id)
        for key in ("binding:host_id", "binding:profile", "extra_dhcp_opts"):
            if key in attrs and attrs[key] is None:
                attrs[key] = "" if key == "binding:host_id" else ([] if key == "extra_dhcp_opts" else {})
        port.update(attrs)
        self.touch(port)
        return Response(200, {"port": self.port_view(port, ctx.is_admin)})

    def delete_port(self, req: Request, port_id: str) -> Response:
        ctx = self.ctx(req)
        port = self.visible_port(ctx, port_id)
        owner = port["device_owner"]
        if owner in ROUTER_OWNERS or (owner == "network:floatingip" and port["device_id"] in self.store.fips):
            raise conflict(
                "L3PortInUse",
                f"Port {port_id} has owner {owner} and therefore cannot be deleted "
                "directly via the port API.",
            )
        self.drop_port(port)
        return Response(204)

    def drop_port(self, port: Record) -> None:
        """Forget a port everywhere; its floating IPs are disassociated, as Neutron does."""
        self.disassociate_port(port["id"])
        self.set_fixed_ips(port, [])
        self.store.index_drop(self.store.ports_of_net, port["network_id"], port["id"])
        self.store.index_drop(self.store.ports_of_dev, port["device_id"], port["id"])
        self.store.macs.discard(port["mac_address"])
        del self.store.ports[port["id"]]

    # --- rules ----------------------------------------------------------------------------------
    @staticmethod
    def check_binding_policy(ctx: Context, attrs: dict[str, Any], action: str) -> None:
        for key in ("binding:host_id", "binding:profile"):
            if key in attrs and not ctx.is_admin:
                raise forbidden(f"{action}:{key}")

    def check_mac(self, net_id: str, mac: str | None) -> str:
        if mac is None:
            while True:
                mac = "fa:16:3e:" + ":".join(f"{self.store.rng.randrange(256):02x}" for _ in range(3))
                if mac not in self.store.macs:
                    return mac
        mac = mac.lower()
        if not MAC.match(mac):
            raise bad_request(f"Invalid input for mac_address. Reason: '{mac}' is not a valid MAC address.")
        if any(self.store.ports[p]["mac_address"] == mac for p in self.store.ports_of_net.get(net_id, ())):
            raise conflict(
                "MacAddressInUse",
                f"Unable to complete operation for network {net_id}. The mac address {mac} is in use.",
            )
        return mac

    def port_groups(
        self, ctx: Context, project: str, security: bool, groups: list[str] | None, owner: str
    ) -> list[str]:
        if groups is None:
            if not security or owner.startswith("network:"):
                return []
            return [self.ensure_default_sg(project)]
        if groups and not security:
            raise bad_request(
                "Port security must be enabled and port must have an IP address in order to use "
                "security groups."
            )
        for group in groups:
            sg = self.store.sgs.get(group)
            if sg is None or not (sg["project_id"] == project or ctx.is_admin or sg["shared"]):
                raise not_found("security_group", group)
        return groups

    @staticmethod
    def check_pairs(security: bool, pairs: list[dict[str, str]], mac: str) -> list[dict[str, str]]:
        if pairs and not security:
            raise conflict(
                "AddressPairAndPortSecurityRequired",
                "Port Security must be enabled in order to have allowed address pairs on a port.",
            )
        return [{"ip_address": p["ip_address"], "mac_address": p.get("mac_address", mac)} for p in pairs]
