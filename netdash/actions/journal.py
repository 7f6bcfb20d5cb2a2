"""The write-ahead journal of actions: what an action set out to do, written before it changes anything.

An action that is killed half-way (`kill -9`, a crash, a power cut) leaves the cloud half-changed; the
journal is what lets the next `netdash` say so and `netdash recover` finish or undo it. One file per
running action under `$XDG_STATE_HOME/netdash/journal/` (mode 0600, its folder 0700), JSON lines, each
flushed and fsynced before the request it announces is sent:

    {"event": "begin", "action": "swap_ports", "title": ..., "cloud": {...}, "state": {...}}
    {"event": "step", "n": 1, "of": 4, "text": "detach ...", "phase": "sent" | "done" | "failed"}
    {"event": "rollback"}
    {"event": "end", "outcome": "done" | "rolled back" | ...}

`state` is what recovery needs (for a swap: the servers, the ports, the original attachment), never a
secret: the cloud is named (clouds.yaml entry, project, region), not its credentials. The file is removed
at `end`. While its action runs, the process holds an exclusive lock on it, so another `netdash` never
takes a running action for an abandoned one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit


def journal_dir() -> Path:
    """`$XDG_STATE_HOME/netdash/journal` (default `~/.local/state/netdash/journal`)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "netdash" / "journal"


class JournalError(Exception):
    """The journal cannot be written: an action must not start without it."""


@dataclass
class Entry:
    """The journal of one running action: `record` before and after each step, `close` at the end."""

    path: Path
    _file: TextIO = field(repr=False)

    def record(self, event: str, **fields: Any) -> None:
        line = json.dumps({"event": event, "at": round(time.time(), 3), **fields}, sort_keys=True)
        self._file.write(line + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self, outcome: str) -> None:
        """The action ended with the cloud in a known state: nothing to recover."""
        with contextlib.suppress(OSError):
            self.record("end", outcome=outcome)
        self.path.unlink(missing_ok=True)
        self._file.close()

    def abandon(self) -> None:
        """Leave the journal for `netdash recover` (the process is leaving with the cloud half-changed)."""
        self._file.close()


def begin(action: str, title: str, cloud: Mapping[str, Any], state: Mapping[str, Any]) -> Entry:
    """Open a journal for an action and write its first record; JournalError if that is impossible."""
    folder = journal_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / f"{time.strftime('%Y%m%dT%H%M%S')}-{action}-{uuid.uuid4().hex[:8]}.jsonl"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        entry = Entry(path, os.fdopen(fd, "w", encoding="utf-8"))
        entry.record("begin", action=action, title=title, cloud=dict(cloud), state=dict(state), pid=os.getpid())
    except OSError as exc:
        raise JournalError(f"cannot write the action journal in {folder}: {exc.strerror or exc}") from None
    return entry


@dataclass(frozen=True)
class Unfinished:
    """An action whose process went away before it ended: what it was, and how far it got."""

    path: Path
    action: str
    title: str
    cloud: dict[str, Any]
    state: dict[str, Any]
    started: float
    #: the process that ran it
    pid: int
    #: the last step record (`n`, `of`, `text`, `phase`), if any
    last_step: dict[str, Any] | None
    rolling_back: bool

    def where_it_stopped(self) -> str:
        if self.last_step is None:
            return "before its first step"
        step = self.last_step
        what = {"sent": "during", "done": "after", "failed": "after the failure of"}.get(step.get("phase", ""),
                                                                                          "at")
        stage = " of its roll-back" if self.rolling_back else ""
        return f"{what} step {step.get('n')}/{step.get('of')}{stage} ({step.get('text')})"

    def on_a_vanished_demo_cloud(self) -> bool:
        """Whether it ran on an embedded demo cloud that no longer answers. `netdash --demo`'s cloud lives as
        long as the netdash that started it, and what the action half-changed went with it: there is
        nothing left to recover, only a notice that would otherwise come back at every start."""
        if self.cloud.get("demo") is not True:
            return False
        address = urlsplit(str(self.cloud.get("auth_url", "")))
        if address.hostname not in ("127.0.0.1", "::1", "localhost") or address.port is None:
            return False
        try:
            socket.create_connection((address.hostname, address.port), timeout=0.5).close()
        except OSError:
            return True
        return False

    def line(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started))
        return f"{self.title} (started {when}) stopped {self.where_it_stopped()}"

    def entry(self) -> Entry:
        """Take the journal over (to recover it): locked, appended to."""
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise JournalError(f"{self.path.name} is being recovered by another netdash") from None
        return Entry(self.path, os.fdopen(fd, "a", encoding="utf-8"))

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def unfinished() -> list[Unfinished]:
    """Actions whose journal is open but whose process is gone (no one holds the lock), oldest first."""
    folder = journal_dir()
    found = []
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        if _held(path):
            continue
        read = _read(path)
        if read is not None:
            found.append(read)
    return found


def _held(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return True  # gone meanwhile: not ours to report
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def _read(path: Path) -> Unfinished | None:
    """The journal's records; a torn last line (killed while writing it) is ignored."""
    records = []
    with contextlib.suppress(OSError), path.open(encoding="utf-8") as file:
        for line in file:
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict):
                    records.append(record)
    begin_record = next((r for r in records if r.get("event") == "begin"), None)
    if begin_record is None or any(r.get("event") == "end" for r in records):
        path.unlink(missing_ok=True)  # nothing was started, or it ended: nothing to recover
        return None
    steps = [r for r in records if r.get("event") == "step"]
    return Unfinished(path=path, action=str(begin_record.get("action", "?")), title=str(begin_record.get("title", "?")),
                      cloud=_dict(begin_record.get("cloud")), state=_dict(begin_record.get("state")),
                      started=float(begin_record.get("at", 0.0)), pid=int(begin_record.get("pid", 0)),
                      last_step=steps[-1] if steps else None,
                      rolling_back=any(r.get("event") == "rollback" for r in records))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
