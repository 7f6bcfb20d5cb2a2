"""The dashboard's side of the fetch process (`python -m cloud.fetch_child`): start it, ask, read deltas.

Why a process: see `CloudClient.start_fetch_process`. The child connects to the same cloud by itself (an
`openstack` process started from the same shell finds the same clouds.yaml and OS_* variables; the
embedded cloud's entry is handed over) and answers each `fetch` with the delta of its bodies
(`cloud.deltas`), in parts of at most `PART` bodies so that no single unpickling holds this process's
GIL for long.

Messages are pickles on the child's stdin and stdout: both ends are this program, over a pipe no one else
holds. The spec may carry the embedded cloud's password; it goes through that pipe, never the command
line or the environment. The child runs in a session of its own (a Ctrl-C meant for the dashboard is not
its business) and leaves when its stdin closes: when the dashboard closes it, exits or is killed.

Anything that goes wrong with the child itself (it could not start, died, sent something unreadable)
raises `FetchProcessGone`, and the client fetches in its own process again: slower, never wrong.
"""

from __future__ import annotations

import asyncio
import contextlib
import pickle
import queue
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import Any

from .deltas import Delta, FieldDelta, Keys
from .status_trees import TreeCache

#: bodies per message of a delta
PART = 500
#: seconds `close()` gives the child to leave by itself
CLOSE_WAIT = 2.0


@dataclass(frozen=True)
class ConnectSpec:
    """`CloudClient.connect(cloud, region, insecure=...)` again, in the child."""

    cloud: str | None
    region: str | None
    insecure: bool
    max_rps: float


@dataclass(frozen=True)
class DemoSpec:
    """The embedded cloud's clouds.yaml entry (with its password: see the module docstring)."""

    entry: dict[str, Any]
    timeout: float
    max_rps: float

    def cloud_config(self, _user: str) -> dict[str, Any]:  # what CloudClient.for_demo reads
        return self.entry

    def __repr__(self) -> str:
        return "DemoSpec(...)"


class FetchProcessGone(Exception):
    """The fetch process is of no more use; fetch in this process instead."""


class FetchProcess:
    """One child, started at once; `ready()` says whether it has connected."""

    def __init__(self, spec: ConnectSpec | DemoSpec) -> None:
        self.seeded = False
        #: the API calls the child had made by its last answer
        self.calls = 0
        self._answers: queue.Queue[tuple[Any, ...]] = queue.Queue()
        self._state = "starting"  # -> "ready" | "gone"
        self._lock = threading.Lock()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "netdash.cloud.fetch_child"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, start_new_session=True)
        threading.Thread(target=self._read, name="netdash-fetch-reader", daemon=True).start()
        self._send(("connect", spec))

    def ready(self, wait: float = 0.0) -> bool:
        """Whether the child has connected, waiting up to `wait` seconds for it; False for ever once it is
        gone (`gone`)."""
        with contextlib.suppress(queue.Empty, FetchProcessGone):
            while self._state == "starting":
                self._take(self._answers.get(timeout=wait) if wait > 0 else self._answers.get_nowait())
        return self._state == "ready"

    @property
    def gone(self) -> bool:
        return self._state == "gone"

    def seed(self, keys: Keys, trees: TreeCache) -> None:
        """Tell the child what the models already hold (`Deltas.keys`) and the status trees read so far
        (`status_trees.TreeCache`), before its first fetch."""
        self._send(("seed", keys, trees))
        self.seeded = True

    async def fetch(self, watched: frozenset[str]) -> tuple[Delta, list[str], dict[str, tuple[str, str]]]:
        """(the delta, the fields fetched, the fields that failed with (title, reason) each); raises the
        child's NetdashError for a failed fetch (nothing answered), FetchProcessGone when the child is of no
        more use. `calls` is then the child's API calls so far."""
        return await asyncio.to_thread(self._fetch, watched)

    def _fetch(self, watched: frozenset[str]) -> tuple[Delta, list[str], dict[str, tuple[str, str]]]:
        with self._lock:
            self._send(("fetch", watched))
            delta: Delta = {}
            while True:
                message = self._answers.get()
                match message:
                    case ("part", str(field), dict(changed), tuple(removed), bool(full)):
                        known = delta.get(field)
                        if known is None:
                            delta[field] = FieldDelta(changed, removed, full)
                        else:
                            known.changed.update(changed)
                    case ("done", list(fields), dict(failures), int(calls)):
                        self.calls = calls
                        return delta, fields, failures
                    case ("error", BaseException() as error, int(calls)):
                        self.calls = calls
                        raise error
                    case _:
                        self._take(message)
                        raise FetchProcessGone(f"unexpected answer from the fetch process: {message[0]!r}")

    def _take(self, message: tuple[Any, ...]) -> None:
        """A message about the child itself (not an answer to a fetch)."""
        if message[0] == "ready":
            self._state = "ready"
        elif message[0] in ("failed", "gone"):
            self._state = "gone"
            raise FetchProcessGone(str(message[1]))

    def _send(self, message: tuple[Any, ...]) -> None:
        stdin = self._process.stdin
        try:
            assert stdin is not None
            pickle.dump(message, stdin, protocol=pickle.HIGHEST_PROTOCOL)
            stdin.flush()
        except (OSError, ValueError):  # the child is gone (broken pipe) or closed
            self._state = "gone"
            raise FetchProcessGone("the fetch process is not running") from None

    def _read(self) -> None:
        stdout = self._process.stdout
        assert stdout is not None
        while True:
            try:
                message = pickle.load(stdout)
            except Exception:  # EOF, or a torn message from a child that died mid-write
                self._answers.put(("gone", f"the fetch process exited (status {self._process.wait()})"))
                return
            self._answers.put(message if isinstance(message, tuple) and message else ("gone", "bad message"))

    def close(self) -> None:
        """Close its stdin (it leaves by itself), then make sure it has."""
        self._state = "gone"
        with contextlib.suppress(OSError):
            if self._process.stdin is not None:
                self._process.stdin.close()
        try:
            self._process.wait(CLOSE_WAIT)
        except subprocess.TimeoutExpired:  # in the middle of a slow fetch: it has nothing to save
            self._process.kill()
            self._process.wait()
