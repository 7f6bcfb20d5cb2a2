"""What the embedded cloud holds at start, built through the same REST handlers that serve the API.

`build_base` makes what every cloud has (the external network `public`, owned by the admin project);
`build_seed` adds the scenario of the two seed documents on top, acting as the `demo` user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .core import Context
from .scenario import SeedError, build_scenario, ok

if TYPE_CHECKING:
    from .app import Cloud

PUBLIC_CIDR = "127.24.4.0/24"


def build_base(cloud: Cloud) -> None:
    admin = cloud.identity.context_for("admin")
    net = ok(cloud.call("network", "POST", "/v2.0/networks", {"network": {
        "name": "public", "router:external": True, "shared": True,
        "provider:network_type": "flat", "provider:physical_network": "public",
        "description": "External network (floating IPs are real loopback addresses)"}}, context=admin),
        "network public")["network"]
    ok(cloud.call("network", "POST", "/v2.0/subnets", {"subnet": {
        "name": "public-subnet", "network_id": net["id"], "ip_version": 4, "cidr": PUBLIC_CIDR,
        "gateway_ip": "127.24.4.1", "enable_dhcp": False,
        "allocation_pools": [{"start": "127.24.4.2", "end": "127.24.4.254"}]}}, context=admin),
        "subnet public-subnet")


def build_seed(cloud: Cloud) -> None:
    """The seed scenario (README, "The embedded cloud"); filled in once every service answers (see `scenario`)."""
    build_scenario(cloud, cloud.identity.context_for("demo"))


__all__ = ["Context", "SeedError", "build_base", "build_seed", "ok"]
