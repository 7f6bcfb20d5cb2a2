"""Each tour played start to end in the dashboard (Pilot) on a fresh embedded cloud: every step's probe
expectation met by what the probe sees, a step undone leaving the cloud as before it, and the tour's end
with clean-up leaving nothing named netdash-tour-*."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from netdash.cloud.switching import Connector
from netdash.democloud import DemoCloud, Settings
from netdash.tour import model
from netdash.tour.engine import PREFIX, judge
from netdash.widgets.topology_tree import TopologyTree
from netdash.widgets.tour_pane import TourPane
from tests.dashboard_support import dashboard, press, until


@pytest.fixture
def fresh_cloud() -> Iterator[DemoCloud]:
    """As `netdash tour` starts one (`--empty`), with short delays and health monitors ten times faster."""
    settings = Settings(provisioning_delay=0.05, build_delay=0.05, monitor_time_scale=0.1)
    with DemoCloud(seed=False, settings=settings) as cloud:
        yield cloud


def tour_names(conn: Any) -> list[str]:
    """Everything of the project named (a floating IP: described) netdash-tour-*."""
    lb = conn.load_balancer
    found = [*conn.network.networks(), *conn.network.routers(), *conn.network.ports(), *conn.compute.servers(),
             *lb.load_balancers(), *lb.listeners(), *lb.pools(), *lb.health_monitors(),
             *(m for p in lb.pools() for m in lb.members(p))]
    names = [item.name for item in found if (item.name or "").startswith(PREFIX)]
    return names + [f.description for f in conn.network.ips() if (f.description or "").startswith(PREFIX)]


def state_of(conn: Any) -> dict[str, Any]:
    """What a step may change: servers' status, pools' algorithms, members, floating IPs' ports."""
    return {"made": sorted(tour_names(conn)),
            "servers": sorted((s.name, s.status) for s in conn.compute.servers()),
            "pools": sorted((p.name, p.lb_algorithm) for p in conn.load_balancer.pools()),
            "fips": sorted((f.description, f.port_id) for f in conn.network.ips()),
            "ports": sorted((p.name, p.device_id) for p in conn.network.ports() if p.name)}


async def play(pilot: Any, app: Any, tour: model.Tour, steps: range) -> None:
    """These steps with `]`, each checked against what the probe sees once it has landed."""
    flow = app.tours
    for n in steps:
        step = tour.steps[n - 1]
        await press(pilot, "]")
        await until(pilot, lambda n=n: flow.run.position == n and flow.busy is None, 90, f"step {n} to land")
        pane = app.query_one(TourPane)
        assert pane.view is not None and pane.view.title == step.title
        assert pane.view.commands == step.commands
        if step.probe is not None:
            met, words = flow.verdicts[n]
            assert met, f"step {n} ({step.title}): {words}"
            seen = app.probe.prober.stats()  # the probe pane's own numbers, judged again here
            assert seen.url and app.probe.running
            verdict = judge(step.probe, seen, flow.run.real)
            assert verdict is None or verdict.endswith("so far"), f"step {n}: {verdict}"
        if any(kind in TOP_LEVEL for kind, _ in flow.highlight):  # their nodes exist once a refresh has run
            await until(pilot, lambda: marked(app) & set(flow.highlight), 10, f"step {n}'s objects marked")
        assert marked(app) <= set(flow.highlight)
        # marked as the step's, not as "pending…" (an action under way): the step has landed
        assert all(node.label.plain.endswith("◂ this step") for node in app.query_one(TopologyTree)._pending)
        assert not app.query_one(TopologyTree).has_class("-pending")


#: the kinds whose nodes the tree builds without being opened
TOP_LEVEL = frozenset({"network", "router", "server", "floating_ip", "load_balancer"})


def marked(app: Any) -> set[tuple[str, str]]:
    """The tree's nodes marked as the step's (`set_pending`)."""
    return {(node.data.kind, node.data.id) for node in app.query_one(TopologyTree)._pending if node.data}


@pytest.mark.parametrize("name", ["load-balancer", "floating-ip", "port-migration", "first-app"])
async def test_tour_end_to_end(fresh_cloud: DemoCloud, name: str) -> None:
    tour = model.load(name)
    last = len(tour.steps)
    conn = fresh_cloud.connection("demo")
    started = time.monotonic()
    app = dashboard(fresh_cloud, tour=tour, tour_fresh=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: app.query_one(TourPane).view is not None, 10, "the tour pane")
        before: dict[int, dict[str, Any]] = {}
        for n in range(1, last + 1):
            before[n] = state_of(conn)
            await play(pilot, app, tour, range(n, n + 1))
            changes = bool(tour.steps[n - 1].build or tour.steps[n - 1].action)
            assert (state_of(conn) != before[n]) == changes, f"step {n}"
        # back, twice: each step undone leaves the cloud as it was before it (what it built removed, its
        # action's inverse run), and the probe shows the expectation of the step before where it had one
        for n in (last, last - 1):
            await press(pilot, "[")
            await until(pilot, lambda n=n: app.tours.run.position == n - 1 and app.tours.busy is None, 60, "undo")
            assert state_of(conn) == before[n], f"step {n} undone"
            assert app.tours.verdicts.get(n - 1, (True, ""))[0], app.tours.verdicts.get(n - 1)
        # the end, with clean-up: nothing of the tour is left
        await press(pilot, "Q")
        await until(pilot, lambda: len(app.screen_stack) > 1, 5, "the end-of-tour dialog")
        await press(pilot, "c")
        await until(pilot, lambda: not app.tours.active, 60, "the clean-up")
        assert tour_names(conn) == []
    assert time.monotonic() - started < 30


