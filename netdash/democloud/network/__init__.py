"""Neutron (network v2.0): networks, subnets with IPAM, ports, routers, floating IPs, security groups.

Three layers, as the Octavia package has them: `store.py` holds the records and indexes (all that `--state`
saves), `rules/` the named operations that change them and raise typed errors (`errors.py`), and `api/` one
controller per resource that parses a request, calls a rule and renders the view (`views.py`). This class
puts them together once, serves the version documents, renders refusals as `NeutronError` bodies, and
offers the read API peers use in-process (Nova, Octavia, the data plane).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from ..core import HttpError, Request, Response, request_id
from ..runtime import Runtime
from ..service import Refusal, Service
from .api.agents import AgentsController
from .api.availability import AvailabilityController
from .api.extensions import ExtensionsController
from .api.floatingips import FloatingIPsController
from .api.networks import NetworksController
from .api.ports import PortsController
from .api.quotas import QuotasController
from .api.rbac import RbacController
from .api.routers import RoutersController
from .api.secgroups import SecurityGroupsController
from .api.subnetpools import SubnetPoolsController
from .api.subnets import SubnetsController
from .api.tags import TagsController
from .errors import NeutronError, as_http, bad_request, html_not_found, neutron_error
from .rules import Rules
from .store import Store
from .views import fip_view, network_view, port_view, subnet_view

#: (singular, collection) as `GET /v2.0` lists them
RESOURCES = (
    ("network", "networks"),
    ("subnet", "subnets"),
    ("subnetpool", "subnetpools"),
    ("port", "ports"),
    ("router", "routers"),
    ("floatingip", "floatingips"),
    ("security_group", "security-groups"),
    ("security_group_rule", "security-group-rules"),
    ("extension", "extensions"),
)


class Network(Service):
    type = "network"
    name = "neutron"
    prefix = "/networking"
    catalog_suffix = ""

    def __init__(self, runtime: Runtime) -> None:
        self.store = Store()
        self.rules = Rules.build(self.store, runtime.now)
        super().__init__(runtime)

    def setup(self) -> None:
        r = self.router
        r.add("GET", "/", self.versions, public=True)
        r.add("GET", "/v2.0", self.resources, public=True)
        for controller in (NetworksController, SubnetsController, PortsController, RoutersController,
                           FloatingIPsController, SecurityGroupsController, QuotasController, SubnetPoolsController,
                           RbacController, TagsController):
            controller(self.store, self.rules).register(r)
        AvailabilityController(self.store).register(r)
        AgentsController(self.store, self.runtime.now(), self.runtime.now).register(r)
        ExtensionsController().register(r)

    # --- Neutron's answers: refusals of its rules, and requests no route takes -------------------
    def refused(self, refusal: Refusal) -> Response:
        if isinstance(refusal, NeutronError):
            return Response(refusal.status, refusal.body())
        return super().refused(refusal)

    def error(self, status: int, message: str, kind: str = "") -> HttpError:
        return as_http(neutron_error(status, kind or "HTTPError", message))

    def malformed(self, message: str) -> HttpError:
        return as_http(bad_request("Body contains invalid data"))

    def internal_error(self) -> Response:
        return self.error(
            500, "Request Failed: internal server error while processing your request.", "HTTPInternalServerError"
        ).response

    def not_found_path(self, req: Request) -> HttpError:
        return html_not_found()

    def method_not_allowed(self, req: Request) -> HttpError:
        return self.error(405, f"The method {req.method} is not allowed for this resource.", "HTTPMethodNotAllowed")

    def decorate(self, req: Request, resp: Response) -> None:
        # Neutron's version document is served before its request-id middleware.
        if req.path != "/":
            resp.headers.setdefault("x-openstack-request-id", request_id())

    # --- discovery ------------------------------------------------------------------------------
    def versions(self, req: Request) -> Response:
        return Response(
            200,
            {
                "versions": [
                    {
                        "id": "v2.0",
                        "status": "CURRENT",
                        "links": [{"rel": "self", "href": f"{req.service_url}/v2.0/"}],
                    }
                ]
            },
        )

    def resources(self, req: Request) -> Response:
        return Response(
            200,
            {
                "resources": [
                    {
                        "name": name,
                        "collection": collection,
                        "links": [{"rel": "self", "href": f"{req.service_url}/v2.0/{collection}"}],
                    }
                    for name, collection in RESOURCES
                ]
            },
        )

    # --- read API for peers (admin views, no HTTP) ----------------------------------------------
    def get_port(self, port_id: str) -> dict[str, Any] | None:
        port = self.store.ports.get(port_id)
        return None if port is None else port_view(port)

    def ports_of_device(self, device_id: str) -> list[dict[str, Any]]:
        store = self.store
        return [port_view(p) for p in store.in_creation_order(store.ports_of_dev.get(device_id), store.ports)]

    def port_with_ip(
        self, ip: str, *, subnet_id: str | None = None, network_id: str | None = None
    ) -> dict[str, Any] | None:
        """`ip` in any spelling (Octavia keeps a member's address as sent: `2001:db8:0:0:0:0:0:1`)."""
        try:
            ip = str(ipaddress.ip_address(ip))
        except ValueError:
            return None
        for port_id in self.store.ports_at_ip.get(ip, ()):
            port = self.store.ports[port_id]
            if network_id is not None and port["network_id"] != network_id:
                continue
            if subnet_id is not None and not any(
                f["subnet_id"] == subnet_id and f["ip_address"] == ip for f in port["fixed_ips"]
            ):
                continue
            return port_view(port)
        return None

    def get_network(self, network_id: str) -> dict[str, Any] | None:
        net = self.store.networks.get(network_id)
        return None if net is None else network_view(self.store, net)

    def get_subnet(self, subnet_id: str) -> dict[str, Any] | None:
        subnet = self.store.subnets.get(subnet_id)
        return None if subnet is None else subnet_view(self.store, subnet)

    def floating_ips_of_port(self, port_id: str) -> list[dict[str, Any]]:
        store = self.store
        return [fip_view(self.store, f) for f in store.in_creation_order(store.fips_of_port.get(port_id), store.fips)]

    # --- for the data plane (call with the cloud lock held) -------------------------------------
    def associated_floating_ips(self) -> list[dict[str, Any]]:
        """Floating IPs pointing at a port: the ones the data plane listens on."""
        return [fip_view(self.store, f) for f in self.store.fips.values() if f["port_id"]]

    def loopback_ports(self) -> list[dict[str, Any]]:
        """Ports with a fixed IP in 127.0.0.0/8 (the `public` network): real addresses of this machine."""
        at_ip = self.store.ports_at_ip  # by key: only the loopback addresses' buckets are fetched
        ids = {p: None for ip in at_ip if ip.startswith("127.") for p in at_ip[ip]}
        return [port_view(self.store.ports[p]) for p in ids]


__all__ = ["Network"]
