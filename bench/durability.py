"""What durability costs: an acknowledged write with `--state` (logged and fsynced before its answer) against
the same write to a cloud without `--state`, on the seed scenario and on `--scale 1000`.

For each size two clouds run side by side, each in a process of its own (`python -m netdash.democloud`):
one without `--state` and one with. Raw HTTP (httpx, one keep-alive connection per cloud): what is timed is the
cloud, not a client library.

With `--baseline DIR`, another checkout's two clouds run beside this one's (main's, exported with
`git archive`): a change's effect on the cost of durability, measured in one run.

The requests go to one cloud at a time, in blocks, the clouds taking turns (the first of each round rotates),
and every cloud rests `REST` seconds before its block: long enough for the data plane to finish its re-read of
the cloud after the last write, so that no cloud's background work competes for the two CPUs with another's
measurement (interleaving single writes let one cloud's re-read land in the other's timings).
- back to back: each write sent as soon as the previous one is answered; a block's first write, sent to a
  cloud at rest, is not counted. At `--scale 1000` some of them wait for the data plane's re-read of the
  cloud after an earlier write (it holds the cloud lock; the data plane paces its re-reads), with or without
  `--state`: the mean shows those, the median the others;
- alone: one write to a cloud at rest;
- GET ports (all, admin): a read that hands out every port.

    .venv/bin/python -m bench.durability [--writes 100] [--alone 20] [--scales 0,1000] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
from openstack.config import loader

from bench.support import CLOUD, ROOT, start_cloud

PASSWORD = "bench-durability-Pa55"
#: the clouds.yaml entry of each account (`DemoCloud.all_clouds_yaml`)
USERS = {"demo": "", "admin": "-admin"}
#: seconds a cloud rests before its block: longer than the data plane's re-read of a --scale 1000 cloud
REST = 1.0
#: writes in a back-to-back block (the first is not counted)
BLOCK = 11
Call = Callable[[httpx.Client, int], httpx.Response]


def token(base_url: str, user: str, password: str) -> tuple[str, str]:
    """A token of `user` scoped to its own project, and that project's id."""
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "domain": {"name": "Default"}, "password": password}}},
        "scope": {"project": {"name": user, "domain": {"name": "Default"}}}}}
    resp = httpx.post(f"{base_url}/identity/v3/auth/tokens", json=body, timeout=30)
    resp.raise_for_status()
    return resp.headers["X-Subject-Token"], resp.json()["token"]["project"]["id"]


@contextlib.contextmanager
def cloud(directory: Path, name: str, scale: int, state: bool, root: Path = ROOT) -> Iterator[httpx.Client]:
    extra = ["--password", PASSWORD, *(["--scale", str(scale)] if scale else [])]
    if state:
        extra += ["--state", str(directory / f"{name}.json")]
    with start_cloud(directory / f"{name}.yaml", *extra, root=root) as running:
        config = loader.OpenStackConfig(config_files=[str(running.clouds_yaml)], load_envvars=False)
        auth = {user: config.get_one(f"{CLOUD}{suffix}").config["auth"] for user, suffix in USERS.items()}
        base_url = auth["demo"]["auth_url"].removesuffix("/identity/v3")
        users = {user: token(base_url, user, auth[user]["password"]) for user in USERS}
        # no quota stops the writes (Neutron's default is 100 networks a project)
        httpx.put(f"{base_url}/networking/v2.0/quotas/{users['demo'][1]}", json={"quota": {"network": -1}},
                  headers={"X-Auth-Token": users["admin"][0]}, timeout=30).raise_for_status()
        with httpx.Client(base_url=base_url, timeout=60, headers={"X-Auth-Token": users["demo"][0]}) as client:
            client.headers["X-Admin-Token"] = users["admin"][0]  # kept aside for the admin rows
            yield client


def timed(call: Callable[[], httpx.Response]) -> float:
    started = time.perf_counter()
    resp = call()
    elapsed = time.perf_counter() - started
    assert resp.status_code < 300, resp.text
    return elapsed


