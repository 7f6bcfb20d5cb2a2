"""Health monitors: one per pool, probing its members (HTTP/HTTPS/TCP/PING/UDP-CONNECT/TLS-HELLO/SCTP).

The HTTP-only settings (method, URL path, expected codes) default to GET, `/`, `200` for HTTP(S) monitors
and are refused for the other types, as Octavia's controller does.
"""

from __future__ import annotations

from typing import Any

from ..core import Request, Response, new_id
from . import listing
from .base import Resource
from .faults import fault, invalid_option, validation
from .provisioning import stamp_new
from .quotas import charge
from .schema import BOOL, TAGS, Body, Field, enum, integer, text
from .store import Record

TYPES = ("HTTP", "HTTPS", "PING", "TCP", "TLS-HELLO", "UDP-CONNECT", "SCTP")
HTTP_TYPES = ("HTTP", "HTTPS")
HTTP_ONLY = ("http_method", "url_path", "expected_codes")
METHODS = ("CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE")
HTTP_DEFAULTS = {"http_method": "GET", "url_path": "/", "expected_codes": "200"}
CODES = r"^(\d{3}(\s*,\s*\d{3})*)$|^(\d{3}-\d{3})$"
DOMAIN = r"^(?=^.{1,254}$)(^(?:(?!\d+\.|-)[a-zA-Z0-9_\-]{1,63}(?<!-)\.?)+(?:[a-zA-Z]{2,})$)"
RETRIES = integer(1, 10)
PUT: dict[str, Field] = {
    "name": text(), "delay": integer(0), "timeout": integer(0), "max_retries": RETRIES,
    "max_retries_down": RETRIES, "http_method": enum(*METHODS), "url_path": Field("str", pattern=r"^/"),
    "expected_codes": text(None, pattern=CODES), "admin_state_up": BOOL, "tags": TAGS,
    "http_version": Field("float_enum", choices=(1.0, 1.1)),
    "domain_name": text(255, min_length=1, pattern=DOMAIN),
}
POST: dict[str, Field] = {
    **PUT, "type": enum(*TYPES, mandatory=True), "delay": integer(0, mandatory=True),
    "timeout": integer(0, mandatory=True), "max_retries": integer(1, 10, mandatory=True),
    "pool_id": Field("uuid", mandatory=True), "project_id": text(36),
}
CREATE = Body("healthmonitor", "health_monitor_", POST)
UPDATE = Body("healthmonitor", "health_monitor_", PUT)


