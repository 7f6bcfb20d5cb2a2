"""TLS verification: on unless the cloud's own config or `--insecure` turns it off, and then said on screen.

The embedded cloud speaks plain HTTP, so what is checked there is what requests will be told: the
Connection's `session.verify`, as openstacksdk builds it from the same config netdash reads. The messages
of a failed handshake, and OS_CACERT, are checked against a local HTTPS identity endpoint with a
self-signed certificate (`tests/tls_support.py`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from netdash.__main__ import main as netdash
from netdash.cloud.client import CloudClient
from netdash.democloud import DemoCloud
from netdash.widgets.status import StatusHeader

from .tls_support import https_identity, self_signed


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


# --- a self-signed certificate, OS_CACERT, and the messages around them -----------------------------------

PASSWORD = "tls-sekrit-pw"


def tls_yaml(path: Path, url: str, extra: str = "") -> Path:
    path.write_text(f"clouds:\n  tls:\n    auth:\n      auth_url: {url}\n      username: u\n"
                    f"      password: {PASSWORD}\n      project_name: p\n      user_domain_name: Default\n"
                    f"      project_domain_name: Default\n{extra}")
    return path


@pytest.fixture
def https_cloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str]]:
    """(the certificate, the clouds.yaml of cloud `tls`) for an HTTPS identity endpoint at 127.0.0.1."""
    for var in [v for v in os.environ if v.startswith("OS_")]:
        monkeypatch.delenv(var)
    cert, key = self_signed(tmp_path, ("127.0.0.1",))
    with https_identity(cert, key) as url:
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(tls_yaml(tmp_path / "clouds.yaml", url)))
        yield cert, url


def connect_failure(kind: type[Exception]) -> str:
    with pytest.raises(kind) as failed:
        CloudClient.connect("tls")
    message = str(failed.value)
    assert "\n" not in message and PASSWORD not in message
    return message


def test_a_self_signed_certificate_says_why_in_one_line(https_cloud: tuple[Path, str],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from netdash.cloud.errors import CloudUnreachable

    _cert, url = https_cloud
    message = connect_failure(CloudUnreachable)
    assert message == (f"cannot reach the auth URL {url}: TLS certificate verify failed: self-signed certificate "
                       "(trust its CA with cacert in clouds.yaml or OS_CACERT, or pass --insecure)")
    assert netdash(["--os-cloud", "tls", "topology"]) == 2
    assert capsys.readouterr().err.splitlines() == [f"netdash: error: {message}"]


def test_os_cacert_is_trusted_as_the_openstack_cli_trusts_it(https_cloud: tuple[Path, str], tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """With the certificate in OS_CACERT the handshake passes and the (fake) identity service refuses the
    password, for netdash and the `openstack` CLI alike; without it, both fail on the certificate. OS_CACERT
    wins over the cloud's own `cacert`, as `--os-cacert` (whose default it is) does in the CLI."""
    from netdash.cloud.errors import AuthError

    cert, url = https_cloud

    def openstack() -> str:
        done = subprocess.run([str(Path(sys.executable).parent / "openstack"), "--os-cloud", "tls", "token", "issue"],
                              env=dict(os.environ), capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode != 0
        return done.stderr

    assert "CERTIFICATE_VERIFY_FAILED" in openstack()
    monkeypatch.setenv("OS_CACERT", str(cert))
    assert "authentication refused" in connect_failure(AuthError)
    trusted = openstack()  # one run: the CLI takes seconds to start
    assert "HTTP 401" in trusted and "CERTIFICATE_VERIFY_FAILED" not in trusted
    (tmp_path / "other").mkdir()
    other, _key = self_signed(tmp_path / "other", ("127.0.0.1",))
    tls_yaml(Path(os.environ["OS_CLIENT_CONFIG_FILE"]), url, f"    cacert: {other}\n")
    assert "authentication refused" in connect_failure(AuthError)   # OS_CACERT over the cloud's cacert
    monkeypatch.delenv("OS_CACERT")
    assert "self-signed certificate" in connect_failure(Exception)  # the cloud's cacert is another CA's


def test_a_ca_bundle_that_is_not_there_is_named(https_cloud: tuple[Path, str], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from netdash.cloud.errors import ConfigError

    monkeypatch.setenv("OS_CACERT", str(tmp_path / "no-such-ca.pem"))
    assert connect_failure(ConfigError) == f"OS_CACERT names {tmp_path / 'no-such-ca.pem'}, which does not exist"


@pytest.mark.parametrize(("names", "host", "why"), [
    (("other.example",), "127.0.0.1", "IP address mismatch, certificate is not valid for '127.0.0.1'"),
    (("127.0.0.1",), "localhost", "Hostname mismatch, certificate is not valid for 'localhost'"),
])
def test_a_certificate_for_another_host_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                names: tuple[str, ...], host: str, why: str) -> None:
    from netdash.cloud.errors import CloudUnreachable

    for var in [v for v in os.environ if v.startswith("OS_")]:
        monkeypatch.delenv(var)
    cert, key = self_signed(tmp_path, names)
    with https_identity(cert, key) as served:
        url = served.replace("127.0.0.1", host)
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(tls_yaml(tmp_path / "clouds.yaml", url)))
        monkeypatch.setenv("OS_CACERT", str(cert))
        assert connect_failure(CloudUnreachable) == (
            f"cannot reach the auth URL {url}: TLS certificate verify failed: {why} "
            "(use a URL with a name the certificate holds, or pass --insecure)")


