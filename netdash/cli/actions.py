"""The actions on the command line, for scripts: the same objects the dashboard runs, generated from
`netdash.actions.catalog` (one subcommand per action: `netdash GROUP VERB ARGS`, e.g.

    netdash fip move FIP TARGET        netdash ports swap SERVER_A SERVER_B [--port-a P] [--port-b Q] [--reboot]
    netdash pool algorithm POOL ALG    netdash member enable|disable|drain POOL MEMBER
    netdash server stop|start|reboot SERVER
    netdash undo                       (the last completed action on this cloud, put back)

each with --yes, --dry-run, --probe/--no-probe and the cloud options; `netdash GROUP --help` lists the verbs).

The plan goes to stdout, then a confirmation prompt on a terminal (`--yes` skips it; without a terminal
and without `--yes` nothing is done). Progress and the step-by-step report go to stderr; the final line
(the verified result) to stdout. Exit status: 0 done and verified, 1 failed and rolled back (the cloud is
as before), 2 bad input or refused (nothing changed), 3 failed with the cloud left changed (the report says
where things are), 4 done by the API but the traffic probed after it disagrees (`actions.traffic`: the
report says which address answered from where). `--read-only` refuses every action.

An action that changes where traffic goes probes the addresses it changes (those that answer from here)
with a few requests before and after: `traffic at floating IP ... before: server1 100% -> after: server2
100%` on stderr with the report; `--no-probe` leaves that out.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from netdash.cli.interrupts import say
from netdash.cli.main import out

if TYPE_CHECKING:
    from netdash.actions import Action
    from netdash.cloud.api import CloudApi, CloudInfo


UNDO_HELP = ("undo the last completed action of yours on this cloud: its inverse, planned against the cloud "
             "as it is now, shown, confirmed, run and verified like any action")


def register(sub: Any) -> None:
    """Add a subcommand per catalog action to `netdash`'s subparsers (argparse's subparsers are untyped)."""
    from netdash.actions import catalog

    for group, members in catalog.groups().items():
        text = catalog.group_help(group)
        verbs = sub.add_parser(group, help=text, description=text).add_subparsers(
            dest="verb", metavar="VERB", required=True)
        for action in members:
            p = verbs.add_parser(action.command[1], help=action.help, description=action.help)
            p.set_defaults(action_id=action.id)
            for param in action.params:
                if param.flag:
                    p.add_argument(param.option or f"--{param.name}", dest=param.name, action="store_true",
                                   help=param.help)
                elif param.option:
                    p.add_argument(param.option, dest=param.name, metavar=param.metavar, default=param.default,
                                   help=param.help)
                else:
                    p.add_argument(param.name, metavar=param.metavar, help=param.help)
            add_run_options(p)
    p = sub.add_parser("undo", help=UNDO_HELP, description=UNDO_HELP)
    p.set_defaults(undo=True)
    add_run_options(p)


def add_run_options(p: argparse.ArgumentParser) -> None:
    """What every command that runs an action takes: --yes, --dry-run, --probe/--no-probe, the cloud options."""
    from netdash.cli.main import add_cloud_options

    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.add_argument("--dry-run", action="store_true", help="print the plan and change nothing")
    p.add_argument("--probe", action=argparse.BooleanOptionalAction, default=True,
                   help="probe the addresses the action changes, a few requests before and after, and say "
                        "where traffic went (default: on, for the addresses that answer from here)")
    add_cloud_options(p, defaults=False, writes=True)


def build(options: argparse.Namespace, info: CloudInfo) -> Action:
    """The catalog action the subcommand names, from its arguments."""
    from netdash.actions import catalog

    action = catalog.BY_ID[options.action_id]
    return catalog.create(action, {param.name: getattr(options, param.name) for param in action.params})


def connect(options: argparse.Namespace) -> tuple[CloudApi, Any]:
    """The configured cloud; the embedded one only with --demo (a change to a throwaway cloud nobody asked
    for would look like success)."""
    from netdash.cli.main import max_rps, open_cloud, say_tls
    from netdash.cloud.client import CloudClient

    if options.demo:
        return open_cloud(options)
    client = CloudClient.connect(options.os_cloud, options.os_region, max_rps=max_rps(options, False),
                                 insecure=options.insecure)
    say_tls(client)
    return client, None


def err(text: str) -> None:
    say(text)


def confirmed(options: argparse.Namespace) -> bool | None:
    """True to go on; False when the user said no; None when there is nobody to ask."""
    if options.yes:
        return True
    if not sys.stdin.isatty():
        return None
    print("proceed? [y/N] ", end="", file=sys.stderr, flush=True)
    try:
        answer = input()
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def undo(options: argparse.Namespace, info: CloudInfo) -> Action:
    """`netdash undo`: the inverse of the last completed action on this cloud (`actions.undo`)."""
    from netdash.actions.undo import Undo

    return Undo(info)


def run(options: argparse.Namespace) -> int:
    """Plan, confirm, execute, report; NetdashErrors before the change reach `cli.main.main` (exit 2)."""
    from netdash.actions import CANCELLED, DISPUTED, EXIT_STATUS, REFUSED, Result, journal, running
    from netdash.actions.traffic import TrafficProof
    from netdash.cli.interrupts import LeftAtOnce, deferred
    from netdash.cloud.caller import telling

    if options.read_only:
        err("error: --read-only: actions that change the cloud are disabled")
        return 2
    client, demo = connect(options)
    try:
        action = (undo if getattr(options, "undo", False) else build)(options, client.info)
        topology = client.fetch_topology_sync()
        plan = action.plan(topology, client)
        if plan.refusal is not None:
            err(f"refused: {plan.refusal}")
            return 2
        for line in plan.lines():
            out(line)
        if options.dry_run:
            return 0
        answer = confirmed(options)
        if answer is None:
            err("error: stdin is not a terminal: pass --yes to run the action without confirmation")
            return 2
        if not answer:
            err("cancelled: nothing changed")
            return EXIT_STATUS[CANCELLED]
        try:
            with deferred(action.name) as stop, telling(err):
                proof = TrafficProof(topology, action.touched()) if options.probe else None
                result: Result = running.execute(action, client, client.info, plan, err, cancelled=stop.is_set,
                                                 proof=proof)
        except journal.JournalError as exc:
            err(f"error: {exc}: nothing changed")
            return 2
        except LeftAtOnce as exc:
            left = next((u for u in journal.unfinished() if u.pid == os.getpid()), None)
            where = f" {left.where_it_stopped()}" if left is not None else ""
            err(f"left at once ({exc}){where}: the cloud may be half-changed; `netdash recover` shows where "
                "things are and rolls back or completes")
            return 130
        for line in result.beyond_progress:  # each step was printed as it started
            err(line)
        if result.ok:
            out(result.summary)
        elif result.outcome == DISPUTED:
            err(f"warning: {result.summary}")
        else:
            err(("refused: " if result.outcome == REFUSED else "error: ") + result.summary)
        return result.exit_status
    finally:
        client.close()
        if demo is not None:
            demo.stop()
