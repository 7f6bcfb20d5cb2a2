"""What durability costs: an acknowledged write with `--state` (logged and fsynced before its answer) against
the same write to a cloud without `--state`, on the seed scenario and on `--scale 1000`.

Two clouds of each size run side by side, each in a process of its own (`python -m netdash.democloud`), and
the writes alternate between them, so both see the same machine at the same moment. Raw HTTP (httpx, one
keep-alive connection per cloud): what is timed is the cloud, not a client library.
- POST network: a new record (and its place in creation order);
- PUT port name: one record of ~6,300 changed at `--scale 1000`; back to back, each write also waits for
  the data plane's re-read of the cloud after the previous one (it holds the cloud lock, and with `--state`
  the log compares every record it read); paced, 0.5 s apart, it does not;
- GET ports (all of them, as admin): a read hands out every port, and the log compares each with what it
  logged (the read side of the tracking; no entry is written).

    .venv/bin/python -m bench.durability [--writes 300] [--paced 30] [--scales 0,1000]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
from openstack.config import loader

from bench.support import CLOUD, start_cloud

PASSWORD = "bench-durability-Pa55"
#: the clouds.yaml entry of each account (`DemoCloud.all_clouds_yaml`)
USERS = {"demo": "", "admin": "-admin"}
#: seconds between the paced writes: longer than the data plane's reconcile of a --scale 1000 cloud
PAUSE = 0.5


def token(base_url: str, user: str, password: str) -> str:
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "domain": {"name": "Default"}, "password": password}}},
        "scope": {"project": {"name": user, "domain": {"name": "Default"}}}}}
    resp = httpx.post(f"{base_url}/identity/v3/auth/tokens", json=body, timeout=30)
    resp.raise_for_status()
    return resp.headers["X-Subject-Token"]


@contextlib.contextmanager
def cloud(directory: Path, name: str, scale: int, state: bool) -> Iterator[httpx.Client]:
    extra = ["--password", PASSWORD, *(["--scale", str(scale)] if scale else [])]
    if state:
        extra += ["--state", str(directory / f"{name}.json")]
    with start_cloud(directory / f"{name}.yaml", *extra) as running:
        config = loader.OpenStackConfig(config_files=[str(running.clouds_yaml)], load_envvars=False)
        auth = {user: config.get_one(f"{CLOUD}{suffix}").config["auth"] for user, suffix in USERS.items()}
        base_url = auth["demo"]["auth_url"].removesuffix("/identity/v3")
        users = {user: token(base_url, user, auth[user]["password"]) for user in USERS}
        with httpx.Client(base_url=base_url, timeout=60, headers={"X-Auth-Token": users["demo"]}) as client:
            client.headers["X-Admin-Token"] = users["admin"]  # kept aside for the admin rows
            yield client


def timed(call: Callable[[], httpx.Response]) -> float:
    started = time.perf_counter()
    resp = call()
    elapsed = time.perf_counter() - started
    assert resp.status_code < 300, resp.text
    return elapsed


def measure(scale: int, writes: int, reads: int, paced: int) -> list[tuple[str, str, str, str]]:
    label = f"--scale {scale}" if scale else "seed scenario"
    samples: dict[tuple[str, bool], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp, cloud(Path(tmp), "plain", scale, False) as plain, \
            cloud(Path(tmp), "durable", scale, True) as durable:
        ports = {}
        for client in (plain, durable):
            found = client.get("/networking/v2.0/ports", params={"limit": 1}).json()["ports"]
            ports[id(client)] = found[0]["id"]
        for index in range(writes):
            for state, client in ((False, plain), (True, durable)):
                samples.setdefault(("POST network", state), []).append(timed(lambda c=client, i=index: c.post(
                    "/networking/v2.0/networks", json={"network": {"name": f"bench-{i}"}})))
                samples.setdefault(("PUT port name", state), []).append(timed(lambda c=client, i=index: c.put(
                    f"/networking/v2.0/ports/{ports[id(c)]}", json={"port": {"name": f"bench-{i}"}})))
        for index in range(paced):  # apart: the data plane's re-read of the previous write is over
            time.sleep(PAUSE)
            for state, client in ((False, plain), (True, durable)):
                samples.setdefault((f"PUT port name, {PAUSE:g} s apart", state), []).append(timed(
                    lambda c=client, i=index: c.put(f"/networking/v2.0/ports/{ports[id(c)]}",
                                                    json={"port": {"name": f"paced-{i}"}})))
        for _ in range(reads):
            for state, client in ((False, plain), (True, durable)):
                admin = {"X-Auth-Token": client.headers["X-Admin-Token"]}
                samples.setdefault(("GET ports (all, admin)", state), []).append(timed(
                    lambda c=client, h=admin: c.get("/networking/v2.0/ports", headers=h)))
        logs = sorted(Path(tmp).glob(".durable.json.log.*"))
        logged = sum(path.stat().st_size for path in logs)
    rows = []
    for what in ("POST network", "PUT port name", f"PUT port name, {PAUSE:g} s apart", "GET ports (all, admin)"):
        without = statistics.median(samples[(what, False)]) * 1000
        with_log = statistics.median(samples[(what, True)]) * 1000
        p99 = sorted(samples[(what, True)])[int(len(samples[(what, True)]) * 0.99) - 1] * 1000
        rows.append((f"{label}: {what}", f"{without:.2f} ms", f"{with_log:.2f} ms",
                     f"{with_log / without:.2f}x; p99 with --state {p99:.2f} ms"))
    rows.append((f"{label}: log bytes per write", "", f"{logged / (2 * writes):.0f} B",
                 f"{len(logs)} log file(s) at the end"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--reads", type=int, default=10)
    parser.add_argument("--paced", type=int, default=30, help="writes with a pause before each")
    parser.add_argument("--scales", default="0,1000", help="comma-separated; 0 is the seed scenario")
    args = parser.parse_args()
    rows: list[tuple[str, str, str, str]] = []
    for scale in (int(text) for text in args.scales.split(",")):
        rows += measure(scale, args.writes, args.reads, args.paced)
    width = max(len(r[0]) for r in rows)
    print(f"median per request over {args.writes} writes of each kind ({args.reads} reads), the two clouds "
          "side by side; 2 CPUs")
    print(f"{'measurement':<{width}}  {'no --state':>11}  {'--state':>11}  ratio / note")
    for name, without, with_log, note in rows:
        print(f"{name:<{width}}  {without:>11}  {with_log:>11}  {note}")


if __name__ == "__main__":
    main()
