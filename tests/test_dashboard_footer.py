"""The key bar follows the selection at once and cheaply: one line of text, redrawn only when the offered
keys change; a key on it can be clicked."""

from __future__ import annotations

from netdash.tui.app import NetdashApp
from netdash.tui.screens import KeysScreen
from netdash.widgets.key_bar import KeyBar
from netdash.widgets.topology_tree import TopologyTree
from tests import topology_factory as f
from tests.dashboard_support import until
from tests.test_dashboard_snapshots import Info


def shown(bar: KeyBar) -> str:
    return bar.render().plain


async def test_the_key_bar_follows_the_cursor_and_redraws_only_on_a_change() -> None:
    app = NetdashApp(None, Info(), poll=False, topology=f.seed_topology(), clock=lambda: f.FIXED_TIME)
    async with app.run_test(size=(160, 40)) as pilot:
        tree, bar = app.query_one(TopologyTree), app.query_one(KeyBar)
        public, private = tree.find("network", f.PUBLIC), tree.find("network", f.PRIVATE)
        worker = tree.find("network", f.TIERS[0][0])
        assert public is not None and private is not None and worker is not None
        rebuilt: list[int] = []
        refresh_bindings = app.refresh_bindings

        def counted() -> None:
            rebuilt.append(1)
            refresh_bindings()

        app.refresh_bindings = counted  # type: ignore[method-assign]

        tree.move_cursor(public)  # floating IPs come from an external network: "New FIP" fits
        await until(pilot, lambda: "New FIP" in shown(bar), what="the public network's keys")
        assert "Refresh" in shown(bar) and "palette" in shown(bar)
        tree.move_cursor(tree.section("networks"))
        await until(pilot, lambda: "New FIP" not in shown(bar), what="the section's keys")

        tree.move_cursor(private)
        await pilot.pause()
        before = len(rebuilt)
        tree.move_cursor(worker)  # the same actions fit another private network: nothing to redraw
        await pilot.pause()
        assert len(rebuilt) == before
        assert not bar.children  # one line of text, never a widget per key


async def test_clicking_a_key_presses_it() -> None:
    app = NetdashApp(None, Info(), poll=False, topology=f.seed_topology(), clock=lambda: f.FIXED_TIME)
    async with app.run_test(size=(160, 40)) as pilot:
        bar = app.query_one(KeyBar)
        await pilot.pause()
        start, _end, key = next(span for span in bar.spans if span[2] == "question_mark")
        assert key == "question_mark"
        await pilot.click(KeyBar, offset=(start + 1, 0))
        await until(pilot, lambda: isinstance(app.screen, KeysScreen), what="the keys screen")
