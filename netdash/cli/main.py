"""The `netdash` command line: one entry point, subcommands for scripts, the dashboard by default.

Nothing here needs Textual (a contract in pyproject.toml says so): the dashboard is handed in by the
program's composition root, `netdash.__main__`, as the `dashboard` callable.

    netdash [--os-cloud NAME] [--os-region NAME] [--demo] [--interval S] [--max-rps N] [--read-only]
    netdash topology [--format tree|json|svg|mermaid|dot]   (the same options, before or after the subcommand)
    netdash serve [--host H] [--port N]        (the dashboard in web browsers; the dashboard's options)
    netdash tour NAME [--pace S]               (a guided tour of a seed scenario, on a fresh embedded cloud)
    netdash demo-cloud [...]                   (the embedded cloud alone; its own options)

Cloud selection is openstacksdk's (clouds.yaml, OS_CLOUD, OS_* variables), as for the `openstack` CLI;
with nothing configured, or with `--demo`, netdash starts the embedded cloud in a child process (see
`democloud.process`) and says so on stderr. Every bad input ends the same way: one line on stderr, exit
status 2, no traceback.

`netdash topology` exits 0 when it read everything, 2 when it read nothing (bad input, refused credentials,
a cloud that does not answer at all), and `PARTIAL` (4) when some lists failed: it prints what it could read
(the JSON then has an `unread` object naming the lists that are missing, and why) and names each list it
could not read on stderr, one `netdash: error: ...` line each.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

TOPOLOGY_HELP = "print the topology once (a tree, JSON for scripts, or the map as SVG, Mermaid or DOT) and exit"
DEMO_CLOUD_HELP = "run the embedded OpenStack cloud on loopback and print its clouds.yaml entry"
#: the dashboard's own options: refused after a subcommand, which does not refresh or offer actions
DASHBOARD_ONLY = {"interval": "--interval", "screenshots": "--screenshots"}


#: `netdash topology`'s exit status when some lists could not be read (what could be read is printed)
PARTIAL = 4
#: the default `--max-rps`: a dashboard must not load a real cloud's API
MAX_RPS = 20.0
#: ... and for `--demo`: the embedded cloud is on loopback and needs no protecting from a large first refresh
DEMO_MAX_RPS = 500.0


def max_rps(options: argparse.Namespace, demo: bool) -> float:
    given = getattr(options, "max_rps", None)
    return given if given is not None else DEMO_MAX_RPS if demo else MAX_RPS


class UsageError(Exception):
    """A command-line mistake: reported as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but an error is one line (argparse prints the usage too) so scripts can read it."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def number(kind: type[float] | type[int], low: float, high: float) -> Any:
    """An argparse `type`: a finite `kind` from `low` to `high`, else one line saying what is expected (so
    nan, inf, 1e309 and 1e-300 are refused like any other number out of range)."""
    what = "a whole number" if kind is int else "a number"

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except (ValueError, OverflowError):
            raise argparse.ArgumentTypeError(f"expected {what} from {low:g} to {high:g}, got {text!r}") from None
        if not low <= value <= high:  # False for nan too
            raise argparse.ArgumentTypeError(f"expected {what} from {low:g} to {high:g}, got {text!r}")
        return value

    return parse


#: `--interval`: a tenth of a second (the fastest a refresh of a small project takes) to an hour
INTERVAL_RANGE = (0.1, 3600.0)
#: `--max-rps`: one request per ten seconds at least (a refresh is several), 10,000 at most
MAX_RPS_RANGE = (0.1, 10000.0)


def scale(text: str) -> int:
    from netdash.democloud.scale import ScaleError, parse_scale

    try:
        return parse_scale(text)
    except ScaleError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def faults(text: str) -> str:
    from netdash.democloud.faults_spec import SpecError, parse

    try:
        parse(text)
    except SpecError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def directory(text: str) -> str:
    if not os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"no such directory: {text!r}")
    return text


