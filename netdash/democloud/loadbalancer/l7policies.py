"""L7 policies: what an HTTP listener does with a request its rules match, before its default pool.

As Octavia's `L7PolicyController` and `validate.sanitize_l7policy_api_args`: the action follows from what is
given (a `redirect_pool_id` makes it REDIRECT_TO_POOL, a `redirect_url` REDIRECT_TO_URL, a `redirect_prefix`
REDIRECT_PREFIX, whatever `action` said), a redirect gets code 302 unless told, and a policy has a `position`
among its listener's, from 1, that a create or an update inserts it at (the others keep their order). The
redirect pool must be on the listener's load balancer and of a protocol the listener can use. A change
locks the load balancer and the listener (PENDING_UPDATE). How the data plane applies policies is
`dataplane/l7.py`.
"""

from __future__ import annotations

from typing import Any

from ..core import Request, Response, new_id
from . import listing
from .base import Resource
from .faults import fault, not_found
from .l7rules import add_rule, check_rule
from .listeners import POOL_PROTOCOLS
from .provisioning import stamp_new
from .quotas import charge
from .schema import BOOL, TAGS, UUID, Body, Field, enum, integer, text
from .store import Record

ACTIONS = ("REJECT", "REDIRECT_TO_URL", "REDIRECT_TO_POOL", "REDIRECT_PREFIX")
CODES = (301, 302, 303, 307, 308)
MAX_POSITION = 2147483647
PUT: dict[str, Field] = {
    "name": text(), "description": text(), "admin_state_up": BOOL, "action": enum(*ACTIONS),
    "redirect_pool_id": UUID, "redirect_url": Field("url"), "redirect_prefix": Field("url"),
    "position": integer(1, MAX_POSITION), "tags": TAGS, "redirect_http_code": enum(*CODES),
}
#: a rule sent inside the policy's create (`L7RuleSingleCreate`); its checks are the rules' (l7rules.py)
INLINE_RULE: dict[str, Field] = {
    "type": Field("str", mandatory=True), "compare_type": Field("str", mandatory=True), "key": text(),
    "value": text(mandatory=True), "invert": BOOL, "admin_state_up": BOOL, "tags": TAGS,
}
POST: dict[str, Field] = {
    **PUT, "action": enum(*ACTIONS, mandatory=True), "project_id": text(36),
    "listener_id": Field("uuid", mandatory=True), "rules": Field("objs", fields=INLINE_RULE),
}
CREATE = Body("l7policy", "l7policy_", POST)
UPDATE = Body("l7policy", "l7policy_", PUT)
REDIRECTS = ("redirect_pool_id", "redirect_url", "redirect_prefix", "redirect_http_code")


def invalid_args(why: str) -> Exception:
    return fault(400, f"Invalid L7 Policy arguments: {why}")


def sanitized(policy: dict[str, Any], *, create: bool) -> dict[str, Any]:
    """`sanitize_l7policy_api_args`, step by step: what the action requires, then the action that what is
    given implies. `policy` holds what was sent (every attribute, None for unset, on a create)."""
    out = dict(policy)
    action = out.get("action")
    if "action" in out:
        if action == "REJECT":
            out.update(redirect_url=None, redirect_pool_id=None)
        elif action == "REDIRECT_TO_URL":
            if not out.get("redirect_url"):
                raise invalid_args("redirect_url must not be None")
            out["redirect_pool_id"] = None
        elif action == "REDIRECT_TO_POOL":
            if not out.get("redirect_pool_id"):
                raise invalid_args("redirect_pool_id or redirect_pool must not be None")
            out["redirect_url"] = None
        elif action == "REDIRECT_PREFIX":
            if not out.get("redirect_prefix"):
                raise invalid_args("redirect_prefix must not be None")
        else:
            raise fault(400, f"Invalid L7 Policy action specified: {action}")
    if out.get("redirect_pool_id") and (out.get("redirect_url") or out.get("redirect_prefix")):
        raise invalid_args("Cannot specify redirect_pool_id and redirect_url or redirect_prefix at the same time")
    if out.get("redirect_pool_id"):
        out.update(action="REDIRECT_TO_POOL", redirect_url=None, redirect_prefix=None, redirect_http_code=None)
    if out.get("redirect_url"):
        out.update(action="REDIRECT_TO_URL", redirect_pool_id=None, redirect_prefix=None,
                   redirect_http_code=out.get("redirect_http_code") or 302)
    if out.get("redirect_prefix"):
        out.update(action="REDIRECT_PREFIX", redirect_pool_id=None, redirect_url=None,
                   redirect_http_code=out.get("redirect_http_code") or 302)
    if create and "action" not in out:
        raise fault(400, "Invalid L7 Policy action specified: None")
    if not out:
        raise invalid_args("Invalid update options")
    return out


def cleared_for(action: str) -> dict[str, None]:
    """What the repository's update clears once the action is known (`L7PolicyRepository.update`)."""
    keep = {"REJECT": (), "REDIRECT_TO_URL": ("redirect_url", "redirect_http_code"),
            "REDIRECT_TO_POOL": ("redirect_pool_id",),
            "REDIRECT_PREFIX": ("redirect_prefix", "redirect_http_code")}[action]
    return {k: None for k in REDIRECTS if k not in keep}


