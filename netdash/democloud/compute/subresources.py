"""A server's read-mostly sub-resources: its addresses by network (`/ips[/{network}]`), its security groups in
full (`/os-security-groups`, which infrastructure-as-code tools read on every run for an existing server),
and its password (`/os-server-password`: set by a guest through the metadata service, which this cloud's
guests never do, so always empty; clearing it is accepted)."""

from __future__ import annotations

from ..core import Request, Response, Router
from .lifecycle import Lifecycle
from .views import ServerViews
from .wire import caller, not_found, param


class SubresourcesController:
    def __init__(self, lifecycle: Lifecycle, views: ServerViews) -> None:
        self.lifecycle = lifecycle
        self.views = views

    def register(self, r: Router) -> None:
        r.add("GET", "/v2.1/servers/{server_id}/ips", self.ips)
        r.add("GET", "/v2.1/servers/{server_id}/ips/{network}", self.ips_of)
        r.add("GET", "/v2.1/servers/{server_id}/os-security-groups", self.security_groups)
        r.add("GET", "/v2.1/servers/{server_id}/os-server-password", self.password)
        r.add("DELETE", "/v2.1/servers/{server_id}/os-server-password", self.clear_password)

    def ips(self, req: Request, server_id: str) -> Response:
        server = self.lifecycle.find(caller(req), server_id)
        return Response(200, {"addresses": self.views.addresses(server, extended=False)})

    def ips_of(self, req: Request, server_id: str, network: str) -> Response:
        """One network's addresses, by the network's name (the key of `addresses`)."""
        server = self.lifecycle.find(caller(req), server_id)
        label = param(network)
        addresses = self.views.addresses(server, extended=False)
        if label not in addresses:
            raise not_found("Instance is not a member of specified network")
        return Response(200, {label: addresses[label]})

    def security_groups(self, req: Request, server_id: str) -> Response:
        ctx = caller(req)
        server = self.lifecycle.find(ctx, server_id)
        groups = self.views.groups.bindings(ctx, {server["id"]: self.views.networked_ports(server)},
                                            detailed=True).get(server["id"], [])
        return Response(200, {"security_groups": self.views.groups.detailed_view(ctx, groups)})

    def password(self, req: Request, server_id: str) -> Response:
        self.lifecycle.find(caller(req), server_id)
        return Response(200, {"password": ""})

    def clear_password(self, req: Request, server_id: str) -> Response:
        self.lifecycle.find(caller(req), server_id)
        return Response(204)
