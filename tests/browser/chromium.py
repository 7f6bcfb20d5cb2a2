"""Debian's chromium for the browser test of `netdash serve`: `make test` starts `install` in the background
while the rest of the suite runs (apt-get takes about a minute), and the browser test, run last, waits for
the outcome it writes to STATUS: `ok`, or the one line that says why there is no browser (the test then
skips with it).

`make test` starts it in a session of its own (setsid), so that a Ctrl-C of the suite does not interrupt dpkg
half-way. Stdlib only: it runs before anything else of the suite is imported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: `ok`, or why there is no browser; absent while an install runs (or before any was started)
STATUS = ROOT / ".venv" / "chromium.status"
RUNNING = ROOT / ".venv" / "chromium.installing"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def executable() -> str | None:
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def install() -> str:
    """`ok` once a chromium is there, else why not (one line)."""
    if executable() is not None:
        return "ok"
    if shutil.which("apt-get") is None:
        return "no chromium, and no apt-get to install it with: install chromium to run the browser test"
    if os.geteuid() != 0:
        return "no chromium, and not root: `sudo apt-get install chromium` to run the browser test"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:  # an interrupted dpkg, or a stale package list: mend, update, try again
        subprocess.run(["dpkg", "--configure", "-a"], env=env, capture_output=True, check=False)
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=False)
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if executable() is None:
        last = (done.stderr or done.stdout).strip().splitlines()
        return f"apt-get install chromium failed: {last[-1] if last else done.returncode}"
    return "ok"


def installing() -> bool:
    """An install started by `make test` is still running (its process alive)."""
    try:
        return Path(f"/proc/{int(RUNNING.read_text())}").exists()
    except (OSError, ValueError):
        return False


def wait(timeout: float) -> str:
    """The outcome of the install `make test` started (or of one made now, when none was)."""
    if executable() is not None:
        return "ok"
    deadline = time.monotonic() + timeout
    while installing() and not STATUS.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    if STATUS.exists():
        return STATUS.read_text().strip()
    if installing():
        return f"chromium's install did not finish within {timeout:g} s"
    return install()


def main() -> None:
    if sys.argv[1:] != ["install"]:
        raise SystemExit("usage: chromium.py install")
    STATUS.unlink(missing_ok=True)
    RUNNING.write_text(str(os.getpid()))
    try:
        outcome = install()
    except Exception as exc:
        outcome = f"installing chromium failed: {exc}"
    STATUS.write_text(outcome + "\n")
    RUNNING.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
