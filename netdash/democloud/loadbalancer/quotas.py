"""Quotas: `/v2/lbaas/quotas[/{project}[/default]]`, and the check every create makes.

As Octavia's `QuotasController` and `check_quota_met` (octavia/api/v2/controllers/quotas.py,
octavia/db/repositories.py): a project's record holds one limit per kind, None meaning the configured default
(unlimited, -1, in a default deployment); showing a project fills the defaults in, listing shows the records
as stored. A record is made the first time a project creates anything (`ensure_project_exists`), which is
what lists it. Reading is for the project's own members and readers or an admin, changing for an admin;
`DELETE` resets every limit to its default (404 for a project with no record). A create that would pass a
limit is refused with 403, counting what the project has, deletions still pending included.
"""

from __future__ import annotations

from typing import Any

from ..core import Request, Response
from . import listing
from .base import Resource
from .faults import fault, forbidden, not_found
from .schema import Body, integer
from .store import Record, Store

#: Octavia's quota names (its database columns), with how its error names each kind
KINDS = {"load_balancer": "Load Balancer", "listener": "Listener", "pool": "Pool",
         "health_monitor": "Health Monitor", "member": "Member", "l7policy": "L7 Policy", "l7rule": "L7 Rule"}
#: the API's second spelling of two of them (`loadbalancer` is the current one; both are answered)
ALIASES = {"loadbalancer": "load_balancer", "healthmonitor": "health_monitor"}
UNLIMITED = -1
LIMIT = integer(UNLIMITED, 2_000_000_000)
UPDATE = Body("quota", "quotas", {name: LIMIT for name in sorted([*KINDS, *ALIASES])})


def filled(record: Record | None) -> dict[str, int]:
    """The limits in force: the record's, its unset ones (and every one without a record) the default."""
    return {name: UNLIMITED if record is None or record.get(name) is None else int(record[name])
            for name in KINDS}


def charge(store: Store, project_id: str, quota: str, count: int = 1) -> None:
    """The check of every create: refuse `count` more objects of `quota`'s kind past the project's limit
    (Octavia's 403), making the project's record if it has none (`ensure_project_exists`)."""
    record = store.quotas.get(project_id)
    if record is None:
        record = store.quotas[project_id] = dict.fromkeys(KINDS)
    limit = filled(record)[quota]
    if limit != UNLIMITED and store.in_use(quota, project_id) + count > limit:
        raise fault(403, f"Quota has been met for resources: {KINDS[quota]}")


class Quotas(Resource):
    kind = "quota"
    title = "Quotas"

    def register(self) -> None:
        add = self.service.route
        add("GET", "/lbaas/quotas", self.list)
        add("GET", "/lbaas/quotas/{project_id}", self.show)
        add("PUT", "/lbaas/quotas/{project_id}", self.update)
        add("DELETE", "/lbaas/quotas/{project_id}", self.reset)
        add("GET", "/lbaas/quotas/{project_id}/default", self.defaults)

    @staticmethod
    def view(project_id: str, limits: dict[str, Any]) -> dict[str, Any]:
        view = {"project_id": project_id, **{name: limits.get(name) for name in KINDS}}
        view.update({alias: limits.get(name) for alias, name in ALIASES.items()})
        view["tenant_id"] = project_id  # WSME's BaseMeta gives every type with a project_id its alias
        return view

    # --- handlers ---------------------------------------------------------------------------------
    def list(self, req: Request) -> Response:
        ctx = self.context(req)
        wanted = req.arg("project_id")
        if not ctx.is_admin:
            self.authorize(req, wanted or ctx.project_id)
            wanted = ctx.project_id
        found = [self.view(project, record) for project, record in self.store.quotas.items()
                 if wanted is None or project == wanted]
        return listing.collection(req, "quotas", found)

    def show(self, req: Request, project_id: str) -> Response:
        self.authorize(req, project_id)
        return Response(200, {"quota": self.view(project_id, filled(self.store.quotas.get(project_id)))})

    def defaults(self, req: Request, project_id: str) -> Response:
        self.authorize(req, project_id)
        return Response(200, {"quota": self.view(project_id, filled(None))})

    def update(self, req: Request, project_id: str) -> Response:
        body = UPDATE.parse(req)  # WSME reads the body before the controller checks the policy
        if not self.context(req).is_admin:
            raise forbidden()
        record = self.store.quotas.setdefault(project_id, dict.fromkeys(KINDS))
        for name in sorted(body):  # Octavia's order: `loadbalancer` after `load_balancer` wins
            record[ALIASES.get(name, name)] = body[name]
        return Response(202, {"quota": self.view(project_id, filled(record))})

    def reset(self, req: Request, project_id: str) -> Response:
        if not self.context(req).is_admin:
            raise forbidden()
        record = self.store.quotas.get(project_id)
        if record is None:
            raise not_found(self.title, project_id)
        record.update(dict.fromkeys(KINDS))
        return Response(202)

