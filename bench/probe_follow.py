"""How soon a floating IP's move shows (issue 16): from the action's confirmation to the first answer of
the new backend, for five clients that GET the `web` load balancer's floating IP side by side.

- the probe as the dashboard runs it: keep-alive, following the target's meaning. The action's touched
  objects are on the probed address's way, so it reconnects as soon as the action's result is in; the
  refresh that follows only retitles. What the pane shows is its window after the reconnect: server1 alone.
- the same probe when the change is made elsewhere (the CLI, another operator): it reconnects at the next
  refresh that shows it, every `INTERVAL` s (the dashboard's default), at the default `--max-rps`;
- the probe with a new connection per request (`k`, `--new-connection`): its first server1 answer;
- a `curl` loop: its first server1 answer;
- keep-alive without following (the probe before issue 16): its connection stays on the load balancer,
  which the embedded cloud keeps as Neutron's L3 agent keeps the conntrack entry of a moved floating IP.

Each probe runs at `RATE` req/s in a thread and event loop of its own, as in the dashboard; the cloud is
in its own process. Times are from the confirmation (the moment `execute` is called) to the answer's
arrival; a probe's pane draws it at most a third of its tick later (`tui.probe_control.soon`).
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from functools import partial

from bench.support import CLOUD, RunningCloud
from netdash.actions import MoveFloatingIP
from netdash.cloud.client import CloudClient
from netdash.cloud.model import FloatingIP, LoadBalancer, Port, Topology
from netdash.cloud.probe import Prober
from netdash.cloud.probe_stats import Window
from netdash.cloud.probe_values import Sample
from netdash.cloud.reach import Follower

RATE = 50.0
BEFORE = "netdash probe, keep-alive, not following (before issue 16)"
CURL = "curl loop (a process and connection per request)"
#: the dashboard's default refresh interval and request budget (`netdash --interval`, `--max-rps`)
INTERVAL, MAX_RPS = 2.0, 20.0
#: how long a client may take to show the move before it counts as never
PATIENCE = 5.0
TITLE = re.compile(r"<title>([^<]*)</title>")


class Client:
    """Answers with their arrival time; `after(t0)` is when it first showed server1 alone after t0."""

    def __init__(self) -> None:
        self.answers: list[tuple[float, str | None]] = []
        self.lock = threading.Lock()
        #: counting starts afresh here (a reconnect); answers before it are not on the pane
        self.since = 0.0

    def add(self, at: float, backend: str | None) -> None:
        with self.lock:
            self.answers.append((at, backend))

    def seen(self, backends: set[str], since: float) -> bool:
        with self.lock:
            return backends <= {b for at, b in self.answers if at >= since and b}

    def stop(self) -> None:
        raise NotImplementedError

    def share(self, t0: float, backend: str) -> float:
        with self.lock:
            answers = [b for at, b in self.answers if at >= t0]
        return answers.count(backend) / len(answers) if answers else 0.0

    def after(self, t0: float, new: str) -> float | None:
        """The first answer from `new` after t0 such that every answer counted since is `new` too."""
        with self.lock:
            counted = [(at, b) for at, b in self.answers if at >= max(t0, self.since)]
        first = None
        for at, backend in counted:
            if backend != new:
                first = None
            elif first is None:
                first = at
        return None if first is None else first - t0


class ProbeClient(Client):
    def __init__(self, url: str, new_connection: bool) -> None:
        super().__init__()
        self.prober = Prober(url, rate=RATE, new_connection=new_connection,
                             window=Window(max_count=1_000_000, max_age=float("inf")))
        record = self.prober.record

        def counted(sample: Sample, generation: int | None = None) -> None:
            if generation is None or generation == self.prober.generation:
                self.add(sample.at, sample.backend)
            record(sample, generation)

        self.prober.record = counted  # type: ignore[method-assign]
        self.thread = threading.Thread(target=lambda: asyncio.run(self.prober.run()), daemon=True)
        self.thread.start()

    def reconnect(self, why: str) -> None:
        self.since = time.monotonic()
        self.prober.reconnect(why)

    def stop(self) -> None:
        self.prober.stop()
        self.thread.join(10)


class CurlClient(Client):
    """`while :; do curl -s URL; done`, each answer's backend read from its title."""

    def __init__(self, curl: str, url: str) -> None:
        super().__init__()
        self.stopping = False
        self.thread = threading.Thread(target=self.loop, args=(curl, url), daemon=True)
        self.thread.start()

    def loop(self, curl: str, url: str) -> None:
        while not self.stopping:
            done = subprocess.run([curl, "-s", "--max-time", "2", url], check=False, capture_output=True,
                                  text=True)
            title = TITLE.search(done.stdout)
            self.add(time.monotonic(), title.group(1) if title else None)

    def stop(self) -> None:
        self.stopping = True
        self.thread.join(10)


