"""A server's life: the lazily advancing state machine (BUILD, REBOOT end when their moment has passed,
no timers needed), the status it shows, and finding the servers a caller may see."""

from __future__ import annotations

import re
from typing import Any

from ..core import Context, new_id
from ..runtime import Runtime
from .store import Record, Store
from .wire import not_found, param

TASK_STATUS = {"reboot_started": "REBOOT", "reboot_started_hard": "HARD_REBOOT"}
VM_STATUS = {"building": "BUILD", "active": "ACTIVE", "stopped": "SHUTOFF", "error": "ERROR"}


def status_of(server: Record) -> str:
    return TASK_STATUS.get(server["task_state"] or "", VM_STATUS[server["vm_state"]])


class Lifecycle:
    def __init__(self, store: Store, runtime: Runtime) -> None:
        self.store = store
        self.runtime = runtime

    def settle(self, server: Record) -> Record:
        """Finish a timed transition (BUILD, REBOOT) once its moment has passed: a read that changes the
        record, so it changes it in a `writing()` block (the data plane reads in a read-only section)."""
        until = server["task_until"]
        if until is None or self.runtime.now() < until:
            return server
        with self.runtime.lock.writing():
            server = self.store.servers.get(server["id"]) or server  # the record, not a read-only view of it
            if server["vm_state"] == "building":
                server["launched_at"] = until
            server["vm_state"] = server["task_then"]
            server["task_state"] = server["task_until"] = server["task_then"] = None
            server["updated_at"] = until
        return server

    def find(self, ctx: Context, server_id: str) -> Record:
        """A server the caller may see; another project's answers exactly like an unknown id."""
        wanted = param(server_id)
        server = self.store.servers.get(wanted)
        if server is None or not ctx.can_see(server["project_id"]):
            raise not_found(f"Instance {wanted} could not be found.")
        return self.settle(server)

    def new_server(self, ctx: Context, name: str, index: int, fields: dict[str, Any]) -> Record:
        """A server record in BUILD (not stored yet: the caller adds it with its image, flavor...)."""
        now = self.runtime.now()
        self.store.instance_counter += 1
        server = {"id": new_id(), "name": name, "project_id": ctx.project_id, "user_id": ctx.user_id,
                  "created_at": now, "updated_at": now, "launched_at": None, "vm_state": "building",
                  "task_state": "scheduling", "task_until": now + self.runtime.settings.build_delay,
                  "task_then": "active", "launch_index": index, "number": self.store.instance_counter,
                  "locked": False, "nova_ports": set(), "fault": None, **fields}
        server["hostname"] = fields["hostname"] or hostname_for(name)
        return server

    def add(self, server: Record) -> None:
        self.store.servers[server["id"]] = server
        self.store.servers_by_project.setdefault(server["project_id"], {})[server["id"]] = None

    def remove(self, server: Record) -> None:
        del self.store.servers[server["id"]]
        self.store.servers_by_project.get(server["project_id"], {}).pop(server["id"], None)


def hostname_for(name: str) -> str:
    """Nova's sanitisation of a display name into a host name."""
    text = re.sub(r"[^\w.-]+", "-", name.lower().replace("_", "-")).strip("-.")
    return text[:63] or "server"
