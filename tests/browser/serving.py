"""`netdash serve` in a process of its own, and a tab's session opened without a browser (textual-serve's
websocket, as its page opens it), for the tests of serving and of what is left when the server goes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.waiting import wait_for

#: escape sequences, to read the text a dashboard drew out of the bytes it sent
ANSI = re.compile(r"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


def drawn(frames: list[bytes]) -> str:
    """The characters a dashboard drew in these frames of its screen, without the escape sequences."""
    return ANSI.sub("", b"".join(frames).decode("utf-8", "replace"))


#: the page's size: a laptop's browser window
VIEWPORT = {"width": 1400, "height": 900}


def page_shot(url: str, executable: str, path: Path, keys: tuple[str, ...] = (), shows: str = "") -> str:
    """Open `url`, wait for the topology, press `keys` and wait until `shows` is drawn; the PNG in `path`.
    Returns everything the page was sent to draw."""
    from playwright.sync_api import sync_playwright

    frames: list[bytes] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.on("websocket", lambda ws: ws.on(
                "framereceived", lambda data: frames.append(data) if isinstance(data, bytes) else None))
            page.goto(url)

            def until(text: str, since: int = 0, timeout: float = 60) -> None:
                deadline = time.monotonic() + timeout
                while text not in drawn(frames[since:]):
                    assert time.monotonic() < deadline, f"{text!r} not drawn: {drawn(frames[since:])[-300:]!r}"
                    page.wait_for_timeout(100)

            until("server1")
            until("refreshed")  # the header's time of the first complete refresh
            page.click(".textual-terminal")  # the keyboard's focus, as a user's click gives it
            since = len(frames)
            for key in keys:
                page.keyboard.press(key)
            if shows:
                until(shows, since)
            page.wait_for_timeout(300)  # the last frame painted by the browser (drawn is not painted)
            page.screenshot(path=str(path))
        finally:
            browser.close()
    return drawn(frames)


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Served:
    """`python -m netdash serve --port 0 ARGS`, until `stop` (SIGTERM) or `kill` (SIGKILL)."""

    def __init__(self, *args: str, cwd: Path | None = None) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        self.proc = subprocess.Popen([sys.executable, "-m", "netdash", "serve", "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("netdash: serving ") and " on http" in line:  # the dashboard, or a tour
                self.url = "http" + line.split(" on http", 1)[1].split()[0]
                return
        self.proc.wait()
        raise AssertionError(f"netdash serve did not start: {self.proc.stderr.read() if self.proc.stderr else ''}")

    @property
    def port(self) -> int:
        return int(self.url.rstrip("/").rsplit(":", 1)[1])

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 40) -> tuple[int, str]:
        self.proc.send_signal(signum)
        try:
            _, err = self.proc.communicate(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        return self.proc.returncode, err

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.proc.poll() is None:
            self.stop(signal.SIGKILL)


def wait_gone(pids: list[int], timeout: float, what: str) -> None:
    wait_for(lambda: not [p for p in pids if alive(p)], timeout=timeout, what=what)
