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
secret: the cloud is named (clouds.yaml entry, project, region, user), not its credentials. While its
action runs, the process holds an exclusive lock on it, so another `netdash` never takes a running action
for an abandoned one.

At `end`, the file leaves the folder: an action that changed the cloud as planned (`keep`) moves to
`done/`, the history `netdash undo` reads (the newest `HISTORY` are kept: the same `state` that recovery
needs is what plans the inverse); any other is removed. Neither `unfinished()` nor `netdash recover` ever
looks into `done/`.
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

    def close(self, outcome: str, keep: bool = False) -> None:
        """The action ended with the cloud in a known state: nothing to recover. `keep`: it changed the cloud
        as planned, and goes to the history (`done/`) for `netdash undo`."""
        with contextlib.suppress(OSError):
            self.record("end", outcome=outcome)
        try:
            if keep:
                folder = self.path.parent / DONE
                folder.mkdir(exist_ok=True, mode=0o700)
                self.path.replace(folder / self.path.name)
                prune(folder)
            else:
                self.path.unlink(missing_ok=True)
        except OSError:  # no history is worse than none, never worse than a journal left behind
            self.path.unlink(missing_ok=True)
        self._file.close()

    def abandon(self) -> None:
        """Leave the journal for `netdash recover` (the process is leaving with the cloud half-changed)."""
        self._file.close()


#: the history's folder, under the journal's, and how many completed actions it keeps
DONE = "done"
HISTORY = 20


def prune(folder: Path) -> None:
    """Keep the newest `HISTORY` completed actions (the names begin with their start time)."""
    for old in sorted(folder.glob("*.jsonl"))[:-HISTORY]:
        old.unlink(missing_ok=True)


def begin(action: str, title: str, cloud: Mapping[str, Any], state: Mapping[str, Any]) -> Entry:
    """Open a journal for an action and write its first record; JournalError if that is impossible."""
    folder = journal_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        now = time.time()  # in the name to the millisecond: names sort as the actions started
        stamp = f"{time.strftime('%Y%m%dT%H%M%S', time.localtime(now))}.{int(now * 1000) % 1000:03d}"
        path = folder / f"{stamp}-{action}-{uuid.uuid4().hex[:8]}.jsonl"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        entry = Entry(path, os.fdopen(fd, "w", encoding="utf-8"))
        entry.record("begin", action=action, title=title, cloud=dict(cloud), state=dict(state), pid=os.getpid())
    except OSError as exc:
        raise JournalError(f"cannot write the action journal in {folder}: {exc.strerror or exc}") from None
    return entry


@dataclass(frozen=True)
class Recorded:
    """What a journal's first record says: the action, its title, the cloud it ran on, its state, its start."""

    path: Path
    action: str
    title: str
    cloud: dict[str, Any]
    state: dict[str, Any]
    started: float

    @staticmethod
    def read(path: Path, begin_record: dict[str, Any]) -> dict[str, Any]:
        """The fields, from the `begin` record of the journal at `path`."""
        return {"path": path, "action": str(begin_record.get("action", "?")),
                "title": str(begin_record.get("title", "?")), "cloud": _dict(begin_record.get("cloud")),
                "state": _dict(begin_record.get("state")), "started": float(begin_record.get("at", 0.0))}

    def when(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started))


@dataclass(frozen=True)
class Unfinished(Recorded):
    """An action whose process went away before it ended: what it was, and how far it got."""

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
        return f"{self.title} (started {self.when()}) stopped {self.where_it_stopped()}"

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


@dataclass(frozen=True)
class Completed(Recorded):
    """An action that ended as planned, from the history: what `netdash undo` plans the inverse of."""

    outcome: str


def same_cloud(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two journals' cloud records name the same cloud, project, region and user (the cloud's
    name in clouds.yaml may differ for the same cloud: it is not compared)."""
    return all(a.get(key) == b.get(key) for key in ("auth_url", "project", "region", "user"))


def completed(cloud: Mapping[str, Any]) -> list[Completed]:
    """The history of this user's completed actions on `cloud`, newest first."""
    folder = journal_dir() / DONE
    found = []
    for path in sorted(folder.glob("*.jsonl"), reverse=True) if folder.is_dir() else []:
        records = _records(path)
        begin_record = next((r for r in records if r.get("event") == "begin"), None)
        end_record = next((r for r in records if r.get("event") == "end"), None)
        if begin_record is None or end_record is None or not same_cloud(_dict(begin_record.get("cloud")), cloud):
            continue
        found.append(Completed(**Recorded.read(path, begin_record), outcome=str(end_record.get("outcome", "?"))))
    return sorted(found, key=lambda done: done.started, reverse=True)


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


def _records(path: Path) -> list[dict[str, Any]]:
    """A journal's records; a torn last line (killed while writing it) is ignored."""
    records = []
    with contextlib.suppress(OSError), path.open(encoding="utf-8") as file:
        for line in file:
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict):
                    records.append(record)
    return records


def _read(path: Path) -> Unfinished | None:
    records = _records(path)
    begin_record = next((r for r in records if r.get("event") == "begin"), None)
    if begin_record is None or any(r.get("event") == "end" for r in records):
        path.unlink(missing_ok=True)  # nothing was started, or it ended: nothing to recover
        return None
    steps = [r for r in records if r.get("event") == "step"]
    return Unfinished(**Recorded.read(path, begin_record), pid=int(begin_record.get("pid", 0)),
                      last_step=steps[-1] if steps else None,
                      rolling_back=any(r.get("event") == "rollback" for r in records))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
