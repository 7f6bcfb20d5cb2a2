"""Clean-up: release a floating IP, delete a port, delete a security group: what `:unused` lists, gone.

Each is one DELETE and a wait until the cloud no longer has the object, by the rule `cloud.unused` states
once: the key is greyed, and the plan refused, with the same words (a floating IP still associated, a port
with a device or an owner, a security group a port or another group's rule uses, the default group).
Neutron itself deletes a port whatever is attached to it and releases an associated floating IP, so the
rule is checked a last time on the object as the cloud has it right before the request is sent: a port
that got a server between the plan and the confirmation is refused, not deleted. (A group a port took
meanwhile Neutron refuses itself, 409.)

Nothing brings a deleted object back: there is no roll-back, and the plan says so. A failed request is
"nothing changed" when the object is still there, read back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from netdash.cloud import unused
from netdash.cloud.api import CloudWrites
from netdash.cloud.errors import ApiError
from netdash.cloud.model import FloatingIP, Port, Resource, SecurityGroup, Topology
from netdash.cloud.naming import display_name, name_of, port_text

from . import resolve
from .base import DONE, ROLLED_BACK, Param, Plan, Progress, Refused, Result, SingleChange, reading
from .fip import FIP_PARAM
from .port import selected_port


def gone(read: Callable[[], object]) -> bool:
    """Whether the cloud answers 404 for the object (any other error is raised: it says nothing)."""
    try:
        read()
    except ApiError as exc:
        if exc.status == 404:
            return True
        raise
    return False


class Deletion(SingleChange):
    """One object deleted in one request; verified by the cloud no longer having it."""

    key = "D"
    warning = "This deletes it for good"
    #: what the object is called in a sentence ("floating IP 127.24.4.9")
    noun: ClassVar[str] = ""
    #: the snapshot the plan was made on: what the last check names the object's holders by (an action
    #: resumed from its journal has none, and names them by id)
    snapshot: Topology = Topology()

    def __init__(self) -> None:
        super().__init__()
        self.target_id = ""
        self.what = ""

    def read(self, cloud: CloudWrites) -> Resource:
        """The object as the cloud has it now (ApiError 404 once it is gone)."""
        raise NotImplementedError

    def delete(self, cloud: CloudWrites) -> None:
        raise NotImplementedError

    def in_use(self, cloud: CloudWrites) -> str | None:
        """The rule, a last time, on the object as the cloud has it right before the request."""
        return None

    def change(self, cloud: CloudWrites, progress: Progress) -> None:
        if (why := self.in_use(cloud)) is not None:
            raise Refused(f"{why} (since the plan): nothing deleted")
        self.delete(cloud)

    def gone(self, cloud: CloudWrites) -> bool:
        return gone(lambda: self.read(cloud))

    def settled(self, cloud: CloudWrites) -> bool:
        return self.gone(cloud)

    def verify(self, cloud: CloudWrites) -> str | None:
        return None if self.gone(cloud) else f"{self.what} is still there"

    def unchanged(self, cloud: CloudWrites) -> bool:
        return not self.gone(cloud)

    def state(self, cloud: CloudWrites) -> str:
        return f"{self.what} is {'gone' if self.gone(cloud) else 'still there'}"

    def revert(self, cloud: CloudWrites) -> None:
        raise Refused(f"{self.what} was deleted: nothing brings it back")

    def recover(self, cloud: CloudWrites, complete: bool, progress: Progress) -> Result:
        """A deletion is known once it is read back: done if the object is gone (whichever was asked:
        it cannot be undone), untouched if not (completing then deletes it, after the last check)."""
        if reading(lambda: self.gone(cloud)):
            return Result(DONE, f"done: {self.what} is deleted (a deletion cannot be rolled back)",
                          (self.where(cloud),))
        if not complete:
            return Result(ROLLED_BACK, "nothing to undo: the deletion had not taken effect", (self.where(cloud),))
        return self.execute(cloud, Plan(title=self.describe(), steps=(f"delete {self.what} (again)",)), progress)

    def steps(self, request: str) -> tuple[str, ...]:
        return (f"{request} (one request)", f"wait until Neutron no longer has {self.what}")


class ReleaseFloatingIP(Deletion):
    id = "release_fip"
    name = "release floating IP"
    label = "Release FIP"
    tooltip = "Give the unassociated floating IP back to its network's pool (it stops costing; not undoable)"
    kinds = ("floating_ip",)
    command = ("fip", "release")
    help = "release (delete) a floating IP that is not associated"
    params = (FIP_PARAM,)
    noun = "floating IP"

    def __init__(self, fip: str) -> None:
        super().__init__()
        self.fip_ref = fip

    @classmethod
    def refusal(cls, obj: Resource | None, topology: Topology) -> str | None:
        assert isinstance(obj, FloatingIP)
        return unused.fip_in_use(topology, obj)

    def describe(self) -> str:
        return f"release floating IP {self.fip_ref}"

    def touched(self) -> tuple[tuple[str, str], ...]:
        return (("floating_ip", self.target_id),)

    def _plan(self, topology: Topology, cloud: CloudWrites) -> Plan:
        fip = resolve.floating_ip(topology, self.fip_ref)
        self.check("floating_ip", fip, topology)
        self.target_id, self.what = fip.id, f"floating IP {fip.floating_ip_address}"
        self.snapshot = topology
        if (why := self.in_use(cloud)) is not None:
            raise Refused(why)
        network = name_of(topology, fip.floating_network_id)
        return Plan(title=f"release floating IP {fip.floating_ip_address}",
                    steps=self.steps(f"delete floating IP {fip.floating_ip_address}"),
                    notes=(f"the address goes back to {network}'s pool: another project may get it; "
                           "this cannot be undone",))

    def read(self, cloud: CloudWrites) -> FloatingIP:
        return cloud.get_floating_ip(self.target_id)

    def in_use(self, cloud: CloudWrites) -> str | None:
        return unused.fip_in_use(self.snapshot, self.read(cloud))

    def delete(self, cloud: CloudWrites) -> None:
        cloud.delete_floating_ip(self.target_id)


class DeletePort(Deletion):
    id = "port_delete"
    name = "delete port"
    label = "Delete port"
    tooltip = "Delete the port, which has no device (its addresses go back to the subnet; not undoable)"
    kinds = ("port",)
    command = ("port", "delete")
    help = "delete a port that has no device (not attached to a server, router or load balancer)"
    params = (Param("port", "PORT", "port name or id", selected=selected_port),)
    noun = "port"

    def __init__(self, port: str) -> None:
        super().__init__()
        self.port_ref = port

    @classmethod
    def refusal(cls, obj: Resource | None, topology: Topology) -> str | None:
        assert isinstance(obj, Port)
        return unused.port_in_use(topology, obj)

    def describe(self) -> str:
        return f"delete port {self.port_ref}"

    def touched(self) -> tuple[tuple[str, str], ...]:
        return (("port", self.target_id),)

    def _plan(self, topology: Topology, cloud: CloudWrites) -> Plan:
        port = resolve.port(topology, self.port_ref)
        self.check("port", port, topology)
        self.target_id, self.what = port.id, f"port {display_name(port)}"
        self.snapshot = topology
        if (why := self.in_use(cloud)) is not None:
            raise Refused(why)
        notes = [f"floating IP {f.floating_ip_address} on it is disassociated (it stays allocated)"
                 for f in topology.floating_ips_of_port(port.id)]
        notes.append("its addresses go back to their subnets: this cannot be undone")
        return Plan(title=f"delete {port_text(topology, port)}", steps=self.steps(f"delete {self.what}"),
                    notes=tuple(notes))

    def read(self, cloud: CloudWrites) -> Port:
        return cloud.get_port(self.target_id)

    def in_use(self, cloud: CloudWrites) -> str | None:
        return unused.port_in_use(self.snapshot, self.read(cloud))

    def delete(self, cloud: CloudWrites) -> None:
        cloud.delete_port(self.target_id)


def selected_group(kind: str, obj: Resource | None) -> str | None:
    return obj.id if isinstance(obj, SecurityGroup) else None


class DeleteSecurityGroup(Deletion):
    id = "security_group_delete"
    name = "delete security group"
    label = "Delete group"
    tooltip = "Delete the security group, which no port and no other group's rule uses (not undoable)"
    kinds = ("security_group",)
    command = ("security-group", "delete")
    help = "delete a security group that no port and no other group's rule uses"
    params = (Param("group", "GROUP", "security group name or id", selected=selected_group),)
    noun = "security group"

    def __init__(self, group: str) -> None:
        super().__init__()
        self.group_ref = group

    @classmethod
    def refusal(cls, obj: Resource | None, topology: Topology) -> str | None:
        assert isinstance(obj, SecurityGroup)
        return unused.group_in_use(topology, obj)

    def describe(self) -> str:
        return f"delete security group {self.group_ref}"

    def touched(self) -> tuple[tuple[str, str], ...]:
        return (("security_group", self.target_id),)

    def _plan(self, topology: Topology, cloud: CloudWrites) -> Plan:
        group = resolve.security_group(topology, self.group_ref)
        self.check("security_group", group, topology)
        fresh = cloud.get_security_group(group.id)
        self.target_id, self.what = group.id, f"security group {display_name(fresh)}"
        rules = len(fresh.rules)
        return Plan(title=f"delete {self.what} ({rules} rule{'s' if rules != 1 else ''})",
                    steps=self.steps(f"delete {self.what}"),
                    notes=(f"its {rules} rule{'s go' if rules != 1 else ' goes'} with it: this cannot be undone",
                           "Neutron refuses (409) if a port took the group since this plan"))

    def read(self, cloud: CloudWrites) -> SecurityGroup:
        return cloud.get_security_group(self.target_id)

    def delete(self, cloud: CloudWrites) -> None:
        cloud.delete_security_group(self.target_id)
