"""The HTTP/1.1 front end: a threading stdlib server that turns sockets into `Request`s for the cloud."""

from __future__ import annotations

import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from .core import Request
from .faults import Dropped

if TYPE_CHECKING:
    from .app import Cloud

log = logging.getLogger("democloud.http")


class CloudHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], cloud: Cloud) -> None:
        self.cloud = cloud
        # Open keep-alive connections: a stopped cloud must cut them off, not go on answering on them.
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, CloudRequestHandler)

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)  # type: ignore[arg-type]

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self.connections_lock:
            self.connections.discard(request)
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

    def log_message(self, format: str, *args: object) -> None:
        # Never the default stderr access log: it would be noise in the dashboard's terminal.
        log.debug(format, *args)

    def read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def answer(self) -> None:
        path, _, query = self.path.partition("?")
        req = Request(self.command, path, query, dict(self.headers.items()), self.read_body(),
                      self.server.cloud.base_url)
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
