"""`/v2.0/{resource}/{id}/tags[/{tag}]` (standard-attr-tag, tag-creation): a resource's tags, as Neutron 29's
tagging controller answers them (neutron/extensions/tagging.py `TaggingController`).

The tag filters of the lists (`tags`, `tags-any`, `not-tags`, `not-tags-any`) are query.py's. The status
codes are the controller's `action_status`: a tag's show is 204, a tag's `PUT` 201, the list's `PUT` 200 and
its `POST` 200. The resource is looked up whoever asks, then the policy decides: a resource the caller may
not see or change is a 403 naming the policy (`get_network:tags`, `update_network:tags`...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from ...core import Context, Request, Response, Router
from ...validation import compile_schema, first_error, reason
from .. import policy
from ..attrs import caller, read_json
from ..errors import bad_request, forbidden, invalid_input, neutron_error
from ..rules import Rules
from ..store import Record, Store

Seen = Callable[[Context, Record], bool]
#: `validate_list_of_unique_strings(tags, 255)` and `validate_string(tag, 255)`
TAG = {"type": "string", "maxLength": 255,
       "reasons": {"type": "'{value}' is not a valid string", "maxLength": "'{value}' exceeds maximum length of 255"}}
TAGS = compile_schema({"type": "array", "uniqueItems": True, "items": TAG,
                       "reasons": {"type": "'{value}' is not a list",
                                   "uniqueItems": "Duplicate items in the list: '{duplicates}'"}})
ONE_TAG = compile_schema(TAG)


def checked(validator: Any, value: Any) -> None:
    error = first_error(validator, value)
    if error is not None:
        raise invalid_input(f"{reason(error, error.message)}.")


class TagsController:
    def __init__(self, store: Store, rules: Rules) -> None:
        self.store = store
        self.tags = rules.tags
        s = store
        #: collection in the path -> (member name, the store's table, who may see a record); the table by name,
        #: since the store's fields are replaced when a state is loaded or a journal tracks them
        self.resources: dict[str, tuple[str, str, Seen]] = {
            "networks": ("network", "networks", lambda c, r: policy.net_visible(s, c, r)),
            "subnets": ("subnet", "subnets", lambda c, r: policy.subnet_visible(s, c, r)),
            "ports": ("port", "ports", lambda c, r: policy.port_visible(s, c, r)),
            "routers": ("router", "routers", lambda c, r: c.can_see(r["project_id"])),
            "floatingips": ("floatingip", "fips", lambda c, r: c.can_see(r["project_id"])),
            "security-groups": ("security_group", "sgs", lambda c, r: policy.sg_visible(s, c, r)),
            "subnetpools": ("subnetpool", "subnetpools", lambda c, r: c.can_see(r["project_id"]) or s.shared_for(c, r)),
        }

    def register(self, r: Router) -> None:
        for collection in self.resources:
            base = f"/v2.0/{collection}/{{ident}}/tags"
            for method, path, handler in (
                ("GET", base, self.index), ("PUT", base, self.replace), ("POST", base, self.add),
                ("DELETE", base, self.clear), ("GET", base + "/{tag}", self.show),
                ("PUT", base + "/{tag}", self.add_one), ("DELETE", base + "/{tag}", self.remove),
            ):
                r.add(method, path, self.bound(handler, collection))

    @staticmethod
    def bound(handler: Callable[..., Response], collection: str) -> Callable[..., Response]:
        def route(req: Request, **params: str) -> Response:
            if "tag" in params:  # the path as sent: a tag may hold characters a URL escapes
                params["tag"] = unquote(params["tag"])
            return handler(req, collection, **params)
        return route

    def record(self, req: Request, collection: str, ident: str, action: str) -> Record:
        """The tagged resource; a 403 where the caller may not `action` its tags (`get_network:tags`)."""
        member, table, seen = self.resources[collection]
        found = getattr(self.store, table).get(ident)
        if found is None:
            raise neutron_error(404, "TagResourceNotFound", f"Resource {collection.replace('-', '_')} {ident} "
                                                            "could not be found.")
        ctx = caller(req)
        allowed = seen(ctx, found) if action == "get" else ctx.can_see(found["project_id"])
        if not allowed:
            raise forbidden(f"{action}_{member}:tags")
        return found

    @staticmethod
    def body_tags(req: Request) -> list[str]:
        """`validate_tags`: `{"tags": [...]}`, unique strings of at most 255 characters."""
        body = read_json(req) if req.body else None
        if not isinstance(body, dict) or "tags" not in body:
            raise invalid_input("Invalid tags body.")
        checked(TAGS, body["tags"])
        return list(body["tags"])

    # --- the list of tags ----------------------------------------------------------------------------
    def index(self, req: Request, collection: str, ident: str) -> Response:
        return Response(200, {"tags": list(self.record(req, collection, ident, "get")["tags"])})

    def replace(self, req: Request, collection: str, ident: str) -> Response:
        tags = self.body_tags(req)
        self.tags.replace(self.record(req, collection, ident, "update"), collection.replace("-", "_"), tags)
        return Response(200, {"tags": tags})

    def add(self, req: Request, collection: str, ident: str) -> Response:
        tags = self.body_tags(req)
        self.tags.add_many(self.record(req, collection, ident, "create"), collection.replace("-", "_"), tags)
        return Response(200, {"tags": tags})

    def clear(self, req: Request, collection: str, ident: str) -> Response:
        self.tags.clear(self.record(req, collection, ident, "delete"))
        return Response(204)

    # --- one tag ---------------------------------------------------------------------------------------
    def show(self, req: Request, collection: str, ident: str, tag: str) -> Response:
        checked(ONE_TAG, tag)
        self.tags.has(self.record(req, collection, ident, "get"), tag)
        return Response(204)

    def add_one(self, req: Request, collection: str, ident: str, tag: str) -> Response:
        """No body is needed; one that is sent is still read, as Neutron's body hook reads every one."""
        if req.body and not isinstance(read_json(req), dict):
            raise bad_request("Body contains invalid data")
        checked(ONE_TAG, tag)
        self.tags.add_one(self.record(req, collection, ident, "update"), collection.replace("-", "_"), tag)
        return Response(201)

    def remove(self, req: Request, collection: str, ident: str, tag: str) -> Response:
        checked(ONE_TAG, tag)
        self.tags.remove(self.record(req, collection, ident, "delete"), tag)
        return Response(204)
