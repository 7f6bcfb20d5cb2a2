"""Hypothesis over `netdash`'s command lines (in-process `tui.cli.main`): every subcommand with random
options and values in random order. Whatever it is given: exit status 0, 1 or 2 and never a traceback.

The clouds it may name either do not exist or refuse connections at once (a closed loopback port), so no
run waits on a network, starts the dashboard, or serves an embedded cloud forever: `demo-cloud` always
gets a `--state` that is a directory, which it refuses only after parsing everything else.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netdash.__main__ import main as netdash

COMMANDS = [["topology"], ["fip", "move"], ["fip", "associate"], ["fip", "disassociate"], ["fip", "create"],
            ["ports", "swap"], ["pool", "algorithm"], ["member", "enable"], ["member", "disable"],
            ["member", "drain"], ["server", "stop"], ["server", "start"], ["server", "reboot"], ["probe"],
            ["fip"], ["ports"], ["bogus"]]
OPTIONS = ["--os-cloud", "--os-region", "--interval", "--max-rps", "--read-only", "--insecure", "--format",
           "--yes", "-y", "--dry-run", "--network", "--target", "--port-a", "--port-b", "--reboot", "--rate",
           "--duration", "--clients", "--timeout", "--backend-header", "--backend-regex", "--help", "--",
           "-", "--unknown"]
DEMO_OPTIONS = ["--host", "--port", "--empty", "--clouds-yaml", "--password", "--token-ttl",
                "--provisioning-delay", "--help", "--bogus"]
VALUES = (st.text(max_size=20) | st.integers().map(str) | st.floats().map(str)
          | st.sampled_from(["0", "-1", "1e999", "nan", "inf", "tree", "json", "table", "dead", "nowhere",
                             "ROUND_ROBIN", "http://", "http://127.0.0.1:1/", "ftp://x", "[", "(?P<", "127.0.0.1",
                             "::1", "0.0.0.0", "10.1.2.3", "", " ", "-", "\u202e", "💥" * 5]))
#: positional arguments each subcommand takes (by its last word)
POSITIONALS = {"move": 2, "associate": 2, "disassociate": 1, "swap": 2, "algorithm": 2, "enable": 2,
               "disable": 2, "drain": 2, "stop": 1, "start": 1, "reboot": 1, "probe": 1}
#: closed loopback port: connecting is refused at once
DEAD_URL = "http://127.0.0.1:9/identity/v3"


@pytest.fixture(scope="module")
def fuzz_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    base = tmp_path_factory.mktemp("cli-fuzz")
    with socket.socket() as probe:  # make sure the "dead" cloud's port is really closed here
        assert probe.connect_ex(("127.0.0.1", 9)) != 0
    (base / "clouds.yaml").write_text(
        f"clouds:\n  dead:\n    auth:\n      auth_url: {DEAD_URL}\n      username: u\n      password: p-fuzz\n"
        "      project_name: p\n      user_domain_name: Default\n      project_domain_name: Default\n")
    saved = {k: v for k, v in os.environ.items() if k.startswith("OS_")}
    for key in saved:
        del os.environ[key]
    os.environ["OS_CLIENT_CONFIG_FILE"] = str(base / "clouds.yaml")
    try:
        yield base
    finally:
        del os.environ["OS_CLIENT_CONFIG_FILE"]
        os.environ.update(saved)


@st.composite
def command_lines(draw: Any, state_dir: str) -> list[str]:
    if draw(st.integers(0, 5)) == 0:
        words = draw(st.lists(st.sampled_from(DEMO_OPTIONS) | VALUES, max_size=6))
        return ["demo-cloud", *words, "--state", state_dir]
    command = draw(st.sampled_from(COMMANDS))
    if draw(st.booleans()):  # well-formed: the right number of positionals, options with a value each
        positionals = draw(st.lists(VALUES, min_size=POSITIONALS.get(command[-1], 0),
                                    max_size=POSITIONALS.get(command[-1], 0)))
        pairs = draw(st.lists(st.tuples(st.sampled_from(OPTIONS[:3] + OPTIONS[10:14] + OPTIONS[15:21]), VALUES),
                              max_size=3))
        flags = draw(st.lists(st.sampled_from(["--read-only", "--insecure", "--yes", "--dry-run"]), max_size=2))
        words = [*positionals, *(w for pair in pairs for w in pair), *flags]
    else:
        words = draw(st.lists(st.sampled_from(OPTIONS) | VALUES, max_size=7))
    if command == ["probe"]:
        words += ["--duration", "0.2"]  # a probe that reaches something runs no longer than this
    # never the dashboard and never the embedded cloud: a cloud is always named (it may not exist)
    cloud = draw(st.sampled_from(["dead", "dead", "dead", "nowhere"]) | st.text(min_size=1, max_size=8))
    return ["--os-cloud", cloud, *command, *(w for w in words if w not in ("--demo",))]


def run(argv: list[str]) -> int:
    try:
        return netdash(argv)
    except SystemExit as exc:  # argparse's --help (0) and usage errors (2) in `demo-cloud`
        return int(exc.code or 0)


def test_every_command_line_ends_in_0_1_or_2_without_a_traceback(fuzz_env: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    @settings(max_examples=250, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(command_lines(str(fuzz_env)))
    def check(argv: list[str]) -> None:
        status = run(argv)
        out, err = capsys.readouterr()
        assert status in (0, 1, 2), (argv, status, err[-300:])
        assert "Traceback" not in out + err, (argv, err[-600:])
        if status == 2:
            assert err.strip(), (argv, "exit 2 without saying why")

    check()
