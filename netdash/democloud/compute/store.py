"""Nova's database: servers (with the ports Nova made for them), their instance actions, server groups,
flavors and key pairs, and the counters their names come from. It is all `--state` saves of Nova (see
democloud/state.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]


@dataclass
class Store:
    servers: dict[str, Record] = field(default_factory=dict)
    #: project id -> server ids in creation order (lists stay O(own servers), not O(all))
    servers_by_project: dict[str, dict[str, None]] = field(default_factory=dict)
    flavors: dict[str, Record] = field(default_factory=dict)
    #: (user id, name) -> keypair record
    keypairs: dict[tuple[str, str], Record] = field(default_factory=dict)
    instance_counter: int = 0
    keypair_counter: int = 0
    #: server id -> its instance actions (`{"id", "project_id", "deleted", "actions": [...]}`, oldest first);
    #: kept when the server is deleted, as Nova keeps them
    actions: dict[str, Record] = field(default_factory=dict)
    #: server group id -> record (`members`: server ids, in the order they joined)
    server_groups: dict[str, Record] = field(default_factory=dict)