def add_cloud_options(p: argparse.ArgumentParser, *, defaults: bool, dashboard: bool = False,
                      writes: bool = False) -> None:
    """The same options at top level and after a subcommand; the subcommand's copy leaves unset ones out
    (SUPPRESS) so `netdash --demo topology` keeps the top-level value. Only where they apply: `--interval`
    for the dashboard, `--read-only` for what can change the cloud (the dashboard, actions, recover)."""

    def d(value: Any) -> Any:
        return value if defaults else argparse.SUPPRESS

    p.add_argument("--os-cloud", metavar="NAME", default=d(None),
                   help="cloud name in clouds.yaml (default: $OS_CLOUD, or the OS_* variables)")
    p.add_argument("--os-region", metavar="NAME", default=d(None), help="region (default: $OS_REGION_NAME)")
    p.add_argument("--demo", action="store_true", default=d(False),
                   help="use the embedded demo cloud, started in a child process")
    if dashboard:  # None until given: a subcommand after it refuses it (`DASHBOARD_ONLY`)
        p.add_argument("--interval", type=number(float, *INTERVAL_RANGE), metavar="SECONDS", default=None,
                       help="seconds between refreshes, {:g}..{:g} (default 2)".format(*INTERVAL_RANGE))
        p.add_argument("--screenshots", type=directory, metavar="DIR", default=None,
                       help="where the palette's Screenshot saves (default: the XDG pictures directory, "
                            "else the current one)")
    p.add_argument("--max-rps", type=number(float, *MAX_RPS_RANGE), metavar="N", default=d(None),
                   help="API requests per second at most, {:g}..{:g} ".format(*MAX_RPS_RANGE)
                        + f"(default {MAX_RPS:g}; {DEMO_MAX_RPS:g} for the embedded cloud, which is on loopback "
                        "and needs no protecting)")
    if dashboard or writes:
        p.add_argument("--read-only", action="store_true", default=d(False),
                       help="offer no action that changes the cloud")
    p.add_argument("--scale", type=scale, metavar="N", default=d(0),
                   help="with --demo: a generated project of N servers (~5N ports) instead of the seed scenario")
    p.add_argument("--faults", type=faults, action="append", metavar="SPEC", default=d([]),
                   help="with --demo: inject faults into the embedded cloud, e.g. '503:rate=0.3@network' "
                        "(grammar: netdash demo-cloud --help; repeatable)")
    p.add_argument("--insecure", action="store_true", default=d(False),
                   help="do not verify the cloud's TLS certificates (the header says so)")


def top_parser(actions: bool = True) -> Parser:
    """`netdash`'s parser; `actions=False` leaves out the subcommands of the actions' catalog (see `parse`)."""
    p = Parser(prog="netdash", description="A terminal dashboard for OpenStack networking: without a "
               "subcommand, the dashboard; `netdash SUBCOMMAND --help` for each subcommand's options.")
    add_cloud_options(p, defaults=True, dashboard=True)
    sub = p.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", parser_class=Parser)
    topology = sub.add_parser("topology", help=TOPOLOGY_HELP, description=TOPOLOGY_HELP)
    topology.add_argument("--format", choices=("tree", "json", "svg", "mermaid", "dot"), default="tree",
                          help="output format (default tree); svg is the dashboard's topology map, mermaid and dot "
                               "its graph for documents and tickets")
    add_cloud_options(topology, defaults=False)
    from netdash.cli import config, probe, recover, serve, tour

    tour.register(sub)
    if actions:
        from netdash.cli import actions as action_commands

        action_commands.register(sub)
    recover.register(sub)
    probe.register(sub)
    serve.register(sub)
    config.register(sub)
    # Listed here so that --help names it; `main` hands its arguments to the embedded cloud's own parser.
    sub.add_parser("demo-cloud", help=DEMO_CLOUD_HELP, add_help=False)
    return p


def parse(args: list[str]) -> argparse.Namespace:
    """The options, parsed without building the actions' subcommands when none is named: building them
    imports the whole catalog of actions, which the dashboard and `netdash topology` do not need before
    they start their work. Whatever that parser does not take (an action's subcommand, bad input) is parsed
    again by the whole one, which says what is wrong as it always did; help is always the whole one's."""
    if not any(arg.startswith(("-h", "--h")) for arg in args):  # -h, --help and its abbreviations
        try:
            return top_parser(actions=False).parse_args(args)
        except UsageError:
            pass
    return top_parser().parse_args(args)


