"""What a user waits for: `netdash` started on a terminal, until the seed scenario's topology is on screen.

The real program (`netdash`, its own process and session, on a pseudo-terminal of 120x40): interpreter
start, imports, authentication, the first complete fetch and the first render written to the terminal. The
topology is on screen when `server2` has been written (the tree shows the servers with the first snapshot:
every type arrives in one). Then `q`, and the terminal closed if it did not leave.

    OS_CLIENT_CONFIG_FILE=clouds.yaml python -m bench.first_paint netdash --os-cloud netdash-demo
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

#: what says the topology is painted (the seed scenario's second server, in the tree)
MARK = b"server2"
#: rows, columns
SIZE = (40, 120)


def paint_seconds(argv: list[str], env: dict[str, str], timeout: float = 60.0, cwd: Path | None = None) -> float:
    """Seconds from starting `argv` on a new pty to `MARK` written to it."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, bytes([SIZE[0], 0, SIZE[1], 0, 0, 0, 0, 0]))

    env = {**env, "TERM": env.get("TERM") if env.get("TERM") not in (None, "", "dumb") else "xterm-256color"}
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd,
                            start_new_session=True)
    os.close(slave)
    seen = b""
    try:
        while MARK not in seen:
            if time.perf_counter() - started > timeout:
                raise SystemExit(f"no {MARK!r} on screen after {timeout:g} s: {seen[-2000:]!r}")
            if select.select([master], [], [], 0.5)[0]:
                seen = seen[-len(MARK):] + os.read(master, 65536)
        took = time.perf_counter() - started
        os.write(master, b"q")
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:  # read what it writes while it leaves
            if select.select([master], [], [], 0.1)[0]:
                try:
                    os.read(master, 65536)
                except OSError:
                    break
    finally:
        os.close(master)  # and if `q` did not end it, its terminal going away does
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return took


if __name__ == "__main__":
    print(f"painted after {paint_seconds(sys.argv[1:], dict(os.environ)):.3f} s")
