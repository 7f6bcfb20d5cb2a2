"""No password or token ever shows: on screen, in a screenshot, in a log, in an exception or CLI output.

The cloud has a known password and records every token it issues; each test drives netdash through
every view or command, collects everything it produced, and searches it for every one of those secrets.
"""

from __future__ import annotations

import html
import io
import logging
import os
import re
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.command import CommandList, CommandPalette
from textual.widgets import Button

from netdash.__main__ import main as netdash
from netdash.actions.catalog import CATALOG
from netdash.cloud.client import CloudClient
from netdash.cloud.errors import AuthError
from netdash.democloud import DemoCloud, Settings
from netdash.tui.action_screens import ActionScreen
from netdash.tui.app import NetdashApp
from netdash.widgets.details import DetailsPane
from netdash.widgets.event_log import EventLog
from netdash.widgets.probe_pane import ProbePane
from netdash.widgets.status import StatusHeader
from netdash.widgets.topology_tree import TopologyTree
from tests.dashboard_support import press, until

KNOWN_PASSWORD = "Trust-test-Pa55word-7f3a"


class RecordingTokens(dict[str, Any]):
    """Keystone's token table, remembering every token ever put in it (revoked ones included)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.issued: list[str] = list(self)

    def __setitem__(self, key: str, value: Any) -> None:
        self.issued.append(key)
        super().__setitem__(key, value)


def record_tokens(cloud: DemoCloud) -> RecordingTokens:
    identity = cloud.cloud.identity
    identity.tokens = RecordingTokens(identity.tokens)
    return identity.tokens


def secrets_of(cloud: DemoCloud, tokens: RecordingTokens, *extra: str) -> list[str]:
    """Every user's password, every token issued (and its first 24 characters: a truncated token is
    still a leak), and whatever else the test made up."""
    passwords = [cloud.password(user) for user in ("demo", "alt_demo", "admin")]
    return [*passwords, *extra, *tokens.issued, *(t[:24] for t in tokens.issued)]


def flatten(text: str) -> list[str]:
    """The text as written, and as it reads on screen: SVG tags dropped, entities decoded, and once more
    with all whitespace gone (a secret folded over two lines of a pane is still on screen)."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\xa0", " ")
    return [text, plain, re.sub(r"\s+", "", plain)]


def leaks(outputs: dict[str, str], secrets: Iterable[str]) -> list[str]:
    found = []
    wanted = [s for s in secrets if s]
    for where, text in outputs.items():
        for form in flatten(text):
            found += [f"{where}: …{s[:6]}… ({len(s)} chars)" for s in wanted if s in form]
    return sorted(set(found))


def log_text(records: Iterable[logging.LogRecord]) -> str:
    """Every record as a handler would write it: message, arguments, and any exception with its chain."""
    lines = []
    for record in records:
        lines.append(f"{record.name} {record.levelname} {record.getMessage()}")
        if record.exc_info and record.exc_info[1] is not None:
            lines.append("".join(traceback.format_exception(record.exc_info[1])))
    return "\n".join(lines)


def exception_text(exc: BaseException) -> str:
    """str, repr and the whole printed chain (the suppressed context too: a debugger shows it)."""
    chain = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10:
        chain.append(f"{current!s} {current!r} {current.args!r}")
        current = current.__cause__ or current.__context__
    return "\n".join([*chain, "".join(traceback.format_exception(exc))])


def write_clouds_yaml(cloud: DemoCloud, path: Path, wrong_password: str) -> Path:
    """`trust` as the cloud writes it, and `wrong` with a password Keystone refuses."""
    good = cloud.clouds_yaml_text(name="trust")
    bad = cloud.clouds_yaml_text(name="wrong").split("\n", 1)[1].replace(cloud.password(), wrong_password)
    path.write_text(good + bad)
    return path


# --- the command line ---------------------------------------------------------------------------------
WRONG_PASSWORD = "Wr0ng-Pa55word-e91c"


