"""Security groups and rules, with each project's `default` group made on first use as Neutron does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...core import Context, new_id
from ..errors import conflict, neutron_error, not_found
from ..policy import owner, sg_visible, writable
from ..store import Record, Store
from .rbac import Rbac
from .sg_checks import check_rule, signature


class SecurityGroups:
    def __init__(self, store: Store, clock: Callable[[], float], rbac: Rbac) -> None:
        self.store = store
        self.clock = clock
        self.rbac = rbac

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
        return self.new_sg(project, attrs)

    def update(self, ctx: Context, sg: Record, attrs: dict[str, Any]) -> None:
        """A group named `default` was refused by the body's schema (409); the default group keeps its name."""
        writable(ctx, sg, "update_security_group")
        if "stateful" in attrs and attrs["stateful"] != sg["stateful"] and self.in_use(sg["id"]):
            raise conflict("SecurityGroupInUse", f"Security Group {sg['id']} in use.")
        if sg["name"] == "default" and "name" in attrs:
            raise conflict("SecurityGroupCannotUpdateDefault", "Updating default security group not allowed.")
        sg.update(attrs)
        self.store.touch(sg, self.clock())

    def in_use(self, sg_id: str) -> bool:
        return any(sg_id in p["security_groups"] for p in self.store.ports.values())

    def delete(self, ctx: Context, sg: Record) -> None:
        store = self.store
        sg_id = sg["id"]
        writable(ctx, sg, "delete_security_group")
        if store.default_sg.get(sg["project_id"]) == sg_id and not ctx.is_admin:
            raise conflict(
                "SecurityGroupCannotRemoveDefault", "Insufficient rights for removing default security group."
            )
        if self.in_use(sg_id):
            raise conflict("SecurityGroupInUse", f"Security Group {sg_id} in use.")
        self.drop(sg)

    def drop(self, sg: Record) -> None:
        store = self.store
        for rule_id in store.rules_of_sg.pop(sg["id"]):
            del store.sg_rules[rule_id]
        # Other groups' rules that name it as their remote group go too, untold: Neutron's
        # securitygrouprules.remote_group_id is a foreign key with ON DELETE CASCADE (db/models/securitygroup.py),
        # so the database drops those rows and nothing bumps their groups' revisions.
        for rule in [r for r in store.sg_rules.values() if r.get("remote_group_id") == sg["id"]]:
            store.rules_of_sg[rule["security_group_id"]].pop(rule["id"], None)
            del store.sg_rules[rule["id"]]
        if store.default_sg.get(sg["project_id"]) == sg["id"]:
            del store.default_sg[sg["project_id"]]
        self.rbac.forget(sg["id"])
        del store.sgs[sg["id"]]

    def usable(self, ctx: Context, project: str, sg_id: str) -> Record:
        """A group a port of `project` may use: the project's, or shared with it (or any, for an admin)."""
        sg = self.store.sgs.get(sg_id)
        if sg is None or not (sg["project_id"] == project or ctx.is_admin or self.store.granted(sg_id, project)):
            raise not_found("security_group", sg_id)
        return sg

    # --- rules ------------------------------------------------------------------------------------
    def create_rule(self, ctx: Context, sg: Record, attrs: dict[str, Any]) -> Record:
        store = self.store
        writable(ctx, sg, "create_security_group_rule")
        owner(ctx, attrs, "create_security_group_rule")
        check_rule(attrs)
        remote = attrs.get("remote_group_id")
        if remote and (remote not in store.sgs or not sg_visible(store, ctx, store.sgs[remote])):
            raise not_found("security_group", str(remote))
        if attrs.get("remote_address_group_id"):  # no address groups are served
            raise neutron_error(404, "AddressGroupNotFound",
                                f"Address group {attrs['remote_address_group_id']} could not be found.")
        wanted = signature(attrs)
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

