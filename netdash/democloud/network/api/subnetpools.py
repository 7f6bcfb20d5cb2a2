"""`/v2.0/subnetpools` and its prefix actions (subnet_allocation, default-subnetpools,
subnetpool-prefix-ops): parse, call the rules, render the views."""

from __future__ import annotations

from ...core import Request, Response, Router
from ...validation import compile_schema, first_error
from .. import attrs as a
from ..attrs import caller
from ..errors import bad_request
from ..query import list_answer, shown
from ..rules import Rules
from ..store import Store
from ..views import SUBNETPOOL_FIELDS, subnetpool_update_view, subnetpool_view
from .bulk import admitted, created

#: `type:not_empty_name_string`
NAME = a.Kind({**a.string(255).schema, "pattern": r"\S",
               "reasons": {**a.string(255).schema["reasons"], "pattern": "'{value}' Blank strings are not permitted"}})
PREFIXES = a.list_of(a.SUBNET, unique=True)
BOUND = a.Attr(a.non_negative())
SPEC: dict[str, a.Attr] = {
    **a.STANDARD,
    "name": a.Attr(NAME, required=True),
    "tenant_id": a.PROJECT,
    "project_id": a.PROJECT,
    "prefixes": a.Attr(PREFIXES, required=True),
    "default_quota": BOUND,
    "ip_version": a.READ_ONLY,
    "default_prefixlen": BOUND,
    "min_prefixlen": BOUND,
    "max_prefixlen": BOUND,
    "is_default": a.Attr(a.BOOLEAN),
    "shared": a.Attr(a.BOOLEAN, put=False),
    "address_scope_id": a.Attr(a.nullable(a.UUID)),
    "description": a.DESCRIPTION,
    "tags": a.TAGS,
}
BODY = a.Body("subnetpool", SPEC)
#: `get_operation_request_body`: `{"prefixes": [...]}`, a list that is not empty
PREFIX_OPERATION = compile_schema({"type": "object", "required": ["prefixes"], "properties": {
    "prefixes": {"type": "array", "minItems": 1, "items": a.SUBNET.schema}}})


class SubnetPoolsController:
    def __init__(self, store: Store, rules: Rules) -> None:
        self.store = store
        self.rules = rules

    def register(self, r: Router) -> None:
        r.add("GET", "/v2.0/subnetpools", self.list)
        r.add("POST", "/v2.0/subnetpools", self.create)
        r.add("GET", "/v2.0/subnetpools/{subnetpool_id}", self.show)
        r.add("PUT", "/v2.0/subnetpools/{subnetpool_id}", self.update)
        r.add("DELETE", "/v2.0/subnetpools/{subnetpool_id}", self.delete)
        r.add("PUT", "/v2.0/subnetpools/{subnetpool_id}/add_prefixes", self.add_prefixes)
        r.add("PUT", "/v2.0/subnetpools/{subnetpool_id}/remove_prefixes", self.remove_prefixes)

    def list(self, req: Request) -> Response:
        ctx = caller(req)
        records = [p for p in self.store.subnetpools.values()
                   if ctx.can_see(p["project_id"]) or self.store.shared_for(ctx, p)]
        return list_answer(req, "subnetpool", "subnetpools", records, SUBNETPOOL_FIELDS,
                           view=lambda pool: subnetpool_view(self.store, pool, ctx))

    def show(self, req: Request, subnetpool_id: str) -> Response:
        ctx = caller(req)
        return shown(req, "subnetpool", subnetpool_view(self.store, self.rules.pools.visible(ctx, subnetpool_id), ctx))

    def create(self, req: Request) -> Response:
        ctx = caller(req)

        make = admitted(self.rules.quotas, ctx, "subnetpool", self.rules.pools.create)
        return created(req, BODY, make, self.rules.pools.drop, lambda pool: subnetpool_view(self.store, pool, ctx))

    def update(self, req: Request, subnetpool_id: str) -> Response:
        ctx = caller(req)
        pool = a.revised(req, self.rules.pools.visible(ctx, subnetpool_id))
        self.rules.pools.update(ctx, pool, BODY.parse(req, update=True))
        return Response(200, {"subnetpool": subnetpool_update_view(self.store, pool, ctx)})

    def delete(self, req: Request, subnetpool_id: str) -> Response:
        ctx = caller(req)
        self.rules.pools.delete(ctx, a.revised(req, self.rules.pools.visible(ctx, subnetpool_id)))
        return Response(204)

    # --- prefix operations -----------------------------------------------------------------------------
    def prefixes(self, req: Request) -> list[str]:
        body = a.read_json(req)
        if first_error(PREFIX_OPERATION, body) is not None:
            raise bad_request("Request body contains invalid data")
        return list(body["prefixes"])

    def add_prefixes(self, req: Request, subnetpool_id: str) -> Response:
        ctx = caller(req)
        pool = self.rules.pools.visible(ctx, subnetpool_id)
        self.rules.pools.add_prefixes(ctx, pool, self.prefixes(req))
        return Response(200, {"prefixes": pool["prefixes"]})

    def remove_prefixes(self, req: Request, subnetpool_id: str) -> Response:
        ctx = caller(req)
        pool = self.rules.pools.visible(ctx, subnetpool_id)
        self.rules.pools.remove_prefixes(ctx, pool, self.prefixes(req))
        return Response(200, {"prefixes": pool["prefixes"]})
