"""L7 rules: the conditions of an L7 policy (all of a policy's rules must match), under
`/v2/lbaas/l7policies/{id}/rules`.

As Octavia's `L7RuleController` and `validate.l7rule_data`: what a rule of each type needs (a key for
HEADER and COOKIE, a header name that is one, a value of the characters a header or cookie may hold, a
regular expression that compiles, the compare types each type allows) is checked on create and on the rule
an update makes, and refused as `Error parsing L7Rule: ...`. At most 50 rules a policy. A change locks the
load balancer, the listener and the policy (PENDING_UPDATE).
"""

from __future__ import annotations

import re
from typing import Any

from ..core import Request, Response, new_id
from . import listing
from .base import Resource
from .faults import fault, immutable, not_found
from .provisioning import PENDING_UPDATE, is_pending, stamp_new
from .quotas import charge
from .schema import BOOL, TAGS, Body, Field, enum, text
from .store import Record, Store

TYPES = ("HOST_NAME", "PATH", "FILE_TYPE", "HEADER", "COOKIE", "SSL_CONN_HAS_CERT", "SSL_VERIFY_RESULT",
         "SSL_DN_FIELD")
COMPARE_TYPES = ("REGEX", "STARTS_WITH", "ENDS_WITH", "CONTAINS", "EQUAL_TO")
MAX_RULES = 50
ONE_LINE = r"^[^\r\n]*$"
PUT: dict[str, Field] = {
    "type": enum(*TYPES), "compare_type": enum(*COMPARE_TYPES), "key": text(pattern=ONE_LINE),
    "value": text(pattern=ONE_LINE), "invert": BOOL, "admin_state_up": BOOL, "tags": TAGS,
}
POST: dict[str, Field] = {
    **PUT, "type": enum(*TYPES, mandatory=True), "compare_type": enum(*COMPARE_TYPES, mandatory=True),
    "value": text(pattern=ONE_LINE, mandatory=True), "project_id": text(36),
}
CREATE = Body("rule", "rule_", POST)
UPDATE = Body("rule", "l7rule_", PUT)
#: the characters of an HTTP header (cookie) name, cookie value, header value, quoted header value
HEADER_NAME = re.compile(r"\A[a-zA-Z0-9!#$%&'*+-.^_`|~]+\Z")
COOKIE_VALUE = re.compile(r"\A[a-zA-Z0-9!#$%&'()*+-./:<=>?@[\]^_`{|}~]+\Z")
HEADER_VALUE = re.compile(r"\A[a-zA-Z0-9!\"#$%&'()*+,-./:;<=>?@[\]^_`{|}~\\]+\Z")
QUOTED_VALUE = re.compile(r"\A\"[a-zA-Z0-9 \t!\"#$%&'()*+,-./:;<=>?@[\]^_`{|}~\\]*\"\Z")
DN_FIELD = re.compile(r"^([a-zA-Z][A-Za-z0-9-]*)$")
MATCHING = ("STARTS_WITH", "ENDS_WITH", "CONTAINS", "EQUAL_TO")


class RuleError(ValueError):
    """What `l7rule_data` raises; the API answers `Error parsing L7Rule: <it>`."""


def compiles(value: str) -> None:
    try:
        re.compile(value)
    except re.error as exc:
        raise RuleError(f"Unable to parse regular expression: {exc}") from None


def plain_value(value: str, what: str, pattern: re.Pattern[str] = HEADER_VALUE) -> None:
    if not pattern.match(value) and not (pattern is HEADER_VALUE and QUOTED_VALUE.match(value)):
        raise RuleError(f"Invalid characters in {what}")


def rule_data(rule: dict[str, Any]) -> None:
    """Octavia's `validate.l7rule_data`, in its order."""
    kind, compare, key, value = rule.get("type"), rule.get("compare_type"), rule.get("key"), rule.get("value")
    if not value:
        raise RuleError("Invalid L7 Rule: L7 rule type requires a value")
    if kind in ("HEADER", "COOKIE"):
        if not key:
            raise RuleError("Invalid L7 Rule: L7 rule type requires a key")
        if not HEADER_NAME.match(key):
            raise RuleError("Invalid characters in key")
        if compare == "REGEX":
            compiles(value)
        elif compare in MATCHING:
            if kind == "HEADER":
                plain_value(value, "header value")
            else:
                plain_value(value, "cookie value", COOKIE_VALUE)
        else:
            raise RuleError("Invalid L7 Rule: invalid comparison type for rule type")
    elif kind in ("HOST_NAME", "PATH"):
        if compare in MATCHING:
            plain_value(value, "comparison value")
        elif compare == "REGEX":
            compiles(value)
        else:
            raise RuleError("Invalid L7 Rule: invalid comparison type for rule type")
    elif kind == "FILE_TYPE":
        if compare == "REGEX":
            compiles(value)
        elif compare == "EQUAL_TO":
            plain_value(value, "comparison value")
        else:
            raise RuleError("Invalid L7 Rule: invalid comparison type for rule type")
    elif kind in ("SSL_CONN_HAS_CERT", "SSL_VERIFY_RESULT", "SSL_DN_FIELD"):
        ssl_rule_data(kind, compare, key, value)
    else:
        raise RuleError("Invalid L7 Rule: invalid rule type")


