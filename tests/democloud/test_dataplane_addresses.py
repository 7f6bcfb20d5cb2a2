"""Document 000's port-migration and floating-IP scenarios end with curl answering from the swapped servers."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from netdash.democloud import DemoCloud
from tests.democloud.dataplane_support import answer, endpoint_of
from tests.osc import OpenStackCLI
from tests.waiting import wait_for


def both(cli: OpenStackCLI, *commands: str) -> None:
    """Two independent CLI commands at once: each costs the CLI's start-up time."""
    with ThreadPoolExecutor(len(commands)) as pool:
        list(pool.map(cli.run, commands))


def port_url(conn: Any, name: str) -> str | None:
    endpoint = endpoint_of(conn, "port", conn.network.find_port(name).id)
    return f"http://{endpoint}/" if endpoint else None


def test_port_migration_swaps_who_answers(web_cloud: DemoCloud, tmp_path: Path) -> None:
    conn = web_cloud.connection()
    cli = OpenStackCLI(web_cloud, tmp_path)
    url1, url2 = port_url(conn, "server-1-port"), port_url(conn, "server-2-port")
    assert url1 and url2
    address1 = conn.network.find_port("server-1-port").fixed_ips[0]["ip_address"]
    assert url1.startswith(f"http://{address1}:")  # the port's own address on `public`, bound for real
    assert (answer(url1), answer(url2)) == ("server1", "server2")

    both(cli, "server remove port server1 server-1-port", "server remove port server2 server-2-port")
    wait_for(lambda: port_url(conn, "server-1-port") is None, timeout=3, what="endpoint no longer listed")
    assert answer(url1) is None  # nothing behind the address: connection refused

    both(cli, "server add port server1 server-2-port", "server add port server2 server-1-port")
    both(cli, "server reboot server1", "server reboot server2")
    wait_for(lambda: answer(port_url(conn, "server-1-port") or url1) == "server2", timeout=3,
             what="server-1-port answered by server2")
    wait_for(lambda: answer(port_url(conn, "server-2-port") or url2) == "server1", timeout=3,
             what="server-2-port answered by server1")
    # the same address and port as before the swap, unless another worker's cloud (the same seed, so the
    # same public addresses) bound that port in the gap: then the same address on the fallback port
    now = port_url(conn, "server-1-port")
    host, port = url1[len("http://"):-1].rsplit(":", 1)
    assert now == url1 or (now and now.startswith(f"http://{host}:") and held_elsewhere(host, int(port))), now


def test_floating_ip_follows_reassignment_and_disassociation(web_cloud: DemoCloud, tmp_path: Path) -> None:
    conn = web_cloud.connection()
    cli = OpenStackCLI(web_cloud, tmp_path)
    server1 = conn.compute.find_server("server1")
    (port,) = conn.network.ports(device_id=server1.id, network_id=conn.network.find_network("private").id)
    (fip,) = conn.network.ips(port_id=port.id)
    address = fip.floating_ip_address
    endpoint = endpoint_of(conn, "floatingip", fip.id)
    assert endpoint is not None and endpoint.startswith(f"{address}:")
    assert not [t for t in conn.network.get_ip(fip.id).tags if "endpoint" in t]  # the user's tags only
    url = f"http://{endpoint}/"
    assert answer(url) == "server1"

    cli.run(f"server add floating ip server2 {address}")
    assert answer(url) == "server2"  # the very next connection, no waiting

    cli.run("server delete server2")
    assert address in cli.value("floating ip list -c 'Floating IP Address'")
    wait_for(lambda: answer(url) is None, timeout=3, what="nothing behind the floating IP")

    cli.run(f"server add floating ip server1 {address}")
    wait_for(lambda: answer(url) == "server1", timeout=3, what="floating IP back on server1")

    cli.run(f"server remove floating ip server1 {address}")
    host, port_text = endpoint.rsplit(":", 1)
    wait_for(lambda: endpoint_of(conn, "floatingip", fip.id) is None, timeout=3, what="no longer listed")
    assert not reachable(host, int(port_text))


def reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


def listening_here() -> set[tuple[str, int]]:
    """The TCP addresses this process listens on, from /proc: its own sockets, not other processes'."""
    inodes = set()
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            if (target := os.readlink(fd)).startswith("socket:["):
                inodes.add(target[8:-1])
    listening = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
            host, port = fields[1].split(":")
            listening.add((socket.inet_ntoa(bytes.fromhex(host)[::-1]), int(port, 16)))
    return listening


def held_elsewhere(host: str, port: int) -> bool:
    """Another process listens on the address (a bind that allows TIME_WAIT leftovers still fails)."""
    if (host, port) in listening_here():
        return False
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def test_stop_closes_every_listener(web_cloud: DemoCloud) -> None:
    plane = web_cloud.dataplane
    assert plane is not None
    lines = plane.subscribe(lambda line: None)
    endpoints = [e for line in lines for e in line.split(": ", 1)[1].split(", ")]
    assert len(endpoints) == 7  # 2 backends, the listener, 2 floating IPs, server-1-port, server-2-port
    addresses = [(host, int(port)) for host, port in (e.rsplit(":", 1) for e in endpoints)]
    assert all(reachable(*a) for a in addresses)
    assert set(addresses) <= listening_here()
    web_cloud.stop()
    # not a bind() of each address: another test's cloud, in another worker, may take the same 127.24.4.x:80 at once
    assert not set(addresses) & listening_here(), "a data-plane listener outlived the cloud"
    assert web_cloud.cloud.endpoints.entries() == {}


def test_stopped_server_refuses_and_pure_clouds_have_no_data_plane(web_cloud: DemoCloud) -> None:
    from netdash.democloud.app import Cloud

    conn = web_cloud.connection()
    url = port_url(conn, "server-2-port")
    assert url and answer(url) == "server2"
    conn.compute.stop_server(conn.compute.find_server("server2"))
    assert answer(url) is None
    assert not hasattr(Cloud(), "dataplane")


def test_demo_cloud_prints_its_endpoints() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "netdash.democloud"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            if line.startswith("clouds:"):
                break
            lines.append(line)
        printed = [line for line in lines if line.startswith("# data plane: ")]
        assert any("floating IP 127.24.4." in line and "load balancer web" in line for line in printed)
        assert any(line.startswith("# data plane: port server-1-port") for line in printed)
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
