"""Servers: list with Nova's filters and paging, show, rename, delete (releasing their Neutron ports)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from ..core import Request, Response, Router
from ..runtime import Runtime
from . import schemas, wire
from .instance_actions import InstanceActions
from .lifecycle import Lifecycle, access_ip, status_of
from .plumbing import Plumbing
from .views import DETAIL, ServerViews, changed
from .wire import bad, caller, error, mv, parse_time, request_headers, validated

#: query parameters `GET /servers` accepts; from 2.75 anything else is a 400, as on Nova
QUERY_KEYS = {
    "user_id", "project_id", "tenant_id", "launch_index", "image_ref", "image", "kernel_id", "ramdisk_id",
    "hostname", "key_name", "power_state", "vm_state", "task_state", "host", "node", "flavor",
    "reservation_id", "launched_at", "terminated_at", "availability_zone", "name", "display_name",
    "description", "display_description", "locked_by", "uuid", "root_device_name", "config_drive",
    "access_ip_v4", "access_ip_v6", "auto_disk_config", "progress", "sort_key", "sort_dir", "all_tenants",
    "soft_deleted", "deleted", "status", "changes-since", "ip", "ip6", "created_at", "block_device_mapping",
    "services", "metadata", "system_metadata", "info_cache", "security_groups", "pci_devices", "limit",
    "marker", "tags", "tags-any", "not-tags", "not-tags-any", "changes-before", "locked",
    "pinned_availability_zone",
}
TRUE = ("", "true", "1", "t", "yes", "y", "on")
FALSE = ("false", "0", "f", "no", "n", "off")


class ServersController:
    def __init__(self, lifecycle: Lifecycle, views: ServerViews, plumbing: Plumbing, actions: InstanceActions,
                 runtime: Runtime) -> None:
        self.store = lifecycle.store
        self.actions = actions
        self.lifecycle = lifecycle
        self.views = views
        self.plumbing = plumbing
        self.runtime = runtime

    def register(self, r: Router) -> None:
        r.add("GET", "/v2.1/servers", self.list_servers)
        r.add("GET", "/v2.1/servers/detail", self.list_servers_detail)
        r.add("GET", "/v2.1/servers/{server_id}", self.get_server_handler)
        r.add("PUT", "/v2.1/servers/{server_id}", self.update_server)
        r.add("DELETE", "/v2.1/servers/{server_id}", self.delete_server)

    # --- lookups --------------------------------------------------------------------------------
    def visible_servers(self, req: Request) -> Iterable[dict[str, Any]]:
        """Newest first, like Nova's default `created_at desc` sort; only the caller's project
        unless an admin asks for `all_tenants`."""
        ctx = caller(req)
        all_tenants = req.arg("all_tenants")
        if all_tenants is not None and all_tenants.lower() not in TRUE + FALSE:
            raise bad(f"Invalid value '{all_tenants}' for all_tenants")
        if all_tenants is not None and all_tenants.lower() in TRUE:
            if not ctx.is_admin:
                raise error(403, "Policy doesn't allow os_compute_api:servers:index:get_all_tenants "
                                 "to be performed.")
            project = req.arg("project_id") or req.arg("tenant_id")
            if project is not None:
                return (self.store.servers[i] for i in reversed(self.store.servers_by_project.get(project, {})))
            return (self.store.servers[i] for i in reversed(self.store.servers))
        return (self.store.servers[i] for i in reversed(self.store.servers_by_project.get(ctx.project_id, {})))

    # --- filtering ------------------------------------------------------------------------------
    def server_filters(self, req: Request) -> list[Callable[[dict[str, Any]], bool]]:
        if mv(req, 2, 75):
            unknown = sorted(set(req.query) - QUERY_KEYS)
            if unknown:
                raise bad(f"Invalid input for query parameters {unknown[0]}. Value: "
                          f"{req.arg(unknown[0])}. Additional properties are not allowed "
                          f"('{unknown[0]}' was unexpected)")
        checks: list[Callable[[dict[str, Any]], bool]] = []
        for arg in ("name", "display_name", "hostname", "description", "display_description"):
            pattern = req.arg(arg)
            if pattern is not None:
                field = {"display_name": "name", "display_description": "description"}.get(arg, arg)
                checks.append(self.regex_check(pattern, lambda s, f=field: s[f] or ""))
        status = req.arg("status")
        if status is not None:
            wanted_status = status.upper()
            checks.append(lambda s: status_of(s) == wanted_status)
        for arg, field in (("image", "image_id"), ("flavor", "flavor_id")):
            value = req.arg(arg)
            if value is not None:
                ref = value.rstrip("/").rsplit("/", 1)[-1]
                checks.append(lambda s, f=field, v=ref: (s["image_id"] if f == "image_id"
                                                         else s["flavor"]["id"]) == v)
        for arg in ("reservation_id", "key_name", "user_id", "uuid", "availability_zone", "vm_state",
                    "task_state", "locked"):
            value = req.arg(arg)
            if value is not None:
                field = {"uuid": "id"}.get(arg, arg)
                checks.append(lambda s, f=field, v=value: str(s[f]).lower() == v.lower()
                              if f == "locked" else s[f] == v)
        for arg, version in (("ip", 4), ("ip6", 6)):
            pattern = req.arg(arg)
            if pattern is not None:
                checks.append(self.ip_check(pattern, version))
        since = req.arg("changes-since")
        if since is not None:
            moment = parse_time(since, "changes-since")
            checks.append(lambda s: s["updated_at"] >= moment)
        if (req.arg("deleted") or "false").lower() not in FALSE:
            checks.append(lambda s: False)  # deleted servers are gone for good here
        return checks

    @staticmethod
    def regex_check(pattern: str, get: Callable[[dict[str, Any]], str]) -> Callable[[dict[str, Any]], bool]:
        try:
            compiled = re.compile(pattern)
        except re.error:
            return lambda s: False
        return lambda s: compiled.search(get(s)) is not None

    def ip_check(self, pattern: str, version: int) -> Callable[[dict[str, Any]], bool]:
        try:
            compiled = re.compile(pattern)
        except re.error:
            return lambda s: False

        def check(server: dict[str, Any]) -> bool:
            for port in self.plumbing.server_ports(server):
                for fixed in port.get("fixed_ips") or []:
                    address = fixed["ip_address"]
                    if (":" in address) == (version == 6) and compiled.match(address):
                        return True
            return False
        return check

    # --- handlers -------------------------------------------------------------------------------
    def server_list(self, req: Request, detail: bool) -> Response:
        checks = self.server_filters(req)
        matching = [s for s in map(self.lifecycle.settle, self.visible_servers(req)) if all(c(s) for c in checks)]
        page, links = wire.page(req, matching, "servers/detail" if detail else "servers")
        if detail:
            groups = self.views.security_groups(caller(req), page)  # one Neutron call for the page, as Nova
            views = [self.views.server_view(req, s, DETAIL, groups[s["id"]]) for s in page]
        else:
            views = [self.views.summary_view(req, s) for s in page]
        body: dict[str, Any] = {"servers": views}
        if links:
            body["servers_links"] = links
        return Response(200, body)

    def list_servers(self, req: Request) -> Response:
        return self.server_list(req, False)

    def list_servers_detail(self, req: Request) -> Response:
        return self.server_list(req, True)

    def get_server_handler(self, req: Request, server_id: str) -> Response:
        server = self.lifecycle.find(caller(req), server_id)
        return Response(200, {"server": self.views.server_view(req, server)})

    def update_server(self, req: Request, server_id: str) -> Response:
        spec = validated(req, schemas.UPDATE)["server"]
        server = self.lifecycle.find(caller(req), server_id)
        for key, field in (("name", "name"), ("hostname", "hostname"), ("description", "description"),
                           ("OS-DCF:diskConfig", "disk_config")):
            if key in spec:
                server[field] = spec[key].strip() if key == "name" else spec[key]
        for key, version in (("accessIPv4", 4), ("accessIPv6", 6)):
            if key in spec:
                server[f"access_ipv{version}"] = access_ip(spec[key], version)
        server["updated_at"] = self.runtime.now()
        return Response(200, {"server": self.views.server_view(req, server, changed(req))})

    def delete_server(self, req: Request, server_id: str) -> Response:
        ctx = caller(req)
        server = self.lifecycle.find(ctx, server_id)
        self.lifecycle.check_unlocked(ctx, server)
        rid = self.actions.record(ctx, server, "delete", [("compute_terminate_instance", self.runtime.now())])
        self.plumbing.release_ports(server)
        self.lifecycle.remove(server)
        return Response(204, headers=request_headers(rid))
