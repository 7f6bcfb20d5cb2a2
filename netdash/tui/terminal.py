"""The dashboard leaves when its terminal does: a closed window, a dropped ssh, a killed multiplexer.

A dashboard with no terminal would go on polling the cloud and probing the load balancer for ever, its
embedded cloud and fetch process with it. It is told in one of three ways, and any one ends it through
the App's normal exit, so that the cleanup of `netdash.__main__` stops the probe, the fetch process and
the embedded cloud: SIGHUP (the terminal hung up) or SIGTERM; or, when no signal comes (a parent that
ignores or swallows SIGHUP, as a `make` in between can), the terminal itself failing with EIO, which a
cheap `tcgetattr` twice a second notices. Served to a browser (`netdash serve`, Textual's web driver) there is
no terminal: the server is the parent, and its death (the page can no longer reach this dashboard) shows
as a new parent; the web driver handles SIGTERM itself.

Leaving through the App's exit needs a terminal to write the last frames to: the terminal's descriptors
are pointed at /dev/null first, so that nothing waits on a write that can only fail. And in case Textual's
shutdown still waits (its writer thread dies on the first EIO, and its queue then never drains), a
watchdog runs `last_resort` (stop the embedded cloud and the fetch process) and ends the process after
`GRACE` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import termios
import threading
import time
from collections.abc import Callable

#: seconds between two looks at the terminal
EVERY = 0.5
#: seconds the App's own exit may take once the terminal is gone, before the watchdog ends the process
GRACE = 1.5
#: seconds the watchdog waits at most for a running action to end (its steps' own deadlines come first)
BUSY_LIMIT = 600.0


class TerminalWatch:
    """Calls `leave(reason, exit_status)` once when the terminal goes away or SIGHUP/SIGTERM arrives."""

    def __init__(self, leave: Callable[[str, int], None], last_resort: Callable[[], None] | None = None,
                 busy: Callable[[], bool] = lambda: False) -> None:
        self._leave = leave
        self.last_resort = last_resort
        #: an action is running: the watchdog waits for it (it finishes its step and rolls back) first
        self.busy = busy
        self._left = False
        self.fd = next((s.fileno() for s in (sys.__stdin__, sys.__stdout__) if s is not None and s.isatty()), -1)
        #: served to a browser: the server's pid, which stays our parent while it lives
        self.server = os.getppid() if self.fd < 0 and os.environ.get("TEXTUAL_DRIVER", "").endswith(
            ":WebDriver") else None

    def start(self) -> bool:
        """Install the signal handlers (on the running loop, main thread only). False if there is no terminal
        (and no server) to watch."""
        if self.server is not None:
            return True
        if self.fd < 0:
            return False
        loop = asyncio.get_running_loop()
        for signum, status in ((signal.SIGHUP, 129), (signal.SIGTERM, 143)):
            with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):  # not the main thread
                loop.add_signal_handler(signum, self._gone, signal.Signals(signum).name, status)
        return True

    def check(self) -> None:
        """Once per `EVERY`: is the terminal (or the server) still there?"""
        if self.server is not None:
            if os.getppid() != self.server:
                self._gone("the web server went away", 129)
            return
        try:
            termios.tcgetattr(self.fd)
        except (termios.error, OSError):
            self._gone("the terminal went away", 129)

    def _gone(self, why: str, status: int) -> None:
        if self._left:
            return
        self._left = True
        if status == 129:  # hung up: nothing can be shown any more, and a write would fail
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in {0, 1, 2, self.fd}:
                with contextlib.suppress(OSError):
                    os.dup2(devnull, fd)
            os.close(devnull)
        threading.Thread(target=self._watchdog, args=(status,), name="terminal-watchdog", daemon=True).start()
        self._leave(why, status)

    def _watchdog(self, status: int) -> None:
        time.sleep(GRACE)
        waited = 0.0
        while self.busy() and waited < BUSY_LIMIT:
            time.sleep(0.2)
            waited += 0.2
        try:
            if self.last_resort is not None:
                self.last_resort()
        finally:
            os._exit(status)
