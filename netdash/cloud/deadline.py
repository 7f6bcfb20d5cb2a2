"""How long the caller of a request can wait for it: a deadline the request boundary honours.

A 429 answer says "not now, try after Retry-After seconds"; `cloud.session` waits that long and sends the
request again, but never past the deadline of whoever asked. An action's step has one (`actions.base`
`wait_until`, `reading`: the step's timeout) and sets it here around each read, so a read that meets 429
waits within the step's time instead of failing at once and being retried by the step's own loop (twice
the waiting, and requests the cloud asked us not to send). Without a deadline the session waits at most
`session.MAX_RETRY_WAIT` seconds in all.

A context variable: each thread (an action's worker, each fetch thread) sees its own.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("netdash_request_deadline", default=None)


@contextlib.contextmanager
def until(deadline: float) -> Iterator[None]:
    """Requests made in this block give up waiting at `deadline` (a `time.monotonic()` value); an outer,
    earlier deadline stays."""
    outer = _DEADLINE.get()
    token = _DEADLINE.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def current() -> float | None:
    """The deadline of the requests made now on this thread (`time.monotonic()`), or None."""
    return _DEADLINE.get()


def remaining() -> float | None:
    """Seconds left before the current deadline (never below 0), or None without one."""
    deadline = _DEADLINE.get()
    return None if deadline is None else max(0.0, deadline - time.monotonic())
