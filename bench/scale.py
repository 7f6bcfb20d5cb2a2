"""The dashboard on `--scale` projects: first paint, refresh, key latency during a refresh, RSS, API calls.

For each scale the embedded cloud runs `--scale N` in a process of its own (as a real cloud is elsewhere),
and a fresh dashboard process (headless, `App.run_test`) measures, from its own start:
- first paint: process start to the first complete topology on screen;
- refresh: `r` to the new snapshot applied to the tree (fetch + convert + diff + update), unthrottled
  (`--max-rps` opened) so the row is the dashboard's and the cloud's cost, not the rate limiter's;
- key latency: then as many refreshes again, with `down`/`up` posted every 20 ms (a held arrow key) while
  each runs, until the tree's cursor moved: p50, p95, max, and how many took over 50 ms; with `--view map`
  the same keys on the topology map (`M`), its selection moving among the boxes of a network opened first,
  and how long `M` took to show the map and `enter` to open that network's bar;
- RSS: the dashboard process's peak resident memory;
- API calls per refresh, counted at the client's request boundary (pagination pages included).

    .venv/bin/python -m bench.scale [--scales 10,100,1000] [--refreshes 5] [--view tree,map]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.support import CLOUD, ROOT, start_cloud


async def answer(app: Any, key: str) -> float:
    """Seconds from a key event arriving, as a terminal driver posts it, to the tree's cursor (or the map's
    selection) having moved. (Not `pilot.press`: it also waits for the whole process to go idle, which a
    refresh thread prevents.)"""
    navigator = app.views.navigator()
    before = navigator.cursor_line if navigator.id == "tree" else navigator.selected
    return await until_posted(app, key, lambda: (navigator.cursor_line if navigator.id == "tree"
                                                 else navigator.selected) != before)


async def until_posted(app: Any, key: str, done: Any) -> float:
    """Seconds from posting a key event to `done()` being true, the screen painted after it."""
    from textual import events

    pressed = time.perf_counter()
    app.post_message(events.Key(key, None))
    while not done():
        await asyncio.sleep(0.001)
    return time.perf_counter() - pressed


async def open_map(app: Any, pilot: Any, result: dict[str, Any]) -> None:
    """`M`, then `enter` on the third network's bar (a large project's map opens with every bar closed), then
    the selection into that network's boxes: the keys measured then move among them."""
    topology_map = app.query_one("#map")
    result["map_toggle"] = await until_posted(app, "M", lambda: app.views.map_shown and topology_map.map_layout)
    await pilot.pause()
    topology_map.action_first()
    for _ in range(3):
        topology_map.action_move("down")
    network = topology_map.selected[1]
    result["map_open"] = await until_posted(app, "enter", lambda: topology_map.is_open(network))
    await pilot.pause()
    topology_map.action_move("down")
    result["map_boxes"] = sum(1 for spot in topology_map.map_layout.spots if spot.boxed)


