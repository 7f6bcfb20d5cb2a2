"""`--state FILE`: the embedded cloud's API state as JSON, loaded at start (with the log that continues it).

What is saved is exactly the services' stores: each service keeps what its API answers from in one
dataclass, records *and* indexes (so a reloaded cloud needs no re-derivation code that could drift from the
code that maintains them), and every field its `__init__` takes is saved. Fields it does not take are
derived on construction (counters) or live only while the cloud runs (random sources, health a probe
pinned). Identity's users keep their passwords (the file is 0600, like clouds.yaml). Not saved: live tokens
(a reloaded cloud makes clients authenticate again), injected faults, request counters, and the data plane
(it reconciles from the API state at start).

Values JSON has no type for are tagged: `{"__tuple__": [...]}`, `{"__set__": [...]}`,
`{"__net__": "10.0.0.0/24"}`, and `{"__pairs__": [[k, v], ...]}` for a dict whose keys are not all
strings (or that holds a tag name as a key, so a user's metadata can never be mistaken for a tag).

Version 1 files (written before the services had stores) named each saved attribute of a service; they are
upgraded on load, so a user's old state file still opens.

Version 3 files name the write-ahead log that continues them (`"log"`: its generation, or null when none
does, as after a clean stop); how changes get into the log, and from it into the file, is `wal.py`'s story.
Every file is replaced atomically (`write_atomic`): a reader finds the old one or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import ipaddress
import json
import logging
import os
import sys
import tempfile
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import Cloud

FORMAT = "netdash-democloud-state"
VERSION = 3
#: version 1 named Octavia's saved attributes from the service (`store.lbs`); the one whose field is renamed
V1_RENAMED = {"load-balancer": {"provisioning._heap": "pending"}}
TAGS = ("__tuple__", "__set__", "__net__", "__pairs__")
#: what the data plane tagged resources with before `/democloud/endpoints` (see `drop_endpoint_tags`)
OLD_ENDPOINT_TAG = "democloud:endpoint="
#: fields a store gained after files of this version were written: a file without one loads its default
LATER = {"identity": frozenset({"grants"}),
         "network": frozenset({"quotas", "subnetpools", "rbac", "rbac_of"}),
         "compute": frozenset({"actions", "server_groups"}),
         "load-balancer": frozenset({"l7policies", "l7rules", "listener_policies", "pool_policies", "policy_rules",
                                     "quotas", "flavors", "flavor_profiles", "availability_zones",
                                     "availability_zone_profiles"})}


class StateError(ValueError):
    """The state file cannot be used (unreadable, not JSON, not a state file): one line, exit 2."""


# --- encoding -----------------------------------------------------------------------------------
def encode(value: Any) -> Any:
    if isinstance(value, dict):
        if all(isinstance(k, str) and k not in TAGS for k in value):
            return {k: encode(v) for k, v in value.items()}
        return {"__pairs__": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, set | frozenset):
        return {"__set__": [encode(v) for v in sorted(value, key=repr)]}
    if isinstance(value, ipaddress.IPv4Network | ipaddress.IPv6Network):
        return {"__net__": str(value)}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot save a {type(value).__name__} in the state file")


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        tag, inner = next(iter(value.items()))
        if tag == "__tuple__":
            return tuple(decode(v) for v in inner)
        if tag == "__set__":
            return {decode(v) for v in inner}
        if tag == "__net__":
            return ipaddress.ip_network(inner)
        if tag == "__pairs__":
            return {decode(k): decode(v) for k, v in inner}
    return {k: decode(v) for k, v in value.items()}


# --- the cloud <-> a JSON document ------------------------------------------------------------
def stores(cloud: Cloud) -> dict[str, Any]:
    """Each service's store, by catalog type."""
    return {"identity": cloud.identity.store, "network": cloud.network.store, "compute": cloud.compute.store,
            "image": cloud.image.store, "load-balancer": cloud.load_balancer.store}


