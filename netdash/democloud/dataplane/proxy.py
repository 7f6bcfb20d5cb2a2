"""An Octavia listener as a real proxy: HTTP per request (keep-alive on both sides), TCP per connection.

The proxy reads its listener's current configuration from the plane's snapshot for every request, so
`pool set --lb-algorithm`, a member's weight or admin state, and the monitor's verdicts apply to the next
request. A request no member can take gets haproxy's 503; a member that refuses the connection is skipped
for the next one (haproxy's `option redispatch`).
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from . import httpio, l7
from .balance import Balancer
from .desired import HTTP_PROTOCOLS, Desired, ListenerSpec, MemberSpec, PoolSpec
from .publish import Counters
from .sockets import Listener, splice


class ProxyHost(Protocol):
    """What a listener's proxy asks of the data plane (`DataPlane` is one) for each request."""

    @property
    def upstreams(self) -> Upstreams: ...

    def current(self) -> Desired: ...

    def usable(self, pool: PoolSpec, member: MemberSpec) -> bool: ...

    def balancer(self, pool_id: str) -> Balancer: ...

    def member_endpoint(self, member: MemberSpec) -> tuple[str, int] | None: ...

    def stats_of(self, listener_id: str) -> Counters: ...

#: haproxy's `timeout connect` as Octavia configures it (timeout_member_connect, 5 s)
CONNECT_TIMEOUT = 5.0
Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class Upstreams:
    """Idle keep-alive connections to backends, shared by every listener (as haproxy's `http-reuse`)."""

    def __init__(self) -> None:
        self.idle: dict[tuple[str, int], list[Conn]] = {}

    async def get(self, endpoint: tuple[str, int]) -> tuple[Conn, bool]:
        pool = self.idle.get(endpoint)
        while pool:
            conn = pool.pop()
            if not conn[1].is_closing() and not conn[0].at_eof():
                return conn, True
        conn = await asyncio.wait_for(asyncio.open_connection(*endpoint), CONNECT_TIMEOUT)
        return conn, False

    def put(self, endpoint: tuple[str, int], conn: Conn) -> None:
        self.idle.setdefault(endpoint, []).append(conn)

    def drop(self, endpoint: tuple[str, int]) -> None:
        for _, writer in self.idle.pop(endpoint, []):
            writer.close()

    def close(self) -> None:
        for endpoint in list(self.idle):
            self.drop(endpoint)


