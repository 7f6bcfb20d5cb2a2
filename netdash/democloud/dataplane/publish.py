"""Making the data plane visible: endpoint tags in the API, change lines for `netdash demo-cloud`, stats.

The address:port really bound is never guessed by a client: each floating IP, port on `public` and
Octavia listener that is served carries the tag `democloud:endpoint=<addr>:<port>`, which the reconcile
keeps current and removes when nothing serves it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .desired import TAG_PREFIX

if TYPE_CHECKING:
    from ..loadbalancer import LoadBalancer
    from ..network import Network

log = logging.getLogger("democloud.dataplane")
Owner = tuple[str, str]  # ("floatingip" | "port" | "listener" | "server", id)


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
    def __init__(self, network: Network, octavia: LoadBalancer) -> None:
        self.network = network
        self.octavia = octavia
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
        """Diff against what was published: write changed tags, tell the subscribers."""
        with self.lock:
            old, self.served = self.served, served
            subscribers = list(self.subscribers)
        lines = []
        for owner in old.keys() | served.keys():
            before, after = old.get(owner), served.get(owner)
            if before == after:
                continue
            if before is None or after is None or before.endpoints != after.endpoints:
                self.tag(owner, after.endpoints if after else ())
            lines.append(describe(after) if after else f"{before.label}: no longer served" if before else "")
        for line in sorted(lines):
            for callback in subscribers:
                try:
                    callback(line)
                except Exception as exc:  # e.g. a closed stdout: stop telling that subscriber
                    log.debug("endpoint subscriber %r failed: %s", callback, exc)
                    self.unsubscribe(callback)

    def tag(self, owner: Owner, endpoints: tuple[str, ...]) -> None:
        kind, ident = owner
        tags = [TAG_PREFIX + e for e in endpoints]
        if kind in ("floatingip", "port"):
            with self.network.runtime.lock:
                self.network.set_system_tags(kind, ident, TAG_PREFIX, tags)
        elif kind == "listener":
            self.octavia.set_listener_tags(ident, TAG_PREFIX, tags)

    def clear(self) -> None:
        self.update({})


def describe(served: Served) -> str:
    where = ", ".join(served.endpoints)
    note = " (127.24.4.x cannot be bound on this system: fallback to 127.0.0.1)" if served.fallback else ""
    return f"{served.label}: {where}{note}"
