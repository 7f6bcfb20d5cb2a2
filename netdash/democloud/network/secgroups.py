"""Security groups and rules, with each project's `default` group made on first use as Neutron does."""

from __future__ import annotations

import ipaddress
from typing import Any

from ..core import Request, Response, Router, new_id
from . import attrs as a
from .base import NetBase, Record
from .errors import bad_request, conflict, invalid_input, neutron_error, not_found
from .query import list_answer

FIELDS = (
    "id",
    "name",
    "stateful",
    "tenant_id",
    "project_id",
    "description",
    "shared",
    "security_group_rules",
    "tags",
    "created_at",
    "updated_at",
    "revision_number",
)
RULE_FIELDS = (
    "id",
    "project_id",
    "security_group_id",
    "ethertype",
    "direction",
    "protocol",
    "port_range_min",
    "port_range_max",
    "remote_ip_prefix",
    "remote_address_group_id",
    "normalized_cidr",
    "remote_group_id",
    "standard_attr_id",
    "belongs_to_default_sg",
    "description",
    "tags",
    "created_at",
    "updated_at",
    "revision_number",
    "tenant_id",
)
PROTOCOLS = {
    "ah": 51,
    "dccp": 33,
    "egp": 8,
    "esp": 50,
    "gre": 47,
    "icmp": 1,
    "icmpv6": 58,
    "igmp": 2,
    "ipip": 4,
    "ipv6-encap": 41,
    "ipv6-frag": 44,
    "ipv6-icmp": 58,
    "ipv6-nonxt": 59,
    "ipv6-opts": 60,
    "ipv6-route": 43,
    "ospf": 89,
    "pgm": 113,
    "rsvp": 46,
    "sctp": 132,
    "tcp": 6,
    "udp": 17,
    "udplite": 136,
    "vrrp": 112,
}
PORT_PROTOCOLS = ("tcp", "udp", "sctp", "dccp", "udplite", "6", "17", "132", "33", "136")
ICMP_PROTOCOLS = ("icmp", "icmpv6", "ipv6-icmp", "1", "58")

SPEC: dict[str, a.Attr] = {
    "name": a.NAME,
    "description": a.DESCRIPTION,
    "tags": a.TAGS,
    "project_id": a.PROJECT,
    "tenant_id": a.PROJECT,
    "stateful": a.Attr(a.boolean),
    "shared": a.Attr(a.boolean, put=False),
}
PORT_NUMBER = a.nullable(a.integer(0, 65535))
RULE_SPEC: dict[str, a.Attr] = {
    "description": a.Attr(a.string(255), put=True),
    "project_id": a.PROJECT,
    "tenant_id": a.PROJECT,
    "security_group_id": a.Attr(a.uuid, put=False, required=True),
    "direction": a.Attr(a.one_of("ingress", "egress"), put=False, required=True),
    "ethertype": a.Attr(a.one_of("IPv4", "IPv6"), put=False),
    "protocol": a.Attr(a.nullable(a.string(32)), put=False),
    "port_range_min": a.Attr(PORT_NUMBER, put=False),
    "port_range_max": a.Attr(PORT_NUMBER, put=False),
    "remote_ip_prefix": a.Attr(a.nullable(a.string(64)), put=False),
    "remote_group_id": a.Attr(a.nullable(a.uuid), put=False),
    "remote_address_group_id": a.Attr(a.nullable(a.uuid), put=False),
}


