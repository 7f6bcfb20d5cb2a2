"""Pools: a balancing algorithm over members, attached to a listener (as its default pool) or only to the
load balancer. SOURCE_IP_PORT is accepted as the OVN provider accepts it (the amphora driver refuses it),
because the data plane implements it and the seed document lists it."""

from __future__ import annotations

from typing import Any

from ..core import Request, Response, new_id
from . import listing
from .base import Resource
from .faults import fault, validation
from .listeners import POOL_PROTOCOLS
from .provisioning import PENDING_DELETE, stamp_new
from .quotas import charge
from .schema import BOOL, TAGS, UUID, Body, Field, enum, integer, text
from .store import Record

ALGORITHMS = ("LEAST_CONNECTIONS", "SOURCE_IP", "SOURCE_IP_PORT", "ROUND_ROBIN")
PROTOCOLS = ("HTTP", "HTTPS", "PROXY", "PROXYV2", "TCP", "UDP", "SCTP")
PERSISTENCE_TYPES = ("SOURCE_IP", "HTTP_COOKIE", "APP_COOKIE")
PERSISTENCE_KEYS = ("type", "cookie_name", "persistence_timeout", "persistence_granularity")


def persistence(mandatory_type: bool) -> Field:
    return Field("obj", fields={
        "type": enum(*PERSISTENCE_TYPES, mandatory=mandatory_type),
        "cookie_name": text(pattern=r"^[^\s,;\\]+$"), "persistence_timeout": integer(),
        "persistence_granularity": Field("ip")})


TLS: dict[str, Field] = {
    "tls_container_ref": text(), "ca_tls_container_ref": text(), "crl_container_ref": text(),
    "tls_enabled": BOOL, "tls_ciphers": text(2048), "tls_versions": Field("strs", max_length=32),
    "alpn_protocols": TAGS,
}
PUT: dict[str, Field] = {
    "name": text(), "description": text(), "admin_state_up": BOOL, "lb_algorithm": enum(*ALGORITHMS),
    "session_persistence": persistence(False), "tags": TAGS, **TLS,
}
POST: dict[str, Field] = {
    **PUT, "lb_algorithm": enum(*ALGORITHMS, mandatory=True), "protocol": enum(*PROTOCOLS, mandatory=True),
    "session_persistence": persistence(True), "listener_id": UUID, "loadbalancer_id": UUID,
    "project_id": text(36), "healthmonitor": Field("obj", fields={}), "members": Field("list"),
}
CREATE = Body("pool", "pool_", POST)
UPDATE = Body("pool", "pool_", PUT)
DEFAULTS: dict[str, Any] = {
    "name": "", "description": "", "admin_state_up": True, "session_persistence": None, "tags": [],
    "tls_container_ref": None, "ca_tls_container_ref": None, "crl_container_ref": None, "tls_enabled": False,
    "tls_ciphers": None, "tls_versions": None, "alpn_protocols": None,
}


def check_persistence(sp: dict[str, Any] | None, protocol: str, *, put: bool = False) -> dict[str, Any] | None:
    """Octavia's pool checks of a session persistence (`validate.check_session_persistence` and the pool
    controller's), worded as it words them; the stored value has every key, unset ones None."""
    if not sp:
        return None
    if protocol in ("UDP", "SCTP"):
        if sp.get("cookie_name"):
            raise validation("Cookie names are not supported for UDP/SCTP pools.")
        if sp.get("type") in ("HTTP_COOKIE", "APP_COOKIE"):
            raise validation(f"Session persistence of type {sp['type']} is not supported for UDP/SCTP "
                             "protocol pools.")
    elif sp.get("persistence_timeout") or sp.get("persistence_granularity"):
        udp = "UDP" if put else "UDP and SCTP"  # the PUT's message predates SCTP
        raise validation(f"persistence_timeout and persistence_granularity is only for {udp} protocol pools.")
    if not sp.get("type"):
        raise validation("Invalid session_persistence provided.")
    if sp.get("cookie_name") and sp["type"] != "APP_COOKIE":
        raise validation('Field "cookie_name" can only be specified with session persistence of type '
                         '"APP_COOKIE".')
    if sp["type"] == "APP_COOKIE" and not sp.get("cookie_name"):
        raise validation('Field "cookie_name" must be specified when using the "APP_COOKIE" session '
                         'persistence type.')
    return {k: sp.get(k) for k in PERSISTENCE_KEYS}


