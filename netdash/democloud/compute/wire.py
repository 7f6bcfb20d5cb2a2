"""Nova's wire: its error bodies (`{"<faultName>": {"code", "message"}}`), microversion checks, links and
paging, and the body checks every controller shares. Functions only: no state, no peer."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlencode

from ..core import Context, HttpError, Request, Response, after_marker, query_without
from ..validation import InvalidName, first_error
from . import microversions
from .schemas import Versioned

JSON_UTF8 = "application/json; charset=UTF-8"
#: Nova's fault wrapper names errors by status; anything else is a computeFault
FAULT_NAMES = {400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound",
               405: "badMethod", 409: "conflictingRequest", 413: "overLimit", 415: "badMediaType",
               429: "overLimit", 501: "notImplemented", 503: "serviceUnavailable"}
#: Nova's `osapi_max_limit`
MAX_LIMIT = 1000


# --- errors -------------------------------------------------------------------------------------
def error(status: int, message: str, kind: str = "") -> HttpError:
    name = kind or FAULT_NAMES.get(status, "computeFault")
    return HttpError(status, {name: {"code": status, "message": message}}, content_type=JSON_UTF8)


def bad(message: str) -> HttpError:
    return error(400, message)


def not_found(message: str) -> HttpError:
    return error(404, message)


def conflict(message: str) -> HttpError:
    return error(409, message)


# --- the request ----------------------------------------------------------------------------------
def mv(req: Request, major: int, minor: int) -> bool:
    """Whether the request's microversion is at least major.minor."""
    return (req.microversion or microversions.MIN_VERSION) >= (major, minor)


def caller(req: Request) -> Context:
    assert req.context is not None  # routes that are not public always have one
    return req.context


def param(value: str) -> str:
    """Path parameters arrive percent-encoded (key pair names may hold spaces)."""
    return unquote(value)


def validated(req: Request, schemas: Versioned, body: Any = None) -> dict[str, Any]:
    """The body, once it matches the schema Nova has for it at the request's microversion; otherwise the
    400 Nova's validator answers (`nova/api/validation/validators.py`): the first error, as
    `Invalid input for field/attribute <last path element>. Value: <value>. <jsonschema's message>`.
    `body`: the request's, when the caller has read it already."""
    body = req.json() if body is None else body
    error = first_error(schemas.at(req.microversion or microversions.MIN_VERSION), body)
    if error is None:
        return body  # type: ignore[no-any-return]
    if isinstance(error.cause, InvalidName):
        raise bad(str(error.cause))
    if error.absolute_path:
        raise bad(f"Invalid input for field/attribute {error.absolute_path[-1]}. Value: {error.instance}. "
                  f"{error.message}")
    raise bad(error.message)


def decode_user_data(value: str) -> bytes | None:
    try:
        return base64.b64decode(value, validate=True)
    except (ValueError, TypeError):
        return None


# --- the answer -----------------------------------------------------------------------------------
def root(req: Request) -> str:
    """Where Nova is mounted, as the request reached it (the dispatcher and in-process calls set it)."""
    return req.service_url


def links(req: Request, collection: str, item_id: str) -> list[dict[str, str]]:
    base = root(req)
    return [{"rel": "self", "href": f"{base}/v2.1/{collection}/{item_id}"},
            {"rel": "bookmark", "href": f"{base}/{collection}/{item_id}"}]


def page_limit(req: Request) -> int:
    """`limit`: at most `osapi_max_limit`; 0 is a page of nothing (oslo.db's LIMIT 0, as Nova asks it)."""
    text = req.arg("limit")
    if text is None:
        return MAX_LIMIT
    if not text.isdigit():
        raise bad(f"Invalid input for query parameters limit. Value: {text}. '{text}' does not match '^[0-9]*$'")
    return min(int(text), MAX_LIMIT)


def page(req: Request, items: list[dict[str, Any]], collection: str,
         key: str = "id") -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Nova paging: a `next` link whenever the page is full (even if nothing follows, as Nova does), none for
    an empty one."""
    marker = req.arg("marker")
    start = after_marker(items, marker, key)
    if start is None:
        raise bad(f"marker [{marker}] not found")
    limit = page_limit(req)
    chunk = items[start:start + limit]
    return chunk, next_links(req, chunk, collection, key, limit)


def next_links(req: Request, chunk: list[dict[str, Any]], collection: str, key: str,
               limit: int) -> list[dict[str, str]]:
    if not chunk or len(chunk) < limit:
        return []
    params = [*query_without(req, "marker"), ("marker", str(chunk[-1][key]))]
    return [{"rel": "next", "href": f"{root(req)}/v2.1/{collection}?{urlencode(params)}"}]


def parse_time(value: str, name: str) -> float:
    """A query parameter that is a moment (`changes-since`...), refused as Nova's query schema words it."""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise bad(f"Invalid input for query parameters {name}. Value: {value}. "
                  f"'{value}' is not a 'date-time'") from None


def request_headers(rid: str) -> dict[str, str]:
    """An answer's request id, when the handler chose it (an instance action records it)."""
    return {"x-openstack-request-id": rid}


def neutron_message(resp: Response) -> str:
    """What Neutron's refusal says (Nova quotes it in its own answers and faults)."""
    body = resp.body if isinstance(resp.body, dict) else {}
    error_body = body.get("NeutronError") if isinstance(body.get("NeutronError"), dict) else {}
    return str(error_body.get("message") or body.get("message") or f"Neutron answered {resp.status}")
