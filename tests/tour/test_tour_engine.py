"""The tour engine without the dashboard: a step whose build fails part-way removes what it made and can be
played again; an action step the cloud refuses leaves the tour where it was."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from netdash.cloud.client import CloudClient
from netdash.democloud import DemoCloud, Settings
from netdash.tour import model
from netdash.tour.engine import TourRun
from tests.tour.test_tour_dashboard import tour_names


@pytest.fixture
def client() -> Iterator[tuple[DemoCloud, CloudClient]]:
    settings = Settings(provisioning_delay=0.05, build_delay=0.05, monitor_time_scale=0.1)
    with DemoCloud(seed=False, settings=settings) as cloud:
        connected = CloudClient.for_demo(cloud, max_rps=1000)
        yield cloud, connected
        connected.close()


def test_a_build_that_fails_part_way_leaves_nothing_of_its_step(client: tuple[DemoCloud, CloudClient]) -> None:
    cloud, connected = client
    conn = cloud.connection("demo")
    run = TourRun(model.load("load-balancer"), connected)
    for _ in range(2):
        assert run.forward(lambda _: None).ok
    made_before = sorted(tour_names(conn))
    # the pool's creation fails: the load balancer and its listener, made already, are removed again
    cloud.cloud.faults.add("load-balancer", "POST", r".*/pools$", status=500, times=1)
    lines: list[str] = []
    outcome = run.forward(lines.append)
    assert not outcome.ok and "nothing of it is left" in outcome.summary, outcome
    assert run.position == 2 and sorted(tour_names(conn)) == made_before
    assert any(line.startswith("removing load balancer netdash-tour-web") for line in lines), lines
    outcome = run.forward(lambda _: None)  # the same step again, the cloud answering
    assert outcome.ok and run.position == 3 and outcome.probe is not None


def test_an_action_the_cloud_refuses_leaves_the_tour_where_it_was(client: tuple[DemoCloud, CloudClient]) -> None:
    cloud, connected = client
    run = TourRun(model.load("floating-ip"), connected)
    for _ in range(3):
        assert run.forward(lambda _: None).ok
    cloud.cloud.faults.add("network", "PUT", r".*/floatingips/.*", status=409, times=1)
    outcome = run.forward(lambda _: None)
    assert not outcome.ok and "refused" in outcome.summary, outcome
    assert run.position == 3
    assert run.forward(lambda _: None).ok and run.position == 4
    assert run.clean_up(lambda _: None).ok and tour_names(cloud.connection("demo")) == []
