"""Keystone v3: password and token authentication, project-scoped tokens with a catalog, expiry.

The accounts are devstack's (`lib/keystone`, `create_keystone_accounts`): the user `demo` has a role on
the projects `demo` and `invisible_to_admin`, `alt_demo` on `alt_demo`, and `admin` on `admin` and `demo`;
a user may scope a token to any project it has a role on, and `GET /v3/auth/projects` lists them. The
roles themselves are this cloud's (`member`, `reader`, `manager`; `admin` for the admin): devstack's
`anotherrole` grants nothing here, and the seed needs `manager` to place its floating IPs at fixed addresses.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from typing import Any

from .core import Context, HttpError, Request, Response, iso, new_hex_id
from .identity_schema import token_request_error
from .runtime import Runtime
from .service import Service

DOMAIN = {"id": "default", "name": "Default"}


@dataclass
class Token:
    user_id: str
    project_id: str | None
    roles: tuple[str, ...]
    issued_at: float
    expires_at: float
    audit_id: str


@dataclass
class Store:
    """Keystone's database, all of it saved by `--state`: accounts, and the ids the catalog hands out."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=lambda: {
        name: new_hex_id() for name in ("admin", "member", "reader", "manager", "service")})
    service_ids: dict[str, str] = field(default_factory=dict)
    endpoint_ids: dict[tuple[str, str], str] = field(default_factory=dict)
    #: role assignments: user id -> project id -> role names (what a token scoped there carries)
    grants: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """A state file written before `grants` held each user's one project and roles on the user's record
        (`_project_id`, `_roles`): that is the user's one assignment."""
        for user_id, user in self.users.items():
            roles = user.pop("_roles", None)
            if roles is not None and user_id not in self.grants:
                self.grants[user_id] = {str(user["_project_id"]): tuple(roles)}


