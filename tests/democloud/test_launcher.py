"""DemoCloud's lifecycle: a stopped cloud refuses connections; started again, it serves the same state."""

from __future__ import annotations

import socket

import httpx
import pytest

from netdash.democloud import DemoCloud, NotLoopback, Settings


def test_stop_and_restart_on_the_same_port_keeps_the_state() -> None:
    cloud = DemoCloud(seed=False, settings=Settings(provisioning_delay=0, build_delay=0)).start()
    try:
        conn = cloud.connection()
        conn.network.create_network(name="kept")
        port = cloud.port
        with httpx.Client() as kept_alive:
            assert kept_alive.get(cloud.auth_url).status_code == 200
            cloud.stop()
            # Neither new connections nor the open keep-alive one are answered any more.
            with pytest.raises(httpx.TransportError):
                kept_alive.get(cloud.auth_url, timeout=2)
        with pytest.raises(httpx.ConnectError):
            httpx.get(cloud.auth_url, timeout=2)
        cloud.start()
        assert cloud.port == port
        assert {n.name for n in cloud.connection().network.networks()} == {"public", "kept"}
    finally:
        cloud.stop()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "example.invalid"])
def test_only_loopback_hosts_are_accepted(host: str) -> None:
    with pytest.raises(NotLoopback):
        DemoCloud(host=host)


def ipv6_loopback_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not ipv6_loopback_available(), reason="this machine has no IPv6 loopback")
def test_ipv6_loopback_works() -> None:
    with DemoCloud(host="::1", seed=False) as cloud:
        assert cloud.auth_url.startswith("http://[::1]:")
        assert httpx.get(cloud.auth_url).json()["version"]["id"].startswith("v3")
