"""Actions: time from confirmation to verified state, netdash against the `openstack` CLI, same cloud.

netdash: `action.execute(client, plan, progress)` after the plan is confirmed (the CLI's `--yes` point):
the change, the waits (Neutron status, Octavia ACTIVE) and the read-back. The CLI: the change command
(`floating ip set --port`, `loadbalancer pool set --lb-algorithm --wait`), plus one `show` to verify what a
script would verify. The embedded cloud runs in a process of its own with its default provisioning delay
(0.5 s of PENDING_UPDATE per Octavia change), which both sides wait for.

    .venv/bin/python -m bench.actions [--runs N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.support import CLOUD, median_seconds, print_table, start_cloud

OPENSTACK = str(Path(sys.executable).with_name("openstack"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp, start_cloud(Path(tmp) / "clouds.yaml") as cloud:
        os.environ.update({k: v for k, v in cloud.cli_env().items() if k.startswith("OS_")})
        from netdash.actions import ChangePoolAlgorithm, MoveFloatingIP
        from netdash.cloud.client import CloudClient

        client = CloudClient.connect(CLOUD, max_rps=1000)
        topology = client.fetch_topology_sync()
        server_fip = next(f for f in topology.floating_ips.values()
                          if f.port_id and topology.ports[f.port_id].device_id in topology.servers)
        address = server_fip.floating_ip_address
        targets = ["server2", "server1"]
        algorithms = ["SOURCE_IP", "ROUND_ROBIN"]

        def netdash(make: object) -> None:
            action = make()  # type: ignore[operator]
            plan = action.plan(client.fetch_topology_sync(), client)  # planning happens before confirmation: untimed
            started = time.perf_counter()
            result = action.execute(client, plan, lambda _: None)
            samples.append(time.perf_counter() - started)
            assert result.ok, result.summary

        def timed_netdash(make_for: object) -> tuple[float, float]:
            samples.clear()
            for n in range(runs):
                netdash(lambda n=n: make_for(n))  # type: ignore[operator]
            samples.sort()
            return samples[len(samples) // 2], samples[0]

        samples: list[float] = []
        fip_nd = timed_netdash(lambda n: MoveFloatingIP(address, targets[n % 2]))
        algo_nd = timed_netdash(lambda n: ChangePoolAlgorithm("web_pool", algorithms[n % 2]))

        reachable = {t.id for t in topology.floating_ip_targets(server_fip)} | {server_fip.port_id}
        ports = {s.name: next(p.id for p in topology.ports_of_device(s.id) if p.id in reachable)
                 for s in topology.servers.values()}
        env = cloud.cli_env()

        def osc(*argv: str) -> str:
            done = subprocess.run([OPENSTACK, "--os-cloud", CLOUD, *argv], env=env, capture_output=True, text=True,
                                  check=True)
            return done.stdout.strip()

        counter = iter(range(10_000))

        def cli_fip() -> None:
            target = ports[targets[next(counter) % 2]]
            osc("floating", "ip", "set", "--port", target, address)
            assert osc("floating", "ip", "show", address, "-f", "value", "-c", "port_id") == target

        def cli_algorithm() -> None:
            algorithm = algorithms[next(counter) % 2]
            osc("loadbalancer", "pool", "set", "--lb-algorithm", algorithm, "--wait", "web_pool")
            assert osc("loadbalancer", "pool", "show", "web_pool", "-f", "value", "-c", "lb_algorithm") == algorithm

        fip_cli = median_seconds(cli_fip, runs)
        counter = iter(range(10_000))
        algo_cli = median_seconds(cli_algorithm, runs)
        client.close()

    def ms(value: float) -> str:
        return f"{value * 1000:.0f} ms"

    print_table(f"confirmation to verified state, embedded cloud in its own process; median of {runs} runs; "
                f"{os.cpu_count()} CPUs", [
                    ("move floating IP: netdash", ms(fip_nd[0]), f"min {ms(fip_nd[1])}; "
                     f"{fip_cli[0] / fip_nd[0]:.0f}x faster than the CLI"),
                    ("move floating IP: openstack floating ip set + show", ms(fip_cli[0]), f"min {ms(fip_cli[1])}"),
                    ("pool algorithm: netdash (waits for ACTIVE)", ms(algo_nd[0]), f"min {ms(algo_nd[1])}; "
                     f"{algo_cli[0] / algo_nd[0]:.1f}x faster than the CLI"),
                    ("pool algorithm: openstack loadbalancer pool set --wait + show", ms(algo_cli[0]),
                     f"min {ms(algo_cli[1])}"),
                ])


if __name__ == "__main__":
    main()
