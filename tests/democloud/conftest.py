"""Fixtures of the democloud tests that need more than the empty cloud of the top-level conftest."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from netdash.democloud import DemoCloud, Settings
from tests.democloud.dataplane_support import SCALE
from tests.democloud.nova_api import Api
from tests.democloud.wal_support import Process


@pytest.fixture(scope="module")
def module_cloud() -> Iterator[DemoCloud]:
    """An empty cloud shared by a module's tests (each makes what it needs under names of its own); Nova
    builds and Octavia changes are quick."""
    with DemoCloud(seed=False, settings=Settings(provisioning_delay=0.05, build_delay=0.05)) as cloud:
        yield cloud


@pytest.fixture(scope="module")
def api(module_cloud: DemoCloud) -> Api:
    """Raw HTTP to `module_cloud` as `demo`."""
    return Api(module_cloud)


@pytest.fixture
def web_cloud() -> Iterator[DemoCloud]:
    """The seeded cloud with its data plane; health monitors run SCALE times their configured delays."""
    settings = Settings(provisioning_delay=0.2, build_delay=0.1, monitor_time_scale=SCALE)
    with DemoCloud(seed=True, settings=settings) as cloud:
        yield cloud



@pytest.fixture
def processes() -> Iterator[list[Process]]:
    """`--state` clouds in processes of their own (`wal_support.Process`): those still running are killed."""
    started: list[Process] = []
    yield started
    for process in started:
        if process.proc.poll() is None:
            process.kill()
