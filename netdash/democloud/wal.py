"""The write-ahead log of `--state FILE`: every change is on disk before the answer that reveals it leaves.

**What changed.** A change is logged in proportion to itself (a port renamed in a `--scale 1000` cloud is
one port, not the 9.5 MB file), without asking the services to say what they changed, since a list of
"mark it dirty" calls is a list someone forgets: while a journal runs, the stores' dicts are
`tracked.TrackedDict`s, which note every entry they hand out, insert or delete; the noted entries are compared
with the pickle last logged of each, and only those that differ are logged. Sets and the other fields
(counters, the deletion heap) are compared whole at every flush; a field replaced by a new object is
logged whole and tracked anew; `verify` (tests) compares every field after every entry. A reader that
changes nothing (the data plane, which reads the whole cloud after every write) holds the lock with
`reading()`: the tables are lent for it (`tracked.LentTable`), hand out read-only views and note nothing,
and the few changes such a read makes are made in `writing()` blocks, tracked as any other.

**When.** All API state lives under `cloud.lock`; the journal looks for changes as the outermost holder
releases it (`CloudLock.on_release`), still holding it, so an entry is one consistent change whoever made
it: a request, an in-process call, the data plane recording listener statistics, a read that settled a
server out of BUILD or a deletion out of PENDING_DELETE. The entry is appended then; `Runtime.noticed`, which
every answer of a service passes before it leaves, waits until everything appended so far is fsynced (one
fsync serves every request waiting: group commit). So an answer never reveals a change a `kill -9` could
take back, whichever HTTP server carries it.

**On disk.** FILE is a snapshot naming the generation of the log that continues it; the log is
`.FILE.log.<generation>` beside it (covered by the same `.FILE.lock`), a header line then one line per
entry, `<length> <crc32> <json>`. A kill in the middle of an append leaves the last line cut short: never
acknowledged, ignored on load. A bad line with a whole one after it is damage no kill makes: one line, exit
2. When the log grows past `compact_at` bytes a new generation starts: its log is created first, then the
snapshot is rewritten atomically from the journal's record of what was logged (off the cloud lock: a
compaction never stalls the API), then the old log is deleted; a kill at any step leaves a snapshot whose
logs bring it up to date. A clean stop writes a snapshot continued by no log: FILE alone is the cloud.

**When the disk fails.** An entry that cannot be written or synced leaves the change in memory but not on
disk: every answer is a 500 until a whole new generation (log and snapshot) has been written, which each
later flush tries.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .state import (
    FORMAT,
    VERSION,
    StateError,
    decode,
    encode,
    fsync_directory,
    load,
    read,
    saved_fields,
    stores,
    write_atomic,
)
from .tracked import TrackedDict, fingerprint, lend, shadow_of, value_of

if TYPE_CHECKING:
    from .app import Cloud

LOG_FORMAT = "netdash-democloud-log"
#: a log past this many bytes starts a new generation (the snapshot is rewritten from it)
COMPACT_AT = 16 * 1024 * 1024
log = logging.getLogger("democloud")


# --- the log file ------------------------------------------------------------------------------
def log_path(state: Path, generation: int) -> Path:
    return state.with_name(f".{state.name}.log.{generation}")


def log_generations(state: Path) -> list[int]:
    prefix = f".{state.name}.log."
    found = []
    for path in state.parent.glob(f"{prefix}*"):
        suffix = path.name[len(prefix):]
        if suffix.isdigit():
            found.append(int(suffix))
    return sorted(found)


def frame(payload: dict[str, Any]) -> bytes:
    data = json.dumps(payload, separators=(",", ":")).encode()
    return b"%d %08x " % (len(data), zlib.crc32(data)) + data + b"\n"


def unframe(line: bytes) -> Any:
    """The line's JSON, or None when the line is not whole (cut short, or not what was written)."""
    parts = line.split(b" ", 2)
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    length, crc, data = parts
    if int(length) != len(data) or crc != b"%08x" % zlib.crc32(data):
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def read_log(path: Path, generation: int, *, last: bool) -> list[list[Any]]:
    """The changes of each entry of one log. A kill mid-append leaves the last line cut short: in the newest
    log (`last`), bad lines with no good line after them are that, and ignored (they were never
    acknowledged). A bad line before a good one is damage: StateError, one line naming the file and entry."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise StateError(f"state log {path} is missing") from None
    except OSError as exc:
        raise StateError(f"cannot read state log {path}: {exc.strerror or exc.__class__.__name__}") from None
    lines = data.split(b"\n")
    if not lines[-1]:
        lines.pop()  # what follows the last newline is a line cut short, if anything
    parsed = [unframe(line) for line in lines]
    good = [index for index, item in enumerate(parsed) if item is not None]
    whole = good[-1] + 1 if good else 0
    if whole < len(lines) and not last:
        raise StateError(f"state log {path} is damaged at entry {whole} (a log that was complete is cut short)")
    bad = next((index for index in range(whole) if parsed[index] is None), None)
    if bad is not None:
        raise StateError(f"state log {path} is damaged at entry {bad} (entries after it are whole: a kill "
                         "cannot do that)")
    if whole == 0:
        return []  # created but cut short before its header was whole: nothing was ever logged in it
    header = parsed[0]
    if (not isinstance(header, dict) or header.get("format") != LOG_FORMAT
            or header.get("generation") != generation):
        raise StateError(f"state log {path} is not the log of generation {generation} of its state file")
    entries = []
    for index in range(1, whole):
        entry = parsed[index]
        if not isinstance(entry, dict) or not isinstance(entry.get("changes"), list):
            raise StateError(f"state log {path} is damaged at entry {index} (not a list of changes)")
        entries.append(entry["changes"])
    return entries


def replay(decoded: dict[str, dict[str, Any]], logs: list[tuple[Path, list[list[Any]]]]) -> None:
    """Apply the logs' changes, in order, to the decoded stores of the snapshot, as the journal's shadows
    were updated: a `set` of a key present keeps its place, of a key absent appends it."""
    for path, entries in logs:
        for index, changes in enumerate(entries, start=1):
            try:
                for change in changes:
                    apply(decoded, change)
            except (AttributeError, KeyError, TypeError, ValueError, IndexError) as exc:
                raise StateError(f"state log {path} is damaged at entry {index} ({exc.__class__.__name__}: "
                                 f"{str(exc)[:80]})") from None


def apply(decoded: dict[str, dict[str, Any]], change: list[Any]) -> None:
    kind, name, op, key, value = change
    fields = decoded[kind]
    if name not in fields:
        raise KeyError(f"{kind} has no field {name}")
    if op == "put":
        fields[name] = decode(value)
        return
    target = fields[name]
    if op == "set":
        target[decode(key)] = decode(value)
    elif op == "del":
        del target[decode(key)]
    elif op == "add":
        target.update(decode(item) for item in value)
    elif op == "discard":
        target.difference_update(decode(item) for item in value)
    else:
        raise ValueError(f"unknown change {op!r}")


# --- the journal ---------------------------------------------------------------------------------
class Journal:
    """Logs the cloud's changes as they happen; see the module's docstring. `start()` before the cloud
    answers, `stop()` after it stopped answering."""

    def __init__(self, cloud: Cloud, path: str | os.PathLike[str], *, compact_at: int = COMPACT_AT) -> None:
        self.cloud = cloud
        self.path = Path(path)
        self.compact_at = compact_at
        self.generation = 0
        self._fd: int | None = None
        self._size = 0
        #: entries appended / known to be on disk, counted across generations
        self.appended = 0
        self.synced = 0
        self._sync_lock = threading.Lock()
        self._stores: dict[str, Any] = {}
        self._live: dict[tuple[str, str], Any] = {}
        self._shadows: dict[tuple[str, str], Any] = {}
        self._compactor: threading.Thread | None = None
        self._snapshot_lock = threading.Lock()
        self._snapshot_generation = 0
        #: the last write that failed; while set, every answer is a 500 until a fresh snapshot is written
        self.error: OSError | None = None
        #: tests: compare every field with what was logged after each entry, noting what was missed
        self.verify = False
        self.missed: list[str] = []
        self.compactions = 0

    # --- lifecycle ------------------------------------------------------------------------------------
    def start(self) -> Journal:
        """A new generation: its log, then a snapshot of the cloud as it is, then the old files go."""
        for leftover in self.path.parent.glob(f".{self.path.name}.*.tmp"):  # a save a kill cut short
            with contextlib.suppress(OSError):
                leftover.unlink()
        with self.cloud.lock:
            self._track()
            self._begin(max([0, *log_generations(self.path)]) + 1, self._document_now)
            self.cloud.lock.on_release = self._flush
            self.cloud.lock.lend = self._lend
            self.cloud.durable = self.sync
        return self

    def stop(self) -> None:
        """The last changes logged, then one snapshot of everything, continued by no log: after a clean stop
        FILE alone holds the cloud (it can be copied, or read by a netdash without a journal)."""
        with self.cloud.lock:
            self._flush()
            self.cloud.lock.on_release = None
            self.cloud.lock.lend = None
            self.cloud.durable = None
        self._wait_compaction()
        with self.cloud.lock:
            try:
                if self.error is not None:
                    self._track()
                self._write_snapshot(None, document(self._copy_shadows(), None))
            finally:
                self._close()
                for store in stores(self.cloud).values():  # plain dicts again: no cost while not journaled
                    for name in saved_fields(store):
                        value = getattr(store, name)
                        if isinstance(value, TrackedDict):
                            setattr(store, name, value.plain())

    def _track(self) -> None:
        """Wrap every dict field of every store and note what each field holds now."""
        self._stores = dict(stores(self.cloud))
        self._live.clear()
        self._shadows.clear()
        for kind, store in self._stores.items():
            for name in saved_fields(store):
                self._watch(kind, store, name)

    def _lend(self, lent: bool) -> None:
        lend(self._live.values(), lent)

    def _watch(self, kind: str, store: Any, name: str) -> None:
        value = getattr(store, name)
        if isinstance(value, dict):
            value = TrackedDict(value.plain() if isinstance(value, TrackedDict) else value)
            setattr(store, name, value)
        self._live[(kind, name)] = value
        self._shadows[(kind, name)] = shadow_of(value)

    def _document_now(self, generation: int) -> dict[str, Any]:
        return document(self._copy_shadows(), generation)

    def _begin(self, generation: int, snapshot: Any) -> None:
        """Start `generation`: its log created and synced first, then the snapshot, then older logs go.
        With the cloud lock held."""
        self._close()
        self._open_log(generation)
        self._write_snapshot(generation, snapshot(generation))
        self.synced = self.appended  # the snapshot holds everything appended before
        self.error = None

    def _write_snapshot(self, generation: int | None, snapshot: dict[str, Any]) -> None:
        """Replace the snapshot, unless a newer one was written meanwhile (a compaction that ran late); then
        the logs it makes stale go (all of them when it is continued by none: a clean stop)."""
        with self._snapshot_lock:
            newest = generation if generation is not None else self.generation + 1
            if newest < self._snapshot_generation:
                return
            write_atomic(self.path, json.dumps(snapshot, separators=(",", ":")))
            self._snapshot_generation = newest
            for old in log_generations(self.path):
                if old < newest:
                    with contextlib.suppress(OSError):
                        log_path(self.path, old).unlink()

    def _open_log(self, generation: int) -> None:
        path = log_path(self.path, generation)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
        try:
            header = frame({"format": LOG_FORMAT, "version": 1, "generation": generation})
            write_all(fd, header)
            os.fsync(fd)
            fsync_directory(self.path.parent)
        except BaseException:
            os.close(fd)
            raise
        with self._sync_lock:
            self._fd, self.generation, self._size = fd, generation, len(header)

    def _close(self) -> None:
        with self._sync_lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    # --- appending ---------------------------------------------------------------------------------
    def _flush(self) -> None:
        """Log what changed since the last entry; runs as the outermost holder releases the cloud lock."""
        if self.error is not None:
            try:
                self._track()
                self._begin(self.generation + 1, self._document_now)
            except OSError as exc:
                self.error = exc
                return
        changes, updates = self._changes()
        if not changes:
            return
        try:
            data = frame({"changes": changes})
            if self._fd is None:
                raise OSError("the state log is closed")
            write_all(self._fd, data)
        except OSError as exc:  # the change is in memory but not logged: every answer 500s until rewritten
            log.error("cannot append to the state log of %s: %s", self.path, exc)
            self.error = exc
            return
        for update in updates:
            update()
        self._size += len(data)
        self.appended += 1
        if self.verify:
            self._check()
        if self._size > self.compact_at and self._compactor is None:
            try:
                self._rotate()
            except OSError as exc:
                self.error = exc
                return
            shadows = self._copy_shadows()
            self._compactor = threading.Thread(target=self._compact_in_background, args=(self.generation, shadows),
                                               name="democloud:compact", daemon=True)
            self._compactor.start()

    def _changes(self) -> tuple[list[list[Any]], list[Any]]:
        """The changes to log, and how to update the shadows once they are on their way to disk."""
        changes: list[list[Any]] = []
        updates: list[Any] = []
        current = stores(self.cloud)
        for (kind, name), live in list(self._live.items()):
            store = current[kind]
            value = getattr(store, name)
            shadow = self._shadows[(kind, name)]
            if value is not live or store is not self._stores[kind]:  # replaced: logged whole, tracked anew
                changes.append([kind, name, "put", None, encode(value)])
                updates.append(lambda k=kind, s=store, n=name: self._rewatch(k, s, n))
            elif isinstance(value, TrackedDict):
                self._dict_changes((kind, name), value, shadow, changes, updates)
            elif isinstance(value, set):
                if value != shadow:
                    added, gone = value - shadow, shadow - value
                    if gone:
                        changes.append([kind, name, "discard", None, [encode(item) for item in gone]])
                    if added:
                        changes.append([kind, name, "add", None, [encode(item) for item in added]])
                    updates.append(lambda k=(kind, name), v=set(value): self._shadows.__setitem__(k, v))
            else:
                now = fingerprint(value)
                if now != shadow:
                    changes.append([kind, name, "put", None, encode(value)])
                    updates.append(lambda k=(kind, name), v=now: self._shadows.__setitem__(k, v))
        return changes, updates

    def _rewatch(self, kind: str, store: Any, name: str) -> None:
        self._stores[kind] = store
        self._watch(kind, store, name)

    @staticmethod
    def _dict_changes(field: tuple[str, str], value: TrackedDict, shadow: dict[Any, bytes],
                      changes: list[list[Any]], updates: list[Any]) -> None:
        kind, name = field
        touched, inserted, removed = value.touched, value.inserted, value.removed
        if not (touched or removed):
            return
        value.touched, value.inserted, value.removed = set(), {}, set()
        # a copy: a read outside the lock (a token's project looked up) may still add to the old set; a read
        # it is, since every change happens under the lock, so missing it loses nothing
        touched = set(list(touched))
        fresh: list[tuple[Any, bytes]] = []
        for key in removed:
            if key in shadow:
                changes.append([kind, name, "del", encode(key), None])
        for key in inserted:  # deleted first (if they were there), so each lands last, in this order
            item = dict.__getitem__(value, key)
            changes.append([kind, name, "set", encode(key), encode(item)])
            fresh.append((key, fingerprint(item)))
        for key in touched:
            if key in inserted or key in removed or not dict.__contains__(value, key):
                continue
            item = dict.__getitem__(value, key)
            now = fingerprint(item)
            if shadow.get(key) != now:
                changes.append([kind, name, "set", encode(key), encode(item)])
                fresh.append((key, now))

        def update() -> None:
            for key in removed:
                shadow.pop(key, None)
            for key, now in fresh:
                shadow[key] = now

        if removed or fresh:
            updates.append(update)

    def sync(self) -> None:
        """Everything appended so far is on disk when this returns (group commit: one fsync serves every
        request waiting). Called by `Runtime.noticed` for every answer; OSError when the log is broken."""
        if self.error is not None:
            raise self.error
        target = self.appended
        if self.synced >= target:
            return
        with self._sync_lock:
            if self.synced >= target or self._fd is None:
                return
            upto = self.appended
            try:
                os.fsync(self._fd)
            except OSError as exc:  # what was written may not be on disk, nor ever be: start over
                self.error = exc
                raise
            self.synced = max(self.synced, upto)

    # --- compaction ---------------------------------------------------------------------------------
    def _rotate(self) -> None:
        """Everything logged so far synced, then appends go to a new generation's log (cloud lock held)."""
        with self._sync_lock:
            if self._fd is not None:
                os.fsync(self._fd)
                os.close(self._fd)
                self._fd = None
            self.synced = self.appended
        self._open_log(self.generation + 1)

    def _copy_shadows(self) -> dict[tuple[str, str], Any]:
        return {key: dict(shadow) if isinstance(shadow, dict) else set(shadow) if isinstance(shadow, set) else shadow
                for key, shadow in self._shadows.items()}

    def _compact(self, generation: int, shadows: dict[tuple[str, str], Any]) -> None:
        self._write_snapshot(generation, document(shadows, generation))
        self.compactions += 1

    def _compact_in_background(self, generation: int, shadows: dict[tuple[str, str], Any]) -> None:
        try:
            self._compact(generation, shadows)
        except OSError as exc:  # the old log stays; the snapshot and the logs still load; the next try redoes it
            log.error("cannot compact the state of %s: %s", self.path, exc)
        finally:
            self._compactor = None

    @property
    def compacting(self) -> bool:
        return self._compactor is not None

    def _wait_compaction(self) -> None:
        compactor = self._compactor
        if compactor is not None:
            compactor.join(timeout=60)

    # --- checking (tests) ------------------------------------------------------------------------------
    def _check(self) -> None:
        """Every field as logged: what differs is a change the tracking missed."""
        current = stores(self.cloud)
        for (kind, name), shadow in self._shadows.items():
            value = getattr(current[kind], name)
            if isinstance(value, TrackedDict):
                plain = value.plain()
                if list(plain) != list(shadow) or any(fingerprint(v) != shadow[k] for k, v in plain.items()):
                    self.missed.append(f"{kind} {name}")
            elif shadow_of(value) != shadow:
                self.missed.append(f"{kind} {name}")


