"""Fixtures of the democloud tests that need more than the empty cloud of the top-level conftest."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from netdash.democloud import DemoCloud, Settings
from tests.democloud.dataplane_support import SCALE


@pytest.fixture
def web_cloud() -> Iterator[DemoCloud]:
    """The seeded cloud with its data plane; health monitors run SCALE times their configured delays."""
    settings = Settings(provisioning_delay=0.2, build_delay=0.1, monitor_time_scale=SCALE)
    with DemoCloud(seed=True, settings=settings) as cloud:
        yield cloud


@pytest.fixture(scope="module")
def module_cloud() -> Iterator[DemoCloud]:
    """One empty cloud for a whole module whose tests each make (and name apart) their own resources."""
    with DemoCloud(seed=False, settings=Settings(provisioning_delay=0.2, build_delay=0.1)) as cloud:
        yield cloud
