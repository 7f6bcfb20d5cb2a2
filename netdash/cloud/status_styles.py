"""The colour of each status, wherever one is shown: the dashboard's tree and details pane, the CLI's tree.

Plain data: Rich style strings (named colours, because Rich text cannot read the Textual theme variables).
Green serves, yellow is worth a look, red is broken, cyan is on its way or not monitored, grey is off or
unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

STATUS_STYLES: Mapping[str, str] = MappingProxyType({
    "ACTIVE": "green", "ONLINE": "green", "UP": "green",
    "ERROR": "bold red", "DEGRADED": "yellow", "OFFLINE": "bright_black", "NO_MONITOR": "cyan",
    "DOWN": "yellow", "SHUTOFF": "yellow", "BUILD": "cyan", "DRAINING": "yellow",
})
#: a status not in the table, or none at all
UNKNOWN_STATUS_STYLE = "bright_black"


def status_style(status: str | None) -> str:
    return STATUS_STYLES.get(status or "", UNKNOWN_STATUS_STYLE)