def test_a_missing_os_client_config_file_is_named(clouds_yaml: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """openstacksdk skips a missing OS_CLIENT_CONFIG_FILE and reads ./clouds.yaml instead: the error names
    the file the user gave, not the one that was read."""
    from openstack.config import loader

    work = tmp_path / "work"
    work.mkdir()
    (work / "clouds.yaml").write_text(clouds_yaml.read_text())
    monkeypatch.setattr(loader, "CONFIG_FILES", [str(work / "clouds.yaml")])  # ./clouds.yaml, as found at start
    absent = tmp_path / "typo" / "clouds.yaml"
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(absent))
    assert netdash(["--os-cloud", "mine", "topology"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"netdash: error: unknown cloud 'mine': OS_CLIENT_CONFIG_FILE names {absent}, which does not exist; "
        "known clouds: insecure, noverify, plain"]
    assert netdash(["--os-cloud", "plain", "topology", "--format", "json"]) == 0   # found elsewhere: fine


def test_action_subcommands_say_when_verification_is_off(clouds_yaml: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    base = ["server", "stop", "no-such-server", "--dry-run", "--os-cloud"]
    assert netdash([*base, "plain"]) == 2                      # refused: no such server, on an empty cloud
    assert "TLS" not in capsys.readouterr().err
    for argv in ([*base, "plain", "--insecure"], [*base, "noverify"]):
        assert netdash(argv) == 2, argv
        err = capsys.readouterr().err
        assert "netdash: TLS verification off for cloud" in err and "refused" in err, err


@pytest.mark.parametrize(("text", "expected"), [
    ("SSL exception connecting to https://h:5000/v3: HTTPSConnectionPool(host='h', port=5000): Max retries "
     "exceeded with url: /v3 (Caused by SSLError(CertificateError(\"hostname 'h' doesn't match 'other.example'\")))",
     "TLS certificate verify failed: hostname mismatch, the certificate is for other.example, not h (use a URL "
     "with a name the certificate holds, or pass --insecure)"),
    ("SSL exception connecting to https://h:80/v3: HTTPSConnectionPool(host='h', port=80): Max retries exceeded "
     "with url: /v3 (Caused by SSLError(SSLError(1, '[SSL: WRONG_VERSION_NUMBER] wrong version number "
     "(_ssl.c:1006)')))", "TLS failed: wrong version number"),
    ("Unable to establish connection to http://h:9/v3: connection refused", None),
])
def test_tls_reasons_other_libraries_word(text: str, expected: str | None) -> None:
    from netdash.cloud.config import tls_reason

    assert tls_reason(text) == expected
