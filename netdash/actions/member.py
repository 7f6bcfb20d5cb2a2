"""Enable, disable or drain a pool member, and bring a drained one back.

`disable` sets admin_state_up false (Octavia stops sending it traffic); `drain` sets its weight to 0 (no
new connections, existing ones finish) and remembers the weight it had in a member tag, `netdash:weight=N`,
so `enable` can restore it later, from this process or another. The status tree the topology is built from
carries neither weight nor admin state, so the plan reads the member itself.
"""

from __future__ import annotations

from typing import Any

from netdash.cloud.model import Member, Topology

from . import resolve
from .base import Plan, Progress, Refused, SingleChange
from .pool import settled_lb

WEIGHT_TAG = "netdash:weight="
VERBS = ("enable", "disable", "drain")


def saved_weight(tags: tuple[str, ...]) -> int | None:
    for tag in tags:
        if tag.startswith(WEIGHT_TAG) and tag[len(WEIGHT_TAG):].isdigit():
            return int(tag[len(WEIGHT_TAG):])
    return None


class MemberChange(SingleChange):
    """Needs the client at plan time (`reader`) for the member's weight and admin state."""

    name = "change member"

    def __init__(self, verb: str, pool: str, member: str, reader: Any) -> None:
        super().__init__()
        if verb not in VERBS:
            raise ValueError(f"unknown member action {verb!r}")
        self.verb, self.pool_ref, self.member_ref, self.reader = verb, pool, member, reader
        self.pool_id = self.member_id = ""
        self.lb_id: str | None = None
        self.want: dict[str, Any] = {}
        self.before: Member | None = None

    def describe(self) -> str:
        return f"{self.verb} member {self.member_ref} of pool {self.pool_ref}"

    def _plan(self, topology: Topology) -> Plan:
        pool = resolve.pool(topology, self.pool_ref)
        listed = resolve.member(topology, pool, self.member_ref)
        member, tags = self.reader.get_member(pool.id, listed.id)
        self.pool_id, self.member_id, self.lb_id, self.before = pool.id, member.id, pool.loadbalancer_id, member
        label = f"member {member.name or member.label} of pool {pool.name or pool.id}"
        kept = tuple(t for t in tags if not t.startswith(WEIGHT_TAG))
        if self.verb == "disable":
            if not member.admin_state_up:
                raise Refused(f"{label} is already disabled")
            self.want = {"admin_state_up": False}
            steps = [f"set {label} admin_state_up false"]
        elif self.verb == "drain":
            if member.weight == 0:
                raise Refused(f"{label} is already drained (weight 0)")
            self.want = {"weight": 0, "tags": (*kept, f"{WEIGHT_TAG}{member.weight}")}
            steps = [f"set {label} weight {member.weight} -> 0 (remembered in tag {WEIGHT_TAG}{member.weight})"]
        else:
            previous = saved_weight(tags)
            if member.admin_state_up and (member.weight != 0 or previous is None):
                raise Refused(f"{label} is already enabled (weight {member.weight})")
            self.want = {"admin_state_up": True}
            steps = [f"set {label} admin_state_up true"] if not member.admin_state_up else []
            if member.weight == 0 and previous is not None:
                self.want.update(weight=previous, tags=kept)
                steps.append(f"restore {label} weight 0 -> {previous}")
            steps = ["; ".join(steps)]
        return Plan(title=f"{self.verb} {label}", steps=(*steps, "wait until the load balancer is ACTIVE"))

    def change(self, client: Any, progress: Progress) -> None:
        client.update_member(self.pool_id, self.member_id, notify=progress, **self.want)

    def settled(self, client: Any) -> bool:
        return settled_lb(client, self.lb_id)

    def verify(self, client: Any) -> str | None:
        member, tags = client.get_member(self.pool_id, self.member_id)
        wrong = [f"{key} is {getattr(member, key)}, not {value}" for key, value in self.want.items()
                 if key != "tags" and getattr(member, key) != value]
        if "tags" in self.want and set(tags) != set(self.want["tags"]):
            wrong.append(f"tags are {list(tags)}")
        return "; ".join(wrong) or None

    def unchanged(self, client: Any) -> bool:
        member, _ = client.get_member(self.pool_id, self.member_id)
        return self.before is not None and (member.weight, member.admin_state_up) == (
            self.before.weight, self.before.admin_state_up)

    def state(self, client: Any) -> str:
        member, _ = client.get_member(self.pool_id, self.member_id)
        return f"the member has weight {member.weight}, admin_state_up {member.admin_state_up}"
