"""How a server record is shown: fields by microversion and role, addresses read live from Neutron."""

from __future__ import annotations

import hashlib
from typing import Any

from ..core import Request, iso
from ..network import Network
from . import wire
from .lifecycle import Lifecycle, status_of
from .plumbing import HOST, Plumbing
from .wire import caller, mv, root

POWER_STATES = {"building": 0, "active": 1, "stopped": 4, "error": 0}


class ServerViews:
    def __init__(self, network: Network, plumbing: Plumbing, lifecycle: Lifecycle) -> None:
        self.network = network
        self.plumbing = plumbing
        self.lifecycle = lifecycle

    # --- pieces of the view ---------------------------------------------------------------------
    def networked_ports(self, server: dict[str, Any]) -> list[dict[str, Any]]:
        """The interfaces Nova's views know of: none while the server is BUILD. Real Nova makes a server's
        ports after scheduling, and the embedded server's BUILD is its `scheduling` task: until it ends a
        real server has no addresses and no security groups to show."""
        return [] if server["vm_state"] == "building" else self.plumbing.server_ports(server)

    def addresses(self, server: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        """Network name -> fixed IPs, each followed by the floating IPs that point at it."""
        neutron = self.network
        out: dict[str, list[dict[str, Any]]] = {}
        for port in self.networked_ports(server):
            network = neutron.get_network(port["network_id"])
            entries = out.setdefault(network["name"] if network else port["network_id"], [])
            fips = neutron.floating_ips_of_port(port["id"])
            mac = port.get("mac_address")
            for fixed in port.get("fixed_ips") or []:
                address = fixed["ip_address"]
                entries.append(self.address(address, "fixed", mac))
                entries.extend(self.address(f["floating_ip_address"], "floating", mac)
                               for f in fips if f.get("fixed_ip_address") == address)
        return out

    @staticmethod
    def address(addr: str, kind: str, mac: str | None) -> dict[str, Any]:
        return {"version": 6 if ":" in addr else 4, "addr": addr, "OS-EXT-IPS:type": kind,
                "OS-EXT-IPS-MAC:mac_addr": mac}

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
        """Nova's opaque per-project host id: equal for two servers of a project on the same host."""
        if server["vm_state"] == "building" or server["launched_at"] is None:
            return ""
        return hashlib.sha224((server["project_id"] + HOST).encode()).hexdigest()

    def summary_view(self, req: Request, server: dict[str, Any]) -> dict[str, Any]:
        return {"id": server["id"], "links": wire.links(req, "servers", server["id"]), "name": server["name"]}

    # --- the full view --------------------------------------------------------------------------
    def server_view(self, req: Request, server: dict[str, Any], *, show: bool = False) -> dict[str, Any]:
        """`GET /servers/{id}` (show=True) and `/servers/detail` entries, shaped as Nova does."""
        self.lifecycle.settle(server)
        ctx = caller(req)
        placed = server["launched_at"] is not None
        building = server["vm_state"] == "building"
        view: dict[str, Any] = {
            "accessIPv4": server["access_ipv4"], "accessIPv6": server["access_ipv6"],
            "addresses": self.addresses(server), "created": iso(server["created_at"]),
            "flavor": self.flavor_ref_view(req, server), "hostId": self.host_id(server), "id": server["id"],
            "image": self.image_ref_view(req, server), "links": wire.links(req, "servers", server["id"]),
            "metadata": dict(server["metadata"]), "name": server["name"], "status": status_of(server),
            "tenant_id": server["project_id"], "user_id": server["user_id"],
            "updated": iso(server["updated_at"]), "OS-DCF:diskConfig": server["disk_config"], "progress": 0,
            "OS-EXT-AZ:availability_zone": "" if building else server["availability_zone"],
            "config_drive": "True" if server["config_drive"] else "", "key_name": server["key_name"],
            # Nova stores whole seconds and prints them with microseconds
            "OS-SRV-USG:launched_at": iso(int(server["launched_at"]), z=False, micro=True) if placed
            else None,
            "OS-SRV-USG:terminated_at": None,
        }
        if ctx.is_admin:
            view.update({
                "OS-EXT-SRV-ATTR:host": HOST if placed else None,
                "OS-EXT-SRV-ATTR:instance_name": f"instance-{server['number']:08x}" if placed else "",
                "OS-EXT-SRV-ATTR:hypervisor_hostname": HOST if placed else None})
        if mv(req, 2, 3) and ctx.is_admin:
            view.update({
                "OS-EXT-SRV-ATTR:hostname": server["hostname"], "OS-EXT-SRV-ATTR:kernel_id": "",
                "OS-EXT-SRV-ATTR:launch_index": server["launch_index"], "OS-EXT-SRV-ATTR:ramdisk_id": "",
                "OS-EXT-SRV-ATTR:reservation_id": server["reservation_id"],
                "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda" if placed else None,
                "OS-EXT-SRV-ATTR:user_data": server["user_data_b64"]})
        elif mv(req, 2, 90):
            view["OS-EXT-SRV-ATTR:hostname"] = server["hostname"]
        view.update({"OS-EXT-STS:task_state": server["task_state"], "OS-EXT-STS:vm_state": server["vm_state"],
                     "OS-EXT-STS:power_state": POWER_STATES[server["vm_state"]],
                     "os-extended-volumes:volumes_attached": [
                         {"id": v["id"], "delete_on_termination": v["delete_on_termination"]}
                         if mv(req, 2, 3) else {"id": v["id"]} for v in server["volumes"]]})
        self.versioned_fields(req, server, view, show)
        if ctx.is_admin and mv(req, 2, 16):
            view["host_status"] = "UP" if placed else ""
        if server["vm_state"] == "error" and server["fault"]:
            view["fault"] = dict(server["fault"])
        if self.networked_ports(server):
            view["security_groups"] = [{"name": name} for name in server["security_groups"]]
        return view

    def versioned_fields(self, req: Request, server: dict[str, Any], view: dict[str, Any],
                         show: bool) -> None:
        if mv(req, 2, 9):
            view["locked"] = server["locked"]
        if mv(req, 2, 19):
            view["description"] = server["description"]
        if mv(req, 2, 26):
            view["tags"] = list(server["tags"])
        if mv(req, 2, 63):
            view["trusted_image_certificates"] = server["trusted_image_certificates"]
        if show and mv(req, 2, 71):
            view["server_groups"] = []
        if mv(req, 2, 73):
            view["locked_reason"] = None
        if mv(req, 2, 96):
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
