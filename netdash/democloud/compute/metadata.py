"""Server metadata (`/servers/{id}/metadata[/{key}]`), as Nova's `ServerMetadataController` serves it: reads
at any time; changes only while the server is ACTIVE or SHUTOFF with no task running, never while it is
locked (but to an admin), and never past the 128 items of Nova's default `metadata_items` quota."""

from __future__ import annotations

from typing import Any

from ..core import Request, Response, Router
from ..runtime import Runtime
from . import schemas
from .lifecycle import RUNNING_STATES, Lifecycle
from .store import Record
from .wire import bad, caller, error, not_found, param, validated

#: Nova's default `[quota] metadata_items`
MAX_ITEMS = 128


def check_quota(metadata: dict[str, Any]) -> None:
    """Nova's `_check_metadata_properties_quota` (server create, rebuild and these changes): 403."""
    if len(metadata) > MAX_ITEMS:
        raise error(403, f"Maximum number of metadata items exceeds {MAX_ITEMS}")


class MetadataController:
    def __init__(self, lifecycle: Lifecycle, runtime: Runtime) -> None:
        self.lifecycle = lifecycle
        self.runtime = runtime

    def register(self, r: Router) -> None:
        r.add("GET", "/v2.1/servers/{server_id}/metadata", self.index)
        r.add("POST", "/v2.1/servers/{server_id}/metadata", self.create)
        r.add("PUT", "/v2.1/servers/{server_id}/metadata", self.update_all)
        r.add("GET", "/v2.1/servers/{server_id}/metadata/{key}", self.show)
        r.add("PUT", "/v2.1/servers/{server_id}/metadata/{key}", self.update)
        r.add("DELETE", "/v2.1/servers/{server_id}/metadata/{key}", self.delete)

    def index(self, req: Request, server_id: str) -> Response:
        server = self.lifecycle.find(caller(req), server_id)
        return Response(200, {"metadata": dict(server["metadata"])})

    def show(self, req: Request, server_id: str, key: str) -> Response:
        server = self.lifecycle.find(caller(req), server_id)
        name = param(key)
        if name not in server["metadata"]:
            raise not_found("Metadata item was not found")
        return Response(200, {"meta": {name: server["metadata"][name]}})

    def create(self, req: Request, server_id: str) -> Response:
        """POST merges the items into the server's (Nova answers 200 with the whole result)."""
        metadata = validated(req, schemas.METADATA_ALL)["metadata"]
        server = self.lifecycle.find(caller(req), server_id)
        return Response(200, {"metadata": self.change(req, server, {**server["metadata"], **metadata},
                                                      "update metadata")})

    def update_all(self, req: Request, server_id: str) -> Response:
        """PUT replaces them all."""
        metadata = validated(req, schemas.METADATA_ALL)["metadata"]
        server = self.lifecycle.find(caller(req), server_id)
        return Response(200, {"metadata": self.change(req, server, dict(metadata), "update metadata")})

    def update(self, req: Request, server_id: str, key: str) -> Response:
        meta = validated(req, schemas.METADATA_ITEM)["meta"]
        server = self.lifecycle.find(caller(req), server_id)
        if param(key) not in meta:
            raise bad("Request body and URI mismatch")
        self.change(req, server, {**server["metadata"], **meta}, "update metadata")
        return Response(200, {"meta": meta})

    def delete(self, req: Request, server_id: str, key: str) -> Response:
        server = self.lifecycle.find(caller(req), server_id)
        name = param(key)
        if name not in server["metadata"]:
            raise not_found("Metadata item was not found")
        self.change(req, server, {k: v for k, v in server["metadata"].items() if k != name}, "delete metadata")
        return Response(204)

    def change(self, req: Request, server: Record, metadata: dict[str, Any], action: str) -> dict[str, Any]:
        self.lifecycle.check(caller(req), server, action, RUNNING_STATES)
        check_quota(metadata)
        server["metadata"] = metadata
        server["updated_at"] = self.runtime.now()
        return dict(metadata)
