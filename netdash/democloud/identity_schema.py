"""Keystone's token request schema (`keystone/auth/schema.py` `token_issue`), checked with jsonschema as
Keystone checks it, and the 400 message Keystone's validator writes: `Invalid input for field '<path>':
<message>` (the path within `auth`, joined with `/`), or the bare message at the top."""

from __future__ import annotations

from typing import Any

from .validation import compile_schema, first_error

_STRING = {"type": "string"}
_ID_OR_NAME = {"type": "object", "properties": {"id": _STRING, "name": _STRING}}
_BOOLEAN = {"type": ["boolean", "string"],
            "enum": [True, "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes",
                     False, "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no"]}

token_issue: dict[str, Any] = {"type": "object", "properties": {
    "identity": {"type": "object", "properties": {
        "methods": {"type": "array", "items": _STRING},
        "password": {"type": "object", "properties": {"user": {"type": "object", "properties": {
            "id": _STRING, "name": _STRING, "password": _STRING, "domain": _ID_OR_NAME}}}},
        "token": {"type": "object", "properties": {"id": _STRING}, "required": ["id"]}},
        "required": ["methods"]},
    # an explicit unscoped request may say "unscoped" (old keystoneauth sent {"unscoped": {}})
    "scope": {"type": ["object", "string"], "properties": {
        "project": {"type": "object", "properties": {"name": _STRING, "id": _STRING, "domain": _ID_OR_NAME}},
        "domain": _ID_OR_NAME, "OS-TRUST:trust": {"type": "object", "properties": {"id": _STRING}},
        "system": {"type": "object", "properties": {"all": _BOOLEAN}}}}},
    "required": ["identity"]}

#: the body around it: Keystone reads `auth` out of it before validating
TOKEN_REQUEST = compile_schema({"type": "object", "properties": {"auth": token_issue}, "required": ["auth"]})


def token_request_error(body: Any) -> str | None:
    """Keystone's message for a token request body that fails `token_issue`, or None when it passes."""
    error = first_error(TOKEN_REQUEST, body)
    if error is None:
        return _named_without_id_or_name(body["auth"])
    path = list(error.absolute_path)[1:]  # within `auth`
    if not path:
        return str(error.message)
    return f"Invalid input for field '{'/'.join(map(str, path))}': {error.message}"


def _named_without_id_or_name(auth: dict[str, Any]) -> str | None:
    """`validate_issue_token_auth`'s checks after the schema: a user, project or domain needs an id or a name."""
    identity = auth["identity"]
    user = identity.get("password", {}).get("user")
    scope = auth.get("scope")
    project = scope.get("project") if isinstance(scope, dict) else None
    for field, value in (("identity/password/user", user),
                         ("identity/password/user/domain", (user or {}).get("domain")),
                         ("scope/project", project), ("scope/project/domain", (project or {}).get("domain")),
                         ("scope/domain", scope.get("domain") if isinstance(scope, dict) else None)):
        if value is not None and "id" not in value and "name" not in value:
            return f"Invalid input for field {field}: id or name must be present."
    return None
