"""`netdash demo-cloud` / `python -m netdash.democloud`: run the embedded cloud alone until interrupted."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from .faults_spec import GRAMMAR, SpecError, parse
from .launcher import CLOUD_NAME, DemoCloud, NotLoopback
from .runtime import Settings
from .scale import MAX_SCALE, ScaleError, parse_scale
from .state import StateError
from .wal import COMPACT_AT


class Refused(Exception):
    """Bad input: one line on stderr, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but an error is one line (argparse prints the usage too), as `netdash`'s own."""

    def error(self, message: str) -> NoReturn:
        raise Refused(message)


def number(kind: type[float] | type[int], low: float, high: float) -> Callable[[str], float]:
    """A finite `kind` from `low` to `high` (nan, inf, 1e309, 1e-300 refused as out of range); `netdash`'s
    `cli.main.number`, written again here because this program imports nothing of netdash."""
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


def checked(check: Callable[[str], object]) -> Callable[[str], str]:
    """An argparse `type` that runs `check` (ScaleError, SpecError: one line) and keeps the text."""

    def parse(text: str) -> str:
        try:
            check(text)
        except (ScaleError, SpecError) as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return text

    return parse


def output_file(what: str) -> Callable[[str], str]:
    """A `what` file this program will write: its directory exists and is writable, and it is not a
    directory. Checked while parsing, so a bad path fails before the cloud starts, not after."""

    def parse(text: str) -> str:
        path = Path(text)
        parent = path.parent
        if path.is_dir():
            raise argparse.ArgumentTypeError(f"{text!r} is a directory, not a {what}")
        if not parent.is_dir():
            raise argparse.ArgumentTypeError(f"no directory {str(parent)!r} to write the {what} {path.name!r} in")
        if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise argparse.ArgumentTypeError(f"cannot write the {what} {text!r}: permission denied")
        return text

    return parse


#: `--token-ttl`: a second (tests of expiry) to a week
TOKEN_TTL_RANGE = (1.0, 7 * 86400.0)
#: `--provisioning-delay`: none at all to a minute
PROVISIONING_RANGE = (0.0, 60.0)


def parser(prog: str = "netdash demo-cloud") -> argparse.ArgumentParser:
    p = Parser(prog=prog, description="Run the embedded OpenStack cloud on loopback "
               "until interrupted, and print a clouds.yaml entry for it.",
               epilog=GRAMMAR, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=number(int, 0, 65535), default=0,
                   help="TCP port, 0..65535; 0 (the default) picks a free one")
    p.add_argument("--empty", action="store_true", help="start with nothing but the external network public")
    p.add_argument("--scale", metavar="N", type=checked(parse_scale),
                   help=f"instead of the seed scenario, a generated project of N servers, 1..{MAX_SCALE} "
                        "(~5N ports, N/10 networks and routers, N floating IPs, N/10 load balancers)")
    p.add_argument("--clouds-yaml", metavar="PATH", type=output_file("clouds.yaml"),
                   help="also write the clouds.yaml entry there (mode 0600; its directory must exist)")
    p.add_argument("--password", help="password of the demo user (default: generated per start)")
    p.add_argument("--token-ttl", type=number(float, *TOKEN_TTL_RANGE), default=3600.0, metavar="SECONDS",
                   help="lifetime of Keystone tokens, {:g}..{:g} (default 3600)".format(*TOKEN_TTL_RANGE))
    p.add_argument("--state", metavar="FILE", type=output_file("state file"),
                   help="persist the cloud's API state in FILE (mode 0600; changes go to a log beside it, on disk "
                        "before they are answered) and reload it from there at start (then nothing is seeded); "
                        "its directory must exist")
    p.add_argument("--provisioning-delay", type=number(float, *PROVISIONING_RANGE), metavar="SECONDS",
                   help="how long the cloud's background work takes: Octavia objects stay PENDING_* and servers "
                        "BUILD or REBOOT that long, {:g}..{:g} (default 0.5 for Octavia, 0.3 for Nova; 0: "
                        "at once, as realstack's fake drivers nearly are)".format(*PROVISIONING_RANGE))
    p.add_argument("--faults", action="append", default=[], metavar="SPEC", type=checked(parse),
                   help="inject faults: latency, 5xx/409 answers, dropped connections, token expiry, slow "
                        "provisioning (grammar below; repeatable)")
    p.add_argument("--exit-with-stdin", action="store_true", help=argparse.SUPPRESS)  # netdash --demo's child
    # tests: a small log limit makes compactions (new generations of the state file) happen under load
    p.add_argument("--state-compact-at", type=number(int, 1, 2**40), default=COMPACT_AT, help=argparse.SUPPRESS)
    return p


