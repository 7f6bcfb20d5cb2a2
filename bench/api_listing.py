"""How fast the embedded cloud answers, and what a client pays on top, measured side by side in one run.

The embedded cloud runs in a process of its own (`python -m netdash.democloud`, the seed scenario), so that
no client shares its interpreter. Rows: `openstack network list` (a fresh CLI process: start-up, auth,
one list), the same listing through openstacksdk in this process (new Connection: auth + list; then the
list alone on a warm connection), and the cloud's list throughput over HTTP keep-alive from 1 and 4
client threads.

    .venv/bin/python -m bench.api_listing [--runs 7] [--requests 2000]

With `--compare NAME=DIR` (repeatable) only the throughput rows are measured, for this checkout's cloud and
for each other netdash checkout DIR (main's, or an older commit's, exported with `git archive`), all running
at once and measured in turns (`--rounds`, the first of each round rotating), so that a change of load on a
shared machine falls on every cloud alike; with the cloud process's CPU per request beside each.

    .venv/bin/python -m bench.api_listing --compare main=/tmp/main [--rounds 9] [--requests 1000]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.support import ROOT, median_seconds, print_table, start_cloud


def throughput(url: str, token: str, total: int, threads: int) -> float:
    """Requests per second of `GET url` over keep-alive connections, one client per thread."""
    per_thread = total // threads
    barrier = threading.Barrier(threads + 1)

    def worker() -> None:
        with httpx.Client(headers={"X-Auth-Token": token}) as client:
            try:
                client.get(url).raise_for_status()
            except httpx.HTTPError:
                barrier.abort()  # the main thread stops waiting and reports the failure
                raise
            barrier.wait()
            for _ in range(per_thread):
                client.get(url).raise_for_status()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in pool:
        t.join()
    return per_thread * threads / (time.perf_counter() - started)


def compare(checkouts: dict[str, Path], rounds: int, requests: int) -> None:
    """The throughput rows for each checkout's cloud, in turns; medians of `rounds`."""
    rates: dict[tuple[str, int], list[float]] = {}
    cpu: dict[tuple[str, int], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        clouds = {name: stack.enter_context(start_cloud(Path(tmp) / f"{name}.yaml", root=root))
                  for name, root in checkouts.items()}
        targets = {}
        for name, cloud in clouds.items():
            conn = cloud.connect()
            targets[name] = (conn.network.get_endpoint().rstrip("/") + "/networks", conn.session.get_token())
        names = list(clouds)
        for round_ in range(rounds):
            for threads in (1, 4):
                for name in names[round_ % len(names):] + names[:round_ % len(names)]:
                    before = clouds[name].cpu_seconds()
                    rates.setdefault((name, threads), []).append(throughput(*targets[name], requests, threads))
                    cpu.setdefault((name, threads), []).append((clouds[name].cpu_seconds() - before) / requests)
    print(f"GET networks (seed scenario), {requests} requests per run, clouds in turns; median of {rounds} "
          f"runs; {os.cpu_count()} CPUs")
    width = max(len(name) for name in names)
    for threads in (1, 4):
        for name in names:
            runs = rates[(name, threads)]
            print(f"{threads} client thread(s)  {name:<{width}}  {statistics.median(runs):5.0f} req/s  "
                  f"{statistics.median(cpu[(name, threads)]) * 1000:.3f} ms cloud CPU/request  "
                  f"(runs: {' '.join(f'{r:.0f}' for r in runs)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per timed row (median reported)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per throughput row")
    parser.add_argument("--compare", action="append", default=[], metavar="NAME=DIR",
                        help="also measure another netdash checkout's cloud, in turns (throughput rows only)")
    parser.add_argument("--rounds", type=int, default=9, help="with --compare: runs of each throughput row")
    args = parser.parse_args()
    if args.compare:
        others = dict(item.partition("=")[::2] for item in args.compare)
        if any(not name or not Path(root, "netdash").is_dir() for name, root in others.items()):
            raise SystemExit("--compare wants NAME=DIR, DIR a netdash checkout")
        compare({"this": ROOT, **{name: Path(root) for name, root in others.items()}}, args.rounds, args.requests)
        return
    openstack_cli = Path(sys.executable).parent / "openstack"

    with tempfile.TemporaryDirectory() as tmp, start_cloud(Path(tmp) / "clouds.yaml") as cloud:
        connect = cloud.connect
        env = cloud.cli_env()
        cli = [str(openstack_cli), "--os-cloud", "netdash-demo", "network", "list", "-f", "value"]
        networks = len(subprocess.run(cli, env=env, check=True, capture_output=True).stdout.splitlines())

        rows: list[tuple[str, str, str]] = []
        cli_med, cli_min = median_seconds(
            lambda: subprocess.run(cli, env=env, check=True, capture_output=True), args.runs)
        rows.append(("openstack network list (new process)", f"{cli_med * 1000:.0f} ms",
                     f"min {cli_min * 1000:.0f} ms"))


        sdk_med, _ = median_seconds(lambda: list(connect().network.networks()), args.runs)
        rows.append(("openstacksdk: connect + auth + list", f"{sdk_med * 1000:.1f} ms",
                     f"{cli_med / sdk_med:.0f}x faster than the CLI"))
        conn = connect()
        list(conn.network.networks())
        warm_med, _ = median_seconds(lambda: list(conn.network.networks()), args.runs * 5)
        rows.append(("openstacksdk: list on a warm connection", f"{warm_med * 1000:.2f} ms",
                     f"{cli_med / warm_med:.0f}x faster than the CLI"))

        token = conn.session.get_token()
        url = conn.network.get_endpoint().rstrip("/") + "/networks"  # the endpoint ends in /v2.0
        for threads in (1, 4):
            rate = throughput(url, token, args.requests, threads)
            rows.append((f"embedded cloud: GET networks, {threads} client thread(s)", f"{rate:.0f} req/s",
                         f"{1000 / rate:.2f} ms per request"))

    print_table(f"embedded cloud, seed scenario ({networks} networks visible to demo); openstacksdk "
                f"{importlib.metadata.version('openstacksdk')}; median of {args.runs} runs; {os.cpu_count()} CPUs",
                rows)


if __name__ == "__main__":
    main()
