"""Real addresses of the cloud: floating IPs and ports on `public`, listening on 127.24.4.x.

Which server or load balancer a connection reaches is looked up when it arrives, in the plane's current
snapshot (re-read whenever the API changed something), so re-associating a floating IP or moving a port
takes effect for the very next connection. A connection for a load balancer is handed to its listener's
proxy in-process, keeping the client's own address for SOURCE_IP.

What happens to the connections already established, checked against Neutron's L3 agent (openstack/neutron
master, read 2026-12: `neutron/agent/l3/router_info.py`, `neutron/agent/linux/ip_lib.py`,
`neutron/agent/l3/dvr_local_router.py`, `neutron/agent/l3/dvr_edge_router.py`, `neutron/agent/l3/ha_router.py`),
where a floating IP is an iptables DNAT rule and each connection a conntrack entry that keeps the
translation it was made with:

- disassociated or deleted: `RouterInfo.process_floating_ip_addresses` finds the address no longer wanted
  and calls `remove_floating_ip`, i.e. `IpDevice.delete_addr_and_conntrack_state` ("This terminates any
  active connections through an IP": `conntrack -D -d <fip>` and `-q <fip>`); DVR's
  `DvrLocalRouter.remove_floating_ip` calls `delete_conntrack_state` (bug 1818805), the centralized DVR
  path `delete_addr_and_conntrack_state`, an HA router removes the keepalived VIP and then the same.
  Here: the address stops being served and its connections are closed (`Listener.close`).
- moved to another port (`PUT` with a new `port_id`, no disassociation between): the agent sees the same
  address with another fixed IP and calls `move_floating_ip`, which in `RouterInfo` only returns ACTIVE
  and in DVR replaces the ip rule: no conntrack entry is deleted. New connections get the new DNAT rule;
  an established one keeps reaching the old fixed IP. Here: a connection keeps the target it opened to.
- the port moved to another server (the port-migration swap): the floating IP still translates to the
  same fixed IP, but that address now lives on another VM, which has no such connection and resets it.
  Here: the connection is reset (RST), however it was routed.

`neutron/agent/linux/ip_conntrack.py` is the security groups' conntrack zone manager, not this. An OVN
cloud differs again: it uses stateless NAT for floating IPs (`dc677682ca`, "ovn: use stateless NAT rules
for FIPs"), so after a move each packet goes to the new fixed IP, whose VM resets the connection. No
client (the netdash probe included) should rely on any of these: it reconnects when the meaning changed.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Mapping
from typing import Protocol

from .desired import Desired, EdgeKey, EdgeSpec, Target
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
        #: each live connection: the port it was translated to and what it reached (its conntrack entry)
        self.routes: dict[asyncio.StreamWriter, tuple[str, Target]] = {}

    async def start(self, remembered: int | None) -> None:
        await self.listener.bind(self.address, wanted_ports(self.service_port, remembered))

    async def stop(self) -> None:
        """The address is no longer served (floating IP disassociated or deleted, nothing behind the port):
        the listener and every connection through it close, as `conntrack -D` ends them."""
        await self.listener.close()

    def follow(self, spec: EdgeSpec) -> int:
        """The address is still served, maybe elsewhere now: reset the connections whose port went to
        another server or load balancer; keep those opened before a move to another port (see the module's
        docstring). Returns how many were reset."""
        reset = [writer for writer, (port_id, target) in self.routes.items()
                 if port_id == spec.port_id and target != spec.target]
        for writer in reset:
            del self.routes[writer]
            abort(writer)
        return len(reset)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        spec = self.plane.current().edges.get(self.key)
        if spec is None:
            return  # nothing behind this address any more: the listener closes at the next reconcile
        self.routes[writer] = (spec.port_id, spec.target)
        try:
            await self.route(spec.target, reader, writer)
        finally:
            self.routes.pop(writer, None)

    async def route(self, target: Target, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
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


def abort(writer: asyncio.StreamWriter) -> None:
    """Close with a reset (SO_LINGER 0), as a VM answers a segment of a connection it does not have."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()
