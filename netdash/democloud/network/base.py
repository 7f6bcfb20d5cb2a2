"""Neutron's service base: its store, and the helpers every resource module shares (ownership, stamps,
lookups)."""

from __future__ import annotations

from typing import Any

from ..core import Context, HttpError, Request, Response, iso, request_id
from ..runtime import Runtime
from ..service import Service
from .errors import bad_request, forbidden, html_not_found, neutron_error, not_found
from .store import Record, Store

#: the host name router ports are bound to, as an L3 agent would bind them
NETWORK_HOST = "democloud-network"
#: Neutron acting on its own behalf (router and floating IP ports belong to no project)
SYSTEM = Context("", "neutron", ("admin", "service"), "service")


class NetBase(Service):
    type = "network"
    name = "neutron"
    prefix = "/networking"
    catalog_suffix = ""

    def __init__(self, runtime: Runtime) -> None:
        self.store = Store()
        super().__init__(runtime)

    # --- Neutron's answers to requests no route takes -------------------------------------------
    def error(self, status: int, message: str, kind: str = "") -> HttpError:
        return neutron_error(status, kind or "HTTPError", message)

    def malformed(self, message: str) -> HttpError:
        return bad_request("Body contains invalid data")

    def internal_error(self) -> Response:
        return neutron_error(
            500,
            "HTTPInternalServerError",
            "Request Failed: internal server error while processing your request.",
        ).response

    def not_found_path(self, req: Request) -> HttpError:
        return html_not_found()

    def method_not_allowed(self, req: Request) -> HttpError:
        return neutron_error(
            405, "HTTPMethodNotAllowed", f"The method {req.method} is not allowed for this resource."
        )

    def decorate(self, req: Request, resp: Response) -> None:
        # Neutron's version document is served before its request-id middleware.
        if req.path != "/":
            resp.headers.setdefault("x-openstack-request-id", request_id())

    # --- who is asking --------------------------------------------------------------------------
    @staticmethod
    def ctx(req: Request) -> Context:
        assert req.context is not None  # routes are not public: the dispatcher answered 401 already
        return req.context

    def owner(self, ctx: Context, attrs: dict[str, Any], action: str) -> str:
        """The project a new resource belongs to: the caller's, or another one only for an admin."""
        project = attrs.pop("project_id", None)
        tenant = attrs.pop("tenant_id", None)
        if project and tenant and project != tenant:
            raise bad_request("'project_id' and 'tenant_id' do not match")
        wanted = project or tenant or ctx.project_id
        if wanted != ctx.project_id and not ctx.is_admin:
            raise forbidden(action)
        return str(wanted)

    def net_visible(self, ctx: Context, net: Record) -> bool:
        return ctx.can_see(net["project_id"]) or net["shared"] or net["router:external"]

    def port_visible(self, ctx: Context, port: Record) -> bool:
        """Its project, or the owner of its network (Neutron's `admin_owner_or_network_owner`)."""
        return ctx.can_see(port["project_id"]) or ctx.can_see(self.store.networks[port["network_id"]]["project_id"])

    def visible_network(self, ctx: Context, net_id: str) -> Record:
        net = self.store.networks.get(net_id)
        if net is None or not self.net_visible(ctx, net):
            raise not_found("network", net_id)
        return net

    def visible_subnet(self, ctx: Context, subnet_id: str) -> Record:
        subnet = self.store.subnets.get(subnet_id)
        if subnet is None or not (
            ctx.can_see(subnet["project_id"]) or self.net_visible(ctx, self.store.networks[subnet["network_id"]])
        ):
            raise not_found("subnet", subnet_id)
        return subnet

    def visible_port(self, ctx: Context, port_id: str) -> Record:
        port = self.store.ports.get(port_id)
        if port is None or not self.port_visible(ctx, port):
            raise not_found("port", port_id)
        return port

    def owned(self, ctx: Context, store: dict[str, Record], resource: str, ident: str) -> Record:
        record = store.get(ident)
        if record is None or not ctx.can_see(record["project_id"]):
            raise not_found(resource, ident)
        return record

    def writable(self, ctx: Context, record: Record, action: str) -> None:
        """Visible but not yours (a shared network): Neutron's policy refuses the change with a 403."""
        if not ctx.can_see(record["project_id"]):
            raise forbidden(action)

    # --- standard attributes --------------------------------------------------------------------
    def born(self, record: Record, revision: int = 0) -> Record:
        now = iso(self.runtime.now())
        record.setdefault("description", "")
        record.setdefault("tags", [])
        record.update(created_at=now, updated_at=now, revision_number=revision)
        self.store.order[record["id"]] = next(self.store.counter)
        return record

    def touch(self, record: Record) -> None:
        record["updated_at"] = iso(self.runtime.now())
        record["revision_number"] += 1
