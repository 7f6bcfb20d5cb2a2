"""The extensions an ML2 + L3 router Neutron advertises, and the `/extensions` API that lists them.

The clients probe `GET /extensions/<alias>` and change their requests on the answer, and they trust it: an
alias listed is an API served. So the list is what the recorded real Neutron 29 served, less what this
cloud does not serve: address groups and scopes (and their RBAC types, and the security group rules'
remote address groups), flavors (and router flavors), the agent schedulers (`dhcp_agent_scheduler`,
`l3_agent_scheduler`), the auto-allocated topology, multi-segment provider networks (`multi-provider`), the
port bindings API (`binding-extended`), default security group rules and statefulness, subnet onboarding,
and the writable router of a floating IP (`floating-ip-router-writable`). Kept, as real Neutron keeps them
with the same effect: the port extensions whose attributes need an ML2 extension driver Neutron 29 runs
without (`port-device-profile`, `port-numa-affinity-policy`...). Two aliases must stay absent:
`external-gateway-multihoming` switches `router set --external-gateway` to another API, and
`tag-ports-during-bulk-creation` changes `port create`.
"""

from __future__ import annotations

from typing import Any

from ...core import Request, Response, Router
from ..errors import html_not_found
from ..extension_list import TABLE

#: (alias, name, description, updated), in Neutron's order
EXTENSIONS: tuple[tuple[str, ...], ...] = tuple(tuple(line.split(" | ")) for line in TABLE.splitlines())


def extension_view(entry: tuple[str, ...]) -> dict[str, Any]:
    alias, name, description, updated = entry
    return {"name": name, "alias": alias, "description": description, "updated": updated, "links": []}


class ExtensionsController:
    def register(self, r: Router) -> None:
        r.add("GET", "/v2.0/extensions", self.list)
        r.add("GET", "/v2.0/extensions/{alias}", self.show)

    def list(self, req: Request) -> Response:
        return Response(200, {"extensions": [extension_view(e) for e in EXTENSIONS]})

    def show(self, req: Request, alias: str) -> Response:
        for entry in EXTENSIONS:
            if entry[0] == alias:
                return Response(200, {"extension": extension_view(entry)})
        raise html_not_found(f"Extension with alias {alias} does not exist")
