"""Recovering an action that a crash left half-done, as an action of its own: planned (where things are
now, read from the cloud), confirmed, executed (back to the state before, or on to the planned end), and
verified. `netdash recover` and the dashboard's palette both run it; the journal it works from is closed
when the cloud is in a known state again, and kept otherwise.
"""

from __future__ import annotations

from netdash.cloud.api import CloudWrites
from netdash.cloud.model import Topology

from .base import DONE, REFUSED, ROLLED_BACK, Action, Control, Plan, Progress, Refused, Result
from .journal import Unfinished


class Recovery(Action):
    """Finish (`complete`) or undo an interrupted action, from its journal and what the cloud holds now."""

    name = "recover an interrupted action"
    #: it works on the interrupted action's own journal
    journaled = False

    def __init__(self, left: Unfinished, complete: bool) -> None:
        super().__init__()
        self.left = left
        self.complete = complete
        self.inner: Action | None = None

    def describe(self) -> str:
        return f"{'complete' if self.complete else 'roll back'}: {self.left.title}"

    def _plan(self, topology: Topology, cloud: CloudWrites) -> Plan:
        from .catalog import BY_ID  # the catalog imports this module

        action = BY_ID.get(self.left.action)
        if action is None:
            raise Refused(f"this netdash knows no action {self.left.action!r} (journal {self.left.path})")
        if self.left.cloud.get("demo"):
            raise Refused("it ran on an embedded demo cloud that ended with its netdash: nothing is left to recover")
        self.inner = action.resume(self.left.state)
        goal = ("carry it on to its planned end" if self.complete else "put back the state before the action")
        return Plan(title=self.describe(), steps=(f"now: {self.inner.where(cloud)}", goal, "verify"),
                    notes=(f"interrupted {self.left.where_it_stopped()}",))

    def execute(self, cloud: CloudWrites, plan: Plan, progress: Progress, control: Control | None = None) -> Result:
        if plan.refusal is not None or self.inner is None:
            return Result(REFUSED, plan.refusal or "not planned")
        entry = self.left.entry()
        entry.record("recover", complete=self.complete)
        try:
            result = self.inner.recover(cloud, self.complete, progress)
        except BaseException:
            entry.abandon()
            raise
        if result.outcome in (DONE, ROLLED_BACK):
            entry.close(result.outcome)
        else:
            entry.abandon()
        return result
