"""What the dashboard costs: time to the first topology on screen, refresh time, API calls per refresh.

Side by side in one run against the embedded cloud's seed scenario:
- process start to the first complete topology on screen (`bench.first_paint`, a fresh process each run),
  against `openstack network list` (a fresh process: one resource type) on the same cloud, which runs in
  a process of its own;
- one refresh (fetch of every type + status trees + diff) through the poller, with the default
  `--max-rps 20` and unthrottled, and the API calls each refresh makes as the embedded cloud counts them
  (this part runs the cloud in-process, as `netdash --demo` does, to read its request counter).

    .venv/bin/python -m bench.dashboard [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.support import CLOUD, ROOT, median_seconds, print_table, start_cloud


def first_paint(env: dict[str, str]) -> float:
    started = time.time()
    done = subprocess.run([sys.executable, "-m", "bench.first_paint", CLOUD], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True, timeout=60)
    line = next(line for line in done.stdout.splitlines() if line.startswith("painted "))
    return float(line.split()[1]) - started


def refresh_rows(runs: int) -> list[tuple[str, str, str]]:
    from netdash.cloud.client import CloudClient
    from netdash.cloud.poller import Poller
    from netdash.democloud import DemoCloud

    rows = []
    with DemoCloud() as demo:
        for label, max_rps in (("default --max-rps 20", 20.0), ("unthrottled", 1e6)):
            client = CloudClient.for_demo(demo, max_rps=max_rps)
            poller = Poller(client, interval=2.0)
            asyncio.run(poller.refresh())  # the first fetch authenticates; measure steady refreshes
            before = sum(demo.cloud.requests.values())
            took, _ = median_seconds(lambda p=poller: asyncio.run(p.refresh()), runs)
            calls = (sum(demo.cloud.requests.values()) - before) / runs
            rows.append((f"refresh (fetch + diff), {label}", f"{took * 1000:.0f} ms",
                         f"{calls:.0f} API calls per refresh, counted by the cloud"))
            client.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per row (median reported)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, start_cloud(Path(tmp) / "clouds.yaml") as cloud:
        env = cloud.cli_env()
        cli = [str(Path(sys.executable).parent / "openstack"), "--os-cloud", CLOUD, "network", "list"]
        cli_med, _ = median_seconds(lambda: subprocess.run(cli, env=env, check=True, capture_output=True),
                                    args.runs)
        paints = sorted(first_paint(env) for _ in range(args.runs))
        paint_med = paints[len(paints) // 2]
    rows = [
        ("netdash: start to first complete topology on screen", f"{paint_med * 1000:.0f} ms",
         f"every type, {cli_med / paint_med:.2f}x as fast as the one-type CLI listing"),
        ("openstack network list (new process)", f"{cli_med * 1000:.0f} ms", "one resource type"),
        *refresh_rows(args.runs),
    ]
    print_table(f"seed scenario; median of {args.runs} runs; {os.cpu_count()} CPUs", rows)


if __name__ == "__main__":
    main()
