"""The seeded embedded cloud with fast health monitors, and the probe's targets read from its topology."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from netdash.cloud.client import CloudClient
from netdash.cloud.model import Topology
from netdash.democloud import DemoCloud, Settings
from tests.democloud.dataplane_support import SCALE


@pytest.fixture
def probe_cloud() -> Iterator[DemoCloud]:
    """The seed scenario with its data plane; the monitor runs at SCALE (delay 3 s -> 0.3 s)."""
    settings = Settings(provisioning_delay=0.2, build_delay=0.1, monitor_time_scale=SCALE)
    with DemoCloud(seed=True, settings=settings) as cloud:
        yield cloud


@pytest.fixture
def topology(probe_cloud: DemoCloud) -> Topology:
    """The topology as the dashboard sees it (through openstacksdk), with where the cloud serves each address."""
    client = CloudClient.for_demo(probe_cloud, max_rps=1000)
    try:
        return client.fetch_topology_sync()
    finally:
        client.close()


def load_balancer(topology: Topology, name: str = "web") -> Any:
    return next(lb for lb in topology.load_balancers.values() if lb.name == name)


def floating_ip_of_server(topology: Topology, name: str) -> Any:
    server = next(s for s in topology.servers.values() if s.name == name)
    ports = {p.id for p in topology.ports_of_device(server.id)}
    return next(fip for fip in topology.floating_ips.values() if fip.port_id in ports)


async def until(check: Callable[[], object], timeout: float, what: str) -> None:
    """Wait for a condition while the probe's own requests run on this loop (no blind sleep)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.02)
