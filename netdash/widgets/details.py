"""The details pane: every field of the selected object, ids and related names spelled out.

It renders a plain two-column table from the object's dataclass fields, so a field added to the model
shows up here without a change; ids are printed whole (the tree shortens them) so they can be copied.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass

from rich.table import Table
from rich.text import Text

from netdash.cloud.model import (
    FixedIP,
    Resource,
    SecurityGroup,
    SecurityGroupRule,
    Server,
    ServerAddress,
    Topology,
    Unread,
)
from netdash.cloud.naming import display_name, name_of, quota_name, rule_text, short_id, value_name
from netdash.cloud.status_styles import STATUS_STYLES
from netdash.cloud.text import visible
from netdash.widgets.nodes import stale_sections
from netdash.widgets.steady import SteadyStatic

#: fields whose value is the id of another object: shown with that object's name beside it
REFERENCE_FIELDS = ("network_id", "subnet_id", "device_id", "port_id", "router_id", "floating_network_id",
                    "external_network_id", "loadbalancer_id", "default_pool_id", "pool_id", "vip_port_id",
                    "vip_subnet_id", "vip_network_id", "healthmonitor_id")


def format_value(topology: Topology, name: str, value: object) -> Text:
    """One field as text: tuples one item a line, references with their name, statuses coloured; every
    value the cloud gave shown as text (`cloud.text.visible`), never terminal control."""
    if value is None or value in ("", ()):
        return Text("—", style="bright_black")
    if name == "security_group_ids" and isinstance(value, tuple):
        return groups_text(topology, [topology.security_groups.get(i) or i for i in value if isinstance(i, str)])
    if isinstance(value, tuple) and all(isinstance(rule, SecurityGroupRule) for rule in value):
        return Text("\n").join(Text(rule_text(topology, rule)) for rule in value if isinstance(rule, SecurityGroupRule))
    if (named := value_name(name, value)) is not None:
        return Text(named)
    if isinstance(value, tuple):
        return Text("\n").join(format_item(topology, item) for item in value)
    if isinstance(value, str) and name in REFERENCE_FIELDS:
        named = name_of(topology, value)
        return Text.assemble(visible(value), (f"  ({named})" if named != short_id(value) else "", "bright_black"))
    if isinstance(value, str) and value in STATUS_STYLES:
        return Text(value, style=STATUS_STYLES[value])
    return Text(visible(str(value)))


def format_item(topology: Topology, item: object) -> Text:
    if isinstance(item, FixedIP):
        return Text.assemble(visible(item.ip_address), (f"  on {name_of(topology, item.subnet_id)}", "bright_black"))
    if isinstance(item, ServerAddress):
        return Text.assemble(visible(item.address), (visible(f"  {item.kind} on {item.network}"), "bright_black"))
    if isinstance(item, tuple):
        return Text(visible(" - ".join(str(part) for part in item)))
    return Text(visible(str(item)))


def groups_text(topology: Topology, groups: list[SecurityGroup | str]) -> Text:
    """Each group by name, its rules under it, one a line ('ingress tcp 80 from 0.0.0.0/0'); a group the
    project cannot read (another project's) by its id."""
    lines: list[Text] = []
    for group in groups:
        if isinstance(group, str):
            lines.append(Text.assemble(visible(group), ("  (rules not readable)", "bright_black")))
            continue
        lines.append(Text.assemble((display_name(group), "bold"), (f"  {short_id(group.id)}", "bright_black")))
        lines.extend(Text(f"  {rule_text(topology, rule)}") for rule in group.rules)
        if not group.rules:
            lines.append(Text("  no rules: nothing allowed", style="bright_black"))
    return Text("\n").join(lines) if lines else Text("—", style="bright_black")


def server_groups(topology: Topology, server: Server) -> list[SecurityGroup | str]:
    """The security groups of a server's ports, each once, in port order."""
    ids = dict.fromkeys(i for port in topology.ports_of_device(server.id) for i in port.security_group_ids)
    return [topology.security_groups.get(i) or i for i in ids]


def quota_text(topology: Topology) -> Text:
    """The project's network quotas, one a line: resource, used, limit; those near their limit in the
    warning style (the header names them too)."""
    rows = [(quota_name(q.id), str(q.used), str(q.limit) if q.limit >= 0 else "no limit", q.near_limit)
            for q in topology.quotas.values()]
    wide = max(len(name) for name, *_ in rows)
    text = Text(f"{'Network quotas':<{wide}}  {'used':>6}  {'limit':>8}", style="bold")
    for name, used, limit, near in rows:
        text.append(f"\n{name:<{wide}}  {used:>6}  {limit:>8}", style="bold yellow" if near else "")
    return text


def unread_details(unread: list[tuple[str, Unread]], now: float) -> Text:
    """What a section's lists that could not be read say, in full: which, why, since when."""
    text = Text(f"The last refresh could not read {', '.join(name for name, _ in unread)}.\n", style="bold")
    for name, why in unread:
        shown = f"stale {why.age(now)} s: showing the last read" if why.kept else "none read yet"
        text.append(f"\n{name}: {why.reason}\n  {shown}")
    text.append("\n\nEverything else is fresh; these are tried again on every refresh (r: now).",
                style="bright_black")
    return text


class DetailsPane(SteadyStatic):
    """Shows one model object in full; `show(topology, kind, obj)` replaces what it shows."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("Select an object in the tree.", id=id, classes=classes)
        self.kind = ""
        self.resource: Resource | None = None

    def show(self, topology: Topology, kind: str, resource: Resource | None, section: str = "") -> None:
        """`section`: the key of the section under the cursor (kind "section"), whose unread lists, if any,
        are spelled out in full (the tree's label is cut at its width)."""
        self.kind = kind
        self.resource = resource
        self.border_title = kind.replace("_", " ").capitalize() if resource is not None else "Details"
        unread = stale_sections(topology).get(section) if kind == "section" else None
        quotas = kind == "section" and section == "networks" and bool(topology.quotas)
        if unread or quotas:
            self.border_title = "Stale section" if unread else "Networks"
            parts = [unread_details(unread, topology.fetched_at)] if unread else []
            if quotas:
                parts.append(quota_text(topology))
            self.update(Text("\n\n").join(parts))
            return
        if resource is None or not is_dataclass(resource):
            self.update(Text("Select an object in the tree." if kind in ("", "section", "root")
                             else "This object is gone from the cloud.", style="bright_black"))
            return
        table = Table.grid(padding=(0, 1))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")
        for spec in fields(resource):
            table.add_row(spec.name, format_value(topology, spec.name, getattr(resource, spec.name)))
        if isinstance(resource, Server):
            table.add_row("security groups", groups_text(topology, server_groups(topology, resource)))
        self.update(table)
