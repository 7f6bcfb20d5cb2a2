"""A port swap interrupted at each of its steps — Ctrl-C, SIGTERM, or SIGKILL and then `netdash recover` —
on a cloud slowed so that every step is hit: every case ends with each port on exactly one server, fully
as before or fully swapped, the journal closed, and a report that says which."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandList, CommandPalette

from netdash.actions import ROLLED_BACK
from netdash.democloud import DemoCloud
from netdash.tui.action_screens import ActionScreen
from tests.dashboard_support import dashboard, press
from tests.test_dashboard_actions import run, until

#: each interface request of the swap takes at least this long, so a signal sent when a step is announced
#: lands inside it
SLOW = 0.3


def attachment(sdk: Any) -> dict[str, str]:
    """port name -> the server it is on, checked in both services' views (one server, or "none")."""
    servers = {s.id: s.name for s in sdk.compute.servers()}
    where = {}
    for name in ("server-1-port", "server-2-port"):
        port = sdk.network.find_port(name, ignore_missing=False)
        holders = [servers[s] for s in servers if port.id in {i.port_id for i in sdk.compute.server_interfaces(s)}]
        assert len(holders) <= 1, f"{name} is on {holders}"
        assert (holders[0] if holders else "") == servers.get(port.device_id, ""), (name, holders, port.device_id)
        where[name] = holders[0] if holders else "none"
    return where


ORIGINAL = {"server-1-port": "server1", "server-2-port": "server2"}
SWAPPED = {"server-1-port": "server2", "server-2-port": "server1"}


def netdash(env: dict[str, str], *argv: str, **popen: Any) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "netdash", *argv, "--os-cloud", "netdash-demo",
                             "--max-rps", "1000"], env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **popen)


@pytest.fixture
def slowed(seeded_cloud: DemoCloud, tmp_path: Path, private_state_home: Path) -> tuple[DemoCloud, dict[str, str]]:
    for method in ("POST", "DELETE"):
        seeded_cloud.cloud.faults.add("compute", method, "/os-interface", kind="latency", delay=SLOW, times=0)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env["OS_CLIENT_CONFIG_FILE"] = str(seeded_cloud.write_clouds_yaml(tmp_path / "clouds.yaml"))
    env["XDG_STATE_HOME"] = str(private_state_home)
    return seeded_cloud, env


def interrupt_at(env: dict[str, str], step: int, signum: int) -> tuple[int, str, str]:
    """Start the swap; send `signum` when step `step` is announced; its exit status, stdout, stderr."""
    proc = netdash(env, "ports", "swap", "server1", "server2", "--yes")
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.startswith(f"netdash: [{step}/4]"):
            proc.send_signal(signum)
            break
    else:
        raise AssertionError("".join(seen) + "the step was never announced")
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, "".join(seen) + err


def journals(home: str) -> list[Path]:
    return list((Path(home) / "netdash" / "journal").glob("*.jsonl"))


# one handler takes all three signals (`cli.interrupts.SIGNALS`): each step is hit once, and each signal
@pytest.mark.parametrize(("step", "signum"),
                         [(1, signal.SIGINT), (2, signal.SIGTERM), (3, signal.SIGHUP), (4, signal.SIGINT)],
                         ids=["1-SIGINT", "2-SIGTERM", "3-SIGHUP", "4-SIGINT"])
def test_an_interrupt_finishes_the_step_and_rolls_back(slowed, step: int, signum: int) -> None:
    cloud, env = slowed
    sdk = cloud.connection("demo")
    code, out, err = interrupt_at(env, step, signum)
    assert "Traceback" not in err
    assert "finishing the current step" in err
    where = attachment(sdk)
    if step == 4:  # the last step was under way: it completes, and with it the swap
        assert code == 0 and where == SWAPPED, err
        assert "done: swap" in out
    else:
        assert code == 1 and where == ORIGINAL, err
        assert "rolled back, original attachment restored" in err and "original attachment verified" in err
    assert journals(env["XDG_STATE_HOME"]) == []