@pytest.fixture
def trust_cloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[DemoCloud, RecordingTokens]]:
    for var in [v for v in os.environ if v.startswith("OS_")]:
        monkeypatch.delenv(var)
    settings = Settings(password=KNOWN_PASSWORD, provisioning_delay=0.1, build_delay=0.05)
    with DemoCloud(seed=True, settings=settings) as cloud:
        tokens = record_tokens(cloud)
        path = write_clouds_yaml(cloud, tmp_path / "clouds.yaml", WRONG_PASSWORD)
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
        yield cloud, tokens


def cli_runs(cloud: DemoCloud) -> list[tuple[list[str], set[int]]]:
    """Every action subcommand (dry run, done, refused), the topology both ways, and bad input."""
    conn = cloud.connection()
    fip = next(iter(conn.network.ips())).floating_ip_address
    pool = next(iter(conn.load_balancer.pools())).name
    member = next(iter(conn.load_balancer.members(next(iter(conn.load_balancer.pools()))))).address
    c = ["--os-cloud", "trust"]
    return [
        (["topology", *c], {0}), (["topology", "--format", "json", *c], {0}),
        (["fip", "move", fip, "server2", "--dry-run", *c], {0}),
        (["fip", "move", fip, "server2", "--yes", *c], {0}),
        (["fip", "disassociate", fip, "--yes", *c], {0}),
        (["fip", "associate", fip, "server1", "--yes", *c], {0}),
        (["fip", "create", "--yes", *c], {0}),
        (["fip", "move", "no-such-fip", "server2", "--yes", *c], {2}),
        (["ports", "swap", "server1", "server2", "--dry-run", *c], {0, 2}),
        (["pool", "algorithm", pool, "SOURCE_IP", "--yes", *c], {0}),
        (["pool", "algorithm", pool, "NOT_AN_ALGORITHM", "--yes", *c], {2}),
        (["member", "disable", pool, member, "--yes", *c], {0}),
        (["member", "drain", pool, member, "--yes", *c], {0}),
        (["member", "enable", pool, member, "--yes", *c], {0}),
        (["server", "stop", "server2", "--yes", *c], {0}),
        (["server", "start", "server2", "--yes", *c], {0}),
        (["server", "reboot", "server2", "--dry-run", *c], {0}),
        (["topology", "--os-cloud", "wrong"], {2}), (["--os-cloud", "wrong"], {2}),
        (["server", "stop", "server2", "--yes", "--os-cloud", "wrong"], {2}),
    ]


def test_no_secret_in_cli_output_logs_or_errors(trust_cloud: tuple[DemoCloud, RecordingTokens],
                                                capsys: pytest.CaptureFixture[str],
                                                caplog: pytest.LogCaptureFixture) -> None:
    cloud, tokens = trust_cloud
    caplog.set_level(logging.DEBUG)  # every logger, keystoneauth's and openstacksdk's included
    outputs: dict[str, str] = {}
    for argv, expected in cli_runs(cloud):
        status = netdash(argv)
        captured = capsys.readouterr()
        assert status in expected, (argv, status, captured.err)
        outputs[" ".join(argv)] = captured.out + captured.err
        assert "Traceback" not in captured.err, argv
    for argv in (["topology", "--os-cloud", "wrong"], ["--os-cloud", "wrong"]):
        err = outputs[" ".join(argv)]
        assert "authentication refused" in err and err.count("\n") == 1, err

    with pytest.raises(AuthError) as refused:
        CloudClient.connect("wrong")
    outputs["AuthError"] = exception_text(refused.value)
    outputs["logs"] = log_text(caplog.records)
    assert "keystoneauth" in outputs["logs"] and "GET" in outputs["logs"], "DEBUG logs were not captured"
    assert len(tokens.issued) > 15
    assert leaks(outputs, secrets_of(cloud, tokens, WRONG_PASSWORD)) == []