def ssl_rule_data(kind: str, compare: str | None, key: str | None, value: str) -> None:
    """`validate_l7rule_ssl_types`."""
    message = None
    if kind == "SSL_CONN_HAS_CERT":
        if key:
            message = f'L7rule type {kind} does not use the "key" field.'
        elif value.lower() != "true":
            message = f"L7rule value {value} is not a boolean True string."
        elif compare != "EQUAL_TO":
            message = f"L7rule type {kind} only supports the EQUAL_TO compare type."
    elif kind == "SSL_VERIFY_RESULT":
        if key:
            message = f'L7rule type {kind} does not use the "key" field.'
        elif not value.isdigit() or int(value) < 0:
            message = f"L7rule type {kind} needs a int value, which is >= 0"
        elif compare != "EQUAL_TO":
            message = f"L7rule type {kind} only supports the EQUAL_TO compare type."
    else:
        if compare == "REGEX":
            compiles(value)
        if not key or not value:
            message = f"L7rule type {kind} needs to specify a key and a value."
        elif not DN_FIELD.match(key):
            message = "Invalid L7rule distinguished name field."
    if message:
        raise RuleError(f"Invalid L7 Rule: {message}")


def check_rule(rule: dict[str, Any]) -> None:
    try:
        rule_data(rule)
    except RuleError as exc:
        raise fault(400, f"Error parsing L7Rule: {exc}") from None


def add_rule(store: Store, policy: Record, body: dict[str, Any], now: float, delay: float) -> Record:
    """A checked rule, made PENDING_CREATE on `policy` (a rule create, or a policy's create with rules)."""
    rec: Record = {"key": None, "invert": False, "admin_state_up": True, "tags": [],
                   **{k: v for k, v in body.items() if v is not None and k != "project_id"},
                   "id": new_id(), "project_id": policy["project_id"], "_lb": policy["_lb"],
                   "_listener": policy["_listener"], "_policy": policy["id"]}
    stamp_new(rec, now, delay)
    store.add_rule(rec)
    return rec


class L7Rules(Resource):
    kind = "l7rule"
    title = "L7 Rule"

    def register(self) -> None:
        add = self.service.route
        add("GET", "/lbaas/l7policies/{policy_id}/rules", self.list)
        add("POST", "/lbaas/l7policies/{policy_id}/rules", self.create)
        add("GET", "/lbaas/l7policies/{policy_id}/rules/{rule_id}", self.show)
        add("PUT", "/lbaas/l7policies/{policy_id}/rules/{rule_id}", self.update)
        add("DELETE", "/lbaas/l7policies/{policy_id}/rules/{rule_id}", self.delete)

    def view(self, rule: Record, now: float) -> dict[str, Any]:
        return {
            "id": rule["id"], "type": rule["type"], "compare_type": rule["compare_type"], "key": rule["key"],
            "value": rule["value"], "invert": rule["invert"], "provisioning_status": self.status_of(rule, now),
            "operating_status": self.operating.l7(rule, now), **self.stamps(rule, now),
            "project_id": rule["project_id"], "admin_state_up": rule["admin_state_up"],
            "tags": list(rule["tags"]), "tenant_id": rule["project_id"],
        }

    def policy(self, req: Request, policy_id: str) -> Record:
        """The policy of the path: Octavia's `_lookup` says `L7Policy <id> not found.`, without a space."""
        return self.find(req, policy_id, "l7policy", "L7Policy")

    def rule_in(self, policy: Record, rule_id: str) -> Record:
        rule = self.store.l7rules.get(rule_id)
        if rule is None or rule["_policy"] != policy["id"]:
            raise not_found(self.title, rule_id)
        return rule

    def lock_policy(self, policy: Record, now: float) -> None:
        """`_test_lb_listener_policy_statuses`: the policy must be settled, then it, its listener and its
        load balancer go PENDING_UPDATE."""
        if is_pending(policy, now):
            raise immutable("L7Policy", policy["id"])
        self.lock(self.lb_of(policy), [self.store.listeners[policy["_listener"]], policy], now)

    # --- handlers ---------------------------------------------------------------------------------
    def list(self, req: Request, policy_id: str) -> Response:
        policy = self.policy(req, policy_id)
        now = self.now()
        return listing.collection(req, "rules", [self.view(r, now) for r in self.store.rules_of(policy["id"])])

    def show(self, req: Request, policy_id: str, rule_id: str) -> Response:
        rule = self.rule_in(self.policy(req, policy_id), rule_id)
        return self.shown(req, "rule", self.view(rule, self.now()))

    def create(self, req: Request, policy_id: str) -> Response:
        body = CREATE.parse(req)
        policy = self.policy(req, policy_id)
        check_rule(body)
        if len(self.store.policy_rules.get(policy["id"], {})) >= MAX_RULES:
            raise fault(409, f"Too many rules on L7 policy {policy['id']}")
        charge(self.store, policy["project_id"], "l7rule")
        now = self.now()
        self.lock_policy(policy, now)
        rule = add_rule(self.store, policy, body, now, self.delay)
        return self.created("rule", self.view(rule, now))

    def update(self, req: Request, policy_id: str, rule_id: str) -> Response:
        body = UPDATE.parse(req)
        policy = self.policy(req, policy_id)
        rule = self.rule_in(policy, rule_id)
        if "invert" in body and body["invert"] is None:
            body["invert"] = False
        check_rule({**rule, **body})
        now = self.now()
        self.lock_policy(policy, now)
        self.assign(rule, body)
        self.provisioning.touch([rule], PENDING_UPDATE, now, self.delay)
        return Response(200, {"rule": self.view(rule, now)})

    def delete(self, req: Request, policy_id: str, rule_id: str) -> Response:
        policy = self.policy(req, policy_id)
        rule = self.rule_in(policy, rule_id)
        now = self.now()
        self.lock_policy(policy, now)
        self.provisioning.delete(self.kind, rule, now, self.delay)
        return Response(204)
