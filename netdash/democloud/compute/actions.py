"""Server actions (`os-stop`, `os-start`, `reboot`) and `os-interface` (`server add/remove port`)."""

from __future__ import annotations

from typing import Any, NoReturn

from ..core import Request, Response, Router
from ..runtime import Runtime
from . import schemas
from .lifecycle import Lifecycle
from .plumbing import Plumbing
from .views import ServerViews
from .wire import bad, caller, conflict, error, not_found, validated

#: action -> (vm_states it is allowed from, the name Nova's conflict message uses)
ACTION_STATES = {"os-stop": ({"active", "error"}, "stop"), "os-start": ({"stopped"}, "start")}
INTERFACE_STATES = {"active", "stopped"}


class ActionsController:
    def __init__(self, lifecycle: Lifecycle, views: ServerViews, plumbing: Plumbing, runtime: Runtime) -> None:
        self.lifecycle = lifecycle
        self.views = views
        self.plumbing = plumbing
        self.runtime = runtime

    def register(self, r: Router) -> None:
        r.add("POST", "/v2.1/servers/{server_id}/action", self.server_action)
        r.add("GET", "/v2.1/servers/{server_id}/os-interface", self.list_interfaces)
        r.add("POST", "/v2.1/servers/{server_id}/os-interface", self.attach_interface)
        r.add("GET", "/v2.1/servers/{server_id}/os-interface/{port_id}", self.get_interface)
        r.add("DELETE", "/v2.1/servers/{server_id}/os-interface/{port_id}", self.detach_interface)

    def invalid_state(self, server: dict[str, Any], action: str) -> NoReturn:
        state = server["task_state"]
        attr = "task_state" if state else "vm_state"
        raise conflict(f"Cannot '{action}' instance {server['id']} while it is in {attr} "
                       f"{state or server['vm_state']}")

    # --- actions --------------------------------------------------------------------------------
    def server_action(self, req: Request, server_id: str) -> Response:
        body = req.json()
        if not isinstance(body, dict) or len(body) != 1:  # Nova's action_peek, before anything else
            raise bad("Malformed request body")
        action = next(iter(body))
        if action not in schemas.ACTIONS:
            raise bad(f"There is no such action: {action}")
        server = self.lifecycle.find(caller(req), server_id)
        argument = validated(req, schemas.ACTIONS[action], body)[action]
        now = self.runtime.now()
        if action in ACTION_STATES:
            allowed, verb = ACTION_STATES[action]
            if server["vm_state"] not in allowed or server["task_state"]:
                self.invalid_state(server, verb)
            server["vm_state"] = "stopped" if action == "os-stop" else "active"
        elif action == "reboot":
            hard = argument["type"].upper() == "HARD"
            allowed = {"active", "stopped", "error"} if hard else {"active"}
            if server["vm_state"] not in allowed or server["task_state"]:
                self.invalid_state(server, "reboot")
            server.update({"vm_state": "active", "task_then": "active",
                           "task_state": "reboot_started_hard" if hard else "reboot_started",
                           "task_until": now + self.runtime.settings.build_delay})
        server["updated_at"] = now
        return Response(202)

    # --- os-interface ---------------------------------------------------------------------------
    def list_interfaces(self, req: Request, server_id: str) -> Response:
        server = self.lifecycle.find(caller(req), server_id)
        return Response(200, {"interfaceAttachments": [
            self.views.interface_view(req, p) for p in self.plumbing.server_ports(server)]})

    def get_interface(self, req: Request, server_id: str, port_id: str) -> Response:
        port = self.plumbing.attached_port(self.lifecycle.find(caller(req), server_id), port_id)
        return Response(200, {"interfaceAttachment": self.views.interface_view(req, port)})

    def attach_interface(self, req: Request, server_id: str) -> Response:
        server = self.lifecycle.find(caller(req), server_id)
        ctx = caller(req)
        spec = validated(req, schemas.ATTACH_INTERFACE).get("interfaceAttachment") or {}
        port_id, net_id, fixed_ips = spec.get("port_id"), spec.get("net_id"), spec.get("fixed_ips")
        if port_id and net_id:
            raise bad("Must not input both network_id and port_id")
        if fixed_ips is not None and not net_id:
            raise bad("Must input network_id when request IP address")
        if server["vm_state"] not in INTERFACE_STATES or server["task_state"]:
            self.invalid_state(server, "attach_interface")
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
        server["updated_at"] = self.runtime.now()
        port = self.plumbing.attached_port(server, new_id)
        return Response(200, {"interfaceAttachment": self.views.interface_view(req, port)})

    def detach_interface(self, req: Request, server_id: str, port_id: str) -> Response:
        server = self.lifecycle.find(caller(req), server_id)
        if server["vm_state"] not in INTERFACE_STATES or server["task_state"]:
            self.invalid_state(server, "detach_interface")
        port = self.plumbing.attached_port(server, port_id)
        self.plumbing.detach_port(server, port["id"])
        server["updated_at"] = self.runtime.now()
        return Response(202)

