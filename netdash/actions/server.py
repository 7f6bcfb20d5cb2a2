"""Stop, start or reboot a server (document 000's "disable one of the web servers").

Nova answers 202 and works on: the action waits for the state it asked for (SHUTOFF, or ACTIVE with no
task left), as `openstack server stop --wait` would.
"""

from __future__ import annotations

from typing import Any

from netdash.cloud.model import Topology

from . import resolve
from .base import Plan, Progress, Refused, SingleChange

VERBS = ("stop", "start", "reboot")
#: the state a verb needs, and the state it leaves
NEEDS = {"stop": ("ACTIVE",), "start": ("SHUTOFF",), "reboot": ("ACTIVE",)}
LEAVES = {"stop": "SHUTOFF", "start": "ACTIVE", "reboot": "ACTIVE"}


class ServerPower(SingleChange):
    name = "server power"

    def __init__(self, verb: str, server: str) -> None:
        super().__init__()
        if verb not in VERBS:
            raise ValueError(f"unknown server action {verb!r}")
        self.verb, self.server_ref = verb, server
        self.server_id = ""
        self.before: str | None = None

    def describe(self) -> str:
        return f"{self.verb} server {self.server_ref}"

    def _plan(self, topology: Topology) -> Plan:
        server = resolve.server(topology, self.server_ref)
        self.server_id, self.before = server.id, server.status
        label = f"server {server.name or server.id}"
        if server.status not in NEEDS[self.verb] or server.task_state:
            busy = f" ({server.task_state})" if server.task_state else ""
            raise Refused(f"{label} is {server.status}{busy}: {self.verb} needs {' or '.join(NEEDS[self.verb])}")
        return Plan(title=f"{self.verb} {label}",
                    steps=(f"{self.verb} {label}", f"wait until it is {LEAVES[self.verb]} with no task running"))

    def change(self, client: Any, progress: Progress) -> None:
        client.server_action(self.server_id, self.verb)

    def settled(self, client: Any) -> bool:
        server = client.get_server(self.server_id)
        return server.status == LEAVES[self.verb] and not server.task_state

    def verify(self, client: Any) -> str | None:
        server = client.get_server(self.server_id)
        return None if server.status == LEAVES[self.verb] else f"the server is {server.status}"

    def unchanged(self, client: Any) -> bool:
        server = client.get_server(self.server_id)
        return server.status == self.before and not server.task_state

    def state(self, client: Any) -> str:
        server = client.get_server(self.server_id)
        return f"the server is {server.status}" + (f" ({server.task_state})" if server.task_state else "")
