"""`netdash probe URL`: the statistics once, as a table or JSON; bad input is one line and exit 2."""

from __future__ import annotations

import json

import pytest

from netdash.__main__ import main
from netdash.cloud.model import Topology
from netdash.cloud.probe import default_target
from tests.probe.conftest import load_balancer


def test_table_names_both_backends(topology: Topology, capsys: pytest.CaptureFixture[str]) -> None:
    url = default_target(topology, load_balancer(topology)).url
    assert main(["probe", str(url), "--rate", "200", "--duration", "0.3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"probe {url}: ")
    lines = out.splitlines()
    assert any(line.split()[:2] == ["server1", "nginx"] for line in lines)
    assert any(line.split()[:2] == ["server2", "Apache"] for line in lines)
    assert "errors: none (error rate 0.0%)" in lines


def test_json_with_clients_and_a_header(topology: Topology, capsys: pytest.CaptureFixture[str]) -> None:
    url = default_target(topology, load_balancer(topology)).url
    assert main(["probe", str(url), "--rate", "200", "--duration", "0.3", "--clients", "4",
                 "--backend-header", "Server", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {b["backend"] for b in data["backends"]} == {"nginx", "Apache"}
    assert data["requests"] == data["sent"] == sum(b["count"] for b in data["backends"])
    assert abs(sum(b["share"] for b in data["backends"]) - 1) < 1e-9
    assert [c[0] for c in data["clients"]] == ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]
    assert data["errors"] == [] and data["p50"] is not None and data["target_rate"] == 200


def test_a_new_connection_per_request(topology: Topology, capsys: pytest.CaptureFixture[str]) -> None:
    """`--new-connection`, as a curl loop: the round robin still alternates, and the output says the mode."""
    url = default_target(topology, load_balancer(topology)).url
    assert main(["probe", str(url), "--rate", "100", "--duration", "0.3", "--new-connection"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.endswith(", a new connection per request"), first
    assert main(["probe", str(url), "--rate", "100", "--duration", "0.3", "--new-connection", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["connections"] == "new per request" and {b["backend"] for b in data["backends"]} == {"server1",
                                                                                                     "server2"}


def test_refused_is_a_result_not_a_failure(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["probe", "http://127.0.0.1:9/", "--rate", "50", "--duration", "0.2", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["errors"] == [["refused", data["requests"]]] and data["error_rate"] == 1.0


@pytest.mark.parametrize(("argv", "expected"), [
    (["probe", "ftp://127.0.0.1/"], "not an http(s) URL"),
    (["probe", "http://127.0.0.1/", "--rate", "500"], "argument --rate: expected a number from 1 to 200, got '500'"),
    (["probe", "http://127.0.0.1/", "--backend-regex", "("], "bad backend regex"),
    (["probe", "http://10.1.1.1/", "--clients", "2"], "several clients need several source addresses"),
    (["probe", "http://127.0.0.1/", "--backend-header", "a", "--backend-regex", "b"], "not allowed with"),
    (["probe"], "the following arguments are required: URL"),
])
def test_bad_input_is_one_line_and_exit_2(argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("netdash: error: ") and expected in line