def saved_fields(store: Any) -> list[str]:
    """What `--state` keeps of a store: the fields its constructor takes."""
    return [f.name for f in dataclasses.fields(store) if f.init]


def dump(cloud: Cloud) -> dict[str, Any]:
    """The document for the cloud as it is now; call with `cloud.lock` held."""
    return {"format": FORMAT, "version": VERSION, "log": None,
            "stores": {kind: {name: encode(getattr(store, name)) for name in saved_fields(store)}
                       for kind, store in stores(cloud).items()}}


def dumps(cloud: Cloud) -> str:
    with cloud.lock:
        return json.dumps(dump(cloud), separators=(",", ":"))


def upgrade(document: dict[str, Any]) -> dict[str, Any]:
    """A version 1 document as version 2: `services` -> `stores`, attribute paths -> field names."""
    stores_v2: dict[str, Any] = {}
    for kind, values in document["services"].items():
        renamed = V1_RENAMED.get(kind, {})
        stores_v2[kind] = {renamed.get(name, name.removeprefix("store.")): value for name, value in values.items()}
    return {"format": FORMAT, "version": 2, "stores": stores_v2}


def load(cloud: Cloud, document: Any, source: str = "state file",
         replay: Callable[[dict[str, dict[str, Any]]], None] | None = None) -> None:
    """Replace a fresh cloud's stores' contents with the document's (the services keep their stores), once
    the document is known to be whole: well-typed in every field (`mismatch`) and answerable (`answers`,
    tried on a copy, since reading the API can change it: a first list makes a project's default group).
    `replay` applies the log's changes to the decoded stores first: the checks are of the state replayed."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise StateError(f"{source} is not a netdash demo-cloud state file")
    if document.get("version") not in (1, 2, VERSION):
        raise StateError(f"{source} has state format version {document.get('version')!r}; "
                         f"this netdash reads versions 1 to {VERSION}")
    if document["version"] == 1:
        try:
            document = upgrade(document)
        except (AttributeError, KeyError, TypeError, ValueError):
            raise StateError(f"{source} is incomplete or damaged (its version 1 layout)") from None
    trial = type(cloud)(cloud.settings, cloud.base_url)
    install(trial, rebuilt(trial, document, source, replay, check=True))
    answers(trial, source)
    install(cloud, rebuilt(cloud, document, source, replay, check=False))


def rebuilt(cloud: Cloud, document: dict[str, Any], source: str,
            replay: Callable[[dict[str, dict[str, Any]]], None] | None, *, check: bool) -> dict[str, Any]:
    """The document's stores (with the log replayed) as new store objects of the cloud's services;
    StateError naming what is wrong."""
    current = stores(cloud)
    try:
        saved = document["stores"]
        decoded = {kind: {name: decode(saved[kind][name]) for name in saved_fields(store)
                          if name in saved[kind] or name not in LATER.get(kind, ())}
                   for kind, store in current.items()}
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise StateError(f"{source} is incomplete or damaged ({exc.__class__.__name__}: "
                         f"{str(exc)[:80]})") from None
    except RecursionError:
        raise StateError(f"{source} is nested too deeply to be a state file") from None
    if replay is not None:
        replay(decoded)
    drop_endpoint_tags(decoded)
    fresh = {}
    for kind, store in current.items():
        hints = field_types(store)
        for name, value in decoded[kind].items() if check else ():
            problem = mismatch(value, hints[name])
            if problem is not None:
                raise StateError(f"{source}: {kind} {name}{problem}")
            if is_record_table(hints[name]):
                wrong = next((key for key, record in value.items() if record.get("id", key) != key), None)
                if wrong is not None:
                    raise StateError(f"{source}: {kind} {name}[{wrong!r}] holds a record of another id")
        try:
            fresh[kind] = type(store)(**decoded[kind])  # derives what is not saved (counters) from what is
        except (TypeError, ValueError) as exc:
            raise StateError(f"{source}: {kind} cannot be rebuilt ({exc.__class__.__name__})") from None
    return fresh


def drop_endpoint_tags(decoded: dict[str, dict[str, Any]]) -> None:
    """Files written before the data plane published its endpoints at `/democloud/endpoints` have them as
    `democloud:endpoint=...` tags on floating IPs, ports and listeners: not the user's, so not kept."""
    for kind, table in (("network", "fips"), ("network", "ports"), ("load-balancer", "listeners")):
        records = decoded.get(kind, {}).get(table)
        for record in records.values() if isinstance(records, dict) else ():
            tags = record.get("tags") if isinstance(record, dict) else None
            if isinstance(tags, list):
                record["tags"] = [t for t in tags if not (isinstance(t, str) and t.startswith(OLD_ENDPOINT_TAG))]


