"""`netdash serve`: the dashboard in a web browser, for a projector, a shared screen or a colleague's laptop.

textual-serve runs one `python -m netdash` per browser tab that opens the page and relays its screen and
keys over a websocket (Textual's web driver). Every tab watches the same cloud: with `--demo`, or with no
cloud configured, the embedded cloud is started once, here, and each tab's dashboard is pointed at it
through its clouds.yaml, so a change made in one tab shows in the others (and in a terminal's `openstack`).

Whoever reaches the page drives a dashboard that can change the cloud, with the credentials of whoever
started `netdash serve`, and textual-serve has no login. So it listens on loopback unless told otherwise,
and any other address needs `--allow-remote` and is warned about on stderr (`--read-only` recommended).

Stopping (Ctrl-C, SIGTERM, the terminal hanging up) asks every tab's dashboard to quit as `q` does (one
running an action finishes it first) before the embedded cloud stops. If this process is killed outright,
each dashboard notices its parent gone (`tui.terminal`) and the embedded cloud its closed stdin.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import shlex
import signal
import sys
from typing import Any

HELP = "serve the dashboard to web browsers (textual-serve); loopback only unless --allow-remote"
#: seconds the tabs' dashboards get to quit (a running action's steps have their own deadlines first)
QUIT_WAIT = 30.0


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `serve` subcommand to `netdash`'s subparsers."""
    from netdash.cli.main import add_cloud_options, number

    p = subparsers.add_parser("serve", help=HELP, description=HELP)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; a non-loopback one needs --allow-remote)")
    p.add_argument("--port", type=number(int, 0, 65535), default=8000,
                   help="port to listen on, 0 for any free one (default 8000)")
    p.add_argument("--allow-remote", action="store_true",
                   help="listen on a non-loopback address: whoever reaches the page can change the cloud")
    p.add_argument("--tour", metavar="TOUR",
                   help="serve a guided tour instead of the dashboard: each tab plays it on a fresh embedded cloud "
                        "of its own (`netdash tour` lists them)")
    from netdash.cli.tour import PACE_RANGE

    p.add_argument("--pace", type=number(float, *PACE_RANGE), metavar="SECONDS",
                   help="with --tour: auto-play's seconds between steps (default 10)")
    add_cloud_options(p, defaults=False, dashboard=True)
    return p


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve anywhere
        return False


def dashboard_command(options: argparse.Namespace, cloud: str | None) -> str:
    """The command each tab runs: this netdash's dashboard with the options given to `serve` (the cloud
    named by `cloud` in the clouds.yaml of the environment, when the embedded one serves)."""
    argv = [sys.executable, "-m", "netdash"]
    os_cloud = cloud or getattr(options, "os_cloud", None)
    if os_cloud:
        argv += ["--os-cloud", os_cloud]
    if getattr(options, "os_region", None) and cloud is None:
        argv += ["--os-region", options.os_region]
    from netdash.cli.main import max_rps

    argv += ["--interval", f"{options.interval:g}", "--max-rps", f"{max_rps(options, cloud is not None):g}"]
    if getattr(options, "screenshots", None):
        argv += ["--screenshots", os.path.abspath(options.screenshots)]
    for flag in ("read_only", "insecure"):
        if getattr(options, flag, False):
            argv.append("--" + flag.replace("_", "-"))
    # `exec`: the dashboard is the shell's own process, so a dead server shows as its parent gone
    return "exec " + shlex.join(argv)


def tour_command(options: argparse.Namespace) -> str:
    """The command each tab runs with `--tour`: the tour on a fresh embedded cloud of the tab's own, so that
    tabs (a presenter's, an audience's) never build the same netdash-tour-* objects in one project."""
    argv = [sys.executable, "-m", "netdash", "tour", options.tour]
    if options.pace is not None:
        argv += ["--pace", f"{options.pace:g}"]
    return "exec " + shlex.join(argv)


def tour_problem(options: argparse.Namespace) -> str | None:
    """Why `--tour` cannot be served with these options (one line), or None."""
    from netdash.tour.model import TourError, load

    try:
        load(options.tour)
    except TourError as exc:
        return exc.message
    if options.read_only:
        return "a tour changes the cloud: it cannot be served with --read-only"
    if getattr(options, "os_cloud", None) or options.demo or getattr(options, "scale", None):
        return ("a served tour plays in each tab on a fresh embedded cloud of its own: --os-cloud, --demo and "
                "--scale do not apply")
    return None


def run(options: argparse.Namespace) -> int:
    from netdash.cli.main import fail, open_cloud

    if not is_loopback(options.host) and not options.allow_remote:
        return fail(f"--host {options.host} is not a loopback address: whoever reaches the page can change the "
                    "cloud; add --allow-remote to serve it anyway (and consider --read-only)")
    if options.pace is not None and options.tour is None:
        return fail("--pace is auto-play's pace: it applies with --tour only")
    if options.tour is not None:  # no cloud here: each tab's `netdash tour` starts its own
        problem = tour_problem(options)
        if problem is not None:
            return fail(problem)
        return asyncio.run(serve(tour_command(options), options.host, options.port, what=f"the {options.tour} tour"))
    client, demo = open_cloud(options)  # bad credentials or no cloud: said here, once, not in every tab
    client.close()
    try:
        cloud = None
        if demo is not None:
            from netdash.democloud.launcher import CLOUD_NAME

            os.environ["OS_CLIENT_CONFIG_FILE"] = str(demo.directory / "clouds.yaml")
            cloud = CLOUD_NAME
        if not is_loopback(options.host):
            print(f"netdash: warning: serving on {options.host}: anyone who can reach this address can "
                  f"{'watch' if options.read_only else 'change'} the cloud through the page, with your "
                  "credentials" + ("" if options.read_only else " (--read-only offers no action)"),
                  file=sys.stderr, flush=True)
        return asyncio.run(serve(dashboard_command(options, cloud), options.host, options.port))
    finally:
        if demo is not None:
            demo.stop()


async def serve(command: str, host: str, port: int, what: str = "the dashboard") -> int:
    """Serve until SIGINT, SIGTERM or SIGHUP; then every tab's dashboard quits, and the server stops."""
    from aiohttp import web

    from netdash.cli.web_server import WebServer

    server = WebServer(command)
    runner = web.AppRunner(await server._make_app(), handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, shutdown_timeout=1.0)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        from netdash.cli.main import fail

        return fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(signum, stop.set)
    for address in runner.addresses:
        bound, bound_port = address[0], address[1]
        shown = f"[{bound}]" if ":" in bound else bound
        print(f"netdash: serving {what} on http://{shown}:{bound_port}/ (Ctrl-C stops it)", flush=True)
    await stop.wait()
    print("netdash: stopping: each tab's dashboard quits", file=sys.stderr, flush=True)
    await server.quit_all(QUIT_WAIT)
    await runner.cleanup()
    return 0
