"""Established connections through a floating IP or a port's address, as Neutron's L3 agent treats their
conntrack entries (`democloud/dataplane/edges.py`): closed when the floating IP is disassociated, kept on
their old target when it moves to another port, reset when the port itself goes to another server."""

from __future__ import annotations

import asyncio
import re
import socket
from typing import Any

from netdash.democloud import DemoCloud
from netdash.democloud.dataplane.desired import Desired, EdgeSpec, Target
from netdash.democloud.dataplane.edges import Edge
from tests.democloud.dataplane_support import answer, endpoint_of
from tests.waiting import wait_for

TITLE = re.compile(rb"<title>([^<]*)</title>")


class KeepAlive:
    """One TCP connection, GETs sent on it one after another (what a browser or the probe holds)."""

    def __init__(self, endpoint: str) -> None:
        host, port = endpoint.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=5)

    def get(self) -> str | None:
        """Which server answered on this very connection; None once the cloud closed or reset it."""
        try:
            self.sock.sendall(b"GET / HTTP/1.1\r\nHost: probe\r\n\r\n")
            data = b""
            while b"</html>" not in data:  # the whole page: the next GET starts on a clean connection
                chunk = self.sock.recv(65536)
                if not chunk:
                    return None
                data += chunk
            match = TITLE.search(data)
            return match.group(1).decode() if match else None
        except OSError:
            return None

    def closed(self) -> bool:
        """Whether the far end closed (EOF) or reset the connection, without sending anything."""
        self.sock.setblocking(False)
        try:
            return self.sock.recv(1) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True
        finally:
            self.sock.setblocking(True)

    def close(self) -> None:
        self.sock.close()


def server1_fip(conn: Any) -> tuple[Any, str]:
    server1 = conn.compute.find_server("server1")
    private = conn.network.find_network("private")
    (port,) = conn.network.ports(device_id=server1.id, network_id=private.id)
    (fip,) = conn.network.ips(port_id=port.id)
    endpoint = endpoint_of(conn, "floatingip", fip.id)
    assert endpoint is not None
    return fip, endpoint


def test_disassociating_a_floating_ip_closes_its_connections(web_cloud: DemoCloud) -> None:
    """As `remove_floating_ip` -> `delete_addr_and_conntrack_state` (`conntrack -D -d <fip>`)."""
    conn = web_cloud.connection()
    fip, endpoint = server1_fip(conn)
    held = KeepAlive(endpoint)
    try:
        assert held.get() == "server1" and held.get() == "server1"  # kept alive: the same connection twice
        conn.network.update_ip(fip, port_id=None)
        wait_for(held.closed, timeout=3, what="the established connection closed")
        assert held.get() is None
    finally:
        held.close()


def test_moving_a_floating_ip_keeps_established_connections_on_the_old_target(web_cloud: DemoCloud) -> None:
    """As `move_floating_ip`, which deletes no conntrack entry: new connections reach the new port, the
    established one still reaches the old one. (The probe does not rely on either: it reconnects.)"""
    conn = web_cloud.connection()
    fip, endpoint = server1_fip(conn)
    server2 = conn.compute.find_server("server2")
    private = conn.network.find_network("private")
    (port2,) = conn.network.ports(device_id=server2.id, network_id=private.id)
    held = KeepAlive(endpoint)
    try:
        assert held.get() == "server1"
        conn.network.update_ip(fip, port_id=port2.id)
        wait_for(lambda: answer(f"http://{endpoint}/") == "server2", timeout=3, what="a new connection: server2")
        assert not held.closed()
        assert held.get() == "server1"  # its conntrack entry still translates to server1's address
    finally:
        held.close()


async def test_a_connection_whose_port_went_to_another_server_is_reset() -> None:
    """The floating IP still translates to the same fixed IP, which now lives on another VM: that VM has no
    such connection and resets it. A connection opened before a move to another port is kept."""

    async def backend(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.read(65536):
            pass
        writer.close()

    server = await asyncio.start_server(backend, "127.0.0.1", 0)
    endpoint = server.sockets[0].getsockname()[:2]
    server1, server2 = Target("server", "s1", "server1"), Target("server", "s2", "server2")
    spec = EdgeSpec(("floatingip", "f"), "127.0.0.1", 80, "floating IP", server1, "port-a")

    class Plane:
        proxies: dict[str, Any] = {}
        desired = Desired(edges={spec.key: spec})

        def current(self) -> Desired:
            return self.desired

        def backend_endpoint(self, server_id: str | None, port: int) -> tuple[str, int]:
            return endpoint

    edge = Edge(Plane(), spec)
    await edge.start(None)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", edge.listener.port)
        while not edge.routes:
            await asyncio.sleep(0.01)
        moved = EdgeSpec(spec.owner, spec.address, 80, "floating IP", server2, "port-b")
        assert edge.follow(moved) == 0 and len(edge.routes) == 1  # a move to another port: kept
        swapped = EdgeSpec(spec.owner, spec.address, 80, "floating IP", server2, "port-a")
        assert edge.follow(swapped) == 1 and not edge.routes  # the same port, another server: reset
        try:
            assert await asyncio.wait_for(reader.read(1), 2) == b""
        except ConnectionResetError:
            pass
        writer.close()
    finally:
        await edge.stop()
        server.close()
        await server.wait_closed()