def install(cloud: Cloud, fresh: dict[str, Any]) -> None:
    with cloud.lock:
        for kind, store in stores(cloud).items():
            for f in dataclasses.fields(store):
                setattr(store, f.name, getattr(fresh[kind], f.name))
        cloud.identity.tokens.clear()


#: what a loaded cloud must be able to list without an error, by service
SMOKE = {"network": ("/v2.0/networks", "/v2.0/subnets", "/v2.0/ports", "/v2.0/routers", "/v2.0/floatingips",
                     "/v2.0/security-groups", "/v2.0/security-group-rules"),
         "compute": ("/servers/detail", "/flavors/detail", "/os-keypairs"),
         "image": ("/v2/images",),
         "load-balancer": ("/v2/lbaas/loadbalancers", "/v2/lbaas/listeners", "/v2/lbaas/pools",
                           "/v2/lbaas/healthmonitors", "/v2/lbaas/l7policies", "/v2/lbaas/quotas",
                           "/v2/lbaas/flavors", "/v2/lbaas/availabilityzones")}
ACCOUNTS = ("demo", "alt_demo", "admin")


def answers(cloud: Cloud, source: str) -> None:
    """A loaded cloud answers: every account exists with its project, and every list of every service
    can be read, in-process, before the cloud listens. A document can be well-typed and still hold records the
    API cannot render; that is one line at start, never a cloud whose lists answer 500."""
    users = {user.get("name") for user in cloud.identity.store.users.values()}
    missing = [name for name in ACCOUNTS if name not in users]
    if missing:
        raise StateError(f"{source}: no account named {' or '.join(missing)}")
    quiet = logging.getLogger("democloud")
    was = quiet.disabled
    quiet.disabled = True  # a failing handler logs its traceback: the one line below says it instead
    try:
        contexts = {}
        for name in ACCOUNTS:
            try:
                contexts[name] = cloud.identity.context_for(name)
            except (KeyError, StopIteration):
                raise StateError(f"{source}: the account {name} has no project") from None
        for kind, paths in SMOKE.items():  # as admin: every record of every project goes through its view
            for path in paths:
                if cloud.call(kind, "GET", path, context=contexts["admin"]).status >= 500:
                    raise StateError(f"{source} is damaged: {kind} {path} cannot be answered from it")
    finally:
        quiet.disabled = was


# --- checking a document before it replaces anything -------------------------------------------------
def field_types(store: Any) -> dict[str, Any]:
    """The declared type of each saved field of a store (its annotations, evaluated one by one: a field
    that is not saved may be annotated with what cannot be evaluated at run time)."""
    module = sys.modules[type(store).__module__]
    out = {}
    for f in dataclasses.fields(store):
        if f.init:
            out[f.name] = eval(f.type, vars(module)) if isinstance(f.type, str) else f.type
    return out


def is_record_table(hint: Any) -> bool:
    """`dict[str, Record]`: a table of records by id."""
    args = typing.get_args(hint)
    return (typing.get_origin(hint) is dict and args[0] is str
            and typing.get_origin(args[1]) is dict and typing.get_args(args[1])[1] is Any)


