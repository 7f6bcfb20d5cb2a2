"""Regenerate the README's screenshots: the dashboard on the embedded cloud, headless, one SVG per view, and
one PNG of `netdash serve` in a browser.

Run with `make screenshots`. It starts `DemoCloud` (the seed scenario), opens the App with `run_test`
against it through openstacksdk like any cloud, drives it with Pilot, and saves what the screen shows.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from netdash.cloud.client import CloudClient  # noqa: E402
from netdash.democloud import DemoCloud  # noqa: E402
from netdash.tui.action_screens import ActionScreen, PickScreen  # noqa: E402
from netdash.tui.app import NetdashApp  # noqa: E402
from netdash.widgets.probe_pane import ProbePane  # noqa: E402
from netdash.widgets.topology_map import TopologyMap  # noqa: E402
from netdash.widgets.topology_tree import TopologyTree  # noqa: E402

OUT = Path(__file__).resolve().parent
SIZE = (130, 42)
SMALL = (80, 24)


async def settle(pilot, app: NetdashApp, refreshes: int = 1) -> None:
    while app.refreshes < refreshes:
        await pilot.pause(0.05)
    await pilot.pause()


async def open_path(pilot, tree: TopologyTree, *texts: str) -> None:
    node = tree.root
    for text in texts:
        node = next(c for c in node.children if text in c.label.plain)
        node.expand()
        for _ in range(50):
            if node.children or not node.allow_expand:
                break
            await pilot.pause(0.02)
    tree.move_cursor(node)
    await pilot.pause()


async def main() -> None:
    with DemoCloud(seed=True) as cloud:
        client = CloudClient.for_demo(cloud)
        app = NetdashApp(client, client.info, interval=1.0)
        async with app.run_test(size=SIZE) as pilot:
            tree = app.query_one(TopologyTree)
            await settle(pilot, app)
            app.save_screenshot("overview.svg", str(OUT))

            await open_path(pilot, tree, "Load balancers", "web", "web_listener", "web_pool")
            await pilot.press("down")
            app.save_screenshot("load-balancer.svg", str(OUT))

            await open_path(pilot, tree, "Load balancers", "web")
            pane = app.query_one(ProbePane)
            await pilot.press("g")
            pane.focus()
            await pilot.press("plus", "plus")  # 50 req/s
            while pane.stats.requests < 200 or len(pane.stats.latencies) < 60:
                await pilot.pause(0.1)
            app.save_screenshot("probe.svg", str(OUT))
            await pilot.press("p")
            while app.probe.running:
                await pilot.pause(0.05)
            tree.focus()

            await open_path(pilot, tree, "Networks", "private", "private_subnet")
            app.save_screenshot("network.svg", str(OUT))

            conn = cloud.connection()
            pool = conn.load_balancer.find_pool("web_pool")
            await asyncio.to_thread(conn.load_balancer.update_pool, pool, lb_algorithm="SOURCE_IP")
            server2 = conn.compute.find_server("server2")
            await asyncio.to_thread(conn.compute.stop_server, server2)
            await settle(pilot, app, app.refreshes + 3)
            app.save_screenshot("events.svg", str(OUT))

            await pilot.press("slash", *"server1", "enter")
            app.save_screenshot("filter.svg", str(OUT))
            await pilot.press("escape", "question_mark")
            app.save_screenshot("keys.svg", str(OUT))
            await pilot.press("escape")
            # the topology map in the tree's place (M), the member on server2 selected
            await pilot.press("M")
            await pilot.pause()
            app.query_one(TopologyMap).action_last()
            await pilot.pause()
            app.save_screenshot("map.svg", str(OUT))
            await pilot.press("M")

            await pilot.press("colon", *"web")
            app.save_screenshot("commands.svg", str(OUT))
            await pilot.press("escape")
            public = conn.network.find_network("public")
            await asyncio.to_thread(conn.network.create_ip, floating_network_id=public.id)
            private = conn.network.find_network("private")
            await asyncio.to_thread(conn.network.create_port, network_id=private.id, name="spare")
            await settle(pilot, app, app.refreshes + 2)
            await pilot.press("colon", *"unused", "enter")
            await pilot.press("down")
            app.save_screenshot("unused.svg", str(OUT))
        # the default terminal, 80x24: one view at a time, and an action's dialog with its buttons on screen
        app = NetdashApp(client, client.info, interval=1.0)
        async with app.run_test(size=SMALL) as pilot:
            tree = app.query_one(TopologyTree)
            await settle(pilot, app)
            app.save_screenshot("small-overview.svg", str(OUT))
            await open_path(pilot, tree, "Floating IPs", "server1")
            await pilot.press("m")
            while not isinstance(app.screen, PickScreen):
                await pilot.pause(0.05)
            await pilot.press("enter")
            while not (isinstance(app.screen, ActionScreen) and app.screen.phase == "confirm"):
                await pilot.pause(0.05)
            app.save_screenshot("small-dialog.svg", str(OUT))
            await pilot.press("n")
            while isinstance(app.screen, ActionScreen):
                await pilot.pause(0.05)
            await pilot.press("M")
            await pilot.pause()
            app.save_screenshot("small-map.svg", str(OUT))
        client.close()
    for name in ("overview", "load-balancer", "probe", "network", "events", "filter", "keys", "map", "commands",
                 "unused", "small-overview", "small-dialog", "small-map"):
        print(OUT / f"{name}.svg")


async def tour() -> None:
    """`netdash tour load-balancer` on its fresh embedded cloud, at the step where server1 is evicted."""
    from netdash.democloud import Settings
    from netdash.tour import model

    tour = model.load("load-balancer")
    with DemoCloud(seed=False, settings=Settings(provisioning_delay=0.05, build_delay=0.05)) as cloud:
        client = CloudClient.for_demo(cloud)
        app = NetdashApp(client, client.info, interval=1.0, tour=tour, tour_fresh=True)
        async with app.run_test(size=SIZE) as pilot:
            for n in range(1, 6):
                await pilot.press("right_square_bracket")
                while app.tours.run.position < n or app.tours.busy is not None:
                    await pilot.pause(0.1)
            await settle(pilot, app, app.refreshes + 2)
            app.save_screenshot("tour.svg", str(OUT))
        client.close()
    print(OUT / "tour.svg")


def browser() -> None:
    """`netdash serve --demo` in Debian's chromium (tests/browser): the dashboard as a browser shows it."""
    from tests.browser import chromium
    from tests.browser.serving import Served, page_shot

    executable = chromium.executable()
    if executable is None:
        print("no chromium: screenshots/browser.png left as it was (apt-get install chromium)", file=sys.stderr)
        return
    with Served("--demo") as served:
        page_shot(served.url, executable, OUT / "browser.png")
        served.stop()
    print(OUT / "browser.png")


if __name__ == "__main__":
    if sys.argv[1:] == ["tour"]:  # this one alone
        asyncio.run(tour())
    else:
        asyncio.run(main())
        asyncio.run(tour())
        browser()
