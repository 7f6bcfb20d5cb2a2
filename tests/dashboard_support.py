"""Helpers for the dashboard's Pilot tests: the App on a real embedded cloud, and condition waits."""

from __future__ import annotations

import asyncio
import time
import unicodedata
from collections.abc import Callable
from typing import Any

from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
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


async def press(pilot: Pilot[Any], *keys: str) -> None:
    """`pilot.press` as a terminal sends keys: each through the driver, and handled (the screen's queues
    drained) before the next, but without `pilot.press`'s two waits per key for an idle process. A dashboard
    that refreshes or probes is never idle, so each of those waits ran its full second: two seconds a key."""
    app = pilot.app
    driver = app._driver
    assert driver is not None
    for typed in keys:
        key = _character_to_key(typed) if len(typed) == 1 and not typed.isalnum() else typed
        try:
            char: str | None = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
        except KeyError:
            char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        driver.send_message(event)
        for _ in range(3):  # and what its handling posted, and what that posted (a submit, then a focus)
            await pilot._wait_for_screen()
            await asyncio.sleep(0)


async def next_refreshes(pilot: Pilot[Any], app: NetdashApp, count: int = 2, timeout: float = 5.0) -> None:
    """Wait until `count` more refreshes finished: with 2, at least one started after the caller's change."""
    target = app.refreshes + count
    await until(pilot, lambda: app.refreshes >= target, timeout, f"{count} refreshes")


async def in_thread(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A blocking openstacksdk call, off the loop the App runs on."""
    return await asyncio.to_thread(fn, *args, **kwargs)
