"""Fixtures: a real embedded cloud on an ephemeral loopback port, and openstacksdk connections to it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from netdash.democloud import DemoCloud, Settings

#: tests against real Neutron and Octavia: `make test-real` starts them and sets NETDASH_REALSTACK
collect_ignore_glob = [] if os.environ.get("NETDASH_REALSTACK") else ["realstack/*"]


@pytest.fixture(autouse=True)
def private_state_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Each test's own `$XDG_STATE_HOME`: the action journal of one test (or of the user running the
    suite) is never another's; and an empty `$XDG_CONFIG_HOME`, so the config file of whoever runs the
    suite changes nothing."""
    home = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    return home


@pytest.fixture
def empty_cloud() -> Iterator[DemoCloud]:
    """Nothing but `public` (127.24.4.0/24); Octavia and Nova delays short so tests stay quick."""
    with DemoCloud(seed=False, settings=Settings(provisioning_delay=0.2, build_delay=0.1)) as cloud:
        yield cloud


@pytest.fixture
def seeded_cloud() -> Iterator[DemoCloud]:
    with DemoCloud(seed=True, settings=Settings(provisioning_delay=0.2, build_delay=0.1)) as cloud:
        yield cloud


@pytest.fixture
def conn(empty_cloud: DemoCloud) -> Any:
    """openstacksdk as the `demo` user of an empty cloud."""
    return empty_cloud.connection("demo")


@pytest.fixture
def alt_conn(empty_cloud: DemoCloud) -> Any:
    """openstacksdk as `alt_demo`, a user of another project of the same cloud."""
    return empty_cloud.connection("alt_demo")


@pytest.fixture
def admin_conn(empty_cloud: DemoCloud) -> Any:
    return empty_cloud.connection("admin")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The golden corpus' figures and its differences with their reasons, in every run's summary (recorded
    by its test as a property, so that they reach the summary from an xdist worker too; a root conftest's
    hook, since xdist's controller loads no other)."""
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        for name, value in getattr(report, "user_properties", []):
            if name == "golden" and report.when == "call":
                terminalreporter.write_line(str(value))


def use_clouds_yaml(cloud: DemoCloud, path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The cloud's clouds.yaml at `path`, and an environment that reads it and nothing else (no OS_*), as a
    user's shell with `OS_CLIENT_CONFIG_FILE` set would: the path."""
    for var in [v for v in os.environ if v.startswith("OS_")]:
        monkeypatch.delenv(var)
    written = cloud.write_clouds_yaml(path)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(written))
    return written

