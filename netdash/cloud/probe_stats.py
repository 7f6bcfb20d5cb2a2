"""The probe's bookkeeping, with no I/O: the sliding window of samples, its statistics and change events.

Kept apart from the asyncio loop (`cloud.probe`) so it can be tested with hand-made samples and a fixed
clock. The window is bounded both by count (the last N requests) and by time (the last S seconds): at
10 req/s the time bound keeps the bars about "now", at 200 req/s the count bound keeps memory and the
cost of a snapshot fixed.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Iterable

from .probe_values import BackendShare, ProbeEvent, ProbeStats, Sample

#: the rates a probe accepts (requests per second, all clients together), and its most clients
MIN_RATE, MAX_RATE = 1.0, 200.0
MAX_CLIENTS = 254
#: error kinds, in the order they are shown
ERROR_KINDS = ("refused", "timeout", "reset", "5xx", "other")
#: how many of the latest latencies a snapshot carries for the sparkline
SPARK_POINTS = 60


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (the value below which q% of samples fall); None for no samples."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


class Window:
    """The last `max_count` samples no older than `max_age` seconds, plus the completions of the last
    `rate_span` seconds for the achieved rate (independent of the count bound)."""

    def __init__(self, max_count: int = 200, max_age: float = 10.0, rate_span: float = 2.0) -> None:
        self.max_count = max_count
        self.max_age = max_age
        self.rate_span = rate_span
        self.samples: deque[Sample] = deque(maxlen=max_count)
        self.completions: deque[float] = deque()
        self.total = 0
        self.started: float | None = None
        self.last_by_client: dict[str, str] = {}

    def clear(self, now: float | None = None) -> None:
        self.samples.clear()
        self.completions.clear()
        self.total = 0
        self.started = now
        self.last_by_client.clear()

    def add(self, sample: Sample) -> None:
        if self.started is None:
            self.started = sample.at - sample.latency
        self.samples.append(sample)
        self.completions.append(sample.at)
        self.total += 1
        self.last_by_client[sample.client] = sample.backend or sample.label
        self.expire(sample.at)

    def expire(self, now: float) -> None:
        while self.samples and self.samples[0].at < now - self.max_age:
            self.samples.popleft()
        while self.completions and self.completions[0] < now - self.rate_span:
            self.completions.popleft()

    def achieved_rate(self, now: float) -> float:
        """Completions per second over the last `rate_span` seconds (or since the start, if shorter)."""
        if self.started is None:
            return 0.0
        span = min(self.rate_span, now - self.started)
        return len(self.completions) / span if span > 0 else 0.0

    def stats(self, now: float, *, url: str = "", reason: str = "", running: bool = False,
              target_rate: float = 0.0, clients: Iterable[str] = (), new_connections: bool = False) -> ProbeStats:
        self.expire(now)
        samples = list(self.samples)
        n = len(samples)
        answered: Counter[str] = Counter(s.backend for s in samples if s.backend is not None)
        software = {s.backend: s.software for s in samples if s.backend is not None}
        backends = tuple(BackendShare(name, count, count / n, software.get(name, ""))
                         for name, count in sorted(answered.items(), key=lambda kv: (-kv[1], kv[0])))
        statuses = Counter(s.label for s in samples)
        errors = Counter(s.error for s in samples if s.error is not None)
        latencies = sorted(s.latency * 1000 for s in samples if s.error is None or s.status is not None)
        return ProbeStats(
            url=url, reason=reason, running=running, target_rate=target_rate,
            achieved_rate=self.achieved_rate(now), requests=n, total=self.total, backends=backends,
            statuses=tuple(sorted(statuses.items(), key=lambda kv: (-kv[1], kv[0]))),
            errors=tuple((kind, errors[kind]) for kind in ERROR_KINDS if errors[kind]),
            error_rate=sum(errors.values()) / n if n else 0.0,
            p50=percentile(latencies, 50), p95=percentile(latencies, 95), p99=percentile(latencies, 99),
            latencies=tuple(s.latency * 1000 for s in samples[-SPARK_POINTS:]),
            clients=tuple((c, self.last_by_client.get(c, "-")) for c in clients),
            client_backends=tuple((c, tuple(b for b, _ in Counter(
                s.backend for s in samples if s.client == c and s.backend is not None).most_common()))
                for c in clients),
            new_connections=new_connections,
        )


class ChangeDetector:
    """Turns the stream of samples into a few events: a backend that stops or starts answering, a
    distribution that moves, errors that start or stop.

    It looks at the last `recent` samples only (the window may span seconds; an event must not), and
    needs that many before it reports anything, so a start-up or a cleared window says nothing until the
    picture is complete. A backend leaving or joining is reported at once. A distribution (shares of the
    answers, errors apart) is reported once it has settled, that is stayed within `jitter` for `settle`
    samples, and only when it differs from the last one reported (another set of backends, or a share
    `jitter` or more away): a split moving from 90/10 back to 50/50 is one event, not five.
    """

    def __init__(self, recent: int = 20, settle: int | None = None, jitter: float = 0.1) -> None:
        self.recent: deque[Sample] = deque(maxlen=recent)
        self.settle = recent // 2 if settle is None else settle
        self.jitter = jitter
        self.reset()

    def reset(self) -> None:
        self.recent.clear()
        self.active: frozenset[str] | None = None
        self.reported: dict[str, float] | None = None
        self.candidate: dict[str, float] = {}
        self.steady = 0
        self.erring = False

    def differs(self, a: dict[str, float], b: dict[str, float]) -> bool:
        return set(a) != set(b) or any(abs(a[name] - b[name]) >= self.jitter for name in a)

    def add(self, sample: Sample) -> list[ProbeEvent]:
        self.recent.append(sample)
        if len(self.recent) < (self.recent.maxlen or 0):
            return []
        at = sample.at
        counts = Counter(s.backend for s in self.recent if s.backend is not None)
        n = len(self.recent)
        answered = sum(counts.values())
        shares = {name: count / answered for name, count in counts.items()}
        active = frozenset(counts)
        events: list[ProbeEvent] = []
        if self.active is not None:
            events += [ProbeEvent(at, f"backend {name} stopped answering", "warning")
                       for name in sorted(self.active - active)]
            events += [ProbeEvent(at, f"backend {name} answering", "info") for name in sorted(active - self.active)]
        self.active = active
        if self.differs(shares, self.candidate):
            self.candidate, self.steady = shares, 0
        else:
            self.steady += 1
        if self.steady == self.settle and (self.reported is None or self.differs(shares, self.reported)):
            described = ", ".join(f"{name} {share:.0%}" for name, share in
                                  sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))) or "no backend answering"
            prefix = "distribution" if self.reported is None else "distribution changed"
            events.append(ProbeEvent(at, f"{prefix}: {described}", "info" if shares else "error"))
            self.reported = shares
        kinds = Counter(s.error for s in self.recent if s.error is not None)
        if kinds and not self.erring:
            described = ", ".join(f"{count} {kind}" for kind, count in kinds.most_common())
            events.append(ProbeEvent(at, f"errors: {described} in the last {n} requests", "error"))
        elif not kinds and self.erring:
            events.append(ProbeEvent(at, f"no errors in the last {n} requests", "info"))
        self.erring = bool(kinds)
        return events
