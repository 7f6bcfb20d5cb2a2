"""`netdash demo-cloud --faults SPEC`: refused in one line with status 2, and in force when accepted."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import openstack
import pytest
from openstack import exceptions
from openstack.config import loader

from netdash.democloud.__main__ import main, parser

NETDASH = [sys.executable, "-c", "from netdash.__main__ import run; run()"]


@pytest.mark.parametrize("specs", [["bogus"], ["503@network", "latency=x"], ["drop;600"], [""]])
def test_a_bad_spec_is_one_line_and_exit_2(specs: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    argv = [arg for spec in specs for arg in ("--faults", spec)]
    assert main(argv, prog="netdash demo-cloud") == 2
    err = capsys.readouterr().err
    assert err.startswith("netdash demo-cloud: error: argument --faults: ")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_help_documents_the_grammar() -> None:
    text = parser().format_help()
    assert "--faults SPEC" in text
    for example in ("latency=0.3@network", "expire-tokens", "provisioning=5", "drop:rate=0.1", "nth=N", "rate=P",
                    "retry-after=SECONDS", "429:rate=0.5:retry-after=1@network"):
        assert example in text


def test_faults_given_at_start_are_in_force(tmp_path: Path) -> None:
    target = tmp_path / "clouds.yaml"
    proc = subprocess.Popen([*NETDASH, "demo-cloud", "--empty", "--clouds-yaml", str(target),
                             "--faults", "503@network:GET:/v2.0/networks$",
                             "--faults", "provisioning=3@compute; 500:nth=2@network:GET:/v2.0/subnets"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.strip().startswith("interface:"):
                break
        assert "# faults injected: 503@network:GET:/v2.0/networks$" in lines
        config = loader.OpenStackConfig(config_files=[str(target)], load_envvars=False)
        conn = openstack.connection.Connection(config=config.get_one("netdash-demo"))
        with pytest.raises(exceptions.HttpException) as failed:
            list(conn.network.networks())
        assert failed.value.status_code == 503
        list(conn.network.subnets())
        with pytest.raises(exceptions.HttpException):
            list(conn.network.subnets())
        assert [s.name for s in conn.network.subnets()] == ["public-subnet"]   # nth=2 fired once
        base = conn.network.get_endpoint().split("/networking")[0]
        cleared = httpx.delete(f"{base}/democloud/faults", headers={"X-Auth-Token": conn.session.get_token()})
        assert cleared.status_code == 204
        assert [n.name for n in conn.network.networks()] == ["public"]
        assert "# faults injected: provisioning=3@compute; 500:nth=2@network:GET:/v2.0/subnets" in lines
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    assert proc.stderr is not None and "Traceback" not in proc.stderr.read()


def test_netdash_topology_rides_out_a_rate_limited_cloud(capsys: pytest.CaptureFixture[str]) -> None:
    """Half of Neutron's answers 429 with a Retry-After: `netdash topology` waits them out and prints it all."""
    from netdash.__main__ import main as netdash

    spec = "429:rate=0.5:retry-after=0.1@network:GET"
    assert netdash(["--demo", "--faults", spec, "topology", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert '"networks"' in out and '"ports"' in out
