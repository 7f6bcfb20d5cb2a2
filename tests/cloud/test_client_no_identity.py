"""Clouds without an identity service to ask (`auth_type: none` / `admin_token` with endpoint overrides, as
realstack and other Keystone-less deployments are configured): no auth_url, no catalog; the services are
those with an endpoint override, and a compute service that is not there is said to be missing."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from netdash.__main__ import main
from netdash.democloud import DemoCloud


def token_and_urls(cloud: DemoCloud) -> tuple[str, dict[str, str]]:
    auth = cloud.cloud_config("demo")["auth"]
    response = httpx.post(cloud.auth_url.rstrip("/") + "/auth/tokens", json={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": auth["username"], "password": auth["password"], "domain": {"name": "Default"}}}},
        "scope": {"project": {"name": auth["project_name"], "domain": {"name": "Default"}}}}})
    response.raise_for_status()
    urls = {s["type"]: next(e["url"] for e in s["endpoints"] if e["interface"] == "public")
            for s in response.json()["token"]["catalog"]}
    return response.headers["X-Subject-Token"], urls


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o600)
    return path


def test_token_and_endpoint_overrides_without_compute(empty_cloud: DemoCloud, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    token, urls = token_and_urls(empty_cloud)
    clouds = write(tmp_path / "clouds.yaml", f"""clouds:
  direct:
    auth_type: admin_token
    auth:
      endpoint: {urls["network"]}
      token: {token}
    network_endpoint_override: {urls["network"]}
    load_balancer_endpoint_override: {urls["load-balancer"]}
""")
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))

    assert main(["topology", "--os-cloud", "direct", "--format", "json"]) == 0
    topo = json.loads(capsys.readouterr().out)
    assert topo["services"] == ["load-balancer", "network"]
    assert [n["name"] for n in topo["networks"]] == ["public"]

    assert main(["topology", "--os-cloud", "direct"]) == 0
    out = capsys.readouterr()
    assert "Servers: unavailable, no compute service in this cloud" in out.out
    assert token not in out.out + out.err


def test_no_api_at_the_endpoint_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    clouds = write(tmp_path / "clouds.yaml", """clouds:
  nothere:
    auth_type: none
    auth:
      endpoint: http://127.0.0.1:9
    network_endpoint_override: http://127.0.0.1:9
""")
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))

    assert main(["topology", "--os-cloud", "nothere"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == ["netdash: error: no OpenStack API answers at http://127.0.0.1:9 (auth_type none: "
                                "the endpoints are the clouds.yaml endpoint overrides)"]
