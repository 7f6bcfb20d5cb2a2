"""Security groups and rules, with each project's `default` group made on first use as Neutron does."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from ...core import Context, new_id
from ..errors import bad_request, conflict, invalid_input, neutron_error, not_found
from ..policy import owner, writable
from ..store import Record, Store

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


class SecurityGroups:
    def __init__(self, store: Store, clock: Callable[[], float]) -> None:
        self.store = store
        self.clock = clock

    # --- the default group ------------------------------------------------------------------------
    def ensure_default(self, project: str) -> str:
        store = self.store
        if project in store.default_sg:
            return store.default_sg[project]
        sg = self.new_sg(project, {"name": "default", "description": "Default security group"})
        store.default_sg[project] = sg["id"]
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
        self.store.sgs[sg["id"]] = self.store.born(sg, self.clock())
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
        self.store.sg_rules[rule["id"]] = self.store.born(rule, self.clock())
        self.store.rules_of_sg[sg["id"]][rule["id"]] = None
        sg["revision_number"] = 1
        return rule

    # --- groups -----------------------------------------------------------------------------------
    def create(self, ctx: Context, attrs: dict[str, Any]) -> Record:
        project = owner(ctx, attrs, "create_security_group")
        self.ensure_default(project)
        if attrs.get("name") == "default":
            raise conflict("SecurityGroupDefaultAlreadyExists", "Default security group already exists.")
        return self.new_sg(project, attrs)

    def update(self, ctx: Context, sg: Record, attrs: dict[str, Any]) -> None:
        writable(ctx, sg, "update_security_group")
        if sg["name"] == "default" and attrs.get("name", "default") != "default":
            raise conflict("SecurityGroupCannotUpdateDefault", "Updating default security group not allowed.")
        sg.update(attrs)
        self.store.touch(sg, self.clock())

    def delete(self, ctx: Context, sg: Record) -> None:
        store = self.store
        sg_id = sg["id"]
        writable(ctx, sg, "delete_security_group")
        if store.default_sg.get(sg["project_id"]) == sg_id and not ctx.is_admin:
            raise conflict(
                "SecurityGroupCannotRemoveDefault", "Insufficient rights for removing default security group."
            )
        if any(sg_id in p["security_groups"] for p in store.ports.values()):
            raise conflict("SecurityGroupInUse", f"Security Group {sg_id} in use.")
        for rule_id in store.rules_of_sg.pop(sg_id):
            del store.sg_rules[rule_id]
        # Other groups' rules that name it as their remote group go too, untold: Neutron's
        # securitygrouprules.remote_group_id is a foreign key with ON DELETE CASCADE (db/models/securitygroup.py),
        # so the database drops those rows and nothing bumps their groups' revisions.
        for rule in [r for r in store.sg_rules.values() if r.get("remote_group_id") == sg_id]:
            store.rules_of_sg[rule["security_group_id"]].pop(rule["id"], None)
            del store.sg_rules[rule["id"]]
        if store.default_sg.get(sg["project_id"]) == sg_id:
            del store.default_sg[sg["project_id"]]
        del store.sgs[sg_id]

    # --- rules ------------------------------------------------------------------------------------
    def create_rule(self, ctx: Context, sg: Record, attrs: dict[str, Any]) -> Record:
        store = self.store
        writable(ctx, sg, "create_security_group_rule")
        owner(ctx, attrs, "create_security_group_rule")
        check_rule(attrs)
        if attrs.get("remote_group_id") and attrs["remote_group_id"] not in store.sgs:
            raise not_found("security_group", attrs["remote_group_id"])
        wanted = signature({"ethertype": "IPv4", **attrs})
        for rule_id in store.rules_of_sg[sg["id"]]:
            if signature(store.sg_rules[rule_id]) == wanted:
                raise conflict(
                    "SecurityGroupRuleExists", f"Security group rule already exists. Rule id is {rule_id}."
                )
        rule = self.new_rule(sg, attrs, description=attrs.pop("description", ""))
        store.touch(sg, self.clock())
        return rule

    def delete_rule(self, rule: Record) -> None:
        store = self.store
        store.rules_of_sg[rule["security_group_id"]].pop(rule["id"], None)
        del store.sg_rules[rule["id"]]
        store.touch(store.sgs[rule["security_group_id"]], self.clock())


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
