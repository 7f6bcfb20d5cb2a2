"""Fixtures of the democloud tests that need more than the empty cloud of the top-level conftest."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from netdash.democloud import DemoCloud, Settings
from tests.democloud import lb_support
from tests.democloud.dataplane_support import SCALE
from tests.democloud.lb_support import Stack, build_stack, instant, tenant_network
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


@pytest.fixture(scope="module")
def lb_cloud() -> Iterator[DemoCloud]:
    """One empty cloud for a module's tests of the Octavia API (each cleans up what it made): delays short
    enough to wait for, long enough to see PENDING_* and what a change locks."""
    with DemoCloud(seed=False, settings=Settings(provisioning_delay=0.2, build_delay=0.1)) as cloud:
        yield cloud


@pytest.fixture(scope="module")
def lb_api(lb_cloud: DemoCloud) -> lb_support.Api:
    return lb_support.Api(lb_cloud, lb_cloud.connection("demo"))


@pytest.fixture(scope="module")
def lb_stack(lb_cloud: DemoCloud, lb_api: lb_support.Api) -> Stack:
    """`demo`'s load balancer -> HTTP listener -> pool with two members, no monitor."""
    _, subnet_id = tenant_network(lb_cloud.connection("demo"))
    with instant(lb_cloud):
        return build_stack(lb_api, subnet_id, monitor=False)
