"""Enable, disable or drain a pool member, and bring a drained one back.

`disable` sets admin_state_up false (Octavia stops sending it traffic); `drain` sets its weight to 0 (no
new connections, existing ones finish) and remembers the weight it had in a member tag, `netdash:weight=N`,
so `enable` can restore it later, from this process or another. The status tree the topology is built from
carries neither weight nor admin state: the topology has them from the pool's member list, which is what
offers a key (`refusal`), and the plan reads the member itself once more, since it may have changed since.
"""

from __future__ import annotations

from typing import Any, ClassVar

from netdash.cloud.api import CloudWrites
from netdash.cloud.model import Member, Resource, Topology
from netdash.cloud.naming import member_name

from . import resolve
from .base import Action, Param, Plan, Progress, Refused, SingleChange
from .pool import settled_lb

WEIGHT_TAG = "netdash:weight="


def saved_weight(tags: tuple[str, ...]) -> int | None:
    for tag in tags:
        if tag.startswith(WEIGHT_TAG) and tag[len(WEIGHT_TAG):].isdigit():
            return int(tag[len(WEIGHT_TAG):])
    return None


def selected_pool_of(kind: str, obj: Resource | None) -> str | None:
    return obj.pool_id if isinstance(obj, Member) else None


def selected_member(kind: str, obj: Resource | None) -> str | None:
    return obj.id if isinstance(obj, Member) else None


