"""`netdash demo-cloud`: prints a usable clouds.yaml, writes it 0600, refuses non-loopback hosts."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import openstack
import pytest
from openstack.config import loader

NETDASH = [sys.executable, "-c", "from netdash.__main__ import run; run()"]


def start(*args: str) -> tuple[subprocess.Popen[str], list[str]]:
    proc = subprocess.Popen([*NETDASH, "demo-cloud", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    lines: list[str] = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if line.strip().startswith("interface:"):
            break
    return proc, lines


def test_prints_and_writes_a_clouds_yaml_that_openstacksdk_uses(tmp_path: Path) -> None:
    target = tmp_path / "clouds.yaml"
    proc, lines = start("--empty", "--clouds-yaml", str(target), "--password", "s3cret-pw")
    try:
        text = "\n".join(lines)
        assert "netdash-demo:" in text and 'region_name: "RegionOne"' in text
        port = next(line for line in lines if "listening on" in line).split("(port ")[1].rstrip(")")
        assert int(port) > 0
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
        config = loader.OpenStackConfig(config_files=[str(target)], load_envvars=False)
        conn = openstack.connection.Connection(config=config.get_one("netdash-demo"))
        assert conn.config.auth["password"] == "s3cret-pw"
        assert [n.name for n in conn.network.networks()] == ["public"]
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0


def test_password_is_generated_per_start() -> None:
    passwords = []
    for _ in range(2):
        proc, lines = start("--empty")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        passwords.append(next(line for line in lines if "password:" in line))
    assert passwords[0] != passwords[1]


@pytest.mark.parametrize(("args", "message"), [
    (["--host", "0.0.0.0"], "loopback only"),
    (["--host", "192.0.2.1"], "loopback only"),
    (["--port", "70000"], "--port"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    done = subprocess.run([*NETDASH, "demo-cloud", *args], capture_output=True, text=True, timeout=30,
                          check=False)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_clouds_yaml_holds_an_entry_per_account(seeded_cloud, tmp_path) -> None:
    """`--clouds-yaml` writes demo's, alt_demo's and admin's entries (mode 0600): each logs in as itself."""
    import os
    import stat

    import yaml

    path = seeded_cloud.write_clouds_yaml(tmp_path / "clouds.yaml")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    clouds = yaml.safe_load(path.read_text())["clouds"]
    assert {name: c["auth"]["username"] for name, c in clouds.items()} == {
        "netdash-demo": "demo", "netdash-demo-alt": "alt_demo", "netdash-demo-admin": "admin"}
    for name, cloud in clouds.items():
        assert cloud["auth"]["password"] == seeded_cloud.password(cloud["auth"]["username"]), name
