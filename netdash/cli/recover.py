"""`netdash recover`: finish or undo the actions whose process went away half-way (see `actions.journal`).

    netdash recover [--rollback | --complete] [--yes] [cloud options]

For each unfinished action: what it was and where it stopped, then where its objects are now (read from
the cloud, which decides every step: read, then act), then the choice — back to the state before the
action, or on to its planned end — and the result, verified. On a terminal it asks; a script passes
`--rollback` or `--complete` (and `--yes`). Exit status: 0 when every action ended in a known state
(restored or completed), 2 for bad input or nothing chosen, 3 when one is still not where it should be.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from netdash.cli.interrupts import say
from netdash.cli.main import out

HELP = "finish or roll back an action that was interrupted half-way (a crash, kill -9)"


def register(sub: Any) -> None:
    from netdash.cli.main import add_cloud_options

    p = sub.add_parser("recover", help=HELP, description=HELP)
    choice = p.add_mutually_exclusive_group()
    choice.add_argument("--rollback", action="store_true", help="put back the state before the action")
    choice.add_argument("--complete", action="store_true", help="carry the action on to its planned end")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    add_cloud_options(p, defaults=False, writes=True)


def ask(options: argparse.Namespace) -> bool | None:
    """True to complete, False to roll back; None when nothing was chosen (no terminal, or "leave")."""
    if options.complete or options.rollback:
        return bool(options.complete)
    if not sys.stdin.isatty():
        return None
    print("[r]oll back to the state before, [c]omplete the plan, or [l]eave it? ", end="", file=sys.stderr,
          flush=True)
    try:
        answer = input().strip().lower()
    except EOFError:
        return None
    return {"r": False, "rollback": False, "c": True, "complete": True}.get(answer)


def run(options: argparse.Namespace) -> int:
    from netdash.actions import DONE, ROLLED_BACK, journal
    from netdash.actions.recovery import Recovery
    from netdash.cli.main import say_tls
    from netdash.cloud.client import CloudClient
    from netdash.cloud.model import Topology

    if options.read_only:
        say("error: --read-only: recovering changes the cloud")
        return 2
    found = journal.unfinished()
    if not found:
        print("nothing to recover", flush=True)
        return 0
    status = 0
    for left in found:
        out(f"interrupted: {left.line()}")
        if left.cloud.get("demo"):
            say("it ran on an embedded demo cloud that ended with its netdash: nothing is left to recover")
            left.discard()
            continue
        name = options.os_cloud or left.cloud.get("cloud")
        region = options.os_region or left.cloud.get("region")
        client = CloudClient.connect(name, region, max_rps=options.max_rps or 20.0, insecure=options.insecure)
        say_tls(client)
        try:
            recovery = Recovery(left, complete=False)
            plan = recovery.plan(Topology(), client)
            if plan.refusal is not None:
                say(f"error: {plan.refusal}")
                status = max(status, 2)
                continue
            out(plan.steps[0])  # where things are now, which the choice is made on
            complete = ask(options)
            if complete is None:
                say("error: nothing chosen: pass --rollback or --complete (the journal is kept)")
                status = max(status, 2)
                continue
            recovery.complete = complete  # the same plan: the cloud is read once, and read again as it acts
            result = recovery.execute(client, plan, say)
            for line in result.lines:
                say(line)
            if result.outcome in (DONE, ROLLED_BACK):
                out(result.summary)
            else:
                say(f"error: {result.summary} (the journal is kept: run `netdash recover` again)")
                status = 3
        finally:
            client.close()
    return status
