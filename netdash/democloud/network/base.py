"""Neutron's state, indexes and the helpers every resource module shares (ownership, stamps, lookups).

Records are stored as the admin API view minus the computed fields (status, subnets...). Nested values
(fixed_ips, allocation_pools...) are replaced, never mutated in place, so a view that shares them can be
encoded after the cloud lock is released without seeing a half-made change.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

from ..core import Context, HttpError, Request, Response, iso, request_id
from ..runtime import Runtime
from ..service import Service
from .errors import bad_request, forbidden, html_not_found, neutron_error, not_found
from .ipam import IPNet, Pool

Record = dict[str, Any]
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
        self.networks: dict[str, Record] = {}
        self.subnets: dict[str, Record] = {}
        self.ports: dict[str, Record] = {}
        self.routers: dict[str, Record] = {}
        self.fips: dict[str, Record] = {}
        self.sgs: dict[str, Record] = {}
        self.sg_rules: dict[str, Record] = {}
        # Indexes: dicts used as ordered sets, so every lookup the clients make often is O(answer).
        self.subnets_of_net: dict[str, dict[str, None]] = {}
        self.ports_of_net: dict[str, dict[str, None]] = {}
        self.ports_of_dev: dict[str, dict[str, None]] = {}
        self.allocations: dict[str, dict[str, str]] = {}  # subnet id -> ip -> port id
        self.subnet_ranges: dict[str, tuple[IPNet, list[Pool]]] = {}  # subnet id -> (cidr, pools)
        self.ports_at_ip: dict[str, dict[str, None]] = {}
        self.fips_of_port: dict[str, dict[str, None]] = {}
        self.rules_of_sg: dict[str, dict[str, None]] = {}
        self.default_sg: dict[str, str] = {}  # project id -> its `default` security group
        self.macs: set[str] = set()
        self.segments: set[int] = set()
        self.order: dict[str, int] = {}  # id -> creation order, for creation-ordered index answers
        self.counter = itertools.count(1)
        self.rng = random.Random()
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
        return ctx.can_see(port["project_id"]) or ctx.can_see(self.networks[port["network_id"]]["project_id"])

    def visible_network(self, ctx: Context, net_id: str) -> Record:
        net = self.networks.get(net_id)
        if net is None or not self.net_visible(ctx, net):
            raise not_found("network", net_id)
        return net

    def visible_subnet(self, ctx: Context, subnet_id: str) -> Record:
        subnet = self.subnets.get(subnet_id)
        if subnet is None or not (
            ctx.can_see(subnet["project_id"]) or self.net_visible(ctx, self.networks[subnet["network_id"]])
        ):
            raise not_found("subnet", subnet_id)
        return subnet

    def visible_port(self, ctx: Context, port_id: str) -> Record:
        port = self.ports.get(port_id)
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
        self.order[record["id"]] = next(self.counter)
        return record

    def touch(self, record: Record) -> None:
        record["updated_at"] = iso(self.runtime.now())
        record["revision_number"] += 1

    def in_creation_order(self, ids: dict[str, None] | None, store: dict[str, Record]) -> list[Record]:
        if not ids:
            return []
        return [store[i] for i in sorted(ids, key=self.order.__getitem__)]

    @staticmethod
    def index_add(index: dict[str, dict[str, None]], key: str, value: str) -> None:
        index.setdefault(key, {})[value] = None

    @staticmethod
    def index_drop(index: dict[str, dict[str, None]], key: str, value: str) -> None:
        bucket = index.get(key)
        if bucket is not None:
            bucket.pop(value, None)
            if not bucket:
                del index[key]
