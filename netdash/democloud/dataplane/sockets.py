"""Listening sockets of the data plane: loopback only, with the port fallbacks the README promises.

A listener remembers every connection it accepted, so closing it (server stopped, floating IP
disassociated, cloud stopped) also ends the conversations in flight, as a powered-off VM would.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import socket
from collections.abc import Awaitable, Callable

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
#: a port below 1024 that cannot be bound (not root, or taken) is tried again at port + 8000
UNPRIVILEGED_SHIFT = 8000
FALLBACK_HOST = "127.0.0.1"


class Listener:
    """One bound TCP server and the connections it is serving."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.server: asyncio.Server | None = None
        self.host = ""
        self.port = 0
        #: set when the wanted address could not be bound at all and 127.0.0.1 serves instead
        self.fallback = False
        self.connections: set[asyncio.StreamWriter] = set()
        self.tasks: set[asyncio.Task[None]] = set()

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.tasks.add(task)
        self.connections.add(writer)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            await self.handler(reader, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the peer went away mid-message: nothing to answer
        except asyncio.CancelledError:
            pass  # closed by `close()`: ending quietly keeps asyncio from logging the cancellation
        finally:
            self.connections.discard(writer)
            if task is not None:
                self.tasks.discard(task)
            writer.close()

    async def bind(self, host: str, ports: list[int]) -> None:
        """Try `ports` in order on `host`, then an ephemeral one; 127.0.0.1 if `host` is not bindable."""
        check_loopback(host)
        for port in dict.fromkeys([*ports, 0]):
            try:
                self.server = await asyncio.start_server(self.serve, host, port, backlog=256)
            except OSError as exc:
                if exc.errno == errno.EADDRNOTAVAIL:
                    self.fallback = True
                    self.server = await asyncio.start_server(self.serve, FALLBACK_HOST, 0, backlog=256)
                    break
                continue
            break
        assert self.server is not None
        self.host, self.port = self.server.sockets[0].getsockname()[:2]

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in list(self.connections):
            writer.close()
        for task in list(self.tasks):
            task.cancel()
        if self.tasks:
            with contextlib.suppress(Exception):
                await asyncio.wait(list(self.tasks), timeout=1)


def wanted_ports(service_port: int, remembered: int | None) -> list[int]:
    """The port last used for this address (stable endpoints), the service port, then port + 8000."""
    ports = [remembered] if remembered else []
    ports.append(service_port)
    if service_port < 1024:
        ports.append(service_port + UNPRIVILEGED_SHIFT)
    return ports


def check_loopback(host: str) -> None:
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"the data plane binds loopback addresses only, not {host}")


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> int:
    """Copy until end of stream, then half-close; returns the bytes copied."""
    total = 0
    try:
        while data := await reader.read(65536):
            total += len(data)
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except OSError:
        writer.close()
    return total


async def splice(client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                 upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> tuple[int, int]:
    """Both directions of a TCP proxy; (bytes in, bytes out) seen from the client."""
    inbound, outbound = await asyncio.gather(pipe(client[0], upstream[1]), pipe(upstream[0], client[1]))
    upstream[1].close()
    return inbound, outbound
