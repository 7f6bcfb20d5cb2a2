"""TLS verification: on unless the cloud's own config or `--insecure` turns it off, and then said on screen.

The embedded cloud speaks plain HTTP, so what is checked is what requests will be told: the
Connection's `session.verify`, as openstacksdk builds it from the same config netdash reads.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from netdash.__main__ import main as netdash
from netdash.cloud.client import CloudClient
from netdash.democloud import DemoCloud
from netdash.widgets.status import StatusHeader


@pytest.fixture
def clouds_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty_cloud: DemoCloud) -> Path:
    """Three entries for the same cloud: as written by the cloud, `verify: false`, `insecure: true`."""
    for var in [v for v in os.environ if v.startswith("OS_")]:
        monkeypatch.delenv(var)
    base = empty_cloud.clouds_yaml_text(name="plain")
    extra = [empty_cloud.clouds_yaml_text(name=name).split("\n", 1)[1] + f"    {setting}\n"
             for name, setting in (("noverify", "verify: false"), ("insecure", "insecure: true"))]
    path = tmp_path / "clouds.yaml"
    path.write_text(base + "".join(extra))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    return path


def session_verify(client: CloudClient) -> object:
    return client.session.conn.session.verify


@pytest.mark.parametrize(("name", "insecure", "verified"), [
    ("plain", False, True), ("noverify", False, False), ("insecure", False, False), ("plain", True, False)])
def test_verification_follows_the_clouds_own_config_or_insecure(clouds_yaml: Path, name: str, insecure: bool,
                                                                verified: bool) -> None:
    client = CloudClient.connect(name, insecure=insecure)
    try:
        assert session_verify(client) is verified
        assert client.info.tls_verify is verified
    finally:
        client.close()


def test_os_insecure_of_an_openrc_turns_it_off(empty_cloud: DemoCloud, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in [v for v in os.environ if v.startswith("OS_")]:
        monkeypatch.delenv(var)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", "/nonexistent/clouds.yaml")
    auth = empty_cloud.cloud_config()["auth"]
    for key, value in {"OS_AUTH_URL": auth["auth_url"], "OS_USERNAME": "demo", "OS_PASSWORD": auth["password"],
                       "OS_PROJECT_NAME": "demo", "OS_USER_DOMAIN_NAME": "Default",
                       "OS_PROJECT_DOMAIN_NAME": "Default", "OS_REGION_NAME": "RegionOne"}.items():
        monkeypatch.setenv(key, value)
    for setting, verified in (("", True), ("true", False)):
        if setting:
            monkeypatch.setenv("OS_INSECURE", setting)
        client = CloudClient.connect()
        try:
            assert (session_verify(client), client.info.tls_verify) == (verified, verified), setting
        finally:
            client.close()


def test_the_cli_says_when_verification_is_off(clouds_yaml: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert netdash(["--os-cloud", "plain", "topology", "--format", "json"]) == 0
    assert "TLS" not in capsys.readouterr().err
    for argv in (["--os-cloud", "noverify", "topology"], ["--insecure", "--os-cloud", "plain", "topology"],
                 ["topology", "--os-cloud", "plain", "--insecure"]):
        assert netdash(argv) == 0, argv
        assert "TLS verification off" in capsys.readouterr().err, argv


class HeaderApp(App[None]):
    def __init__(self, client: CloudClient) -> None:
        super().__init__()
        self.client = client

    def compose(self) -> ComposeResult:
        yield StatusHeader(id="status")

    def on_mount(self) -> None:
        info = self.client.info
        self.query_one(StatusHeader).set_cloud(info.cloud, info.project, info.region, demo=info.demo,
                                               tls_verify=info.tls_verify)


@pytest.mark.parametrize(("name", "shown"), [("plain", False), ("noverify", True), ("insecure", True)])
async def test_the_header_says_tls_verification_is_off(clouds_yaml: Path, name: str, shown: bool) -> None:
    client = CloudClient.connect(name)
    try:
        app = HeaderApp(client)
        async with app.run_test(size=(120, 5)) as pilot:
            await pilot.pause()
            header = app.query_one(StatusHeader)
            text = str(header.render())
            assert ("TLS verification off" in text) is shown, text
            assert header.has_class("-insecure") is shown
            assert f"cloud {name}" in text
    finally:
        client.close()