class Identity(Service):
    type = "identity"
    name = "keystone"
    prefix = "/identity"
    catalog_suffix = "/v3"

    def __init__(self, runtime: Runtime) -> None:
        self.store = Store()
        #: live tokens: never saved (a reloaded cloud makes its clients authenticate again)
        self.tokens: dict[str, Token] = {}
        #: the services the catalog lists (the composition root hands it every mounted one)
        self.mounted: dict[str, Service] = {self.type: self}
        super().__init__(runtime)
        settings = runtime.settings
        admin, member = ("admin", "member", "reader", "manager"), ("member", "reader", "manager")
        self.add_account("admin", "admin", admin)
        self.add_account("demo", "demo", member, settings.password)
        self.add_account("alt_demo", "alt_demo", member)
        self.grant("demo", self.add_project("invisible_to_admin"), ("member", "reader"))
        self.grant("admin", self.project_named("demo")["id"], admin)

    def add_project(self, name: str) -> str:
        project_id = new_hex_id()
        self.store.projects[project_id] = {"id": project_id, "name": name, "domain_id": "default",
                                           "description": f"{name} project", "enabled": True,
                                           "is_domain": False, "parent_id": "default", "tags": [], "options": {}}
        return project_id

    def add_account(self, project: str, user: str, roles: tuple[str, ...], password: str | None = None) -> None:
        """A project, and a user whose default project it is, with `roles` on it."""
        project_id = self.add_project(project)
        user_id = new_hex_id()
        self.store.users[user_id] = {"id": user_id, "name": user, "domain_id": "default", "enabled": True,
                                     "default_project_id": project_id, "password_expires_at": None,
                                     "options": {}, "_password": password or secrets.token_urlsafe(12),
                                     "_project_id": project_id}
        self.grant(user, project_id, roles)

    def grant(self, user: str, project_id: str, roles: tuple[str, ...]) -> None:
        """`openstack role add --user USER --project PROJECT ROLE`, for each of `roles`."""
        self.store.grants.setdefault(self.user_named(user)["id"], {})[project_id] = roles

    def roles_on(self, user_id: str, project_id: str) -> tuple[str, ...]:
        """The user's roles on the project (none: no access to it)."""
        return self.store.grants.get(user_id, {}).get(project_id, ())

    def projects_of(self, user_id: str) -> list[dict[str, Any]]:
        """The enabled projects the user has a role on: what the user may scope a token to."""
        return [project for project_id in self.store.grants.get(user_id, {})
                if (project := self.store.projects.get(project_id)) is not None and project.get("enabled", True)]

    # --- lookups used by the rest of the cloud and by the launcher -----------------------------
    def user_named(self, name: str) -> dict[str, Any]:
        return next(u for u in self.store.users.values() if u["name"] == name)

    def project_named(self, name: str) -> dict[str, Any]:
        return next(p for p in self.store.projects.values() if p["name"] == name)

    def password_of(self, user: str) -> str:
        return str(self.user_named(user)["_password"])

    def context_for(self, user: str) -> Context:
        """The caller a token of `user` in its own project would be (seed and tests act through it)."""
        record = self.user_named(user)
        project = self.store.projects[record["_project_id"]]
        return Context(project["id"], record["id"], self.roles_on(record["id"], project["id"]), project["name"])

    def validate(self, token_text: str) -> Context | None:
        token = self.tokens.get(token_text)
        if token is None or token.expires_at <= self.runtime.now() or token.project_id is None:
            return None
        return Context(token.project_id, token.user_id, token.roles, self.store.projects[token.project_id]["name"])

    def expire_all(self) -> None:
        """Every issued token expires now (clients must re-authenticate)."""
        now = self.runtime.now()
        for token in self.tokens.values():
            token.expires_at = min(token.expires_at, now)

    # --- routes ---------------------------------------------------------------------------------
    def setup(self) -> None:
        r = self.router
        r.add("GET", "/", self.versions, public=True)
        r.add("GET", "/v3", self.version, public=True)
        r.add("POST", "/v3/auth/tokens", self.issue, public=True)
        r.add("GET", "/v3/auth/tokens", self.check)
        r.add("DELETE", "/v3/auth/tokens", self.revoke)
        r.add("GET", "/v3/auth/catalog", self.get_catalog)
        # public: an unscoped token may ask too (it is how a client finds a project to scope to)
        r.add("GET", "/v3/auth/projects", self.auth_projects, public=True)
        r.add("GET", "/v3/projects", self.list_projects)
        r.add("GET", "/v3/projects/{project_id}", self.get_project)
        r.add("GET", "/v3/users/{user_id}", self.get_user)
        r.add("GET", "/v3/users/{user_id}/projects", self.user_projects)
        r.add("GET", "/v3/domains", lambda req: Response(200, {"domains": [self.domain_view()]}))
        r.add("GET", "/v3/domains/{domain_id}", self.get_domain)
        r.add("GET", "/v3/regions", lambda req: Response(200, {"regions": [
            {"id": self.runtime.settings.region, "description": "", "parent_region_id": None}]}))
        r.add("GET", "/v3/services", lambda req: Response(200, {"services": self.service_list()}))
        r.add("GET", "/v3/endpoints", lambda req: Response(200, {"endpoints": self.endpoint_list()}))

    def error(self, status: int, message: str, kind: str = "") -> HttpError:
        titles = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
        return HttpError(status, {"error": {"code": status, "message": message,
                                            "title": kind or titles.get(status, "Error")}})

    def unauthorized(self) -> Response:
        resp = self.error(401, "The request you have made requires authentication.").response
        resp.headers["WWW-Authenticate"] = f'Keystone uri="{self.runtime.auth_url}"'
        return resp

    def decorate(self, req: Request, resp: Response) -> None:
        super().decorate(req, resp)
        resp.headers.setdefault("Vary", "X-Auth-Token")

    def version_doc(self) -> dict[str, Any]:
        return {"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
                "links": [{"rel": "self", "href": f"{self.runtime.auth_url}/"}],
                "media-types": [{"base": "application/json",
                                 "type": "application/vnd.openstack.identity-v3+json"}]}

    def versions(self, req: Request) -> Response:
        return Response(300, {"versions": {"values": [self.version_doc()]}})

    def version(self, req: Request) -> Response:
        return Response(200, {"version": self.version_doc()})

    # --- tokens ---------------------------------------------------------------------------------
    def issue(self, req: Request) -> Response:
        body = req.json()
        refused = token_request_error(body)
        if refused is not None:
            raise self.error(400, refused)
        auth = body["auth"]
        identity = auth["identity"]
        methods = identity["methods"]
        for method in ("password", "token"):
            if method in methods and method not in identity:
                raise self.expecting(method, "identity")
        if "password" in methods:
            user = self.password_user(identity["password"])
        elif "token" in methods:
            previous = self.tokens.get(identity["token"]["id"])
            if previous is None or previous.expires_at <= self.runtime.now():
                raise HttpError(401, self.unauthorized().body, self.unauthorized().headers)
            user = self.store.users[previous.user_id]
        else:
            raise self.error(401, "The request you have made requires authentication.")
        project = self.scope_project(auth.get("scope"), user)
        now = self.runtime.now()
        token_text = "gAAAAA" + base64.urlsafe_b64encode(secrets.token_bytes(132)).decode().rstrip("=")
        roles = self.roles_on(user["id"], project["id"]) if project else ()
        token = Token(user["id"], project["id"] if project else None, roles, now,
                      now + self.runtime.settings.token_ttl,
                      base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("="))
        self.tokens[token_text] = token
        return Response(201, {"token": self.token_view(token, methods)}, {"X-Subject-Token": token_text})

    def expecting(self, attribute: str, target: str) -> HttpError:
        """Keystone's `ValidationError`: a part the schema does not require but the method needs."""
        return self.error(400, f"Expecting to find {attribute} in {target}. The server could not comply with the "
                               "request since it is either malformed or otherwise incorrect. The client is "
                               "assumed to be in error.")

    def password_user(self, password: dict[str, Any]) -> dict[str, Any]:
        """The user a password request names (its types are `token_issue`'s), if the password is theirs."""
        spec = password.get("user")
        if spec is None:
            raise self.expecting("user", "password")
        if "id" in spec:
            user = self.store.users.get(spec["id"])
        else:
            domain = spec.get("domain") or {}
            if domain.get("name", "Default") != "Default" and domain.get("id", "default") != "default":
                user = None
            else:
                user = next((u for u in self.store.users.values() if u["name"] == spec.get("name")), None)
        given = spec.get("password", "")
        # as bytes: compare_digest refuses str with non-ASCII characters (a password may well have them)
        if user is None or not secrets.compare_digest(given.encode(), str(user["_password"]).encode()):
            raise HttpError(401, self.unauthorized().body, self.unauthorized().headers)
        return user

    def scope_project(self, scope: Any, user: dict[str, Any]) -> dict[str, Any] | None:
        if not scope or not isinstance(scope, dict):  # none, or "unscoped"
            return None
        spec = scope.get("project")
        if spec is None:  # a domain, system or trust scope: not offered
            raise self.error(401, "The request you have made requires authentication.")
        if "id" in spec:
            project = self.store.projects.get(str(spec["id"]))
        else:
            project = next((p for p in self.store.projects.values() if p["name"] == spec.get("name")), None)
        if project is None or not self.roles_on(user["id"], project["id"]) or not project.get("enabled", True):
            raise self.error(401, f"User {user['id']} has no access to project "
                                  f"{spec.get('id') or spec.get('name')}")
        return project

    def token_view(self, token: Token, methods: list[str]) -> dict[str, Any]:
        user = self.store.users[token.user_id]
        view: dict[str, Any] = {
            "methods": methods,
            "user": {"domain": DOMAIN, "id": user["id"], "name": user["name"], "password_expires_at": None},
            "audit_ids": [token.audit_id],
            "expires_at": iso(token.expires_at, micro=True),
            "issued_at": iso(token.issued_at, micro=True),
        }
        if token.project_id:
            project = self.store.projects[token.project_id]
            view["project"] = {"domain": DOMAIN, "id": project["id"], "name": project["name"]}
            view["is_domain"] = False
            view["roles"] = [{"id": self.store.roles[r], "name": r} for r in token.roles]
            view["catalog"] = self.catalog()
        return view

    def subject(self, req: Request, rule: str) -> tuple[str, Token]:
        """The token a validation or revocation names, if the caller may act on it: Keystone's policy
        (`identity:validate_token`, `identity:revoke_token`) allows its own subject or an admin only."""
        text = req.header("x-subject-token") or ""
        subject = self.tokens.get(text)
        if subject is None or subject.expires_at <= self.runtime.now():
            raise self.error(404, "Could not recognize Fernet token")
        caller = req.context
        if caller is None or not (caller.is_admin or caller.user_id == subject.user_id):
            raise self.error(403, f"You are not authorized to perform the requested action: {rule}.")
        return text, subject

    def check(self, req: Request) -> Response:
        text, subject = self.subject(req, "identity:validate_token")
        return Response(200, {"token": self.token_view(subject, ["password"])}, {"X-Subject-Token": text})

    def revoke(self, req: Request) -> Response:
        text, _ = self.subject(req, "identity:revoke_token")
        self.tokens.pop(text, None)
        return Response(204)

    # --- catalog and directory --------------------------------------------------------------------
    def service_list(self) -> list[dict[str, Any]]:
        out = []
        for service in self.mounted.values():
            sid = self.store.service_ids.setdefault(service.type, new_hex_id())
            out.append({"id": sid, "type": service.type, "name": service.name, "enabled": True})
        return out

    def endpoint_list(self) -> list[dict[str, Any]]:
        region = self.runtime.settings.region
        out = []
        for service in self.mounted.values():
            for interface in ("public", "internal", "admin"):
                eid = self.store.endpoint_ids.setdefault((service.type, interface), new_hex_id())
                out.append({"id": eid, "interface": interface, "region_id": region, "region": region,
                            "url": service.endpoint, "enabled": True,
                            "service_id": self.store.service_ids.setdefault(service.type, new_hex_id())})
        return out

    def catalog(self) -> list[dict[str, Any]]:
        endpoints = self.endpoint_list()
        return [{"endpoints": [{k: e[k] for k in ("id", "interface", "region_id", "url", "region")}
                               for e in endpoints if e["service_id"] == s["id"]],
                 "id": s["id"], "type": s["type"], "name": s["name"]} for s in self.service_list()]

    def get_catalog(self, req: Request) -> Response:
        return Response(200, {"catalog": self.catalog()})

    def project_view(self, project: dict[str, Any]) -> dict[str, Any]:
        return {**project, "links": {"self": f"{self.runtime.auth_url}/projects/{project['id']}"}}

    def domain_view(self) -> dict[str, Any]:
        return {**DOMAIN, "description": "The default domain", "enabled": True, "tags": [], "options": {},
                "links": {"self": f"{self.runtime.auth_url}/domains/default"}}

    def get_domain(self, req: Request, domain_id: str) -> Response:
        if domain_id != "default":
            raise self.error(404, f"Could not find domain: {domain_id}.")
        return Response(200, {"domain": self.domain_view()})

    def visible_projects(self, req: Request) -> list[dict[str, Any]]:
        assert req.context is not None
        return [self.project_view(p) for p in self.store.projects.values()
                if req.context.is_admin or p["id"] == req.context.project_id]

    def auth_projects(self, req: Request) -> Response:
        """The projects the token's user may scope to, as Keystone lists them (scoped or unscoped token)."""
        token = self.tokens.get(req.header("x-auth-token") or "")
        if token is None or token.expires_at <= self.runtime.now():
            return self.unauthorized()
        return Response(200, {"projects": [self.project_view(p) for p in self.projects_of(token.user_id)],
                              "links": {"self": f"{self.runtime.auth_url}/auth/projects", "previous": None,
                                        "next": None}})

    def list_projects(self, req: Request) -> Response:
        assert req.context is not None
        if not req.context.is_admin:
            raise self.error(403, "You are not authorized to perform the requested action: "
                                  "identity:list_projects.")
        name = req.arg("name")
        return Response(200, {"projects": [p for p in self.visible_projects(req)
                                           if name is None or p["name"] == name]})

    def get_project(self, req: Request, project_id: str) -> Response:
        found = next((p for p in self.visible_projects(req) if p["id"] == project_id), None)
        if found is None:
            raise self.error(404, f"Could not find project: {project_id}.")
        return Response(200, {"project": found})

    def user_view(self, user: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in user.items() if not k.startswith("_")}

    def get_user(self, req: Request, user_id: str) -> Response:
        assert req.context is not None
        user = self.store.users.get(user_id)
        if user is None or not (req.context.is_admin or user_id == req.context.user_id):
            raise self.error(404, f"Could not find user: {user_id}.")
        return Response(200, {"user": self.user_view(user)})

    def user_projects(self, req: Request, user_id: str) -> Response:
        assert req.context is not None
        user = self.store.users.get(user_id)
        if user is None or not (req.context.is_admin or user_id == req.context.user_id):
            raise self.error(404, f"Could not find user: {user_id}.")
        return Response(200, {"projects": [self.project_view(p) for p in self.projects_of(user_id)]})