def mismatch(value: Any, hint: Any, depth: int = 0) -> str | None:
    """Where `value` is not of the declared type `hint`, as ` [key]...: should be X`; None when it is. A
    record's own values (`dict[str, Any]`) are the API's, checked by the services as they answer."""
    if hint is Any:
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return None if any(mismatch(value, arg, depth) is None for arg in args) else f": should be {hint}"
    if origin is None:
        if hint is float:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        elif hint is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif hint is None or hint is type(None):
            ok = value is None
        else:
            ok = isinstance(value, hint)
        return None if ok else f": should be {getattr(hint, '__name__', hint)}, not {type(value).__name__}"
    if not isinstance(value, origin):
        return f": should be a {origin.__name__}, not {type(value).__name__}"
    if origin is dict:
        if all(leaf(value.keys(), args[0])) and all(leaf(value.values(), args[1])):
            return None  # the common case, checked without a call per item
        for key, item in value.items():
            problem = mismatch(key, args[0], depth + 1) or mismatch(item, args[1], depth + 1)
            if problem is not None:
                return f"[{str(key)[:40]!r}]{problem}"
    elif origin in (list, set, frozenset):
        if all(leaf(value, args[0])):
            return None
        for index, item in enumerate(value):
            problem = mismatch(item, args[0], depth + 1)
            if problem is not None:
                return f"[{index}]{problem}"
    elif origin is tuple:
        fixed = not (len(args) == 2 and args[1] is Ellipsis)
        if fixed and len(value) != len(args):
            return f": should have {len(args)} items, not {len(value)}"
        for index, item in enumerate(value):
            problem = mismatch(item, args[index] if fixed else args[0], depth + 1)
            if problem is not None:
                return f"[{index}]{problem}"
    return None


def leaf(items: Iterable[Any], hint: Any) -> Iterator[bool]:
    """Per item, whether it certainly is a `hint` without looking deeper (False: look deeper, or wrong)."""
    if hint is Any:
        return (True for _ in items)
    if hint is None:
        return (item is None for item in items)
    if hint in (str, int, float):
        kinds = (int, float) if hint is float else (hint,)
        return (type(item) in kinds for item in items)
    if typing.get_origin(hint) is dict and typing.get_args(hint)[1] is Any:
        return (type(item) is dict and all(type(key) is str for key in item) for item in items)
    return (False for _ in items)


def read(path: str | os.PathLike[str]) -> Any:
    """The parsed file; StateError (one line, naming the file, never its content) when unusable."""
    target = Path(path)
    try:
        text = target.read_text(encoding="utf-8")
    except OSError as exc:
        raise StateError(f"cannot read state file {target}: {exc.strerror or exc.__class__.__name__}") from None
    except UnicodeDecodeError:
        raise StateError(f"state file {target} is not UTF-8 text") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise StateError(f"state file {target} is nested too deeply to be a state file") from None
    except ValueError as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise StateError(f"state file {target} is not valid JSON{where}") from None


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Temporary file in the same directory, 0600 from the start, fsync, rename over, fsync the directory."""
    target = Path(path)
    directory = target.parent
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:  # mkstemp creates it 0600
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    fsync_directory(directory)


def fsync_directory(directory: str | os.PathLike[str]) -> None:
    """A rename or a new file is on disk only once its directory is: fsync it (where the filesystem can)."""
    with contextlib.suppress(OSError):  # some filesystems cannot fsync a directory
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class StateLock:
    """One cloud per state file: two clouds saving to the same file would overwrite each other's changes
    without a word. A lock file beside the state (`.FILE.lock`: the state file itself is replaced on every
    save, so a lock on it would not last), held with flock for as long as the cloud serves: the kernel
    releases it when the process ends, however it ends."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        target = Path(path)
        self.path = target.with_name(f".{target.name}.lock")
        self.state = target
        self._fd: int | None = None

    def acquire(self) -> StateLock:
        if self._fd is not None:
            return self
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StateError(f"cannot lock state file {self.state}: {exc.strerror or exc.__class__.__name__}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise StateError(f"state file {self.state} is in use by another embedded cloud{who}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None
