"""Listeners: a protocol and port on the load balancer's VIP, optionally forwarding to a default pool."""

from __future__ import annotations

import ipaddress
from typing import Any

from ..core import Request, Response, new_id
from . import listing
from .base import Resource
from .faults import fault, invalid_option, validation
from .provisioning import stamp_new
from .quotas import charge
from .schema import BOOL, MAX_TIMEOUT, TAGS, UUID, Body, Field, enum, integer, text
from .store import Record

PROTOCOLS = ("HTTP", "HTTPS", "TCP", "TERMINATED_HTTPS", "UDP", "SCTP", "PROMETHEUS")
#: listener protocol -> the pool protocols that can serve it (Octavia's VALID_LISTENER_POOL_PROTOCOL_MAP)
POOL_PROTOCOLS = {
    "TCP": ("HTTP", "HTTPS", "PROXY", "PROXYV2", "TCP"), "HTTP": ("HTTP", "PROXY", "PROXYV2"),
    "HTTPS": ("HTTPS", "PROXY", "PROXYV2", "TCP"), "TERMINATED_HTTPS": ("HTTP", "PROXY", "PROXYV2"),
    "UDP": ("UDP",), "SCTP": ("SCTP",), "PROMETHEUS": (),
}
HTTP_HEADERS = ("X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto")
SSL_HEADERS = ("X-SSL-Client-Verify", "X-SSL-Client-Has-Cert", "X-SSL-Client-DN", "X-SSL-Client-CN",
               "X-SSL-Issuer", "X-SSL-Client-SHA1", "X-SSL-Client-Not-Before", "X-SSL-Client-Not-After")
DEFAULTS: dict[str, Any] = {
    "connection_limit": -1, "default_tls_container_ref": None, "sni_container_refs": [], "insert_headers": {},
    "timeout_client_data": 50000, "timeout_member_connect": 5000, "timeout_member_data": 50000,
    "timeout_tcp_inspect": 0, "client_ca_tls_container_ref": None, "client_authentication": "NONE",
    "client_crl_container_ref": None, "allowed_cidrs": None, "tls_ciphers": None, "tls_versions": None,
    "alpn_protocols": None, "hsts_max_age": None, "hsts_include_subdomains": False, "hsts_preload": False,
}
TIMEOUT = integer(0, MAX_TIMEOUT)
PUT: dict[str, Field] = {
    "name": text(), "description": text(), "admin_state_up": BOOL, "connection_limit": integer(-1),
    "default_tls_container_ref": text(), "sni_container_refs": TAGS, "default_pool_id": UUID,
    "insert_headers": Field("headers", max_length=255), "timeout_client_data": TIMEOUT,
    "timeout_member_connect": TIMEOUT, "timeout_member_data": TIMEOUT, "timeout_tcp_inspect": TIMEOUT,
    "tags": TAGS, "client_ca_tls_container_ref": text(), "client_crl_container_ref": text(),
    "client_authentication": enum("NONE", "OPTIONAL", "MANDATORY"), "allowed_cidrs": Field("cidrs"),
    "tls_ciphers": text(2048), "tls_versions": Field("strs", max_length=32), "alpn_protocols": TAGS,
    "hsts_max_age": integer(0), "hsts_include_subdomains": BOOL, "hsts_preload": BOOL,
}
POST: dict[str, Field] = {
    **PUT, "protocol": enum(*PROTOCOLS, mandatory=True), "protocol_port": integer(1, 65535, mandatory=True),
    "loadbalancer_id": Field("uuid", mandatory=True), "project_id": text(36), "default_pool": Field("list"),
    "l7policies": Field("list"),
}
CREATE = Body("listener", "listener_", POST)
UPDATE = Body("listener", "listener_", PUT)


def l4(protocol: str) -> str:
    """The transport a protocol listens on: two listeners clash only on the same port *and* transport."""
    return protocol if protocol in ("UDP", "SCTP") else "TCP"