def settings_of(args: argparse.Namespace) -> Settings:
    """`--provisioning-delay` is one knob for every service's background work, so that `0` makes a server as
    instant as a load balancer (tests replaying real services' no-op drivers need both)."""
    settings = Settings(password=args.password, token_ttl=args.token_ttl)
    if args.provisioning_delay is not None:
        settings.provisioning_delay = settings.build_delay = args.provisioning_delay
    return settings


def main(argv: Sequence[str] | None = None, prog: str = "netdash demo-cloud") -> int:
    try:
        args = parser(prog).parse_args(argv)
    except Refused as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    scale = parse_scale(args.scale) if args.scale is not None else 0
    settings = settings_of(args)
    try:
        cloud = DemoCloud(host=args.host, port=args.port, seed=not args.empty, settings=settings,
                          state=args.state, scale=scale, state_compact_at=args.state_compact_at)
        cloud.start()
    except (NotLoopback, StateError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{prog}: error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 2
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: set_soon(stop))
    if args.exit_with_stdin:
        from .process import watch_stdin

        watch_stdin(stop)
    try:
        print(f"# embedded OpenStack cloud listening on {cloud.cloud.base_url} (port {cloud.port})")
        print(f"# Keystone: {cloud.auth_url}   cloud name: {CLOUD_NAME}")
        for text in args.faults:
            cloud.cloud.faults.add_spec(text)
            print(f"# faults injected: {text}")
        if cloud.dataplane is not None:
            # Endpoints really bound (also listed at /democloud/endpoints); then each change.
            for line in cloud.dataplane.subscribe(show_endpoint):
                print(f"# data plane: {line}")
        if args.clouds_yaml:
            try:
                path = cloud.write_clouds_yaml(args.clouds_yaml)
            except OSError as exc:  # checked while parsing; this is the directory gone since
                print(f"{prog}: error: cannot write {args.clouds_yaml}: {exc.strerror or exc}", file=sys.stderr)
                return 2
            print(f"# clouds.yaml written to {path} (mode 0600; also {CLOUD_NAME}-alt, another project, and "
                  f"{CLOUD_NAME}-admin); use: OS_CLIENT_CONFIG_FILE={path} openstack --os-cloud {CLOUD_NAME} "
                  "network list")
        print(cloud.clouds_yaml_text(), end="", flush=True)
        stop.wait()
    finally:
        if cloud.dataplane is not None:
            cloud.dataplane.unsubscribe(show_endpoint)  # stopping closes them all: no line for each
        cloud.stop()
    return 0


def set_soon(event: threading.Event) -> None:
    """Set `event` from a signal handler: on a thread of its own, since the handler runs in the main thread,
    which may be inside `event.wait()` holding the event's lock: `event.set()` there deadlocked (seen: a
    SIGTERM that never stopped the cloud)."""
    threading.Thread(target=event.set, name="democloud-signal", daemon=True).start()


def show_endpoint(line: str) -> None:
    print(f"# data plane: {line}", flush=True)


if __name__ == "__main__":
    sys.exit(main(prog="python -m netdash.democloud"))
