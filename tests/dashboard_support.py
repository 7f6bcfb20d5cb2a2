"""Helpers for the dashboard's Pilot tests: the App on a real embedded cloud, and condition waits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from netdash.cloud.client import DEFAULT_TIMEOUT, CloudClient
from netdash.democloud import DemoCloud
from netdash.democloud.process import DemoCloudProcess
from netdash.tui.app import NetdashApp

#: short enough that "within one refresh" is quick; the throttle is opened so it never paces the test
INTERVAL = 0.2


def dashboard(cloud: DemoCloud | DemoCloudProcess, *, fetch_process: bool = False, timeout: float = DEFAULT_TIMEOUT,
              **options: Any) -> NetdashApp:
    """`fetch_process`: fetch as `netdash` does, in a process of its own (up before the app starts);
    `timeout`: the client's per-request timeout."""
    client = CloudClient.for_demo(cloud, max_rps=1000, timeout=timeout)
    if fetch_process:
        assert client.start_fetch_process() and client.fetch_process_ready(wait=30)
    return NetdashApp(client, client.info, interval=INTERVAL, **options)


async def until(pilot: Pilot[Any], check: Callable[[], Any], timeout: float = 5.0, what: str = "") -> Any:
    """Let the app run until `check()` is truthy (the condition, not a guessed time, ends the wait)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or check}")
        await pilot.pause(0.02)


async def next_refreshes(pilot: Pilot[Any], app: NetdashApp, count: int = 2, timeout: float = 5.0) -> None:
    """Wait until `count` more refreshes finished: with 2, at least one started after the caller's change."""
    target = app.refreshes + count
    await until(pilot, lambda: app.refreshes >= target, timeout, f"{count} refreshes")


async def in_thread(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A blocking openstacksdk call, off the loop the App runs on."""
    return await asyncio.to_thread(fn, *args, **kwargs)
