"""L7 policies applied to HTTP requests, as Octavia's haproxy configuration makes haproxy apply them.

Octavia writes each policy's rules as acls and the policy as one line (`octavia/common/jinja/haproxy/
combined_listeners/templates/macros.j2`): REJECT is `http-request deny`, REDIRECT_TO_URL `redirect location`,
REDIRECT_PREFIX `redirect prefix`, REDIRECT_TO_POOL `use_backend`, each `if` all of its rules. haproxy runs a
frontend's `http-request` rules first, then its `redirect` rules, then picks a `use_backend`, each kind in
the order written, i.e. by position; a request no policy takes goes to the default pool. So a REJECT wins
over any redirect, a redirect over any pool, whatever their positions (Octavia's L7 cookbook says the same).

The acls (the `l7rule_macro`): HOST_NAME is `req.hdr(host) -i` (case-insensitive), PATH `path` (no query
string), FILE_TYPE `path_end` (so EQUAL_TO is an ends-with), HEADER `req.hdr(<key>)` and COOKIE
`req.cook(<key>)`, each matched with `-m reg` (a search), `beg`, `end`, `sub` or `str`; a header sent twice, or
a comma-separated one, matches if any value does. There is no TLS here, so the SSL_* rules never match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from . import httpio
from .desired import PolicySpec, PoolSpec, RuleSpec

#: haproxy processes these in this order, whatever their positions
PHASES = (("REJECT",), ("REDIRECT_TO_URL", "REDIRECT_PREFIX"), ("REDIRECT_TO_POOL",))
REASONS = {301: "Moved Permanently", 302: "Found", 303: "See Other", 307: "Temporary Redirect",
           308: "Permanent Redirect"}
#: haproxy's answer to `http-request deny`
FORBIDDEN = (b"<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n"
             b"</body></html>\n")


@dataclass(frozen=True)
class Request:
    """What the acls read of a request."""

    path: str  # without the query string
    uri: str  # path and query string, as `redirect prefix` appends it
    headers: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, head: httpio.Head) -> Request:
        parts = head.start.split(" ")
        target = parts[1] if len(parts) > 1 else "/"
        if "://" in target:  # absolute form: haproxy's `path` is the path part
            split = urlsplit(target)
            target = (split.path or "/") + (f"?{split.query}" if split.query else "")
        return cls(target.partition("?")[0], target, tuple(head.headers))

    def header_values(self, name: str) -> list[str]:
        """`req.hdr(<name>)`: every occurrence, comma-separated values apart."""
        wanted = name.lower()
        return [v.strip() for k, value in self.headers if k.lower() == wanted for v in value.split(",")]

    def cookie_values(self, name: str) -> list[str]:
        """`req.cook(<name>)`: the values of that cookie in every Cookie header."""
        found = []
        for header in (value for key, value in self.headers if key.lower() == "cookie"):
            for pair in header.split(";"):
                key, sep, value = pair.strip().partition("=")
                if sep and key == name:
                    found.append(value)
        return found


@dataclass(frozen=True)
class Decision:
    """What the policies make of a request: an answer of the proxy's own, or the pool to balance over
    (None: the default pool)."""

    answer: bytes | None = None
    pool: PoolSpec | None = None


def compared(compare_type: str, subject: str, value: str, *, file_type: bool = False) -> bool:
    if compare_type == "REGEX":
        return re.search(value, subject) is not None
    if compare_type == "STARTS_WITH":
        return subject.startswith(value)
    if compare_type == "ENDS_WITH" or (compare_type == "EQUAL_TO" and file_type):
        return subject.endswith(value)
    if compare_type == "CONTAINS":
        return value in subject
    return subject == value


def subjects(rule: RuleSpec, request: Request) -> list[str]:
    if rule.type == "HOST_NAME":
        return request.header_values("host")
    if rule.type in ("PATH", "FILE_TYPE"):
        return [request.path]
    if rule.type == "HEADER":
        return request.header_values(rule.key or "")
    if rule.type == "COOKIE":
        return request.cookie_values(rule.key or "")
    return []  # SSL_*: no client certificate without TLS


def matches(rule: RuleSpec, request: Request) -> bool:
    if rule.type == "HOST_NAME":  # `-i`
        found = any(compared(rule.compare_type, s.lower(), rule.value.lower()) for s in subjects(rule, request))
    else:
        found = any(compared(rule.compare_type, s, rule.value, file_type=rule.type == "FILE_TYPE")
                    for s in subjects(rule, request))
    return found != rule.invert


def redirect(code: int, location: str, keep_alive: bool) -> bytes:
    return httpio.response(code, REASONS.get(code, "Found"), b"", [("Location", location),
                                                                     ("Cache-Control", "no-cache")],
                           keep_alive=keep_alive)


def decide(policies: tuple[PolicySpec, ...], head: httpio.Head, keep_alive: bool) -> Decision:
    if not policies:
        return Decision()
    request = Request.of(head)
    for actions in PHASES:
        for policy in policies:
            if policy.action not in actions or not all(matches(rule, request) for rule in policy.rules):
                continue
            if policy.action == "REJECT":
                return Decision(httpio.response(403, "Forbidden", FORBIDDEN, [
                    ("Cache-Control", "no-cache"), ("Content-Type", "text/html")], keep_alive=keep_alive))
            code = policy.redirect_http_code or 302
            if policy.action == "REDIRECT_TO_URL":
                return Decision(redirect(code, policy.redirect_url or "", keep_alive))
            if policy.action == "REDIRECT_PREFIX":
                return Decision(redirect(code, (policy.redirect_prefix or "").rstrip("/") + request.uri,
                                         keep_alive))
            return Decision(pool=policy.pool)
    return Decision()
