"""Nova (compute v2.1) of the embedded cloud: servers, actions, interfaces, flavors, key pairs.

Laid out like the Octavia and Neutron packages: `store.py` holds the records (all `--state` saves of Nova),
`lifecycle.py` a server's lazily advancing state machine, the checks before a change, and lookups,
`plumbing.py` Nova's side of Neutron (the ports it makes, binds and releases), `secgroups.py` its side of
security groups, `views.py` how a server is shown, `wire.py` Nova's error bodies, microversions and paging,
and one controller per resource (`servers`, `create`, `actions`, `interfaces`, `metadata`, `subresources`
(ips, os-security-groups, os-server-password), `instance_actions`, `server_groups`, `flavors`,
`keypairs`). This class composes them once, serves the version documents and the small read-only ones,
and offers the read API the data plane and Octavia use.
"""

from __future__ import annotations

from typing import Any

from ..core import HttpError, Request, Response, request_id
from ..identity import Identity
from ..image import Image
from ..network import Network
from ..runtime import Runtime
from ..service import Service
from . import microversions
from .actions import ActionsController
from .create import CreateController
from .flavors import FlavorsController, add_catalogue
from .instance_actions import InstanceActions
from .interfaces import InterfacesController
from .keypairs import KeypairsController
from .lifecycle import Lifecycle, status_of
from .metadata import MAX_ITEMS, MetadataController
from .plumbing import Plumbing, is_interface
from .server_groups import MAX_GROUPS, MAX_MEMBERS, ServerGroups
from .servers import ServersController
from .store import Store
from .subresources import SubresourcesController
from .views import ServerViews
from .wire import bad, caller, error, mv, not_found, root


