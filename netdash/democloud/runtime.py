"""What every embedded service runs on: the settings, the one lock all API state lives under, the clock,
the cloud's addresses, and the signal that an accepted change happened.

It knows no service: the services are built on it, and the composition root (`app.Cloud`) is one.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .core import Response


@dataclass
class Settings:
    """Knobs tests and demos turn; the defaults behave like a small, quick real cloud."""

    region: str = "RegionOne"
    #: seconds a Keystone token lives (Keystone's default is one hour)
    token_ttl: float = 3600.0
    #: seconds an Octavia object stays PENDING_* (immutable, 409 to changes) before ACTIVE
    provisioning_delay: float = 0.5
    #: seconds a new server stays BUILD before ACTIVE
    build_delay: float = 0.3
    #: password of the `demo` user (generated when None)
    password: str | None = None
    #: multiplies health monitors' `delay` and `timeout` in the data plane (tests use 0.1)
    monitor_time_scale: float = 1.0


class Runtime:
    """Settings, lock, clock, addresses and change notification, shared by every service of one cloud."""

    def __init__(self, settings: Settings | None = None, base_url: str = "http://127.0.0.1:0") -> None:
        self.settings = settings or Settings()
        self.base_url = base_url
        # Re-entrant: a Nova handler holding it calls Neutron in-process.
        self.lock = threading.RLock()
        # Bumped after every accepted change, so the data plane knows its snapshot of the desired
        # state is stale without being told what changed (reconcile, not callbacks per resource).
        self._generations = itertools.count(1)
        self.generation = 0
        self.change_hooks: list[Callable[[], None]] = []

    @property
    def auth_url(self) -> str:
        return f"{self.base_url}/identity/v3"

    def now(self) -> float:
        return time.time()

    def noticed(self, method: str, resp: Response) -> Response:
        """Tell the change hooks about an accepted write before its answer leaves (thread-safe, cheap)."""
        if method not in ("GET", "HEAD") and resp.status < 400:
            self.generation = next(self._generations)
            for hook in self.change_hooks:
                hook()
        return resp
