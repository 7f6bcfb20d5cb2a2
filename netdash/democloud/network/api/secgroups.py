"""`/v2.0/security-groups` and `/v2.0/security-group-rules`: parse, call the rules, render the views."""

from __future__ import annotations

from ...core import Request, Response, Router
from .. import attrs as a
from .. import policy
from ..attrs import caller
from ..query import list_answer
from ..rules import Rules
from ..store import Record, Store
from ..views import RULE_FIELDS, SG_FIELDS, rule_view, sg_view

SPEC: dict[str, a.Attr] = {
    **a.STANDARD,
    "name": a.NAME,
    "description": a.DESCRIPTION,
    "tags": a.TAGS,
    "project_id": a.PROJECT,
    "tenant_id": a.PROJECT,
    "stateful": a.Attr(a.BOOLEAN),
    "shared": a.Attr(a.BOOLEAN, put=False),
}
BODY = a.Body("security_group", SPEC)
PORT_NUMBER = a.nullable(a.integer(0, 65535))
RULE_SPEC: dict[str, a.Attr] = {
    **a.STANDARD,
    "description": a.Attr(a.string(255), put=True),
    "project_id": a.PROJECT,
    "tenant_id": a.PROJECT,
    "security_group_id": a.Attr(a.UUID, put=False, required=True),
    "direction": a.Attr(a.one_of("ingress", "egress"), put=False, required=True),
    "ethertype": a.Attr(a.one_of("IPv4", "IPv6"), put=False),
    "protocol": a.Attr(a.nullable(a.string(32)), put=False),
    "port_range_min": a.Attr(PORT_NUMBER, put=False),
    "port_range_max": a.Attr(PORT_NUMBER, put=False),
    "remote_ip_prefix": a.Attr(a.nullable(a.string(64)), put=False),
    "remote_group_id": a.Attr(a.nullable(a.UUID), put=False),
    "remote_address_group_id": a.Attr(a.nullable(a.UUID), put=False),
}
RULE_BODY = a.Body("security_group_rule", RULE_SPEC)


class SecurityGroupsController:
    def __init__(self, store: Store, rules: Rules) -> None:
        self.store = store
        self.rules = rules

    def register(self, r: Router) -> None:
        r.add("GET", "/v2.0/security-groups", self.list)
        r.add("POST", "/v2.0/security-groups", self.create)
        r.add("GET", "/v2.0/security-groups/{sg_id}", self.show)
        r.add("PUT", "/v2.0/security-groups/{sg_id}", self.update)
        r.add("DELETE", "/v2.0/security-groups/{sg_id}", self.delete)
        r.add("GET", "/v2.0/security-group-rules", self.list_rules)
        r.add("POST", "/v2.0/security-group-rules", self.create_rule)
        r.add("GET", "/v2.0/security-group-rules/{rule_id}", self.show_rule)
        r.add("DELETE", "/v2.0/security-group-rules/{rule_id}", self.delete_rule)

    def view(self, sg: Record) -> Record:
        return sg_view(self.store, sg)

    # --- groups -----------------------------------------------------------------------------------
    def list(self, req: Request) -> Response:
        ctx = caller(req)
        self.rules.groups.ensure_default(ctx.project_id)
        views = (self.view(sg) for sg in self.store.sgs.values() if policy.sg_visible(ctx, sg))
        return list_answer(req, "security_group", "security_groups", views, SG_FIELDS)

    def show(self, req: Request, sg_id: str) -> Response:
        ctx = caller(req)
        self.rules.groups.ensure_default(ctx.project_id)
        return Response(200, {"security_group": self.view(policy.visible_sg(self.store, ctx, sg_id))})

    def create(self, req: Request) -> Response:
        attrs = BODY.parse(req, update=False)
        self.rules.quotas.admit(caller(req), attrs, "security_group")
        return Response(201, {"security_group": self.view(self.rules.groups.create(caller(req), attrs))})

    def update(self, req: Request, sg_id: str) -> Response:
        ctx = caller(req)
        sg = policy.visible_sg(self.store, ctx, sg_id)
        attrs = BODY.parse(req, update=True)
        self.rules.groups.update(ctx, sg, attrs)
        return Response(200, {"security_group": self.view(sg)})

    def delete(self, req: Request, sg_id: str) -> Response:
        ctx = caller(req)
        self.rules.groups.delete(ctx, policy.visible_sg(self.store, ctx, sg_id))
        return Response(204)

    # --- rules ------------------------------------------------------------------------------------
    def list_rules(self, req: Request) -> Response:
        ctx = caller(req)
        self.rules.groups.ensure_default(ctx.project_id)
        views = (rule_view(r) for r in self.store.sg_rules.values() if ctx.can_see(r["project_id"]))
        return list_answer(req, "security_group_rule", "security_group_rules", views, RULE_FIELDS)

    def show_rule(self, req: Request, rule_id: str) -> Response:
        rule = policy.owned(caller(req), self.store.sg_rules, "security_group_rule", rule_id)
        return Response(200, {"security_group_rule": rule_view(rule)})

    def create_rule(self, req: Request) -> Response:
        ctx = caller(req)
        attrs = RULE_BODY.parse(req, update=False)
        sg = policy.visible_sg(self.store, ctx, attrs.pop("security_group_id"))
        self.rules.quotas.admit(ctx, attrs, "security_group_rule")
        rule = self.rules.groups.create_rule(ctx, sg, attrs)
        return Response(201, {"security_group_rule": rule_view(rule)})

    def delete_rule(self, req: Request, rule_id: str) -> Response:
        rule = policy.owned(caller(req), self.store.sg_rules, "security_group_rule", rule_id)
        self.rules.groups.delete_rule(rule)
        return Response(204)
