"""The footer follows the selection without costing keys: it is rebuilt only when the offered actions
change, and not at all while the cursor keeps moving over objects of different kinds."""

from __future__ import annotations

import time

import pytest

import tui.app
from tests import topology_factory as f
from tests.dashboard_support import until
from tests.test_dashboard_snapshots import Info
from tui.app import NetdashApp
from widgets.topology_tree import TopologyTree

QUIET = 1.0


async def test_footer_rebuilds_once_the_cursor_rests_and_keys_never_wait_for_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tui.app, "FOOTER_QUIET", QUIET)  # longer than the pilot's pauses, however slow the machine
    app = NetdashApp(None, Info(), poll=False, topology=f.seed_topology(), clock=lambda: f.FIXED_TIME)
    async with app.run_test(size=(160, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        await pilot.pause(QUIET * 1.3)  # the start-up's own footer settled
        rebuilt: list[float] = []
        refresh_bindings = app.refresh_bindings

        def counted() -> None:
            rebuilt.append(time.monotonic())
            refresh_bindings()

        app.refresh_bindings = counted  # type: ignore[method-assign]
        public, private = tree.find("network", f.PUBLIC), tree.find("network", f.PRIVATE)
        worker = tree.find("network", f.TIERS[0][0])
        section = tree.section("networks")
        assert public is not None and private is not None and worker is not None

        tree.move_cursor(public)  # after a rest: the footer follows at once
        await until(pilot, lambda: len(rebuilt) == 1, what="the footer for the public network")
        assert "allocate_fip" in {b.binding.action for b in app.screen.active_bindings.values()}

        for node in (section, public, section, public, section):  # quicker than QUIET apart
            tree.move_cursor(node)
            await pilot.pause()
        assert len(rebuilt) == 1  # not rebuilt for each move
        assert "allocate_fip" not in {b.binding.action for b in app.screen.active_bindings.values()}  # keys: live
        await until(pilot, lambda: len(rebuilt) == 2, timeout=QUIET * 10, what="the footer once at rest")

        tree.move_cursor(private)
        await until(pilot, lambda: len(rebuilt) == 3, timeout=QUIET * 10, what="the private network's")
        tree.move_cursor(worker)  # the same actions fit another private network...
        await pilot.pause()
        await pilot.pause(QUIET * 1.3)
        assert len(rebuilt) == 3  # ...so there is nothing to rebuild
