"""The write-ahead log of `--state`: an acknowledged change survives `kill -9`, the log replays to exactly
the cloud that wrote it, a torn last entry is ignored and a damaged earlier one is one line and exit 2."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from netdash.democloud import DemoCloud, Settings
from netdash.democloud import state as state_module
from netdash.democloud.tracked import TrackedDict
from netdash.democloud.wal import log_generations, log_path
from tests.democloud.wal_support import PASSWORD, REACH, Process, Tenant
from tests.waiting import wait_for


def kill_after_each(path: Path, processes: list[Process], tenant_steps: int | None, *extra: str,
                    every: int = 1) -> Tenant:
    """Each write of every kind, then (after each `every` writes) SIGKILL at once, a restart, and every
    write so far found again."""
    processes.append(Process(path, *extra))
    tenant = Tenant(processes[-1].base_url, rng=random.Random(7))
    if extra:  # a --scale project: its ports are there to rename and delete
        ports = tenant.call("GET", "/networking/v2.0/ports?device_owner=&limit=20")["ports"]
        tenant.made["port"] = [p["id"] for p in ports]
    steps = tenant.every_kind()[:tenant_steps]
    for index, step in enumerate(steps):
        step()
        if (index + 1) % every and index + 1 < len(steps):
            continue
        processes[-1].kill()  # right after the 2xx: nothing else has happened since
        processes.append(Process(path, *extra))
        tenant.connect(processes[-1].base_url)
        assert tenant.missing() == [], f"after step {index} ({step.__name__})"
    processes[-1].kill()
    return tenant


def test_every_acknowledged_write_survives_kill_9(tmp_path: Path, processes: list[Process]) -> None:
    # killed after every second write: each restart costs a second, and a write a few milliseconds older
    # than the kill is as much at risk from a writer that lags by a second as the last one
    tenant = kill_after_each(tmp_path / "cloud.json", processes, None, "--empty", every=2)
    kinds = set(tenant.acknowledged)
    assert kinds >= {"network", "subnet", "port", "port renamed", "port deleted", "router", "router interface",
                     "floating IP", "security group", "security group rule", "subnet pool", "subnet from a pool",
                     "RBAC policy", "tags", "key pair", "server", "server stopped", "load balancer", "listener",
                     "pool", "member", "health monitor"}, kinds


def test_acknowledged_writes_to_a_scale_cloud_survive_kill_9(tmp_path: Path, processes: list[Process]) -> None:
    tenant = kill_after_each(tmp_path / "cloud.json", processes, 4, "--scale", "30")
    assert tenant.acknowledged[:4] == ["network", "subnet", "port", "port renamed"]


def test_the_log_replays_to_exactly_the_cloud_that_wrote_it(tmp_path: Path) -> None:
    """Random writes of every kind, with reads, the data plane and compactions between them: the snapshot
    and log(s) on disk load into the very state of the cloud, and no entry any field held was missed."""
    path = tmp_path / "cloud.json"
    settings = Settings(provisioning_delay=0.01, build_delay=0.01, password=PASSWORD)
    with DemoCloud(seed=True, settings=settings, state=path, state_compact_at=40_000) as cloud:
        journal = cloud.journal
        assert journal is not None
        journal.verify = True
        tenant = Tenant(cloud.cloud.base_url, rng=random.Random(11))
        for _ in range(70):
            tenant.random_write()
        assert journal.missed == []
        assert journal.compactions >= 2, journal.compactions
        with cloud.cloud.lock:  # no change meanwhile, and no compaction either (it starts under the lock)
            wait_for(lambda: not journal.compacting, timeout=10, what="the compaction finished")
            live = state_module.dumps(cloud.cloud)
            assert log_generations(path), "a running cloud's state file is continued by its log"
            replayed = state_module.dumps(DemoCloud(settings=Settings(), state=path).cloud)
        assert replayed == live
        assert tenant.missing() == []
    # a clean stop leaves the file whole on its own: no log continues it
    document = json.loads(path.read_text())
    assert document["log"] is None and log_generations(path) == []
    assert state_module.dumps(DemoCloud(settings=Settings(), state=path).cloud) == state_module.dumps(cloud.cloud)


def two_networks_then_kill(path: Path, processes: list[Process]) -> Path:
    """A cloud that logged network `kept` then network `torn`, killed: its log."""
    processes.append(Process(path, "--empty"))
    tenant = Tenant(processes[-1].base_url)
    for name in ("kept", "torn"):
        tenant.call("POST", "/networking/v2.0/networks", {"network": {"name": name}})
    processes[-1].kill()
    (generation,) = log_generations(path)
    return log_path(path, generation)


def names_in(path: Path) -> list[str]:
    return [n["name"] for n in DemoCloud(state=path).cloud.network.store.networks.values()]


def test_a_log_entry_cut_short_by_a_kill_is_ignored(tmp_path: Path, processes: list[Process]) -> None:
    path = tmp_path / "cloud.json"
    log = two_networks_then_kill(path, processes)
    data = log.read_bytes()
    last = data.rstrip(b"\n").rfind(b"\n") + 1
    log.write_bytes(data[:last + (len(data) - last) // 2])  # the last entry, half written
    assert names_in(path) == ["public", "kept"]
    processes.append(Process(path, "--empty"))  # it starts from there, and writes on
    tenant = Tenant(processes[-1].base_url)
    tenant.call("POST", "/networking/v2.0/networks", {"network": {"name": "after"}})
    processes[-1].kill()
    assert names_in(path) == ["public", "kept", "after"]


def refused(path: Path) -> str:
    """What a cloud started on `path` says on stderr, having exited with status 2 (60 s at most: a cloud
    that starts after all is a failure, not a hang)."""
    done = subprocess.run([sys.executable, "-m", "netdash", "demo-cloud", "--state", str(path)],
                          check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    return done.stderr


@pytest.mark.parametrize("where", ["a flipped byte", "a line cut out"])
def test_a_damaged_log_entry_before_the_last_is_one_line_and_exit_2(tmp_path: Path, processes: list[Process],
                                                                    where: str) -> None:
    path = tmp_path / "cloud.json"
    log = two_networks_then_kill(path, processes)
    lines = log.read_bytes().split(b"\n")
    index = next(i for i, line in enumerate(lines) if b'"name":"kept"' in line)
    assert b'"name":"torn"' in lines[index + 1]  # an entry after it is whole
    if where == "a flipped byte":
        lines[index] = lines[index].replace(b'"name":"kept"', b'"name":"kepT"')
    else:
        lines[index] = lines[index][: len(lines[index]) // 2]
    log.write_bytes(b"\n".join(lines))
    before = (path.read_bytes(), log.read_bytes())
    err = refused(path)
    assert str(log) in err and f"entry {index}" in err, err
    assert (path.read_bytes(), log.read_bytes()) == before  # a cloud that could not read them writes nothing


def test_a_missing_log_is_one_line_and_exit_2(tmp_path: Path, processes: list[Process]) -> None:
    path = tmp_path / "cloud.json"
    log = two_networks_then_kill(path, processes)
    log.unlink()
    err = refused(path)
    assert str(log) in err and "missing" in err, err


def test_a_tracked_table_leaves_to_dict_only_what_neither_hands_out_nor_changes_a_value() -> None:
    """A Python that adds a dict method fails here, before the tracking can miss what that method does."""
    assert set(vars(dict)) - set(vars(TrackedDict)) == {
        "__class_getitem__", "__contains__", "__eq__", "__ge__", "__getattribute__", "__gt__", "__hash__", "__le__",
        "__len__", "__lt__", "__ne__", "__new__", "__repr__", "__reversed__", "__sizeof__", "fromkeys", "keys"}


@pytest.mark.parametrize("how", REACH, ids=list(REACH))
def test_every_way_to_reach_a_record_notes_it(how: str) -> None:
    table = TrackedDict({"k": {"name": "record"}, "n": 5})
    REACH[how](table)
    assert table.touched == {"k"} and not table.inserted and not table.removed
