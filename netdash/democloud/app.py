"""The composition root: one cloud's services, built once and wired to each other by typed fields, and
the dispatch of HTTP requests to them by mount point."""

from __future__ import annotations

from collections import Counter
from typing import Any

from . import endpoints, faults_admin
from .compute import Compute
from .core import Context, Request, Response
from .faults import Faults, MustWait
from .identity import Identity
from .image import Image
from .loadbalancer import LoadBalancer
from .network import Network
from .runtime import Runtime, Settings
from .service import Service

__all__ = ["Cloud", "Settings"]


class Cloud(Runtime):
    """All services of one embedded cloud; transport-free so the seed and peers call it in-process."""

    def __init__(self, settings: Settings | None = None, base_url: str = "http://127.0.0.1:0") -> None:
        super().__init__(settings, base_url)
        self.requests: Counter[str] = Counter()
        self.identity = Identity(self)
        self.network = Network(self)
        self.image = Image(self, self.identity)
        self.compute = Compute(self, self.identity, self.network, self.image)
        self.load_balancer = LoadBalancer(self, self.identity, self.network, self.compute)
        #: what is mounted, by catalog type: the dispatcher routes by it and Keystone's catalog lists it
        self.services: dict[str, Service] = {
            service.type: service
            for service in (self.identity, self.network, self.compute, self.image, self.load_balancer)}
        self.identity.mounted = self.services
        #: injected faults, matched against HTTP requests only (see democloud/faults.py)
        self.faults = Faults(self, self.identity)
        #: where the data plane serves each address (`/democloud/endpoints`; empty without a data plane)
        self.endpoints = endpoints.Endpoints()

    # --- dispatch -------------------------------------------------------------------------------
    def service_for(self, path: str) -> Service | None:
        for service in self.services.values():
            if path == service.prefix or path.startswith(service.prefix + "/"):
                return service
        return None

    def dispatch(self, req: Request, *, waits: bool = True) -> Response:
        """Route an HTTP request by mount prefix, validate its token, and let the service answer. A caller
        that must not wait on a fault's latency (`waits=False`: the HTTP server's loop) gets `MustWait`
        instead, before anything happened, when faults are in force."""
        if not waits and self.faults.rules:
            raise MustWait
        if req.path == faults_admin.PATH:
            return faults_admin.answer(self.faults, self.identity, self.settings, req)
        if req.path == endpoints.PATH:
            return endpoints.answer(self.endpoints, endpoints.Owners(self.network, self.load_balancer),
                                    self.identity, self.lock, req)
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
        """An in-process request to the service of that catalog type: the seed scenario uses it."""
        return self.services[service_type].request(method, path, body, context=context, query=query,
                                                   headers=headers)
