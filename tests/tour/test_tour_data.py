"""Tour files: each packaged tour loads and names only what exists; a bad file is one line; `netdash tour`
refuses, in one line, what it cannot play (a named cloud without the flag, --read-only, --scale)."""

from __future__ import annotations

from pathlib import Path

import pytest

from netdash.__main__ import main
from netdash.actions.catalog import BY_ID
from netdash.tour import model

GOOD = """
name = "t"
title = "T"
source = "000"

[[steps]]
title = "net"
narration = "a network"
commands = ["openstack network create private"]
build = [{ kind = "network", name = "private", subnet = "private_subnet", cidr = "10.0.0.0/24" }]
"""


SEEDS = Path("/work/shared/seeds")


def document_text() -> str:
    """Both seed documents, continued lines joined and whitespace collapsed, as a command is compared."""
    text = "\n".join(path.read_text() for path in sorted(SEEDS.glob("*.txt")))
    return " ".join(text.replace("\\\n", " ").replace("`", " ").replace('"', "").split())


@pytest.mark.parametrize("name", model.names())
def test_each_tour_loads_and_shows_the_documents_commands(name: str) -> None:
    tour = model.load(name)
    assert tour.name == name and tour.steps
    text = document_text() if SEEDS.is_dir() else None
    for step in tour.steps:
        assert step.action is None or step.action.id in BY_ID
        for command in step.commands:
            # as the document writes it; where it writes none, ours says what the document says instead
            written, _, said = command.partition("  # the document: ")
            if said:
                written = said.strip('"')
            written = " ".join(written.split())
            assert text is None or written in text or written[1:] in text, command  # [1:]: its `penstack`
    assert any(step.probe is not None for step in tour.steps)


def test_every_seed_scenario_has_a_tour() -> None:
    assert set(model.names()) == {"load-balancer", "floating-ip", "port-migration", "first-app"}


@pytest.mark.parametrize(("text", "expected"), [
    ("name = ", "not TOML"),
    ('name = "t"\ntitle = "T"\nsource = "s"\n', "no [[steps]]"),
    (GOOD.replace('kind = "network"', 'kind = "volume"'), "each build needs a kind of"),
    (GOOD.replace('cidr = "10.0.0.0/24"', 'color = "red"'), "lacks 'cidr'"),
    (GOOD.replace("build = [", 'action = { id = "server_stop", server = "s" }\nbuild = ['), "either 'build' or"),
    (GOOD.replace("build = [", "x = [").replace("x = [{ kind", "# [{ kind"), "changes something"),
    (GOOD.replace('commands = ["openstack network create private"]', "commands = []"), "'commands' must be"),
    (GOOD + '\n[[steps]]\ntitle = "x"\nnarration = "x"\ncommands = ["openstack x"]\n'
     'action = { id = "launch_rockets" }\n', "no action 'launch_rockets'"),
    (GOOD + '\n[[steps]]\ntitle = "x"\nnarration = "x"\ncommands = ["openstack x"]\n'
     'action = { id = "server_stop", server = "s", force = "yes" }\n', "takes no 'force'"),
    (GOOD + '\n[[steps]]\ntitle = "x"\nnarration = "x"\ncommands = ["openstack x"]\n'
     'action = { id = "server_stop", server = "s" }\nprobe = { target = "nowhere", pinned = true }\n',
     "probe target 'nowhere' is nothing the tour made"),
    (GOOD + '\n[[steps]]\ntitle = "x"\nnarration = "x"\ncommands = ["openstack x"]\n'
     'action = { id = "server_stop", server = "s" }\nprobe = { target = "private", shares = { a = 0.7 } }\n',
     "must add up to 1"),
    (GOOD.replace("[[steps]]", "[[steps]]\nhighlight = [\"server:ghost\"]"), "names nothing the tour made"),
])
def test_a_bad_tour_file_is_one_line(text: str, expected: str) -> None:
    with pytest.raises(model.TourError) as caught:
        model.parse(text, "bad.toml")
    message = caught.value.message
    assert message.startswith("bad.toml") and expected in message and "\n" not in message, message


@pytest.mark.parametrize(("argv", "expected"), [
    (["tour", "nope"], "no tour 'nope': the tours are"),
    (["tour", "load-balancer", "--os-cloud", "prod"], "on 'prod' it needs --i-understand-this-creates-resources"),
    (["--read-only", "tour", "floating-ip"], "it cannot run with --read-only"),
    (["tour", "floating-ip", "--demo", "--scale", "10"], "--scale does not apply"),
    (["tour", "floating-ip", "--pace", "0"], "expected a number from 1 to 600"),
])
def test_netdash_tour_refuses_in_one_line(argv: list[str], expected: str, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OS_CLOUD", raising=False)
    monkeypatch.delenv("OS_AUTH_URL", raising=False)
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("netdash: error: ") and expected in lines[0], captured.err
    assert "Traceback" not in captured.err


def test_an_openrc_cloud_is_a_named_cloud_too(capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OS_CLOUD", raising=False)
    monkeypatch.setenv("OS_AUTH_URL", "https://keystone.example:5000/v3")
    assert main(["tour", "load-balancer"]) == 2
    assert "--i-understand-this-creates-resources" in capsys.readouterr().err


def test_a_tour_plays_on_a_fresh_empty_embedded_cloud_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from netdash.cli import tour
    from netdash.cli.main import top_parser
    from netdash.cloud.client import CloudClient
    from netdash.democloud.process import DemoCloudProcess

    monkeypatch.delenv("OS_CLOUD", raising=False)
    monkeypatch.delenv("OS_AUTH_URL", raising=False)
    options = top_parser().parse_args(["tour", "first-app"])
    assert tour.prepare(options) is None
    assert options.demo and options.empty and options.tour_fresh and options.tour.name == "first-app"
    with DemoCloudProcess(empty=options.empty) as child:  # what `netdash tour` launches
        client = CloudClient.for_demo(child, max_rps=1000)
        try:
            topology = client.read_topology()
        finally:
            client.close()
    assert [n.name for n in topology.networks.values()] == ["public"]
    assert not topology.servers and not topology.load_balancers


def test_with_the_flag_a_named_cloud_is_played_on_and_not_fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    from netdash.cli import tour
    from netdash.cli.main import top_parser

    options = top_parser().parse_args(["tour", "load-balancer", "--os-cloud", "prod",
                                       "--i-understand-this-creates-resources"])
    assert tour.prepare(options) is None
    assert not options.demo and not options.tour_fresh
