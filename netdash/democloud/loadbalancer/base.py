"""What every Octavia resource controller shares: lookups that honour project isolation, the
immutability check, the provisioning stamps, and the common parts of every view."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from ..core import Context, HttpError, Request, Response, Router, iso
from . import listing
from .faults import fault, forbidden, immutable, not_found
from .operating import Operating
from .provisioning import PENDING_UPDATE, Provisioning, is_pending, provisioning_status
from .store import Record, Store

if TYPE_CHECKING:
    from ..identity import Identity
    from ..network import Network
    from ..runtime import Runtime


class Octavia(Protocol):
    """What a controller uses of the Octavia service (`LoadBalancer` is one): its state, its rules,
    its peers, and its router."""

    runtime: Runtime
    identity: Identity
    network: Network
    router: Router
    store: Store
    operating: Operating
    provisioning: Provisioning

    def route(self, method: str, template: str, handler: Callable[..., Response]) -> None: ...

    def stats_of(self, listener_ids: list[str]) -> dict[str, int]: ...


class Resource:
    """A controller: `kind` names its store table, `title` the resource in error messages."""

    kind = ""
    title = ""

    def __init__(self, service: Octavia) -> None:
        self.service = service
        self.store = service.store
        self.operating = service.operating
        self.provisioning = service.provisioning

    def register(self) -> None:
        raise NotImplementedError

    # --- clock and settings ---------------------------------------------------------------------
    def now(self) -> float:
        return self.service.runtime.now()

    @property
    def delay(self) -> float:
        return max(0.0, float(self.service.runtime.settings.provisioning_delay))

    # --- lookups ------------------------------------------------------------------------------
    @staticmethod
    def context(req: Request) -> Context:
        assert req.context is not None, "routes are not public: the service checked the token"
        return req.context

    def find(self, req: Request, ident: str, kind: str = "", title: str = "") -> Record:
        """The record; the 404 Octavia gives for an unknown id, and for another project's the 403 of its
        owner-or-admin policy (`_get_db_obj`, then `_auth_validate_action` on the object's project)."""
        rec = self.store.table(kind or self.kind).get(ident)
        if rec is None:
            raise not_found(title or self.title, ident)
        self.authorize(req, rec["project_id"])
        return rec

    def authorize(self, req: Request, project_id: str | None) -> None:
        """`load-balancer:read`/`write`: the project's own member or reader, or an admin."""
        if not self.context(req).can_see(project_id):
            raise forbidden()

    def visible(self, req: Request, table: dict[str, Record]) -> list[Record]:
        """Octavia's `_auth_get_all`: an admin sees every project's (or the one `?project_id=` names); anyone
        else their own, and naming another project is refused."""
        ctx = self.context(req)
        wanted = req.arg("project_id")
        if wanted and not ctx.is_admin:
            self.authorize(req, wanted)
        return [rec for rec in table.values() if ctx.can_see(rec["project_id"])]

    @staticmethod
    def shown(req: Request, key: str, view: dict[str, Any]) -> Response:
        """A single object's answer, with `?fields=` as on a list (Octavia's `get(id, fields)`)."""
        return Response(200, {key: listing.only_fields(view, req)})

    def owner(self, req: Request, requested: str | None) -> str:
        """The project a new object belongs to: the caller's, or any for an admin naming one."""
        ctx = self.context(req)
        if requested and requested != ctx.project_id and not ctx.is_admin:
            raise forbidden()
        return requested or ctx.project_id

    # --- the state machine ---------------------------------------------------------------------
    def lb_of(self, rec: Record) -> Record:
        return self.store.lbs[rec["_lb"]]

    def check_mutable(self, lb: Record, now: float) -> None:
        if is_pending(lb, now):
            raise immutable("Load Balancer", lb["id"])

    def lock(self, lb: Record, extra: list[Record], now: float) -> None:
        """Octavia's `test_and_set_lb_and_listeners_prov_status`: parents go PENDING_UPDATE."""
        self.check_mutable(lb, now)
        self.provisioning.touch([lb, *extra], PENDING_UPDATE, now, self.delay)

    @staticmethod
    def assign(rec: Record, body: dict[str, Any], defaults: dict[str, Any] | None = None) -> None:
        """Apply a PUT: null clears a field to its default (`""` for names, `[]` for lists)."""
        blanks = {"name": "", "description": "", "tags": [], **(defaults or {})}
        for key, value in body.items():
            if value is not None:
                rec[key] = value
            elif key in blanks:
                rec[key] = blanks[key]
            else:
                rec[key] = [] if isinstance(rec.get(key), list) else None

    # --- views ----------------------------------------------------------------------------------
    @staticmethod
    def stamps(rec: Record, now: float) -> dict[str, Any]:
        updated = rec.get("_updated")
        return {"created_at": iso(rec["_created"], z=False),
                "updated_at": iso(updated, z=False) if updated is not None and updated <= now else None}

    @staticmethod
    def status_of(rec: Record, now: float) -> str:
        return provisioning_status(rec, now)

    @staticmethod
    def ids(recs: list[Record]) -> list[dict[str, str]]:
        return [{"id": rec["id"]} for rec in recs]

    @staticmethod
    def created(key: str, view: dict[str, Any]) -> Response:
        return Response(201, {key: view})

    @staticmethod
    def neutron_error(resp: Response) -> HttpError:
        """Octavia hands a Neutron refusal (IP taken, no free address) on with Neutron's code and text."""
        body = resp.body if isinstance(resp.body, dict) else {}
        error = body.get("NeutronError") if isinstance(body.get("NeutronError"), dict) else {}
        message = error.get("message") or f"Neutron answered {resp.status}"
        return fault(resp.status if resp.status < 500 else 500, str(message))
