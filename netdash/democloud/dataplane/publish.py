"""Making the data plane visible: the endpoints it serves (`/democloud/endpoints`), change lines for
`netdash demo-cloud`, stats.

The address:port really bound is never guessed by a client: each floating IP, port on `public` and Octavia
listener that is served is published in the cloud's endpoint book (`democloud/endpoints.py`), which the
reconcile keeps current; nothing of it is written into the API's resources (their tags are the user's).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..endpoints import Owner, Published  # an owner: ("floatingip" | "port" | "listener" | "server", id)

if TYPE_CHECKING:
    from ..endpoints import Endpoints

log = logging.getLogger("democloud.dataplane")


@dataclass(frozen=True)
class Served:
    label: str
    endpoints: tuple[str, ...]
    fallback: bool = False


@dataclass
class Counters:
    """Listener traffic since the last flush into Octavia's `/stats` (plus the live connection count)."""

    active: int = 0
    deltas: dict[str, int] = field(default_factory=dict)
    dirty: bool = False

    def opened(self) -> None:
        self.active += 1
        self.add(total_connections=1)

    def closed(self) -> None:
        self.active -= 1
        self.dirty = True

    def add(self, **counts: int) -> None:
        for key, value in counts.items():
            self.deltas[key] = self.deltas.get(key, 0) + value
        self.dirty = True


class Publisher:
    def __init__(self, book: Endpoints) -> None:
        self.book = book
        self.served: dict[Owner, Served] = {}
        self.subscribers: list[Callable[[str], None]] = []
        self.lock = threading.Lock()  # subscribe() is called from other threads

    def subscribe(self, callback: Callable[[str], None]) -> list[str]:
        """Lines describing every endpoint now; `callback` gets a line for each change from then on."""
        with self.lock:
            self.subscribers.append(callback)
            return [describe(s) for s in self.served.values()]

    def unsubscribe(self, callback: Callable[[str], None]) -> None:
        with self.lock:
            if callback in self.subscribers:
                self.subscribers.remove(callback)

    def update(self, served: dict[Owner, Served]) -> None:
        """Publish the endpoints; tell the subscribers what changed."""
        with self.lock:
            old, self.served = self.served, served
            subscribers = list(self.subscribers)
        if old != served:
            self.book.publish({owner: Published(s.endpoints, s.fallback) for owner, s in served.items()})
        lines = []
        for owner in old.keys() | served.keys():
            before, after = old.get(owner), served.get(owner)
            if before == after:
                continue
            lines.append(describe(after) if after else f"{before.label}: no longer served" if before else "")
        for line in sorted(lines):
            for callback in subscribers:
                try:
                    callback(line)
                except Exception as exc:  # e.g. a closed stdout: stop telling that subscriber
                    log.debug("endpoint subscriber %r failed: %s", callback, exc)
                    self.unsubscribe(callback)

    def clear(self) -> None:
        self.update({})


def describe(served: Served) -> str:
    where = ", ".join(served.endpoints)
    note = " (127.24.4.x cannot be bound on this system: fallback to 127.0.0.1)" if served.fallback else ""
    return f"{served.label}: {where}{note}"
