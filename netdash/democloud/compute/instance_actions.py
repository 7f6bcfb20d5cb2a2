"""Instance actions (`os-instance-actions`): what was done to a server, by whom and in which request, with the
events of the work it started, named as Nova's `wrap_instance_event` names them (`compute_stop_instance`,
`api_lock`...). An event of timed work (a build, a reboot, a rebuild) finishes when the work does, read
lazily as the server's state is. The actions outlive the server, as Nova's do (shown from 2.21)."""

from __future__ import annotations

from typing import Any

from ..core import Context, Request, Response, Router, iso, request_id
from ..runtime import Runtime
from .plumbing import HOST
from .store import Record, Store
from .views import host_id_of
from .wire import bad, caller, mv, next_links, not_found, page_limit, param, parse_time

#: (event name, the moment its work ends) of an action
Events = list[tuple[str, float]]


def stamp(moment: float) -> str:
    """Nova's action timestamps: whole seconds, printed with microseconds and no zone."""
    return iso(int(moment), z=False, micro=True)


class InstanceActions:
    def __init__(self, store: Store, runtime: Runtime) -> None:
        self.store = store
        self.runtime = runtime

    def register(self, r: Router) -> None:
        r.add("GET", "/v2.1/servers/{server_id}/os-instance-actions", self.index)
        r.add("GET", "/v2.1/servers/{server_id}/os-instance-actions/{request}", self.show)

    def record(self, ctx: Context, server: Record, action: str, events: Events, *, failed: bool = False,
               rid: str | None = None) -> str:
        """Note an action on the server. Its request id is the answer's: the caller returns it as a header
        (one request that creates several servers gives each the same, as on Nova)."""
        now = self.runtime.now()
        rid = rid or request_id()
        history = self.store.actions.setdefault(server["id"], {
            "id": server["id"], "project_id": server["project_id"], "deleted": False, "actions": []})
        history["actions"].append({
            "action": action, "request_id": rid, "user_id": ctx.user_id, "project_id": ctx.project_id,
            "start_time": now, "message": "Error" if failed else None,
            "events": [{"event": name, "start_time": now, "finish_time": until,
                        "result": "Error" if failed else "Success"} for name, until in events]})
        if action == "delete":
            history["deleted"] = True
        return rid

    # --- the API ---------------------------------------------------------------------------------
    def history(self, req: Request, server_id: str) -> Record:
        """The server's actions; a deleted server's only from 2.21 (`read_deleted`), as on Nova."""
        ctx = caller(req)
        wanted = param(server_id)
        found = self.store.actions.get(wanted)
        live = self.store.servers.get(wanted)
        if live is not None and ctx.can_see(live["project_id"]):
            return found or {"id": wanted, "project_id": live["project_id"], "deleted": False, "actions": []}
        if found is None or not ctx.can_see(found["project_id"]) or not (found["deleted"] and mv(req, 2, 21)):
            raise not_found(f"Instance {wanted} could not be found.")
        return found

    def index(self, req: Request, server_id: str) -> Response:
        history = self.history(req, server_id)
        actions = sorted(history["actions"], key=lambda a: a["start_time"], reverse=True)  # newest first
        if not mv(req, 2, 58):
            return Response(200, {"instanceActions": [self.action_view(req, history, a) for a in actions]})
        since, before = self.moment(req, "changes-since"), self.moment(req, "changes-before")
        if since is not None and before is not None and before < since:
            raise bad("The value of changes-since must be less than or equal to changes-before.")
        actions = [a for a in actions if (since is None or self.updated(a) >= since)
                   and (before is None or self.updated(a) <= before)]
        marker = req.arg("marker")
        if marker is not None:
            position = next((i for i, a in enumerate(actions) if a["request_id"] == marker), None)
            if position is None:
                raise bad(f"Marker {marker} could not be found.")
            actions = actions[position + 1:]
        limit = page_limit(req)
        page = actions[:limit]
        body: dict[str, Any] = {"instanceActions": [self.action_view(req, history, a) for a in page]}
        links = next_links(req, page, f"servers/{history['id']}/os-instance-actions", "request_id", limit)
        if links:
            body["links"] = links
        return Response(200, body)

    def show(self, req: Request, server_id: str, request: str) -> Response:
        history = self.history(req, server_id)
        wanted = param(request)
        action = next((a for a in history["actions"] if a["request_id"] == wanted), None)
        if action is None:
            raise not_found(f"Action {wanted} not found")
        view = self.action_view(req, history, action)
        ctx = caller(req)
        if ctx.is_admin or mv(req, 2, 51):  # events: admins always, owners from 2.51 (without traceback)
            view["events"] = [self.event_view(req, history, e) for e in action["events"]]
        return Response(200, {"instanceAction": view})

    # --- views -----------------------------------------------------------------------------------
    def updated(self, action: Record) -> float:
        """When the action last changed: its start, or its last event's finish once that has passed."""
        now = self.runtime.now()
        finished = (e["finish_time"] for e in action["events"] if e["finish_time"] <= now)
        return float(max([action["start_time"], *finished]))

    def action_view(self, req: Request, history: Record, action: Record) -> dict[str, Any]:
        view = {"action": action["action"], "instance_uuid": history["id"], "request_id": action["request_id"],
                "user_id": action["user_id"], "project_id": action["project_id"],
                "start_time": stamp(action["start_time"]), "message": action["message"]}
        if mv(req, 2, 58):
            view["updated_at"] = stamp(self.updated(action))
        return view

    def event_view(self, req: Request, history: Record, event: Record) -> dict[str, Any]:
        ctx = caller(req)
        done = event["finish_time"] <= self.runtime.now()
        view: dict[str, Any] = {"event": event["event"], "start_time": stamp(event["start_time"]),
                                "finish_time": stamp(event["finish_time"]) if done else None,
                                "result": event["result"] if done else None}
        if ctx.is_admin:
            view["traceback"] = None
            if mv(req, 2, 62):
                view["host"] = HOST
        if mv(req, 2, 62):
            view["hostId"] = host_id_of(history["project_id"])
        if ctx.is_admin and mv(req, 2, 84):
            view["details"] = None
        return view

    @staticmethod
    def moment(req: Request, name: str) -> float | None:
        value = req.arg(name)
        return None if value is None else parse_time(value, name)
