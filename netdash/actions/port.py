"""Take a port down or bring it back up (its `admin_state_up`), as `openstack port set --disable|--enable`.

A port that is administratively down carries no traffic, whatever it is attached to: the quickest way to
cut one server (or one interface of it) off without stopping the server. Neutron answers at once; the
action waits until the port reports the state it was given (DOWN; or ACTIVE again, once bound).
"""

from __future__ import annotations

from netdash.cloud.api import CloudWrites
from netdash.cloud.model import Port, Resource, Topology
from netdash.cloud.naming import port_text

from . import resolve
from .base import Action, Args, Param, Pick, Plan, Progress, Refused, SingleChange

STATES = {"up": True, "down": False}


def selected_port(kind: str, obj: Resource | None) -> str | None:
    return obj.id if isinstance(obj, Port) else None


def flipped(topology: Topology, args: Args) -> Pick | str | None:
    """In the dashboard the key toggles: the state the selected port is not in."""
    port = topology.ports.get(str(args.get("port")))
    return None if port is None else "down" if port.admin_state_up else "up"


class PortAdminState(SingleChange):
    id = "port_admin_state"
    name = "set port admin state"
    key = "s"
    label = "Port up/down"
    tooltip = "Take the port down (no traffic, whatever it is attached to) or bring it back up"
    kinds = ("port",)
    command = ("port", "admin-state")
    help = "take a port down or bring it back up (admin_state_up)"
    params = (Param("port", "PORT", "port name or id", selected=selected_port),
              Param("state", "STATE", "up or down", ask=flipped))

    def __init__(self, port: str, state: str) -> None:
        super().__init__()
        self.port_ref, self.state_ref = port, state.strip().lower()
        self.port_id = ""
        self.up = True

    def describe(self) -> str:
        return f"set port {self.port_ref} {self.state_ref}"

    def touched(self) -> tuple[tuple[str, str], ...]:
        return (("port", self.port_id),)

    def _plan(self, topology: Topology, cloud: CloudWrites) -> Plan:
        port = resolve.port(topology, self.port_ref)
        self.check("port", port, topology)
        if self.state_ref not in STATES:
            raise Refused(f"unknown state {self.state_ref!r}: up or down")
        self.port_id, self.up = port.id, STATES[self.state_ref]
        label = port_text(topology, port)
        if port.admin_state_up == self.up:
            raise Refused(f"{label} is already {self.state_ref}")
        return Plan(title=f"set {label} admin state {self.state_ref}",
                    steps=(f"update {label} admin_state_up -> {str(self.up).lower()}",
                           f"wait until Neutron reports it {'ACTIVE' if self.up else 'DOWN'}"),
                    notes=() if self.up else ("it carries no traffic until it is brought back up",))

    def change(self, cloud: CloudWrites, progress: Progress) -> None:
        cloud.update_port(self.port_id, admin_state_up=self.up)

    def settled(self, cloud: CloudWrites) -> bool:
        port = cloud.get_port(self.port_id)
        # an unbound port (no device) stays DOWN when up: only a bound one goes ACTIVE
        return port.admin_state_up == self.up and (port.status == "DOWN" if not self.up
                                                   else port.status == "ACTIVE" or not port.device_id)

    def verify(self, cloud: CloudWrites) -> str | None:
        port = cloud.get_port(self.port_id)
        return None if port.admin_state_up == self.up else f"the port's admin_state_up is {port.admin_state_up}"

    def unchanged(self, cloud: CloudWrites) -> bool:
        return cloud.get_port(self.port_id).admin_state_up != self.up

    def revert(self, cloud: CloudWrites) -> None:
        cloud.update_port(self.port_id, admin_state_up=not self.up)

    def inverse(self) -> Action:
        return PortAdminState(self.port_id, "down" if self.up else "up")

    def state(self, cloud: CloudWrites) -> str:
        port = cloud.get_port(self.port_id)
        return f"the port's admin_state_up is {port.admin_state_up}, status {port.status}"