@pytest.mark.parametrize("how", ["--rollback", "--complete"])
@pytest.mark.parametrize("step", [1, 2, 3, 4])
def test_a_killed_swap_is_found_and_recovered(slowed, step: int, how: str) -> None:
    cloud, env = slowed
    sdk = cloud.connection("demo")
    code, _, err = interrupt_at(env, step, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert len(journals(env["XDG_STATE_HOME"])) == 1

    if how == "--rollback":  # the journal a kill leaves is the same for both: its notice is read once a step
        # the next netdash, whatever it does, says so in one line
        topology = netdash(env, "topology", "--format", "json")
        _, notice = topology.communicate(timeout=60)
        lines = [line for line in notice.splitlines() if "interrupted action" in line]
        assert len(lines) == 1 and "swap" in lines[0] and f"{step}/4" in lines[0] \
            and "netdash recover" in lines[0], notice

    recover = netdash(env, "recover", how, "--yes")
    out, err = recover.communicate(timeout=120)
    assert recover.returncode == 0, err
    assert "Traceback" not in err and "now: port server-1-port on" in out
    assert attachment(sdk) == (ORIGINAL if how == "--rollback" else SWAPPED)
    assert journals(env["XDG_STATE_HOME"]) == []
    if step == 1:  # an empty journal is the same after every case
        again = netdash(env, "recover", "--yes")
        assert again.communicate(timeout=60)[0].strip() == "nothing to recover" and again.returncode == 0


def test_a_second_interrupt_leaves_at_once_and_says_what_to_do(slowed) -> None:
    cloud, env = slowed
    proc = netdash(env, "ports", "swap", "server1", "server2", "--yes")
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.startswith("netdash: [2/4]"):
            proc.send_signal(signal.SIGINT)
        if "finishing the current step" in line:
            proc.send_signal(signal.SIGINT)
            break
    _, err = proc.communicate(timeout=60)
    err = "".join(seen) + err
    assert proc.returncode == 130, err
    assert "left at once" in err and "netdash recover" in err and "Traceback" not in err
    assert len(journals(env["XDG_STATE_HOME"])) == 1
    recover = netdash(env, "recover", "--rollback")
    _, err = recover.communicate(timeout=120)
    assert recover.returncode == 0, err
    assert attachment(cloud.connection("demo")) == ORIGINAL


async def test_the_dashboard_recovers_a_killed_swap_from_its_palette(slowed) -> None:
    cloud, env = slowed
    code, _, _ = interrupt_at(env, 3, signal.SIGKILL)
    assert code == -signal.SIGKILL and len(journals(env["XDG_STATE_HOME"])) == 1
    app = dashboard(cloud)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
        app.action_command_palette()
        palette = await until(pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen, what="palette")
        await press(pilot, *"roll back the interrupted")
        await until(pilot, lambda: palette.query(CommandList) and any(
            "Roll back the interrupted swap" in str(o.prompt) for o in palette.query_one(CommandList).options),
            what="the recovery offered")
        await press(pilot, "enter")
        screen = await until(pilot, lambda: isinstance(app.screen, ActionScreen) and app.screen.phase == "confirm"
                             and app.screen, what="the recovery's plan")
        assert screen.plan.steps[0].startswith("now: port server-1-port on ")
        result = await run(pilot, app, screen)
        assert result.outcome == ROLLED_BACK, result
    assert attachment(cloud.connection("demo")) == ORIGINAL
    assert journals(env["XDG_STATE_HOME"]) == []


def test_an_action_on_a_demo_cloud_that_is_gone_is_said_once_and_dropped() -> None:
    """`netdash --demo`'s cloud dies with the netdash that ran it: nothing to recover, and no notice forever."""
    import json
    import socket

    from netdash.actions import journal
    from netdash.cli.main import tell_unfinished

    with socket.socket() as closed:  # a loopback port nothing listens on once this is closed
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    folder = journal.journal_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for name, demo, url in (("gone", True, f"http://127.0.0.1:{port}/identity/v3"),
                            ("real", False, f"http://127.0.0.1:{port}/identity/v3")):
        (folder / f"20261202T000000-pool_algorithm-{name}.jsonl").write_text(json.dumps({
            "event": "begin", "action": "pool_algorithm", "title": f"change pool {name}", "at": 1.0, "pid": 1,
            "cloud": {"cloud": "netdash-demo", "demo": demo, "auth_url": url}, "state": {}}) + "\n")
    lines = tell_unfinished()
    assert any("no longer runs" in line and "change pool gone" in line and "nothing to recover" in line
               for line in lines), lines
    assert any("needs attention" in line and "change pool real" in line for line in lines), lines
    assert [u.title for u in journal.unfinished()] == ["change pool real"]
    assert tell_unfinished() == [lines[1]]
