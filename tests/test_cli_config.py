"""The config file: defaults under the command line, one line and exit 2 for anything wrong in it."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from netdash.cli.config import ConfigFileError, apply, config_path, load

ROOT = Path(__file__).resolve().parent.parent
NETDASH = [sys.executable, "-c", "from netdash.__main__ import run; run()"]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "netdash" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_the_file_fills_what_the_command_line_left_unset(tmp_path: Path) -> None:
    path = write(tmp_path, 'interval = 5\nmax_rps = 7.5\nread_only = true\ntheme = "nord"\n'
                           f'screenshots = "{tmp_path}"\n[keys]\n"app.refresh" = "f5"\n')
    config = load(path)
    given = argparse.Namespace(interval=0.5, max_rps=None, screenshots=None, read_only=False)
    apply(config, given)
    assert (given.interval, given.max_rps, given.screenshots, given.read_only) == (0.5, 7.5, str(tmp_path), True)
    assert given.theme == "nord" and given.keys == {"app.refresh": "f5"}
    assert load(tmp_path / "none.toml").interval is None  # no file: no settings


@pytest.mark.parametrize(("text", "message"), [
    ("interval = 0\n", "interval: expected a number from 0.1 to 3600, got '0'"),
    ('interval = "fast"\n', "interval: expected a number, got 'fast'"),
    ("read_only = 1\n", "read_only: expected true or false, got 1"),
    ("colour = 3\n", "unknown setting 'colour'"),
    ("interval = \n", "not TOML"),
    ('screenshots = "/no/such/place"\n', "screenshots: no such directory: '/no/such/place'"),
    ('[keys]\n"app.refresh" = 5\n', "keys: expected a table of binding id"),
])
def test_a_wrong_file_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigFileError) as refused:
        load(write(tmp_path, text))
    assert message in str(refused.value) and str(tmp_path) in str(refused.value)
    assert "\n" not in str(refused.value)


def run(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")} | {"XDG_CONFIG_HOME": str(tmp_path)}
    return subprocess.run([*NETDASH, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
                          check=False)


def test_config_path_and_a_bad_theme_or_key_before_anything_starts(tmp_path: Path) -> None:
    done = run(tmp_path, "config", "path")
    assert done.returncode == 0 and done.stdout.strip() == str(tmp_path / "netdash" / "config.toml")
    write(tmp_path, 'theme = "purple"\n')
    done = run(tmp_path)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done
    assert "theme: unknown theme 'purple'" in done.stderr and "nord" in done.stderr
    write(tmp_path, '[keys]\n"app.refreh" = "f5"\n')
    done = run(tmp_path)
    assert done.returncode == 2 and "keys: unknown binding id 'app.refreh'" in done.stderr, done
    write(tmp_path, "interval = -1\n")
    done = run(tmp_path, "topology")  # a subcommand reads the file too: it holds max_rps and read_only
    assert done.returncode == 2 and "interval: expected a number" in done.stderr, done


def test_the_default_place_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config_path() == tmp_path / "netdash" / "config.toml"
