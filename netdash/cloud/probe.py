"""The HTTP probe: GET one URL at a steady rate and tell which backend answered, as `curl` in a loop does.

One `httpx.AsyncClient` per simulated client, each bound to its own loopback source address (127.0.0.1,
127.0.0.2, ...) so a SOURCE_IP load balancer sees N different clients. One scheduler hands each request
to a client chosen at random, at the target rate (changeable while running, 1..200/s); requests overlap
when a backend is slower than the interval, up to `MAX_IN_FLIGHT`, so a hung backend lowers the achieved
rate instead of stalling the probe. Every outcome becomes a `Sample` in the sliding `Window` and goes
through the `ChangeDetector`; `stats()` and `events()` are what a UI or a script reads, from any thread.

Connections: keep-alive by default (as a browser), or a new one per request (`new_connection`, as a
`curl` loop). A keep-alive connection stays where it was routed when it opened: a floating IP moved to
another port keeps serving it from the old target on a cloud that keeps the conntrack entry (Neutron's
L3 agent does, see `democloud/dataplane/edges.py`). So whoever knows the target's meaning changed
(`cloud.reach.Follower`, from the topology) calls `reconnect()`: every connection is dropped at once,
the window starts afresh and the answers of requests sent before are not counted.

No Textual here: the App runs `Prober.run()` in a worker and polls `stats()`; `netdash probe` runs it
with `asyncio.run`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .model import FloatingIP, Listener, LoadBalancer, Member, Pool, Topology
from .naming import display_name
from .probe_stats import MAX_CLIENTS, MAX_RATE, MIN_RATE, ChangeDetector, Window
from .probe_values import ProbeEvent, ProbeStats, Sample
from .reach import fip_on, main_listener
from .text import visible

if TYPE_CHECKING:  # imported where a probe runs: the dashboard imports this module at start, and httpx (with
    # the command line it brings) is a noticeable part of what a dashboard imports before its first paint
    import httpx

MAX_IN_FLIGHT = 128
TITLE = re.compile(r"<title[^>]*>\s*([^<]*?)\s*</title>", re.IGNORECASE)
TAGS = re.compile(r"<[^>]+>")


class ProbeError(ValueError):
    """A probe that cannot be set up as asked (a bad URL, regex or client count): one line for the user."""


@dataclass(frozen=True, slots=True)
class Identifier:
    """How an answer names its backend: by default the page title (else its first line) plus the `Server`
    header; or one header's value; or a regular expression on the body (its first group, else the match)."""

    header: str | None = None
    regex: re.Pattern[str] | None = None

    @classmethod
    def build(cls, header: str | None = None, regex: str | None = None) -> Identifier:
        if header and regex:
            raise ProbeError("give a backend header or a backend regex, not both")
        try:
            return cls(header=header or None, regex=re.compile(regex) if regex else None)
        except re.error as exc:
            raise ProbeError(f"bad backend regex {regex!r}: {exc}") from None

    def __call__(self, response: httpx.Response) -> tuple[str, str]:
        """(backend name, software): `unknown` when the answer does not say; what a server answered is shown
        as text (`text.visible`), wherever the pane, the table or the event log put it."""
        backend, software = self.read(response)
        return visible(backend), visible(software)

    def read(self, response: httpx.Response) -> tuple[str, str]:
        if self.header:
            return response.headers.get(self.header) or "unknown", ""
        text = response.text
        if self.regex is not None:
            match = self.regex.search(text)
            if not match:
                return "unknown", ""
            return (match.group(1) if self.regex.groups else match.group(0)) or "unknown", ""
        software = response.headers.get("server", "")
        title = TITLE.search(text)
        if title and title.group(1):
            return title.group(1)[:60], software
        first = next((line.strip() for line in TAGS.sub("\n", text).splitlines() if line.strip()), "")
        return (first[:60] or software or "unknown"), software