class L7Policies(Resource):
    kind = "l7policy"
    title = "L7 Policy"

    def register(self) -> None:
        add = self.service.route
        add("GET", "/lbaas/l7policies", self.list)
        add("POST", "/lbaas/l7policies", self.create)
        add("GET", "/lbaas/l7policies/{policy_id}", self.show)
        add("PUT", "/lbaas/l7policies/{policy_id}", self.update)
        add("DELETE", "/lbaas/l7policies/{policy_id}", self.delete)

    def view(self, policy: Record, now: float) -> dict[str, Any]:
        return {
            "id": policy["id"], "name": policy["name"], "description": policy["description"],
            "provisioning_status": self.status_of(policy, now),
            "operating_status": self.operating.l7(policy, now),
            "admin_state_up": policy["admin_state_up"], "project_id": policy["project_id"],
            "action": policy["action"], "listener_id": policy["_listener"],
            "redirect_pool_id": policy["redirect_pool_id"], "redirect_url": policy["redirect_url"],
            "redirect_prefix": policy["redirect_prefix"], "position": self.store.position_of(policy),
            "rules": self.ids(self.store.rules_of(policy["id"])), **self.stamps(policy, now),
            "tags": list(policy["tags"]), "redirect_http_code": policy["redirect_http_code"],
            "tenant_id": policy["project_id"],
        }

    # --- handlers ---------------------------------------------------------------------------------
    def list(self, req: Request) -> Response:
        now = self.now()
        return listing.collection(req, "l7policies",
                                  [self.view(p, now) for p in self.visible(req, self.store.l7policies)])

    def show(self, req: Request, policy_id: str) -> Response:
        return self.shown(req, "l7policy", self.view(self.find(req, policy_id), self.now()))

    def create(self, req: Request) -> Response:
        body = CREATE.parse(req)
        listener = self.find(req, body["listener_id"], "listener", "Listener")
        lb = self.lb_of(listener)
        if listener["protocol"] == "PROMETHEUS":
            raise fault(400, "Protocol PROMETHEUS listeners cannot have child objects.")
        if body.get("redirect_pool_id"):
            self.check_pool(listener, body["redirect_pool_id"])
        charge(self.store, lb["project_id"], "l7policy")
        rules = body.pop("rules", None) or []
        sent = {k: body.get(k) for k in ("action", *REDIRECTS)}
        fields = sanitized(sent, create=True)
        for rule in rules:
            check_rule(rule)
        now = self.now()
        self.lock(lb, [listener], now)
        rec: Record = {"name": "", "description": "", "admin_state_up": True, "tags": [],
                       **{k: v for k, v in body.items() if v is not None and k in PUT and k != "position"},
                       **{k: fields.get(k) for k in ("action", *REDIRECTS)},
                       "id": new_id(), "project_id": lb["project_id"], "_lb": lb["id"], "_listener": listener["id"]}
        stamp_new(rec, now, self.delay)
        self.store.add_policy(rec, body.get("position") or MAX_POSITION)
        for rule in rules:
            add_rule(self.store, rec, rule, now, self.delay)
        return self.created("l7policy", self.view(rec, now))

    def update(self, req: Request, policy_id: str) -> Response:
        body = UPDATE.parse(req)
        policy = self.find(req, policy_id)
        listener = self.store.listeners[policy["_listener"]]
        fields = sanitized(body, create=False)
        if fields.get("redirect_pool_id"):
            self.check_pool(listener, fields["redirect_pool_id"])
        now = self.now()
        self.lock(self.lb_of(policy), [listener, policy], now)
        position = fields.pop("position", None)
        if fields.get("action"):
            fields.update(cleared_for(fields["action"]))
        pool_id = fields.pop("redirect_pool_id", policy["redirect_pool_id"])
        self.assign(policy, fields, {"redirect_http_code": None})
        self.store.link_redirect_pool(policy, pool_id)
        if position is not None and position != self.store.position_of(policy):
            self.store.place_policy(policy, position)
        return Response(200, {"l7policy": self.view(policy, now)})

    def delete(self, req: Request, policy_id: str) -> Response:
        policy = self.find(req, policy_id)
        now = self.now()
        self.lock(self.lb_of(policy), [self.store.listeners[policy["_listener"]]], now)
        self.provisioning.delete(self.kind, policy, now, self.delay)
        return Response(204)

    # --- rules ------------------------------------------------------------------------------------
    def check_pool(self, listener: Record, pool_id: str) -> None:
        """The redirect pool exists, is on the listener's load balancer, and speaks what the listener can
        hand it (`_get_db_pool`, `_validate_protocol`, the repository's `_pool_check`)."""
        pool = self.store.pools.get(pool_id)
        if pool is None:
            raise not_found("Pool", pool_id)
        if pool["protocol"] not in POOL_PROTOCOLS[listener["protocol"]]:
            raise fault(400, f"Validation failure: The pool protocol '{pool['protocol']}' is invalid while the "
                             f"listener protocol is '{listener['protocol']}'.")
        if pool["_lb"] != listener["_lb"] or pool["project_id"] != listener["project_id"]:
            raise not_found("Pool", pool_id)

