"""A server's life: the lazily advancing state machine (BUILD, REBOOT, REBUILD end when their moment has
passed, no timers needed), the status it shows, the checks Nova's compute API makes before it changes a
server (its state, its lock), and finding the servers a caller may see."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection
from typing import Any

from ..core import Context, new_id
from ..runtime import Runtime
from .store import Record, Store
from .wire import conflict, not_found, param

#: task state -> the status it shows, whatever the vm state (Nova's `common._STATE_MAP`)
TASK_STATUS = {"reboot_started": "REBOOT", "reboot_started_hard": "HARD_REBOOT", "rebuilding": "REBUILD"}
VM_STATUS = {"building": "BUILD", "active": "ACTIVE", "stopped": "SHUTOFF", "error": "ERROR"}
#: statuses whose view carries `progress` (Nova's `ViewBuilder._progress_statuses`)
PROGRESS_STATUSES = frozenset({"ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING"})
#: the vm states Nova's metadata changes and interface changes are allowed in (`check_instance_state`)
RUNNING_STATES = frozenset({"active", "stopped"})


def status_of(server: Record) -> str:
    return TASK_STATUS.get(server["task_state"] or "", VM_STATUS[server["vm_state"]])


def access_ip(value: Any, version: int) -> str:
    """`accessIPv4`/`accessIPv6` as Nova stores them (an IP address column: normalised, `::1` for
    `0:0:0:0:0:0:0:1`); the schema has checked the format."""
    if not value:
        return ""
    address = ipaddress.ip_address(str(value))
    if version == 6 and isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return f"::ffff:{address.ipv4_mapped}"  # netaddr's spelling, which Nova prints
    return str(address)


class Lifecycle:
    def __init__(self, store: Store, runtime: Runtime) -> None:
        self.store = store
        self.runtime = runtime

    def settle(self, server: Record) -> Record:
        """Finish a timed transition (BUILD, REBOOT, REBUILD) once its moment has passed: a read that changes
        the record, so it changes it in a `writing()` block (the data plane reads in a read-only section)."""
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

    def start_task(self, server: Record, task: str, then: str) -> float:
        """Begin a timed task (Nova's compute host doing the work); it ends `build_delay` from now in `then`.
        The moment it ends, for the instance action's event."""
        now = self.runtime.now()
        until = now + self.runtime.settings.build_delay
        server.update({"task_state": task, "task_then": then, "task_until": until, "updated_at": now})
        return until

    def find(self, ctx: Context, server_id: str) -> Record:
        """A server the caller may see; another project's answers exactly like an unknown id."""
        wanted = param(server_id)
        server = self.store.servers.get(wanted)
        if server is None or not ctx.can_see(server["project_id"]):
            raise not_found(f"Instance {wanted} could not be found.")
        return self.settle(server)

    # --- Nova's compute API checks, in its order: the lock, then the state ------------------------
    @staticmethod
    def check_unlocked(ctx: Context, server: Record) -> None:
        """`check_instance_lock`: a locked server refuses changes, except to an admin."""
        if server["locked"] and not ctx.is_admin:
            raise conflict(f"Instance {server['id']} is locked")

    def check(self, ctx: Context, server: Record, action: str, states: Collection[str],
              *, locked: bool = True, host: bool = False) -> None:
        """The lock (when the operation honours it), the host (`check_instance_host`: stop and start; the
        embedded server has one once its BUILD, its scheduling, is over), then Nova's
        `check_instance_state(vm_state=states)`: the vm state, no task running, a server that has run once;
        the conflict names the first that fails, as `raise_http_conflict_for_instance_invalid_state` words it
        for `action`."""
        if locked:
            self.check_unlocked(ctx, server)
        if host and server["launched_at"] is None:
            raise conflict(f"Instance {server['id']} is not ready")
        for attr, state, bad in (("vm_state", server["vm_state"], server["vm_state"] not in states),
                                 ("task_state", server["task_state"], server["task_state"] is not None),
                                 ("launched_at", None, server["launched_at"] is None)):
            if bad:
                raise conflict(f"Cannot '{action}' instance {server['id']} while it is in {attr} {state}")

    def new_server(self, ctx: Context, name: str, index: int, fields: dict[str, Any]) -> Record:
        """A server record in BUILD (not stored yet: the caller adds it with its image, flavor...)."""
        now = self.runtime.now()
        self.store.instance_counter += 1
        server = {"id": new_id(), "name": name, "project_id": ctx.project_id, "user_id": ctx.user_id,
                  "created_at": now, "updated_at": now, "launched_at": None, "vm_state": "building",
                  "task_state": "scheduling", "task_until": now + self.runtime.settings.build_delay,
                  "task_then": "active", "launch_index": index, "number": self.store.instance_counter,
                  "locked": False, "locked_by": None, "locked_reason": None, "nova_ports": set(), "fault": None,
                  **fields}
        server["hostname"] = fields["hostname"] or hostname_for(name)
        return server

    def add(self, server: Record) -> None:
        self.store.servers[server["id"]] = server
        self.store.servers_by_project.setdefault(server["project_id"], {})[server["id"]] = None

    def remove(self, server: Record) -> None:
        del self.store.servers[server["id"]]
        self.store.servers_by_project.get(server["project_id"], {}).pop(server["id"], None)
        for group in self.store.server_groups.values():
            if server["id"] in group["members"]:
                group["members"].remove(server["id"])


def hostname_for(name: str) -> str:
    """Nova's sanitisation of a display name into a host name."""
    text = re.sub(r"[^\w.-]+", "-", name.lower().replace("_", "-")).strip("-.")
    return text[:63] or "server"
