"""The actions on the command line, for scripts: the same objects the dashboard runs (see `actions/`).

    netdash fip move FIP TARGET | fip associate FIP TARGET | fip disassociate FIP | fip create [--network N]
    netdash ports swap SERVER_A SERVER_B [--port-a P] [--port-b Q] [--reboot]
    netdash pool algorithm POOL ALGORITHM
    netdash member enable|disable|drain POOL MEMBER
    netdash server stop|start|reboot SERVER
    (each with --yes, --dry-run and the cloud options)

The plan goes to stdout, then a confirmation prompt on a terminal (`--yes` skips it; without a terminal
and without `--yes` nothing is done). Progress and the step-by-step report go to stderr; the final line
(the verified result) to stdout. Exit status: 0 done and verified, 1 failed and rolled back (the cloud is
as before), 2 bad input or refused (nothing changed), 3 failed with the cloud left changed (the report says
where things are). `--read-only` refuses every action.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

COMMANDS = {
    "fip": "move, associate, disassociate or allocate a floating IP",
    "ports": "swap ports between two servers (rolled back if a step fails)",
    "pool": "change a pool's load-balancing algorithm",
    "member": "enable, disable or drain a pool member",
    "server": "stop, start or reboot a server",
}


def register(sub: Any) -> None:
    """Add the action subcommands to `netdash`'s subparsers."""
    from netdash.tui.cli import add_cloud_options

    def verb(group: Any, name: str, text: str) -> argparse.ArgumentParser:
        p = group.add_parser(name, help=text, description=text)
        p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
        p.add_argument("--dry-run", action="store_true", help="print the plan and change nothing")
        add_cloud_options(p, defaults=False)
        return p

    def command(name: str) -> Any:
        p = sub.add_parser(name, help=COMMANDS[name], description=COMMANDS[name])
        return p.add_subparsers(dest="verb", metavar="VERB", required=True)

    fip = command("fip")
    p = verb(fip, "move", "re-associate a floating IP with another port, server or load balancer (one update)")
    p.add_argument("fip", metavar="FIP", help="floating IP address or id")
    p.add_argument("target", metavar="TARGET", help="port, server or load balancer (name or id)")
    p = verb(fip, "associate", "associate a free floating IP with a port, server or load balancer")
    p.add_argument("fip", metavar="FIP", help="floating IP address or id")
    p.add_argument("target", metavar="TARGET", help="port, server or load balancer (name or id)")
    p = verb(fip, "disassociate", "take a floating IP off its port")
    p.add_argument("fip", metavar="FIP", help="floating IP address or id")
    p = verb(fip, "create", "allocate a floating IP from an external network")
    p.add_argument("--network", default="public", help="external network (default public)")
    p.add_argument("--target", metavar="TARGET", help="associate it at once with a port, server or load balancer")

    ports = command("ports")
    p = verb(ports, "swap", "swap one port of SERVER_A with one port of SERVER_B")
    p.add_argument("server_a", metavar="SERVER_A")
    p.add_argument("server_b", metavar="SERVER_B")
    p.add_argument("--port-a", metavar="PORT", help="the port of SERVER_A (default: its only, or only named, port)")
    p.add_argument("--port-b", metavar="PORT", help="the port of SERVER_B (default: its only, or only named, port)")
    p.add_argument("--reboot", action="store_true", help="reboot both servers after the swap")

    pool = command("pool")
    p = verb(pool, "algorithm", "change a pool's algorithm: ROUND_ROBIN, LEAST_CONNECTIONS, SOURCE_IP, SOURCE_IP_PORT")
    p.add_argument("pool", metavar="POOL")
    p.add_argument("algorithm", metavar="ALGORITHM")

    member = command("member")
    for name, text in (("enable", "enable a member (and restore the weight it had before a drain)"),
                       ("disable", "disable a member (admin state down)"),
                       ("drain", "drain a member (weight 0; `enable` restores the weight)")):
        p = verb(member, name, text)
        p.add_argument("pool", metavar="POOL")
        p.add_argument("member", metavar="MEMBER", help="member id, name, address or address:port")

    server = command("server")
    for name in ("stop", "start", "reboot"):
        p = verb(server, name, f"{name} a server and wait until it is done")
        p.add_argument("server", metavar="SERVER")


def build(options: argparse.Namespace, client: Any) -> Any:
    from netdash import actions
    kind, verb = options.subcommand, options.verb
    if kind == "fip":
        if verb == "move":
            return actions.MoveFloatingIP(options.fip, options.target)
        if verb == "associate":
            return actions.AssociateFloatingIP(options.fip, options.target)
        if verb == "disassociate":
            return actions.DisassociateFloatingIP(options.fip)
        return actions.AllocateFloatingIP(options.network, options.target)
    if kind == "ports":
        return actions.SwapPorts(options.server_a, options.server_b, options.port_a, options.port_b, options.reboot)
    if kind == "pool":
        return actions.ChangePoolAlgorithm(options.pool, options.algorithm)
    if kind == "member":
        return actions.MemberChange(verb, options.pool, options.member, client)
    return actions.ServerPower(verb, options.server)


def connect(options: argparse.Namespace) -> tuple[Any, Any]:
    """The configured cloud; the embedded one only with --demo (a change to a throwaway cloud nobody asked
    for would look like success)."""
    from netdash.cloud.client import CloudClient
    from netdash.tui.cli import max_rps, open_cloud

    if options.demo:
        return open_cloud(options)
    return CloudClient.connect(options.os_cloud, options.os_region, max_rps=max_rps(options, False),
                               insecure=options.insecure), None


def err(text: str) -> None:
    print(f"netdash: {text}", file=sys.stderr, flush=True)


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


def run(options: argparse.Namespace) -> int:
    """Plan, confirm, execute, report; NetdashErrors before the change reach `tui.cli.main` (exit 2)."""
    from netdash.actions import REFUSED, Result

    if options.read_only:
        err("error: --read-only: actions that change the cloud are disabled")
        return 2
    client, demo = connect(options)
    try:
        action = build(options, client)
        plan = action.plan(client.fetch_topology_sync())
        if plan.refusal is not None:
            err(f"refused: {plan.refusal}")
            return 2
        print("\n".join(plan.lines()), flush=True)
        if options.dry_run:
            return 0
        answer = confirmed(options)
        if answer is None:
            err("error: stdin is not a terminal: pass --yes to run the action without confirmation")
            return 2
        if not answer:
            err("cancelled: nothing changed")
            return 2
        result: Result = action.execute(client, plan, err)
        for line in result.lines:
            err(line)
        if result.ok:
            print(result.summary, flush=True)
        else:
            err(("refused: " if result.outcome == REFUSED else "error: ") + result.summary)
        return result.exit_status
    finally:
        client.close()
        if demo is not None:
            demo.stop()