class MemberChange(SingleChange):
    """Reads the member at plan time for its weight and admin state (the status tree has neither); a
    subclass per verb, each its own key and subcommand."""

    name = "change member"
    kinds = ("member",)
    verb: ClassVar[str] = ""
    params = (Param("pool", "POOL", "pool name or id", selected=selected_pool_of),
              Param("member", "MEMBER", "member id, name, address or address:port", selected=selected_member))

    def __init__(self, pool: str, member: str) -> None:
        super().__init__()
        self.pool_ref, self.member_ref = pool, member
        self.pool_id = self.member_id = ""
        self.lb_id: str | None = None
        self.want: dict[str, Any] = {}
        #: weight, admin state and tags before the change (what `unchanged` and `revert` compare with)
        self.before: dict[str, Any] = {}

    @classmethod
    def refusal(cls, obj: Resource | None, topology: Topology) -> str | None:
        """A verb that would change nothing is not offered (weight None: not read yet, so offered; a
        weight of 0 may be a drain `enable` can undo, which only the member's tags say)."""
        assert isinstance(obj, Member)
        return cls.nothing_to_do(obj, f"member {obj.name or member_name(topology, obj)}", restorable=True)

    @classmethod
    def nothing_to_do(cls, member: Member, label: str, *, restorable: bool) -> str | None:
        """Why this verb would change nothing on `member`; `restorable`: a weight a drain saved is known."""
        if cls.verb == "disable" and not member.admin_state_up:
            return f"{label} is already disabled"
        if cls.verb == "drain" and member.weight == 0:
            return f"{label} is already drained (weight 0)"
        if cls.verb == "enable" and member.admin_state_up and (member.weight != 0 or not restorable):
            return f"{label} is already enabled" + (f" (weight {member.weight})" if member.weight is not None else "")
        return None

    def describe(self) -> str:
        return f"{self.verb} member {self.member_ref} of pool {self.pool_ref}"

    def touched(self) -> tuple[tuple[str, str], ...]:
        return (("member", self.member_id),)

    def _plan(self, topology: Topology, cloud: CloudWrites) -> Plan:
        pool = resolve.pool(topology, self.pool_ref)
        listed = resolve.member(topology, pool, self.member_ref)
        self.check("member", listed, topology)
        member, tags = cloud.get_member(pool.id, listed.id)
        self.pool_id, self.member_id, self.lb_id = pool.id, member.id, pool.loadbalancer_id
        self.before = {"weight": member.weight, "admin_state_up": member.admin_state_up, "tags": list(tags)}
        label = f"member {member.name or member_name(topology, member)}"
        kept = tuple(t for t in tags if not t.startswith(WEIGHT_TAG))
        previous = saved_weight(tags)
        if (why := self.nothing_to_do(member, label, restorable=previous is not None)) is not None:
            raise Refused(why)  # as the key's rule, on the member as the cloud has it now
        if self.verb == "disable":
            self.want = {"admin_state_up": False}
            steps = [f"set {label} admin_state_up false"]
        elif self.verb == "drain":
            self.want = {"weight": 0, "tags": (*kept, f"{WEIGHT_TAG}{member.weight}")}
            steps = [f"set {label} weight {member.weight} -> 0 (remembered in tag {WEIGHT_TAG}{member.weight})"]
        else:
            self.want = {"admin_state_up": True}
            steps = [f"set {label} admin_state_up true"] if not member.admin_state_up else []
            if member.weight == 0 and previous is not None:
                self.want.update(weight=previous, tags=kept)
                steps.append(f"restore {label} weight 0 -> {previous}")
            steps = ["; ".join(steps)]
        return Plan(title=f"{self.verb} {label}", steps=(*steps, "wait until the load balancer is ACTIVE"))

    def change(self, cloud: CloudWrites, progress: Progress) -> None:
        cloud.update_member(self.pool_id, self.member_id, notify=progress, **self.want)

    def settled(self, cloud: CloudWrites) -> bool:
        return settled_lb(cloud, self.lb_id)

    def verify(self, cloud: CloudWrites) -> str | None:
        member, tags = cloud.get_member(self.pool_id, self.member_id)
        wrong = [f"{key} is {getattr(member, key)}, not {value}" for key, value in self.want.items()
                 if key != "tags" and getattr(member, key) != value]
        if "tags" in self.want and set(tags) != set(self.want["tags"]):
            wrong.append(f"tags are {list(tags)}")
        return "; ".join(wrong) or None

    def unchanged(self, cloud: CloudWrites) -> bool:
        member, _ = cloud.get_member(self.pool_id, self.member_id)
        return bool(self.before) and (member.weight, member.admin_state_up) == (
            self.before["weight"], self.before["admin_state_up"])

    def inverse(self) -> Action:
        """The verb that puts back exactly what this one changed; where none does (a drained member that was
        then disabled: `enable` would restore its weight too), Refused with the way out."""
        was_up, was_drained = self.before.get("admin_state_up"), self.before.get("weight") == 0
        if self.verb == "disable":
            if was_drained:
                raise Refused("the member was drained before it was disabled: `enable` would undo both")
            return EnableMember(self.pool_id, self.member_id)
        if self.verb == "drain":
            if not was_up:
                raise Refused("the member was disabled before it was drained: `enable` would undo both")
            return EnableMember(self.pool_id, self.member_id)
        if "weight" in self.want and not was_up:
            raise Refused("the member was enabled and its weight restored: undo would be a disable and a "
                          "drain, one at a time")
        return (DrainMember if "weight" in self.want else DisableMember)(self.pool_id, self.member_id)

    def revert(self, cloud: CloudWrites) -> None:
        cloud.update_member(self.pool_id, self.member_id, weight=self.before["weight"],
                            admin_state_up=self.before["admin_state_up"], tags=tuple(self.before["tags"]))

    def state(self, cloud: CloudWrites) -> str:
        member, _ = cloud.get_member(self.pool_id, self.member_id)
        return f"the member has weight {member.weight}, admin_state_up {member.admin_state_up}"


class EnableMember(MemberChange):
    id = "member_enable"
    name = "enable member"
    verb = "enable"
    key = "e"
    label = "Enable"
    tooltip = "Enable the member (and restore its weight after a drain)"
    destructive = False
    command = ("member", "enable")
    help = "enable a member (and restore the weight it had before a drain)"


class DisableMember(MemberChange):
    id = "member_disable"
    name = "disable member"
    verb = "disable"
    key = "x"
    label = "Disable"
    tooltip = "Disable the member (admin state down)"
    command = ("member", "disable")
    help = "disable a member (admin state down)"


class DrainMember(MemberChange):
    id = "member_drain"
    name = "drain member"
    verb = "drain"
    key = "i"
    label = "Drain"
    tooltip = "Drain the member: weight 0, existing connections finish"
    command = ("member", "drain")
    help = "drain a member (weight 0; `enable` restores the weight)"
