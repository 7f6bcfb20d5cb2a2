"""Text from the cloud is data, never terminal control (issue 14): names with escape sequences, BEL, C1
controls, bidi overrides and Rich markup, set through openstacksdk on the embedded cloud, read as text in
`netdash topology`, in a refusal line and in the dashboard's tree, details and event log."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console
from textual.app import App, ComposeResult
from textual.notifications import Notification, Notify

from netdash.__main__ import main
from netdash.cloud.errors import ApiError
from netdash.cloud.probe import Identifier
from netdash.cloud.text import visible
from netdash.democloud import DemoCloud
from netdash.widgets.details import DetailsPane
from netdash.widgets.event_log import EventLog
from netdash.widgets.topology_tree import TopologyTree
from tests.dashboard_support import dashboard, until

BLINK = "p\x1b[5mBLINK\x1b[0m"
TITLE = "n\x1b]0;PWNED\x07"
C1_AND_BIDI = "s\x9b31m\u202egnp.exe"
MARKUP = "[bold red]x[/]"
#: what must never reach a terminal raw: ESC, BEL, a C1 CSI, the right-to-left override
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def assert_text_only(text: str) -> None:
    for char in RAW:
        assert char not in text, (char, text[-400:])


def test_visible_spells_out_controls_and_keeps_everything_else() -> None:
    assert visible(BLINK) == "p\\x1b[5mBLINK\\x1b[0m"
    assert visible(TITLE) == "n\\x1b]0;PWNED\\x07"
    assert visible(C1_AND_BIDI) == "s\\x9b31m\\u202egnp.exe"
    assert visible("tab\there\nnul\x00del\x7f\u2028\ud800") == "tab\\x09here\\x0anul\\x00del\\x7f\\u2028\\ud800"
    assert visible("web-1 ü 💥 [b]x[/] 网络") == "web-1 ü 💥 [b]x[/] 网络"
    assert visible(visible(BLINK)) == visible(BLINK)


def test_a_netdash_error_quotes_the_cloud_as_text() -> None:
    assert ApiError(f"network: HTTP 409 {TITLE} is in use").message == "network: HTTP 409 n\\x1b]0;PWNED\\x07 is in use"


@pytest.fixture
def hostile(seeded_cloud: DemoCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The seed, renamed by a user of the project: a network, both servers' ports, server2."""
    for var in [v for v in os.environ if v.startswith("OS_")]:
        monkeypatch.delenv(var)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(seeded_cloud.write_clouds_yaml(tmp_path / "clouds.yaml")))
    sdk = seeded_cloud.connection("demo")
    net = sdk.network.find_network("private", ignore_missing=False)
    sdk.network.update_network(net, name=TITLE)
    port = sdk.network.find_port("server-1-port", ignore_missing=False)
    sdk.network.update_port(port, name=BLINK, description=C1_AND_BIDI)
    server = sdk.compute.find_server("server2", ignore_missing=False)
    sdk.compute.update_server(server, name=MARKUP)  # Nova takes printable names only
    other = sdk.network.find_port("server-2-port", ignore_missing=False)
    sdk.network.update_port(other, name=C1_AND_BIDI)
    return {"network": net.id, "port": port.id, "server2": server.id}


def test_topology_tree_and_json_show_names_as_text(hostile: dict[str, Any],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--os-cloud", "netdash-demo", "--max-rps", "1000", "topology"]) == 0
    out = capsys.readouterr().out
    assert_text_only(out)
    for shown in (visible(TITLE), visible(BLINK), visible(C1_AND_BIDI), MARKUP):
        assert shown in out, shown
    assert main(["--os-cloud", "netdash-demo", "--max-rps", "1000", "topology", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert_text_only(out)  # JSON escapes them itself, and the names are the cloud's own
    assert BLINK in {p["name"] for p in json.loads(out)["ports"]}


def test_a_refusal_quotes_names_as_text(hostile: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    # server1's port is not server2's: the refusal names the port and the server, both hostile
    code = main(["ports", "swap", hostile["server2"], "server1", "--port-a", hostile["port"],
                 "--os-cloud", "netdash-demo", "--max-rps", "1000", "--yes"])
    captured = capsys.readouterr()
    assert code == 2
    assert_text_only(captured.out + captured.err)
    assert f"port {visible(BLINK)} is not attached to server {MARKUP}" in captured.err
    assert len(captured.err.strip().splitlines()) == 1


async def test_dashboard_tree_details_and_log_show_names_as_text(seeded_cloud: DemoCloud,
                                                                 hostile: dict[str, Any]) -> None:
    app = dashboard(seeded_cloud)
    toasts: list[Notification] = []

    def hook(message: Any) -> None:
        if isinstance(message, Notify):
            toasts.append(message.notification)

    async with app.run_test(size=(160, 40), message_hook=hook) as pilot:
        tree = app.query_one(TopologyTree)
        node = await until(pilot, lambda: tree.find("network", hostile["network"]), what="the renamed network")
        assert node.label.plain.startswith(visible(TITLE))
        servers = [child.label.plain for child in tree.section("servers").children]
        assert any(label.startswith(MARKUP) for label in servers), servers
        for label in [node.label.plain, *servers]:
            assert_text_only(label)
        log = app.query_one(EventLog)
        log.add_event(0.0, f"port {BLINK} changed", "info")
        assert log.entries[-1][1] == f"port {visible(BLINK)} changed"
        app.notify(f"{MARKUP} {TITLE}", title="No action")  # as a refusal reason or an error reaches a toast
        toast = await until(pilot, lambda: toasts[-1] if toasts else None, what="the toast")
        assert toast.message == f"{MARKUP} {visible(TITLE)}" and not toast.markup
        topology = app.topology
    # the details pane on its own (in the dashboard, each refresh shows the tree's selection again)
    pane = PaneApp()
    async with pane.run_test(size=(160, 40)) as pilot:
        details = pane.query_one(DetailsPane)
        details.show(topology, "port", topology.ports[hostile["port"]])
        await pilot.pause()
        console = Console(file=io.StringIO(), width=400, color_system=None)
        console.print(details.content)
        shown = console.file.getvalue()
        assert_text_only(shown)
        assert f"name               {visible(BLINK)}" in shown


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        yield DetailsPane(id="details")


def test_what_a_probed_server_answers_is_text() -> None:
    answer = httpx.Response(200, text=f"<title>{BLINK}</title>", headers={"server": "nginx"})
    assert Identifier.build()(answer) == (visible(BLINK), "nginx")
    assert Identifier.build(regex="title>([^<]*)")(answer) == (visible(BLINK), "")
