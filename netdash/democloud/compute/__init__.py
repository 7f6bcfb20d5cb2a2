"""Nova (compute v2.1) of the embedded cloud: servers, actions, interfaces, flavors, key pairs.

The API is split by resource into mixins (servers, create, actions, flavors, keypairs, views) over one
`NovaBase` holding the state; this class wires the routes, the version documents and the read API that
the data plane and other services use.
"""

from __future__ import annotations

from typing import Any

from ..core import Request, Response
from . import microversions
from .actions import ActionApi


class Compute(ActionApi):
    """`type` compute, `name` nova, mounted at /compute; the catalog points at /compute/v2.1."""

    def setup(self) -> None:
        r = self.router
        r.add("GET", "/", self.versions, public=True)
        r.add("GET", "/v2.1", self.version, public=True)
        self.setup_flavors()
        self.setup_keypairs()
        self.setup_servers()
        self.setup_create()
        self.setup_actions()
        r.add("GET", "/v2.1/os-availability-zone", self.availability_zones)
        r.add("GET", "/v2.1/limits", self.limits)

    # --- discovery and small read-only documents ------------------------------------------------
    def versions(self, req: Request) -> Response:
        return Response(200, microversions.versions_doc(self.root(req)))

    def version(self, req: Request) -> Response:
        return Response(200, microversions.version_doc(self.root(req)))

    def availability_zones(self, req: Request) -> Response:
        return Response(200, {"availabilityZoneInfo": [
            {"zoneName": "nova", "zoneState": {"available": True}, "hosts": None}]})

    def limits(self, req: Request) -> Response:
        """Quota-free cloud: the usual defaults as limits, the caller's usage as `total*Used`."""
        ctx = self.ctx(req)
        mine = [self.store.servers[i] for i in self.store.servers_by_project.get(ctx.project_id, {})]
        absolute: dict[str, Any] = {
            "maxTotalInstances": 10 * 1000, "maxTotalCores": 20 * 1000, "maxTotalRAMSize": 51200 * 1000,
            "maxServerMeta": 128, "maxServerGroups": 10, "maxServerGroupMembers": 10,
            "totalInstancesUsed": len(mine), "totalCoresUsed": sum(s["flavor"]["vcpus"] for s in mine),
            "totalRAMUsed": sum(s["flavor"]["ram"] for s in mine), "totalServerGroupsUsed": 0,
            "maxTotalKeypairs": 100}
        if not self.mv(req, 2, 57):
            absolute.update({"maxPersonality": 5, "maxPersonalitySize": 10240})
        return Response(200, {"limits": {"rate": [], "absolute": absolute}})

    # --- read API for peers (data plane, Octavia...) --------------------------------------------
    def get_server(self, server_id: str) -> dict[str, Any] | None:
        """A snapshot of the server record: name, status, decoded user data, project, ports Nova made."""
        with self.runtime.lock:
            server = self.store.servers.get(server_id)
            if server is None:
                return None
            self.settle(server)
            snapshot = {k: v for k, v in server.items() if k != "nova_ports"}
            snapshot["status"] = self.status_of(server)
            snapshot["nova_ports"] = sorted(server["nova_ports"])
            return snapshot

    def server_ids(self) -> list[str]:
        with self.runtime.lock:
            return list(self.store.servers)

    def server_status(self, server_id: str) -> str | None:
        with self.runtime.lock:
            server = self.store.servers.get(server_id)
            return None if server is None else self.status_of(self.settle(server))


__all__ = ["Compute"]
