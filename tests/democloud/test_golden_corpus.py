"""The golden corpus (878 exchanges recorded in front of real Keystone, Neutron 29, Nova 34, Octavia 19 and
Glance 33) replayed on the embedded cloud: the same status, and the same keys two levels deep, for at least
99% of them; every exchange that differs is in DIFFERENCES.md with its reason (and the table lists nothing
that matches). The replay runs on the recording's own clock (tests/realstack/golden.py says why)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from netdash.democloud import DemoCloud, Settings
from tests.realstack.golden import (
    BUILD_DELAY,
    PROVISIONING_DELAY,
    Replay,
    Result,
    agreement,
    exchanges,
    listed,
    mismatches,
    report,
)

TABLE = Path(__file__).parents[1] / "realstack" / "DIFFERENCES.md"


@pytest.fixture(scope="module")
def results() -> Iterator[list[Result]]:
    settings = Settings(provisioning_delay=PROVISIONING_DELAY, build_delay=BUILD_DELAY)
    with DemoCloud(seed=False, settings=settings) as cloud:
        replay = Replay(cloud)
        try:
            yield replay.run(exchanges())
        finally:
            replay.close()


def test_the_whole_corpus_is_replayed(results: list[Result]) -> None:
    assert len(results) == 878
    assert {r.exchange.section for r in results} == {
        "port_migration", "floating_ip", "load_balancer", "dashboard", "first_app", "errors"}


def test_agreement_with_the_real_services(results: list[Result],
                                          record_property: Callable[[str, object], None]) -> None:
    record_property("golden", report(results, listed(TABLE)))
    status, keys = agreement(results)
    assert status >= 0.99 and keys >= 0.99, report(results, listed(TABLE))


def test_every_difference_is_listed_with_its_reason(results: list[Result]) -> None:
    found, rows = mismatches(results), listed(TABLE)
    assert found == set(rows), (f"not in {TABLE.name}: {sorted(found - set(rows))}; listed but matching now: "
                                f"{sorted(set(rows) - found)}\n{report(results, rows)}")
