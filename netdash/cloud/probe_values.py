"""The HTTP probe's values: what it records of each request, what it reports, and the snapshot a widget draws.

Plain frozen dataclasses with no behaviour beyond a derived label: `cloud.probe_stats` computes them
(the sliding window, the change detector), `cloud.probe` produces the samples, and the probe pane draws a
`ProbeStats` without ever seeing the probe, which is why widgets may import this module and not those.
Latencies are milliseconds; shares are 0..1 of all requests in the window (errors included), so the bars
and the error rate add up to 100%.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sample:
    """One request's outcome. `backend` is set only for an answer that identified one (a 2xx-4xx)."""

    at: float
    client: str
    latency: float
    status: int | None = None
    backend: str | None = None
    software: str = ""
    error: str | None = None

    @property
    def label(self) -> str:
        """The status-count key: the HTTP status, or the error kind when no response came."""
        return str(self.status) if self.status is not None else (self.error or "other")


@dataclass(frozen=True, slots=True)
class ProbeEvent:
    """A change the probe noticed, as plain values the App writes to its event log."""

    at: float
    text: str
    severity: str = "info"


@dataclass(frozen=True, slots=True)
class BackendShare:
    """One backend over the probe's window: how many answers it gave and their share of all requests."""

    backend: str
    count: int
    share: float
    #: the `Server` header it answered with (`nginx`, `Apache`), when the default identification is used
    software: str = ""


#: fewer answers than this in the window and no share is called a deviation: too few to tell
MIN_SAMPLE = 10


@dataclass(frozen=True, slots=True)
class Expected:
    """What the topology says the probe should see (`cloud.reach.expected_of`): each backend's share of the
    requests (`shares`, by the names the backends answer with), or one backend for every request of a
    client (`pinned`: SOURCE_IP); `rule` says why, in words."""

    shares: tuple[tuple[str, float], ...] = ()
    pinned: bool = False
    rule: str = ""

    def share_of(self, backend: str) -> float:
        return next((share for name, share in self.shares if name == backend), 0.0)

    def deviating(self, counts: dict[str, int],
                  client_backends: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> frozenset[str]:
        """The backends whose observed count is further from the expected share than the sample explains:
        more than three standard deviations of a binomial draw (half a request of slack), or any answer
        from a backend expected to get none; pinned, the backends of a client answered by more than one
        (with one client and no per-client record: more than one backend at all)."""
        n = sum(counts.values())
        if n < MIN_SAMPLE:
            return frozenset()
        if self.pinned:
            if client_backends:
                return frozenset(b for _, seen in client_backends if len(seen) > 1 for b in seen)
            return frozenset(counts) if len(counts) > 1 else frozenset()
        names = set(counts) | {name for name, _ in self.shares}
        off = set()
        for name in names:
            p, observed = self.share_of(name), counts.get(name, 0) / n
            sigma = (p * (1 - p) / n) ** 0.5
            if abs(observed - p) > 3 * sigma + 0.5 / n:
                off.add(name)
        return frozenset(off)


@dataclass(frozen=True, slots=True)
class ProbeStats:
    """One snapshot of a probe: what it targets and why, and the statistics of its sliding window."""

    url: str = ""
    reason: str = ""
    running: bool = False
    target_rate: float = 10.0
    achieved_rate: float = 0.0
    #: requests in the window, and since the last clear
    requests: int = 0
    total: int = 0
    backends: tuple[BackendShare, ...] = ()
    #: ("200", n), ("503", n), ("refused", n)... over the window, most frequent first
    statuses: tuple[tuple[str, int], ...] = ()
    #: errors by kind over the window: refused, timeout, reset, 5xx, other
    errors: tuple[tuple[str, int], ...] = ()
    error_rate: float = 0.0
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    #: the latest latencies, oldest first (for a sparkline)
    latencies: tuple[float, ...] = ()
    #: (client source address, what it reached last: a backend, or an error kind), in client order
    clients: tuple[tuple[str, str], ...] = ()
    #: (client source address, the backends that answered it in the window, most answers first)
    client_backends: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: a new TCP connection per request (as a `curl` loop), else keep-alive connections (as a browser)
    new_connections: bool = False
    #: what the topology says the shares should be (None: it cannot say, e.g. an address it does not explain)
    expected: Expected | None = None
