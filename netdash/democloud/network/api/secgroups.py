"""`/v2.0/security-groups` and `/v2.0/security-group-rules`: parse, call the rules, render the views."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from ...core import Context, Request, Response, Router
from .. import attrs as a
from .. import policy
from ..attrs import caller
from ..errors import NeutronError, conflict, neutron_error
from ..query import list_answer, shown
from ..rules import Rules
from ..rules.sg_checks import PROTOCOLS, SUPPORTED
from ..store import Record, Store
from ..views import RULE_FIELDS, SG_FIELDS, rule_view, sg_view
from .bulk import admitted, created


def convert_protocol(value: Any) -> str | None:
    """neutron's `convert_protocol`: a number (of any type `int()` takes) kept as the text it was sent as,
    a name lower-cased, `any` none."""
    if value is None or value == "any":
        return None
    if isinstance(value, str) and not value.strip().lstrip("+-").isdigit():
        return value.lower()
    return str(value)


PROTOCOL_ERROR = ("Security group rule protocol {value} not supported. Only protocol values "
                  f"{a.literal(repr(SUPPORTED))} and integer representations [0 to 255] are supported.")
PROTOCOL = a.raising(a.Kind({"anyOf": [
    {"type": "null"}, {"type": ["integer", "boolean"], "minimum": 0, "maximum": 255},
    {"type": "number", "finite": True, "minimum": 0, "maximum": 255},
    {"type": "string", "pattern": r"^\s*[-+]?[0-9]+\s*\Z", "minimum": 0, "maximum": 255},
    {"type": "string", "pattern": "^(?i:" + "|".join(map(re.escape, ("any", *PROTOCOLS))) + r")\Z"},
]}, convert_protocol), 400, "SecurityGroupRuleInvalidProtocol", PROTOCOL_ERROR, "anyOf")
#: `convert_validate_port_value`: what `int()` makes a port of, or none
PORT_NUMBER = a.raising(a.Kind({"anyOf": [
    {"type": "null"}, {"type": ["integer", "boolean"], "minimum": 0, "maximum": 65535},
    {"type": "number", "finite": True, "minimum": 0, "maximum": 65535},
    {"type": "string", "pattern": r"^\s*[-+]?[0-9]+\s*\Z", "minimum": 0, "maximum": 65535},
]}, lambda value: None if value is None else int(value)), 400, "SecurityGroupInvalidPortValue",
    "Invalid value for port {value}", "anyOf")
ETHERTYPE = a.raising(a.Kind({"type": "string", "pattern": r"^(?i:ipv4|ipv6)\Z"},
                             lambda value: "IPv4" if value.lower() == "ipv4" else "IPv6"),
                      400, "SecurityGroupRuleInvalidEtherType", "Security group rule for ethertype '{value}' not "
                      "supported. Allowed values are ['IPv4', 'IPv6'].", "type", "pattern")
#: `convert_ip_prefix_to_cidr`: an address or CIDR as a CIDR (host bits kept), nothing as none
REMOTE_PREFIX = a.raising(a.Kind({"anyOf": [{"enum": [None, "", 0, False, [], {}]},
                                            {"type": "string", "format": "cidr"}]},
                                 lambda value: str(ipaddress.ip_interface(value)) if value else None),
                          400, "InvalidCIDR", "Invalid CIDR {value} given as IP prefix.", "anyOf")
#: `name_not_default`: a group named `default` (in any case) is one the project has already
SG_NAME = a.raising(a.Kind({**a.string(255).schema, "not": {"pattern": r"^(?i:default)\Z"}}), 409,
                    "SecurityGroupDefaultAlreadyExists", "Default security group already exists.", "not")

SPEC: dict[str, a.Attr] = {
    **a.STANDARD,
    "name": a.Attr(SG_NAME),
    "description": a.DESCRIPTION,
    "tags": a.TAGS,
    "project_id": a.PROJECT,
    "tenant_id": a.PROJECT,
    "stateful": a.Attr(a.BOOLEAN),
    "shared": a.READ_ONLY,
}
BODY = a.Body("security_group", SPEC)
RULE_SPEC: dict[str, a.Attr] = {
    **a.STANDARD,
    "description": a.Attr(a.string(255), put=True),
    "project_id": a.PROJECT,
    "tenant_id": a.PROJECT,
    "security_group_id": a.Attr(a.string(36), put=False, required=True),
    "direction": a.Attr(a.one_of("ingress", "egress"), put=False, required=True),
    "ethertype": a.Attr(ETHERTYPE, put=False),
    "protocol": a.Attr(PROTOCOL, put=False),
    "port_range_min": a.Attr(PORT_NUMBER, put=False),
    "port_range_max": a.Attr(PORT_NUMBER, put=False),
    "remote_ip_prefix": a.Attr(REMOTE_PREFIX, put=False),
    "remote_group_id": a.Attr(a.ANYTHING, put=False),  # no validator: a group that is no UUID is not found
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

    # --- groups -----------------------------------------------------------------------------------
    def list(self, req: Request) -> Response:
        ctx = caller(req)
        self.rules.groups.ensure_default(ctx.project_id)
        views = (sg_view(self.store, sg, ctx) for sg in self.store.sgs.values()
                 if policy.sg_visible(self.store, ctx, sg))
        return list_answer(req, "security_group", "security_groups", views, SG_FIELDS)

    def show(self, req: Request, sg_id: str) -> Response:
        ctx = caller(req)
        self.rules.groups.ensure_default(ctx.project_id)
        return shown(req, "security_group", sg_view(self.store, policy.visible_sg(self.store, ctx, sg_id), ctx))

    def create(self, req: Request) -> Response:
        ctx = caller(req)

        make = admitted(self.rules.quotas, ctx, "security_group", self.rules.groups.create)
        return created(req, BODY, make, self.rules.groups.drop, lambda sg: sg_view(self.store, sg, ctx))

    def update(self, req: Request, sg_id: str) -> Response:
        ctx = caller(req)
        sg = a.revised(req, policy.visible_sg(self.store, ctx, sg_id))
        attrs = BODY.parse(req, update=True)
        self.rules.groups.update(ctx, sg, attrs)
        return Response(200, {"security_group": sg_view(self.store, sg, ctx)})

    def delete(self, req: Request, sg_id: str) -> Response:
        ctx = caller(req)
        self.rules.groups.delete(ctx, a.revised(req, policy.visible_sg(self.store, ctx, sg_id)))
        return Response(204)

    # --- rules ------------------------------------------------------------------------------------
    def list_rules(self, req: Request) -> Response:
        ctx = caller(req)
        self.rules.groups.ensure_default(ctx.project_id)
        views = (rule_view(r) for r in self.store.sg_rules.values() if ctx.can_see(r["project_id"]))
        return list_answer(req, "security_group_rule", "security_group_rules", views, RULE_FIELDS)

    def show_rule(self, req: Request, rule_id: str) -> Response:
        rule = policy.owned(caller(req), self.store.sg_rules, "security_group_rule", rule_id)
        return shown(req, "security_group_rule", rule_view(rule))

    def create_rule(self, req: Request) -> Response:
        """One rule, or several of one group and project (`create_security_group_rule_bulk_native`: a rule
        repeated in the request is `DuplicateSecurityGroupRuleInPost`)."""
        ctx = caller(req)
        made: list[str] = []

        def make(attrs: dict[str, Any]) -> Record:
            sg = policy.visible_sg(self.store, ctx, attrs.pop("security_group_id"))
            self.rules.quotas.admit(ctx, attrs, "security_group_rule")
            try:
                rule = self.rules.groups.create_rule(ctx, sg, attrs)
            except NeutronError as exc:
                if exc.kind == "SecurityGroupRuleExists" and any(exc.message.endswith(f"{i}.") for i in made):
                    raise conflict("DuplicateSecurityGroupRuleInPost",
                                   "Duplicate Security Group Rule in POST.") from None
                raise
            made.append(rule["id"])
            return rule

        return created(req, RULE_BODY, make, self.rules.groups.delete_rule, rule_view,
                       check=lambda items: one_group(ctx, items))

    def delete_rule(self, req: Request, rule_id: str) -> Response:
        rule = policy.owned(caller(req), self.store.sg_rules, "security_group_rule", rule_id)
        self.rules.groups.delete_rule(rule)
        return Response(204)


def one_group(ctx: Context, items: list[dict[str, Any]]) -> None:
    """`_validate_single_project_and_group`: a bulk of rules is for one group of one project."""
    if len({i["security_group_id"] for i in items}) > 1:
        raise neutron_error(400, "SecurityGroupNotSingleGroupRules",
                            "Only allowed to update rules for one security profile at a time")
    if len({i.get("project_id") or i.get("tenant_id") or ctx.project_id for i in items}) > 1:
        raise neutron_error(400, "SecurityGroupRulesNotSingleProject",
                            "Multiple project_ids in bulk security group rule create not allowed")
