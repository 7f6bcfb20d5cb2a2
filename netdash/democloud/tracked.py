"""What the write-ahead log (`wal.py`) needs to know which entries of the stores changed, without asking the
services to say: tables that note what they hand out, and exact fingerprints to compare with.

A value can only be changed in place by someone holding it, and the only way to get hold of a store's record
(or index bucket) is through its table; so a table that notes every key whose value it hands out, inserts
or deletes notes a superset of the keys that changed. Which of them really did is decided by comparing
pickles, which are exact where `==` is not (`1`, `1.0` and `True` are equal; key orders are ignored).

Noting costs a compare of everything handed out, which a reader that changes nothing should not pay (the
data plane reads the whole cloud after every write). So a table can also be *lent* (`lend`): it then hands
out read-only views of its records and buckets (`MappingProxyType`) and notes nothing, and refuses to
change; a read that must change something (a server's BUILD ending as it is read) does so in a block where
the tables are tracked again (`runtime.CloudLock.writing`), and one that forgets to raises instead of
changing the cloud behind the log's back. The views are read-only one level deep: the stores' nested values
(fixed IPs, tags...) are replaced when they change, never changed in place, by the stores' own rule.
"""

from __future__ import annotations

import pickle
from collections.abc import ItemsView, Iterable, Iterator, ValuesView
from types import MappingProxyType
from typing import Any, NoReturn

#: values that cannot change in place: handing them out needs no note
IMMUTABLE = frozenset({str, int, float, bool, type(None)})
_MISSING = object()


class TrackedDict(dict[Any, Any]):
    """A store's dict that notes the keys whose values it handed out (`touched`), inserted (`inserted`, in
    order) and deleted (`removed`). Every way to reach a value goes through `__getitem__` (`values()` and
    `items()` are views over it; `__iter__` is overridden so that C code copying the dict, `dict(t)` or
    `{**t}`, takes the path through it too)."""

    __slots__ = ("inserted", "removed", "touched")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.touched: set[Any] = set()
        self.inserted: dict[Any, None] = {}
        self.removed: set[Any] = set()

    def __getitem__(self, key: Any) -> Any:
        value = dict.__getitem__(self, key)
        if type(value) not in IMMUTABLE:
            self.touched.add(key)
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        value = dict.get(self, key, _MISSING)
        if value is _MISSING:
            return default
        if type(value) not in IMMUTABLE:
            self.touched.add(key)
        return value

    def __setitem__(self, key: Any, value: Any) -> None:
        if not dict.__contains__(self, key):
            self.inserted[key] = None
        self.touched.add(key)
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: Any) -> None:
        dict.__delitem__(self, key)
        self._gone(key)

    def _gone(self, key: Any) -> None:
        self.removed.add(key)
        self.inserted.pop(key, None)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if not dict.__contains__(self, key):
            self[key] = default
        return self[key]

    def pop(self, key: Any, *default: Any) -> Any:
        if dict.__contains__(self, key):
            value = dict.pop(self, key)
            self._gone(key)
            return value
        if default:
            return default[0]
        raise KeyError(key)

    def popitem(self) -> tuple[Any, Any]:
        key, value = dict.popitem(self)
        self._gone(key)
        return key, value

    def clear(self) -> None:
        for key in list(dict.keys(self)):
            self._gone(key)
        dict.clear(self)

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        for key, value in dict(other, **kwargs).items():
            self[key] = value

    def __ior__(self, other: Any) -> TrackedDict:
        self.update(other)
        return self

    def copy(self) -> dict[Any, Any]:
        """A plain dict sharing the values: all of them handed out."""
        self.touched.update(key for key, value in dict.items(self) if type(value) not in IMMUTABLE)
        return dict(dict.items(self))

    def __or__(self, other: Any) -> dict[Any, Any]:
        result = self.copy()
        result.update(other)
        return result

    def __ror__(self, other: Any) -> dict[Any, Any]:
        result = dict(other)
        result.update(self.copy())
        return result

    def __iter__(self) -> Iterator[Any]:
        return dict.__iter__(self)

    def values(self) -> ValuesView[Any]:  # type: ignore[override]
        return ValuesView(self)

    def items(self) -> ItemsView[Any, Any]:  # type: ignore[override]
        return ItemsView(self)

    def plain(self) -> dict[Any, Any]:
        """The contents as a plain dict, nothing noted (the journal reading what it already compares)."""
        return dict(dict.items(self))


class ReadOnlyError(RuntimeError):
    """A change tried inside a read-only section (`runtime.CloudLock.reading`) outside a `writing()` block:
    had it been allowed, the log would not have seen it."""


def _lent(value: Any) -> Any:
    return MappingProxyType(value) if type(value) is dict else value


class LentTable(TrackedDict):
    """A `TrackedDict` while it is lent (`lend`): the same object, whose class is switched for the section,
    so that no table is copied and tables not lent pay nothing. Every way to reach a value gives a read-only
    view of it; nothing is noted; every change raises `ReadOnlyError`."""

    __slots__ = ()

    def __getitem__(self, key: Any) -> Any:
        value = dict.__getitem__(self, key)
        return MappingProxyType(value) if type(value) is dict else value  # _lent, inlined: the hot path

    def get(self, key: Any, default: Any = None) -> Any:
        value = dict.get(self, key, _MISSING)
        if type(value) is dict:
            return MappingProxyType(value)
        return default if value is _MISSING else value

    def copy(self) -> dict[Any, Any]:
        return {key: _lent(value) for key, value in dict.items(self)}

    # Lists, not views: a lent table does not change while it is lent, and a view would go through
    # `__getitem__` once per item (a section reads every port of a --scale cloud this way).
    def values(self) -> list[Any]:  # type: ignore[override]
        return [MappingProxyType(value) if type(value) is dict else value for value in dict.values(self)]

    def items(self) -> list[tuple[Any, Any]]:  # type: ignore[override]
        return [(key, MappingProxyType(value) if type(value) is dict else value) for key, value in dict.items(self)]

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ReadOnlyError("a change to the cloud inside a read-only section: make it in a writing() block, "
                            "where it is logged")

    __setitem__ = __delitem__ = setdefault = pop = popitem = clear = update = __ior__ = _refuse  # type: ignore[assignment]


def lend(tables: Iterable[Any], lent: bool) -> None:
    """Switch the tracked tables among `tables` to lent (True) or back to tracked (False)."""
    cls = LentTable if lent else TrackedDict
    for table in tables:
        if isinstance(table, TrackedDict):
            table.__class__ = cls


def fingerprint(value: Any) -> bytes:
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def shadow_of(value: Any) -> Any:
    """What the journal keeps of a field to compare with: per key for a dict, a copy of a set, else the whole."""
    if isinstance(value, dict):
        items = value.plain().items() if isinstance(value, TrackedDict) else value.items()
        return {key: fingerprint(item) for key, item in items}
    if isinstance(value, set):
        return set(value)
    return fingerprint(value)


def value_of(shadow: Any) -> Any:
    if isinstance(shadow, dict):
        return {key: pickle.loads(item) for key, item in shadow.items()}
    if isinstance(shadow, set):
        return set(shadow)
    return pickle.loads(shadow)
