"""The HTTP/1.1 front end: a threading stdlib server that turns sockets into `Request`s for the cloud.

Every request gets an answer or a closed connection it can tell from one: a body that cannot be framed
(a Content-Length that is not a number, a chunk size that is not hex) is a 400, one larger than
`MAX_BODY` a 413, and the connection is closed after either, since what follows on it cannot be trusted.
A connection that sends nothing (or its headers too slowly) for `IDLE_TIMEOUT` seconds is closed, and at
most `MAX_CONNECTIONS` are served at once (more wait in the listen queue), so slow or idle clients cannot
hold a thread each without bound.
"""

from __future__ import annotations

import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from .core import Request, Response
from .faults import Dropped

if TYPE_CHECKING:
    from .app import Cloud

log = logging.getLogger("democloud.http")

#: the largest request body the cloud reads (its largest real bodies, bulk creates, are far smaller)
MAX_BODY = 16 * 1024 * 1024
#: seconds a connection may stay silent (between requests, or within one's headers or body)
IDLE_TIMEOUT = 60.0
#: connections served at once; more wait in the listen queue
MAX_CONNECTIONS = 128


class Unframed(Exception):
    """The request's body cannot be read as its headers declare it: answered `status`, then closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class CloudHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], cloud: Cloud, *, idle_timeout: float = IDLE_TIMEOUT,
                 max_connections: int = MAX_CONNECTIONS) -> None:
        self.cloud = cloud
        self.idle_timeout = idle_timeout
        self.slots = threading.BoundedSemaphore(max_connections)
        # Open keep-alive connections: a stopped cloud must cut them off, not go on answering on them.
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, CloudRequestHandler)

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        self.slots.acquire()  # at most max_connections threads: the accept loop waits for a free one
        with self.connections_lock:
            self.connections.add(request)
        try:
            super().process_request(request, client_address)  # type: ignore[arg-type]
        except BaseException:
            self.shutdown_request(request)
            raise

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self.connections_lock:
            known = request in self.connections
            self.connections.discard(request)
        if known:
            self.slots.release()
        super().shutdown_request(request)

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that gave up (its timeout, during an injected latency) leaves a broken pipe behind:
        # worth a debug line, never the stdlib's traceback on stderr.
        log.debug("connection from %s failed", client_address, exc_info=True)

    def server_close(self) -> None:
        super().server_close()
        with self.connections_lock:
            open_now = list(self.connections)
        for connection in open_now:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by its client


class CloudRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms per
    # keep-alive request on loopback.
    disable_nagle_algorithm = True
    server: CloudHTTPServer
    server_version = "democloud"
    sys_version = ""

    def setup(self) -> None:
        self.timeout = self.server.idle_timeout  # the socket's timeout: silence ends the connection
        super().setup()

    def log_message(self, format: str, *args: object) -> None:
        # Never the default stderr access log: it would be noise in the dashboard's terminal.
        log.debug(format, *args)

    def read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(1024).split(b";")[0].strip()
                try:
                    size = int(line or b"0", 16)
                except ValueError:
                    raise Unframed(400, f"bad chunk size {line[:20]!r}") from None
                if size < 0:
                    raise Unframed(400, "bad chunk size")
                total += size
                if total > MAX_BODY:
                    raise Unframed(413, f"request body larger than {MAX_BODY} bytes")
                if size == 0:
                    self.rfile.readline(1024)
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        declared = self.headers.get("Content-Length") or "0"
        if not declared.strip().isdigit():
            raise Unframed(400, f"Content-Length {declared[:20]!r} is not a number of bytes")
        length = int(declared)
        if length > MAX_BODY:
            raise Unframed(413, f"request body larger than {MAX_BODY} bytes")
        return self.rfile.read(length) if length > 0 else b""

    def answer(self) -> None:
        path, _, query = self.path.partition("?")
        try:
            body = self.read_body()
        except Unframed as refusal:  # answered, then closed: what follows on the stream cannot be trusted
            self.close_connection = True
            title = "Request Entity Too Large" if refusal.status == 413 else "Bad Request"
            self.send(Response(refusal.status, {"error": {"code": refusal.status, "message": str(refusal),
                                                          "title": title}}, {"Connection": "close"}))
            return
        req = Request(self.command, path, query, dict(self.headers.items()), body, self.server.cloud.base_url)
        try:
            resp = self.server.cloud.dispatch(req)
        except Dropped:
            # An injected dropped connection: no status line, no body, the socket closed (its client sees
            # "connection closed without response", as from a crashed proxy).
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # the client went first
            return
        self.send(resp)

    def send(self, resp: Response) -> None:
        payload = resp.encoded()
        self.send_response(resp.status)
        if payload or resp.status not in (204, 304):
            self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in resp.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = answer
