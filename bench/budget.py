"""The request budget at `--scale 1000`: a one-shot `netdash topology` beside `openstack port list`, and the
requests per second of a refresh loop at `--max-rps 20`, counted where requests leave netdash.

Side by side in one run, against the embedded cloud started as a real cloud is reached (`python -m
netdash.democloud --scale 1000 --clouds-yaml ...` in a process of its own, found through clouds.yaml):
- `openstack port list` (a fresh process, one resource type: 5,200 ports);
- `netdash topology` (a fresh process, every type and every load balancer's status tree: ~134 calls) at
  the default `--max-rps 20` for a real cloud, which the one-time burst (`cloud.budget.BURST`) covers;
- the same first fetch in this process with no burst: the pace before the burst (20 calls a second);
- a refresh loop at `--max-rps 20`: a client in this process fetching every `--interval` seconds (the
  dashboard's default 2 s) and then back to back, with every request's leaving time taken at the session's
  boundary (`Session.on_send`, after its wait): the busiest one-second window after the burst, against 20.

    .venv/bin/python -m bench.budget [--runs 3] [--loop-seconds 20]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.support import CLOUD, ROOT, median_seconds, print_table, start_cloud

SCALE = 1000
RATE = 20.0


def busiest_second(times: list[float]) -> int:
    """The most requests in any window [t, t + 1 s) (windows that matter start at a request)."""
    ordered = sorted(times)
    most, first = 0, 0
    for last, t in enumerate(ordered):
        while ordered[first] <= t - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def per_calendar_second(times: list[float]) -> int:
    """The most requests in one wall-clock second (int(t)), as a log at the cloud would count them."""
    counts: dict[int, int] = {}
    for t in times:
        counts[int(t)] = counts.get(int(t), 0) + 1
    return max(counts.values(), default=0)


def refresh_loop(interval: float, seconds: float) -> tuple[int, int, int, int, int]:
    """(calls of the first fetch, calls after it, busiest 1 s window after the burst, busiest calendar second
    after it, refreshes) for a fresh client fetching every `interval` s for `seconds` s."""
    from netdash.cloud.client import CloudClient

    client = CloudClient.connect(CLOUD, max_rps=RATE)   # clouds.yaml from OS_CLIENT_CONFIG_FILE
    sent: list[float] = []
    spent_at: list[float] = []

    def on_send() -> None:
        now = time.time()
        sent.append(now)
        if not spent_at and client.session.budget.burst_left == 0:
            spent_at.append(now)

    client.session.on_send = on_send
    try:
        client.fetch_topology_sync()
        first = len(sent)
        refreshes = 0
        ends = time.monotonic() + seconds
        while time.monotonic() < ends:
            started = time.monotonic()
            client.fetch_topology_sync()
            refreshes += 1
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
    finally:
        client.close()
    after = [t for t in sent if spent_at and t > spent_at[0]]
    return first, len(sent) - first, busiest_second(after), per_calendar_second(after), refreshes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per timed row (median reported)")
    parser.add_argument("--loop-seconds", type=float, default=20.0, help="seconds of each refresh loop")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, start_cloud(Path(tmp) / "clouds.yaml", "--scale", str(SCALE)) as cloud:
        env = cloud.cli_env()
        os.environ.update(OS_CLIENT_CONFIG_FILE=env["OS_CLIENT_CONFIG_FILE"])
        for key in [k for k in os.environ if k.startswith("OS_") and k != "OS_CLIENT_CONFIG_FILE"]:
            del os.environ[key]
        openstack = str(Path(sys.executable).parent / "openstack")

        def run(argv: list[str]) -> None:
            subprocess.run(argv, env=env, cwd=ROOT, check=True, capture_output=True, timeout=300)

        port_list, port_list_min = median_seconds(
            lambda: run([openstack, "--os-cloud", CLOUD, "port", "list", "-f", "value", "-c", "ID"]), args.runs)
        topology, topology_min = median_seconds(
            lambda: run([sys.executable, "-m", "netdash", "--os-cloud", CLOUD, "topology", "--format", "json"]),
            args.runs)

        from netdash.cloud.budget import BURST
        from netdash.cloud.client import CloudClient

        def first_fetch(burst: int) -> None:
            client = CloudClient.connect(CLOUD, max_rps=RATE, burst=burst)
            try:
                client.fetch_topology_sync()
            finally:
                client.close()

        bursting, _ = median_seconds(lambda: first_fetch(BURST), args.runs)
        paced, _ = median_seconds(lambda: first_fetch(0), 1)
        rows = [
            ("openstack port list (new process)", f"{port_list:.2f} s", f"min {port_list_min:.2f} s; one type"),
            ("netdash topology (new process), --max-rps 20", f"{topology:.2f} s",
             f"min {topology_min:.2f} s; {port_list / topology:.1f}x as fast as the port list; every type"),
            (f"connect + first fetch in-process, burst {BURST}", f"{bursting:.2f} s",
             f"{paced / bursting:.1f}x as fast as without the burst"),
            ("connect + first fetch in-process, no burst", f"{paced:.2f} s",
             "the pace before the burst: 20 calls a second"),
        ]
        for interval in (2.0, 0.0):
            first, later, window, calendar, refreshes = refresh_loop(interval, args.loop_seconds)
            label = f"every {interval:g} s" if interval else "back to back"
            rows.append((f"refresh loop {label}, --max-rps 20: busiest second", f"{window} req",
                         f"after the burst (first fetch {first} calls at once); {calendar} in the busiest "
                         f"clock second; {later} calls in {refreshes} refreshes over {args.loop_seconds:g} s"))
    print_table(f"--scale {SCALE}, embedded cloud in its own process through clouds.yaml; median of {args.runs} "
                f"runs; {os.cpu_count()} CPUs", rows)


if __name__ == "__main__":
    main()
