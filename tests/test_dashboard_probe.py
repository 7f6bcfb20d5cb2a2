"""The probe pane wired into the dashboard, against the embedded cloud's seed `web` load balancer: the
default target follows the selection, the bars follow the cloud (ROUND_ROBIN, then SOURCE_IP set through
openstacksdk behind the dashboard's back), and keys stay responsive while probing at 200 req/s."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from democloud import DemoCloud, Settings
from tests.dashboard_support import dashboard, in_thread, until
from tests.democloud.dataplane_support import SCALE, Web
from widgets.event_log import EventLog
from widgets.probe_pane import ProbePane
from widgets.topology_tree import TopologyTree


@pytest.fixture
def web_cloud() -> Iterator[DemoCloud]:
    """The seeded cloud with its data plane; health monitors run SCALE times their configured delays."""
    settings = Settings(provisioning_delay=0.2, build_delay=0.1, monitor_time_scale=SCALE)
    with DemoCloud(seed=True, settings=settings) as cloud:
        yield cloud


def shares(pane: ProbePane) -> dict[str, float]:
    return {b.backend: b.share for b in pane.stats.backends}


def bars(pane: ProbePane) -> str:
    return str(pane.query_one("#probe-bars").render())


async def select_web(pilot, app) -> ProbePane:
    tree = app.query_one(TopologyTree)
    await until(pilot, lambda: app.refreshes >= 1, what="the first refresh")
    await until(pilot, lambda: tree.section("load_balancers").children, what="the web load balancer")
    tree.move_cursor(tree.section("load_balancers").children[0])
    pane = app.query_one(ProbePane)
    await until(pilot, lambda: pane.stats.url, what="a default target")
    return pane


async def test_bars_show_both_backends_then_one_after_source_ip(web_cloud: DemoCloud) -> None:
    app = dashboard(web_cloud)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await select_web(pilot, app)
        assert "load balancer web" in pane.stats.reason and not pane.stats.running
        assert "load balancer web" in str(pane.query_one("#probe-target").render())

        await pilot.press("g")  # the App's key: probe the selection, whatever has the focus
        pane.focus()
        await pilot.press("plus", "plus")  # 10 -> 20 -> 50 req/s
        assert app.probe.prober is not None and app.probe.prober.rate == 50
        await until(pilot, lambda: pane.stats.running and pane.stats.requests >= 30
                    and set(shares(pane)) == {"server1", "server2"}, what="both backends answering")
        assert all(0.25 <= share <= 0.75 for share in shares(pane).values()), pane.stats.backends
        assert "server1" in bars(pane) and "server2" in bars(pane)
        assert any("probe started" in text for _, text, _ in app.query_one(EventLog).entries)

        web = Web(await in_thread(web_cloud.connection))
        await in_thread(web.update_pool, lb_algorithm="SOURCE_IP")
        await in_thread(web.wait_active)
        await pilot.press("c")  # clear the window (and the change detector): count afresh from here
        await until(pilot, lambda: pane.stats.requests >= 20 and len(shares(pane)) == 1, timeout=8,
                    what="one backend after SOURCE_IP")
        (backend,) = shares(pane)
        assert shares(pane)[backend] == 1.0 and backend in bars(pane)
        log = app.query_one(EventLog)
        await until(pilot, lambda: any(f"{backend} 100%" in text for _, text, _ in log.entries),
                    what=f"the change in the event log: {log.entries}")

        await pilot.press("p")  # in the pane, `p` stops the probe (and does not pause polling)
        await until(pilot, lambda: not app.probe.running and not pane.stats.running, what="the probe stopped")
        assert app.poll and "stopped" in str(pane.border_title)


@pytest.mark.alone
async def test_keys_stay_responsive_at_200_requests_a_second(web_cloud: DemoCloud) -> None:
    """Keys go in with `simulate_key`, as a terminal would send them: `pilot.press` also waits for the
    process to go idle, which a process probing 200 times a second (its cloud included) never does."""
    app = dashboard(web_cloud)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await select_web(pilot, app)
        pane.focus()
        await pilot.press(*["plus"] * 5)  # 10 -> 200 req/s
        app.simulate_key("p")
        await until(pilot, lambda: pane.stats.target_rate == 200 and pane.stats.requests >= 200, timeout=8,
                    what="a full window at 200 req/s")

        handled: list[float] = []
        set_rate = app.probe.set_rate

        def timed(rate: float) -> None:
            handled.append(time.monotonic())
            set_rate(rate)

        app.probe.set_rate = timed  # type: ignore[method-assign]
        delays = []
        for n in range(1, 21):
            sent = time.monotonic()
            app.simulate_key("minus" if n % 2 else "plus")  # 200 -> 100 -> 200 ...
            await until(pilot, lambda n=n: len(handled) == n, what=f"key press {n} handled")
            delays.append(handled[-1] - sent)
        # marked `alone`: beside other tests (each with its own embedded cloud and CLI processes) on 2
        # cores, the OS scheduler alone can hold a thread for longer than the target
        assert max(delays) < 0.1, [round(d * 1000) for d in delays]
        assert app.probe.running and pane.stats.achieved_rate > 50, pane.stats

        app.simulate_key("p")
        await until(pilot, lambda: not app.probe.running, what="the probe stopped")