class Compute(Service):
    """`type` compute, `name` nova, mounted at /compute; the catalog points at /compute/v2.1."""

    type = "compute"
    name = "nova"
    prefix = "/compute"
    catalog_suffix = "/v2.1"

    def __init__(self, runtime: Runtime, identity: Identity, network: Network, image: Image) -> None:
        #: the peers Nova calls: Keystone for its service account, Neutron for ports, Glance for images
        self.identity = identity
        self.network = network
        self.image = image
        self.store = Store()
        add_catalogue(self.store)
        self.lifecycle = Lifecycle(self.store, runtime)
        self.plumbing = Plumbing(network, identity)
        self.views = ServerViews(network, self.plumbing, self.lifecycle)
        self.actions = InstanceActions(self.store, runtime)
        self.groups = ServerGroups(self.store, runtime)
        super().__init__(runtime)

    def setup(self) -> None:
        r = self.router
        r.add("GET", "/", self.versions, public=True)
        r.add("GET", "/v2.1", self.version, public=True)
        FlavorsController(self.store).register(r)
        KeypairsController(self.store, self.runtime).register(r)
        ServersController(self.lifecycle, self.views, self.plumbing, self.actions, self.runtime).register(r)
        CreateController(self.lifecycle, self.plumbing, self.image, self.groups, self.actions).register(r)
        ActionsController(self.lifecycle, self.views, self.actions, self.image, self.runtime).register(r)
        InterfacesController(self.lifecycle, self.views, self.plumbing, self.actions, self.runtime).register(r)
        MetadataController(self.lifecycle, self.runtime).register(r)
        SubresourcesController(self.lifecycle, self.views).register(r)
        self.actions.register(r)
        self.groups.register(r)
        r.add("GET", "/v2.1/os-availability-zone", self.availability_zones)
        r.add("GET", "/v2.1/limits", self.limits)

    # --- errors, in Nova's `{"<faultName>": {"code", "message"}}` shape -------------------------
    def error(self, status: int, message: str, kind: str = "") -> HttpError:
        return error(status, message, kind)

    def not_found_path(self, req: Request) -> HttpError:
        return not_found("The resource could not be found.")

    def method_not_allowed(self, req: Request) -> HttpError:
        return error(405, "The method specified is not allowed for this resource.")

    def malformed(self, message: str) -> HttpError:
        return bad("Malformed request body")

    def internal_error(self) -> Response:
        return error(500, "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ "
                               "and attach the Nova API log if possible.").response

    # --- microversions and headers --------------------------------------------------------------
    def prepare(self, req: Request) -> None:
        req.microversion = microversions.MIN_VERSION
        if req.path.rstrip("/") in ("", "/v2.1"):
            return  # version documents are answered at 2.1 whatever is asked
        req.microversion = microversions.negotiate(req)

    def decorate(self, req: Request, resp: Response) -> None:
        if req.path in ("", "/"):
            return  # the root versions document is served without any API middleware
        rid = resp.headers.get("x-openstack-request-id") or request_id()
        if resp.status != 401 or req.context is not None:
            version = microversions.text(req.microversion or microversions.MIN_VERSION)
            resp.headers.setdefault("OpenStack-API-Version", f"compute {version}")
            resp.headers.setdefault("X-OpenStack-Nova-API-Version", version)
            resp.headers.setdefault("Vary", "OpenStack-API-Version, X-OpenStack-Nova-API-Version")
        resp.headers["x-openstack-request-id"] = rid
        resp.headers["x-compute-request-id"] = rid

    # --- discovery and small read-only documents ------------------------------------------------
    def versions(self, req: Request) -> Response:
        return Response(200, microversions.versions_doc(root(req)))

    def version(self, req: Request) -> Response:
        return Response(200, microversions.version_doc(root(req)))

    def availability_zones(self, req: Request) -> Response:
        return Response(200, {"availabilityZoneInfo": [
            {"zoneName": "nova", "zoneState": {"available": True}, "hosts": None}]})

    def limits(self, req: Request) -> Response:
        """Quota-free cloud: the usual defaults as limits, the caller's usage as `total*Used`."""
        ctx = caller(req)
        mine = [self.store.servers[i] for i in self.store.servers_by_project.get(ctx.project_id, {})]
        absolute: dict[str, Any] = {
            "maxTotalInstances": 10 * 1000, "maxTotalCores": 20 * 1000, "maxTotalRAMSize": 51200 * 1000,
            "maxServerMeta": MAX_ITEMS, "maxServerGroups": MAX_GROUPS, "maxServerGroupMembers": MAX_MEMBERS,
            "totalInstancesUsed": len(mine), "totalCoresUsed": sum(s["flavor"]["vcpus"] for s in mine),
            "totalRAMUsed": sum(s["flavor"]["ram"] for s in mine),
            "totalServerGroupsUsed": sum(1 for g in self.store.server_groups.values()
                                         if g["project_id"] == ctx.project_id),
            "maxTotalKeypairs": 100}
        if not mv(req, 2, 57):
            absolute.update({"maxPersonality": 5, "maxPersonalitySize": 10240})
        return Response(200, {"limits": {"rate": [], "absolute": absolute}})

    # --- read API for peers (data plane, Octavia...) --------------------------------------------
    def is_interface(self, server_id: str, port: dict[str, Any]) -> bool:
        """Whether the port is one of the server's interfaces, as Nova sees them (`plumbing.is_interface`)."""
        with self.runtime.lock:
            server = self.store.servers.get(server_id)
            return server is not None and is_interface(server, port)

    def get_server(self, server_id: str) -> dict[str, Any] | None:
        """A snapshot of the server record: name, status, decoded user data, project, ports Nova made."""
        with self.runtime.lock:
            server = self.store.servers.get(server_id)
            if server is None:
                return None
            self.lifecycle.settle(server)
            snapshot = {k: v for k, v in server.items() if k != "nova_ports"}
            snapshot["status"] = status_of(server)
            snapshot["nova_ports"] = sorted(server["nova_ports"])
            return snapshot

    def server_ids(self) -> list[str]:
        with self.runtime.lock:
            return list(self.store.servers)

    def server_status(self, server_id: str) -> str | None:
        with self.runtime.lock:
            server = self.store.servers.get(server_id)
            return None if server is None else status_of(self.lifecycle.settle(server))



__all__ = ["Compute"]
