"""What the real services need around them on loopback: a threaded WSGI server, for sqlite one request at a time.

Run inside a service's own venv (imported by the serve_*.py scripts, stdlib only). sqlite answers
parallel writers with 500 "database is locked", so for the services on sqlite (Neutron, Octavia) every
request holds one lock from the call to the last byte of its body: requests from a client's thread pool
are served one after the other, as a single-worker API server would. The services on MariaDB (Nova,
Placement, Glance) are served in parallel: Nova's API calls into its compute while Neutron tells Nova
about port changes, and a boot must not wait behind a listing. A request without a project (Octavia's
noauth needs one) gets realstack's.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

#: the project Neutron's noauth gives every request (neutron.auth.NoauthFakeProjectId): Octavia uses it too
PROJECT_ID = "fake_project_id"

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class QuietHandler(WSGIRequestHandler):
    """One access-log line per request on stderr (the service's log file), not wsgiref's default."""

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"{self.address_string()} {format % args}\n")


def serialised(app: App, *, project_id: str | None = None, serialise: bool = True) -> App:
    lock: contextlib.AbstractContextManager[Any] = threading.Lock() if serialise else contextlib.nullcontext()

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if project_id and not environ.get("HTTP_X_PROJECT_ID"):
            environ["HTTP_X_PROJECT_ID"] = project_id
        with lock:
            result = app(environ, start_response)
            try:
                return [b"".join(result)]
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()

    return wrapped


def serve(app: App, host: str, port: int, *, project_id: str | None = None, serialise: bool = True) -> None:
    if host not in ("127.0.0.1", "::1", "localhost"):
        raise SystemExit(f"realstack listens on loopback only, not {host}")
    wrapped = serialised(app, project_id=project_id, serialise=serialise)
    server = make_server(host, port, wrapped,
                         server_class=ThreadingWSGIServer, handler_class=QuietHandler)
    print(f"serving on http://{host}:{port}", file=sys.stderr, flush=True)
    server.serve_forever()
