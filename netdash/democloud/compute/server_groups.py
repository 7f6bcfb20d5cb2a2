"""Server groups (`/os-server-groups`) and what they decide at boot (the `group` scheduler hint).

This cloud has one compute host, as realstack has: an `affinity` group takes every member, while an
`anti-affinity` one takes a second member only up to its `max_server_per_host` rule (1 by default); past it the
scheduler finds no valid host and the server goes to ERROR, as on a one-host Nova. The `soft-` policies only
weigh hosts, so they never refuse. Groups belong to their project: another project's is unknown (404), as
Nova's project-scoped query makes it.
"""

from __future__ import annotations

from typing import Any

from ..core import Context, Request, Response, Router, new_id
from ..runtime import Runtime
from . import schemas
from .store import Record, Store
from .wire import bad, caller, error, mv, param, validated

#: Nova's default `[quota] server_groups` and `server_group_members`
MAX_GROUPS = 10
MAX_MEMBERS = 10
NO_VALID_HOST = "No valid host was found. There are not enough hosts available."


class ServerGroups:
    def __init__(self, store: Store, runtime: Runtime) -> None:
        self.store = store
        self.runtime = runtime

    def register(self, r: Router) -> None:
        r.add("GET", "/v2.1/os-server-groups", self.index)
        r.add("POST", "/v2.1/os-server-groups", self.create)
        r.add("GET", "/v2.1/os-server-groups/{group_id}", self.show)
        r.add("DELETE", "/v2.1/os-server-groups/{group_id}", self.delete)

    # --- what a boot asks of a group ------------------------------------------------------------
    def find(self, ctx: Context, group_id: str) -> Record | None:
        group = self.store.server_groups.get(group_id)
        return group if group is not None and (ctx.is_admin or group["project_id"] == ctx.project_id) else None

    def for_boot(self, ctx: Context, hints: dict[str, Any], count: int) -> Record | None:
        """The group a create's `group` hint names: 400 when unknown, 403 past the members quota."""
        wanted = hints.get("group")
        if not wanted:
            return None
        group = self.find(ctx, str(wanted[0] if isinstance(wanted, list) else wanted))
        if group is None:
            raise bad(f"Instance group {wanted} could not be found.")
        if len(group["members"]) + count > MAX_MEMBERS:
            raise error(403, "Quota exceeded, too many servers in group")
        return group

    def join(self, group: Record, server: Record) -> str | None:
        """Add the server; the scheduler's refusal (the fault's message) when the one host cannot take it."""
        placed = sum(1 for member in group["members"]
                     if (other := self.store.servers.get(member)) is not None and other["vm_state"] != "error")
        group["members"].append(server["id"])
        limit = int(group["rules"].get("max_server_per_host", 1))
        return NO_VALID_HOST if group["policy"] == "anti-affinity" and placed >= limit else None

    # --- the API ---------------------------------------------------------------------------------
    def view(self, req: Request, group: Record) -> dict[str, Any]:
        view: dict[str, Any] = {"id": group["id"], "name": group["name"]}
        if mv(req, 2, 64):
            view.update({"policy": group["policy"], "rules": dict(group["rules"])})
        else:
            view.update({"policies": [group["policy"]], "metadata": {}})
        view["members"] = [m for m in group["members"] if m in self.store.servers]
        if mv(req, 2, 13):
            view.update({"project_id": group["project_id"], "user_id": group["user_id"]})
        return view

    def group(self, req: Request, group_id: str) -> Record:
        wanted = param(group_id)
        group = self.find(caller(req), wanted)
        if group is None:
            raise error(404, f"Instance group {wanted} could not be found.")
        return group

    def index(self, req: Request) -> Response:
        """The caller's project's groups (an admin's `all_projects`: everyone's), cut by `offset`/`limit`
        (`common.limited`: a limit of 0 is no limit here)."""
        ctx = caller(req)
        every = req.arg("all_projects") is not None and ctx.is_admin
        groups = [g for g in self.store.server_groups.values() if every or g["project_id"] == ctx.project_id]
        offset, limit = self.number(req, "offset") or 0, self.number(req, "limit") or 1000
        return Response(200, {"server_groups": [self.view(req, g) for g in groups[offset:offset + min(limit, 1000)]]})

    @staticmethod
    def number(req: Request, name: str) -> int | None:
        text = req.arg(name)
        if text is None:
            return None
        if not text.isdigit():
            raise bad(f"Invalid input for query parameters {name}. Value: {text}. '{text}' does not match "
                      "'^[0-9]*$'")
        return int(text)

    def show(self, req: Request, group_id: str) -> Response:
        return Response(200, {"server_group": self.view(req, self.group(req, group_id))})

    def create(self, req: Request) -> Response:
        spec = validated(req, schemas.SERVER_GROUP)["server_group"]
        ctx = caller(req)
        if sum(1 for g in self.store.server_groups.values() if g["project_id"] == ctx.project_id) >= MAX_GROUPS:
            raise error(403, "Quota exceeded, too many server groups.")
        if mv(req, 2, 64):
            policy, rules = spec["policy"], dict(spec.get("rules", {}))
            if policy != "anti-affinity" and rules:
                raise bad("Only anti-affinity policy supports rules.")
        else:
            policy, rules = spec["policies"][0], {}
        group = {"id": new_id(), "name": spec["name"], "policy": policy, "rules": rules, "members": [],
                 "project_id": ctx.project_id, "user_id": ctx.user_id, "created_at": self.runtime.now()}
        self.store.server_groups[group["id"]] = group
        return Response(200, {"server_group": self.view(req, group)})

    def delete(self, req: Request, group_id: str) -> Response:
        del self.store.server_groups[self.group(req, group_id)["id"]]
        return Response(204)
