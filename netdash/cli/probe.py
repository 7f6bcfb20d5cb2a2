"""`netdash probe URL`: the probe pane's statistics for scripts and tests, printed once at the end.

    netdash probe URL [--rate R] [--duration S] [--clients N] [--timeout S] [--new-connection]
                      [--backend-header H | --backend-regex RE] [--format table|json]

Keep-alive connections by default (as a browser); `--new-connection` opens one per request, as a `curl`
loop does: a load balancer that balances per connection, or a floating IP moved meanwhile, then shows on
the very next request.

The window holds every request of the run (no count or time bound), so the shares are over the whole
run. A probe that reaches nothing still exits 0 with its error counts: unreachable is a result here.
Bad input (a URL that is not http(s), a rate outside 1..200, a bad regex, several clients for a target
that is not on loopback) is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import asdict
from typing import Any

from netdash.cloud.text import visible

HELP = "GET a URL at a steady rate and report which backend answered (shares, latency, errors)"


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `probe` subcommand to `netdash`'s subparsers."""
    from netdash.cli.main import number
    from netdash.cloud.probe_stats import MAX_CLIENTS, MAX_RATE, MIN_RATE  # not cloud.probe: no httpx to parse

    p = subparsers.add_parser("probe", help=HELP, description=HELP)
    p.add_argument("url", metavar="URL", help="http(s) URL to GET, e.g. http://127.24.4.12/")
    p.add_argument("--rate", type=number(float, MIN_RATE, MAX_RATE), default=10.0,
                   help=f"requests per second, {MIN_RATE:g}..{MAX_RATE:g} (default 10)")
    p.add_argument("--duration", type=number(float, 0.1, 86400), default=5.0, metavar="SECONDS",
                   help="how long to probe, 0.1..86400 (default 5)")
    p.add_argument("--clients", type=number(int, 1, MAX_CLIENTS), default=1, metavar="N",
                   help=f"simulated clients, 1..{MAX_CLIENTS}, each from its own source address 127.0.0.1..N "
                        "(default 1)")
    p.add_argument("--timeout", type=number(float, 0.01, 60), default=2.0, metavar="SECONDS",
                   help="per-request timeout, 0.01..60 (default 2)")
    p.add_argument("--new-connection", action="store_true",
                   help="open a new connection per request, as a curl loop (default: keep-alive, as a browser)")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--backend-header", metavar="H", help="name the backend by this response header")
    which.add_argument("--backend-regex", metavar="RE",
                       help="name the backend by this regex on the body (its first group, else the match)")
    p.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")
    return p


def run(options: argparse.Namespace) -> int:
    """Probe for `--duration` seconds, print the statistics; 2 for bad input (one line on stderr)."""
    from netdash.cloud.probe import Identifier, ProbeError, Prober
    from netdash.cloud.probe_stats import Window

    try:
        identify = Identifier.build(options.backend_header, options.backend_regex)
        prober = Prober(options.url, rate=options.rate, clients=options.clients, timeout=options.timeout,
                        identify=identify, reason="command line", new_connection=options.new_connection,
                        window=Window(max_count=10_000_000, max_age=float("inf"), rate_span=float("inf")))
    except ProbeError as exc:
        print(f"netdash: error: {exc}", file=sys.stderr)
        return 2
    started = prober.clock()
    asyncio.run(prober.run(duration=options.duration))
    elapsed = prober.clock() - started
    stats = prober.stats()
    events = prober.events()
    if options.format == "json":
        data = asdict(stats)
        del data["latencies"], data["running"]  # the sparkline's points and a UI state: not results
        data["connections"] = "new per request" if data.pop("new_connections") else "keep-alive"
        data.update(duration=round(elapsed, 3), sent=prober.sent,
                    events=[{"at": round(e.at - started, 3), "text": e.text, "severity": e.severity} for e in events])
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        lines = table(stats, elapsed, [e.text for e in events]).rstrip("\n").split("\n")
        sys.stdout.write("".join(visible(line) + "\n" for line in lines))  # the URL and what servers said: text
    return 0


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def table(stats: Any, elapsed: float, events: list[str]) -> str:
    """The statistics as a plain-text table (no colour: it goes to files and pipes)."""
    lines = [f"probe {stats.url}: {stats.requests} requests in {elapsed:.1f} s, "
             f"achieved {stats.achieved_rate:.1f} req/s (target {stats.target_rate:g}), "
             f"{'a new connection per request' if stats.new_connections else 'keep-alive'}"]
    width = max([len("backend"), *(len(b.backend) for b in stats.backends)])
    lines.append(f"{'backend':<{width}}  {'software':<10} {'count':>7} {'share':>7}")
    for b in stats.backends:
        lines.append(f"{b.backend:<{width}}  {b.software or '-':<10} {b.count:>7} {b.share:>7.1%}")
    errors = ", ".join(f"{kind} {count}" for kind, count in stats.errors) or "none"
    lines.append(f"errors: {errors} (error rate {stats.error_rate:.1%})")
    lines.append("statuses: " + (", ".join(f"{label} {count}" for label, count in stats.statuses) or "none"))
    lines.append(f"latency ms: p50 {ms(stats.p50)}  p95 {ms(stats.p95)}  p99 {ms(stats.p99)}")
    if len(stats.clients) > 1:
        lines.append("clients: " + ", ".join(f"{client} -> {last}" for client, last in stats.clients))
    lines += [f"event: {text}" for text in events]
    return "\n".join(lines) + "\n"
