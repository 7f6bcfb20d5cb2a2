"""`/democloud/faults`: change a running cloud's injected faults over HTTP (`netdash demo-cloud` runs in
another process, so this is how a demo turns a failure on and off without restarting it).

Not an OpenStack API, so it is in no catalog, and no fault applies to it. It needs a valid token like
every other path (any project's: the faults are the whole cloud's, and the cloud is loopback-only):
    GET    list the rules (their specs and counts) and the provisioning delays
    POST   {"spec": "503@network"}: add; 400 with the parser's one line for a bad spec
    DELETE clear every fault
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .core import MalformedBody, Request, Response
from .faults_spec import SpecError
from .validation import compile_schema, first_error

if TYPE_CHECKING:
    from .faults import Faults
    from .identity import Identity
    from .runtime import Settings

PATH = "/democloud/faults"
SPEC_BODY = compile_schema({"type": "object", "properties": {"spec": {"type": "string"}}, "required": ["spec"]})


def error(status: int, message: str) -> Response:
    return Response(status, {"error": {"code": status, "message": message}})


def answer(faults: Faults, identity: Identity, settings: Settings, req: Request) -> Response:
    token = req.header("x-auth-token")
    if not token or identity.validate(token) is None:
        return identity.unauthorized()
    if req.method == "GET":
        return Response(200, listing(faults, settings))
    if req.method == "DELETE":
        faults.clear()
        return Response(204)
    if req.method != "POST":
        return error(405, f"{req.method} is not allowed here: GET, POST or DELETE")
    try:
        body = req.json()
    except MalformedBody as exc:
        return error(400, str(exc))
    if first_error(SPEC_BODY, body) is not None:
        return error(400, 'expected {"spec": "..."}')
    try:
        faults.add_spec(body["spec"])
    except SpecError as exc:
        return error(400, str(exc))
    return Response(201, listing(faults, settings))


def listing(faults: Faults, settings: Settings) -> dict[str, Any]:
    rules = [{"spec": rule.spec or f"{rule.status}@{rule.service or '*'}:{rule.method or '*'}:{rule.path}",
              "seen": rule.seen, "fired": rule.fired} for rule in list(faults.rules)]
    return {"faults": rules, "provisioning_delay": settings.provisioning_delay,
            "build_delay": settings.build_delay, "dataplane_frozen": settings.dataplane_frozen}
