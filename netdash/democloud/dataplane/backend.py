"""A server's web server: what nginx or Apache inside the VM would answer, on a loopback port of its own.

`GET /` names the server in the title and first line, so a `curl` (or a test) sees which VM answered;
`GET /slow?seconds=N` holds the request for N seconds (at most 30), which makes LEAST_CONNECTIONS
observable; `GET /health` is a cheap 200 for monitors. Anything else is a 404 in the software's style.
"""

from __future__ import annotations

import asyncio
import html
from urllib.parse import parse_qs, urlsplit

from . import httpio
from .desired import BackendSpec
from .sockets import Listener

MAX_SLOW = 30.0


class Backend:
    def __init__(self, spec: BackendSpec) -> None:
        self.spec = spec
        self.listener = Listener(self.handle)
        self.requests = 0

    @property
    def endpoint(self) -> tuple[str, int]:
        return self.listener.host, self.listener.port

    async def start(self, remembered: int | None) -> None:
        await self.listener.bind("127.0.0.1", [remembered] if remembered else [])

    async def stop(self) -> None:
        await self.listener.close()

    def page(self) -> bytes:
        name = html.escape(self.spec.name)
        product = "nginx" if self.spec.software == "nginx" else "Apache HTTP Server"
        return (f"<html><head><title>{name}</title></head><body>\n"
                f"<h1>{name}</h1>\n"
                f"<p>{product} on {name} ({self.spec.server_id}), served by the embedded cloud.</p>\n"
                f"</body></html>\n").encode()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await httpio.read_head(reader)
                if head is None:
                    return
                await httpio.read_body(reader, head)
            except httpio.BadMessage:
                writer.write(self.answer(400, "Bad Request", b"bad request\n", False, False))
                return
            self.requests += 1
            method, target = [*head.start.split(" "), "", ""][:2]
            url = urlsplit(target)
            keep = head.keep_alive
            if method not in ("GET", "HEAD", "POST"):
                writer.write(self.answer(405, "Method Not Allowed", b"", keep, False))
            elif url.path == "/slow":
                seconds = parse_qs(url.query).get("seconds", ["1"])[0]
                try:
                    delay = min(max(float(seconds), 0.0), MAX_SLOW)
                except ValueError:
                    delay = 1.0
                await asyncio.sleep(delay)
                writer.write(self.answer(200, "OK", self.page(), keep, method == "HEAD"))
            elif url.path in ("/", "/index.html", "/health"):
                writer.write(self.answer(200, "OK", self.page(), keep, method == "HEAD"))
            else:
                writer.write(self.answer(404, "Not Found", b"<html><body><h1>404 Not Found</h1></body></html>\n",
                                         keep, method == "HEAD"))
            await writer.drain()
            if not keep:
                return

    def answer(self, status: int, reason: str, body: bytes, keep: bool, head_only: bool) -> bytes:
        # As with `server_tokens off` / `ServerTokens Prod`: the product name only.
        return httpio.response(status, reason, body, [("Server", self.spec.software),
                                                      ("Content-Type", "text/html; charset=utf-8"),
                                                      ("X-Served-By", self.spec.name)],
                               keep_alive=keep, head_only=head_only)
