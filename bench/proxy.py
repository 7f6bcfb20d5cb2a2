"""What the embedded load balancer costs: GETs through its floating IP against GETs of one backend directly.

The embedded cloud runs in a process of its own (`python -m netdash.democloud`, the seed scenario: the `web`
load balancer, ROUND_ROBIN over server1 (nginx) and server2 (Apache), a floating IP on its VIP). The
floating IP's endpoint is read from the cloud's endpoint list (`/democloud/endpoints`), as any client must;
the direct backend endpoint is the one `python -m netdash.democloud` prints. Each row sends the same `GET /`
with `http.client` (lighter than httpx, so the client is not what is measured): keep-alive from 1 and 4
client threads, and one new connection per request.

    .venv/bin/python -m bench.proxy [--requests 2000]
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.support import RunningCloud, start_cloud


def lb_endpoint(cloud: RunningCloud) -> str:
    """Where the cloud serves the `web` load balancer's floating IP: its endpoint list says, at the URL its
    clouds.yaml entry names (`democloud_endpoints`)."""
    conn = cloud.connect()
    lb = conn.load_balancer.find_load_balancer("web")
    (fip,) = conn.network.ips(port_id=lb.vip_port_id)
    listed = httpx.get(conn.config.config["democloud_endpoints"],
                       headers={"X-Auth-Token": conn.session.get_token()}).json()["endpoints"]
    return str(next(e["endpoints"][0] for e in listed if (e["resource"], e["id"]) == ("floatingip", fip.id)))


def split(endpoint: str) -> tuple[str, int]:
    host, port = endpoint.rsplit(":", 1)
    return host, int(port)


def worker(endpoint: tuple[str, int], count: int, keep_alive: bool, latencies: list[float]) -> None:
    conn = http.client.HTTPConnection(*endpoint, timeout=10)
    for _ in range(count):
        started = time.perf_counter()
        if not keep_alive:
            conn = http.client.HTTPConnection(*endpoint, timeout=10)
        conn.request("GET", "/", headers={} if keep_alive else {"Connection": "close"})
        resp = conn.getresponse()
        resp.read()
        if resp.status != 200:
            raise SystemExit(f"GET / answered {resp.status}")
        latencies.append(time.perf_counter() - started)
        if not keep_alive:
            conn.close()
    conn.close()


def measure(endpoint: tuple[str, int], requests: int, threads: int, keep_alive: bool) -> tuple[float, float, float]:
    latencies: list[float] = []
    per_thread = requests // threads
    workers = [threading.Thread(target=worker, args=(endpoint, per_thread, keep_alive, latencies))
               for _ in range(threads)]
    started = time.perf_counter()
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return len(latencies) / elapsed, cuts[49] * 1000, cuts[98] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, start_cloud(Path(tmp) / "clouds.yaml") as cloud:
        backend = next(line for line in cloud.dataplane if "server server1" in line and "backend" in line)
        direct = split(backend.rsplit(": ", 1)[1])
        through = split(lb_endpoint(cloud))
        rows = []
        for label, keep_alive, threads in (("keep-alive, 1 client", True, 1), ("keep-alive, 4 clients", True, 4),
                                           ("new connection per request", False, 1)):
            for target, endpoint in (("backend server1 directly", direct), ("LB floating IP, 2 members",
                                                                              through)):
                measure(endpoint, 100, threads, keep_alive)  # warm up
                rows.append((f"{target}: {label}", *measure(endpoint, args.requests, threads, keep_alive)))
    print(f"GET / on the embedded cloud's data plane; {args.requests} requests per row; {os.cpu_count()} CPUs; "
          f"Python {sys.version.split()[0]}")
    print(f"{'measurement':<62}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}")
    for label, rate, p50, p99 in rows:
        print(f"{label:<62}{rate:>8.0f}{p50:>9.2f}{p99:>9.2f}")


if __name__ == "__main__":
    main()
