"""What every embedded API service shares: mount point, routes, error shapes, and in-process calls."""

from __future__ import annotations

import json
import logging
from typing import Any

from .core import Context, HttpError, MalformedBody, Request, Response, Router, request_id
from .runtime import Runtime

log = logging.getLogger("democloud")

UNAUTHORIZED = {"error": {"code": 401, "title": "Unauthorized",
                          "message": "The request you have made requires authentication."}}


class Refusal(Exception):
    """A typed error a service's rules raise; the service renders it in its API's error shape (`refused`)."""

    status = 400


class Service:
    """One OpenStack API (Neutron, Nova...): subclasses register routes in `setup` and shape errors."""

    #: catalog type (`network`) and name (`neutron`)
    type = ""
    name = ""
    #: where it is mounted on the shared HTTP server (`/networking`)
    prefix = ""
    #: path appended to the mount point in the catalog (`/v2.1` for compute)
    catalog_suffix = ""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.router = Router()
        self.setup()

    def setup(self) -> None:
        raise NotImplementedError

    # --- error shapes; services override -------------------------------------------------------
    def error(self, status: int, message: str, kind: str = "") -> HttpError:
        return HttpError(status, {"error": {"code": status, "message": message, "title": kind or "Error"}})

    def not_found_path(self, req: Request) -> HttpError:
        return HttpError(404, {"error": {"code": 404, "message": "The resource could not be found.",
                                         "title": "Not Found"}})

    def method_not_allowed(self, req: Request) -> HttpError:
        return HttpError(405, {"error": {"code": 405, "message": "The method is not allowed for the "
                                         "requested URL.", "title": "Method Not Allowed"}})

    def malformed(self, message: str) -> HttpError:
        return self.error(400, message, "Bad Request")

    def unauthorized(self) -> Response:
        return Response(401, UNAUTHORIZED, {"WWW-Authenticate": f'Keystone uri="{self.runtime.auth_url}"'})

    def internal_error(self) -> Response:
        return self.error(500, "An unexpected error occurred.", "Internal Server Error").response

    def refused(self, refusal: Refusal) -> Response:
        """The answer to a refusal of this service's rules, in the service's error shape."""
        return self.error(refusal.status, str(refusal)).response

    def decorate(self, req: Request, resp: Response) -> None:
        """Headers every answer of this service carries (request ids, microversions)."""
        resp.headers.setdefault("x-openstack-request-id", request_id())

    def prepare(self, req: Request) -> None:
        """Hook before routing (Nova reads its microversion here)."""

    # --- dispatch ------------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        try:
            self.prepare(req)
            route, params, path_known = self.router.match(req.method, req.path)
            if route is None:
                raise self.method_not_allowed(req) if path_known else self.not_found_path(req)
            if not route.public and req.context is None:
                resp = self.unauthorized()
            else:
                with self.runtime.lock:
                    resp = route.handler(req, **params)
        except HttpError as exc:
            resp = exc.response
        except Refusal as exc:
            resp = self.refused(exc)
        except MalformedBody as exc:
            resp = self.malformed(str(exc)).response
        except Exception:
            log.exception("%s %s %s failed", self.name, req.method, req.path)
            resp = self.internal_error()
        self.decorate(req, resp)
        return resp

    # --- addresses and in-process requests -----------------------------------------------------
    @property
    def url(self) -> str:
        """Where the service is mounted (`http://127.0.0.1:5000/networking`)."""
        return self.runtime.base_url + self.prefix

    @property
    def endpoint(self) -> str:
        """The URL the catalog gives for it."""
        return self.url + self.catalog_suffix

    def request(self, method: str, path: str, body: Any = None, *, context: Context, query: str = "",
                headers: dict[str, str] | None = None) -> Response:
        """An in-process request with an already known caller, as a peer calls it over REST on a real cloud
        (Nova plugging a port into Neutron) or as the seed scenario builds the cloud."""
        raw = b"" if body is None else json.dumps(body).encode()
        req = Request(method, path, query, dict(headers or {}), raw, self.runtime.base_url, context, self.url)
        return self.runtime.noticed(method, self.handle(req))
