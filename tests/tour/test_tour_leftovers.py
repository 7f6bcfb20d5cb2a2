"""`netdash tour --remove-leftovers`: what a tour left in a named cloud (netdash killed mid-tour, or "leave"
chosen) is found by its netdash-tour-* names and removed, and nothing else of the project is touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from netdash.__main__ import main
from netdash.cloud.client import CloudClient
from netdash.democloud import DemoCloud
from netdash.tour import model
from netdash.tour.engine import TourRun
from tests.conftest import use_clouds_yaml
from tests.tour.test_tour_dashboard import state_of, tour_names


@pytest.fixture
def clouds_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seeded_cloud: DemoCloud) -> Path:
    return use_clouds_yaml(seeded_cloud, tmp_path / "clouds.yaml", monkeypatch)


def test_leftovers_are_removed_and_nothing_else(clouds_yaml: Path, seeded_cloud: DemoCloud,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    conn = seeded_cloud.connection("demo")
    own = state_of(conn)
    client = CloudClient.for_demo(seeded_cloud, max_rps=1000)
    try:
        run = TourRun(model.load("floating-ip"), client)
        for _ in range(3):  # a network, a router, two servers, a floating IP on one: then netdash "dies"
            assert run.forward(lambda _: None).ok
    finally:
        client.close()
    assert len(tour_names(conn)) >= 5
    assert main(["tour", "--remove-leftovers", "--os-cloud", "netdash-demo", "--max-rps", "1000"]) == 0
    printed = capsys.readouterr().out
    assert "removing server netdash-tour-server1" in printed and "removing network netdash-tour-private" in printed
    assert tour_names(conn) == []
    assert state_of(conn) == own
    assert main(["tour", "--remove-leftovers", "--os-cloud", "netdash-demo"]) == 0
    assert "nothing named netdash-tour-*" in capsys.readouterr().out


def test_which_tour_and_which_cloud(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OS_CLOUD", raising=False)
    monkeypatch.delenv("OS_AUTH_URL", raising=False)
    assert main(["tour"]) == 2
    assert "which tour? one of first-app, floating-ip" in capsys.readouterr().err
    assert main(["tour", "--remove-leftovers"]) == 2
    assert "--remove-leftovers needs a cloud" in capsys.readouterr().err
