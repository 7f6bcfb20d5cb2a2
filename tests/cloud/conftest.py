"""A CloudClient on the seeded embedded cloud; a high request rate so the budget never slows a test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from netdash.cloud.client import CloudClient
from netdash.democloud import DemoCloud


@pytest.fixture
def client(seeded_cloud: DemoCloud) -> Iterator[CloudClient]:
    c = CloudClient.for_demo(seeded_cloud, max_rps=1000)
    yield c
    c.close()
