"""The transport-neutral request/response model every embedded service is written against.

Services never see sockets: the HTTP front end and the in-process caller (used by the seed scenario and by
one service calling another, as Nova calls Neutron on a real cloud) both build a `Request` and get a
`Response`, so the seed is built through exactly the code that serves the API.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode


@dataclass(frozen=True)
class Context:
    """Who is calling: what Keystone's token validation tells a real service."""

    project_id: str
    user_id: str
    roles: tuple[str, ...] = ("member", "reader")
    project_name: str = ""

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    def can_see(self, owner: str | None) -> bool:
        return self.is_admin or owner == self.project_id


@dataclass
class Request:
    method: str
    path: str
    query_string: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    base_url: str = ""
    context: Context | None = None
    # Set by the dispatcher: where the service is mounted (e.g. http://127.0.0.1:5000/networking).
    service_url: str = ""
    microversion: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        self.headers = {k.lower(): v for k, v in self.headers.items()}
        self.query: dict[str, list[str]] = parse_qs(self.query_string, keep_blank_values=True)

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def args(self, name: str) -> list[str]:
        return self.query.get(name, [])

    def json(self) -> Any:
        """The body as JSON; `MalformedBody` (each service maps it to its own 400) when it is not."""
        if not self.body:
            raise MalformedBody("The request body is empty")
        try:
            value = json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedBody(f"Malformed JSON in request body: {exc}") from None
        except RecursionError:
            raise MalformedBody("Malformed JSON in request body: nested too deeply") from None
        if nesting_exceeds(value, MAX_NESTING):
            raise MalformedBody(f"Malformed JSON in request body: nested deeper than {MAX_NESTING} levels")
        return value


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()

    def json(self) -> Any:
        return self.body


#: how deep a request body may nest: no OpenStack body goes past 10 levels, and anything that is echoed in
#: an error message (repr) or schema-checked must stay far from the interpreter's recursion limit
MAX_NESTING = 100


def nesting_exceeds(value: Any, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` deep (iteratively: the check itself cannot recurse)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class MalformedBody(Exception):
    """Raised while reading a request body; services turn it into their own 400."""


class HttpError(Exception):
    """An error answer already shaped the way the service that raises it shapes errors."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None,
                 content_type: str = "application/json") -> None:
        super().__init__(f"{status}: {body}")
        self.response = Response(status, body, dict(headers or {}), content_type)


Handler = Callable[..., Response]


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    public: bool


class Router:
    """Method + path template (`/v2.0/networks/{id}`) to handler; the first match wins."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler, *, public: bool = False) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template.rstrip("/") or "/")
        for m in method.split(","):
            self.routes.append(Route(m.strip(), re.compile(f"^{regex}/?$"), handler, public))

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """The route, its path parameters, and whether the path exists under another method (405)."""
        path_known = False
        for route in self.routes:
            found = route.pattern.match(path)
            if found:
                if route.method == method or (method == "HEAD" and route.method == "GET"):
                    return route, found.groupdict(), True
                path_known = True
        return None, {}, path_known


def new_id() -> str:
    return str(uuid.uuid4())


def new_hex_id() -> str:
    return uuid.uuid4().hex


def request_id() -> str:
    return f"req-{uuid.uuid4()}"


def iso(ts: float, *, z: bool = True, micro: bool = False) -> str:
    """Timestamps as each service writes them: Neutron/Nova `...Z`, Octavia without `Z`, Keystone with micros."""
    moment = datetime.fromtimestamp(ts, UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S.%f" if micro else "%Y-%m-%dT%H:%M:%S")
    return text + ("Z" if z else "")


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def after_marker(items: list[dict[str, Any]], marker: str | None, key: str = "id") -> int | None:
    """Where a page that follows `marker` starts (0 without a marker); None when no item is the marker."""
    if marker is None:
        return 0
    return next((index + 1 for index, item in enumerate(items) if item.get(key) == marker), None)


def query_without(req: Request, *names: str) -> list[tuple[str, str]]:
    """The request's query as pairs, minus `names`: the base of every paging link."""
    return [(k, v) for k, values in req.query.items() if k not in names for v in values]


def paginate(items: list[dict[str, Any]], req: Request, collection: str, *, key: str = "id",
             max_limit: int = 1000, style: str = "neutron") -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """`limit`/`marker` paging, with the links each service really sends (measured on Neutron 29 and
    Octavia 19): neither knows whether more follows, so a full page always has a `next` link.

    Neutron (`style="neutron"`): `next` unless the page is short, `previous` (marker = the page's first id,
    `page_reverse=True`) unless the page is short and reversed; every other query parameter is kept.
    Octavia (`style="octavia"`): `previous` only after a marker, then `next` on a full page; the links
    carry `limit` and the marker only. Returns the page and the `<collection>_links` list. An unknown marker
    raises LookupError and a bad limit ValueError: each caller maps them to its own 404/400.
    """
    start = after_marker(items, req.arg("marker") or None, key)
    if start is None:
        raise LookupError(req.arg("marker"))
    limit_text = req.arg("limit")
    if limit_text is None or limit_text == "":
        return items[start:], []
    limit = int(limit_text)
    if limit < 0:
        raise ValueError(limit_text)
    if limit == 0 and style == "neutron":  # Neutron: 0 is no limit, and no links
        return items[start:], []
    limit = min(limit or max_limit, max_limit)
    page = items[start:start + limit]
    full = len(page) >= limit
    base = f"{req.service_url}{req.path}?"
    links: list[dict[str, str]] = []
    if style == "octavia":
        if page and req.arg("marker"):
            links.append({"rel": "previous", "href": base + urlencode(
                [("limit", str(limit)), ("marker", str(page[0][key])), ("page_reverse", "True")])})
        if page and full:
            links.append({"rel": "next", "href": base + urlencode(
                [("limit", str(limit)), ("marker", str(page[-1][key]))])})
        return page, links
    reverse = (req.arg("page_reverse") or "").lower() == "true"
    kept = query_without(req, "marker", "page_reverse")
    if full or reverse:
        links.append({"rel": "next", "href": base + urlencode(
            [*kept, *([("marker", str(page[-1][key]))] if page else [])])})
    if full or not reverse:
        links.append({"rel": "previous", "href": base + urlencode(
            [*kept, *([("marker", str(page[0][key]))] if page else []), ("page_reverse", "True")])})
    return page, links


def pick_fields(items: Iterable[dict[str, Any]], fields: list[str]) -> list[dict[str, Any]]:
    """Neutron/Octavia `fields=` projection; unknown field names are ignored, as the real services do."""
    wanted = [f for f in fields if f]
    if not wanted:
        return list(items)
    return [{k: v for k, v in item.items() if k in wanted} for item in items]
