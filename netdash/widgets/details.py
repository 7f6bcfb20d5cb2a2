"""The details pane: every field of the selected object, ids and related names spelled out.

It renders a plain two-column table from the object's dataclass fields, so a field added to the model
shows up here without a change; ids are printed whole (the tree shortens them) so they can be copied.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass

from rich.table import Table
from rich.text import Text

from netdash.cloud.model import FixedIP, Resource, ServerAddress, Topology, Unread
from netdash.cloud.naming import name_of, short_id, value_name
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
        if unread:
            self.border_title = "Stale section"
            self.update(unread_details(unread, topology.fetched_at))
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
        self.update(table)