#: runs the dashboard for parsed options; its exit status
Dashboard = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None, dashboard: Dashboard) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "demo-cloud":
        from netdash.cloud.collector import resume
        from netdash.democloud.__main__ import main as demo_cloud

        resume()  # a server that runs on
        return demo_cloud(args[1:], prog="netdash demo-cloud")
    try:
        options = parse(args)
    except UsageError as exc:
        return fail(str(exc))
    for name, option in DASHBOARD_ONLY.items():
        if options.subcommand not in (None, "serve", "tour") and getattr(options, name, None) is not None:
            return fail(f"{option} is a dashboard option: `netdash {options.subcommand}` does not refresh")
    from netdash.cli import config

    if options.subcommand == "config":  # `config path`
        out(str(config.config_path()))
        return 0
    try:
        config.apply(config.load(), options)
    except config.ConfigFileError as exc:
        return fail(str(exc))
    if options.interval is None:
        options.interval = 2.0
    options.notices = tell_unfinished() if options.subcommand != "recover" else []
    if options.subcommand == "tour":  # which cloud it plays on, before the embedded one is launched
        from netdash.cli import tour

        problem = tour.prepare(options)
        if problem is not None:
            return fail(problem)
    # the cloud builds while this process imports and connects (`serve` checks its address first)
    if getattr(options, "demo", False) and options.subcommand != "serve":
        options.demo_child = launch_demo(options)
    from netdash.cloud.errors import NetdashError

    if options.subcommand not in (None, "topology"):  # they may run on (a probe, a server, an action)
        from netdash.cloud.collector import resume

        resume()
    try:
        if options.subcommand == "topology":
            return print_topology(options)
        if options.subcommand == "probe":
            from netdash.cli import probe

            return probe.run(options)
        if options.subcommand == "recover":
            from netdash.cli import recover

            return recover.run(options)
        if options.subcommand == "serve":
            from netdash.cli import serve

            return serve.run(options)
        if options.subcommand == "tour" and options.remove_leftovers:
            from netdash.cli import tour

            return tour.remove_leftovers(options)
        if options.subcommand is not None and options.subcommand != "tour":
            from netdash.cli import actions

            return actions.run(options)
        return dashboard(options)
    except NetdashError as exc:
        return fail(exc.message)
    except KeyboardInterrupt:
        return 130
    finally:
        child = getattr(options, "demo_child", None)
        if child is not None:  # stopped already on the normal paths; this covers the others
            child.stop()


def tell_unfinished() -> list[str]:
    """One line per action a crash left half-done: the next netdash, whatever it is asked, says so (the
    dashboard shows the lines too). Returns them."""
    from netdash.actions import journal

    lines = []
    for left in journal.unfinished():
        if left.on_a_vanished_demo_cloud():  # said once: its cloud, and what it changed, are gone
            lines.append(f"an action was interrupted on an embedded demo cloud that no longer runs: {left.line()}: "
                         "nothing to recover (the cloud went with it)")
            left.discard()
        else:
            lines.append(f"an interrupted action needs attention: {left.line()}: run `netdash recover`")
    from netdash.cli.interrupts import say

    for line in lines:
        say(line)
    return lines


def fail(message: str) -> int:
    """The one line of every error; what it quotes (a name, the cloud's message, an argument) shown as text."""
    from netdash.cloud.text import visible

    print(f"netdash: error: {visible(message)}", file=sys.stderr)
    return 2


def out(line: str) -> None:
    """A line of a result on stdout: as `fail`, text only, whatever it quotes."""
    from netdash.cloud.text import visible

    print(visible(line), flush=True)


