"""How a server record is shown: fields by microversion and role, addresses read live from Neutron."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ..core import Context, Request, iso
from ..network import Network
from . import wire
from .lifecycle import PROGRESS_STATUSES, Lifecycle, status_of
from .plumbing import HOST, Plumbing
from .secgroups import SecurityGroups
from .wire import caller, mv, root

POWER_STATES = {"building": 0, "active": 1, "stopped": 4, "error": 0}


@dataclass(frozen=True)
class Parts:
    """Which parts of Nova's server view an answer carries (`ViewBuilder.show`'s `show_*` arguments)."""

    #: extended addresses, availability zone, config drive, usage, security groups, extended attributes
    #: and status, volumes, host status: every GET; PUT and rebuild only from 2.75
    full: bool = True
    keypair: bool = True
    #: `OS-EXT-SRV-ATTR:user_data` among the extended attributes (rebuild adds `user_data` itself)
    user_data: bool = True
    #: `server_groups` (2.71): show, PUT and rebuild, never the detailed list
    server_groups: bool = False


SHOW = Parts(server_groups=True)
DETAIL = Parts()


def host_id_of(project_id: str) -> str:
    """Nova's `generate_hostid`: opaque per project, equal for two servers of a project on the same host."""
    return hashlib.sha224((project_id + HOST).encode()).hexdigest()


def changed(req: Request, *, rebuild: bool = False) -> Parts:
    """The view PUT /servers/{id} (and the rebuild action) answers with: all of GET's only from 2.75."""
    full = mv(req, 2, 75)
    return Parts(full=full, keypair=full or (rebuild and mv(req, 2, 54)), user_data=not rebuild,
                 server_groups=True)


