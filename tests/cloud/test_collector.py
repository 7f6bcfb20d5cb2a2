"""The garbage collector around a start (`cloud.collector`): paused from `netdash`'s first line, back once the
dashboard has drawn its first snapshot or its first failure, or before any other subcommand's work."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from netdash.cloud.client import CloudClient
from netdash.cloud.collector import freeze_survivors, pause_for_start, resume
from netdash.democloud import DemoCloud
from netdash.tui.app import NetdashApp
from tests.dashboard_support import INTERVAL, until


@pytest.fixture
def collector_restored() -> Iterator[None]:
    yield
    gc.unfreeze()
    gc.enable()


def test_paused_then_back_with_what_the_start_made_frozen(collector_restored: None) -> None:
    pause_for_start()
    assert not gc.isenabled()
    resume()
    assert gc.isenabled() and gc.get_freeze_count() > 0
    gc.unfreeze()
    pause_for_start()
    freeze_survivors()
    assert gc.isenabled() and gc.get_freeze_count() > 0


async def test_a_dashboard_whose_first_fetch_fails_lets_the_collector_run_again(
        seeded_cloud: DemoCloud, collector_restored: None) -> None:
    """No first snapshot may ever come (a cloud that went away): the failure on screen is the first paint."""
    client = CloudClient.for_demo(seeded_cloud, max_rps=1000)
    seeded_cloud.stop()
    try:
        pause_for_start()
        app = NetdashApp(client, client.info, interval=INTERVAL, freeze_gc=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.stale, what="the first refresh failed")
            await until(pilot, gc.isenabled, what="the collector running again")
            assert not app.loaded
    finally:
        seeded_cloud.start()
        client.close()
