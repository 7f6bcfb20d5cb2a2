"""Glance (image v2), read-only: the public images of a small cloud, as `openstack image` and Nova see them.

Glance answers errors as webob HTML pages (404 `No image found with ID ...`), not JSON, and its 401 has its
own JSON shape without a request id: the CLI and openstacksdk are written against exactly that.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from .core import HttpError, Request, Response, after_marker, iso, new_id, query_without
from .identity import Identity
from .runtime import Runtime
from .service import Service

#: name, distro, version, size in bytes, virtual size in bytes
CATALOGUE = [
    ("cirros-0.3.3-x86_64-disk", "cirros", "0.3.3", 13200896, 41126400),
    ("centos-8.2-2004", "centos", "8.2", 1148387328, 10737418240),
    ("ubuntu-22.04", "ubuntu", "22.04", 690962432, 2361393152),
]
#: the order Glance lists its API versions in (2.17 is CURRENT)
VERSIONS = (15, 13, 12, 11, 10, 9, 8, 17, 7, 6, 5, 4, 3, 2, 1, 0)
CURRENT = 17
DEFAULT_LIMIT = 25
MAX_LIMIT = 1000
UNAUTHORIZED_MESSAGE = (
    "This server could not verify that you are authorized to access the document you "
    "requested. Either you supplied the wrong credentials (e.g., bad password), or your "
    "browser does not understand how to supply the credentials required.<br /><br />\n\n\n"
)
REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    500: "Internal Server Error",
}
SORT_KEYS = {"name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at"}


def html_error(status: int, detail: str) -> HttpError:
    """The webob error page Glance sends for 4xx."""
    title = f"{status} {REASONS.get(status, 'Error')}"
    page = (
        f"<html>\n <head>\n  <title>{title}</title>\n </head>\n <body>\n  <h1>{title}</h1>\n"
        f"  {detail}<br /><br />\n\n\n\n </body>\n</html>"
    )
    return HttpError(status, page, content_type="text/html; charset=UTF-8")


@dataclass
class Store:
    """Glance's database, saved by `--state`."""

    images: dict[str, dict[str, Any]] = field(default_factory=dict)