class SecurityGroups(NetBase):
    def secgroup_routes(self, r: Router) -> None:
        r.add("GET", "/v2.0/security-groups", self.list_sgs)
        r.add("POST", "/v2.0/security-groups", self.create_sg)
        r.add("GET", "/v2.0/security-groups/{sg_id}", self.show_sg)
        r.add("PUT", "/v2.0/security-groups/{sg_id}", self.update_sg)
        r.add("DELETE", "/v2.0/security-groups/{sg_id}", self.delete_sg)
        r.add("GET", "/v2.0/security-group-rules", self.list_rules)
        r.add("POST", "/v2.0/security-group-rules", self.create_rule)
        r.add("GET", "/v2.0/security-group-rules/{rule_id}", self.show_rule)
        r.add("DELETE", "/v2.0/security-group-rules/{rule_id}", self.delete_rule)

    def sg_view(self, sg: Record) -> dict[str, Any]:
        rules = [self.rule_view(self.store.sg_rules[r]) for r in self.store.rules_of_sg.get(sg["id"], ())]
        view = {"tenant_id": sg["project_id"], "security_group_rules": rules, **sg}
        return {k: view[k] for k in FIELDS}

    @staticmethod
    def rule_view(rule: Record) -> dict[str, Any]:
        view = {"tenant_id": rule["project_id"], **rule}
        return {k: view[k] for k in RULE_FIELDS}

    # --- the default group ------------------------------------------------------------------------
    def ensure_default_sg(self, project: str) -> str:
        if project in self.store.default_sg:
            return self.store.default_sg[project]
        sg = self.new_sg(project, {"name": "default", "description": "Default security group"})
        self.store.default_sg[project] = sg["id"]
        for ethertype in ("IPv4", "IPv6"):
            self.new_rule(
                sg,
                {"direction": "ingress", "ethertype": ethertype, "remote_group_id": sg["id"]},
                description=None,
            )
        return str(sg["id"])

    def new_sg(self, project: str, attrs: dict[str, Any]) -> Record:
        sg: Record = {"id": new_id(), "name": "", "stateful": True, "project_id": project, "shared": False}
        sg.update(attrs)
        self.store.sgs[sg["id"]] = self.born(sg)
        self.store.rules_of_sg[sg["id"]] = {}
        for ethertype in ("IPv4", "IPv6"):
            self.new_rule(
                sg,
                {"direction": "egress", "ethertype": ethertype},
                description=None if sg["name"] == "default" else "",
            )
        return sg

    def new_rule(self, sg: Record, attrs: dict[str, Any], description: str | None = "") -> Record:
        rule: Record = {
            "id": new_id(),
            "project_id": sg["project_id"],
            "security_group_id": sg["id"],
            "ethertype": "IPv4",
            "protocol": None,
            "port_range_min": None,
            "port_range_max": None,
            "remote_ip_prefix": None,
            "remote_address_group_id": None,
            "normalized_cidr": None,
            "remote_group_id": None,
            "standard_attr_id": next(self.store.counter),
            "belongs_to_default_sg": None,
            "description": description,
        }
        rule.update(attrs)
        self.store.sg_rules[rule["id"]] = self.born(rule)
        self.store.rules_of_sg[sg["id"]][rule["id"]] = None
        sg["revision_number"] = 1
        return rule

    # --- groups -----------------------------------------------------------------------------------
    def sg_visible(self, ctx: Any, sg: Record) -> bool:
        return bool(ctx.can_see(sg["project_id"]) or sg["shared"])

    def visible_sg(self, ctx: Any, sg_id: str) -> Record:
        sg = self.store.sgs.get(sg_id)
        if sg is None or not self.sg_visible(ctx, sg):
            raise not_found("security_group", sg_id)
        return sg

    def list_sgs(self, req: Request) -> Response:
        ctx = self.ctx(req)
        self.ensure_default_sg(ctx.project_id)
        views = (self.sg_view(sg) for sg in self.store.sgs.values() if self.sg_visible(ctx, sg))
        return list_answer(req, "security_group", "security_groups", views, FIELDS)

    def show_sg(self, req: Request, sg_id: str) -> Response:
        ctx = self.ctx(req)
        self.ensure_default_sg(ctx.project_id)
        return Response(200, {"security_group": self.sg_view(self.visible_sg(ctx, sg_id))})

    def create_sg(self, req: Request) -> Response:
        ctx = self.ctx(req)
        attrs = a.parse(req, "security_group", SPEC, update=False)
        project = self.owner(ctx, attrs, "create_security_group")
        self.ensure_default_sg(project)
        if attrs.get("name") == "default":
            raise conflict("SecurityGroupDefaultAlreadyExists", "Default security group already exists.")
        return Response(201, {"security_group": self.sg_view(self.new_sg(project, attrs))})

    def update_sg(self, req: Request, sg_id: str) -> Response:
        ctx = self.ctx(req)
        sg = self.visible_sg(ctx, sg_id)
        attrs = a.parse(req, "security_group", SPEC, update=True)
        self.writable(ctx, sg, "update_security_group")
        if sg["name"] == "default" and attrs.get("name", "default") != "default":
            raise conflict("SecurityGroupCannotUpdateDefault", "Updating default security group not allowed.")
        sg.update(attrs)
        self.touch(sg)
        return Response(200, {"security_group": self.sg_view(sg)})

    def delete_sg(self, req: Request, sg_id: str) -> Response:
        ctx = self.ctx(req)
        sg = self.visible_sg(ctx, sg_id)
        self.writable(ctx, sg, "delete_security_group")
        if self.store.default_sg.get(sg["project_id"]) == sg_id and not ctx.is_admin:
            raise conflict(
                "SecurityGroupCannotRemoveDefault", "Insufficient rights for removing default security group."
            )
        if any(sg_id in p["security_groups"] for p in self.store.ports.values()):
            raise conflict("SecurityGroupInUse", f"Security Group {sg_id} in use.")
        for rule_id in self.store.rules_of_sg.pop(sg_id):
            del self.store.sg_rules[rule_id]
        if self.store.default_sg.get(sg["project_id"]) == sg_id:
            del self.store.default_sg[sg["project_id"]]
        del self.store.sgs[sg_id]
        return Response(204)

    # --- rules ------------------------------------------------------------------------------------
    def list_rules(self, req: Request) -> Response:
        ctx = self.ctx(req)
        self.ensure_default_sg(ctx.project_id)
        views = (self.rule_view(r) for r in self.store.sg_rules.values() if ctx.can_see(r["project_id"]))
        return list_answer(req, "security_group_rule", "security_group_rules", views, RULE_FIELDS)

    def show_rule(self, req: Request, rule_id: str) -> Response:
        rule = self.owned(self.ctx(req), self.store.sg_rules, "security_group_rule", rule_id)
        return Response(200, {"security_group_rule": self.rule_view(rule)})

    def create_rule(self, req: Request) -> Response:
        ctx = self.ctx(req)
        attrs = a.parse(req, "security_group_rule", RULE_SPEC, update=False)
        sg = self.visible_sg(ctx, attrs.pop("security_group_id"))
        self.writable(ctx, sg, "create_security_group_rule")
        self.owner(ctx, attrs, "create_security_group_rule")
        self.check_rule(attrs)
        if attrs.get("remote_group_id") and attrs["remote_group_id"] not in self.store.sgs:
            raise not_found("security_group", attrs["remote_group_id"])
        wanted = signature({"ethertype": "IPv4", **attrs})
        for rule_id in self.store.rules_of_sg[sg["id"]]:
            if signature(self.store.sg_rules[rule_id]) == wanted:
                raise conflict(
                    "SecurityGroupRuleExists", f"Security group rule already exists. Rule id is {rule_id}."
                )
        rule = self.new_rule(sg, attrs, description=attrs.pop("description", ""))
        self.touch(sg)
        return Response(201, {"security_group_rule": self.rule_view(rule)})

    @staticmethod
    def check_rule(attrs: dict[str, Any]) -> None:
        protocol = attrs.get("protocol")
        if protocol is not None:
            protocol = protocol.lower()
            if protocol not in PROTOCOLS and not (protocol.isdigit() and 0 <= int(protocol) <= 255):
                raise neutron_error(
                    400,
                    "SecurityGroupRuleInvalidProtocol",
                    f"Security group rule protocol {protocol} not supported. Only protocol values "
                    f"{sorted(PROTOCOLS)} and integer representations [0 to 255] are supported.",
                )
            attrs["protocol"] = protocol
        low, high = attrs.get("port_range_min"), attrs.get("port_range_max")
        if (low is not None or high is not None) and protocol not in (*PORT_PROTOCOLS, *ICMP_PROTOCOLS):
            raise invalid_input("Security group rule for port range requires protocol with ports.")
        if protocol in PORT_PROTOCOLS and low is not None and high is not None and low > high:
            raise invalid_input("For TCP/UDP protocols, port_range_min must be <= port_range_max")
        prefix = attrs.get("remote_ip_prefix")
        if prefix is not None and attrs.get("remote_group_id"):
            raise bad_request("Only remote_ip_prefix or remote_group_id may be provided.")
        if prefix is not None:
            try:
                net = ipaddress.ip_network(prefix, strict=False)
            except ValueError:
                raise bad_request(
                    f"Invalid input for remote_ip_prefix. Reason: '{prefix}' is not a valid IP subnet."
                ) from None
            ethertype = attrs.setdefault("ethertype", "IPv4")
            if f"IPv{net.version}" != ethertype:
                raise bad_request(f"Conflicting value ethertype {ethertype} for CIDR {prefix}")
            attrs["normalized_cidr"] = str(net)

    def delete_rule(self, req: Request, rule_id: str) -> Response:
        ctx = self.ctx(req)
        rule = self.owned(ctx, self.store.sg_rules, "security_group_rule", rule_id)
        self.store.rules_of_sg[rule["security_group_id"]].pop(rule_id, None)
        del self.store.sg_rules[rule_id]
        self.touch(self.store.sgs[rule["security_group_id"]])
        return Response(204)


def signature(rule: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two rules the same rule (Neutron refuses a duplicate with 409)."""
    return tuple(
        rule.get(k)
        for k in (
            "direction",
            "ethertype",
            "protocol",
            "port_range_min",
            "port_range_max",
            "normalized_cidr",
            "remote_group_id",
            "remote_address_group_id",
        )
    )
