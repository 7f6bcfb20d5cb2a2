"""Just enough HTTP/1.1 framing for the backends, the load balancer's HTTP mode and the health probes.

Messages are forwarded as the bytes that came in (head and body); only the framing is parsed, so a
keep-alive connection can carry the next request and the proxy knows where one response ends.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

MAX_HEAD = 64 * 1024


class BadMessage(Exception):
    """Not HTTP we can frame: the connection is closed, as a proxy would after a 400."""


@dataclass
class Head:
    start: str
    headers: list[tuple[str, str]]
    raw: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)

    @property
    def version(self) -> str:
        parts = self.start.split(" ")
        return parts[0] if parts[0].startswith("HTTP/") else parts[-1]

    @property
    def keep_alive(self) -> bool:
        connection = (self.header("connection") or "").lower()
        if self.version == "HTTP/1.0":
            return "keep-alive" in connection
        return "close" not in connection


async def read_head(reader: asyncio.StreamReader) -> Head | None:
    """The start line and headers; None on a clean end of stream before any byte."""
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise BadMessage("truncated head") from None
    except asyncio.LimitOverrunError:
        raise BadMessage("head too large") from None
    lines = raw.decode("latin-1").split("\r\n")
    headers = []
    for line in lines[1:]:
        if line:
            name, sep, value = line.partition(":")
            if not sep:
                raise BadMessage(f"bad header line {line!r}")
            headers.append((name.strip(), value.strip()))
    return Head(lines[0], headers, raw)


async def read_body(reader: asyncio.StreamReader, head: Head, *, response_to: str | None = None) -> bytes:
    """The body exactly as framed on the wire (chunked stays chunked); `response_to` is the request method."""
    if response_to is not None:
        status = int(head.start.split(" ")[1])
        if response_to == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return b""
    if "chunked" in (head.header("transfer-encoding") or "").lower():
        return await read_chunked(reader)
    length = head.header("content-length")
    if length is not None:
        try:
            size = int(length)
        except ValueError:
            raise BadMessage("bad Content-Length") from None
        return await reader.readexactly(size) if size > 0 else b""
    if response_to is not None:
        return await reader.read()  # framed by the end of the connection
    return b""


async def read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        line = await reader.readuntil(b"\r\n")
        parts.append(line)
        size = int(line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while True:  # trailers, up to the empty line
                trailer = await reader.readuntil(b"\r\n")
                parts.append(trailer)
                if trailer == b"\r\n":
                    return b"".join(parts)
        parts.append(await reader.readexactly(size + 2))


def response(status: int, reason: str, body: bytes, headers: list[tuple[str, str]],
             *, keep_alive: bool = True, head_only: bool = False) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers),
             f"Content-Length: {len(body)}", "Connection: " + ("keep-alive" if keep_alive else "close")]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if head_only else body)


#: what Octavia's haproxy answers when no member can take the request
NO_SERVER = (b"<html><body><h1>503 Service Unavailable</h1>\n"
             b"No server is available to handle this request.\n</body></html>\n")


def unavailable(keep_alive: bool) -> bytes:
    return response(503, "Service Unavailable", NO_SERVER,
                    [("Cache-Control", "no-cache"), ("Content-Type", "text/html")], keep_alive=keep_alive)
