"""`netdash --demo`'s embedded cloud in a child process: it serves like the in-process one, takes
`--scale` and `--faults`, says in one line why it did not start, and never outlives its parent."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from netdash.cloud.client import CloudClient
from netdash.democloud import process
from netdash.democloud.process import DemoCloudFailed, DemoCloudProcess
from tests.waiting import wait_for

NETDASH = [sys.executable, "-c", "from netdash.__main__ import run; run()"]
ROOT = Path(__file__).resolve().parent.parent


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead too: only its parent (gone here) would reap it
    status = Path(f"/proc/{pid}/status")
    return not status.exists() or "State:\tZ" not in status.read_text()


def test_the_child_serves_the_seed_and_its_directory_goes_with_it() -> None:
    with DemoCloudProcess() as cloud:
        client = CloudClient.for_demo(cloud, max_rps=1000)
        try:
            topology = client.fetch_topology_sync()
        finally:
            client.close()
        assert {s.name for s in topology.servers.values()} >= {"server1", "server2"}
        assert any(line.startswith("# data plane:") for line in cloud.lines)
        assert cloud.auth_url.startswith("http://127.0.0.1:")
        directory = cloud._dir
        assert directory is not None and (directory.stat().st_mode & 0o077) == 0
        assert ((directory / "clouds.yaml").stat().st_mode & 0o777) == 0o600
        pid = cloud.pid
    assert pid is not None and not alive(pid) and not directory.exists()


def test_a_child_that_cannot_start_says_why_in_one_line() -> None:
    with pytest.raises(DemoCloudFailed) as failed:
        DemoCloudProcess(faults=("bogus",)).start()
    message = str(failed.value)
    assert message.startswith("the embedded cloud did not start: ") and "unknown fault 'bogus'" in message
    assert "\n" not in message and "Traceback" not in message


def test_the_child_dies_with_a_parent_killed_by_sigkill() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", "from netdash.democloud.process import DemoCloudProcess; import sys, time; "
                               "c = DemoCloudProcess().start(); print(c.pid, flush=True); time.sleep(60)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert alive(child)
    parent.kill()
    parent.wait()
    wait_for(lambda: not alive(child), timeout=10, what=f"the child {child} to exit after its parent")


def test_demo_faults_reach_the_child_and_fail_in_one_line() -> None:
    every = "503:rate=1@network; 503:rate=1@compute; 503:rate=1@load-balancer"
    done = subprocess.run([*NETDASH, "--demo", "--faults", every, "topology"], cwd=ROOT, check=False,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done
    assert done.stderr.splitlines()[-1] == "netdash: error: network /networks: HTTP 503 injected fault: HTTP 503"
    assert "Traceback" not in done.stderr


def test_one_failing_service_costs_its_lists_only_one_line_each() -> None:
    done = subprocess.run([*NETDASH, "--demo", "--faults", "503:rate=1@network", "topology"], cwd=ROOT, check=False,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 4, done   # partial: what answered is printed
    assert "Servers" in done.stdout and "Load balancers" in done.stdout
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    assert errors[0] == ("netdash: error: could not read the networks: "
                         "network /networks: HTTP 503 injected fault: HTTP 503"), errors
    # networks, subnets, ports, routers, floating IPs, security groups, network quotas
    assert len(errors) == 7 and "Traceback" not in done.stderr


@pytest.mark.parametrize(("argv", "message"), [
    (["--faults", "503@network", "topology"], "--faults injects faults into the embedded cloud: use it with --demo"),
    (["--demo", "--faults", "bogus", "topology"], "argument --faults: unknown fault 'bogus'"),
])
def test_demo_faults_refusals(argv: list[str], message: str) -> None:
    done = subprocess.run([*NETDASH, *argv], cwd=ROOT, check=False, capture_output=True, text=True, timeout=60,
                          env={k: v for k, v in os.environ.items() if not k.startswith("OS_")})
    assert done.returncode == 2 and message in done.stderr and len(done.stderr.strip().splitlines()) == 1, done


def test_a_reader_that_leaves_early_gets_no_traceback() -> None:
    """`netdash --demo --scale 50 topology --format json | head -c 10`: ~300 KB to a pipe nobody reads."""
    proc = subprocess.Popen([*NETDASH, "--demo", "--scale", "50", "topology", "--format", "json"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(10).startswith(b"{")
    proc.stdout.close()
    errors = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141, errors
    assert "Traceback" not in errors and "Error" not in errors, errors


def test_a_directory_left_by_sigkill_is_removed_at_the_next_start(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """`kill -9` of `netdash --demo` leaves its private directory (and the demo password in it); the next
    start of an embedded cloud of the same user removes it, and leaves a live netdash's alone."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() reads TMPDIR again
    killed = subprocess.Popen(
        [sys.executable, "-c", "from netdash.democloud.process import DemoCloudProcess; import time; "
                               "c = DemoCloudProcess().start(); print(c.directory, c.pid, flush=True); time.sleep(60)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert killed.stdout is not None
    left, child = killed.stdout.readline().split()
    left_dir = Path(left)
    assert left_dir.parent == tmp_path and (left_dir / "clouds.yaml").exists()
    assert (left_dir / "owner").read_text().split()[0] == str(killed.pid)
    killed.kill()
    killed.wait()
    wait_for(lambda: not alive(int(child)), timeout=10, what="the orphaned child to exit")
    assert (left_dir / "clouds.yaml").exists()  # nobody could clean up after a SIGKILL

    # a live owner, and a live PID that another process had when the directory was made: kept, removed
    live = Path(tempfile.mkdtemp(prefix=process.PREFIX))
    process.claim(live)
    reused = Path(tempfile.mkdtemp(prefix=process.PREFIX))
    (reused / "owner").write_text(f"{os.getpid()} 1\n")
    fresh = Path(tempfile.mkdtemp(prefix=process.PREFIX))  # just made, owner file not yet written: kept
    with DemoCloudProcess() as cloud:
        assert cloud.directory is not None and cloud.directory.exists()
        assert not left_dir.exists() and not reused.exists()
        assert live.exists() and fresh.exists()
    assert sorted(tmp_path.iterdir()) == sorted([live, fresh])


def test_start_time_tells_a_process_from_a_zombie_and_from_none() -> None:
    assert process.start_time(os.getpid()) == process.start_time(os.getpid()) is not None
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    wait_for(lambda: process.start_time(gone.pid) is None, what="the exited child to be a zombie")  # not reaped
    gone.wait()
    assert process.start_time(gone.pid) is None


def test_the_openstack_cli_reaches_the_demo_cloud_with_the_line_netdash_shows() -> None:
    """`--demo`: the info the header and `?` show names the clouds.yaml and the faults; the shell line works."""
    import argparse
    import shutil

    from netdash.cli.main import open_cloud

    options = argparse.Namespace(demo=True, scale=0, faults=["503:rate=1@load-balancer"], os_cloud=None,
                                 os_region=None, insecure=False, max_rps=None)
    client, demo = open_cloud(options)
    try:
        info = client.info
        assert info.faults == ("503:rate=1@load-balancer",) and info.clouds_yaml is not None
        assert info.cli_environment == f"export OS_CLIENT_CONFIG_FILE={info.clouds_yaml} OS_CLOUD=netdash-demo"
        openstack = shutil.which("openstack", path=str(Path(sys.executable).parent))
        done = subprocess.run(["sh", "-c", f"{info.cli_environment}; {openstack} network list -f value -c Name"],
                              capture_output=True, text=True, timeout=60, check=False,
                              env={k: v for k, v in os.environ.items() if not k.startswith("OS_")})
        assert done.returncode == 0 and "private" in done.stdout.split(), done

        # switched to the demo user's other project, the line names it (and the faults stay said)
        from netdash.cli.main import switcher
        from netdash.cloud.switching import Place

        other = next(pid for pid, name in client.projects() if name == "invisible_to_admin")
        there = switcher(options, client).connect(Place("netdash-demo", other, project="invisible_to_admin"))
        try:
            assert there.info.faults == info.faults and there.info.project == "invisible_to_admin"
            # (OS_PROJECT_NAME is the CLI's --os-project-name, over the entry's: test_seed_documents_cli.py)
            assert there.info.cli_environment == f"{info.cli_environment} OS_PROJECT_NAME=invisible_to_admin"
        finally:
            there.close()
    finally:
        client.close()
        demo.stop()
