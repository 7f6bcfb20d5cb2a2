"""The switcher (`S`) through the dashboard, on real embedded clouds: another project of the same cloud
(devstack's demo user has two), another cloud of a clouds.yaml (two embedded clouds on ephemeral ports),
and switches that fail (no such project, a wrong password) staying where they were, in one line, still
refreshing. The header says where the dashboard is; `--read-only` and the kind of selection survive."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList

from netdash.cloud.client import CloudClient
from netdash.cloud.switching import Connector, Place
from netdash.democloud import DemoCloud
from netdash.democloud.launcher import render_yaml
from netdash.tui.app import NetdashApp
from netdash.tui.switch_screen import SwitchScreen
from netdash.widgets.event_log import EventLog
from netdash.widgets.nodes import path_to
from netdash.widgets.status import StatusHeader
from netdash.widgets.topology_map import TopologyMap
from netdash.widgets.topology_tree import TopologyTree
from tests.dashboard_support import INTERVAL, dashboard, next_refreshes, press, until
from tests.test_dashboard_commands import command


def logged(app: NetdashApp, text: str) -> list[str]:
    return [entry[1] for entry in app.query_one(EventLog).entries if text in entry[1]]


async def choose(pilot: Any, app: NetdashApp, matches: Any) -> None:
    """`S`, the option whose place `matches`, Enter."""
    await press(pilot, "S")
    screen = await until(pilot, lambda: isinstance(app.screen, SwitchScreen) and app.screen.places and app.screen,
                         what="the switcher, listed")
    option_id = next(key for key, place in screen.places.items() if matches(place))
    listing = screen.query_one(OptionList)
    listing.highlighted = listing.get_option_index(option_id)
    await press(pilot, "enter")
    await until(pilot, lambda: app.screen is app.screen_stack[0], what="the switcher closed")


async def test_switching_project_within_the_embedded_cloud(seeded_cloud: DemoCloud) -> None:
    entry = seeded_cloud.cloud_config("demo")
    other = seeded_cloud.cloud.identity.project_named("invisible_to_admin")["id"]
    entry["auth"] = {**entry["auth"], "project_id": other}
    import openstack
    from openstack.config import loader

    there = openstack.connection.Connection(config=loader.OpenStackConfig(
        load_yaml_config=False, load_envvars=False).get_one(**entry))
    elsewhere = there.network.create_network(name="elsewhere")

    app = dashboard(seeded_cloud, read_only=True)
    app.switcher.connector = Connector.starting_from(app.client, max_rps=1000, insecure=False)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        await until(pilot, lambda: app.refreshes >= 1, what="the first refresh")
        private = next(n.id for n in app.topology.networks.values() if n.name == "private")
        tree.reveal(path_to(app.topology, "network", private))
        await until(pilot, lambda: tree.selected == ("network", private), what="private selected")

        await choose(pilot, app, lambda place: place.project == "demo")  # where it is: nothing to reconnect
        assert app.switcher.going is None and not logged(app, "switching to")

        await choose(pilot, app, lambda place: place.project == "invisible_to_admin")
        await until(pilot, lambda: elsewhere.id in app.topology.networks, what="the other project's network")
        header = app.query_one(StatusHeader)
        assert app.info.project == "invisible_to_admin" and private not in app.topology.networks
        assert "project invisible_to_admin" in str(header.render()) and "read-only" in str(header.render())
        assert tree.selected is not None and tree.selected[0] == "network"  # a network still: the first one
        assert app.read_only and not app.fitting_actions()
        assert len(logged(app, "switched to cloud netdash-demo · project invisible_to_admin")) == 1

        # a project this user has no role on: one line, and the dashboard stays, still refreshing
        app.switcher.go(Place("netdash-demo", "0123456789abcdef0123456789abcdef", project="nowhere"))
        await until(pilot, lambda: logged(app, "could not switch"), what="the failure's line")
        (line,) = logged(app, "could not switch")
        assert "project nowhere" in line and "authentication refused" in line and "\n" not in line
        assert entry["auth"]["password"] not in line
        await next_refreshes(pilot, app)
        assert app.info.project == "invisible_to_admin" and elsewhere.id in app.topology.networks
        assert not app.stale and app.switcher.going is None

        # the command bar: a name that is no project here says what there is; `:project demo` goes back
        await command(pilot, app, "project nowhere")
        await until(pilot, lambda: len(logged(app, "could not switch")) == 2, what="the second failure's line")
        assert "no project named 'nowhere': projects here: demo, invisible_to_admin" in logged(app, "could not")[-1]
        await press(pilot, "M")  # the map, this time: the switch keeps it, and a network selected on it
        await until(pilot, lambda: app.views.map_shown, what="the map shown")
        await command(pilot, app, "project demo")
        await until(pilot, lambda: app.info.project == "demo" and private in app.topology.networks, what="back")
        assert elsewhere.id not in app.topology.networks and "project demo" in str(app.query_one(StatusHeader).render())
        kind, selected = app.query_one(TopologyMap).selected
        assert app.views.map_shown and kind == "network" and selected in app.topology.networks


@pytest.fixture
def two_clouds(seeded_cloud: DemoCloud, empty_cloud: DemoCloud, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> tuple[DemoCloud, DemoCloud]:
    """A clouds.yaml naming both (`one`, `two`), `bad` (the second with a wrong password) and `gone` (an
    address where nothing listens); the OS_* variables of an openrc for the second, as its alt_demo user."""
    bad = empty_cloud.cloud_config("demo")
    bad["auth"] = {**bad["auth"], "password": "not-the-password-3141"}
    with socket.socket() as probe:  # a loopback port nothing listens on once this closes
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    gone = empty_cloud.cloud_config("demo")
    gone["auth"] = {**gone["auth"], "auth_url": f"http://127.0.0.1:{closed}/identity/v3"}
    clouds = {"one": seeded_cloud.cloud_config("demo"), "two": empty_cloud.cloud_config("demo"), "bad": bad,
              "gone": gone}
    (tmp_path / "clouds.yaml").write_text(render_yaml({"clouds": clouds}))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(tmp_path / "clouds.yaml"))
    monkeypatch.delenv("OS_CLOUD", raising=False)
    alt = empty_cloud.cloud_config("alt_demo")["auth"]
    for key in ("auth_url", "username", "password", "project_name", "user_domain_name", "project_domain_name"):
        monkeypatch.setenv(f"OS_{key.upper()}", alt[key])
    return seeded_cloud, empty_cloud


async def test_switching_between_two_clouds_of_a_clouds_yaml(two_clouds: tuple[DemoCloud, DemoCloud]) -> None:
    client = CloudClient.connect("one", max_rps=1000)
    app = NetdashApp(client, interval=INTERVAL, connector=Connector.starting_from(client, max_rps=1000, insecure=False))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            tree = app.query_one(TopologyTree)
            await until(pilot, lambda: app.refreshes >= 1 and app.topology.servers, what="cloud one's servers")
            server = next(iter(app.topology.servers))
            tree.reveal(path_to(app.topology, "server", server))
            await until(pilot, lambda: tree.selected == ("server", server), what="a server selected")
            await choose(pilot, app, lambda place: place.cloud == "two")
            await until(pilot, lambda: app.info.cloud == "two", what="on cloud two")
            assert not app.topology.servers and [n.name for n in app.topology.networks.values()] == ["public"]
            assert "cloud two" in str(app.query_one(StatusHeader).render())
            assert tree.cursor_node is tree.section("servers")  # no server there: the Servers section
            await next_refreshes(pilot, app)  # the new cloud refreshes on its own timer

            await choose(pilot, app, lambda place: place.cloud == "bad")
            await until(pilot, lambda: logged(app, "could not switch"), what="the failure's line")
            (line,) = logged(app, "could not switch")
            assert "cloud bad" in line and "authentication refused" in line and "not-the-password" not in line
            await choose(pilot, app, lambda place: place.cloud == "gone")
            await until(pilot, lambda: len(logged(app, "could not switch")) == 2, what="the second failure")
            assert "cannot reach the auth URL" in logged(app, "could not switch")[-1]
            await next_refreshes(pilot, app)
            assert app.info.cloud == "two" and not app.stale

            # the OS_* environment is an entry too (openstacksdk's `envvars`): alt_demo's project, there
            await choose(pilot, app, lambda place: place.cloud == "envvars")
            await until(pilot, lambda: app.info.cloud == "envvars", what="on the OS_* environment's cloud")
            assert app.info.project == "alt_demo" and app.info.user == "alt_demo"
            assert logged(app, "switched to cloud the OS_* environment")
    finally:
        client.close()
