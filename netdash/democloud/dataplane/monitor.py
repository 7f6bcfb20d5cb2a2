"""Health monitors that really probe: one task per monitored member, feeding Octavia's operating status.

A member's state starts unknown (Octavia's own guess shows in the API, and traffic goes to it while its
address reaches a running backend, as haproxy starts servers UP); `max_retries` consecutive successes make
it ONLINE, `max_retries_down` consecutive failures ERROR. Verdicts are pinned in Octavia with
`set_member_health`, so the API, the status tree and the aggregate statuses follow the probes. A healthy
member of weight 0 is DRAINING, as Octavia reports haproxy's DRAIN state.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from . import httpio
from .desired import Desired, MemberSpec, MonitorSpec

if TYPE_CHECKING:
    from ..loadbalancer import LoadBalancer
    from ..runtime import Runtime


class ProbeHost(Protocol):
    """What the prober asks of the data plane (`DataPlane` is one)."""

    @property
    def cloud(self) -> Runtime: ...

    @property
    def octavia(self) -> LoadBalancer: ...

    def current(self) -> Desired: ...

    def backend_endpoint(self, server_id: str | None, port: int) -> tuple[str, int] | None: ...

#: monitor types probed with an HTTP request; every other one (TCP, PING, TLS-HELLO...) is a TCP connect
HTTP_TYPES = ("HTTP",)


def expected(codes: str, status: int) -> bool:
    """Octavia's expected_codes: "200", "200,202" or "200-204"."""
    for part in codes.split(","):
        low, _, high = part.strip().partition("-")
        if low.isdigit() and int(low) <= status <= int(high or low):
            return True
    return False


@dataclass
class Health:
    up: bool | None = None
    successes: int = 0
    failures: int = 0
    config: tuple[Any, ...] = ()
    task: asyncio.Task[None] | None = None


class Prober:
    def __init__(self, plane: ProbeHost) -> None:
        self.plane = plane
        self.health: dict[str, Health] = {}
        #: what was last pinned in Octavia per member (None: Octavia's own guess)
        self.pinned: dict[str, str | None] = {}

    def is_up(self, member_id: str) -> bool | None:
        health = self.health.get(member_id)
        return health.up if health is not None else None

    def sync(self, desired: Desired) -> None:
        """Start, restart (on a changed monitor or probe target) and stop probes to match `desired`."""
        wanted: dict[str, tuple[MonitorSpec, MemberSpec]] = {}
        for listener in desired.listeners.values():
            for pool in listener.pools:
                if pool.monitor is not None:
                    for member in pool.members:
                        wanted[member.id] = (pool.monitor, member)
        for member_id in [m for m in self.health if m not in wanted]:
            self.forget(member_id)
        for member_id, (monitor, member) in wanted.items():
            health = self.health.setdefault(member_id, Health())
            config = (monitor, member.probe_server_id, member.probe_port)
            if config != health.config:
                if health.task is not None:
                    health.task.cancel()
                health.config = config
                health.task = asyncio.get_running_loop().create_task(self.run(member_id, monitor))
            self.pin(member_id, member)

    def forget(self, member_id: str) -> None:
        health = self.health.pop(member_id)
        if health.task is not None:
            health.task.cancel()
        if self.pinned.pop(member_id, None) is not None:
            self.plane.octavia.set_member_health(member_id, None)

    def pin(self, member_id: str, member: MemberSpec) -> None:
        up = self.health[member_id].up
        status = None if up is None else "ERROR" if not up else "DRAINING" if member.weight == 0 else "ONLINE"
        if self.pinned.get(member_id) != status:
            self.pinned[member_id] = status
            self.plane.octavia.set_member_health(member_id, status)

    async def close(self) -> None:
        for member_id in list(self.health):
            self.forget(member_id)

    # --- probing --------------------------------------------------------------------------------
    async def run(self, member_id: str, monitor: MonitorSpec) -> None:
        scale = self.plane.cloud.settings.monitor_time_scale
        while True:
            await asyncio.sleep(monitor.delay * scale)
            member = self.plane.current().members.get(member_id)
            health = self.health.get(member_id)
            if member is None or health is None:
                return
            ok = await self.probe(monitor, member, monitor.timeout * scale)
            if ok:
                health.successes, health.failures = health.successes + 1, 0
                if health.up is not True and health.successes >= monitor.max_retries:
                    health.up = True
            else:
                health.successes, health.failures = 0, health.failures + 1
                if health.up is not False and health.failures >= monitor.max_retries_down:
                    health.up = False
            self.pin(member_id, member)

    async def probe(self, monitor: MonitorSpec, member: MemberSpec, timeout: float) -> bool:
        endpoint = self.plane.backend_endpoint(member.probe_server_id, member.probe_port)
        if endpoint is None:
            return False
        writer = None
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(*endpoint)
                if monitor.type not in HTTP_TYPES:
                    return True
                writer.write(f"{monitor.http_method} {monitor.url_path} HTTP/1.0\r\n"
                             f"Host: {member.address}\r\nUser-Agent: democloud-health-monitor\r\n\r\n".encode())
                head = await httpio.read_head(reader)
                if head is None:
                    return False
                return expected(monitor.expected_codes, int(head.start.split(" ")[1]))
        except (OSError, TimeoutError, ValueError, IndexError, httpio.BadMessage):
            return False
        finally:
            if writer is not None:
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()
