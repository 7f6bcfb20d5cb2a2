"""The admin's amphorae (`/v2/octavia/amphorae`): what the amphora provider runs each load balancer on.

The embedded cloud's load balancers are proxies of its data plane, not VMs, but an operator's tools list
amphorae (openstacksdk's `amphorae(loadbalancer_id=...)`, `openstack loadbalancer amphora list`), so each load
balancer shows the one amphora of Octavia's SINGLE topology: derived from the load balancer, never stored,
its ids the same on every read and across restarts (uuid5 of the load balancer's). Its status follows the
load balancer's provisioning (BOOTING while it is created, ALLOCATED after, DELETED with it). Configure and
failover are accepted (202) as Octavia accepts them; failover puts the load balancer in PENDING_UPDATE.
"""

from __future__ import annotations

import uuid
from typing import Any

from ..core import Request, Response, iso
from . import listing
from .base import Resource
from .faults import forbidden, not_found
from .provisioning import PENDING_CREATE, PENDING_DELETE, PENDING_UPDATE
from .store import Record

NAMESPACE = uuid.UUID("6f1c9f9e-3d8b-4c52-9c1e-a7d26f0e4b11")
#: an amphora's certificate lives this long (Octavia's `cert_validity_time` default: two years)
CERT_VALIDITY = 2 * 365 * 24 * 3600


def derived(lb_id: str, what: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{lb_id}/{what}"))


class Amphorae(Resource):
    kind = "loadbalancer"
    title = "Amphora"

    def register(self) -> None:
        add = self.service.route
        add("GET", "/octavia/amphorae", self.list)
        add("GET", "/octavia/amphorae/{amphora_id}", self.show)
        add("PUT", "/octavia/amphorae/{amphora_id}/config", self.configure)
        add("PUT", "/octavia/amphorae/{amphora_id}/failover", self.failover)

    def view(self, lb: Record, now: float) -> dict[str, Any]:
        status = self.status_of(lb, now)
        state = {PENDING_CREATE: "BOOTING", PENDING_DELETE: "PENDING_DELETE"}.get(status, "ALLOCATED")
        return {
            "id": derived(lb["id"], "amphora"), "loadbalancer_id": lb["id"],
            "compute_id": derived(lb["id"], "compute"), "lb_network_ip": None,
            "vrrp_ip": None, "ha_ip": lb["vip_address"], "vrrp_port_id": None, "ha_port_id": lb["vip_port_id"],
            "cert_expiration": iso(lb["_created"] + CERT_VALIDITY, z=False), "cert_busy": False,
            "role": "STANDALONE", "status": state, "vrrp_interface": None, "vrrp_id": 1,
            "vrrp_priority": None, "cached_zone": lb["availability_zone"], **self.stamps(lb, now),
            "image_id": derived(lb["id"], "image"), "compute_flavor": derived(lb["id"], "flavor"),
        }

    def admin(self, req: Request) -> None:
        if not self.context(req).is_admin:
            raise forbidden()

    def owner_of(self, amphora_id: str) -> Record:
        lb = next((lb for lb in self.store.lbs.values() if derived(lb["id"], "amphora") == amphora_id), None)
        if lb is None:
            raise not_found(self.title, amphora_id)
        return lb

    def list(self, req: Request) -> Response:
        self.admin(req)
        now = self.now()
        return listing.collection(req, "amphorae", [self.view(lb, now) for lb in self.store.lbs.values()])

    def show(self, req: Request, amphora_id: str) -> Response:
        self.admin(req)
        return self.shown(req, "amphora", self.view(self.owner_of(amphora_id), self.now()))

    def configure(self, req: Request, amphora_id: str) -> Response:
        self.admin(req)
        self.owner_of(amphora_id)
        return Response(202)

    def failover(self, req: Request, amphora_id: str) -> Response:
        self.admin(req)
        lb = self.owner_of(amphora_id)
        now = self.now()
        self.check_mutable(lb, now)
        self.provisioning.touch([lb], PENDING_UPDATE, now, self.delay)
        return Response(202)
