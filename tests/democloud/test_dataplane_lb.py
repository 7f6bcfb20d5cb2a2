"""The seed's `web` load balancer serves for real through its floating IP: algorithms, health, drain."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from netdash.democloud import DemoCloud
from tests.democloud.dataplane_support import SCALE, Web, answer, endpoint_of, served_by, source, spread
from tests.osc import OpenStackCLI
from tests.waiting import wait_for

#: the seed's monitor: delay 3 s, max_retries_down 3 (Octavia's default)
DOWN_BOUND = 3 * (3 + 1) * SCALE


def test_round_robin_then_source_ip_through_the_cli(web_cloud: DemoCloud, tmp_path: Path) -> None:
    web = Web(web_cloud.connection())
    assert spread(web.url, 20) == Counter({"server1": 10, "server2": 10})
    resp = httpx.get(web.url)
    assert resp.headers["server"] in ("nginx", "Apache")

    OpenStackCLI(web_cloud, tmp_path).run("loadbalancer pool set --lb-algorithm SOURCE_IP web_pool")
    assert len(spread(web.url, 20)) == 1  # one client address: always the same member
    assert set(spread(web.url, 10, **source("127.0.0.1"))) == set(spread(web.url, 10))
    landed = {answer(web.url, **source(f"127.0.0.{n}")) for n in range(2, 18)}
    assert landed == {"server1", "server2"}
    for n in (2, 3, 4):  # and each of them sticks to its member
        assert len(spread(web.url, 5, **source(f"127.0.0.{n}"))) == 1


def test_stopped_backend_goes_error_and_comes_back(web_cloud: DemoCloud, tmp_path: Path) -> None:
    web = Web(web_cloud.connection())
    cli = OpenStackCLI(web_cloud, tmp_path)
    wait_for(lambda: web.member_status("server1") == "ONLINE", timeout=3, what="server1 ONLINE")

    cli.run("server stop server1")
    stopped = time.monotonic()
    wait_for(lambda: web.member_status("server1") == "ERROR", timeout=DOWN_BOUND + 1, what="server1 ERROR")
    assert time.monotonic() - stopped <= DOWN_BOUND
    assert spread(web.url, 10) == Counter({"server2": 10})
    status = web.conn.load_balancer.get_load_balancer(web.lb.id).operating_status
    assert status == "DEGRADED"

    cli.run("server start server1")
    wait_for(lambda: web.member_status("server1") == "ONLINE", timeout=DOWN_BOUND + 1, what="server1 ONLINE")
    assert spread(web.url, 20) == Counter({"server1": 10, "server2": 10})
    assert web.conn.load_balancer.get_load_balancer(web.lb.id).operating_status == "ONLINE"


def test_admin_down_and_weight_zero_drain_and_none_left_is_503(web_cloud: DemoCloud) -> None:
    web = Web(web_cloud.connection())
    web.update_member("server1", admin_state_up=False)
    assert spread(web.url, 6) == Counter({"server2": 6})
    assert web.member_status("server1") == "OFFLINE"

    web.update_member("server1", admin_state_up=True)
    wait_for(lambda: len(spread(web.url, 4)) == 2, timeout=3, what="server1 back in rotation")
    web.update_member("server2", weight=0)
    assert spread(web.url, 6) == Counter({"server1": 6})
    wait_for(lambda: web.member_status("server2") == "DRAINING", timeout=2, what="server2 DRAINING")

    web.update_member("server1", admin_state_up=False)
    resp = httpx.get(web.url)
    assert resp.status_code == 503 and "No server is available" in resp.text


def test_least_connections_prefers_the_idle_member(web_cloud: DemoCloud) -> None:
    web = Web(web_cloud.connection())
    web.update_pool(lb_algorithm="LEAST_CONNECTIONS")
    web.wait_active()
    url = web.url
    slow: list[str] = []
    holder = threading.Thread(target=lambda: slow.append(served_by(httpx.get(url + "slow?seconds=1.5",
                                                                                   timeout=5))))
    holder.start()
    octavia = web.conn.load_balancer
    wait_for(lambda: octavia.get_listener_statistics(web.listener.id).active_connections >= 1, timeout=3,
             what="the slow request in flight")
    during = spread(url, 6)
    holder.join()
    (busy,) = slow
    assert len(during) == 1 and busy not in during


def test_listener_is_served_directly_on_its_listed_endpoint(web_cloud: DemoCloud) -> None:
    web = Web(web_cloud.connection())
    listener = web.conn.load_balancer.get_listener(web.listener.id)
    assert listener.tags == []  # where it is served is the cloud's endpoint list's to say, not a tag of the user's
    direct = endpoint_of(web.conn, "listener", listener.id)
    assert direct is not None and direct.startswith("127.0.0.1:")
    assert set(spread(f"http://{direct}/", 4)) == {"server1", "server2"}
    stats = web.conn.load_balancer.get_listener_statistics(web.listener.id)
    wait_for(lambda: web.conn.load_balancer.get_listener_statistics(web.listener.id).total_connections >= 1,
             timeout=2, what="listener statistics")
    assert stats.request_errors == 0