def check_cidrs(lb: Record, cidrs: list[str]) -> None:
    """Octavia's `_validate_cidr_compatible_with_vip`: each allowed CIDR is of the IP version of one of the
    load balancer's VIPs, and none go with security groups of the user's own on the VIP."""
    if cidrs and lb["vip_sg_ids"]:
        raise validation("Allowed CIDRs are not allowed when using custom VIP Security Groups.")
    vips = [a for a in (lb["vip_address"], *(v.get("ip_address") for v in lb["additional_vips"])) if a]
    versions = {ipaddress.ip_address(a).version for a in vips}
    for cidr in cidrs:
        if ipaddress.ip_network(cidr).version not in versions:
            raise validation(f"CIDR {cidr} IP version incompatible with all VIPs {vips} IP version.")


class Listeners(Resource):
    kind = "listener"
    title = "Listener"

    def register(self) -> None:
        add = self.service.route
        add("GET", "/lbaas/listeners", self.list)
        add("POST", "/lbaas/listeners", self.create)
        add("GET", "/lbaas/listeners/{listener_id}", self.show)
        add("PUT", "/lbaas/listeners/{listener_id}", self.update)
        add("DELETE", "/lbaas/listeners/{listener_id}", self.delete)
        add("GET", "/lbaas/listeners/{listener_id}/stats", self.stats)

    def view(self, li: Record, now: float) -> dict[str, Any]:
        return {
            "id": li["id"], "name": li["name"], "description": li["description"],
            "provisioning_status": self.status_of(li, now),
            "operating_status": self.operating.listener(li, now),
            "admin_state_up": li["admin_state_up"], "protocol": li["protocol"],
            "protocol_port": li["protocol_port"], "connection_limit": li["connection_limit"],
            "default_tls_container_ref": li["default_tls_container_ref"],
            "sni_container_refs": list(li["sni_container_refs"]), "project_id": li["project_id"],
            "default_pool_id": li["default_pool_id"],
            "l7policies": self.ids(self.store.policies_of(li["id"])),
            "insert_headers": dict(li["insert_headers"]), **self.stamps(li, now),
            "loadbalancers": [{"id": li["_lb"]}],
            **{k: li[k] for k in ("timeout_client_data", "timeout_member_connect", "timeout_member_data",
                                  "timeout_tcp_inspect")},
            "tags": list(li["tags"]),
            **{k: li[k] for k in ("client_ca_tls_container_ref", "client_authentication",
                                  "client_crl_container_ref", "allowed_cidrs", "tls_ciphers", "tls_versions",
                                  "alpn_protocols", "hsts_max_age", "hsts_include_subdomains",
                                  "hsts_preload")},
            "tenant_id": li["project_id"],
        }

    def list(self, req: Request) -> Response:
        now = self.now()
        found = self.visible(req, self.store.listeners)
        return listing.collection(req, "listeners", [self.view(li, now) for li in found],
                                  [{"loadbalancer_id": [li["_lb"]]} for li in found])

    def show(self, req: Request, listener_id: str) -> Response:
        return self.shown(req, "listener", self.view(self.find(req, listener_id), self.now()))

    def create(self, req: Request) -> Response:
        body = CREATE.parse(req)
        if body.pop("default_pool", None) or body.pop("l7policies", None):
            raise validation("creating a default pool or L7 policies inside the listener request is not "
                             "supported by this cloud; create them one by one.")
        lb = self.find(req, body.pop("loadbalancer_id"), "loadbalancer", "Load Balancer")
        body.pop("project_id", None)
        protocol, port = body["protocol"], body["protocol_port"]
        rec: Record = {**DEFAULTS, "name": "", "description": "", "admin_state_up": True, "tags": [],
                       **{k: v for k, v in body.items() if v is not None}, "default_pool_id": None,
                       "id": new_id(), "project_id": lb["project_id"], "_lb": lb["id"]}
        if protocol == "TERMINATED_HTTPS":
            rec["tls_versions"] = rec["tls_versions"] or ["TLSv1.2", "TLSv1.3"]
            rec["alpn_protocols"] = rec["alpn_protocols"] or ["h2", "http/1.1", "http/1.0"]
        self.validate(rec)
        pool_id = body.get("default_pool_id")
        if pool_id:
            self.check_pool(req, lb, pool_id, protocol)
        now = self.now()
        self.check_mutable(lb, now)
        for other in self.store.listeners_of(lb["id"]):
            if other["protocol_port"] == port and l4(other["protocol"]) == l4(protocol):
                raise fault(409, f"Another Listener on this Load Balancer is already using protocol "
                                 f"{protocol} and protocol_port {port}")
        check_cidrs(lb, rec["allowed_cidrs"] or [])
        charge(self.store, lb["project_id"], "listener")
        self.lock(lb, [], now)
        stamp_new(rec, now, self.delay)
        self.store.add_listener(rec)
        self.store.link_default_pool(rec, pool_id)
        return self.created("listener", self.view(rec, now))

    def update(self, req: Request, listener_id: str) -> Response:
        body = UPDATE.parse(req)
        li = self.find(req, listener_id)
        lb = self.lb_of(li)
        candidate = {**li, **body}
        self.validate(candidate)
        pool_id = body.pop("default_pool_id", li["default_pool_id"])
        if pool_id and pool_id != li["default_pool_id"]:
            self.check_pool(req, lb, pool_id, li["protocol"])
        check_cidrs(lb, body.get("allowed_cidrs") or [])
        now = self.now()
        self.lock(lb, [li], now)
        self.assign(li, body, DEFAULTS)
        self.store.link_default_pool(li, pool_id)
        return Response(200, {"listener": self.view(li, now)})

    def delete(self, req: Request, listener_id: str) -> Response:
        li = self.find(req, listener_id)
        now = self.now()
        self.lock(self.lb_of(li), [], now)
        self.provisioning.delete(self.kind, li, now, self.delay)
        return Response(204)

    def stats(self, req: Request, listener_id: str) -> Response:
        return Response(200, {"stats": self.service.stats_of([self.find(req, listener_id)["id"]])})

    # --- rules ------------------------------------------------------------------------------------
    def check_pool(self, req: Request, lb: Record, pool_id: str, protocol: str) -> None:
        pool = self.store.pools.get(pool_id)
        if pool is None or pool["_lb"] != lb["id"] or not self.context(req).can_see(pool["project_id"]):
            raise fault(404, f"Pool {pool_id} not found.")
        if pool["protocol"] not in POOL_PROTOCOLS[protocol]:
            raise validation(f"The pool protocol '{pool['protocol']}' is invalid while the listener protocol "
                             f"is '{protocol}'.")

    @staticmethod
    def validate(rec: Record) -> None:
        protocol = rec["protocol"]
        has_refs = bool(rec.get("default_tls_container_ref") or rec.get("sni_container_refs"))
        if protocol == "TERMINATED_HTTPS" and not has_refs:
            raise validation("An SNI or default certificate container reference must be provided for "
                             "TERMINATED_HTTPS protocol.")
        if protocol != "TERMINATED_HTTPS" and has_refs:
            raise validation("Certificate container references are only allowed on TERMINATED_HTTPS "
                             "protocol listeners.")
        headers = list(rec.get("insert_headers") or {})
        if headers and protocol not in ("HTTP", "TERMINATED_HTTPS"):
            raise invalid_option("insert-headers", f"a {protocol} protocol listener.")
        if set(headers) - set(HTTP_HEADERS + SSL_HEADERS):
            raise invalid_option(headers, "insert_headers")
        ssl = [h for h in headers if h in SSL_HEADERS]
        if ssl and protocol != "TERMINATED_HTTPS":
            raise invalid_option(", ".join(ssl), f"{protocol} protocol listener.")
