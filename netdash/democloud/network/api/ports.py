"""`/v2.0/ports`: parse, call the rules, render the views."""

from __future__ import annotations

from typing import Any

from ...core import Request, Response, Router
from .. import attrs as a
from .. import policy
from ..attrs import caller
from ..query import list_answer, shown
from ..rules import Rules
from ..store import Store
from ..views import PORT_FIELDS, port_view
from .bulk import admitted, created

#: neutron-lib's `validate_fixed_ips` words a list that is none, and an item that is no dict, alike
NOT_FIXED_IPS = "Invalid data format for fixed IP: '{value}'"
FIXED_IP = a.dict_of({"subnet_id": a.UUID, "ip_address": a.IP_ADDRESS}, not_a_dict=NOT_FIXED_IPS)
PAIR = a.dict_of({"ip_address": a.string(64), "mac_address": a.string(17)}, required=("ip_address",))
SPEC: dict[str, a.Attr] = {
    **a.STANDARD,
    "status": a.READ_ONLY,
    "binding:vif_type": a.READ_ONLY,
    "binding:vif_details": a.READ_ONLY,
    "name": a.NAME,
    "description": a.DESCRIPTION,
    "tags": a.PORT_TAGS,
    "project_id": a.PROJECT,
    "tenant_id": a.PROJECT,
    "network_id": a.Attr(a.UUID, put=False, required=True),
    "admin_state_up": a.Attr(a.BOOLEAN),
    "mac_address": a.Attr(a.nullable(a.string(17))),  # port-mac-address-regenerate: null is a new one
    "device_id": a.Attr(a.string(255)),
    "device_owner": a.Attr(a.string(255)),
    "fixed_ips": a.Attr(a.list_of(FIXED_IP, not_a_list=NOT_FIXED_IPS)),
    "security_groups": a.Attr(a.nullable(a.list_of(a.UUID, unique=True))),
    "allowed_address_pairs": a.Attr(a.nullable(a.list_of(PAIR))),
    "extra_dhcp_opts": a.Attr(a.nullable(a.list_of(a.ANY_DICT))),
    "port_security_enabled": a.Attr(a.BOOLEAN),
    "binding:host_id": a.Attr(a.nullable(a.string(255))),
    "binding:profile": a.Attr(a.nullable(a.ANY_DICT)),
    "binding:vnic_type": a.Attr(
        a.one_of(
            "normal",
            "direct",
            "macvtap",
            "baremetal",
            "direct-physical",
            "virtio-forwarder",
            "smart-nic",
            "vdpa",
            "remote-managed",
        )
    ),
}
BODY = a.Body("port", SPEC)


class PortsController:
    def __init__(self, store: Store, rules: Rules) -> None:
        self.store = store
        self.rules = rules

    def register(self, r: Router) -> None:
        r.add("GET", "/v2.0/ports", self.list)
        r.add("POST", "/v2.0/ports", self.create)
        r.add("GET", "/v2.0/ports/{port_id}", self.show)
        r.add("PUT", "/v2.0/ports/{port_id}", self.update)
        r.add("DELETE", "/v2.0/ports/{port_id}", self.delete)

    def list(self, req: Request) -> Response:
        ctx = caller(req)
        store = self.store
        candidates: Any = store.ports.values()
        for key, index in (("id", None), ("device_id", store.ports_of_dev), ("network_id", store.ports_of_net)):
            values = req.args(key)
            if values:
                ids = values if index is None else [p for v in values for p in index.get(v, ())]
                candidates = [store.ports[i] for i in ids if i in store.ports]
                break
        records = [p for p in candidates if policy.port_visible(store, ctx, p)]
        return list_answer(req, "port", "ports", records, PORT_FIELDS, view=lambda p: port_view(p, ctx.is_admin))

    def show(self, req: Request, port_id: str) -> Response:
        ctx = caller(req)
        return shown(req, "port", port_view(policy.visible_port(self.store, ctx, port_id), ctx.is_admin))

    def create(self, req: Request) -> Response:
        ctx = caller(req)

        make = admitted(self.rules.quotas, ctx, "port", self.rules.ports.create)
        return created(req, BODY, make, self.rules.ports.drop, lambda port: port_view(port, ctx.is_admin))

    def update(self, req: Request, port_id: str) -> Response:
        ctx = caller(req)
        port = a.revised(req, policy.visible_port(self.store, ctx, port_id))
        attrs = BODY.parse(req, update=True)
        self.rules.ports.update(ctx, port, attrs)
        return Response(200, {"port": port_view(port, ctx.is_admin)})

    def delete(self, req: Request, port_id: str) -> Response:
        self.rules.ports.delete(a.revised(req, policy.visible_port(self.store, caller(req), port_id)))
        return Response(204)
