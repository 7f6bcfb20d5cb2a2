"""State and plumbing shared by every part of the Nova API: error shapes, headers, peer calls."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import unquote, urlencode

from ..core import Context, HttpError, Request, Response, after_marker, query_without, request_id
from ..identity import Identity
from ..image import Image
from ..network import Network
from ..runtime import Runtime
from ..service import Service
from . import microversions
from .store import Store

JSON_UTF8 = "application/json; charset=UTF-8"
#: Nova's fault wrapper names errors by status; anything else is a computeFault
FAULT_NAMES = {400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound",
               405: "badMethod", 409: "conflictingRequest", 413: "overLimit", 415: "badMediaType",
               429: "overLimit", 501: "notImplemented", 503: "serviceUnavailable"}
#: the compute host every server lands on (a real cloud's hypervisor name)
HOST = "democloud"
#: Nova's `osapi_max_limit`
MAX_LIMIT = 1000


class NovaBase(Service):
    """The Nova service minus its resources; the resource mixins in this package build on it. Its state
    is its `store`."""

    type = "compute"
    name = "nova"
    prefix = "/compute"
    catalog_suffix = "/v2.1"

    def __init__(self, runtime: Runtime, identity: Identity, network: Network, image: Image) -> None:
        #: the peers Nova calls: Keystone for its service account, Neutron for ports, Glance for images
        self.identity = identity
        self.network = network
        self.image = image
        self.store = Store()
        super().__init__(runtime)

    # --- errors, in Nova's `{"<faultName>": {"code", "message"}}` shape -------------------------
    def error(self, status: int, message: str, kind: str = "") -> HttpError:
        name = kind or FAULT_NAMES.get(status, "computeFault")
        return HttpError(status, {name: {"code": status, "message": message}}, content_type=JSON_UTF8)

    def bad(self, message: str) -> HttpError:
        return self.error(400, message)

    def not_found(self, message: str) -> HttpError:
        return self.error(404, message)

    def conflict(self, message: str) -> HttpError:
        return self.error(409, message)

    def not_found_path(self, req: Request) -> HttpError:
        return self.not_found("The resource could not be found.")

    def method_not_allowed(self, req: Request) -> HttpError:
        return self.error(405, "The method specified is not allowed for this resource.")

    def malformed(self, message: str) -> HttpError:
        return self.bad("Malformed request body")

    def internal_error(self) -> Response:
        return self.error(500, "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ "
                               "and attach the Nova API log if possible.").response

    def invalid_input(self, field: str, value: Any, reason: str) -> HttpError:
        """The message Nova's JSON-schema validation produces."""
        return self.bad(f"Invalid input for field/attribute {field}. Value: {value!r}. {reason}"
                        if not isinstance(value, str) else
                        f"Invalid input for field/attribute {field}. Value: {value}. {reason}")

    # --- microversions and headers --------------------------------------------------------------
    def prepare(self, req: Request) -> None:
        req.microversion = microversions.MIN_VERSION
        if req.path.rstrip("/") in ("", "/v2.1"):
            return  # version documents are answered at 2.1 whatever is asked
        req.microversion = microversions.negotiate(req)

    def decorate(self, req: Request, resp: Response) -> None:
        if req.path in ("", "/"):
            return  # the root versions document is served without any API middleware
        rid = resp.headers.get("x-openstack-request-id") or request_id()
        if resp.status != 401 or req.context is not None:
            version = microversions.text(req.microversion or microversions.MIN_VERSION)
            resp.headers.setdefault("OpenStack-API-Version", f"compute {version}")
            resp.headers.setdefault("X-OpenStack-Nova-API-Version", version)
            resp.headers.setdefault("Vary", "OpenStack-API-Version, X-OpenStack-Nova-API-Version")
        resp.headers["x-openstack-request-id"] = rid
        resp.headers["x-compute-request-id"] = rid

    # --- helpers --------------------------------------------------------------------------------
    @staticmethod
    def mv(req: Request, major: int, minor: int) -> bool:
        """Whether the request's microversion is at least major.minor."""
        return (req.microversion or microversions.MIN_VERSION) >= (major, minor)

    @staticmethod
    def ctx(req: Request) -> Context:
        assert req.context is not None  # routes that are not public always have one
        return req.context

    @property
    def admin(self) -> Context:
        """Nova's service account: port binding fields are admin-only in Neutron."""
        return self.identity.context_for("admin")

    def root(self, req: Request) -> str:
        return req.service_url or self.url

    def links(self, req: Request, collection: str, item_id: str) -> list[dict[str, str]]:
        root = self.root(req)
        return [{"rel": "self", "href": f"{root}/v2.1/{collection}/{item_id}"},
                {"rel": "bookmark", "href": f"{root}/{collection}/{item_id}"}]

    def page(self, req: Request, items: list[dict[str, Any]], collection: str,
             key: str = "id") -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
        """Nova paging: a `next` link whenever the page is full (even if nothing follows, as Nova does)."""
        limit_text, marker = req.arg("limit"), req.arg("marker")
        start = after_marker(items, marker, key)
        if start is None:
            raise self.bad(f"marker [{marker}] not found")
        limit = MAX_LIMIT
        if limit_text is not None:
            if not limit_text.isdigit():
                raise self.bad(f"Invalid input for query parameters limit. Value: {limit_text}. "
                               f"'{limit_text}' does not match '^[0-9]*$'")
            limit = min(int(limit_text) or MAX_LIMIT, MAX_LIMIT)
        chunk = items[start:start + limit]
        if len(chunk) < limit or not chunk:
            return chunk, []
        params = [*query_without(req, "marker"), ("marker", str(chunk[-1][key]))]
        href = f"{self.root(req)}/v2.1/{collection}?{urlencode(params)}"
        return chunk, [{"rel": "next", "href": href}]

    def body_of(self, req: Request, key: str) -> dict[str, Any]:
        """`{"<key>": {...}}` or Nova's schema error naming what is wrong."""
        body = req.json()
        if not isinstance(body, dict):
            raise self.bad(f"Invalid input for field/attribute {key}. Value: {body}. "
                           f"{body!r} is not of type 'object'")
        if key not in body:
            raise self.bad(f"Invalid input for field/attribute {key}. Value: {body}. "
                           f"'{key}' is a required property")
        value = body[key]
        if not isinstance(value, dict):
            raise self.invalid_input(key, value, f"{value!r} is not of type 'object'")
        return value

    def neutron(self) -> Network:
        """Neutron's in-process read API (get_port, ports_of_device, ...) for hot reads."""
        return self.network

    def call_neutron(self, method: str, path: str, body: Any = None, *, context: Context,
                     query: str = "") -> Response:
        return self.network.request(method, path, body, context=context, query=query)

    @staticmethod
    def neutron_message(resp: Response) -> str:
        body = resp.body if isinstance(resp.body, dict) else {}
        error = body.get("NeutronError") if isinstance(body.get("NeutronError"), dict) else {}
        return str(error.get("message") or body.get("message") or f"Neutron answered {resp.status}")

    @staticmethod
    def param(value: str) -> str:
        """Path parameters arrive percent-encoded (key pair names may hold spaces)."""
        return unquote(value)

    @staticmethod
    def decode_user_data(value: str) -> bytes | None:
        try:
            return base64.b64decode(value, validate=True)
        except (ValueError, TypeError):
            return None
