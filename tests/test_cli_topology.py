"""`netdash topology`: the model as JSON or a tree, once; bad input is one line on stderr and exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from netdash.__main__ import main
from netdash.cloud.client import CloudClient
from netdash.cloud.export import topology_to_dict
from netdash.democloud import DemoCloud
from tests.conftest import use_clouds_yaml

NETDASH = [sys.executable, "-c", "from netdash.__main__ import run; run()"]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def clouds_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seeded_cloud: DemoCloud) -> Path:
    return use_clouds_yaml(seeded_cloud, tmp_path / "clouds.yaml", monkeypatch)


def without_clock(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "fetched_at"}


def test_json_is_the_model(clouds_yaml: Path, seeded_cloud: DemoCloud, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["topology", "--format", "json", "--os-cloud", "netdash-demo", "--max-rps", "1000"]) == 0
    printed = json.loads(capsys.readouterr().out)
    client = CloudClient.for_demo(seeded_cloud, max_rps=1000)
    try:
        expected = topology_to_dict(client.fetch_topology_sync())
    finally:
        client.close()
    assert without_clock(printed) == without_clock(expected)
    assert printed["services"] == ["compute", "load-balancer", "network"]
    assert {p["name"] for p in printed["pools"]} == {"web_pool"}
    assert all({"id", "pool_id", "address", "operating_status"} <= m.keys() for m in printed["members"])
    # what the dashboard shows beside the tree: the groups with their rules, the quotas with their usage
    (default,) = printed["security_groups"]
    assert default["name"] == "default" and any(
        r["protocol"] == "tcp" and r["port_range_min"] == 80 and r["direction"] == "ingress" for r in default["rules"])
    quotas = {q["id"]: q for q in printed["quotas"]}
    assert quotas["floatingip"]["used"] == 2 and quotas["floatingip"]["limit"] > 2 and "port" in quotas


def test_tree_shows_the_five_roots(clouds_yaml: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--os-cloud", "netdash-demo", "topology"]) == 0
    out = capsys.readouterr().out
    for text in ("Networks", "Routers", "Servers", "Floating IPs", "Load balancers", "pool web_pool ROUND_ROBIN",
                 "listener web_listener HTTP:80", "gateway public", "Security groups", "ingress tcp 80 from 0.0.0.0/0",
                 "Network quotas", "floating IPs 2/"):
        assert text in out


def test_the_map_exports_name_every_network(clouds_yaml: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """svg, mermaid and dot from one cloud (their parsing and escaping: tests/cloud/test_topology_export.py)."""
    import xml.etree.ElementTree as ET

    outputs = {}
    for fmt in ("svg", "mermaid", "dot"):
        assert main(["topology", "--format", fmt, "--os-cloud", "netdash-demo", "--max-rps", "1000"]) == 0
        outputs[fmt] = capsys.readouterr().out
    svg_text = "".join(ET.fromstring(outputs["svg"]).itertext())
    assert outputs["mermaid"].startswith("flowchart TB") and outputs["dot"].startswith("graph topology {")
    for name in ("public", "private", "worker_network", "webserver_network", "api_network"):
        assert f"▾ {name}" in svg_text and f'"{name}<br>' in outputs["mermaid"]
        assert f'label="{name}\\n' in outputs["dot"]


def one_line_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str], expected: str, secret: str = "") -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("netdash: error: ") and expected in lines[0], captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    if secret:
        assert secret not in captured.err


@pytest.mark.parametrize(("argv", "expected"), [
    (["topology", "--format", "xml"], "invalid choice: 'xml'"),
    (["--interval", "0"], "expected a number from 0.1 to 3600, got '0'"),
    (["--max-rps", "many", "topology"], "expected a number from 0.1 to 10000, got 'many'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["topology", "--os-cloud", "nope"], "unknown cloud 'nope'"),
    (["topology", "--os-cloud", "netdash-demo", "--os-region", "Mars"], "Region Mars is not a valid region"),
    (["--interval", "5", "topology"], "--interval is a dashboard option: `netdash topology` does not refresh"),
    (["topology", "--interval", "5"], "unrecognized arguments: --interval 5"),
    (["topology", "--read-only"], "unrecognized arguments: --read-only"),
])
def test_bad_options_and_names(clouds_yaml: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                               expected: str) -> None:
    one_line_exit_2(argv, capsys, expected)


def test_bad_clouds_yaml_password_and_auth_url(clouds_yaml: Path, seeded_cloud: DemoCloud,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    good, password = clouds_yaml.read_text(), seeded_cloud.password()
    argv = ["topology", "--os-cloud", "netdash-demo"]
    clouds_yaml.write_text(good.replace(password, "hunter2-wrong"))
    one_line_exit_2(argv, capsys, "authentication refused", secret="hunter2-wrong")
    clouds_yaml.write_text(good.replace(f":{seeded_cloud.port}/", ":9/"))
    one_line_exit_2(argv, capsys, "cannot reach the auth URL", secret=password)
    clouds_yaml.write_text(good.replace("clouds:", f"clouds: [{password}"))
    one_line_exit_2(argv, capsys, "not valid YAML", secret=password)
    clouds_yaml.write_text("- just\n- a list\n")
    one_line_exit_2(argv, capsys, "not a clouds.yaml")


def test_with_no_cloud_configured_it_uses_the_embedded_one(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / ".config"), PYTHONPATH=str(ROOT))
    done = subprocess.run([*NETDASH, "topology", "--format", "json"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "no cloud configured" in done.stderr and "embedded demo cloud" in done.stderr
    data = json.loads(done.stdout)
    assert [lb["name"] for lb in data["load_balancers"]] == ["web"]
    assert {s["name"] for s in data["servers"]} == {"server1", "server2"}


def test_an_unreachable_cloud_is_one_line_from_the_real_command(tmp_path: Path) -> None:
    """As a user runs it: no library warning may add a line (pytest's log capture would hide one)."""
    (tmp_path / "clouds.yaml").write_text(
        "clouds:\n  gone:\n    auth:\n      auth_url: http://127.0.0.1:9/v3\n      username: u\n"
        "      password: sekrit-pw-123\n      project_name: p\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update(OS_CLIENT_CONFIG_FILE=str(tmp_path / "clouds.yaml"), PYTHONPATH=str(ROOT))
    done = subprocess.run([*NETDASH, "--os-cloud", "gone", "topology"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["netdash: error: cannot reach the auth URL http://127.0.0.1:9/v3: "
                                        "connection refused"]
    assert "sekrit-pw-123" not in done.stderr + done.stdout


def test_max_rps_defaults_to_20_for_real_clouds_and_to_more_on_loopback() -> None:
    from netdash.cli.main import DEMO_MAX_RPS, MAX_RPS, max_rps, top_parser

    default, given = top_parser().parse_args([]), top_parser().parse_args(["--max-rps", "7"])
    assert (max_rps(default, False), max_rps(default, True)) == (MAX_RPS, DEMO_MAX_RPS) == (20.0, 500.0)
    assert (max_rps(given, False), max_rps(given, True)) == (7.0, 7.0)
    assert max_rps(top_parser().parse_args(["topology", "--max-rps", "3"]), True) == 3.0  # after the subcommand


@pytest.mark.parametrize("argv", [
    [], ["--os-cloud", "x", "--interval", "5", "--read-only"], ["--demo", "topology"],
    ["topology", "--format", "json", "--max-rps", "3"], ["probe", "http://127.0.0.1/", "--rate", "5"],
    ["serve", "--port", "0"], ["recover", "--rollback"], ["config", "path"],
    ["fip", "move", "127.24.4.12", "server2", "--yes"], ["--os-cloud", "x", "undo", "--dry-run"],
])
def test_parsing_without_the_actions_subcommands_reads_what_the_whole_parser_reads(argv: list[str]) -> None:
    """`parse` leaves the actions' subcommands out until one is named (`cli.main.parse`): same options."""
    from netdash.cli.main import parse, top_parser

    assert parse(argv) == top_parser().parse_args(argv)


def test_bad_input_is_told_by_the_whole_parser() -> None:
    from netdash.cli.main import UsageError, parse

    with pytest.raises(UsageError, match=r"invalid choice: 'nosuch' \(choose from .*'fip'"):
        parse(["nosuch"])
    with pytest.raises(UsageError, match="the following arguments are required: FIP, TARGET"):
        parse(["--demo", "fip", "move"])


@pytest.mark.parametrize(("spec", "unread", "shown", "missing"), [
    ("503@network:GET:/v2.0/ports", {"ports"}, ["servers", "load_balancers", "networks"], "ports"),
    ("503@load-balancer", {"load_balancers", "listeners", "pools", "health_monitors", "members"},
     ["servers", "ports", "networks"], "load_balancers"),
    ("503@compute", {"servers"}, ["ports", "load_balancers", "networks"], "servers"),
], ids=["ports", "load-balancers", "compute"])
def test_a_failing_list_prints_the_rest_names_it_and_exits_4(
        clouds_yaml: Path, seeded_cloud: DemoCloud, capsys: pytest.CaptureFixture[str], spec: str,
        unread: set[str], shown: list[str], missing: str) -> None:
    argv = ["topology", "--format", "json", "--os-cloud", "netdash-demo", "--max-rps", "1000"]
    seeded_cloud.cloud.faults.add_spec(spec)
    assert main(argv) == 4
    captured = capsys.readouterr()
    printed = json.loads(captured.out)
    assert all(printed[name] for name in shown) and printed[missing] == []   # nothing read of it, ever
    assert set(printed["unread"]) == unread and all("HTTP 503" in u["reason"] for u in printed["unread"].values())
    errors = captured.err.strip().splitlines()
    assert len(errors) == len(unread) and all(line.startswith("netdash: error: could not read the ")
                                              and "HTTP 503" in line for line in errors), errors

    assert main(["--os-cloud", "netdash-demo", "topology"]) == 4   # the tree: the same, as a tree
    captured = capsys.readouterr()
    assert "Load balancers" in captured.out and "Servers" in captured.out
    assert len(captured.err.splitlines()) == len(unread)

    seeded_cloud.cloud.faults.clear()
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "unread" not in json.loads(captured.out) and json.loads(captured.out)[missing] and captured.err == ""


def test_help_lists_each_subcommand_once(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    listed = capsys.readouterr().out
    for name in ("topology", "fip", "ports", "pool", "member", "server", "port", "recover", "probe", "demo-cloud"):
        assert listed.count(f"\n    {name} ") == 1, (name, listed)
