"""What every embedded service runs on: the settings, the one lock all API state lives under, the clock,
the cloud's addresses, and the signal that an accepted change happened.

It knows no service: the services are built on it, and the composition root (`app.Cloud`) is one.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .core import Response


@dataclass
class Settings:
    """Knobs tests and demos turn; the defaults behave like a small, quick real cloud."""

    region: str = "RegionOne"
    #: seconds a Keystone token lives (Keystone's default is one hour)
    token_ttl: float = 3600.0
    #: seconds an Octavia object stays PENDING_* (immutable, 409 to changes) before ACTIVE
    provisioning_delay: float = 0.5
    #: seconds a new server stays BUILD before ACTIVE
    build_delay: float = 0.3
    #: password of the `demo` user (generated when None)
    password: str | None = None
    #: multiplies health monitors' `delay` and `timeout` in the data plane (tests use 0.1)
    monitor_time_scale: float = 1.0
    #: the data plane stops following the API (`freeze-dataplane` fault): traffic goes where it went, whatever
    #: the API says since, as behind an L3 agent or amphora that no longer applies its configuration
    dataplane_frozen: bool = False


class CloudLock:
    """The one re-entrant lock all API state lives under; `on_release` runs as its outermost holder lets go,
    still holding it: the one moment every change, whoever made it, is complete and not yet seen by anyone
    else (`wal.Journal` logs it then).

    A reader that changes nothing holds it with `reading()`, so that the journal need not compare what it
    read; a change such a read must make is made in a `writing()` block inside it."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._depth = 0  # only the holder changes it
        self.on_release: Callable[[], None] | None = None
        #: set while a journal runs: lends the stores' tables (True: read-only, nothing noted) or tracks them
        #: again (False); see `tracked.lend`
        self.lend: Callable[[bool], None] | None = None
        self._lent = False  # only the holder changes it

    def __enter__(self) -> CloudLock:
        self._lock.acquire()
        self._depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._depth == 1 and self.on_release is not None:
                self.on_release()
        finally:
            self._depth -= 1
            self._lock.release()

    def idle(self) -> bool:
        """Whether nobody holds it at this moment (someone may take it the moment after)."""
        if not self._lock.acquire(blocking=False):
            return False
        self._lock.release()
        return True

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Held for reads that change nothing: while a journal runs, the stores hand out read-only views and
        note nothing, so what was read costs the journal no compare; a change raises (a read-only view's
        TypeError, or `tracked.ReadOnlyError`) unless it is made in a `writing()` block. Without a journal it
        is the lock and nothing more."""
        with self, self._tables(lent=True):
            yield

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """A change a read makes (a server's BUILD ending as it is read), made with the stores tracked, so it
        is logged whether or not a `reading()` section surrounds it. Fetch the records to change inside the
        block: what a read-only section handed out are views."""
        with self, self._tables(lent=False):
            yield

    @contextlib.contextmanager
    def _tables(self, *, lent: bool) -> Iterator[None]:
        before, lend = self._lent, self.lend
        if lend is None or lent == before:
            yield
            return
        lend(lent)
        self._lent = lent
        try:
            yield
        finally:
            lend(before)
            self._lent = before


class Runtime:
    """Settings, lock, clock, addresses and change notification, shared by every service of one cloud."""

    def __init__(self, settings: Settings | None = None, base_url: str = "http://127.0.0.1:0") -> None:
        self.settings = settings or Settings()
        self.base_url = base_url
        # Re-entrant: a Nova handler holding it calls Neutron in-process.
        self.lock = CloudLock()
        #: set while a write-ahead log runs (`--state`): returns once every change made so far is on disk
        self.durable: Callable[[], None] | None = None
        # Bumped after every accepted change, so the data plane knows its snapshot of the desired
        # state is stale without being told what changed (reconcile, not callbacks per resource).
        self._generations = itertools.count(1)
        self.generation = 0
        self.change_hooks: list[Callable[[], None]] = []
        #: what `now()` reads: the wall clock, or a recording's when a test replays one on its own timing
        self.clock: Callable[[], float] = time.time

    @property
    def auth_url(self) -> str:
        return f"{self.base_url}/identity/v3"

    def now(self) -> float:
        return self.clock()

    def noticed(self, method: str, resp: Response) -> Response:
        """Every answer of a service passes here before it leaves: the change hooks hear of an accepted write, and with
        `--state` the answer waits until every change it could have seen is on disk. That is what lets a
        201 promise the change survives `kill -9`, whichever HTTP server carries it. A change that cannot be
        written turns the answer into a 500: it is not acknowledged."""
        changed = method not in ("GET", "HEAD") and resp.status < 400
        if changed:
            self.generation = next(self._generations)
        try:
            if self.durable is not None:
                try:
                    self.durable()
                except OSError as exc:
                    return Response(500, {"error": {"code": 500, "title": "Internal Server Error", "message":
                                                    f"The change could not be saved: {exc.strerror or exc}"}})
            return resp
        finally:
            # after the fsync: woken during it, a hook's thread (the data plane, re-reading the whole cloud)
            # would hold the interpreter when the fsync returns, and the answer would wait for it
            if changed:
                for hook in self.change_hooks:
                    hook()
