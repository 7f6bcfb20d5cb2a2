"""Refreshing a topology: fetch, diff against the last good snapshot, and survive a failing cloud.

No Textual here: the App decides when to call `refresh()` (a one-shot timer re-armed with
`next_delay()` after each refresh, from an async worker) and shows the `Refresh` it gets back.
A refresh requested while one runs joins it instead of starting a second fetch (memray's rule: ticks
never overlap), so `r` pressed during a slow poll costs nothing. A failure never raises: it keeps the last
good snapshot, says since when it is stale and why in one line, and stretches the delay before the next
try (interval, 2x, 4x ... capped at `MAX_BACKOFF`), so a dead cloud is not hammered every two seconds;
meanwhile the App asks `CloudApi.answers()` (one cheap request) each interval and refreshes at once when
it is true.

A failure of one list is not a failed refresh: the snapshot says which collections it could not read
(`Topology.unread`, each keeping its last good objects), the rest is fresh, and the next try is one
interval away like any other refresh, so a list that answers again is shown within one interval.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .api import TopologySource
from .errors import NetdashError, refresh_error
from .events import ChangeEvent, diff
from .model import Topology

#: the longest wait between two tries of a cloud that fails as a whole (never shorter than the interval). At
#: 30 s, a cloud that answered again stayed stale on screen for half a minute (issue 14); a failed try costs
#: one request per list, so a few seconds does not hammer anyone.
MAX_BACKOFF = 5.0

@dataclass(frozen=True)
class Refresh:
    #: the new snapshot, or the last good one when this refresh failed (an empty one if none succeeded yet)
    topology: Topology
    events: list[ChangeEvent] = field(default_factory=list)
    error: NetdashError | None = None
    #: wall-clock time of the first failure since the last success; None while fresh
    stale_since: float | None = None
    #: seconds this refresh took
    took: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


class Poller:
    """Drives `client.fetch_topology()`: a `CloudClient`, or any other `TopologySource`."""

    def __init__(self, client: TopologySource, interval: float = 2.0, *, max_backoff: float | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.interval = interval
        #: a few seconds at most (`MAX_BACKOFF`), so that a cloud that answers again is seen soon
        self.max_backoff = max(MAX_BACKOFF if max_backoff is None else max_backoff, interval)
        self.clock = clock
        self.last: Topology | None = None
        self.failures = 0
        self.stale_since: float | None = None
        self._running: asyncio.Future[Refresh] | None = None
        #: the refresh `begin` started, until a `refresh()` joins it
        self._begun: concurrent.futures.Future[Refresh] | None = None

    def begin(self) -> None:
        """Start the first refresh now, before any event loop runs; the first `refresh()` joins it. For the
        dashboard: its first fetch (requests that mostly wait for the cloud, then the conversion) goes on
        while Textual is imported and started, instead of beginning at the App's mount and competing with
        the first render for the GIL."""
        begun: concurrent.futures.Future[Refresh] = concurrent.futures.Future()

        def work() -> None:
            try:
                begun.set_result(asyncio.run(self._fetch_and_diff()))
            except BaseException as exc:  # raised to whoever joins it
                begun.set_exception(exc)

        self._begun = begun
        threading.Thread(target=work, name="netdash-refresh", daemon=True).start()

    def begun(self) -> Refresh | None:
        """The refresh `begin` started, if it has ended and succeeded (None while it runs, or if it failed);
        it is still what the first `refresh()` returns."""
        begun = self._begun
        if begun is None or not begun.done() or begun.exception() is not None:
            return None
        result = begun.result()
        return result if result.ok else None

    async def refresh(self) -> Refresh:
        """Fetch now, or join the fetch already running; never raises for a cloud failure."""
        if self._begun is not None:
            self._running, self._begun = asyncio.wrap_future(self._begun), None
        running = self._running
        if running is None or running.done():
            running = self._running = asyncio.ensure_future(self._refresh())
        return await asyncio.shield(running)

    def next_delay(self) -> float:
        """Seconds until the next refresh: the interval, or the back-off after consecutive failures."""
        if self.failures == 0:
            return self.interval
        return min(self.max_backoff, self.interval * 2.0 ** (self.failures - 1))

    async def _refresh(self) -> Refresh:
        """The fetch, the conversion to the model and the diff, on an event loop of their own in a worker
        thread: a large project's fetch in this process is far more CPU than one key may wait for (with a
        fetch process, what is left here is converting what changed and the diff), and it would otherwise
        stall the caller's loop (the dashboard's, which must answer keys within 50 ms). The caller's loop only
        waits. A daemon thread rather than the loop's default executor: leaving the app never waits for a
        hung request."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Refresh] = loop.create_future()

        def settle(result: Refresh | None, error: BaseException | None) -> None:
            if done.done():
                return  # the caller gave up (its task was cancelled)
            if error is not None:
                done.set_exception(error)
            else:
                done.set_result(result)  # type: ignore[arg-type]

        def work() -> None:
            result: Refresh | None = None
            error: BaseException | None = None
            try:
                result = asyncio.run(self._fetch_and_diff())
            except BaseException as exc:  # handed to the waiting loop, which raises it there
                error = exc
            try:
                loop.call_soon_threadsafe(settle, result, error)
            except RuntimeError:
                pass  # the caller's loop is closed: nobody is waiting any more

        threading.Thread(target=work, name="netdash-refresh", daemon=True).start()
        return await done

    async def _fetch_and_diff(self) -> Refresh:
        started = time.monotonic()
        try:
            topology = await self.client.fetch_topology()
        except Exception as exc:  # a bug or an SDK surprise must not stop the polling loop either
            return self._failed(refresh_error(exc), started)
        events = diff(self.last, topology, topology.fetched_at or self.clock()) if self.last is not None else []
        self.last, self.failures, self.stale_since = topology, 0, None
        return Refresh(topology, events, None, None, time.monotonic() - started)

    def _failed(self, error: NetdashError, started: float) -> Refresh:
        self.failures += 1
        if self.stale_since is None:
            self.stale_since = self.clock()
        return Refresh(self.last if self.last is not None else Topology(), [], error, self.stale_since,
                       time.monotonic() - started)
