"""Tests against real Neutron and Octavia (tests/realstack/stack.py), only when realstack is running.

`make test-real` starts realstack and sets NETDASH_REALSTACK to its clouds.yaml; without it tests/conftest.py
leaves this folder out of collection (and the skip below covers a direct `pytest tests/realstack/...`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.osc import OpenStackCLI

from .support import ENV, NO_NOVA, clouds_yaml, has_nova, realstack_cli


@pytest.fixture(scope="session", autouse=True)
def realstack() -> Path:
    """Session scope, so it runs before any module fixture (an embedded cloud, an LB) is built."""
    path = clouds_yaml()
    if path is None:
        pytest.skip(f"realstack is not running: `make test-real` starts it and sets {ENV}")
    if not path.is_file():
        pytest.fail(f"{ENV}={path}: no such clouds.yaml (`make realstack` writes it)")
    return path


@pytest.fixture(scope="session")
def nova(realstack: Path) -> Path:
    """For tests that need servers: skips them when realstack runs without Nova."""
    if not has_nova(realstack):
        pytest.skip(NO_NOVA)
    return realstack


@pytest.fixture
def osc(tmp_path: Path) -> OpenStackCLI:
    """The `openstack` CLI against realstack."""
    return realstack_cli(tmp_path)


@pytest.fixture
def cleanup(osc: OpenStackCLI) -> Iterator[list[str]]:
    """`openstack` commands run after the test, last first (best effort: a failure is the test's own)."""
    commands: list[str] = []
    yield commands
    for command in reversed(commands):
        try:
            osc.run(command)
        except AssertionError:
            pass
