"""The cloud: settings, the one lock all API state lives under, the services, and request dispatch."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import faults_admin
from .core import Context, Request, Response
from .faults import Faults
from .service import Service


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


class Cloud:
    """All services of one embedded cloud; transport-free so the seed and peers call it in-process."""

    def __init__(self, settings: Settings | None = None, base_url: str = "http://127.0.0.1:0") -> None:
        from .identity import Identity
        from .registry import service_classes

        self.settings = settings or Settings()
        self.base_url = base_url
        # Re-entrant: a Nova handler holding it calls Neutron in-process.
        self.lock = threading.RLock()
        self.requests: Counter[str] = Counter()
        # Bumped after every accepted change, so the data plane knows its snapshot of the desired
        # state is stale without being told what changed (reconcile, not callbacks per resource).
        self._generations = itertools.count(1)
        self.generation = 0
        self.change_hooks: list[Callable[[], None]] = []
        #: injected faults, matched against HTTP requests only (see democloud/faults.py)
        self.faults = Faults(self)
        self.identity = Identity(self)
        self.services: dict[str, Service] = {"identity": self.identity}
        for cls in service_classes():
            self.services[cls.type] = cls(self)

    # --- addresses ------------------------------------------------------------------------------
    @property
    def auth_url(self) -> str:
        return f"{self.base_url}/identity/v3"

    def endpoint(self, service: Service) -> str:
        return f"{self.base_url}{service.prefix}{service.catalog_suffix}"

    def now(self) -> float:
        return time.time()

    # --- dispatch -------------------------------------------------------------------------------
    def service_for(self, path: str) -> Service | None:
        for service in self.services.values():
            if path == service.prefix or path.startswith(service.prefix + "/"):
                return service
        return None

    def dispatch(self, req: Request) -> Response:
        """Route an HTTP request by mount prefix, validate its token, and let the service answer."""
        if req.path == faults_admin.PATH:
            return faults_admin.answer(self, req)
        service = self.service_for(req.path)
        if service is None:
            return Response(404, {"error": {"code": 404, "title": "Not Found",
                                            "message": f"No service is mounted at {req.path}"}})
        req.path = req.path[len(service.prefix):] or "/"
        req.service_url = self.base_url + service.prefix
        self.requests[service.type] += 1
        if self.faults.rules:  # before the token check: an expire-tokens fault acts on this request too
            injected = self.faults.inject(service, req)  # may sleep, or raise faults.Dropped
            if injected is not None:
                return injected
        token = req.header("x-auth-token")
        if token:
            req.context = self.identity.validate(token)
        return self.noticed(req.method, service.handle(req))

    def call(self, service_type: str, method: str, path: str, body: Any = None, *,
             context: Context, query: str = "", headers: dict[str, str] | None = None) -> Response:
        """An in-process request with an already known caller: peers and the seed scenario use it."""
        service = self.services[service_type]
        raw = b"" if body is None else json.dumps(body).encode()
        req = Request(method, path, query, dict(headers or {}), raw, self.base_url, context,
                      self.base_url + service.prefix)
        return self.noticed(method, service.handle(req))

    def noticed(self, method: str, resp: Response) -> Response:
        """Tell the change hooks about an accepted write before its answer leaves (thread-safe, cheap)."""
        if method not in ("GET", "HEAD") and resp.status < 400:
            self.generation = next(self._generations)
            for hook in self.change_hooks:
                hook()
        return resp
