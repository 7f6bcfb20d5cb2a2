"""Real addresses of the cloud: floating IPs and ports on `public`, listening on 127.24.4.x.

Which server or load balancer a connection reaches is looked up when it arrives, in the plane's current
snapshot (re-read whenever the API changed something), so re-associating a floating IP or moving a port
takes effect for the very next connection. A connection for a load balancer is handed to its listener's
proxy in-process, keeping the client's own address for SOURCE_IP.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Protocol

from .desired import Desired, EdgeKey, EdgeSpec
from .proxy import CONNECT_TIMEOUT, ListenerProxy
from .sockets import Listener, splice, wanted_ports


class EdgeHost(Protocol):
    """What an edge asks of the data plane (`DataPlane` is one) when a connection arrives."""

    @property
    def proxies(self) -> Mapping[str, ListenerProxy]: ...

    def current(self) -> Desired: ...

    def backend_endpoint(self, server_id: str | None, port: int) -> tuple[str, int] | None: ...


class Edge:
    def __init__(self, plane: EdgeHost, spec: EdgeSpec) -> None:
        self.plane = plane
        self.key: EdgeKey = spec.key
        self.address = spec.address
        self.service_port = spec.service_port
        self.listener = Listener(self.handle)

    async def start(self, remembered: int | None) -> None:
        await self.listener.bind(self.address, wanted_ports(self.service_port, remembered))

    async def stop(self) -> None:
        await self.listener.close()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        spec = self.plane.current().edges.get(self.key)
        if spec is None:
            return  # nothing behind this address any more: the listener closes at the next reconcile
        target = spec.target
        if target.kind == "listener":
            proxy = self.plane.proxies.get(target.id)
            if proxy is not None:
                await proxy.handle(reader, writer)
            return
        endpoint = self.plane.backend_endpoint(target.id, self.service_port)
        if endpoint is None:
            return
        try:
            upstream = await asyncio.wait_for(asyncio.open_connection(*endpoint), CONNECT_TIMEOUT)
        except (OSError, TimeoutError):
            return
        await splice((reader, writer), upstream)
