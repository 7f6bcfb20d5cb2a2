"""`POST /servers/{id}/action`: power (`os-stop`, `os-start`, `reboot`), `lock`/`unlock`, `rebuild`, and
`addSecurityGroup`/`removeSecurityGroup` (which change the server's ports in Neutron: `secgroups.py`).

Each is checked as Nova's compute API checks it (the body's schema, the server, its lock, its state) and
noted as an instance action with the events of the work it starts."""

from __future__ import annotations

import secrets
import string
from typing import Any

from ..core import Context, Request, Response, Router
from ..image import Image
from ..runtime import Runtime
from . import schemas
from .instance_actions import InstanceActions
from .lifecycle import Lifecycle, access_ip
from .metadata import check_quota
from .store import Record
from .views import ServerViews, changed
from .wire import bad, caller, decode_user_data, error, mv, request_headers, validated

#: action -> (vm states it is allowed from, the vm state it leaves, the name Nova's conflict message uses)
POWER = {"os-stop": ({"active", "error"}, "stopped", "stop"), "os-start": ({"stopped"}, "active", "start")}
REBUILD_STATES = {"active", "stopped", "error"}


class ActionsController:
    def __init__(self, lifecycle: Lifecycle, views: ServerViews, actions: InstanceActions, image: Image,
                 runtime: Runtime) -> None:
        self.lifecycle = lifecycle
        self.views = views
        self.actions = actions
        self.image = image
        self.runtime = runtime

    def register(self, r: Router) -> None:
        r.add("POST", "/v2.1/servers/{server_id}/action", self.server_action)

    def server_action(self, req: Request, server_id: str) -> Response:
        body = req.json()
        if not isinstance(body, dict) or len(body) != 1:  # Nova's action_peek, before anything else
            raise bad("Malformed request body")
        action = next(iter(body))
        if action not in schemas.ACTIONS:
            raise bad(f"There is no such action: {action}")
        argument = validated(req, schemas.ACTIONS[action], body)[action]  # Nova's schema runs first
        ctx = caller(req)
        server = self.lifecycle.find(ctx, server_id)
        if action in POWER:
            return self.power(ctx, server, action)
        handler = {"reboot": self.reboot, "lock": self.lock, "unlock": self.unlock, "rebuild": self.rebuild,
                   "addSecurityGroup": self.security_group, "removeSecurityGroup": self.security_group}[action]
        return handler(req, server, action, argument)

    # --- power --------------------------------------------------------------------------------
    def power(self, ctx: Context, server: Record, action: str) -> Response:
        allowed, then, verb = POWER[action]
        self.lifecycle.check(ctx, server, verb, allowed, host=True)
        now = self.runtime.now()
        server.update({"vm_state": then, "updated_at": now})
        return accepted(self.actions.record(ctx, server, verb, [(f"compute_{verb}_instance", now)]))

    def reboot(self, req: Request, server: Record, action: str, argument: Any) -> Response:
        ctx = caller(req)
        hard = argument["type"].upper() == "HARD"
        self.lifecycle.check(ctx, server, "reboot", {"active", "stopped", "error"} if hard else {"active"})
        server["vm_state"] = "active"
        until = self.lifecycle.start_task(server, "reboot_started_hard" if hard else "reboot_started", "active")
        return accepted(self.actions.record(ctx, server, "reboot", [("compute_reboot_instance", until)]))

    # --- lock ---------------------------------------------------------------------------------
    def lock(self, req: Request, server: Record, action: str, argument: Any) -> Response:
        """Nova's `compute_api.lock`: its owner locking a locked server changes nothing (not even the
        reason); otherwise it is locked by its `owner` or by an `admin` of another project."""
        ctx = caller(req)
        owner = server["project_id"] == ctx.project_id
        if server["locked"] and owner:
            return Response(202)
        reason = argument.get("locked_reason") if mv(req, 2, 73) and isinstance(argument, dict) else None
        server.update({"locked": True, "locked_by": "owner" if owner else "admin", "updated_at": self.runtime.now()})
        if reason:
            server["locked_reason"] = reason
        return accepted(self.actions.record(ctx, server, "lock", [("api_lock", self.runtime.now())]))

    def unlock(self, req: Request, server: Record, action: str, argument: Any) -> Response:
        """A lock taken by an admin of another project can be lifted by admins only (`unlock_override`)."""
        ctx = caller(req)
        expected = "owner" if server["project_id"] == ctx.project_id else "admin"
        if server.get("locked_by") and server.get("locked_by") != expected and not ctx.is_admin:
            raise error(403, "Policy doesn't allow os_compute_api:os-lock-server:unlock:unlock_override to be "
                             "performed.")
        server.update({"locked": False, "locked_by": None, "locked_reason": None, "updated_at": self.runtime.now()})
        return accepted(self.actions.record(ctx, server, "unlock", [("api_unlock", self.runtime.now())]))

    # --- rebuild ------------------------------------------------------------------------------
    def rebuild(self, req: Request, server: Record, action: str, argument: Any) -> Response:
        """The server's disk anew from an image, keeping its id, ports and addresses; REBUILD for the
        build delay, then as it was (SHUTOFF stays SHUTOFF; ERROR becomes ACTIVE)."""
        ctx = caller(req)
        self.lifecycle.check(ctx, server, "rebuild", REBUILD_STATES)
        image_id = str(argument["imageRef"])
        image = self.image.get_image(image_id)
        if image is None:
            raise bad("Cannot find image for rebuild")
        if image.get("status") != "active":
            raise bad(f"Image {image_id} is not active.")
        if not server["image_id"] and not mv(req, 2, 93):
            raise bad(f"Image {image_id} is unacceptable: Unable to rebuild with a different image for a "
                      "volume-backed server.")
        changes = self.rebuilt_fields(ctx, req, argument)
        server.update(changes)
        if server["image_id"]:
            server["image_id"] = image["id"]
        server["fault"] = None
        until = self.lifecycle.start_task(server, "rebuilding", "stopped" if server["vm_state"] == "stopped"
                                          else "active")
        rid = self.actions.record(ctx, server, "rebuild", [("compute_rebuild_instance", until)])
        view = self.views.server_view(req, server, changed(req, rebuild=True))
        view["adminPass"] = argument.get("adminPass") or "".join(
            secrets.choice(string.ascii_letters + string.digits) for _ in range(12))
        if mv(req, 2, 57):
            view["user_data"] = server["user_data_b64"]
        return Response(202, {"server": view}, request_headers(rid))

    def rebuilt_fields(self, ctx: Context, req: Request, argument: dict[str, Any]) -> dict[str, Any]:
        """What the rebuild request changes besides the image, checked before anything changes."""
        changes: dict[str, Any] = {}
        if "metadata" in argument:
            check_quota(argument["metadata"])
            changes["metadata"] = dict(argument["metadata"])
        if "name" in argument:
            changes["name"] = argument["name"].strip()
        for key, field in (("description", "description"), ("OS-DCF:diskConfig", "disk_config"),
                           ("trusted_image_certificates", "trusted_image_certificates"), ("hostname", "hostname")):
            if key in argument:
                changes[field] = argument[key]
        for key, version in (("accessIPv4", 4), ("accessIPv6", 6)):
            if key in argument:
                changes[f"access_ipv{version}"] = access_ip(argument[key], version)
        if "key_name" in argument:  # 2.54: null takes the key pair away
            name = argument["key_name"]
            if name is not None and (ctx.user_id, name) not in self.lifecycle.store.keypairs:
                raise bad("Invalid key_name provided.")
            changes["key_name"] = name
        if "user_data" in argument:  # 2.57: null takes the user data away
            encoded = argument["user_data"]
            raw = None if encoded is None else decode_user_data(encoded)
            if encoded is not None and raw is None:
                raise bad("User data needs to be valid base 64.")
            changes.update({"user_data_b64": encoded,
                            "user_data": None if raw is None else raw.decode("utf-8", errors="replace")})
        return changes

    # --- security groups ----------------------------------------------------------------------
    def security_group(self, req: Request, server: Record, action: str, argument: Any) -> Response:
        name = argument["name"]
        if not name.strip():
            raise bad("Security group name cannot be empty")
        ports = self.views.networked_ports(server)
        if action == "addSecurityGroup":
            self.views.groups.add(caller(req), server, ports, name)
        else:
            self.views.groups.remove(caller(req), server, ports, name)
        return Response(202)


def accepted(rid: str) -> Response:
    return Response(202, headers=request_headers(rid))
