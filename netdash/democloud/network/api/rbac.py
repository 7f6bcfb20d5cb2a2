"""`/v2.0/rbac-policies` (rbac-policies, rbac-security-groups, rbac-subnetpool): parse, call the rules,
render the views. The body's table is neutron/extensions/rbac.py's: the target is `target_tenant` (a body
naming `target_project` has an unrecognised attribute), `*` or a project id."""

from __future__ import annotations

from ...core import Request, Response, Router
from .. import attrs as a
from ..attrs import caller
from ..query import list_answer, shown
from ..rules import Rules
from ..rules.rbac import ACTIONS, rbac_not_found
from ..store import Record, Store
from ..views import RBAC_FIELDS, rbac_view
from .bulk import admitted, created

#: `convert_valid_object_type`
OBJECT_TYPE = a.raising(a.Kind({"type": "string", "pattern": r"^\s*(?i:" + "|".join(ACTIONS) + r")\s*\Z"},
                               lambda value: value.strip().lower()),
                        400, "InvalidInput", "Invalid input for operation: '{value}' is not a valid RBAC object type.",
                        "type", "pattern")
#: `valid_target_project`: a project id (a UUID, dashes or not) or `*`
TARGET = a.raising(a.Kind({"anyOf": [{"const": "*"}, {"type": "string", "format": "uuid"}]}), 400, "InvalidInput",
                   "Invalid input for operation: '{value}' is not a valid target project ID; expected a UUID or "
                   "'*'.", "anyOf")
SPEC: dict[str, a.Attr] = {
    "id": a.READ_ONLY,
    "object_type": a.Attr(OBJECT_TYPE, put=False, required=True),
    "object_id": a.Attr(a.UUID, put=False, required=True),
    "target_tenant": a.Attr(TARGET, required=True),
    "tenant_id": a.PROJECT,
    "project_id": a.PROJECT,
    "action": a.Attr(a.string(255), put=False, required=True),
}
BODY = a.Body("rbac_policy", SPEC)


class RbacController:
    def __init__(self, store: Store, rules: Rules) -> None:
        self.store = store
        self.rules = rules

    def register(self, r: Router) -> None:
        r.add("GET", "/v2.0/rbac-policies", self.list)
        r.add("POST", "/v2.0/rbac-policies", self.create)
        r.add("GET", "/v2.0/rbac-policies/{policy_id}", self.show)
        r.add("PUT", "/v2.0/rbac-policies/{policy_id}", self.update)
        r.add("DELETE", "/v2.0/rbac-policies/{policy_id}", self.delete)

    def owned(self, req: Request, policy_id: str) -> Record:
        """A policy of the caller's project (any, for an admin): the others are none the caller may know of."""
        entry = self.store.rbac.get(policy_id)
        if entry is None or not caller(req).can_see(entry["project_id"]):
            raise rbac_not_found(policy_id)
        return entry

    def list(self, req: Request) -> Response:
        ctx = caller(req)
        views = (rbac_view(e) for e in self.store.rbac.values() if ctx.can_see(e["project_id"]))
        return list_answer(req, "rbac_policy", "rbac_policies", views, (*RBAC_FIELDS, "target_project"))

    def show(self, req: Request, policy_id: str) -> Response:
        return shown(req, "rbac_policy", rbac_view(self.owned(req, policy_id)))

    def create(self, req: Request) -> Response:
        ctx = caller(req)

        make = admitted(self.rules.quotas, ctx, "rbac_policy", self.rules.rbac.create)
        return created(req, BODY, make, self.rules.rbac.revoke, rbac_view)

    def update(self, req: Request, policy_id: str) -> Response:
        entry = self.owned(req, policy_id)
        attrs = BODY.parse(req, update=True)
        if "target_tenant" in attrs:
            self.rules.rbac.update(caller(req), entry, str(attrs["target_tenant"]))
        return Response(200, {"rbac_policy": rbac_view(entry)})

    def delete(self, req: Request, policy_id: str) -> Response:
        self.rules.rbac.delete(caller(req), self.owned(req, policy_id))
        return Response(204)
