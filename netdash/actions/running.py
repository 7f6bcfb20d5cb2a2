"""Running a planned action with its journal: what both front ends do between "confirmed" and the report.

The journal is opened (and its first record on disk) before the first request; it is closed when the
action ends with the cloud in a known state (done, rolled back, refused; the done ones kept in the history
`netdash undo` reads) and left behind otherwise —
a failed action whose cloud may be half-changed, or a process that leaves mid-way — so that the next
`netdash` says so and `netdash recover` can finish it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from netdash.cloud.api import CloudInfo, CloudWrites

from . import journal
from .base import DISPUTED, DONE, FAILED, Action, Control, Plan, Progress, Result
from .traffic import TrafficProof


def cloud_record(info: CloudInfo) -> dict[str, Any]:
    """Which cloud an action ran on, for the journal: names only, never a credential."""
    return {"cloud": info.cloud, "project": info.project, "region": info.region, "auth_url": info.auth_url,
            "user": info.user, "demo": info.demo}


def execute(action: Action, cloud: CloudWrites, info: CloudInfo, plan: Plan, progress: Progress, *,
            cancelled: Callable[[], bool] = lambda: False, proof: TrafficProof | None = None,
            changed: Callable[[], None] = lambda: None) -> Result:
    """`action.execute` with its journal; JournalError (nothing changed) if the journal cannot be written.
    Whatever escapes the action (a second Ctrl-C) leaves the journal for `netdash recover`. With a `proof`,
    the addresses the action changes are probed before its first request and after its result. `changed`
    is called once the action's own requests are done, before the proof: a watcher (the dashboard's probe)
    can follow the change while the proof waits for the traffic."""
    if not action.journaled:
        result = action.execute(cloud, plan, progress, Control(cancelled=cancelled))
        changed()
        return result
    recorded = action.journaled_as()
    entry = journal.begin(recorded.id, plan.title, cloud_record(info), recorded.journal_state())
    try:
        if proof is not None and plan.refusal is None:
            proof.before(progress)
        result = action.execute(cloud, plan, progress, Control(cancelled=cancelled, journal=entry))
        changed()
        if proof is not None:
            result = proof.after(cloud, result, progress)
    except BaseException:
        entry.abandon()
        raise
    if result.outcome != FAILED:
        entry.close(result.outcome, keep=result.outcome in (DONE, DISPUTED))
        return result
    entry.abandon()
    return Result(result.outcome, result.summary + "; `netdash recover` can roll back or complete",
                  result.lines, result.failed_step)
