"""The threads the HTTP front end runs the cloud's handlers on: at most `size`, daemons, made as needed.

The handlers are synchronous and serialise on the cloud's lock, so they cannot run on the event loop (but a
read that finds the lock free does: `http.QUICK_METHODS`); but
handing each one to a thread through `loop.run_in_executor` cost the front end more than the handler itself
(bench/README.md): the self-pipe write, two more trips round the loop, the task's wake-up, and the GIL
changing hands five times a request. So the loop first waits for the answer itself, for at most `QUICK`
seconds and without the GIL, as the old thread-per-connection server did: while a handler runs Python the
loop could not have run any (one GIL), so nothing is lost. A handler that takes longer (a latency fault, the
lock held by another request, an fsync) is awaited, and the loop serves the other connections meanwhile.

Each side wakes the other by writing to a pipe, which lets the GIL go before the wake-up: woken through a
lock or a queue, a thread first waits for the GIL its waker still holds, and on a busy machine that waker
may have lost its core in between (half the single-client throughput under load, measured).

Not a ThreadPoolExecutor for one more reason: its threads are joined when the interpreter exits, so a handler
asleep in a 600 s latency fault would hold up the exit of a cloud that has stopped; these are daemons.
"""

from __future__ import annotations

import asyncio
import os
import queue
import select
import threading
from collections.abc import Callable
from typing import Any

#: seconds the event loop waits for a handler before it awaits it instead (most answer in a tenth of this)
QUICK = 0.002


class Job:
    """One handler call, and how its outcome reaches the request that waits for it."""

    __slots__ = ("arg", "call", "failed", "finished", "future", "outcome")

    def __init__(self, call: Callable[[Any], Any], arg: Any) -> None:
        self.call = call
        self.arg = arg
        self.outcome: Any = None
        self.failed = False
        self.finished = False
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
        # a byte on _wake per job (or per thread to end); one on _done for the job the loop waits for
        self._wake_r, self._wake_w = os.pipe()
        self._done_r, self._done_w = os.pipe()
        self._threads: list[threading.Thread] = []
        self._running = 0
        self._stopped = False
        self._idle = 0
        self._lock = threading.Lock()
        #: guards `finished` and `future` where a worker and the loop's quick wait meet
        self._handover = threading.Lock()

    async def run(self, call: Callable[[Any], Any], arg: Any) -> Any:
        """`call(arg)` on a worker thread; its result, or its exception raised here."""
        job = Job(call, arg)
        with self._lock:
            if self._idle:
                self._idle -= 1
            elif len(self._threads) < self._size:
                thread = threading.Thread(target=self._serve, name=f"{self._name}_{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                self._running += 1
                thread.start()
        self._work.put(job)
        os.write(self._wake_w, b"j")
        ready = select.select([self._done_r], [], [], QUICK)[0]
        with self._handover:
            if ready or job.finished:
                os.read(self._done_r, 1)  # written under the handover lock: there by now
                return job.result()
            job.future = self._loop.create_future()
        await job.future
        return job.result()

    def stop(self) -> None:
        """Each thread ends after the job it has (nobody waits for its answer any more); once."""
        if self._stopped:
            return
        self._stopped = True
        for _ in self._threads:
            self._work.put(None)
            os.write(self._wake_w, b"x")
        os.close(self._wake_w)
        os.close(self._done_r)
        if not self._threads:
            os.close(self._wake_r)
            os.close(self._done_w)

    def _serve(self) -> None:
        while True:
            os.read(self._wake_r, 1)
            job = self._work.get()
            if job is None:
                break
            try:
                job.outcome = job.call(job.arg)
            except BaseException as exc:  # handed to the request that waits, as run_in_executor would
                job.outcome, job.failed = exc, True
            with self._lock:
                self._idle += 1
            with self._handover:
                job.finished = True
                future = job.future
                if future is None:  # the loop waits for it now
                    os.write(self._done_w, b"d")
            if future is not None:
                try:
                    self._loop.call_soon_threadsafe(wake, future)
                except RuntimeError:
                    pass  # the loop is closed: the cloud stopped while this ran
        with self._lock:
            self._running -= 1
            last = self._running == 0
        if last:
            os.close(self._wake_r)
            os.close(self._done_w)


def wake(future: asyncio.Future[None]) -> None:
    if not future.done():  # not cancelled by a stop
        future.set_result(None)
