"""The HTTP/1.1 front end: aiohttp's low-level server turns connections into `Request`s for the cloud.

The framing is aiohttp's (its C parser, llhttp): request line, headers, Content-Length and chunked bodies,
keep-alive. A request it cannot frame (a Content-Length that is not a number, a chunk size that is not
hex) is aiohttp's own 400 (a text/plain body on an HTTP/1.0 status line, not our JSON) and the connection
is closed. One it cannot answer: a bad chunk size that arrives after the body has begun (aiohttp 3.14's C
parser queues its 400 but never ends the body being read), so that connection is closed, unanswered, after
`IDLE_TIMEOUT`. What is left here is what only the cloud asks of a front end:

- The services are synchronous and serialise on the cloud's lock: each request's `dispatch` runs on one of
  at most `MAX_THREADS` worker threads (`workers.py`, which says why not `run_in_executor`), and its answer
  leaves only after it has returned, so whatever the handler made durable is durable before the client
  hears of it. A read (`QUICK_METHODS`) that finds the lock free and no fault in force is answered on the
  loop's own thread instead: the hand-over to a worker and back was most of what a listing cost a single
  client (bench/README.md). The loop then waits only as long as the read takes (or, rarely, for the lock
  taken in the meantime, or an fsync of changes already made); never for a fault's latency, which
  `Cloud.dispatch(waits=False)` refuses before anything happens.
- A `Dropped` fault closes the connection with nothing written (aiohttp gives the handler its transport;
  ASGI has no way to say it, which is why this is not uvicorn).
- A body larger than `MAX_BODY` is a 413, at once when its Content-Length says so, as soon as it passes the
  limit when it is chunked; the connection is closed after it.
- A connection that sends no whole request head within `IDLE_TIMEOUT` seconds of connecting or of its last
  answer is closed, and so is one whose body stalls for as long (aiohttp times the head, we the body).
- At most about `MAX_CONNECTIONS` connections at once: the one over is answered 503 and closed.
- `stop()` cuts every connection, the idle keep-alive ones too: tests start and stop many clouds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from typing import TYPE_CHECKING, Any, cast

from aiohttp import web

from .core import Request, Response
from .faults import Dropped, MustWait
from .workers import Workers

if TYPE_CHECKING:
    from .app import Cloud

try:  # libuv's loop: a fifth less of the front end's time per request than asyncio's own (bench/README.md)
    from uvloop import new_event_loop
except ImportError:  # not on Windows
    from asyncio import new_event_loop

log = logging.getLogger("democloud.http")

#: the largest request body the cloud reads (its largest real bodies, bulk creates, are far smaller)
MAX_BODY = 16 * 1024 * 1024
#: seconds a connection may stay silent (before a whole request head, or within a body)
IDLE_TIMEOUT = 60.0
#: connections served at once
MAX_CONNECTIONS = 128
#: requests answered on the loop's own thread when the cloud's lock is free and no fault is in force
QUICK_METHODS = ("GET", "HEAD")
#: threads that run handlers at once (they queue on the cloud's lock anyway; a latency fault sleeps in one)
MAX_THREADS = 32
#: seconds the rest of a refused body is read and dropped before closing, so the client reads the 413
#: rather than a reset
LINGER = 1.0
#: what the connection over MAX_CONNECTIONS hears before it is closed
_BUSY_BODY = b'{"error": {"code": 503, "title": "Service Unavailable", "message": "too many open connections"}}'
BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(_BUSY_BODY), _BUSY_BODY))


class _Quiet(logging.LoggerAdapter):  # type: ignore[type-arg]
    """aiohttp logs a client's malformed request or a failed write as an error with a traceback: noise in
    the dashboard's terminal, so it is a debug line here, as every connection failure is."""

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        super().log(logging.DEBUG, msg, *args, **kwargs)