class ServerViews:
    def __init__(self, network: Network, plumbing: Plumbing, lifecycle: Lifecycle) -> None:
        self.network = network
        self.plumbing = plumbing
        self.lifecycle = lifecycle
        self.groups = SecurityGroups(plumbing)

    # --- pieces of the view ---------------------------------------------------------------------
    def networked_ports(self, server: dict[str, Any]) -> list[dict[str, Any]]:
        """The interfaces Nova's views know of: none while the server is BUILD. Real Nova makes a server's
        ports after scheduling, and the embedded server's BUILD is its `scheduling` task: until it ends a
        real server has no addresses and no security groups to show."""
        return [] if server["vm_state"] == "building" else self.plumbing.server_ports(server)

    def addresses(self, server: dict[str, Any], *, extended: bool = True) -> dict[str, list[dict[str, Any]]]:
        """Network name -> its fixed IPs, then the floating IPs that point at them (Nova's `ips` view);
        `extended`: with each address's type and MAC (`OS-EXT-IPS:type`...), as every view but `/ips`, and
        PUT and rebuild before 2.75, has them."""
        neutron = self.network
        fixed: dict[str, list[dict[str, Any]]] = {}
        floating: dict[str, list[dict[str, Any]]] = {}
        for port in self.networked_ports(server):
            network = neutron.get_network(port["network_id"])
            label = network["name"] if network else port["network_id"]
            fips = neutron.floating_ips_of_port(port["id"])
            mac = port.get("mac_address")
            for entry in port.get("fixed_ips") or []:
                address = entry["ip_address"]
                fixed.setdefault(label, []).append(self.address(address, "fixed", mac, extended))
                floating.setdefault(label, []).extend(self.address(f["floating_ip_address"], "floating", mac, extended)
                                                      for f in fips if f.get("fixed_ip_address") == address)
        return {label: [*entries, *floating[label]] for label, entries in fixed.items()}

    @staticmethod
    def address(addr: str, kind: str, mac: str | None, extended: bool = True) -> dict[str, Any]:
        view: dict[str, Any] = {"version": 6 if ":" in addr else 4, "addr": addr}
        if extended:
            view.update({"OS-EXT-IPS:type": kind, "OS-EXT-IPS-MAC:mac_addr": mac})
        return view

    def image_ref_view(self, req: Request, server: dict[str, Any]) -> Any:
        if not server["image_id"]:
            return ""
        view: dict[str, Any] = {"id": server["image_id"], "links": [
            {"rel": "bookmark", "href": f"{root(req)}/images/{server['image_id']}"}]}
        if mv(req, 2, 98):
            view["properties"] = {}
        return view

    def flavor_ref_view(self, req: Request, server: dict[str, Any]) -> dict[str, Any]:
        flavor = server["flavor"]
        if not mv(req, 2, 47):
            return {"id": flavor["id"], "links": [
                {"rel": "bookmark", "href": f"{root(req)}/flavors/{flavor['id']}"}]}
        return {"vcpus": flavor["vcpus"], "ram": flavor["ram"], "disk": flavor["disk"],
                "ephemeral": flavor["ephemeral"], "swap": flavor["swap"], "original_name": flavor["name"],
                "extra_specs": dict(flavor["extra_specs"])}

    @staticmethod
    def host_id(server: dict[str, Any]) -> str:
        if server["vm_state"] == "building" or server["launched_at"] is None:
            return ""
        return host_id_of(server["project_id"])

    def summary_view(self, req: Request, server: dict[str, Any]) -> dict[str, Any]:
        return {"id": server["id"], "links": wire.links(req, "servers", server["id"]), "name": server["name"]}

    # --- the full view --------------------------------------------------------------------------
    def server_view(self, req: Request, server: dict[str, Any], parts: Parts = SHOW,
                    groups: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """A server as Nova's `ViewBuilder.show` shapes it with these `parts`; `groups`: its security groups,
        when the caller has read them for a whole page (`security_groups`)."""
        self.lifecycle.settle(server)
        ctx = caller(req)
        placed = server["launched_at"] is not None
        status = status_of(server)
        view: dict[str, Any] = {
            "accessIPv4": server["access_ipv4"], "accessIPv6": server["access_ipv6"],
            "addresses": self.addresses(server, extended=parts.full), "created": iso(server["created_at"]),
            "flavor": self.flavor_ref_view(req, server), "hostId": self.host_id(server), "id": server["id"],
            "image": self.image_ref_view(req, server), "links": wire.links(req, "servers", server["id"]),
            "metadata": dict(server["metadata"]), "name": server["name"], "status": status,
            "tenant_id": server["project_id"], "user_id": server["user_id"],
            "updated": iso(server["updated_at"]), "OS-DCF:diskConfig": server["disk_config"]}
        if status in ("ERROR", "DELETED") and server["fault"]:
            view["fault"] = dict(server["fault"])
        if status in PROGRESS_STATUSES:
            view["progress"] = 0
        if parts.full:
            building = server["vm_state"] == "building"
            view["OS-EXT-AZ:availability_zone"] = "" if building else server["availability_zone"]
            view["config_drive"] = "True" if server["config_drive"] else ""
        if parts.keypair:
            view["key_name"] = server["key_name"]
        if parts.full:
            # Nova stores whole seconds and prints them with microseconds
            view["OS-SRV-USG:launched_at"] = iso(int(server["launched_at"]), z=False, micro=True) if placed else None
            view["OS-SRV-USG:terminated_at"] = None
            found = self.security_groups(ctx, [server])[server["id"]] if groups is None else groups
            if found:
                view["security_groups"] = found
        if parts.full and ctx.is_admin:
            self.extended_attributes(req, server, view, parts.user_data)
        elif parts.full and mv(req, 2, 90):
            view["OS-EXT-SRV-ATTR:hostname"] = server["hostname"]
        if parts.full:
            view.update({"OS-EXT-STS:task_state": server["task_state"], "OS-EXT-STS:vm_state": server["vm_state"],
                         "OS-EXT-STS:power_state": POWER_STATES[server["vm_state"]],
                         "os-extended-volumes:volumes_attached": [
                             {"id": v["id"], "delete_on_termination": v["delete_on_termination"]}
                             if mv(req, 2, 3) else {"id": v["id"]} for v in server["volumes"]]})
        if parts.full and ctx.is_admin and mv(req, 2, 16):
            view["host_status"] = "UP" if placed else ""  # Nova's NONE ("") until the server has a host
        self.versioned_fields(req, server, view, parts)
        return view

    def extended_attributes(self, req: Request, server: dict[str, Any], view: dict[str, Any],
                            user_data: bool) -> None:
        """`OS-EXT-SRV-ATTR:*`, which Nova's policy shows to admins (`os_compute_api:os-extended-server-attributes`)."""
        placed = server["launched_at"] is not None
        view.update({
            "OS-EXT-SRV-ATTR:host": HOST if placed else None,
            "OS-EXT-SRV-ATTR:instance_name": f"instance-{server['number']:08x}" if placed else "",
            "OS-EXT-SRV-ATTR:hypervisor_hostname": HOST if placed else None})
        if mv(req, 2, 3):
            view.update({
                "OS-EXT-SRV-ATTR:hostname": server["hostname"], "OS-EXT-SRV-ATTR:kernel_id": "",
                "OS-EXT-SRV-ATTR:launch_index": server["launch_index"], "OS-EXT-SRV-ATTR:ramdisk_id": "",
                "OS-EXT-SRV-ATTR:reservation_id": server["reservation_id"],
                "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda" if placed else None})
            if user_data:
                view["OS-EXT-SRV-ATTR:user_data"] = server["user_data_b64"]

    def security_groups(self, ctx: Context, servers: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        """Each server's groups (`[]`: none), read from its ports in one Neutron call for a whole page."""
        found = self.groups.bindings(ctx, {s["id"]: self.networked_ports(s) for s in servers})
        return {s["id"]: found.get(s["id"], []) for s in servers}

    def server_groups(self, server: dict[str, Any]) -> list[str]:
        return [g["id"] for g in self.lifecycle.store.server_groups.values() if server["id"] in g["members"]]

    def versioned_fields(self, req: Request, server: dict[str, Any], view: dict[str, Any], parts: Parts) -> None:
        if mv(req, 2, 9):
            view["locked"] = server["locked"]
        if mv(req, 2, 19):
            view["description"] = server["description"]
        if mv(req, 2, 26):
            view["tags"] = list(server["tags"])
        if mv(req, 2, 63):
            view["trusted_image_certificates"] = server["trusted_image_certificates"]
        if parts.server_groups and mv(req, 2, 71):
            view["server_groups"] = self.server_groups(server)
        if mv(req, 2, 73):
            view["locked_reason"] = server.get("locked_reason")
        if parts.full and mv(req, 2, 96):
            view["pinned_availability_zone"] = server["pinned_availability_zone"]
        if mv(req, 2, 100):
            view["scheduler_hints"] = dict(server["scheduler_hints"])

    def interface_view(self, req: Request, port: dict[str, Any]) -> dict[str, Any]:
        view: dict[str, Any] = {
            "net_id": port["network_id"], "port_id": port["id"], "mac_addr": port.get("mac_address"),
            "port_state": port.get("status"),
            "fixed_ips": [{"subnet_id": f.get("subnet_id"), "ip_address": f["ip_address"]}
                          for f in port.get("fixed_ips") or []]}
        if mv(req, 2, 70):
            view["tag"] = None
        return view
