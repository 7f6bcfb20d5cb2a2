"""`/democloud/endpoints`: where the data plane really serves each floating IP, public port and listener.

A floating IP such as 127.24.4.12 is served on the listener's port when this machine lets the cloud bind
it, else on that port + 8000, or on 127.0.0.1 when 127.24.4.x cannot be bound at all; a listener's own proxy
is on an ephemeral port. A client must not guess: it reads this list. It is not an OpenStack API, so it is
in no catalog and no resource carries it (the tags a user sees are the user's own); the clouds.yaml entry
of the embedded cloud names it (`democloud_endpoints`), and a cloud whose entry does not is a real one.

    GET /democloud/endpoints   (a valid token; each project sees its own resources', an admin every one)
    -> {"endpoints": [{"resource": "floatingip" | "port" | "listener", "id": ..., "project_id": ...,
                       "endpoints": ["127.24.4.12:80"], "fallback": false}, ...]}

Only the data plane writes the book (`Endpoints.publish`, at each reconcile); it lives while the cloud runs
and is not API state (`--state` does not keep it: the next start binds again).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .core import Request, Response

if TYPE_CHECKING:
    from .identity import Identity
    from .loadbalancer import LoadBalancer
    from .network import Network
    from .runtime import CloudLock

PATH = "/democloud/endpoints"
#: the key of the embedded cloud's clouds.yaml entry that names this list's URL
CONFIG_KEY = "democloud_endpoints"
#: the resources whose endpoints are published (a server's own backend is inside its "VM": not listed)
KINDS = ("floatingip", "port", "listener")
#: whose endpoint: (kind, id), the kinds above and the data plane's own "server" (not published)
Owner = tuple[str, str]


@dataclass(frozen=True)
class Published:
    endpoints: tuple[str, ...]
    #: 127.24.4.x could not be bound: served on 127.0.0.1 instead
    fallback: bool = False


class Endpoints:
    """The book the data plane publishes into and `/democloud/endpoints` reads (any thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._book: dict[Owner, Published] = {}

    def publish(self, book: dict[Owner, Published]) -> None:
        with self._lock:
            self._book = {owner: entry for owner, entry in book.items() if owner[0] in KINDS}

    def entries(self) -> dict[Owner, Published]:
        with self._lock:
            return dict(self._book)


class Owners:
    """Whose each published resource is: the services that hold them."""

    def __init__(self, network: Network, load_balancer: LoadBalancer) -> None:
        self.network = network
        self.load_balancer = load_balancer

    def project_of(self, owner: Owner) -> str | None:
        """The project the resource belongs to now (None: it is gone); call with the cloud's lock held."""
        kind, ident = owner
        if kind == "listener":
            record = self.load_balancer.store.listeners.get(ident)
        else:
            record = (self.network.store.fips if kind == "floatingip" else self.network.store.ports).get(ident)
        return None if record is None else record.get("project_id")


def answer(book: Endpoints, owners: Owners, identity: Identity, lock: CloudLock, req: Request) -> Response:
    token = req.header("x-auth-token")
    context = identity.validate(token) if token else None
    if context is None:
        return identity.unauthorized()
    if req.method not in ("GET", "HEAD"):
        return Response(405, {"error": {"code": 405, "message": f"{req.method} is not allowed here: GET"}})
    found: list[dict[str, Any]] = []
    with lock:
        for owner, entry in sorted(book.entries().items()):
            project = owners.project_of(owner)
            if project is not None and context.can_see(project):
                found.append({"resource": owner[0], "id": owner[1], "project_id": project,
                              "endpoints": list(entry.endpoints), "fallback": entry.fallback})
    return Response(200, {"endpoints": found})