def replaced_persistence(old: dict[str, Any] | None, sent: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a PUT of `session_persistence` makes of the pool's: Octavia's SessionPersistencePUT defaults
    every attribute but the type to None, so the ones not sent are cleared (an APP_COOKIE pool set to
    HTTP_COOKIE loses its cookie name), and a type not sent is the pool's."""
    if sent is None:
        return None
    merged = {k: sent.get(k) for k in PERSISTENCE_KEYS}
    if not merged["type"] and old:
        merged["type"] = old.get("type")
    return merged


class Pools(Resource):
    kind = "pool"
    title = "Pool"

    def register(self) -> None:
        add = self.service.route
        add("GET", "/lbaas/pools", self.list)
        add("POST", "/lbaas/pools", self.create)
        add("GET", "/lbaas/pools/{pool_id}", self.show)
        add("PUT", "/lbaas/pools/{pool_id}", self.update)
        add("DELETE", "/lbaas/pools/{pool_id}", self.delete)

    def view(self, pool: Record, now: float, *, operating: bool = True) -> dict[str, Any]:
        """`operating=False`: the operating status left None (it looks at every member)."""
        view: dict[str, Any] = {
            "id": pool["id"], "name": pool["name"], "description": pool["description"],
            "provisioning_status": self.status_of(pool, now),
            "operating_status": self.operating.pool(pool, now) if operating else None,
            "admin_state_up": pool["admin_state_up"], "protocol": pool["protocol"],
            "lb_algorithm": pool["lb_algorithm"],
            "session_persistence": dict(pool["session_persistence"]) if pool["session_persistence"] else None,
            "project_id": pool["project_id"], "loadbalancers": [{"id": pool["_lb"]}],
            "listeners": self.ids(self.store.listeners_of_pool(pool["id"])), **self.stamps(pool, now),
        }
        monitor_id = self.store.pool_monitor.get(pool["id"])
        if monitor_id:
            view["healthmonitor_id"] = monitor_id
        view["members"] = self.ids(self.store.members_of(pool["id"]))
        view["tags"] = list(pool["tags"])
        view.update({k: pool[k] for k in TLS})
        view["tenant_id"] = pool["project_id"]
        return view

    def list(self, req: Request) -> Response:
        now = self.now()
        found = self.visible(req, self.store.pools)
        return listing.collection(req, "pools", [self.view(p, now) for p in found],
                                  [{"loadbalancer_id": [p["_lb"]],
                                    "listener_id": list(self.store.pool_listeners.get(p["id"], {}))}
                                   for p in found])

    def show(self, req: Request, pool_id: str) -> Response:
        return self.shown(req, "pool", self.view(self.find(req, pool_id), self.now()))

    def create(self, req: Request) -> Response:
        body = CREATE.parse(req)
        if body.pop("healthmonitor", None) is not None or body.pop("members", None):
            raise validation("creating members or a health monitor inside the pool request is not "
                             "supported by this cloud; create them one by one.")
        listener = lb = None
        if body.get("listener_id"):
            listener = self.find(req, body["listener_id"], "listener", "Listener")
            lb = self.lb_of(listener)
        if body.get("loadbalancer_id"):
            named = self.find(req, body["loadbalancer_id"], "loadbalancer", "Load Balancer")
            if lb is not None and named["id"] != lb["id"]:
                raise validation(f"Listener {listener['id'] if listener else ''} is not on load balancer "
                                 f"{named['id']}.")
            lb = named
        if lb is None:
            raise validation("Must provide at least one of: loadbalancer_id, listener_id")
        if listener is not None and body["protocol"] not in POOL_PROTOCOLS[listener["protocol"]]:
            raise validation(f"The pool protocol '{body['protocol']}' is invalid while the listener "
                             f"protocol is '{listener['protocol']}'.")
        body["session_persistence"] = check_persistence(body.get("session_persistence"), body["protocol"])
        now = self.now()
        self.check_mutable(lb, now)
        if listener is not None and listener["default_pool_id"]:
            raise fault(409, "This listener already has a default pool")
        for key in ("listener_id", "loadbalancer_id", "project_id"):
            body.pop(key, None)
        charge(self.store, lb["project_id"], "pool")
        rec: Record = {**DEFAULTS, **{k: v for k, v in body.items() if v is not None},
                       "id": new_id(), "project_id": lb["project_id"], "_lb": lb["id"]}
        self.lock(lb, [listener] if listener is not None else [], now)
        stamp_new(rec, now, self.delay)
        self.store.add_pool(rec)
        if listener is not None:
            self.store.link_default_pool(listener, rec["id"])
        return self.created("pool", self.view(rec, now))

    def update(self, req: Request, pool_id: str) -> Response:
        body = UPDATE.parse(req)
        pool = self.find(req, pool_id)
        if "session_persistence" in body:
            body["session_persistence"] = check_persistence(
                replaced_persistence(pool["session_persistence"], body["session_persistence"]), pool["protocol"],
                put=True)
        if "lb_algorithm" in body and body["lb_algorithm"] is None:
            body.pop("lb_algorithm")
        now = self.now()
        self.lock(self.lb_of(pool), [*self.store.listeners_of_pool(pool_id), pool], now)
        self.assign(pool, body, DEFAULTS)
        return Response(200, {"pool": self.view(pool, now)})

    def delete(self, req: Request, pool_id: str) -> Response:
        pool = self.find(req, pool_id)
        users = self.store.policies_to_pool(pool_id)
        if users:
            raise fault(409, f"Pool {pool_id} is in use by L7 policy {users[0]['id']}")
        now = self.now()
        self.lock(self.lb_of(pool), self.store.listeners_of_pool(pool_id), now)
        children = self.store.members_of(pool_id)
        monitor = self.store.monitor_of(pool_id)
        self.provisioning.touch([*children, *([monitor] if monitor else [])], PENDING_DELETE, now, self.delay)
        self.provisioning.delete(self.kind, pool, now, self.delay)
        return Response(204)
