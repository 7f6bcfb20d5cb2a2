"""Actions proven by traffic (issue 16): a short probe of the addresses an action changes, before and after.

"Verified" alone means read back from the API. An action that changes where traffic goes (a floating IP
moved, ports swapped, an algorithm, a member's state, a server's power) also probes each address whose
way it touches (`cloud.reach`: the address's `Reach.ids` meet the action's touched objects), with a few
requests on new connections, as a `curl` loop does (a keep-alive connection stays where it was routed,
`cloud.probe`'s docstring says why), once before its first request and again once the API says done. The
result gets a line per address: `traffic at floating IP 127.24.4.12 before: server1 50%, server2 50% ->
after: server1 100%`.

After the change, the answers are held against what the cloud now says (`cloud.reach.expected_of` on the
touched objects read afresh): a backend that answers but should get no traffic, several backends for one
client of a SOURCE_IP pool, or no answer where a server should answer (not after an action on servers: a
guest may still be booting when Nova says ACTIVE). Only contradictions count: a few
requests cannot tell 50/50 from 67/33, and LEAST_CONNECTIONS may well send a sequential client to one
member. While the answers disagree they are sampled again, up to `GRACE` seconds (a data plane may take a
moment to follow its API); disagreeing still, the outcome is `traffic disagrees` (exit status 4) instead
of done.

Only where the address answers from here: an address where no backend of the project answered before the
change (every request timed out, was refused or failed: a real cloud's floating IP seen from outside its
network, a test cloud whose addresses lead nowhere) is left out after it, with a line that says so.
Answers that name no server of the project (a page that does not say who served it) are reported, never
judged.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace

from netdash.cloud.api import CloudWrites
from netdash.cloud.model import FloatingIP, LoadBalancer, Port, Topology
from netdash.cloud.naming import display_name
from netdash.cloud.probe_stats import Window
from netdash.cloud.probe_values import Expected, ProbeStats
from netdash.cloud.reach import expected_of, main_listener, reach_of, reread

from .base import DISPUTED, DONE, Progress, Result

#: requests per address in each sample: both members of a round robin answer
REQUESTS = 6
#: ... sent this fast (requests per second, the probe's most), each on a new connection: in ~30 ms
RATE = 200.0
#: seconds a request may take: an address that answers nothing within it is not reachable from here
TIMEOUT = 1.0
#: seconds the answers may disagree with the cloud after the API said done, before the result says so
GRACE = 1.5
#: a pause between two samples while they disagree
AGAIN = 0.1
#: the most addresses one action probes (each probe is concurrent: this bounds the requests, not the time)
MOST = 6


@dataclass(frozen=True)
class Seen:
    """One short sample of an address: answers per backend (most first), and the requests without one."""

    backends: tuple[tuple[str, int], ...] = ()
    #: error kind -> count (refused, timeout, reset, 5xx, other)
    errors: tuple[tuple[str, int], ...] = ()

    @classmethod
    def of(cls, stats: ProbeStats) -> Seen:
        return cls(tuple((b.backend, b.count) for b in stats.backends), stats.errors)

    #: the cloud serves nothing at the address now (the embedded cloud lists what it serves: this is not listed)
    unserved: bool = False

    @property
    def requests(self) -> int:
        return sum(n for _, n in self.backends) + sum(n for _, n in self.errors)

    @property
    def answered(self) -> bool:
        return bool(self.backends)

    @property
    def reachable(self) -> bool:
        """A backend of the project answered at the address, or the cloud says it serves nothing there (the
        embedded cloud, whose addresses are all reachable from here). Timeouts, refusals and errors alone
        say nothing that can be held against the cloud: a real cloud's address seen from outside its
        network, or a test cloud whose addresses lead nowhere (realstack's no-op drivers)."""
        return self.unserved or self.answered

    def failures(self) -> str:
        """`refused 6`, `timeout 2, reset 1`."""
        return ", ".join(f"{kind} {n}" for kind, n in self.errors)

    def text(self) -> str:
        """`server1 50%, server2 50%`, `no answer (refused 6)`, `server2 67%, 5xx 33%`."""
        if self.unserved:
            return "no answer (the cloud serves nothing there)"
        total = self.requests or 1
        if not self.backends:
            return f"no answer ({self.failures()})"
        return ", ".join(f"{name} {n / total:.0%}" for name, n in (*self.backends, *self.errors))


def sample(addresses: list[Address], requests: int = REQUESTS) -> list[Seen]:
    """A few requests to each address at once, on new connections; what answered each (in the same order).
    An address the cloud serves nothing at is not asked: its URL would be a guess (another cloud's, say)."""

    from netdash.cloud.probe import Prober  # httpx: not for every command line that only parses

    async def one(url: str) -> Seen:
        prober = Prober(url, rate=RATE, timeout=TIMEOUT, new_connection=True,
                        window=Window(max_count=requests, max_age=float("inf"), rate_span=float("inf")))
        await prober.run(requests=requests)
        return Seen.of(prober.stats())

    async def unserved() -> Seen:
        return Seen(unserved=True)

    async def every() -> list[Seen]:
        return list(await asyncio.gather(*(one(a.url) if a.served else unserved() for a in addresses)))

    return asyncio.run(every()) if addresses else []


def disagreement(expected: Expected | None, seen: Seen, known: frozenset[str],
                 healthy: Expected | None = None, booting: bool = False) -> str | None:
    """How the answers contradict what the cloud says (None: they do not, or cannot be judged). `known`: the
    names of the project's servers and members, the only backend names that can be held against it;
    `healthy`: what is expected if every member were healthy (a member its monitor has not seen come back
    yet may answer: that is the monitor's lag, not a contradiction); `booting`: the action started, rebooted
    or moved a port between servers, and a guest that is ACTIVE to Nova may still be booting or configuring
    its interface: silence is no contradiction then, only another backend's answer is."""
    if expected is None:
        return None
    answered = [name for name, _ in seen.backends]
    if expected.pinned:
        return (f"{' and '.join(answered)} both answered one client, but {expected.rule}"
                if len(answered) > 1 else None)
    serving = sorted(name for name, share in expected.shares if share > 0)
    lagging = {name for name, share in healthy.shares if share > 0} if healthy is not None else set()
    stray = [name for name in answered if name not in serving and name not in lagging
             and name in known]
    if stray:
        should = f"only {', '.join(serving)} should answer" if serving else "nothing should answer"
        return f"{', '.join(stray)} answered, but {should} ({expected.rule})"
    if serving and not answered and not booting:
        return f"{seen.text()}, but {', '.join(serving)} should answer ({expected.rule})"
    return None


@dataclass(frozen=True)
class Address:
    """An address an action changes: how to find it again after the change, its words, its URL then."""

    kind: str  # "floating_ip" | "load_balancer" | "port"
    id: str
    label: str
    url: str
    #: False where the embedded cloud serves nothing now: it lists what it serves, and this is not listed
    served: bool = True


def addresses(topology: Topology, touched: Iterable[tuple[str, str]]) -> list[Address]:
    """The addresses whose way goes through a touched object: floating IPs, the load balancers that have
    none (their listener or VIP), servers' ports on an external network; at most `MOST`."""
    ids = {resource_id for _, resource_id in touched}
    found: list[Address] = []
    candidates: list[FloatingIP | LoadBalancer | Port] = [*topology.floating_ips.values()]
    candidates += [lb for lb in topology.load_balancers.values()
                   if not topology.floating_ips_of_port(lb.vip_port_id or "")]
    candidates += [port for port in topology.ports.values() if port.device_owner.startswith("compute:")
                   and port.addresses and (net := topology.networks.get(port.network_id)) is not None and net.external]
    for obj in candidates:
        found_at = address_of(topology, obj)
        if found_at is not None and not reach_of(topology, found_at.url).ids.isdisjoint(ids):
            found.append(found_at)
    return found[:MOST]


def address_of(topology: Topology, obj: FloatingIP | LoadBalancer | Port) -> Address | None:
    """Where to probe a floating IP, a load balancer without one, or a server's port on an external network
    (its own address is public: the port-migration scenario's)."""
    from netdash.cloud.probe import ProbeError, default_target, endpoint_url, url_of  # as in `sample`

    listing = (any(f.endpoint for f in topology.floating_ips.values()) or any(
        p.endpoint for p in topology.ports.values()) or any(li.endpoint for li in topology.listeners.values()))
    if isinstance(obj, Port):
        port_url = endpoint_url(obj.endpoint) if obj.endpoint else url_of(obj.addresses[0], None)
        return Address("port", obj.id, f"port {display_name(obj)} ({obj.addresses[0]})", port_url,
                       served=bool(obj.endpoint) or not listing)
    try:
        url = default_target(topology, obj).url
    except ProbeError:
        return None
    if url is None:
        return None
    if isinstance(obj, FloatingIP):
        return Address("floating_ip", obj.id, f"floating IP {obj.floating_ip_address}", url,
                       served=bool(obj.endpoint) or not listing)
    listener = main_listener(topology, obj)
    return Address("load_balancer", obj.id, f"load balancer {display_name(obj)}", url,
                   served=bool(listener and listener.endpoint) or not listing)


class TrafficProof:
    """The probe of one action's addresses: `before()` ahead of its first request, `after()` on its result."""

    def __init__(self, topology: Topology, touched: Iterable[tuple[str, str]], grace: float = GRACE) -> None:
        self.topology = topology
        self.touched = tuple(touched)
        self.grace = grace
        self.watched = addresses(topology, self.touched)
        self.before_seen: list[Seen] = []

    def before(self, progress: Progress) -> None:
        if not self.watched:
            return
        progress("probing " + ", ".join(a.label for a in self.watched) + " before the change")
        self.before_seen = sample(self.watched)

    def after(self, cloud: CloudWrites, result: Result, progress: Progress) -> Result:
        """The result with a traffic line per address; `traffic disagrees` instead of done when the answers
        still contradict the cloud after `grace` seconds. Only a done action is probed again."""
        if not self.watched or result.outcome != DONE:
            return result
        lines: list[str] = []
        checked: list[tuple[Address, Seen]] = []
        for address, before in zip(self.watched, self.before_seen, strict=True):
            if before.reachable:
                checked.append((address, before))
            else:
                lines.append(f"traffic at {address.label}: not checked, no server answers there from here "
                             f"({before.failures()})")
        if not checked:
            return replace(result, lines=(*result.lines, *lines))
        progress("probing " + ", ".join(a.label for a, _ in checked) + " after the change")
        # the touched objects and the addresses' own, read afresh each round (the embedded cloud lists an
        # address once its data plane serves it: a moment after the API said done)
        reads = (*self.touched, *((a.kind, a.id) for a, _ in checked if a.kind != "load_balancer"))
        fresh, read = self.topology, False
        deadline = time.monotonic() + self.grace
        while True:
            again = reread(cloud, fresh, reads)
            fresh, read = (again, True) if again is not None else (fresh, read)
            now = [self.again(fresh, address) for address, _ in checked]
            seen = sample(now)
            # held against the cloud as read after the change only: the topology before it says nothing
            problems = [self.judge(fresh, address, after) if read else None
                        for address, after in zip(now, seen, strict=True)]
            if (read and not any(problems)) or time.monotonic() >= deadline:
                break
            time.sleep(AGAIN)
        if not read:
            lines.append("traffic not judged: the cloud could not be read after the change")
        waited = self.grace if any(problems) else 0.0
        for (_, before), address, after, problem in zip(checked, now, seen, problems, strict=True):
            lines.append(f"traffic at {address.label} before: {before.text()} -> after: {after.text()}")
            if problem is not None:
                lines.append(f"traffic at {address.label} disagrees with the cloud {waited:g} s after: {problem}")
        disputed = [f"{address.label}: {problem}" for address, problem in zip(now, problems, strict=True)
                    if problem is not None]
        if disputed:
            return Result(DISPUTED, f"{DISPUTED} with what the API says is done: " + "; ".join(disputed),
                          (*result.lines, *lines), result.failed_step)
        return replace(result, lines=(*result.lines, *lines))

    @staticmethod
    def again(topology: Topology, address: Address) -> Address:
        """The address as the topology after the change has it (its URL may be served elsewhere now)."""
        obj: FloatingIP | LoadBalancer | Port | None = (
            topology.floating_ips.get(address.id) if address.kind == "floating_ip"
            else topology.load_balancers.get(address.id) if address.kind == "load_balancer"
            else topology.ports.get(address.id))
        return (address_of(topology, obj) if obj is not None else None) or address

    def judge(self, topology: Topology, address: Address, seen: Seen) -> str | None:
        """How the answers at `address` contradict `topology` (see `disagreement`), or None."""
        booting = any(kind == "server" for kind, _ in self.touched)
        known = frozenset(display_name(s) for s in topology.servers.values()) | frozenset(
            m.label for m in topology.members.values())
        reach = reach_of(topology, address.url)
        return disagreement(expected_of(topology, reach, new_connection=True), seen, known,
                            expected_of(topology, reach, new_connection=True, health=False), booting)
