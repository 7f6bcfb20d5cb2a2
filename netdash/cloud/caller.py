"""What the caller of a request lends it: how long it may wait, and whom to tell while it waits.

A 429 answer says "not now, try after Retry-After seconds"; `cloud.session` waits that long and sends the
request again, but never past the deadline of whoever asked. An action's step has one (`actions.base`
`wait_until`, `reading`: the step's timeout) and sets it here around each read, so a read that meets 429
waits within the step's time instead of failing at once and being retried by the step's own loop (twice
the waiting, and requests the cloud asked us not to send). Without a deadline the session waits at most
`session.MAX_RETRY_WAIT` seconds in all.

A wait of seconds should not be silent: a caller with someone to tell (`netdash GROUP VERB` prints progress
on stderr) says so with `telling`, and the session says why it waits.

Context variables: each thread (an action's worker, each fetch thread) sees its own.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("netdash_request_deadline", default=None)
_SAY: contextvars.ContextVar[Callable[[str], None] | None] = contextvars.ContextVar("netdash_request_say",
                                                                                    default=None)


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


def deadline() -> float | None:
    """The deadline of the requests made now on this thread (`time.monotonic()`), or None."""
    return _DEADLINE.get()


@contextlib.contextmanager
def telling(say: Callable[[str], None]) -> Iterator[None]:
    """Requests made in this block that wait for the cloud (a 429's Retry-After) say so through `say`."""
    token = _SAY.set(say)
    try:
        yield
    finally:
        _SAY.reset(token)


def say(text: str) -> None:
    """One line for whoever the current caller asked to be told, if anyone."""
    told = _SAY.get()
    if told is not None:
        told(text)