def document(shadows: dict[tuple[str, str], Any], generation: int | None) -> dict[str, Any]:
    """The snapshot of what was logged, continued by the log of `generation` (None: by no log)."""
    saved: dict[str, dict[str, Any]] = {}
    for (kind, name), shadow in shadows.items():
        saved.setdefault(kind, {})[name] = encode(value_of(shadow))
    return {"format": FORMAT, "version": VERSION, "log": generation, "stores": saved}


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def load_file(cloud: Cloud, path: str | os.PathLike[str]) -> None:
    """Load FILE, and the logs that continue it, into a fresh cloud (`state.load`: checked whole after the
    replay). Read-only: a cloud that only reads a state file never truncates or deletes its logs."""
    target = Path(path)
    document = read(target)
    generation = document.get("log") if isinstance(document, dict) else None
    logs: list[tuple[Path, list[list[Any]]]] = []
    if generation is not None:
        if not isinstance(generation, int) or isinstance(generation, bool) or generation < 1:
            raise StateError(f"{target} is incomplete or damaged (its log is {str(generation)[:40]!r})")
        found = [g for g in log_generations(target) if g >= generation]
        wanted = list(range(generation, generation + len(found)))
        if not found or found != wanted:
            missing = next((g for g, f in zip(wanted, [*found, None], strict=False) if g != f), generation)
            raise StateError(f"state file {target} is continued by its log {log_path(target, missing)}, "
                             "which is missing")
        logs = [(log_path(target, g), read_log(log_path(target, g), g, last=g == found[-1])) for g in found]
    load(cloud, document, str(target), (lambda decoded: replay(decoded, logs)) if logs else None)