async def measure(started: float, refreshes: int, fetch: str, view: str = "tree") -> dict[str, Any]:
    from netdash.cloud.client import CloudClient
    from netdash.tui.app import NetdashApp

    client = CloudClient.connect(CLOUD, max_rps=1e6)
    app = NetdashApp(client, interval=3600, freeze_gc=True, fetch_process=fetch == "process")  # as `netdash` runs it
    result: dict[str, Any] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        while not (app.refreshes and app.topology.servers):
            await pilot.pause(0.005)
        await pilot.pause()
        result["first_paint"] = time.time() - started
        if fetch == "process":  # started after the first paint: measure the refreshes it makes
            deadline = time.monotonic() + 60
            while not client.fetch_process_ready() and time.monotonic() < deadline:
                await pilot.pause(0.01)
        result["ports"], result["servers"] = len(app.topology.ports), len(app.topology.servers)
        if view == "map":
            await open_map(app, pilot, result)
        took, calls, keys = [], [], []
        for _ in range(refreshes):  # refreshes alone: what a refresh costs
            before, done, sent = app.refreshes, client.api_calls, time.perf_counter()
            app.action_refresh_now()
            while app.refreshes == before:
                await asyncio.sleep(0.002)
            await pilot.pause()
            took.append(time.perf_counter() - sent)
            calls.append(client.api_calls - done)
        for _ in range(refreshes):  # then keys during refreshes, as a held arrow key repeats them
            before = app.refreshes
            app.action_refresh_now()
            key = "down"
            while app.refreshes == before:
                keys.append(await answer(app, key))
                key = "up" if key == "down" else "down"
                await asyncio.sleep(0.02)
            await pilot.pause()
        result["refresh"] = statistics.median(took)
        result["calls"] = statistics.median(calls)
        result["calls_max"] = max(calls)
        result["key_p50"] = statistics.median(keys)
        result["key_p95"] = statistics.quantiles(keys, n=20, method="inclusive")[-1]
        result["key_max"] = max(keys)
        result["keys_over_50ms"] = sum(k > 0.05 for k in keys)
        result["keys"] = len(keys)
        result["changes"] = app.query_one("#tree").last_changes  # type: ignore[attr-defined]
        result["view"] = view
    child = client.fetcher.process
    result["fetch_rss_mb"] = peak_rss_mb(child._process.pid) if child is not None else 0.0
    client.close()
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_scale(n: int, refreshes: int, fetches: list[str], views: list[str]) -> list[tuple[str, dict[str, Any], float]]:
    with tempfile.TemporaryDirectory() as tmp:
        cloud_started = time.perf_counter()
        with start_cloud(Path(tmp) / "clouds.yaml", "--scale", str(n)) as cloud:
            cloud_start = time.perf_counter() - cloud_started
            env = cloud.cli_env()
            rows = []
            for fetch in fetches:  # one cloud for all: the rows differ only in where the fetch runs and the view
                for view in views:
                    started = time.time()
                    done = subprocess.run([sys.executable, "-m", "bench.scale", "--child", str(started), "--refreshes",
                                           str(refreshes), "--fetch", fetch, "--view", view], env=env, cwd=ROOT,
                                          capture_output=True, text=True, check=True, timeout=300)
                    line = next(line for line in done.stdout.splitlines() if line.startswith("{"))
                    rows.append((fetch, json.loads(line), cloud_start))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="10,100,1000", help="comma-separated scales (default 10,100,1000)")
    parser.add_argument("--refreshes", type=int, default=5, help="refreshes measured per scale (median)")
    parser.add_argument("--fetch", default="process,inline",
                        help="where the dashboard fetches: process (its fetch process, as netdash runs), inline "
                             "(its own process), or both (default process,inline)")
    parser.add_argument("--view", default="tree",
                        help="where the keys go: tree, map (the topology map, M), or both (tree,map; default tree)")
    parser.add_argument("--child", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(asyncio.run(measure(args.child, args.refreshes, args.fetch, args.view))), flush=True)
        return
    rows, notes = [], []
    for n in (int(s) for s in args.scales.split(",")):
        for fetch, r, cloud_start in run_scale(n, args.refreshes, args.fetch.split(","), args.view.split(",")):
            if r["view"] == "map":
                notes.append(f"map at {n} ({fetch}): M showed it in {r['map_toggle'] * 1000:.0f} ms; enter opened a "
                             f"network's bar ({r['map_boxes']} boxes) in {r['map_open'] * 1000:.0f} ms")
            rss = f"{r['rss_mb']:.0f}" + (f" + {r['fetch_rss_mb']:.0f}" if r.get("fetch_rss_mb") else "") + " MB"
            rows.append((f"{n}", fetch, r["view"], f"{r['servers']}/{r['ports']}", f"{cloud_start:.1f} s",
                         f"{r['first_paint']:.2f} s", f"{r['refresh'] * 1000:.0f} ms",
                         "/".join(f"{r[k] * 1000:.0f}" for k in ("key_p50", "key_p95", "key_max")) + " ms",
                         f"{r['keys_over_50ms']} of {r['keys']}", rss, f"{r['calls']:.0f} (max {r['calls_max']})"))
    print(f"--scale N, cloud in its own process; median of {args.refreshes} refreshes, unthrottled; "
          f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    head = ("scale", "fetch", "view", "servers/ports", "cloud start", "first paint", "refresh", "key p50/p95/max",
            "keys > 50 ms", "RSS (+ fetch process)", "API calls")
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    for row in (head, *rows):
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