class _Busy(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        cast(asyncio.Transport, transport).write(BUSY)  # uvloop's transports are not asyncio.Transport's subclasses
        transport.close()


class CloudHTTPServer:
    """Binds at once (so the port is known before the cloud is seeded); serves from `start()` to `stop()`
    on an event loop in a thread of its own."""

    def __init__(self, address: tuple[str, int], cloud: Cloud, *, idle_timeout: float = IDLE_TIMEOUT,
                 max_connections: int = MAX_CONNECTIONS, threads: int = MAX_THREADS) -> None:
        self.cloud = cloud
        #: read as each connection opens
        self.idle_timeout = idle_timeout
        self.max_connections = max_connections
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.socket = socket.create_server(address, family=family, backlog=128)
        self.server_address: tuple[str, int] = self.socket.getsockname()[:2]
        self._loop = new_event_loop()
        self._pool = Workers(self._loop, threads, f"democloud-api:{self.server_address[1]}")
        self._web = web.Server(self._answer, loop=self._loop)
        self._listener: asyncio.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        # The loop runs before it listens, on its own thread: the caller may be running a loop of its own (an
        # async test, the dashboard), where this one could not be run even until the listener is made.
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"democloud:{self.server_address[1]}",
                                        daemon=True)
        self._thread.start()
        listening = self._loop.create_server(self._protocol, sock=self.socket)
        try:
            self._listener = asyncio.run_coroutine_threadsafe(listening, self._loop).result(timeout=10)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop listening, cut every connection (a handler still running finishes in its thread, unheard)."""
        if self._thread is not None:
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
            self._thread = None
        if not self._loop.is_running() and not self._loop.is_closed():
            self._loop.close()
        self.socket.close()
        self._pool.stop()

    async def _close(self) -> None:
        if self._listener is not None:
            self._listener.close()
        for connection in self._web.connections:
            connection.force_close()
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def _protocol(self) -> asyncio.BaseProtocol:
        if len(self._web.connections) >= self.max_connections:
            return _Busy()
        return web.RequestHandler(self._web, loop=self._loop, keepalive_timeout=self.idle_timeout,
                                  lingering_time=LINGER, access_log=None, logger=_Quiet(log, {}))  # type: ignore[arg-type]

    async def _answer(self, request: web.BaseRequest) -> web.StreamResponse:
        declared = request.content_length  # a number: llhttp refused any other
        if declared is not None and declared > MAX_BODY:
            return too_large()
        try:
            body = await self._read_body(request)
        except _TooLarge:
            return too_large()
        except TimeoutError:
            return cut(request)  # a stalled body: closed, as a silent connection is
        path, _, query = request.raw_path.partition("?")
        req = Request(request.method, path, query, dict(request.headers), body, self.cloud.base_url)
        try:
            resp = None
            if req.method in QUICK_METHODS and self.cloud.lock.idle():
                with contextlib.suppress(MustWait):
                    resp = self.cloud.dispatch(req, waits=False)
            if resp is None:
                resp = await self._pool.run(self.cloud.dispatch, req)
        except Dropped:
            # An injected dropped connection: no status line, no body, the socket closed (its client sees
            # "connection closed without response", as from a crashed proxy).
            return cut(request)
        return answer(resp)

    async def _read_body(self, request: web.BaseRequest) -> bytes:
        if not request.body_exists:
            return b""
        chunks: list[bytes] = []
        size = 0
        while chunk := await asyncio.wait_for(request.content.readany(), self.idle_timeout):
            size += len(chunk)
            if size > MAX_BODY:
                raise _TooLarge
            chunks.append(chunk)
        return b"".join(chunks)


class _TooLarge(Exception):
    pass


def answer(resp: Response) -> web.Response:
    headers = {"Server": "democloud", **resp.headers}
    payload = resp.encoded()
    if payload or resp.status not in (204, 304):
        headers.setdefault("Content-Type", resp.content_type)
    return web.Response(status=resp.status, body=payload, headers=headers)


def too_large() -> web.Response:
    """A body the cloud will not read: answered, then the connection closed (what follows on it is the rest
    of that body)."""
    sent = answer(Response(413, {"error": {"code": 413, "message": f"request body larger than {MAX_BODY} bytes",
                                           "title": "Request Entity Too Large"}}))
    sent.force_close()
    return sent


def cut(request: web.BaseRequest) -> web.Response:
    """Close the connection without an answer; the response returned is never written (aiohttp finds the
    transport closed and drops it)."""
    if request.transport is not None:
        request.transport.close()
    return web.Response()
