"""Undo the last completed action of this user on this cloud (`ctrl+z` in the dashboard, `netdash undo`).

The record of what was done is the action journal's history (`journal.completed`): the journaled state
of each action that ended as planned, the same state `netdash recover` works from. The undo is an action
like any other: its plan is the inverse's (`Action.inverse`, one of the catalog's actions: a floating IP
moved back, ports swapped back, the algorithm, member or server state put back) planned against the cloud
as it is now, after two checks: the action has an inverse that is safe (a reboot has none, nor has an
allocation, whose inverse gives an address away for good), and the cloud is still as the action left it
(`verify` on the action resumed from its journal); if something changed since, an undo would overwrite
that change, and it says so instead. It is then shown, confirmed, run, verified and probed (API and
traffic) as any action, and journaled as the inverse it runs: the next undo undoes the undo.
"""

from __future__ import annotations

from netdash.cloud.api import CloudInfo, CloudWrites
from netdash.cloud.model import Topology

from . import journal
from .base import REFUSED, Action, Control, Plan, Progress, Refused, Result, reading
from .running import cloud_record


class Undo(Action):
    """Plans, runs and journals the inverse of the last completed action on the cloud `info` names."""

    name = "undo the last action"

    def __init__(self, info: CloudInfo) -> None:
        super().__init__()
        self.cloud = cloud_record(info)
        self.last: journal.Completed | None = None
        self.undoing: Action | None = None

    def describe(self) -> str:
        return "undo the last action" if self.last is None else f"undo: {self.last.title}"

    def _plan(self, topology: Topology, cloud: CloudWrites) -> Plan:
        from .catalog import BY_ID  # the catalog imports this module

        history = journal.completed(self.cloud)
        if not history:
            raise Refused("nothing to undo: no action of yours on this cloud has completed since the journal began")
        self.last = last = history[0]
        action = BY_ID.get(last.action)
        if action is None:
            raise Refused(f"this netdash knows no action {last.action!r} (journal {last.path})")
        done = action.resume(last.state)
        try:
            inverse = done.inverse()
        except Refused as exc:
            raise Refused(f"{last.title} ({last.when()}) cannot be undone: {exc.message}") from None
        changed = reading(lambda: done.verify(cloud))
        if changed is not None:
            raise Refused(f"the cloud changed since {last.title} ({last.when()}): {changed}; an undo would "
                          "overwrite that change")
        plan = inverse.plan(topology, cloud)
        if plan.refusal is not None:
            raise Refused(f"undo {last.title}: {plan.refusal}")
        self.undoing = inverse
        return Plan(title=f"undo: {plan.title}", steps=plan.steps,
                    notes=(*plan.notes, f"it undoes: {last.title} ({last.when()})"))

    def journaled_as(self) -> Action:
        return self.undoing or self

    def touched(self) -> tuple[tuple[str, str], ...]:
        return self.undoing.touched() if self.undoing is not None else ()

    def execute(self, cloud: CloudWrites, plan: Plan, progress: Progress, control: Control | None = None) -> Result:
        if plan.refusal is not None or self.undoing is None:
            return Result(REFUSED, plan.refusal or "not planned")
        return self.undoing.execute(cloud, plan, progress, control)
