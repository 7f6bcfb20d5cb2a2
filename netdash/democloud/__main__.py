"""`netdash demo-cloud` / `python -m netdash.democloud`: run the embedded cloud alone until interrupted."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence

from .faults_spec import GRAMMAR, SpecError, parse
from .launcher import CLOUD_NAME, DemoCloud, NotLoopback
from .runtime import Settings
from .scale import ScaleError, parse_scale
from .state import StateError


def parser(prog: str = "netdash demo-cloud") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description="Run the embedded OpenStack cloud on loopback "
                                "until interrupted, and print a clouds.yaml entry for it.",
                                epilog=GRAMMAR, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="TCP port; 0 (the default) picks a free one")
    p.add_argument("--empty", action="store_true", help="start with nothing but the external network public")
    p.add_argument("--scale", metavar="N", help="instead of the seed scenario, a generated project of N servers "
                   "(~5N ports, N/10 networks and routers, N floating IPs, N/10 load balancers)")
    p.add_argument("--clouds-yaml", metavar="PATH", help="also write the clouds.yaml entry there (mode 0600)")
    p.add_argument("--password", help="password of the demo user (default: generated per start)")
    p.add_argument("--token-ttl", type=float, default=3600.0, metavar="SECONDS",
                   help="lifetime of Keystone tokens (default 3600)")
    p.add_argument("--state", metavar="FILE",
                   help="persist the cloud's API state in FILE (mode 0600) after every change and reload it "
                        "from there at start (then nothing is seeded)")
    p.add_argument("--provisioning-delay", type=float, default=0.5, metavar="SECONDS",
                   help="how long Octavia objects stay PENDING_* (default 0.5)")
    p.add_argument("--faults", action="append", default=[], metavar="SPEC",
                   help="inject faults: latency, 5xx/409 answers, dropped connections, token expiry, slow "
                        "provisioning (grammar below; repeatable)")
    p.add_argument("--exit-with-stdin", action="store_true", help=argparse.SUPPRESS)  # netdash --demo's child
    return p


class Refused(Exception):
    """Bad input: one line on stderr, exit status 2."""


def main(argv: Sequence[str] | None = None, prog: str = "netdash demo-cloud") -> int:
    args = parser(prog).parse_args(argv)
    if not 0 <= args.port <= 65535:
        print(f"{prog}: error: --port must be between 0 and 65535", file=sys.stderr)
        return 2
    try:
        scale = parse_scale(args.scale) if args.scale is not None else 0
    except ScaleError as exc:
        print(f"{prog}: error: --scale: {exc}", file=sys.stderr)
        return 2
    try:
        for text in args.faults:
            parse(text)
    except SpecError as exc:
        print(f"{prog}: error: --faults: {exc}", file=sys.stderr)
        return 2
    settings = Settings(password=args.password, token_ttl=args.token_ttl,
                        provisioning_delay=args.provisioning_delay)
    try:
        cloud = DemoCloud(host=args.host, port=args.port, seed=not args.empty, settings=settings,
                          state=args.state, scale=scale)
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
        signal.signal(signum, lambda *_: stop.set())
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
            # Endpoints really bound (also tagged `democloud:endpoint=...` in the API); then each change.
            for line in cloud.dataplane.subscribe(show_endpoint):
                print(f"# data plane: {line}")
        if args.clouds_yaml:
            path = cloud.write_clouds_yaml(args.clouds_yaml)
            print(f"# clouds.yaml written to {path} (mode 0600); use: "
                  f"OS_CLIENT_CONFIG_FILE={path} openstack --os-cloud {CLOUD_NAME} network list")
        print(cloud.clouds_yaml_text(), end="", flush=True)
        stop.wait()
    finally:
        if cloud.dataplane is not None:
            cloud.dataplane.unsubscribe(show_endpoint)  # stopping closes them all: no line for each
        cloud.stop()
    return 0


def show_endpoint(line: str) -> None:
    print(f"# data plane: {line}", flush=True)


if __name__ == "__main__":
    sys.exit(main(prog="python -m netdash.democloud"))
