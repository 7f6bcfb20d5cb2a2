"""The model as plain JSON-able data: what `netdash topology --format json` prints for scripts.

Each collection is a list in the cloud's listing order, each object every field of its dataclass (nested
FixedIP/ServerAddress values and a security group's rules become objects, tuples lists; a quota is the
resource's name as its `id` with its `limit`, `used` and `reserved`), so a script reads the same names as the
model and `json.loads` of the output compares equal to `topology_to_dict` of the snapshot. When some lists
could not be read, `unread` names them (`Topology.unread`: title, reason, since, kept): their collections
hold the last good objects, or none, not "there are none".
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .model import Topology

COLLECTIONS = ("networks", "subnets", "ports", "routers", "servers", "floating_ips", "load_balancers",
               "listeners", "pools", "members", "health_monitors", "security_groups", "quotas")


def topology_to_dict(topology: Topology) -> dict[str, Any]:
    out: dict[str, Any] = {"services": sorted(topology.services), "fetched_at": topology.fetched_at}
    for name in COLLECTIONS:
        out[name] = [jsonable(asdict(item)) for item in getattr(topology, name).values()]
    if topology.unread:  # only then: a complete topology prints as it always did
        out["unread"] = {name: asdict(why) for name, why in topology.unread.items()}
    return out


def jsonable(value: Any) -> Any:
    """Tuples -> lists all the way down, as json.dumps would write them (so a round-trip compares equal)."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value
