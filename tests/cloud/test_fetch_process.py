"""The fetch process (`CloudClient.start_fetch_process`), through openstacksdk against the embedded cloud:
it sees what the dashboard's own fetch sees, sends only what changed, reports the cloud's failures as the
same errors, and when it dies the client goes on fetching by itself."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from netdash.cloud.client import CloudClient
from netdash.cloud.errors import ApiError
from netdash.cloud.export import topology_to_dict
from netdash.democloud import DemoCloud
from tests.waiting import wait_for


@pytest.fixture
def forked(seeded_cloud: DemoCloud) -> Iterator[CloudClient]:
    """A client whose fetches go through its fetch process (up before the test starts)."""
    c = CloudClient.for_demo(seeded_cloud, max_rps=1000)
    assert c.start_fetch_process()
    assert c.fetch_process_ready(wait=30)
    yield c
    c.close()


def same(a: object, b: object) -> bool:
    one, two = topology_to_dict(a), topology_to_dict(b)  # type: ignore[arg-type]
    one.pop("fetched_at"), two.pop("fetched_at")
    return one == two


def test_it_sees_what_a_fetch_here_sees_and_follows_changes(forked: CloudClient, client: CloudClient,
                                                            seeded_cloud: DemoCloud) -> None:
    first = forked.fetch_topology_sync()
    assert first.ports and first.members and same(first, client.fetch_topology_sync())

    conn = seeded_cloud.connection()
    net = conn.network.create_network(name="from-the-test")
    port = next(p for p in first.ports.values() if p.name)
    conn.network.update_port(port.id, name="renamed-by-the-test")
    gone = next(iter(first.floating_ips.values()))
    conn.network.delete_ip(gone.id)

    second = forked.fetch_topology_sync()
    assert same(second, client.fetch_topology_sync())
    assert second.networks[net.id].name == "from-the-test" and gone.id not in second.floating_ips
    assert second.ports[port.id].name == "renamed-by-the-test"
    assert all(second.ports[i] is first.ports[i] for i in second.ports if i != port.id)
    assert second.subnets is first.subnets  # not one subnet changed: the same view


def test_its_calls_count_and_the_first_fetch_starts_from_what_the_client_had(seeded_cloud: DemoCloud) -> None:
    c = CloudClient.for_demo(seeded_cloud, max_rps=1000)
    try:
        here = c.fetch_topology_sync()  # before the fetch process: a fetch here
        c.start_fetch_process()
        assert c.fetch_process_ready(wait=30)
        before = c.api_calls
        there = c.fetch_topology_sync()
        assert c.api_calls > before
        assert all(there.ports[i] is here.ports[i] for i in there.ports)  # seeded: nothing converted again
    finally:
        c.close()


def test_the_cloud_failing_reaches_the_client_as_the_same_error(forked: CloudClient,
                                                                 seeded_cloud: DemoCloud) -> None:
    forked.fetch_topology_sync()
    # every service failing: the whole fetch fails (one failing service costs only its lists: below)
    seeded_cloud.cloud.faults.add_spec("503:rate=1@network; 503:rate=1@compute; 503:rate=1@load-balancer")
    with pytest.raises(ApiError, match="HTTP 503"):
        forked.fetch_topology_sync()
    seeded_cloud.cloud.faults.clear()
    assert forked.fetch_topology_sync().load_balancers
    assert forked.fetcher.process is not None  # a failing cloud is not a failing fetch process


def test_a_failing_list_crosses_the_pipe_as_that_list_unread(forked: CloudClient, client: CloudClient,
                                                            seeded_cloud: DemoCloud) -> None:
    before = forked.fetch_topology_sync()
    seeded_cloud.cloud.faults.add_spec("503@network:GET:/ports")
    seeded_cloud.connection().network.create_network(name="while-ports-fail")
    partial = forked.fetch_topology_sync()
    assert set(partial.unread) == {"ports"} and "HTTP 503" in partial.unread["ports"].reason
    assert partial.unread["ports"].kept and partial.ports is before.ports   # the last good ports, unconverted
    assert "while-ports-fail" in {n.name for n in partial.networks.values()}   # the rest is live
    assert forked.fetch_topology_sync().unread["ports"].since == partial.unread["ports"].since
    seeded_cloud.cloud.faults.clear()
    after = forked.fetch_topology_sync()
    assert not after.unread and same(after, client.fetch_topology_sync())


def test_when_it_dies_the_client_fetches_by_itself(forked: CloudClient, client: CloudClient,
                                                   seeded_cloud: DemoCloud) -> None:
    forked.fetch_topology_sync()
    assert forked.fetcher.process is not None
    os.kill(forked.fetcher.process._process.pid, signal.SIGKILL)
    seeded_cloud.connection().network.create_network(name="while-it-was-dead")

    after = forked.fetch_topology_sync()
    assert forked.fetcher.process is None
    assert "while-it-was-dead" in {n.name for n in after.networks.values()}
    assert same(after, client.fetch_topology_sync())


def test_it_leaves_with_the_client_and_never_holds_the_password_in_argv_or_environ(
        seeded_cloud: DemoCloud) -> None:
    c = CloudClient.for_demo(seeded_cloud, max_rps=1000)
    c.start_fetch_process()
    assert c.fetch_process_ready(wait=30)
    pid = c.fetcher.process._process.pid
    proc = Path(f"/proc/{pid}")
    password = seeded_cloud.password("demo").encode()
    assert password not in (proc / "cmdline").read_bytes() and password not in (proc / "environ").read_bytes()
    c.close()
    wait_for(lambda: not proc.exists() or (proc / "stat").read_text().split()[2] in "ZX", timeout=5,
             what="the fetch process gone")


def test_a_named_cloud_is_found_again_by_the_fetch_process_but_command_line_options_are_not_handed_on(
        seeded_cloud: DemoCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--os-cloud NAME`: the fetch process finds NAME in the same clouds.yaml. Options parsed from a
    command line (which may hold a password) are not handed on: that client fetches by itself."""
    import argparse

    clouds = tmp_path / "clouds.yaml"
    seeded_cloud.write_clouds_yaml(clouds)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
    monkeypatch.delenv("OS_CLOUD", raising=False)
    named = CloudClient.connect("netdash-demo", None, max_rps=1000)
    with_options = CloudClient.connect("netdash-demo", None, argparse.Namespace(), max_rps=1000)
    try:
        assert named.start_fetch_process() and named.fetch_process_ready(wait=30)
        assert named.fetch_topology_sync().ports
        assert named.fetcher.process is not None  # still in use: the fetch went through it
        assert not with_options.start_fetch_process()
    finally:
        named.close()
        with_options.close()