def in_turns(clients: dict[str, httpx.Client], call: Call, count: int, block: int,
             made: Counter[str] | None = None) -> dict[str, list[float]]:
    """`count` timed calls per cloud, in blocks of `block` back to back after a rest, the clouds taking turns;
    with a block of more than one, each block's first call (to a cloud at rest) is made but not counted.
    `made` counts the calls made to each cloud."""
    samples: dict[str, list[float]] = {name: [] for name in clients}
    names = list(clients)
    counted = block - 1 if block > 1 else 1
    serial = 0
    for round_ in range(-(-count // counted)):
        for name in names[round_ % len(names):] + names[:round_ % len(names)]:
            time.sleep(REST)
            for index in range(block):
                serial += 1
                elapsed = timed(lambda c=clients[name], i=serial: call(c, i))
                if made is not None:
                    made[name] += 1
                if block == 1 or index > 0:
                    samples[name].append(elapsed)
    return samples


def measure(scale: int, writes: int, alone: int, checkouts: dict[str, Path]) -> list[list[str]]:
    """For each checkout a cloud without `--state` and one with, all side by side: a row per kind of request,
    the median (mean) of each cloud, and each checkout's ratio of its `--state` cloud to its other one."""
    label = f"--scale {scale}" if scale else "seed scenario"
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        clients = {f"{name} {kind}": stack.enter_context(
            cloud(Path(tmp), f"{name}-{kind}", scale, kind == "state", root))
            for name, root in checkouts.items() for kind in ("plain", "state")}
        ports = {name: c.get("/networking/v2.0/ports", params={"limit": 1}).json()["ports"][0]["id"]
                 for name, c in clients.items()}
        port_of = {id(c): ports[name] for name, c in clients.items()}

        def logged_now() -> dict[str, int]:
            return {name: sum(p.stat().st_size for p in Path(tmp).glob(f".{name.replace(' ', '-')}.json.log.*"))
                    for name in clients}

        at_start = logged_now()  # what the start logged (the data plane tagging every endpoint)

        def post(c: httpx.Client, i: int) -> httpx.Response:
            return c.post("/networking/v2.0/networks", json={"network": {"name": f"bench-{i}"}})

        def rename(c: httpx.Client, i: int) -> httpx.Response:
            return c.put(f"/networking/v2.0/ports/{port_of[id(c)]}", json={"port": {"name": f"bench-{i}"}})

        def list_ports(c: httpx.Client, i: int) -> httpx.Response:
            return c.get("/networking/v2.0/ports", headers={"X-Auth-Token": c.headers["X-Admin-Token"]})

        made: Counter[str] = Counter()
        kinds = {"POST network, back to back": in_turns(clients, post, writes, BLOCK, made),
                 "PUT port name, back to back": in_turns(clients, rename, writes, BLOCK, made),
                 "PUT port name, alone": in_turns(clients, rename, alone, 1, made),
                 "GET ports (all, admin), alone": in_turns(clients, list_ports, max(3, alone // 4), 1)}
        logged = {name: size - at_start[name] for name, size in logged_now().items()}
    rows = []
    for what, samples in kinds.items():
        row = [f"{label}: {what}"]
        for name in checkouts:
            plain, state = samples[f"{name} plain"], samples[f"{name} state"]
            row += [f"{statistics.median(plain) * 1000:.1f} ({statistics.mean(plain) * 1000:.1f})",
                    f"{statistics.median(state) * 1000:.1f} ({statistics.mean(state) * 1000:.1f})",
                    f"{statistics.median(state) / statistics.median(plain):.2f}x "
                    f"({statistics.mean(state) / statistics.mean(plain):.2f}x)"]
        rows.append(row)
    bytes_row = [f"{label}: log bytes per write"]
    for name in checkouts:
        bytes_row += ["", f"{logged[f'{name} state'] / max(1, made[f'{name} state']):.0f} B", ""]
    rows.append(bytes_row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=100, help="back-to-back writes of each kind counted per cloud")
    parser.add_argument("--alone", type=int, default=20, help="writes to a cloud at rest per cloud")
    parser.add_argument("--scales", default="0,1000", help="comma-separated; 0 is the seed scenario")
    parser.add_argument("--baseline", type=Path, help="another netdash checkout, whose two clouds run beside")
    args = parser.parse_args()
    if args.baseline is not None and not (args.baseline / "netdash").is_dir():
        raise SystemExit(f"--baseline {args.baseline}: not a netdash checkout")
    checkouts = {**({"baseline": args.baseline} if args.baseline else {}), "this": ROOT}
    rows: list[list[str]] = []
    for scale in (int(text) for text in args.scales.split(",")):
        rows += measure(scale, args.writes, args.alone, checkouts)
    heads = [f"{name}: {what}" for name in checkouts for what in ("no --state", "--state", "ratio")]
    width = max(len(r[0]) for r in rows)
    print(f"ms per request, median (mean); clouds side by side in turns; {args.writes} back-to-back writes of each "
          f"kind and {args.alone} alone per cloud; 2 CPUs" + (f"; baseline: {args.baseline}" if args.baseline else ""))
    print(f"{'measurement':<{width}}  " + "  ".join(f"{h:>20}" for h in heads))
    for name, *values in rows:
        print(f"{name:<{width}}  " + "  ".join(f"{v:>20}" for v in values))


if __name__ == "__main__":
    main()
