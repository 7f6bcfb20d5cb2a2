"""The threads the HTTP front end runs the cloud's handlers on: at most `size`, daemons, made as needed.

The handlers are synchronous and serialise on the cloud's lock, so they cannot run on the event loop; but
handing each one to a thread through `loop.run_in_executor` cost the front end more than the handler itself
(bench/README.md: the self-pipe write, two more trips round the loop, the task's wake-up, and the GIL changing
hands five times a request). So the loop first waits for the answer itself, for at most `QUICK` seconds and
without the GIL, as the old thread-per-connection server did: while a handler runs Python the loop could not
have run any (one GIL), so nothing is lost. A handler that takes longer (a latency fault, the lock held by
another request, an fsync) is awaited, and the loop goes on serving the other connections meanwhile.

Not a ThreadPoolExecutor for one more reason: its threads are joined when the interpreter exits, so a handler
asleep in a 600 s latency fault would hold up the exit of a cloud that has stopped; these are daemons.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import Any

#: seconds the event loop waits for a handler before it awaits it instead (most answer in a tenth of this)
QUICK = 0.002


class Job:
    """One handler call, and how its outcome reaches the request that waits for it."""

    __slots__ = ("arg", "call", "failed", "finished", "future", "handover", "outcome", "ready")

    def __init__(self, call: Callable[[Any], Any], arg: Any) -> None:
        self.call = call
        self.arg = arg
        self.outcome: Any = None
        self.failed = False
        self.finished = False
        #: released once the outcome is set: what the loop's quick wait acquires
        self.ready = threading.Lock()
        self.ready.acquire()
        #: guards `finished` and `future` where the worker and a loop that stopped waiting meet
        self.handover = threading.Lock()
        self.future: asyncio.Future[None] | None = None

    def result(self) -> Any:
        if self.failed:
            raise self.outcome
        return self.outcome


class Workers:
    def __init__(self, loop: asyncio.AbstractEventLoop, size: int, name: str) -> None:
        self._loop = loop
        self._size = size
        self._name = name
        self._work: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._lock = threading.Lock()

    async def run(self, call: Callable[[Any], Any], arg: Any) -> Any:
        """`call(arg)` on a worker thread; its result, or its exception raised here."""
        job = Job(call, arg)
        with self._lock:
            if self._idle:
                self._idle -= 1
            elif len(self._threads) < self._size:
                thread = threading.Thread(target=self._serve, name=f"{self._name}_{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
        self._work.put(job)
        if job.ready.acquire(timeout=QUICK):
            return job.result()
        with job.handover:
            if not job.finished:
                job.future = self._loop.create_future()
        if job.future is not None:
            await job.future
        return job.result()

    def stop(self) -> None:
        """Each thread ends after the job it has (nobody waits for its answer any more)."""
        for _ in self._threads:
            self._work.put(None)

    def _serve(self) -> None:
        while (job := self._work.get()) is not None:
            try:
                job.outcome = job.call(job.arg)
            except BaseException as exc:  # handed to the request that waits, as run_in_executor would
                job.outcome, job.failed = exc, True
            with self._lock:
                self._idle += 1
            with job.handover:
                job.finished = True
                future = job.future
            job.ready.release()
            if future is not None:
                try:
                    self._loop.call_soon_threadsafe(wake, future)
                except RuntimeError:
                    pass  # the loop is closed: the cloud stopped while this ran


def wake(future: asyncio.Future[None]) -> None:
    if not future.done():  # not cancelled by a stop
        future.set_result(None)
