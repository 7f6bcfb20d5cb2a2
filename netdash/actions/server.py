"""Stop, start or reboot a server (document 000's "disable one of the web servers").

Nova answers 202 and works on: the action waits for the state it asked for (SHUTOFF, or ACTIVE with no
task left), as `openstack server stop --wait` would.
"""

from __future__ import annotations

from typing import ClassVar

from netdash.cloud.api import CloudWrites
from netdash.cloud.model import Resource, Server, Topology

from . import resolve
from .base import Action, Param, Plan, Progress, Refused, SingleChange

#: the state a verb needs, and the state it leaves
NEEDS = {"stop": ("ACTIVE",), "start": ("SHUTOFF",), "reboot": ("ACTIVE",)}
LEAVES = {"stop": "SHUTOFF", "start": "ACTIVE", "reboot": "ACTIVE"}


def selected_server(kind: str, obj: Resource | None) -> str | None:
    return obj.id if isinstance(obj, Server) else None


class ServerPower(SingleChange):
    """One of Nova's power verbs; a subclass per verb, each its own key and subcommand."""

    name = "server power"
    kinds = ("server",)
    verb: ClassVar[str] = ""
    params = (Param("server", "SERVER", "server name or id", selected=selected_server),)

    @classmethod
    def refusal(cls, obj: Resource | None, topology: Topology) -> str | None:
        assert isinstance(obj, Server)
        if obj.status in NEEDS[cls.verb] and not obj.task_state:
            return None
        busy = f" ({obj.task_state})" if obj.task_state else ""
        return f"server {obj.name or obj.id} is {obj.status}{busy}: {cls.verb} needs {' or '.join(NEEDS[cls.verb])}"

    def __init__(self, server: str) -> None:
        super().__init__()
        self.server_ref = server
        self.server_id = ""
        self.before: str | None = None

    def describe(self) -> str:
        return f"{self.verb} server {self.server_ref}"

    def touched(self) -> tuple[tuple[str, str], ...]:
        return (("server", self.server_id),)

    def _plan(self, topology: Topology, cloud: CloudWrites) -> Plan:
        server = resolve.server(topology, self.server_ref)
        self.server_id, self.before = server.id, server.status
        label = f"server {server.name or server.id}"
        self.check("server", server, topology)
        return Plan(title=f"{self.verb} {label}",
                    steps=(f"{self.verb} {label}", f"wait until it is {LEAVES[self.verb]} with no task running"))

    def change(self, cloud: CloudWrites, progress: Progress) -> None:
        cloud.server_action(self.server_id, self.verb)

    def settled(self, cloud: CloudWrites) -> bool:
        server = cloud.get_server(self.server_id)
        return server.status == LEAVES[self.verb] and not server.task_state

    def verify(self, cloud: CloudWrites) -> str | None:
        server = cloud.get_server(self.server_id)
        return None if server.status == LEAVES[self.verb] else f"the server is {server.status}"

    def revert(self, cloud: CloudWrites) -> None:
        inverse = {"stop": "start", "start": "stop"}.get(self.verb)
        if inverse is None:
            super().revert(cloud)
        else:
            cloud.server_action(self.server_id, inverse)

    def inverse(self) -> Action:
        if self.verb == "reboot":
            raise Refused("a reboot cannot be undone: the server has restarted, and what it lost with it is gone")
        return (StartServer if self.verb == "stop" else StopServer)(self.server_id)

    def unchanged(self, cloud: CloudWrites) -> bool:
        server = cloud.get_server(self.server_id)
        return server.status == self.before and not server.task_state

    def state(self, cloud: CloudWrites) -> str:
        server = cloud.get_server(self.server_id)
        return f"the server is {server.status}" + (f" ({server.task_state})" if server.task_state else "")


class StopServer(ServerPower):
    id = "server_stop"
    name = "stop server"
    verb = "stop"
    key = "o"
    label = "Stop"
    tooltip = "Stop the server and wait until it is SHUTOFF"
    command = ("server", "stop")
    help = "stop a server and wait until it is done"


class StartServer(ServerPower):
    id = "server_start"
    name = "start server"
    verb = "start"
    key = "t"
    label = "Start"
    tooltip = "Start the server and wait until it is ACTIVE"
    destructive = False
    command = ("server", "start")
    help = "start a server and wait until it is done"


class RebootServer(ServerPower):
    id = "server_reboot"
    name = "reboot server"
    verb = "reboot"
    key = "b"
    label = "Reboot"
    tooltip = "Reboot the server and wait until it is ACTIVE again"
    command = ("server", "reboot")
    help = "reboot a server and wait until it is done"