def test_the_search_finds_a_secret_however_it_is_shown() -> None:
    """The search itself can fail: a secret in an SVG text run, entity-encoded, or folded over lines."""
    secret = "pass&word-123"
    svg = '<text class="r1">pass</text><text class="r2">&amp;word-</text>\n<text>&#160;123</text>'
    assert leaks({"svg": svg}, [secret]) and leaks({"log": f"x {secret[:5]}"}, [secret[:5]])
    assert leaks({"folded": "pass wo\n  rd-123"}, ["password-123"])
    assert not leaks({"clean": "nothing here", "entity": "pass&amp;wo rd-12"}, [secret])


# --- the dashboard ------------------------------------------------------------------------------------
def rendered(renderable: Any) -> str:
    console = Console(width=400, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


async def visit_every_node(pilot: Any, app: Any, outputs: dict[str, str]) -> set[str]:
    """Expand the tree down to four levels and put the cursor on every object once: the details pane
    shows each (its content rendered wide, so nothing is cut off); returns the kinds seen."""
    tree = app.query_one(TopologyTree)
    details = app.query_one(DetailsPane)
    seen: set[tuple[str, str]] = set()
    queue = [(node, 0) for node in tree.root.children]
    while queue:
        node, depth = queue.pop(0)
        data = node.data
        if data is None or (data.kind, data.id) in seen:
            continue
        seen.add((data.kind, data.id))
        if node.allow_expand and depth < 4:
            node.expand()
            await until(pilot, lambda n=node: n.children or not n.allow_expand, what=f"children of {data.id}")
            queue += [(child, depth + 1) for child in node.children]
        if data.kind != "section":
            tree.move_cursor(node)
            await until(pilot, lambda d=data: details.kind == d.kind, what=f"details of {data.kind}")
            outputs[f"details {data.kind} {data.id}"] = rendered(details.content)
        outputs[f"tree {data.kind} {data.id}"] = node.label.plain
    return {kind for kind, _ in seen}


async def open_and_close(pilot: Any, app: Any, key: str) -> Any:
    await press(pilot, key)
    screen = await until(pilot, lambda: len(app.screen_stack) > 1 and app.screen, what=f"a modal for {key}")
    await pilot.pause()
    return screen


async def close_modals(pilot: Any, app: Any) -> None:
    while len(app.screen_stack) > 1:
        await press(pilot, "escape")
        await pilot.pause()


async def show_everything(pilot: Any, app: Any, outputs: dict[str, str]) -> None:
    """Every node's details, each kind of modal, an action's result, the palette, the keys and the probe:
    what each shows is written into `outputs`."""
    app.action_toggle_pause()  # polling paused: what is on screen needs no refresh, and pilot.press
    await pilot.pause()        # waits for an idle app, which one refreshing 5 times a second rarely is
    kinds = await visit_every_node(pilot, app, outputs)
    assert {"network", "subnet", "port", "router", "server", "floating_ip", "load_balancer", "listener",
            "pool", "member", "health_monitor"} <= kinds, kinds
    outputs["screenshot expanded"] = app.export_screenshot()

    # each kind of modal once (the pickers, a plan, a refusal); the rest differ only in their words
    tree = app.query_one(TopologyTree)
    for kind, action in (("floating_ip", "move_fip"), ("network", "allocate_fip"), ("server", "swap_ports"),
                         ("server", "server_reboot"), ("pool", "pool_algorithm"), ("member", "member_drain")):
        node = next(n for n in walk(tree.root) if n.data is not None and n.data.kind == kind)
        tree.move_cursor(node)
        await pilot.pause()
        for key in CATALOG:
            if key.id == action:
                assert f"act('{key.id}')" in {b.binding.action for b in app.screen.active_bindings.values()}
                screen = await open_and_close(pilot, app, key.key)
                if isinstance(screen, ActionScreen):
                    await until(pilot, lambda s=screen: s.phase != "planning", what="the plan")
                outputs[f"modal {key.id}"] = app.export_screenshot()
                await close_modals(pilot, app)

    # one action run to its end: the result modal and the event log
    member = next(n for n in walk(tree.root) if n.data is not None and n.data.kind == "member")
    tree.move_cursor(member)
    await pilot.pause()
    screen = await open_and_close(pilot, app, "x")
    await until(pilot, lambda: screen.phase == "confirm", what="the plan")
    screen.query_one("#action-run", Button).press()
    await until(pilot, lambda: screen.phase == "finished", timeout=15, what="the action's result")
    outputs["modal result"] = app.export_screenshot()
    await close_modals(pilot, app)

    app.action_command_palette()
    await until(pilot, lambda: isinstance(app.screen, CommandPalette), what="the command palette")
    await press(pilot, *"member")
    palette = app.screen
    await until(pilot, lambda: palette.query(CommandList) and palette.query_one(CommandList).option_count,
                what="commands offered")
    outputs["command palette"] = app.export_screenshot()
    await close_modals(pilot, app)
    await open_and_close(pilot, app, "question_mark")
    outputs["keys"] = app.export_screenshot()
    await close_modals(pilot, app)

    lb = next(n for n in walk(tree.root) if n.data is not None and n.data.kind == "load_balancer")
    tree.move_cursor(lb)
    await pilot.pause()
    await press(pilot, "g")
    pane = app.query_one(ProbePane)
    await until(pilot, lambda: pane.stats.total > 3, timeout=10, what="probe answers")
    outputs["probe"] = app.export_screenshot()
    await press(pilot, "g")


@pytest.mark.parametrize("fetch_process", [False, True], ids=["fetch-here", "fetch-process"])
async def test_no_secret_on_screen_in_screenshots_logs_or_events(
        trust_cloud: tuple[DemoCloud, RecordingTokens], caplog: pytest.LogCaptureFixture, fetch_process: bool) -> None:
    """`fetch-process`: as `netdash` runs, the authentication failure is met, and worded, by the fetch
    process."""
    cloud, tokens = trust_cloud
    caplog.set_level(logging.DEBUG)
    outputs: dict[str, str] = {}
    client = CloudClient.connect("trust", max_rps=1000)
    app = NetdashApp(client, client.info, interval=0.2, fetch_process=fetch_process)
    try:
        async with app.run_test(size=(160, 50)) as pilot:
            await until(pilot, lambda: app.refreshes >= 1, what="the first refresh")
            outputs["screenshot first paint"] = app.export_screenshot()
            if not fetch_process:  # drawn from the same model wherever it was fetched: once is enough
                await show_everything(pilot, app, outputs)

            # the password changes under the dashboard and every token expires: re-authentication fails
            if fetch_process:
                await until(pilot, client.fetch_process_ready, timeout=30,
                            what="the fetch process up")
            if not fetch_process:
                app.action_toggle_pause()  # polling again
            cloud.cloud.identity.user_named("demo")["_password"] = WRONG_PASSWORD + "-new"
            cloud.cloud.identity.expire_all()
            header = app.query_one(StatusHeader)
            await until(pilot, lambda: header.stale_since is not None, timeout=10, what="the view stale")
            outputs["auth failure header"] = rendered(header.content)
            outputs["auth failure"] = app.export_screenshot()
            outputs["events"] = "\n".join(text for _, text, _ in app.query_one(EventLog).entries)
        assert (client.fetcher.process is not None) == fetch_process  # the failure was met where the test says
    finally:
        client.close()
    outputs["logs"] = log_text(caplog.records)
    assert "keystoneauth" in outputs["logs"], "DEBUG logs were not captured"
    assert "401" in outputs["auth failure header"], outputs["auth failure header"]
    assert sum(k.startswith("modal ") for k in outputs) == (0 if fetch_process else 7), [
        k for k in outputs if k.startswith("modal")]
    found = leaks(outputs, secrets_of(cloud, tokens, WRONG_PASSWORD, WRONG_PASSWORD + "-new"))
    assert found == []


def walk(node: Any) -> Iterator[Any]:
    for child in node.children:
        yield child
        yield from walk(child)