def open_cloud(options: argparse.Namespace) -> tuple[Any, Any]:
    """(CloudClient, the embedded DemoCloud or None): the configured cloud, else the embedded one."""
    from netdash.cloud.client import CloudClient
    from netdash.cloud.errors import ConfigError, NoCloudConfigured

    if getattr(options, "scale", 0) and not options.demo:
        raise ConfigError("--scale generates a project in the embedded cloud: use it with --demo")
    if getattr(options, "faults", None) and not options.demo:
        raise ConfigError("--faults injects faults into the embedded cloud: use it with --demo")
    if not options.demo:
        try:
            client = CloudClient.connect(options.os_cloud, options.os_region,
                                         max_rps=max_rps(options, False), insecure=options.insecure)
            say_tls(client)
            return client, None
        except NoCloudConfigured:
            print("netdash: no cloud configured (--os-cloud, OS_CLOUD, OS_AUTH_URL, clouds.yaml): "
                  "using the embedded demo cloud", file=sys.stderr)
    else:
        print("netdash: using the embedded demo cloud (--demo)", file=sys.stderr)
    from netdash.democloud.process import DemoCloudFailed

    try:
        demo = (getattr(options, "demo_child", None) or launch_demo(options)).ready()
    except DemoCloudFailed as exc:
        raise ConfigError(str(exc)) from None
    try:
        client = CloudClient.for_demo(demo, max_rps=max_rps(options, True))
    except BaseException:
        demo.stop()
        raise
    from dataclasses import replace

    client.info = replace(client.info, clouds_yaml=str(demo.directory / "clouds.yaml"), faults=demo.faults)
    return client, demo


def say_tls(client: Any) -> None:
    """On stderr, when the cloud's certificates go unchecked (`--insecure`, `verify: false`, OS_INSECURE):
    every subcommand that connects to a configured cloud says it, as the dashboard's header does."""
    if not client.info.tls_verify:
        print(f"netdash: TLS verification off for cloud {client.info.cloud!r}", file=sys.stderr, flush=True)


def launch_demo(options: argparse.Namespace) -> Any:
    """The embedded cloud's child process, started but not waited for (`ready()` waits)."""
    from netdash.democloud.process import DemoCloudProcess

    return DemoCloudProcess(scale=getattr(options, "scale", 0), faults=tuple(getattr(options, "faults", ())),
                            empty=bool(getattr(options, "empty", False))).launch()


def switcher(options: argparse.Namespace, client: Any) -> Any:
    """What the dashboard's switcher connects with (`cloud.switching.Connector`): the options that hold for
    any cloud, and the cloud `open_cloud` opened (the embedded one's entry, with `--demo`)."""
    from netdash.cloud.switching import Connector

    return Connector.starting_from(client, max_rps=max_rps(options, False), insecure=options.insecure)


def print_topology(options: argparse.Namespace) -> int:
    client, demo = open_cloud(options)
    try:
        topology = client.fetch_topology_sync()
        if options.format == "json":
            from netdash.cloud.export import topology_to_dict

            json.dump(topology_to_dict(topology), sys.stdout, indent=2)
            sys.stdout.write("\n")
        elif options.format in ("svg", "mermaid", "dot"):
            from netdash.cloud import topology_export

            info = client.info
            title = f"netdash topology: {info.cloud} · project {info.project}"
            sys.stdout.write(topology_export.to_svg(topology, title) if options.format == "svg"
                             else getattr(topology_export, f"to_{options.format}")(topology))
        else:
            from rich.console import Console

            from netdash.cli.topology_text import build_tree, visible_tree

            info = client.info
            title = f"{info.cloud} · project {info.project} · region {info.region or '-'}"
            Console().print(visible_tree(build_tree(topology, title)))
        sys.stdout.flush()  # what was read, before the lines that say what is missing from it
        from netdash.cloud.naming import collection_name

        for field, why in topology.unread.items():
            fail(f"could not read the {collection_name(field)}: {why.reason}")
        return PARTIAL if topology.unread else 0
    finally:
        client.close()
        if demo is not None:
            demo.stop()


def quiet_library_logging() -> None:
    """Libraries' log records go nowhere: keystoneauth warns on stderr before the error netdash reports in
    one line, and any stray line would tear the dashboard's screen. (Without a handler, Python's
    last-resort handler prints WARNING records to stderr.)"""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.NullHandler())


def run(dashboard: Dashboard) -> None:
    """The program: `main` on sys.argv, then exit with its status."""
    from netdash.cloud.collector import pause_for_start

    pause_for_start()  # until the dashboard's first paint (`NetdashApp(freeze_gc=True)`), or `resume` in `main`
    quiet_library_logging()
    try:
        code = main(None, dashboard)
        sys.stdout.flush()
    except BrokenPipeError:
        # `netdash topology | head`: the reader left. Say nothing (as `cat` does), and point stdout at
        # /dev/null so the interpreter's own final flush cannot fail with a traceback either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 141  # 128 + SIGPIPE, what a shell reports for a writer killed by it
    sys.exit(code)