def classify(exc: httpx.HTTPError) -> str:
    """An httpx failure as one of the error kinds the pane counts."""
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return "refused"
        if isinstance(cause, ConnectionResetError | BrokenPipeError):
            return "reset"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.ConnectError):
        return "refused" if "refused" in str(exc).lower() or "connection attempts failed" in str(exc) else "other"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return "reset"
    return "other"


def check_url(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # `http://[::1`: an unclosed IPv6 bracket
        raise ProbeError(f"not a URL: {url!r}: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProbeError(f"not an http(s) URL: {url!r}")
    try:
        parts.port  # noqa: B018 (a bad port raises here)
    except ValueError:
        raise ProbeError(f"bad port in URL {url!r}") from None
    return url


def source_addresses(url: str, clients: int) -> list[str | None]:
    """The local address each client sends from: 127.0.0.1..N for a loopback target, else the default."""
    if not 1 <= clients <= MAX_CLIENTS:
        raise ProbeError(f"clients must be between 1 and {MAX_CLIENTS}, got {clients}")
    host = urlsplit(url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if loopback and ":" not in host:
        return [f"127.0.0.{n}" for n in range(1, clients + 1)]
    if clients > 1:
        raise ProbeError(f"several clients need several source addresses: only a 127.x.x.x target has them, "
                         f"not {host}")
    return [None]


class Prober:
    """A probe of one URL. `run()` until `stop()`, a duration or a number of requests; `stats()` anytime."""

    def __init__(self, url: str, *, rate: float = 10.0, clients: int = 1, timeout: float = 2.0,
                 identify: Identifier | None = None, reason: str = "", window: Window | None = None,
                 detector: ChangeDetector | None = None, clock: Callable[[], float] = time.monotonic,
                 new_connection: bool = False) -> None:
        self.url = check_url(url)
        self.sources = source_addresses(url, clients)
        self.reason = reason
        self.rate = self.clamp(rate)
        self.timeout = timeout
        self.identify = identify or Identifier()
        self.window = window or Window()
        self.detector = detector or ChangeDetector()
        self.clock = clock
        self.new_connection = new_connection
        self._pick = random.Random()
        self.sent = 0
        #: bumped by `reconnect()` and `clear()`: a request sent before counts for nothing
        self.generation = 0
        self._reconnect = False
        self._lock = threading.Lock()
        self._events: list[ProbeEvent] = []
        self._stopping = False
        self._running = False

    @staticmethod
    def clamp(rate: float) -> float:
        return min(MAX_RATE, max(MIN_RATE, float(rate)))

    @property
    def client_names(self) -> list[str]:
        return [src or f"client {n}" for n, src in enumerate(self.sources, 1)]

    @property
    def running(self) -> bool:
        return self._running

    # --- controls: plain attribute writes, safe from any thread ----------------------------------
    def set_rate(self, rate: float) -> float:
        self.rate = self.clamp(rate)
        return self.rate

    def stop(self) -> None:
        self._stopping = True

    def set_new_connection(self, on: bool) -> None:
        """A new connection per request (on) or keep-alive (off); switching drops the open connections."""
        if on != self.new_connection:
            self.new_connection = on
            self._reconnect = True

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self.window.clear(self.clock())
            self.detector.reset()

    def reconnect(self, why: str, reason: str | None = None) -> None:
        """What the target means changed: drop every connection now (the loop opens new ones for the next
        requests), forget the window and the answers still in flight, and say why in the events; `reason`
        is the new line that says what is probed."""
        self._reconnect = True  # before the new generation: a request of the new one never uses an old client
        with self._lock:
            self.generation += 1
            self.window.clear(self.clock())
            self.detector.reset()
            if reason is not None:
                self.reason = reason
            self._events.append(ProbeEvent(self.clock(), f"{why}: connections dropped, counting afresh", "info"))

    def retitle(self, reason: str, note: str) -> None:
        """A new line for what is probed, and an event saying why, without reconnecting (the connections
        were dropped already, when the change was made)."""
        with self._lock:
            self.reason = reason
            self._events.append(ProbeEvent(self.clock(), note, "info"))

    # --- reading ----------------------------------------------------------------------------------
    def stats(self) -> ProbeStats:
        with self._lock:
            return self.window.stats(self.clock(), url=self.url, reason=self.reason, running=self._running,
                                     target_rate=self.rate, clients=self.client_names,
                                     new_connections=self.new_connection)

    def events(self) -> list[ProbeEvent]:
        """The change events since the last call (the caller logs them)."""
        with self._lock:
            out, self._events = self._events, []
        return out

    # --- the loop -----------------------------------------------------------------------------------
    def _clients(self) -> list[httpx.AsyncClient]:
        import httpx

        return [httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(local_address=src, retries=0),
                                  timeout=self.timeout, headers={"User-Agent": "netdash-probe"},
                                  limits=httpx.Limits(max_connections=MAX_IN_FLIGHT))
                for src in self.sources]

    async def run(self, duration: float | None = None, requests: int | None = None) -> None:
        """Send requests at `self.rate` until `stop()`, `duration` seconds or `requests` sent; then wait for
        the ones in flight, so every request sent is in the window when this returns (after `stop()`, drop
        them: a stopped probe stops at once, not a request timeout later)."""
        # `_stopping` is not reset here: a stop() asked for before this coroutine got going (`g` then `p`
        # typed at once, the worker's thread not yet started) must still stop it
        self._running = True
        self._reconnect = False
        clients = self._clients()
        names = self.client_names
        in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
        tasks: set[asyncio.Task[None]] = set()
        closing: set[asyncio.Task[None]] = set()
        loop = asyncio.get_running_loop()
        deadline = None if duration is None else loop.time() + duration
        next_at = loop.time()
        turn = 0
        try:
            while not self._stopping and (requests is None or turn < requests):
                now = loop.time()
                if deadline is not None and now >= deadline:
                    break
                generation = self.generation  # read before the clients are chosen (see `reconnect`)
                if self._reconnect:  # close the old connections (their requests fail, uncounted); new ones next
                    self._reconnect = False
                    old, clients = clients, self._clients()
                    for client in old:
                        closer = asyncio.create_task(client.aclose())
                        closing.add(closer)
                        closer.add_done_callback(closing.discard)
                if next_at > now:
                    await asyncio.sleep(min(next_at - now, 0.05))  # short naps: stop() and set_rate() act fast
                    continue
                await in_flight.acquire()
                # Several clients take turns at random, as a service's clients arrive: in a fixed rotation of
                # an even number of them, a ROUND_ROBIN pool would answer each client from the same backend
                # every time (the rotations line up), and its alternation would look like pinning.
                index = self._pick.randrange(len(clients)) if len(clients) > 1 else 0
                task = asyncio.create_task(self._one(clients[index], names[index], in_flight, generation))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                turn += 1
                self.sent += 1
                interval = 1.0 / self.rate
                # keep the cadence, but after a stall do not burst to catch up more than one interval
                next_at = max(next_at + interval, loop.time() - interval)
            if tasks and not self._stopping:  # stop() means now: what is in flight is dropped, uncounted
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
            for client in clients:
                await client.aclose()
            if closing:
                await asyncio.gather(*closing, return_exceptions=True)
            self._running = False

    async def _one(self, client: httpx.AsyncClient, name: str, in_flight: asyncio.Semaphore,
                   generation: int) -> None:
        import httpx

        started = self.clock()
        try:
            # `Connection: close` asks the server to close after its answer, as a `curl` per request does
            headers = {"Connection": "close"} if self.new_connection else None
            response = await client.get(self.url, headers=headers)
            ended = self.clock()
            if response.status_code >= 500:
                sample = Sample(ended, name, ended - started, response.status_code, error="5xx")
            else:
                backend, software = self.identify(response)
                sample = Sample(ended, name, ended - started, response.status_code, backend, software)
        except httpx.HTTPError as exc:
            ended = self.clock()
            sample = Sample(ended, name, ended - started, error=classify(exc))
        finally:
            in_flight.release()
        self.record(sample, generation)

    def record(self, sample: Sample, generation: int | None = None) -> None:
        """Count a sample, unless its request was sent before the last `reconnect()` or `clear()`."""
        with self._lock:
            if generation is not None and generation != self.generation:
                return
            self.window.add(sample)
            self._events.extend(self.detector.add(sample))


# --- what to probe -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Target:
    """The URL to probe (None: nothing probe-able is selected) and why, in one line the pane shows."""

    url: str | None
    reason: str


def url_of(host: str, port: int | None, scheme: str = "http") -> str:
    default = 443 if scheme == "https" else 80
    return f"{scheme}://{host}/" if port in (None, default) else f"{scheme}://{host}:{port}/"


def endpoint_url(endpoint: str, scheme: str = "http") -> str:
    host, _, port = endpoint.rpartition(":")
    return url_of(host, int(port) if port.isdigit() else None, scheme)


def scheme_of(listener: Listener | None) -> str:
    return "https" if listener and listener.protocol in ("HTTPS", "TERMINATED_HTTPS") else "http"


def load_balancer_of(topology: Topology, selected: object) -> LoadBalancer | None:
    if isinstance(selected, LoadBalancer):
        return selected
    if isinstance(selected, Listener | Pool) and selected.loadbalancer_id:
        return topology.load_balancers.get(selected.loadbalancer_id)
    if isinstance(selected, Member):
        pool = topology.pools.get(selected.pool_id)
        return topology.load_balancers.get(pool.loadbalancer_id or "") if pool else None
    return None


def default_target(topology: Topology, selected: object) -> Target:
    """What to probe for the selection: a typed URL as is; for a load balancer (or its listener, pool or
    member) the floating IP of its VIP port, else its VIP; for a floating IP, that address. Where the
    embedded cloud lists the address it really serves (`/democloud/endpoints`), that one is used."""
    if isinstance(selected, str):
        typed = selected.strip()
        url = typed if "://" in typed else f"http://{typed}"
        url = url if urlsplit(url).path else url + "/"
        return Target(check_url(url), "typed URL")
    if isinstance(selected, FloatingIP):
        lb = topology.load_balancer_of_port(selected.port_id or "")
        listener = main_listener(topology, lb) if lb else None
        return fip_target(selected, listener, f"floating IP {selected.floating_ip_address} "
                                              f"({fip_on(topology, selected)})")
    lb = load_balancer_of(topology, selected)
    if lb is None:
        return Target(None, "nothing to probe: select a load balancer or a floating IP, or type a URL (u)")
    name = display_name(lb)
    listener = main_listener(topology, lb)
    if listener is None:
        return Target(None, f"load balancer {name} has no listener to probe")
    fips = topology.floating_ips_of_port(lb.vip_port_id or "")
    if fips:
        return fip_target(fips[0], listener, f"floating IP {fips[0].floating_ip_address} of load balancer "
                                             f"{name}'s VIP port")
    scheme = scheme_of(listener)
    if listener.endpoint:
        return Target(endpoint_url(listener.endpoint, scheme),
                      f"load balancer {name} has no floating IP: its listener, served at {listener.endpoint} "
                      f"(the cloud's endpoint list)")
    if not lb.vip_address:
        return Target(None, f"load balancer {name} has no VIP address yet")
    return Target(url_of(lb.vip_address, listener.protocol_port, scheme),
                  f"VIP of load balancer {name}, listener port {listener.protocol_port} (no floating IP)")


def fip_target(fip: FloatingIP, listener: Listener | None, what: str) -> Target:
    scheme = scheme_of(listener)
    if fip.endpoint:
        return Target(endpoint_url(fip.endpoint, scheme),
                      f"{what}, served at {fip.endpoint} (the cloud's endpoint list)")
    port = listener.protocol_port if listener else None
    return Target(url_of(fip.floating_ip_address, port, scheme),
                  f"{what}, port {port or (443 if scheme == 'https' else 80)}")
