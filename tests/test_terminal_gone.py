"""A dashboard whose terminal goes away leaves, and takes its probe, fetch process and embedded cloud with
it: a pty whose master is closed, with netdash run directly and through `make demo` (make stands between
it and the terminal, as it does for every newcomer)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            children = (task / "children").read_text().split() if (task / "children").exists() else []
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def run_on_a_pty_then_close_it(argv: list[str], typed: bytes = b"") -> tuple[int | None, set[int]]:
    """`typed`: keys sent as soon as it is started, before the dashboard is up (a user who does not wait)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, b"\x28\x00\x78\x00\x00\x00\x00\x00")  # 40 x 120

    # a session of its own whose controlling terminal is the pty, as a terminal window or ssh gives
    take_the_terminal = ("import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
                         "os.execvp(sys.argv[1], sys.argv[1:])")
    proc = subprocess.Popen([sys.executable, "-c", take_the_terminal, *argv], stdin=slave, stdout=slave,
                            stderr=slave, start_new_session=True, cwd=ROOT)
    os.close(slave)
    os.write(master, typed)
    seen, started = b"", time.monotonic()
    try:
        while b"server2" not in seen:  # the seeded topology is on screen
            assert time.monotonic() - started < 60, seen[-2000:]
            if select.select([master], [], [], 0.5)[0]:
                seen += os.read(master, 65536)
        # the fetch process starts after the first paint: wait until it is there too
        while len(descendants(proc.pid)) < 2 + argv.count("make"):
            assert time.monotonic() - started < 60, descendants(proc.pid)
            time.sleep(0.1)
        family = {proc.pid, *descendants(proc.pid)}
    finally:
        os.close(master)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in family) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = {pid for pid in family if alive(pid)}
    for pid in left:
        os.kill(pid, 9)
    return proc.returncode, left


def test_netdash_leaves_with_its_terminal() -> None:
    # and keys typed while it starts go to the tree, not into the hidden filter (whose "jjx" would hide
    # every server, and the wait for server2 would never end)
    code, left = run_on_a_pty_then_close_it([sys.executable, "-m", "netdash", "--demo"], typed=b"jjx")
    assert left == set(), "processes left behind"
    assert code is not None


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_leaves_with_its_terminal() -> None:
    code, left = run_on_a_pty_then_close_it(["make", "--no-print-directory", "demo"])
    assert left == set(), "processes left behind"
    assert code is not None
