"""`netdash serve` (issue 18): the dashboard served to web browsers, loopback unless told otherwise, and
nothing left running when the server stops or is killed. A tab's session is opened here as the page opens
it, through textual-serve's websocket; the real browser's test is `tests/browser/`."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

from tests.browser.serving import Served, alive, children, drawn, wait_gone


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


async def open_tab(served: Served, frames: list[bytes]) -> tuple[aiohttp.ClientSession, asyncio.Task[None]]:
    """A tab's session: its dashboard's screen collected into `frames` until the server closes it."""
    session = aiohttp.ClientSession()
    ws = await session.ws_connect(f"ws://127.0.0.1:{served.port}/ws?width=120&height=40")

    async def read() -> None:
        async for message in ws:
            if message.type == aiohttp.WSMsgType.BINARY:
                frames.append(message.data)

    return session, asyncio.create_task(read())


async def until_drawn(frames: list[bytes], text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while text not in drawn(frames):
        assert time.monotonic() < deadline, f"{text!r} not drawn: {drawn(frames)[-400:]!r}"
        await asyncio.sleep(0.1)


def tabs_and_cloud(server: int) -> tuple[list[int], list[int]]:
    """(each tab's dashboard, the embedded cloud): the server's children."""
    mine = children(server)
    clouds = [p for p in mine if "netdash.democloud" in cmdline(p)]
    return [p for p in mine if p not in clouds and "-m netdash" in cmdline(p)], clouds


def test_a_non_loopback_address_needs_allow_remote() -> None:
    done = subprocess.run([sys.executable, "-m", "netdash", "serve", "--host", "0.0.0.0"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("netdash: error: --host 0.0.0.0 is not a loopback address") and "--allow-remote" in line


async def test_stopping_the_server_quits_every_tab_and_the_embedded_cloud() -> None:
    """On all addresses (allowed and warned about), a tab reached on loopback; then SIGTERM."""
    with Served("--demo", "--host", "0.0.0.0", "--allow-remote") as served:
        frames: list[bytes] = []
        session, reader = await open_tab(served, frames)
        try:
            await until_drawn(frames, "server1")
            tabs, clouds = tabs_and_cloud(served.proc.pid)
            assert len(tabs) == 1 and len(clouds) == 1, [cmdline(p) for p in children(served.proc.pid)]
            code, err = await asyncio.to_thread(served.stop, signal.SIGTERM)
            assert code == 0, err
            assert "anyone who can reach this address can change the cloud" in err
            wait_gone(tabs + clouds, 10, "the tab's dashboard and the embedded cloud gone")
            await asyncio.wait_for(reader, 10)  # the tab was closed by the server
        finally:
            await session.close()


async def test_a_killed_server_leaves_no_dashboard_or_cloud_behind() -> None:
    with Served("--demo") as served:
        frames: list[bytes] = []
        session, reader = await open_tab(served, frames)
        try:
            await until_drawn(frames, "server1")
            tabs, clouds = tabs_and_cloud(served.proc.pid)
            assert len(tabs) == 1 and len(clouds) == 1
            fetchers = [p for tab in tabs for p in children(tab)]  # each dashboard's fetch process
            served.proc.kill()
            served.proc.wait()
            wait_gone(tabs + clouds + fetchers, 15, "the orphaned dashboard, its fetch process and the cloud gone")
            assert not any(alive(p) for p in tabs)
        finally:
            reader.cancel()
            await session.close()


async def test_a_served_tour_plays_in_each_tab_on_a_cloud_of_its_own() -> None:
    """`--tour`: no cloud in the server; the tab's `netdash tour` starts its own fresh embedded cloud (tabs
    never build the same netdash-tour-* objects in one project); stopping the server leaves nothing."""
    with Served("--tour", "floating-ip", "--pace", "5") as served:
        frames: list[bytes] = []
        session, reader = await open_tab(served, frames)
        try:
            await until_drawn(frames, "] plays the first step")
            tabs, clouds = tabs_and_cloud(served.proc.pid)
            assert len(tabs) == 1 and clouds == [], [cmdline(p) for p in children(served.proc.pid)]
            assert "tour floating-ip --pace 5" in cmdline(tabs[0])
            own = [p for p in children(tabs[0]) if "netdash.democloud" in cmdline(p)]
            assert len(own) == 1 and "--empty" in cmdline(own[0])
            code, err = await asyncio.to_thread(served.stop, signal.SIGTERM)
            assert code == 0, err
            wait_gone(tabs + own, 10, "the tab's tour and its embedded cloud gone")
        finally:
            reader.cancel()
            await session.close()


def test_a_tour_that_cannot_be_served_is_one_line() -> None:
    for argv, expected in ((["--tour", "nope"], "no tour 'nope'"),
                           (["--tour", "floating-ip", "--read-only"], "cannot be served with --read-only"),
                           (["--tour", "floating-ip", "--os-cloud", "prod"], "--os-cloud, --demo and --scale"),
                           (["--pace", "5"], "applies with --tour only")):
        done = subprocess.run([sys.executable, "-m", "netdash", "serve", *argv], capture_output=True, text=True,
                              timeout=60, check=False)
        assert done.returncode == 2 and done.stdout == "", (argv, done.stderr)
        (line,) = done.stderr.splitlines()
        assert line.startswith("netdash: error: ") and expected in line, (argv, line)