def wait(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def all_seen(clients: list[Client], since: float) -> bool:
    return all(c.seen({"server1", "server2"}, since) for c in clients)


def all_moved(clients: list[Client], t0: float) -> bool:
    return all(c.after(t0, "server1") is not None for c in clients)


def seed_objects(topology: Topology) -> tuple[LoadBalancer, FloatingIP, Port]:
    """The `web` load balancer, its floating IP, and server1's port on `private` (where the moves go)."""
    lb = next(b for b in topology.load_balancers.values() if b.name == "web")
    (fip,) = topology.floating_ips_of_port(lb.vip_port_id or "")
    server1 = next(s for s in topology.servers.values() if s.name == "server1")
    private = next(n for n in topology.networks.values() if n.name == "private")
    (port,) = [p for p in topology.ports_of_device(server1.id) if p.network_id == private.id]
    return lb, fip, port


def follow_table(cloud: RunningCloud, url: str, curl: str, runs: int) -> None:
    os.environ.update({k: v for k, v in cloud.cli_env().items() if k.startswith("OS_")})
    client = CloudClient.connect(CLOUD, max_rps=MAX_RPS)
    conn = cloud.connect()
    topology = client.fetch_topology_sync()
    lb, fip, port = seed_objects(topology)
    for own in topology.floating_ips_of_port(port.id):  # server1's own floating IP: its port takes one
        conn.network.update_ip(own.id, port_id=None)

    dashboard, elsewhere = ProbeClient(url, False), ProbeClient(url, False)
    clients: dict[str, Client] = {
        "netdash probe, keep-alive, following (dashboard's m)": dashboard,
        f"netdash probe, keep-alive, following (changed elsewhere, refresh every {INTERVAL:g} s)": elsewhere,
        "netdash probe, new connection per request": ProbeClient(url, True),
        CURL: CurlClient(curl, url),
        BEFORE: ProbeClient(url, False),
    }
    still: list[float] = []
    followers = {"dashboard": Follower(url, topology), "elsewhere": Follower(url, topology)}
    stop_refreshing = threading.Event()

    def refresh_loop() -> None:  # the dashboard's timer, for the probe that learns only from refreshes
        while not stop_refreshing.wait(INTERVAL):
            changed = followers["elsewhere"].update(client.fetch_topology_sync())
            if changed is not None:
                elsewhere.reconnect(f"target changed, now {changed.text}")

    results: dict[str, list[float | None]] = {name: [] for name in clients}
    refresher = threading.Thread(target=refresh_loop, daemon=True)
    try:
        for _ in range(runs):
            since = time.monotonic()
            if not wait(partial(all_seen, list(clients.values()), since), 10):
                raise SystemExit("not every client sees both backends before the move")
            if not refresher.is_alive():
                refresher.start()
            action = MoveFloatingIP(fip.id, port.id)
            plan = action.plan(client.fetch_topology_sync(), client)  # before the confirmation: untimed
            t0 = time.monotonic()
            result = action.execute(client, plan, lambda _: None)
            assert result.ok, result.summary
            if followers["dashboard"].touched_by(i for _, i in action.touched()):  # the App's ActionScreen.Finished
                dashboard.reconnect("an action changed what the probe reaches")
            followers["dashboard"].update(client.fetch_topology_sync())  # the refresh after it: only retitles
            wait(partial(all_moved, list(clients.values())[:4], t0), PATIENCE)
            for name, c in clients.items():
                results[name].append(c.after(t0, "server1"))
            still.append(clients[BEFORE].share(t0, "server2"))
            back = MoveFloatingIP(fip.id, lb.vip_port_id or "")  # and back, untimed
            assert back.execute(client, back.plan(client.fetch_topology_sync(), client), lambda _: None).ok
            dashboard.reconnect("an action changed what the probe reaches")
            followers["dashboard"].update(client.fetch_topology_sync())
    finally:
        stop_refreshing.set()
        for c in clients.values():
            c.stop()
        client.close()
    print(f"the web load balancer's floating IP moved to server1 ({runs} runs, each probe at {RATE:g} req/s; "
          f"--max-rps {MAX_RPS:g}): seconds from the confirmation to server1 alone")
    print(f"{'client':<78} {'median':>7} {'max':>7}  {'median / curl loop':>18}")
    curl_seen = [t for t in results[CURL] if t is not None]
    curl_median = statistics.median(curl_seen) if len(curl_seen) == len(results[CURL]) else None
    for name, times in results.items():
        seen = [t for t in times if t is not None]
        if name == BEFORE:  # its pool may open a second connection (to server1) when requests overlap
            print(f"{name:<78} {'never':>7} {'':>7}  server2 still {statistics.median(still):.0%} of its answers")
        elif len(seen) < len(times):
            print(f"{name:<78} {'never':>7} {'':>7}  ({len(times) - len(seen)} of {len(times)} runs: "
                  f"not within {PATIENCE:g} s)")
        else:
            median = statistics.median(seen)
            ratio = f"{median / curl_median:.1f}x" if curl_median else "-"
            print(f"{name:<78} {median:>7.3f} {max(seen):>7.3f}  {ratio:>18}")



def proof_table(cloud: RunningCloud, runs: int) -> None:
    """What proving an action by traffic adds (`actions.traffic`): the same floating-IP move, confirmed to
    result, run as the front ends run it (`running.execute`, journal included) with and without its
    before/after probe, alternating; the journal goes to a throwaway state directory."""
    import tempfile

    from netdash.actions import running
    from netdash.actions.traffic import TrafficProof

    os.environ.update({k: v for k, v in cloud.cli_env().items() if k.startswith("OS_")})
    client = CloudClient.connect(CLOUD, max_rps=1000)
    times: dict[bool, list[float]] = {False: [], True: []}
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as state:
        os.environ["XDG_STATE_HOME"] = state
        try:
            lb, fip, port = seed_objects(client.fetch_topology_sync())
            for _ in range(runs):
                for proved in (False, True):
                    for target in (port.id, lb.vip_port_id or ""):
                        topology = client.fetch_topology_sync()
                        action = MoveFloatingIP(fip.id, target)
                        plan = action.plan(topology, client)
                        proof = TrafficProof(topology, action.touched()) if proved else None
                        t0 = time.perf_counter()
                        result = running.execute(action, client, client.info, plan, lambda _: None, proof=proof)
                        times[proved].append(time.perf_counter() - t0)
                        assert result.ok, result.summary
                        lines = [line for line in result.lines if line.startswith("traffic at")] or lines
        finally:
            client.close()
    plain, proved = statistics.median(times[False]), statistics.median(times[True])
    print(f"a floating IP moved between server1 and the web load balancer ({2 * runs} moves each, alternating): "
          "seconds from the confirmation to the result")
    print(f"{'action':<40} {'median':>7} {'max':>7}")
    print(f"{'verified by the API (--no-probe)':<40} {plain:>7.3f} {max(times[False]):>7.3f}")
    print(f"{'and proven by traffic (the default)':<40} {proved:>7.3f} {max(times[True]):>7.3f}  "
          f"+{proved - plain:.3f} s, {proved / plain:.1f}x")
    print(f"e.g. {lines[-1] if lines else '(no traffic line)'}")
