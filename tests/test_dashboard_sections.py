"""The dashboard degrades by section (issue 14): one failing list marks its own section stale, with why and
for how long, and every other section stays live; a first load that meets it paints everything that
answered; the banner counts what is stale and says when the next try is; clearing the fault recovers
within one refresh interval, and `r` retries at once."""

from __future__ import annotations

import re
import time

import pytest

from netdash.democloud import DemoCloud
from netdash.widgets.details import DetailsPane
from netdash.widgets.event_log import EventLog
from netdash.widgets.status import StatusHeader
from netdash.widgets.topology_tree import TopologyTree
from tests.dashboard_support import INTERVAL, dashboard, next_refreshes, press, until

SECTIONS = ("networks", "routers", "servers", "floating_ips", "load_balancers")
#: (fault, the section it shows on, the collections it cannot read, whether the fetch process reads them)
CASES = [
    pytest.param("503@network:GET:/v2.0/ports", "networks", {"ports"}, False, id="ports"),
    pytest.param("503@load-balancer", "load_balancers",
                 {"load_balancers", "listeners", "pools", "health_monitors", "members"}, False, id="load-balancers"),
    pytest.param("503@compute", "servers", {"servers"}, False, id="compute"),
    # as `netdash` runs: the failures cross the fetch process's pipe
    pytest.param("503@network:GET:/v2.0/ports", "networks", {"ports"}, True, id="ports-fetch-process"),
]


def labels(tree: TopologyTree) -> dict[str, str]:
    return {key: tree.section(key).label.plain for key in SECTIONS}


def children(tree: TopologyTree, key: str) -> list[str]:
    return [node.label.plain for node in tree.section(key).children]


@pytest.mark.parametrize(("spec", "section", "unread", "fetch_process"), CASES)
async def test_a_failing_list_marks_its_section_and_recovers_within_one_interval(
        seeded_cloud: DemoCloud, spec: str, section: str, unread: set[str], fetch_process: bool) -> None:
    app = dashboard(seeded_cloud, fetch_process=fetch_process)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        header = app.query_one(StatusHeader)
        await until(pilot, lambda: app.refreshes >= 1 and tree.section("servers").children, what="first refresh")
        live = {key: children(tree, key) for key in SECTIONS}

        seeded_cloud.cloud.faults.add_spec(spec)
        await until(pilot, lambda: set(app.topology.unread) == unread, what="the section unread")
        assert app.client is not None and app.client.fetcher.process_ready() == fetch_process  # type: ignore[attr-defined]
        await until(pilot, lambda: "stale" in tree.section(section).label.plain, what="the section marked")
        marked = tree.section(section).label.plain
        tree.move_cursor(tree.section(section))   # the details spell the reason out, which the label cuts
        await until(pilot, lambda: "could not read" in str(app.query_one(DetailsPane).render()), what="details")
        assert "unavailable (stale" in marked and "HTTP 503" in marked, marked
        for key in SECTIONS:   # every section still shows what it showed; only the failing one is marked
            assert children(tree, key) == live[key], key
            assert ("unavailable" in labels(tree)[key]) == (key == section), labels(tree)
        assert not app.stale and not tree.has_class("-stale")   # the view as a whole is live
        # between two tries the banner says when the next is ("retrying now" while one runs)
        await until(pilot, lambda: "retrying in" in header.render().plain,  # type: ignore[union-attr]
                    what="the next try's time")
        banner = header.render().plain  # type: ignore[union-attr]
        assert "1 section STALE" in banner and "HTTP 503" in banner, banner
        assert header.has_class("-stale")
        entries = app.query_one(EventLog).entries
        assert any(severity == "error" and "unavailable" in text and "HTTP 503" in text
                   for _, text, severity in entries), entries

        # the rest stays live: a change elsewhere shows while the section fails
        sdk = seeded_cloud.connection()
        await pilot.pause()
        other = "routers" if section != "routers" else "networks"
        sdk.network.create_router(name="while-failing")
        await until(pilot, lambda: any("while-failing" in label for label in children(tree, other) + children(
            tree, "routers")), what="a new router shown")

        seeded_cloud.cloud.faults.clear()
        cleared = time.monotonic()
        await until(pilot, lambda: not app.topology.unread, what="recovery")
        # within one interval, and the refresh that ran when the fault was cleared (each at most a second here)
        assert time.monotonic() - cleared < INTERVAL + 2.0
        await until(pilot, lambda: "unavailable" not in tree.section(section).label.plain, what="the mark gone")
        assert not header.has_class("-stale") and "STALE" not in header.render().plain  # type: ignore[union-attr]
        assert {key: children(tree, key) for key in SECTIONS if key != "routers"} == \
            {key: live[key] for key in SECTIONS if key != "routers"}
        assert any("answers again" in text for _, text, _ in app.query_one(EventLog).entries)