class HealthMonitors(Resource):
    kind = "healthmonitor"
    title = "Health Monitor"

    def register(self) -> None:
        add = self.service.route
        add("GET", "/lbaas/healthmonitors", self.list)
        add("POST", "/lbaas/healthmonitors", self.create)
        add("GET", "/lbaas/healthmonitors/{hm_id}", self.show)
        add("PUT", "/lbaas/healthmonitors/{hm_id}", self.update)
        add("DELETE", "/lbaas/healthmonitors/{hm_id}", self.delete)

    def view(self, hm: Record, now: float) -> dict[str, Any]:
        return {
            "id": hm["id"], "name": hm["name"], "type": hm["type"], "delay": hm["delay"],
            "timeout": hm["timeout"], "max_retries": hm["max_retries"],
            "max_retries_down": hm["max_retries_down"], "http_method": hm["http_method"],
            "url_path": hm["url_path"], "expected_codes": hm["expected_codes"],
            "admin_state_up": hm["admin_state_up"], "project_id": hm["project_id"],
            "pools": [{"id": hm["_pool"]}], "provisioning_status": self.status_of(hm, now),
            "operating_status": self.operating.monitor(hm, now), **self.stamps(hm, now),
            "tags": list(hm["tags"]), "http_version": hm["http_version"], "domain_name": hm["domain_name"],
            "tenant_id": hm["project_id"],
        }

    def list(self, req: Request) -> Response:
        now = self.now()
        found = self.visible(req, self.store.monitors)
        return listing.collection(req, "healthmonitors", [self.view(hm, now) for hm in found],
                                  [{"pool_id": [hm["_pool"]], "loadbalancer_id": [hm["_lb"]]} for hm in found])

    def show(self, req: Request, hm_id: str) -> Response:
        return self.shown(req, "healthmonitor", self.view(self.find(req, hm_id), self.now()))

    def create(self, req: Request) -> Response:
        body = CREATE.parse(req)
        pool = self.find(req, body["pool_id"], "pool", "Pool")
        kind = body["type"]
        if pool["protocol"] == "UDP" and kind not in ("UDP-CONNECT", "TCP", "HTTP"):
            raise validation("The associated pool protocol is UDP, so only a UDP-CONNECT/TCP/HTTP health "
                             "monitor is supported.")
        if pool["protocol"] != "UDP" and kind == "UDP-CONNECT":
            raise validation("The UDP-CONNECT type is only supported for pools of type UDP.")
        if kind in HTTP_TYPES:
            for key, default in HTTP_DEFAULTS.items():
                body[key] = body.get(key) or default
        self.validate(kind, body, {})
        rec: Record = {
            "name": "", "admin_state_up": True, "max_retries_down": 3, "tags": [], "http_version": None,
            "domain_name": None, "http_method": None, "url_path": None, "expected_codes": None,
            **{k: v for k, v in body.items() if v is not None and k not in ("pool_id", "project_id")},
            "id": new_id(), "project_id": pool["project_id"], "_pool": pool["id"], "_lb": pool["_lb"]}
        now = self.now()
        lb = self.lb_of(pool)
        self.check_mutable(lb, now)
        if self.store.monitor_of(pool["id"]) is not None:
            raise fault(409, "This pool already has a health monitor")
        charge(self.store, pool["project_id"], "health_monitor")
        self.lock(lb, [*self.store.listeners_of_pool(pool["id"]), pool], now)
        stamp_new(rec, now, self.delay)
        self.store.add_monitor(rec)
        return self.created("healthmonitor", self.view(rec, now))

    def update(self, req: Request, hm_id: str) -> Response:
        body = UPDATE.parse(req)
        hm = self.find(req, hm_id)
        for key in ("delay", "max_retries", "timeout"):
            if key in body and body[key] is None:
                raise invalid_option(None, key)
        self.validate(hm["type"], body, hm)
        defaults: dict[str, Any] = {"max_retries_down": 3}
        if hm["type"] in HTTP_TYPES:
            defaults.update(HTTP_DEFAULTS)
        pool = self.store.pools[hm["_pool"]]
        now = self.now()
        self.lock(self.lb_of(hm), [*self.store.listeners_of_pool(pool["id"]), pool, hm], now)
        self.assign(hm, body, defaults)
        return Response(200, {"healthmonitor": self.view(hm, now)})

    def delete(self, req: Request, hm_id: str) -> Response:
        hm = self.find(req, hm_id)
        pool = self.store.pools[hm["_pool"]]
        now = self.now()
        self.lock(self.lb_of(hm), [*self.store.listeners_of_pool(pool["id"]), pool], now)
        self.provisioning.delete(self.kind, hm, now, self.delay)
        return Response(204)

    @staticmethod
    def validate(kind: str, body: dict[str, Any], current: Record) -> None:
        if kind not in HTTP_TYPES:
            for key in HTTP_ONLY:
                if body.get(key) is not None:
                    raise invalid_option(key, f"health monitors of type {kind}")
        domain = body.get("domain_name") or current.get("domain_name")
        version = body.get("http_version") or current.get("http_version")
        if body.get("domain_name") and not version:
            raise validation("'http_version' must be specified when 'domain_name' is provided.")
        if domain and version and version < 1.1:
            raise invalid_option(f"http_version {version}",
                                 "health monitors HTTP 1.1 domain name health check")
