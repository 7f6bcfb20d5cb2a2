"""The action commands run in-process (`netdash.__main__.main`) against a seeded embedded cloud found through a
clouds.yaml, as a script would find a real one; the end state is read back with openstacksdk."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from netdash.__main__ import main
from netdash.democloud import DemoCloud
from tests.democloud.dataplane_support import answer, endpoint_of


@dataclass
class Ran:
    code: int
    out: str
    err: str


class Cli:
    #: whether actions probe their addresses before and after (the default of `netdash`): the tests of
    #: that (`test_traffic_and_undo.py`) turn it on; the others test something else and save its time
    probe = False

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def __call__(self, *argv: str, yes: bool = True) -> Ran:
        self.capsys.readouterr()
        extra = ["--os-cloud", "netdash-demo", "--max-rps", "1000", *(["--yes"] if yes else [])]
        if not self.probe and argv and argv[0] not in ("recover", "topology", "probe"):
            extra.append("--no-probe")
        code = main([*argv, *extra])
        captured = self.capsys.readouterr()
        assert "Traceback" not in captured.err
        return Ran(code, captured.out, captured.err)


@pytest.fixture
def cli(seeded_cloud: DemoCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Cli:
    for var in [v for v in os.environ if v.startswith("OS_")]:
        monkeypatch.delenv(var)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(seeded_cloud.write_clouds_yaml(tmp_path / "clouds.yaml")))
    return Cli(capsys)


@pytest.fixture
def sdk(seeded_cloud: DemoCloud) -> Any:
    return seeded_cloud.connection("demo")


def server_of(sdk: Any, name: str) -> Any:
    return sdk.compute.find_server(name, ignore_missing=False)


def url_of(sdk: Any, resource: Any) -> str:
    """Where the cloud serves a floating IP or a port on `public`: its endpoint list says."""
    kind = "floatingip" if hasattr(resource, "floating_ip_address") else "port"
    endpoint = endpoint_of(sdk, kind, resource.id)
    assert endpoint, resource
    return f"http://{endpoint}/"


def traffic(text: str, label: str) -> tuple[set[str], set[str]]:
    """The backends before and after, from an action's report line for the address `label` (`floating IP
    127.24.4.12`): `traffic at LABEL before: server1 50%, server2 50% -> after: server2 100%`."""
    line = next((line for line in text.splitlines() if f"traffic at {label} before: " in line), None)
    assert line is not None, text
    before, after = line.split(" before: ", 1)[1].split(" -> after: ")
    return backends(before), backends(after)


def backends(text: str) -> set[str]:
    return set() if text.startswith("no answer") else set(re.findall(r"(server\d) \d+%", text))


def fip_of(sdk: Any, server: str) -> Any:
    """The seed's floating IP on a server's private port."""
    srv = server_of(sdk, server)
    ports = {p.id for p in sdk.network.ports(device_id=srv.id)}
    return next(f for f in sdk.network.ips() if f.port_id in ports)


__all__ = ["Cli", "answer", "backends", "fip_of", "server_of", "traffic", "url_of"]