async def test_a_first_load_paints_everything_that_answered(seeded_cloud: DemoCloud) -> None:
    seeded_cloud.cloud.faults.add_spec("503@network:GET:/v2.0/ports")
    app = dashboard(seeded_cloud)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        header = app.query_one(StatusHeader)
        await until(pilot, lambda: app.refreshes >= 1 and tree.section("servers").children, what="first paint")
        assert not app.stale and set(app.topology.unread) == {"ports"}
        assert tree.section("load_balancers").children[0].label.plain.startswith("web")
        assert "ports unavailable (none read yet): " in tree.section("networks").label.plain
        assert "HTTP 503" in tree.section("networks").label.plain
        banner = header.render().plain  # type: ignore[union-attr]
        assert "showing the last topology" not in banner and "1 section STALE" in banner, banner

        seeded_cloud.cloud.faults.clear()
        await until(pilot, lambda: not app.topology.unread and app.topology.ports, what="the ports read")
        # ports read for the first time are not news: no "port ... created" line for each
        entries = app.query_one(EventLog).entries
        assert not any(("port" in text and "created" in text) or "interface added" in text
                       for _, text, _ in entries), entries


async def test_nothing_answering_never_claims_a_last_topology(seeded_cloud: DemoCloud) -> None:
    seeded_cloud.cloud.faults.add_spec("503@network; 503@compute; 503@load-balancer")
    app = dashboard(seeded_cloud)
    async with app.run_test(size=(120, 40)) as pilot:
        header = app.query_one(StatusHeader)
        await until(pilot, lambda: app.stale, what="the failed refresh")
        banner = header.render().plain  # type: ignore[union-attr]
        assert "NO TOPOLOGY" in banner and "showing the last topology" not in banner and "HTTP 503" in banner
        await until(pilot, lambda: "retrying in" in header.render().plain,  # type: ignore[union-attr]
                    what="the next try")

        seeded_cloud.cloud.faults.clear()
        await until(pilot, lambda: not app.stale and app.query_one(TopologyTree).section("servers").children,
                    timeout=8, what="recovery")


async def test_r_retries_at_once(seeded_cloud: DemoCloud) -> None:
    app = dashboard(seeded_cloud)
    app.interval = 60.0   # no timer would refresh within this test: only `r` can
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
        seeded_cloud.cloud.faults.add_spec("503@compute")
        await press(pilot, "r")
        await until(pilot, lambda: "servers" in app.topology.unread, what="the retry meeting the fault")
        banner = app.query_one(StatusHeader).render().plain  # type: ignore[union-attr]
        assert re.search(r"retrying in (59|60) s", banner), banner
        seeded_cloud.cloud.faults.clear()
        await press(pilot, "r")
        await until(pilot, lambda: not app.topology.unread, what="the retry after the fault")
        await next_refreshes(pilot, app, 0)


async def test_a_cloud_answering_again_is_refreshed_within_one_interval_not_after_the_back_off(
        seeded_cloud: DemoCloud) -> None:
    seeded_cloud.cloud.faults.add_spec("503@network; 503@compute; 503@load-balancer")
    app = dashboard(seeded_cloud)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.poller is not None
        app.poller.max_backoff = 3.0  # reached sooner than the default's 5 s; still far beyond the interval
        await until(pilot, lambda: app.stale and app.poller.next_delay() >= 3.0, timeout=20,  # type: ignore[union-attr]
                    what="the back-off at its cap")
        failed = app.refreshes
        await until(pilot, lambda: app.refreshes > failed, timeout=8, what="a failed try")   # the next is 3 s away
        calls = seeded_cloud.cloud.requests["network"]
        seeded_cloud.cloud.faults.clear()
        cleared = time.monotonic()
        await until(pilot, lambda: not app.stale, timeout=8, what="recovery")
        # the probe (one request each interval) saw the cloud answer: well before the back-off's 3 s
        assert time.monotonic() - cleared < 2.0
        # one refresh (5 lists, the security groups, the quota details), a probe or two
        assert seeded_cloud.cloud.requests["network"] - calls <= 7 + 2
