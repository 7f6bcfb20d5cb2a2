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
from netdash.cloud.naming import name_of, resource_name

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
    """One object deleted in one request; verified by the cloud no longer having it. A subclass names the
    object's kind and how to find, read and delete it; the rule is its `refusal`, on the snapshot for the
    key, then on the object read afresh for the plan and again right before the request."""

    key = "D"
    warning = "This deletes it for good"
    #: what the object is called in a sentence ("floating IP", "port")
    noun: ClassVar[str] = ""
    #: the snapshot the plan was made on: what the last check names the object's holders by (an action
    #: resumed from its journal has none, and names them by id)
    snapshot: Topology = Topology()

    def __init__(self, ref: str) -> None:
        super().__init__()
        self.ref = ref
        self.target_id = ""
        self.what = ""

    def describe(self) -> str:
        return f"{self.name} {self.ref}"

    def touched(self) -> tuple[tuple[str, str], ...]:
        return ((self.kinds[0], self.target_id),)

    # --- what a subclass says ---------------------------------------------------------------------
    def find(self, topology: Topology) -> Resource:
        """The object the user named, in the snapshot (Refused: no such object)."""
        raise NotImplementedError

    def read(self, cloud: CloudWrites) -> Resource:
        """The object as the cloud has it now (ApiError 404 once it is gone)."""
        raise NotImplementedError

    def delete(self, cloud: CloudWrites) -> None:
        raise NotImplementedError

    def notes(self, topology: Topology, obj: Resource) -> tuple[str, ...]:
        return ("this cannot be undone",)

    # --- the frame ----------------------------------------------------------------------------------
    def _plan(self, topology: Topology, cloud: CloudWrites) -> Plan:
        obj = self.find(topology)
        self.check(self.kinds[0], obj, topology)
        self.target_id, self.snapshot = obj.id, topology
        fresh = self.read(cloud)
        if (why := self.refusal(fresh, topology)) is not None:  # the same rule, on the cloud's object now
            raise Refused(why)
        self.what = f"{self.noun} {resource_name(topology, fresh)}"
        verb = self.name.split()[0]
        return Plan(title=f"{verb} {self.what}",
                    steps=(f"{verb} {self.what} (one request)", f"wait until Neutron no longer has {self.what}"),
                    notes=self.notes(topology, fresh))

    def change(self, cloud: CloudWrites, progress: Progress) -> None:
        if (why := self.refusal(self.read(cloud), self.snapshot)) is not None:
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
        super().__init__(fip)

    @classmethod
    def refusal(cls, obj: Resource | None, topology: Topology) -> str | None:
        assert isinstance(obj, FloatingIP)
        return unused.fip_in_use(topology, obj)

    def find(self, topology: Topology) -> Resource:
        return resolve.floating_ip(topology, self.ref)

    def read(self, cloud: CloudWrites) -> FloatingIP:
        return cloud.get_floating_ip(self.target_id)

    def delete(self, cloud: CloudWrites) -> None:
        cloud.delete_floating_ip(self.target_id)

    def notes(self, topology: Topology, obj: Resource) -> tuple[str, ...]:
        assert isinstance(obj, FloatingIP)
        return (f"the address goes back to {name_of(topology, obj.floating_network_id)}'s pool: another project "
                "may get it; this cannot be undone",)


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
        super().__init__(port)

    @classmethod
    def refusal(cls, obj: Resource | None, topology: Topology) -> str | None:
        assert isinstance(obj, Port)
        return unused.port_in_use(topology, obj)

    def find(self, topology: Topology) -> Resource:
        return resolve.port(topology, self.ref)

    def read(self, cloud: CloudWrites) -> Port:
        return cloud.get_port(self.target_id)

    def delete(self, cloud: CloudWrites) -> None:
        cloud.delete_port(self.target_id)

    def notes(self, topology: Topology, obj: Resource) -> tuple[str, ...]:
        assert isinstance(obj, Port)
        fips = tuple(f"floating IP {f.floating_ip_address} on it is disassociated (it stays allocated)"
                     for f in topology.floating_ips_of_port(obj.id))
        return (*fips, f"its addresses ({', '.join(obj.addresses) or 'none'}) go back to their subnets: "
                "this cannot be undone")


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
        super().__init__(group)

    @classmethod
    def refusal(cls, obj: Resource | None, topology: Topology) -> str | None:
        assert isinstance(obj, SecurityGroup)
        return unused.group_in_use(topology, obj)

    def find(self, topology: Topology) -> Resource:
        return resolve.security_group(topology, self.ref)

    def read(self, cloud: CloudWrites) -> SecurityGroup:
        return cloud.get_security_group(self.target_id)

    def delete(self, cloud: CloudWrites) -> None:
        cloud.delete_security_group(self.target_id)

    def notes(self, topology: Topology, obj: Resource) -> tuple[str, ...]:
        assert isinstance(obj, SecurityGroup)
        rules = len(obj.rules)
        return (f"its {rules} rule{'s go' if rules != 1 else ' goes'} with it: this cannot be undone",
                "Neutron refuses (409) if a port took the group since this plan")
