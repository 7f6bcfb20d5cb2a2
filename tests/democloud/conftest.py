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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The golden corpus' figures and its differences with their reasons, in every run's summary (recorded
    by its test as a property, so that they reach the summary from an xdist worker too)."""
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        for name, value in getattr(report, "user_properties", []):
            if name == "golden" and report.when == "call":
                terminalreporter.write_line(str(value))
