"""Updating the header, the details and the probe's lines lays the screen out again only when a height
changed (`widgets.steady`): a layout cost ~27 ms at `--scale 1000`, and these update far more often."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Static

from netdash.tui.app import NetdashApp
from netdash.widgets.details import DetailsPane
from netdash.widgets.status import StatusHeader
from netdash.widgets.topology_tree import TopologyTree
from tests import topology_factory as f
from tests.test_dashboard_snapshots import Info


def record_layouts(widget: Any, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The `layout` each of `widget`'s content updates asks for."""
    asked: list[bool] = []
    update = Static.update

    def recorded(self: Static, content: Any = "", *, layout: bool = True) -> None:
        if self is widget:
            asked.append(layout)
        update(self, content, layout=layout)

    monkeypatch.setattr(Static, "update", recorded)
    return asked


async def test_same_height_or_room_to_spare_needs_no_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    app = NetdashApp(None, Info(), poll=False, topology=f.seed_topology(), clock=lambda: f.FIXED_TIME)
    async with app.run_test(size=(160, 40)) as pilot:
        tree, details, header = app.query_one(TopologyTree), app.query_one(DetailsPane), app.query_one(StatusHeader)
        await pilot.pause()
        public, private = tree.find("network", f.PUBLIC), tree.find("network", f.PRIVATE)
        assert public is not None and private is not None

        tree.move_cursor(private)  # the first update measures what it shows: a layout of its own
        await pilot.pause()
        shown = record_layouts(details, monkeypatch)
        for node in (public, tree.section("networks"), private):  # 11 lines, 1 line, 11 lines: all fit
            tree.move_cursor(node)
            await pilot.pause()
        assert shown and not any(shown)
        assert details.resource is not None and details.resource.id == f.PRIVATE

        header.render_status()  # measured at its laid-out width
        status = record_layouts(header, monkeypatch)
        header.render_status()  # the same one line
        header.set_stale(f.FIXED_TIME, "HTTP 503")  # a second line: the header grows
        header.set_stale(f.FIXED_TIME, "HTTP 503 again")  # still two lines
        header.set_refreshed(f.FIXED_TIME)  # back to one
        assert status == [False, True, False, True]
