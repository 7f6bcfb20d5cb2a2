"""Ctrl-C, SIGTERM and a closed terminal while an action runs: finish the step, roll back, report.

Killing a half-done port swap leaves both servers without their ports, so the first SIGINT, SIGTERM or
SIGHUP only asks the action to stop (`Control.cancelled`): the step under way completes (or is undone),
the roll-back runs and the report is printed. A second one means "leave now": `LeftAtOnce` is raised
wherever the action is, and the journal stays behind for `netdash recover`.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

from netdash.cloud.text import visible

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
NAMES = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM", signal.SIGHUP: "the terminal closed (SIGHUP)"}


class LeftAtOnce(BaseException):
    """A second interrupt: the user wants out now, whatever state the cloud is in."""

    def __init__(self, signum: int) -> None:
        super().__init__(NAMES.get(signal.Signals(signum), f"signal {signum}"))
        self.signum = signum


def say(text: str) -> None:
    """A line on stderr, if there still is one (after SIGHUP the terminal may be gone); text, never terminal
    control, whatever names from the cloud it quotes."""
    with contextlib.suppress(OSError, ValueError, RuntimeError):  # RuntimeError: a handler's print inside one
        print(f"netdash: {visible(text)}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def deferred(what: str) -> Iterator[threading.Event]:
    """While the body runs, the first signal sets the event it yields; the second raises LeftAtOnce."""
    stop = threading.Event()
    heard: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        if heard:
            raise LeftAtOnce(signum)
        heard.append(signum)
        # set on a thread of its own: this handler runs in the main thread, which may be inside a wait on
        # the event's lock (Event.set there deadlocks)
        threading.Thread(target=stop.set, name="netdash-interrupt", daemon=True).start()
        say(f"{NAMES.get(signal.Signals(signum), 'signal')}: finishing the current step of {what}, then rolling "
            "back; interrupt again to leave at once (the journal keeps what `netdash recover` needs)")

    previous = {signum: signal.signal(signum, handler) for signum in SIGNALS}
    try:
        yield stop
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