class ListenerProxy:
    def __init__(self, plane: ProxyHost, spec: ListenerSpec) -> None:
        self.plane = plane
        self.id = spec.id
        self.protocol = spec.protocol
        self.listener = Listener(self.handle)

    async def start(self, remembered: int | None) -> None:
        await self.listener.bind("127.0.0.1", [remembered] if remembered else [])

    async def stop(self) -> None:
        await self.listener.close()

    # --- choosing a member ----------------------------------------------------------------------
    def spec(self) -> ListenerSpec | None:
        return self.plane.current().listeners.get(self.id)

    def choose(self, client: tuple[str, int], skip: set[str],
               pool: PoolSpec | None) -> tuple[Balancer, MemberSpec, tuple[str, int] | None] | None:
        if pool is None or not pool.enabled:
            return None
        usable = [m for m in pool.members if m.id not in skip and self.plane.usable(pool, m)]
        primaries = [m for m in usable if not m.backup] or usable
        balancer = self.plane.balancer(pool.id)
        member = balancer.pick(pool.algorithm, primaries, client)
        if member is None:
            return None
        return balancer, member, self.plane.member_endpoint(member)

    # --- serving --------------------------------------------------------------------------------
    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one client connection (accepted here, or handed over by a floating IP's listener)."""
        peer = writer.get_extra_info("peername") or ("0.0.0.0", 0)
        client = (str(peer[0]), int(peer[1]))
        stats = self.plane.stats_of(self.id)
        stats.opened()
        try:
            if self.protocol in HTTP_PROTOCOLS:
                await self.http(reader, writer, client)
            else:
                await self.tcp(reader, writer, client)
        finally:
            stats.closed()

    async def tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                  client: tuple[str, int]) -> None:
        skip: set[str] = set()
        spec = self.spec()
        while (choice := self.choose(client, skip, spec.pool if spec else None)) is not None:
            balancer, member, endpoint = choice
            try:
                if endpoint is None:
                    raise ConnectionRefusedError
                upstream = await asyncio.wait_for(asyncio.open_connection(*endpoint), CONNECT_TIMEOUT)
            except (OSError, TimeoutError):
                skip.add(member.id)
                continue
            balancer.opened(member.id)
            try:
                inbound, outbound = await splice((reader, writer), upstream)
            finally:
                balancer.closed(member.id)
            self.plane.stats_of(self.id).add(bytes_in=inbound, bytes_out=outbound)
            return
        self.plane.stats_of(self.id).add(request_errors=1)

    async def http(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                   client: tuple[str, int]) -> None:
        stats = self.plane.stats_of(self.id)
        while True:
            try:
                head = await httpio.read_head(reader)
                if head is None:
                    return
                body = await httpio.read_body(reader, head)
            except httpio.BadMessage:
                writer.write(httpio.response(400, "Bad Request", b"", [], keep_alive=False))
                stats.add(request_errors=1)
                return
            keep = head.keep_alive
            request = head.raw + body
            method = head.start.split(" ")[0]
            spec = self.spec()
            decision = l7.decide(spec.policies, head, keep) if spec is not None else l7.Decision()
            if decision.answer is not None:  # rejected or redirected by an L7 policy: haproxy answers
                writer.write(decision.answer)
                stats.add(bytes_in=len(request), bytes_out=len(decision.answer))
                await writer.drain()
                if not keep:
                    return
                continue
            pool = decision.pool or (spec.pool if spec is not None else None)
            answer = await self.forward(request, method, keep, client, pool)
            if answer is None:
                writer.write(httpio.unavailable(keep))
                stats.add(request_errors=1, bytes_in=len(request))
            else:
                writer.write(answer[0])
                keep = keep and answer[1]
                stats.add(bytes_in=len(request), bytes_out=len(answer[0]))
            await writer.drain()
            if not keep:
                return

    async def forward(self, request: bytes, method: str, keep: bool, client: tuple[str, int],
                      pool: PoolSpec | None) -> tuple[bytes, bool] | None:
        """The member's whole response and whether it keeps the connection; None when none answered."""
        skip: set[str] = set()
        while (choice := self.choose(client, skip, pool)) is not None:
            balancer, member, endpoint = choice
            if endpoint is None:
                skip.add(member.id)
                continue
            balancer.opened(member.id)
            try:
                return await self.exchange(endpoint, request, method, keep)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, httpio.BadMessage):
                skip.add(member.id)
            finally:
                balancer.closed(member.id)
        return None

    async def exchange(self, endpoint: tuple[str, int], request: bytes, method: str,
                       keep: bool) -> tuple[bytes, bool]:
        upstreams = self.plane.upstreams
        for _ in range(2):  # a pooled connection the backend closed meanwhile gets one fresh retry
            (reader, writer), reused = await upstreams.get(endpoint)
            try:
                writer.write(request)
                head = await httpio.read_head(reader)
                if head is None:
                    raise ConnectionResetError("backend closed the connection")
                body = await httpio.read_body(reader, head, response_to=method)
            except (OSError, asyncio.IncompleteReadError, httpio.BadMessage):
                writer.close()
                if reused:
                    continue
                raise
            if keep and head.keep_alive and not reader.at_eof():
                upstreams.put(endpoint, (reader, writer))
            else:
                writer.close()
            return head.raw + body, head.keep_alive
        raise ConnectionResetError("backend closed the connection")
