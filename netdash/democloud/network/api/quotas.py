"""`/v2.0/quotas`: a project's limits, its usage (`details`), the defaults, and the admin's changes.

Neutron's policy (neutron/conf/policies/quotas.py, neutron/extensions/quotasv2*.py): a project reads its
own limits; another project's need `get_quota` (admin or the project's manager), its details an admin
(`AdminRequired`); `PUT` and `DELETE` are `update_quota` and `delete_quota`, admin only.
"""

from __future__ import annotations

from ...core import Context, Request, Response, Router
from .. import attrs as a
from ..attrs import caller
from ..errors import forbidden, neutron_error
from ..rules import Rules
from ..rules.quotas import DEFAULTS
from ..store import Store

#: `convert_to_int` then `type:range` [-1, DB_INTEGER_MAX_VALUE]
LIMIT = a.Attr(a.integer(-1, 2147483647), post=False)
SPEC: dict[str, a.Attr] = {**dict.fromkeys(DEFAULTS, LIMIT), "force": a.Attr(a.BOOLEAN, post=False),
                           "check_limit": a.Attr(a.BOOLEAN, post=False)}
BODY = a.Body("quota", SPEC)


def may_read(ctx: Context, project_id: str) -> None:
    # `validate_policy` targets the caller's own project, so a manager passes it for any project, as in Neutron
    if project_id != ctx.project_id and not (ctx.is_admin or "manager" in ctx.roles):
        raise forbidden("get_quota")


class QuotasController:
    def __init__(self, store: Store, rules: Rules) -> None:
        self.store = store
        self.quotas = rules.quotas

    def register(self, r: Router) -> None:
        r.add("GET", "/v2.0/quotas", self.list)
        r.add("GET", "/v2.0/quotas/project", self.project)
        r.add("GET", "/v2.0/quotas/{project_id}", self.show)
        r.add("GET", "/v2.0/quotas/{project_id}/details", self.details)
        r.add("GET", "/v2.0/quotas/{project_id}/default", self.default)
        r.add("PUT", "/v2.0/quotas/{project_id}", self.update)
        r.add("DELETE", "/v2.0/quotas/{project_id}", self.delete)

    def list(self, req: Request) -> Response:
        """The projects with limits of their own (`get_all_quotas`)."""
        ctx = caller(req)
        may_read(ctx, "")
        return Response(200, {"quotas": [{"project_id": p, "tenant_id": p, **self.quotas.limits(p)}
                                         for p in self.store.quotas]})

    def project(self, req: Request) -> Response:
        return Response(200, {"project": {"project_id": caller(req).project_id}})

    def show(self, req: Request, project_id: str) -> Response:
        may_read(caller(req), project_id)
        return Response(200, {"quota": self.quotas.limits(project_id)})

    def details(self, req: Request, project_id: str) -> Response:
        ctx = caller(req)
        if project_id != ctx.project_id and not ctx.is_admin:
            raise neutron_error(403, "AdminRequired", "User does not have admin privileges: Only admin is "
                                "authorized to access quotas for another project.")
        return Response(200, {"quota": self.quotas.details(project_id)})

    def default(self, req: Request, project_id: str) -> Response:
        may_read(caller(req), project_id)
        return Response(200, {"quota": dict(DEFAULTS)})

    def update(self, req: Request, project_id: str) -> Response:
        a.read_json(req)  # Neutron's resource wrapper decodes the body before the controller checks policy
        if not caller(req).is_admin:
            raise forbidden("update_quota")
        attrs = BODY.parse(req, update=True)
        force = attrs.pop("force", None) is True
        attrs.pop("check_limit", None)
        self.quotas.update(project_id, attrs, force=force)
        return Response(200, {"quota": self.quotas.limits(project_id)})

    def delete(self, req: Request, project_id: str) -> Response:
        if not caller(req).is_admin:
            raise forbidden("delete_quota")
        self.quotas.reset(project_id)
        return Response(204)
