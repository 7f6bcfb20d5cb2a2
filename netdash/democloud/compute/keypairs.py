"""Key pairs: per user (not per project), imported or generated, as `openstack key create` uses them."""

from __future__ import annotations

import re
from typing import Any

from ..core import Request, Response, Router, iso
from ..runtime import Runtime
from . import schemas, wire
from .keygen import InvalidKey, generate_rsa, ssh_fingerprint, x509_fingerprint
from .store import Store
from .wire import bad, caller, conflict, error, mv, not_found, param, validated

NAME_RE = re.compile(r"^[a-zA-Z0-9 _-]+$")
NAME_RE_292 = re.compile(r"^[a-zA-Z0-9 @._-]+$")


class KeypairsController:
    def __init__(self, store: Store, runtime: Runtime) -> None:
        self.store = store
        self.runtime = runtime

    def register(self, r: Router) -> None:
        r.add("GET", "/v2.1/os-keypairs", self.list_keypairs)
        r.add("POST", "/v2.1/os-keypairs", self.create_keypair)
        r.add("GET", "/v2.1/os-keypairs/{name}", self.get_keypair)
        r.add("DELETE", "/v2.1/os-keypairs/{name}", self.delete_keypair)

    def keypair_owner(self, req: Request, user_id: Any = None) -> str:
        """Whose key pairs a request acts on: the caller's, or (admin, 2.10+) the named user's."""
        ctx = caller(req)
        wanted = user_id if user_id is not None else req.arg("user_id")
        if wanted is None or not mv(req, 2, 10) or wanted == ctx.user_id:
            return ctx.user_id
        if not ctx.is_admin:
            raise error(403, "Policy doesn't allow os_compute_api:os-keypairs:index to be performed.")
        return str(wanted)

    def find_keypair(self, user_id: str, name: str) -> dict[str, Any]:
        keypair = self.store.keypairs.get((user_id, name))
        if keypair is None:
            raise not_found(f"Keypair {name} not found for user {user_id}")
        return keypair

    def keypair_view(self, req: Request, keypair: dict[str, Any], *, full: bool = False) -> dict[str, Any]:
        view: dict[str, Any] = {"name": keypair["name"], "public_key": keypair["public_key"],
                                "fingerprint": keypair["fingerprint"]}
        if mv(req, 2, 2):
            view["type"] = keypair["type"]
        if full:
            view.update({"user_id": keypair["user_id"], "created_at": iso(keypair["created_at"], z=False,
                                                                           micro=True),
                         "deleted": False, "deleted_at": None, "updated_at": None, "id": keypair["id"]})
        return view

    def list_keypairs(self, req: Request) -> Response:
        owner = self.keypair_owner(req)
        mine = [k for (user, _), k in self.store.keypairs.items() if user == owner]
        links: list[dict[str, str]] = []
        if mv(req, 2, 35):
            mine, links = wire.page(req, mine, "os-keypairs", key="name")
        body: dict[str, Any] = {"keypairs": [{"keypair": self.keypair_view(req, k)} for k in mine]}
        if links:
            body["keypairs_links"] = links
        return Response(200, body)

    def get_keypair(self, req: Request, name: str) -> Response:
        keypair = self.find_keypair(self.keypair_owner(req), param(name))
        return Response(200, {"keypair": self.keypair_view(req, keypair, full=True)})

    def delete_keypair(self, req: Request, name: str) -> Response:
        owner = self.keypair_owner(req)
        self.find_keypair(owner, param(name))
        del self.store.keypairs[(owner, param(name))]
        return Response(204 if mv(req, 2, 2) else 202)

    def create_keypair(self, req: Request) -> Response:
        spec = validated(req, schemas.CREATE_KEYPAIR)["keypair"]
        name = spec["name"]
        if not (NAME_RE_292 if mv(req, 2, 92) else NAME_RE).match(name):
            raise bad("Keypair data is invalid: Keypair name contains unsafe characters")
        key_type = spec.get("type", "ssh")
        owner = self.keypair_owner(req, spec.get("user_id"))
        if (owner, name) in self.store.keypairs:
            raise conflict(f"Key pair '{name}' already exists.")
        public_key = spec.get("public_key")
        private_key = None
        if public_key is None:
            if key_type != "ssh":
                raise bad("Keypair data is invalid: Keypair generation is only supported for ssh keys")
            private_key, public_key = generate_rsa()
        try:
            fingerprint = (ssh_fingerprint if key_type == "ssh" else x509_fingerprint)(public_key)
        except InvalidKey:
            raise bad("Keypair data is invalid: failed to generate fingerprint") from None
        self.store.keypair_counter += 1
        keypair = {"id": self.store.keypair_counter, "name": name, "user_id": owner, "type": key_type,
                   "public_key": public_key.strip(), "fingerprint": fingerprint,
                   "created_at": self.runtime.now()}
        self.store.keypairs[(owner, name)] = keypair
        view = self.keypair_view(req, keypair)
        view["user_id"] = owner
        if private_key is not None:
            view["private_key"] = private_key
        return Response(201 if mv(req, 2, 2) else 200, {"keypair": view})
