"""What the dashboard costs: time to the first topology on screen, refresh time, API calls per refresh.

Side by side in one run against the embedded cloud's seed scenario, which runs in a process of its own:
- `openstack network list` (a new process: one resource type);
- `netdash topology` (a new process: every type, printed as a tree);
- `netdash` on a terminal, from its start to the first complete topology on screen (`bench.first_paint`:
  a new process on a pseudo-terminal);
in turns, `--runs` rounds, so that whatever else loads the machine loads them alike; each round's ratios
to the CLI, then their median and spread. `--compare NAME=DIR` adds the two netdash rows of another
checkout (`git archive` of main, say), run as `python -m netdash` from DIR with the same venv, in the same
rounds;
- one refresh (fetch of every type + status trees + diff) through the poller, with the default
  `--max-rps 20` and unthrottled, and the API calls each refresh makes as the embedded cloud counts them
  (this part runs the cloud in-process, to read its request counter).

    .venv/bin/python -m bench.dashboard [--runs 7] [--compare main=/tmp/main] [--no-refresh]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.first_paint import paint_seconds
from bench.support import CLOUD, ROOT, median_seconds, print_table, start_cloud

BIN = Path(sys.executable).parent


def timed(argv: list[str], env: dict[str, str], cwd: Path = ROOT) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, check=True, capture_output=True, timeout=60)
    return time.perf_counter() - started


def commands(env: dict[str, str], checkouts: dict[str, Path]) -> dict[str, Callable[[], float]]:
    """What each round runs, by row name: the CLI, then each checkout's two netdash rows (this one's as the
    `netdash` command a user types, the others' as `python -m netdash` from their directory)."""
    found: dict[str, Callable[[], float]] = {
        "cli": lambda: timed([str(BIN / "openstack"), "--os-cloud", CLOUD, "network", "list"], env)}
    for name, where in checkouts.items():
        netdash = [str(BIN / "netdash")] if where == ROOT else [sys.executable, "-m", "netdash"]
        found[f"{name} topology"] = lambda n=netdash, w=where: timed([*n, "--os-cloud", CLOUD, "topology"], env, w)
        found[f"{name} dashboard"] = lambda n=netdash, w=where: paint_seconds([*n, "--os-cloud", CLOUD], env, cwd=w)
    return found


def side_by_side(env: dict[str, str], checkouts: dict[str, Path], runs: int) -> dict[str, list[float]]:
    """Seconds per round of each command, in turns. A first round, not counted, warms the disk cache and
    writes every module's bytecode, as installing a program does (pip compiles it; without it, each start
    compiles again whatever it imports: PYTHONDONTWRITEBYTECODE is dropped for this)."""
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    runners = commands(env, checkouts)
    for run in runners.values():
        run()
    samples: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(runs):
        for name, run in runners.items():
            samples[name].append(run())
    return samples


def spread(values: list[float], unit: str = "", scale: float = 1.0, digits: int = 2) -> str:
    return (f"median {statistics.median(values) * scale:.{digits}f}{unit}, "
            f"{min(values) * scale:.{digits}f}-{max(values) * scale:.{digits}f}{unit}")


def load() -> str:
    return "load average " + " ".join(f"{v:.1f}" for v in os.getloadavg())


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
    parser.add_argument("--runs", type=int, default=7, help="rounds (median reported, and the spread)")
    parser.add_argument("--compare", action="append", default=[], metavar="NAME=DIR",
                        help="another checkout's netdash rows beside this one's (repeatable)")
    parser.add_argument("--no-refresh", action="store_true", help="only the side-by-side rows")
    args = parser.parse_args()
    checkouts = {"this": ROOT, **{n: Path(d).resolve() for n, _, d in (c.partition("=") for c in args.compare)}}
    before = load()
    with tempfile.TemporaryDirectory() as tmp, start_cloud(Path(tmp) / "clouds.yaml") as cloud:
        samples = side_by_side(cloud.cli_env(), checkouts, args.runs)
    cli = samples["cli"]
    rows = [("openstack network list (new process)", f"{statistics.median(cli) * 1000:.0f} ms",
             f"one resource type; {spread(cli, ' ms', 1000, 0)}")]
    for name in checkouts:
        for row, label, what in (("topology", "netdash topology (new process)", "every type"),
                                 ("dashboard", "netdash: start to first complete topology on screen",
                                  "every type, on a pty")):
            taken = samples[f"{name} {row}"]
            ratios = [t / c for t, c in zip(taken, cli, strict=True)]
            rows.append((f"{label}{'' if name == 'this' else f' [{name}]'}",
                         f"{statistics.median(taken) * 1000:.0f} ms",
                         f"{what}; {spread(taken, ' ms', 1000, 0)}; x the CLI per round: {spread(ratios, 'x')}"))
    if not args.no_refresh:
        rows += refresh_rows(5)
    print_table(f"seed scenario; {args.runs} rounds in turns; {os.cpu_count()} CPUs; Python "
                f"{sys.version.split()[0]}; {before} before, {load()} after", rows)


if __name__ == "__main__":
    main()