async def test_autoplay_plays_every_step_and_pause_holds_it(fresh_cloud: DemoCloud) -> None:
    tour = model.load("port-migration")
    app = dashboard(fresh_cloud, tour=tour, tour_fresh=True, tour_pace=0.2)
    async with app.run_test(size=(160, 50)) as pilot:
        flow = app.tours
        await press(pilot, "A")
        await until(pilot, lambda: flow.run.position == 1 and flow.busy is None, 60, "the first step")
        await press(pilot, "P")
        held = flow.run.position
        await pilot.pause(1.0)  # five paces: auto-play would have played the next step by now
        assert flow.run.position == held and flow.busy is None
        assert "(paused)" in app.query_one(TourPane).view.keys
        await press(pilot, "P")
        await until(pilot, lambda: flow.run.finished and flow.busy is None, 60, "auto-play to the end")
        assert all(flow.verdicts[n][0] for n, step in enumerate(tour.steps, 1) if step.probe), flow.verdicts
        assert not flow.autoplay  # it stops at the end


async def test_quitting_netdash_mid_tour_on_another_cloud_removes_what_it_made(seeded_cloud: DemoCloud) -> None:
    """On a cloud that is not the tour's own (`--i-understand-this-creates-resources`), `q` asks; `c` removes
    everything named netdash-tour-*, then netdash leaves; the cloud's own objects are untouched."""
    tour = model.load("load-balancer")
    conn = seeded_cloud.connection("demo")
    own = state_of(conn)
    app = dashboard(seeded_cloud, tour=tour, tour_fresh=False)
    async with app.run_test(size=(160, 50)) as pilot:
        flow = app.tours
        for n in (1, 2, 3):
            await press(pilot, "]")
            await until(pilot, lambda n=n: flow.run.position == n and flow.busy is None, 60, f"step {n}")
        assert len(tour_names(conn)) > 5
        await press(pilot, "q")
        await until(pilot, lambda: len(app.screen_stack) > 1, 5, "the end-of-tour dialog")
        await press(pilot, "c")
        await until(pilot, lambda: not app.is_running, 60, "the clean-up, then the exit")
    assert tour_names(conn) == []
    assert state_of(conn) == own


async def test_the_palette_offers_the_tours_and_asks_first_on_a_cloud_not_its_own(seeded_cloud: DemoCloud) -> None:
    app = dashboard(seeded_cloud)
    async with app.run_test(size=(160, 50)) as pilot:
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert {f"Tour: {name}" for name in model.names()} <= set(commands)
        app.start_tour("floating-ip")
        await until(pilot, lambda: len(app.screen_stack) > 1, 5, "the confirmation")
        await press(pilot, "n")
        assert not app.tours.active
        app.start_tour("floating-ip")
        await until(pilot, lambda: len(app.screen_stack) > 1, 5, "the confirmation")
        await press(pilot, "y")
        await until(pilot, lambda: app.tours.active and app.query_one(TourPane).view is not None, 5)
        assert app.query_one(TourPane).view.tour == model.load("floating-ip").title
        # a tour plays (and cleans up) on the cloud it started on: no switching meanwhile, by key or by name
        app.switcher.connector = Connector.starting_from(app.client, max_rps=1000, insecure=False)
        assert app.check_action("switch", ()) is False
        app.switcher.go_named("projects", "invisible_to_admin")
        assert app.switcher.going is None and app.info.project == "demo"


async def test_without_a_tour_its_keys_are_the_widgets_own(seeded_cloud: DemoCloud) -> None:
    """`pagedown` (a presenter's clicker) plays a tour's next step only while a tour runs: otherwise the
    tree pages down as ever."""
    app = dashboard(seeded_cloud)
    async with app.run_test(size=(100, 20)) as pilot:
        tree = app.query_one(TopologyTree)
        await until(pilot, lambda: tree.last_line > 10, 10, "the seeded tree")
        before = tree.cursor_line
        await press(pilot, "pagedown")
        assert tree.cursor_line > before and not app.tours.active
