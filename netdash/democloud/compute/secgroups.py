"""Nova's side of security groups (`nova/network/security_group_api.py`): a server's groups are its ports'
groups in Neutron, read with the caller's token (a port with two groups shows both, two ports with the same
group show it twice, as on Nova); `addSecurityGroup`/`removeSecurityGroup` change every port of the server
in Neutron's store through Neutron's API, as Nova does. Nova keeps no list of its own that could drift."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from ..core import Context, is_uuid
from .plumbing import Plumbing
from .wire import bad, conflict, neutron_message, not_found

Group = dict[str, Any]


class SecurityGroups:
    def __init__(self, plumbing: Plumbing) -> None:
        self.plumbing = plumbing

    def groups(self, ctx: Context, ids: set[str]) -> dict[str, Group]:
        """The groups of these ids the caller may see, by id (one Neutron list, as Nova asks it)."""
        if not ids:
            return {}
        resp = self.plumbing.call_neutron("GET", "/v2.0/security-groups", context=ctx,
                                          query=urlencode([("id", i) for i in sorted(ids)]))
        return {g["id"]: g for g in resp.body.get("security_groups", [])} if resp.status == 200 else {}

    def bindings(self, ctx: Context, ports_by_server: dict[str, list[dict[str, Any]]],
                 *, detailed: bool = False) -> dict[str, list[Group]]:
        """Server id -> its groups, in its ports' order: `{"name"}` (the id when a group has no name), or the
        groups themselves (`detailed`). Groups the caller cannot see are left out, as on Nova."""
        known = self.groups(ctx, {sg for ports in ports_by_server.values() for port in ports
                                  for sg in port.get("security_groups") or []})
        out: dict[str, list[Group]] = {}
        for server_id, ports in ports_by_server.items():
            for port in ports:
                for sg_id in port.get("security_groups") or []:
                    group = known.get(sg_id)
                    if group is not None:
                        out.setdefault(server_id, []).append(
                            group if detailed else {"name": group.get("name") or group["id"]})
        return out

    # --- GET /servers/{id}/os-security-groups ------------------------------------------------------
    def detailed_view(self, ctx: Context, groups: list[Group]) -> list[dict[str, Any]]:
        """Nova's `_format_security_group` of each, sorted by (tenant_id, name): ingress rules only; a rule
        naming a group shows that group's name and project (one the caller cannot see: the rule is left out)."""
        names = {g["id"]: {"name": g.get("name"), "tenant_id": g.get("project_id")} for g in groups}
        remote = {r["remote_group_id"] for g in groups for r in g.get("security_group_rules") or []
                  if r.get("remote_group_id") and r["remote_group_id"] not in names}
        names.update({i: {"name": g.get("name"), "tenant_id": g.get("project_id")}
                      for i, g in self.groups(ctx, remote).items()})
        views = []
        for group in groups:
            rules = [rule_view(r, names) for r in group.get("security_group_rules") or []
                     if r.get("direction") == "ingress"
                     and (not r.get("remote_group_id") or r["remote_group_id"] in names)]
            views.append({"id": group["id"], "description": group.get("description"), "name": group.get("name"),
                          "tenant_id": group.get("project_id"), "rules": rules})
        return sorted(views, key=lambda v: (v["tenant_id"] or "", v["name"] or ""))

    # --- addSecurityGroup / removeSecurityGroup --------------------------------------------------
    def find(self, ctx: Context, name_or_id: str) -> str:
        """neutronclient's `find_resourceid_by_name_or_id`: an id first, then a name among the caller's
        project's groups; 404 and 409 worded as Nova words them."""
        if is_uuid(name_or_id) and self.groups(ctx, {name_or_id}):
            return name_or_id
        resp = self.plumbing.call_neutron("GET", "/v2.0/security-groups", context=ctx, query=urlencode(
            [("name", name_or_id), ("project_id", ctx.project_id)]))
        found = resp.body.get("security_groups", []) if resp.status == 200 else []
        if len(found) > 1:
            raise conflict(f"Multiple security_group matches found for name '{name_or_id}', use an ID to be "
                           "more specific.")
        if not found:
            raise not_found(f"Security group {name_or_id} is not found for project {ctx.project_id}")
        return str(found[0]["id"])

    def add(self, ctx: Context, server: dict[str, Any], ports: list[dict[str, Any]], name: str) -> None:
        group_id = self.find(ctx, name)
        if not ports:
            raise not_found(f"instance_id {server['id']} could not be found as device id on any ports")
        for port in ports:
            if not port.get("fixed_ips") or port.get("port_security_enabled") is False:
                raise bad("Network requires port_security_enabled and subnet associated in order to apply "
                          "security groups.")
            self.update_port(ctx, port, [*port.get("security_groups", []), group_id])

    def remove(self, ctx: Context, server: dict[str, Any], ports: list[dict[str, Any]], name: str) -> None:
        group_id = self.find(ctx, name)
        if not ports:
            raise not_found(f"instance_id {server['id']} could not be found as device id on any ports")
        found = False
        for port in ports:
            groups = list(port.get("security_groups", []))
            if group_id in groups:
                groups.remove(group_id)
                self.update_port(ctx, port, groups)
                found = True
        if not found:
            raise not_found(f"Security group {name} not associated with the instance {server['id']}")

    def update_port(self, ctx: Context, port: dict[str, Any], groups: list[str]) -> None:
        resp = self.plumbing.call_neutron("PUT", f"/v2.0/ports/{port['id']}",
                                          {"port": {"security_groups": groups}}, context=ctx)
        if resp.status == 400:
            raise bad(neutron_message(resp))
        if resp.status == 409:
            raise conflict(neutron_message(resp))
        if resp.status >= 400:
            raise not_found(neutron_message(resp))


def rule_view(rule: dict[str, Any], groups: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Nova's `_convert_to_nova_security_group_rule_format` then `_format_security_group_rule`."""
    protocol = rule.get("protocol")
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    if protocol is not None and low is None and high is None:
        low, high = (1, 65535) if str(protocol).upper() in ("TCP", "UDP") else (-1, -1)
    remote = rule.get("remote_group_id")
    return {"id": rule["id"], "parent_group_id": rule["security_group_id"], "ip_protocol": protocol,
            "from_port": low, "to_port": high, "group": dict(groups[remote]) if remote else {},
            "ip_range": {} if remote else {"cidr": rule.get("remote_ip_prefix") or "0.0.0.0/0"}}
