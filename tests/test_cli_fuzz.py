"""Hypothesis over `netdash`'s command lines (in-process `tui.cli.main`): every subcommand with random
options and values in random order. Whatever it is given: exit status 0, 1 or 2 and never a traceback, and
exit status 2 is one line on stderr. Beside it, every numeric option of every command with every kind of
bad number (nan, inf, -inf, negative, zero where that is not allowed, 1e-300, 1e309): one line, exit 2.

The clouds it may name either do not exist or refuse connections at once (a closed loopback port), so no
run waits on a network, starts the dashboard, or serves an embedded cloud forever: `demo-cloud` always
gets a `--state` that is a directory, which it refuses while parsing.
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
                "--provisioning-delay", "--scale", "--faults", "--state", "--help", "--bogus"]
TINY = ("1e-300", "2e-308")
#: numbers no option takes, whatever its range (TINY: none whose range starts above zero)
BAD_NUMBERS = ["nan", "NaN", "inf", "-inf", "1e309", "-1e309", "-1", "-0.5", "1e-300", "2e-308", "0x10", "", "1_0e999"]
VALUES = (st.text(max_size=20) | st.integers().map(str) | st.floats().map(str)
          | st.sampled_from(["0", "-1", "1e999", "nan", "inf", "tree", "json", "table", "dead", "nowhere",
                             "ROUND_ROBIN", "http://", "http://127.0.0.1:1/", "ftp://x", "[", "(?P<", "127.0.0.1",
                             "::1", "0.0.0.0", "10.1.2.3", "", " ", "-", "\u202e", "💥" * 5, "http://[::1",
                             "/nonexistent/x", "\x1b[5m", "\x1b]0;t\x07", *BAD_NUMBERS]))
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
            assert len(err.strip().splitlines()) == 1, (argv, "exit 2 is one line saying why", err[-600:])
        assert "\x1b" not in err, (argv, "an argument reached the terminal raw", err[-300:])

    check()


#: (the command line up to the option, the option, values it takes that are out of its range)
NUMERIC_OPTIONS = [
    *((prefix, option, ["0", "0.01", "3601", "1e6"]) for option in ("--interval",)
      for prefix in ([], ["topology"], ["fip", "move", "a", "b"], ["recover"], ["serve"])),
    *((prefix, "--max-rps", ["0", "0.01", "10001"])
      for prefix in ([], ["topology"], ["ports", "swap", "a", "b"], ["member", "drain", "p", "m"], ["recover"])),
    ([], "--scale", ["0", "1.5", "10001", "1e3"]),
    (["probe", "http://127.0.0.1:9/"], "--rate", ["0", "0.5", "201"]),
    (["probe", "http://127.0.0.1:9/"], "--duration", ["0", "0.01", "86401"]),
    (["probe", "http://127.0.0.1:9/"], "--clients", ["0", "255", "1.5", "1e2"]),
    (["probe", "http://127.0.0.1:9/"], "--timeout", ["0", "0.001", "61"]),
    (["demo-cloud"], "--port", ["65536", "1.5", "1e3"]),
    (["serve"], "--port", ["65536", "1.5", "1e3"]),
    (["demo-cloud"], "--token-ttl", ["0", "0.5", "604801"]),
    (["demo-cloud"], "--provisioning-delay", ["61"]),
    (["demo-cloud"], "--scale", ["0", "10001"]),
]


@pytest.mark.parametrize(("prefix", "option", "out_of_range"), NUMERIC_OPTIONS,
                         ids=[" ".join([*p[:2], o]) for p, o, _ in NUMERIC_OPTIONS])
def test_every_numeric_option_refuses_bad_numbers_in_one_line(fuzz_env: Path, capsys: pytest.CaptureFixture[str],
                                                              prefix: list[str], option: str,
                                                              out_of_range: list[str]) -> None:
    cloud = [] if prefix[:1] == ["demo-cloud"] else ["--os-cloud", "dead"]
    zero_ok = option == "--provisioning-delay"  # 1e-300 s is as good as none, which it takes: not bad here
    for value in [*(v for v in BAD_NUMBERS if not (zero_ok and v in TINY)), *out_of_range]:
        argv = [*prefix, *cloud, f"{option}={value}"]
        assert run(argv) == 2, argv
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err and len(err.strip().splitlines()) == 1, (argv, err)
        assert option in err, (argv, err)


@pytest.mark.parametrize("argv", [
    ["probe", "http://[::1"], ["probe", "http://[::1]:99999/"],
    ["demo-cloud", "--clouds-yaml", "/nonexistent/x"], ["demo-cloud", "--clouds-yaml", "/"],
    ["demo-cloud", "--state", "/nonexistent/state.json"], ["demo-cloud", "--bogus"], ["demo-cloud", "--port"],
    ["serve", "--host", "0.0.0.0"], ["serve", "--host", "example.org", "--demo"],
], ids=" ".join)
def test_bad_urls_paths_and_usage_are_one_line_before_anything_starts(fuzz_env: Path, argv: list[str],
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert run(argv) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and len(err.strip().splitlines()) == 1, err
    assert out == ""  # demo-cloud prints its address once it serves: it never did


def test_a_path_in_a_directory_that_cannot_be_written_is_refused(fuzz_env: Path, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.access(locked, os.W_OK):
        pytest.skip("running as root: every directory is writable")
    assert run(["demo-cloud", "--clouds-yaml", str(locked / "clouds.yaml")]) == 2
    assert "permission denied" in capsys.readouterr().err
