"""A signal handler runs in the main thread, between two of its bytecodes: when that thread is inside the
very Event the handler sets (its `wait()` holds the event's lock), `Event.set()` in the handler waits for
a lock its own thread holds, for ever. Seen: `netdash demo-cloud` that a SIGTERM never stopped. Each
handler here is hit while its thread holds the event's lock, as inside `wait()`."""

from __future__ import annotations

import os
import signal
import threading
import time

from netdash.cli.interrupts import deferred
from netdash.democloud.__main__ import set_soon

#: how long a handler may keep the main thread before it counts as the deadlock
WAIT = 5.0


def interrupted_while_holding(event: threading.Event) -> None:
    """Hold the event's lock (as `Event.wait()` does between its checks) while a signal arrives; if the handler
    blocks on it, a watchdog lets go of the lock for it (an Event's is a plain Lock, which any thread may
    release) and the test fails instead of hanging."""
    holder = event._cond  # type: ignore[attr-defined]
    deadlocked: list[bool] = []

    def rescue() -> None:
        deadlocked.append(True)
        holder.release()

    watchdog = threading.Timer(WAIT, rescue)
    holder.acquire()
    watchdog.start()
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)  # the handler runs at the next bytecode boundary, while the lock is held
        assert not event.is_set()  # not yet: the lock is still held
    finally:
        watchdog.cancel()
        if not deadlocked:
            holder.release()
    assert not deadlocked, "the signal handler waited for a lock its own thread held"


def test_the_embedded_clouds_stop_is_set_from_a_thread_of_its_own() -> None:
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: set_soon(stop))
    try:
        interrupted_while_holding(stop)
        assert stop.wait(WAIT)
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_an_actions_first_interrupt_is_heard_while_the_main_thread_holds_the_events_lock() -> None:
    with deferred("a test") as stop:
        interrupted_while_holding(stop)
        assert stop.wait(WAIT)
