"""`os-interface` (`server add/remove port`): a server's interfaces, attached and detached through Neutron.
Nova's compute API allows both only while the server is ACTIVE or SHUTOFF with no task running, and never
while it is locked (but to an admin)."""

from __future__ import annotations

from typing import Any

from ..core import Request, Response, Router
from ..runtime import Runtime
from . import schemas
from .instance_actions import InstanceActions
from .lifecycle import RUNNING_STATES, Lifecycle
from .plumbing import Plumbing
from .views import ServerViews
from .wire import bad, caller, conflict, error, not_found, request_headers, validated


class InterfacesController:
    def __init__(self, lifecycle: Lifecycle, views: ServerViews, plumbing: Plumbing, actions: InstanceActions,
                 runtime: Runtime) -> None:
        self.lifecycle = lifecycle
        self.views = views
        self.plumbing = plumbing
        self.actions = actions
        self.runtime = runtime

    def register(self, r: Router) -> None:
        r.add("GET", "/v2.1/servers/{server_id}/os-interface", self.list_interfaces)
        r.add("POST", "/v2.1/servers/{server_id}/os-interface", self.attach_interface)
        r.add("GET", "/v2.1/servers/{server_id}/os-interface/{port_id}", self.get_interface)
        r.add("DELETE", "/v2.1/servers/{server_id}/os-interface/{port_id}", self.detach_interface)

    def list_interfaces(self, req: Request, server_id: str) -> Response:
        server = self.lifecycle.find(caller(req), server_id)
        return Response(200, {"interfaceAttachments": [
            self.views.interface_view(req, p) for p in self.plumbing.server_ports(server)]})

    def get_interface(self, req: Request, server_id: str, port_id: str) -> Response:
        port = self.plumbing.attached_port(self.lifecycle.find(caller(req), server_id), port_id)
        return Response(200, {"interfaceAttachment": self.views.interface_view(req, port)})

    def attach_interface(self, req: Request, server_id: str) -> Response:
        spec = validated(req, schemas.ATTACH_INTERFACE).get("interfaceAttachment") or {}
        ctx = caller(req)
        server = self.lifecycle.find(ctx, server_id)
        port_id, net_id, fixed_ips = spec.get("port_id"), spec.get("net_id"), spec.get("fixed_ips")
        if port_id and net_id:
            raise bad("Must not input both network_id and port_id")
        if fixed_ips is not None and not net_id:
            raise bad("Must input network_id when request IP address")
        self.lifecycle.check(ctx, server, "attach_interface", RUNNING_STATES)
        if port_id:
            resp = self.plumbing.call_neutron("GET", f"/v2.0/ports/{port_id}", context=ctx)
            if resp.status != 200:
                raise not_found(f"Port id {port_id} could not be found.")
            if resp.body["port"].get("device_id"):
                raise conflict(f"Port {port_id} is still in use.")
            request: dict[str, Any] = {"port_id": port_id}
        else:
            if net_id and self.plumbing.call_neutron("GET", f"/v2.0/networks/{net_id}", context=ctx).status != 200:
                raise not_found(f"Network {net_id} could not be found.")
            network = str(net_id) if net_id else self.plumbing.auto_network(ctx)
            ip = self.plumbing.fixed_ip(fixed_ips[0].get("ip_address"), 1) if fixed_ips else None
            request = {"network_id": network, "fixed_ip": ip}
        new_id, failure = self.plumbing.plug(ctx, server, request, [])
        if new_id is None:
            raise error(500, f"Failed to attach network adapter device to {server['id']}: {failure}")
        now = self.runtime.now()
        server["updated_at"] = now
        rid = self.actions.record(ctx, server, "attach_interface", [("compute_attach_interface", now)])
        port = self.plumbing.attached_port(server, new_id)
        return Response(200, {"interfaceAttachment": self.views.interface_view(req, port)}, request_headers(rid))

    def detach_interface(self, req: Request, server_id: str, port_id: str) -> Response:
        ctx = caller(req)
        server = self.lifecycle.find(ctx, server_id)
        self.lifecycle.check(ctx, server, "detach_interface", RUNNING_STATES)
        port = self.plumbing.attached_port(server, port_id)
        self.plumbing.detach_port(server, port["id"])
        now = self.runtime.now()
        server["updated_at"] = now
        rid = self.actions.record(ctx, server, "detach_interface", [("compute_detach_interface", now)])
        return Response(202, headers=request_headers(rid))
