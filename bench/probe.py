"""What the probe costs: its achieved rate and CPU at 50, 100 and 200 req/s, against a `curl` loop; and how
soon it shows a floating IP's move (issue 16), against a `curl` loop.

The embedded cloud runs in a process of its own (`python -m netdash.democloud`, the seed scenario); the target is
the `web` load balancer's floating IP, read from the cloud's endpoint list. Each probe row runs
`cloud.probe.Prober` in this process for `--duration` seconds at the rate and counts this process's CPU
(user + system, `getrusage`): the cloud's work is not in it. Each curl row makes the same number of
requests with `for i in $(seq N); do curl -s -o /dev/null URL; done` (the shell and every curl process
counted as children's CPU), as document 000 has its reader do by hand. It uses the system's `curl`.

The second table moves the load balancer's floating IP to server1 (`MoveFloatingIP`, as the dashboard's
`m` runs it once confirmed; then back, untimed) while five clients GET it, and times, from the
confirmation, when each first shows server1 alone (`bench/probe_follow.py`), and its ratio to the `curl`
loop's. The third table times the same move from confirmation to result with and without its proof by
traffic (`actions.traffic`: a few requests before and after).

    .venv/bin/python -m bench.probe [--duration 4] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.probe_follow import follow_table, proof_table
from bench.proxy import lb_endpoint
from bench.support import start_cloud
from netdash.cloud.probe import Prober
from netdash.cloud.probe_stats import Window

RATES = (50, 100, 200)


def cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def probe_row(url: str, rate: int, duration: float) -> tuple[int, float, float, float, str]:
    prober = Prober(url, rate=rate, window=Window(max_count=1_000_000, max_age=float("inf")))
    cpu0, wall0 = cpu(resource.RUSAGE_SELF), time.perf_counter()
    asyncio.run(prober.run(duration=duration))
    wall, used = time.perf_counter() - wall0, cpu(resource.RUSAGE_SELF) - cpu0
    stats = prober.stats()
    shares = " ".join(f"{b.backend} {b.share:.0%}" for b in stats.backends)
    return stats.total, wall, used, stats.p50 or 0.0, f"{shares}; errors {stats.error_rate:.1%}"


def curl_row(curl: str, url: str, count: int) -> tuple[int, float, float]:
    script = f'for i in $(seq {count}); do "{curl}" -s -o /dev/null "{url}" || exit 1; done'
    cpu0, wall0 = cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run(["sh", "-c", script], check=True)
    return count, time.perf_counter() - wall0, cpu(resource.RUSAGE_CHILDREN) - cpu0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per probe row (default 4)")
    parser.add_argument("--runs", type=int, default=5, help="floating-IP moves timed (default 5)")
    args = parser.parse_args()
    curl = shutil.which("curl")
    if curl is None:
        raise SystemExit("bench.probe needs the system's curl (apt-get install curl); the probe rows need nothing")
    version = subprocess.run([curl, "--version"], check=True, capture_output=True, text=True).stdout.split()[1]
    with tempfile.TemporaryDirectory() as tmp, start_cloud(Path(tmp) / "clouds.yaml") as cloud:
        url = f"http://{lb_endpoint(cloud)}/"
        print(f"GET {url} (the web load balancer's floating IP, ROUND_ROBIN over 2 members); {os.cpu_count()} CPUs; "
              f"Python {sys.version.split()[0]}; curl {version} ({curl}); {args.duration:g} s per probe row")
        print(f"{'measurement':<34} {'requests':>8} {'wall s':>7} {'req/s':>8} {'CPU s':>7} {'CPU ms/req':>10} "
              f"{'CPU %':>6}  note")
        for rate in RATES:
            count, wall, used, p50, note = probe_row(url, rate, args.duration)
            print(f"{f'netdash probe, target {rate} req/s':<34} {count:>8} {wall:>7.2f} {count / wall:>8.1f} "
                  f"{used:>7.2f} {used / count * 1000:>10.2f} {used / wall:>6.0%}  p50 {p50:.1f} ms; {note}")
            count, wall, used = curl_row(curl, url, count)
            print(f"{'curl loop, same number of requests':<34} {count:>8} {wall:>7.2f} {count / wall:>8.1f} "
                  f"{used:>7.2f} {used / count * 1000:>10.2f} {used / wall:>6.0%}  as fast as it goes")
        print()
        follow_table(cloud, url, curl, args.runs)
        print()
        proof_table(cloud, args.runs)


if __name__ == "__main__":
    main()