class Image(Service):
    type = "image"
    name = "glance"
    prefix = "/image"
    catalog_suffix = ""

    def __init__(self, runtime: Runtime, identity: Identity) -> None:
        self.store = Store()
        super().__init__(runtime)
        owner = identity.context_for("admin").project_id
        start = runtime.now()
        for offset, (name, distro, version, size, virtual) in enumerate(CATALOGUE):
            digest = f"{name}:{size}".encode()
            image_id = new_id()
            self.store.images[image_id] = {
                # what openstacksdk's image upload records, as on images a cloud operator uploaded
                "owner_specified.openstack.md5": "",
                "owner_specified.openstack.sha256": "",
                "owner_specified.openstack.object": f"images/{name}",
                "name": name,
                "disk_format": "qcow2",
                "container_format": "bare",
                "visibility": "public",
                "size": size,
                "virtual_size": virtual,
                "status": "active",
                "checksum": hashlib.md5(digest).hexdigest(),
                "protected": False,
                "min_ram": 0,
                "min_disk": 0,
                "owner": owner,
                "os_hidden": False,
                "os_hash_algo": "sha512",
                "os_hash_value": hashlib.sha512(digest).hexdigest(),
                "id": image_id,
                "os_distro": distro,
                "os_version": version,
                "created_at": start + offset,
                "updated_at": start + offset,
                "tags": [],
                "stores": "file",
            }

    def setup(self) -> None:
        r = self.router
        r.add("GET", "/", self.versions, public=True)
        r.add("GET", "/versions", self.versions, public=True)
        r.add("GET", "/v2/images", self.list_images)
        r.add("GET", "/v2/images/{image_id}", self.get_image_handler)

    # --- Glance's error shapes and headers ------------------------------------------------------
    def error(self, status: int, message: str, kind: str = "") -> HttpError:
        return html_error(status, message)

    def not_found_path(self, req: Request) -> HttpError:
        return html_error(404, "The resource could not be found.")

    def method_not_allowed(self, req: Request) -> HttpError:
        return html_error(405, "The request method is not supported for this resource.")

    def malformed(self, message: str) -> HttpError:
        return html_error(400, message)

    def unauthorized(self) -> Response:
        return Response(
            401,
            {"message": UNAUTHORIZED_MESSAGE, "code": "401 Unauthorized", "title": "Unauthorized"},
            {"WWW-Authenticate": f'Keystone uri="{self.runtime.auth_url}"'},
        )

    def decorate(self, req: Request, resp: Response) -> None:
        if resp.status != 401 and req.path not in ("/", "/versions"):
            super().decorate(req, resp)

    # --- views ----------------------------------------------------------------------------------
    def image_view(self, image: dict[str, Any]) -> dict[str, Any]:
        view = {k: v for k, v in image.items() if k not in ("created_at", "updated_at")}
        view.update(
            {
                "created_at": iso(image["created_at"]),
                "updated_at": iso(image["updated_at"]),
                "tags": list(image["tags"]),
                "self": f"/v2/images/{image['id']}",
                "file": f"/v2/images/{image['id']}/file",
                "schema": "/v2/schemas/image",
            }
        )
        return view

    def visible(self, req: Request, image: dict[str, Any]) -> bool:
        ctx = req.context
        return image["visibility"] in ("public", "community", "shared") or (
            ctx is not None and ctx.can_see(image["owner"])
        )

    # --- handlers -------------------------------------------------------------------------------
    def versions(self, req: Request) -> Response:
        href = f"{req.service_url}/v2/"
        values = [
            {
                "id": f"v2.{minor}",
                "status": "CURRENT" if minor == CURRENT else "SUPPORTED",
                "links": [{"rel": "self", "href": href}],
            }
            for minor in VERSIONS
        ]
        return Response(300 if req.path == "/" else 200, {"versions": values})

    def get_image_handler(self, req: Request, image_id: str) -> Response:
        image = self.store.images.get(image_id)
        if image is None or not self.visible(req, image):
            raise html_error(404, f"No image found with ID {image_id}")
        return Response(200, self.image_view(image))

    def list_images(self, req: Request) -> Response:
        images = [i for i in self.store.images.values() if self.visible(req, i) and self.matches(req, i)]
        images.sort(key=lambda i: (i[self.sort_key(req)], i["id"]), reverse=self.sort_desc(req))
        limit = self.limit(req)
        marker = req.arg("marker")
        start = after_marker(images, marker)
        if start is None:
            raise html_error(400, f"The marker {marker} could not be found.")
        page = images[start:start + limit]
        params = query_without(req, "marker")
        body: dict[str, Any] = {
            "images": [self.image_view(i) for i in page],
            "first": "/v2/images" + (f"?{urlencode(params)}" if params else ""),
            "schema": "/v2/schemas/images",
        }
        if page and len(page) == limit:
            body["next"] = "/v2/images?" + urlencode([*params, ("marker", page[-1]["id"])])
        return Response(200, body)

    def matches(self, req: Request, image: dict[str, Any]) -> bool:
        visibility = req.arg("visibility")
        if visibility is not None and visibility not in ("public", "private", "shared", "community", "all"):
            raise html_error(400, f"Invalid visibility value: {visibility}")
        if visibility not in (None, "all") and image["visibility"] != visibility:
            return False
        if visibility is None and image["visibility"] == "community":
            return False
        for key in ("name", "status", "owner", "disk_format", "container_format"):
            wanted = req.arg(key)
            if wanted is not None and not self.match_operator(wanted, str(image[key])):
                return False
        wanted_id = req.arg("id")
        return wanted_id is None or self.match_operator(wanted_id, image["id"])

    @staticmethod
    def match_operator(wanted: str, value: str) -> bool:
        """Glance filter values: `x`, `eq:x` or `in:x,y` (quoted values keep their commas)."""
        if wanted.startswith("in:"):
            return value in [v.strip().strip('"') for v in wanted[3:].split(",")]
        if wanted.startswith("eq:"):
            wanted = wanted[3:]
        return value == wanted

    def limit(self, req: Request) -> int:
        text = req.arg("limit")
        if text is None:
            return DEFAULT_LIMIT
        try:
            value = int(text)
        except ValueError:
            raise html_error(400, "limit param must be an integer") from None
        if value < 0:
            raise html_error(400, "limit param must be positive")
        return min(value, MAX_LIMIT)

    def sort_key(self, req: Request) -> str:
        key = (req.arg("sort") or "").split(",")[0].split(":")[0] or req.arg("sort_key") or "created_at"
        if key not in SORT_KEYS:
            raise html_error(
                400,
                f"Invalid sort key: {key}. It must be one of the following: {', '.join(sorted(SORT_KEYS))}.",
            )
        return key

    def sort_desc(self, req: Request) -> bool:
        sort = (req.arg("sort") or "").split(",")[0]
        direction = sort.split(":")[1] if ":" in sort else req.arg("sort_dir") or "desc"
        if direction not in ("asc", "desc"):
            raise html_error(400, f"Invalid sort direction: {direction}")
        return direction == "desc"

    # --- read API for peers (Nova) --------------------------------------------------------------
    def get_image(self, image_id: str) -> dict[str, Any] | None:
        """The image as `GET /v2/images/{id}` shows it to an admin, or None."""
        image = self.store.images.get(image_id)
        return None if image is None else self.image_view(image)
