"""realstack's processes: launching a service's serve_*.py, knowing it is still ours, waiting for it to
answer, its memory, and ending it (stdlib only, imported by stack.py).

Every process runs in a session of its own, recorded in a PID file: `stop` signals that process group and
nothing else, and a recorded PID counts only while /proc says it is still the process we launched.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from stack_http import answers
from stack_services import CHILD_ENV, HERE, START_TIMEOUT, Service


def pid_of(service: Service) -> int | None:
    """The recorded PID, if that process is still the one `start` launched (not a recycled PID)."""
    try:
        pid = int(service.pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if f"serve_{service.name}.py".encode() in cmdline else None


def rss_mib(pid: int) -> float:
    """Resident memory of the service's process (Octavia's worker and Nova's conductor, scheduler and
    compute run as threads of the same one)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def launch(service: Service, *args: str) -> int:
    if answers(service.url + "/"):
        raise SystemExit(f"realstack: something else already answers on {service.url} (another realstack? "
                         f"REALSTACK_{service.name.upper()}_PORT picks another port)")
    script = HERE / f"serve_{service.name}.py"
    with service.log.open("ab") as log:
        process = subprocess.Popen([str(service.python), str(script), *args, str(service.port)], cwd=HERE,
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
                                   env=CHILD_ENV)
    service.pid_file.write_text(f"{process.pid}\n")
    return process.pid


def wait_until_up(launched: dict[Service, tuple[int, float]]) -> dict[str, float]:
    """Poll every launched service (pid, monotonic launch time) until each answers; each one's seconds
    from launch to its first answer. A service that exits meanwhile fails the start with its log's end."""
    deadline = time.monotonic() + START_TIMEOUT
    up: dict[str, float] = {}
    while len(up) < len(launched):
        for service, (pid, since) in launched.items():
            if service.name in up:
                continue
            if _reaped(pid):  # our child: waitpid says when it has exited (a /proc read can race its start)
                tail = "\n".join(service.log.read_text(errors="replace").splitlines()[-15:])
                raise SystemExit(f"realstack: {service.name} exited while starting; end of {service.log}:\n{tail}")
            if answers(service.url + "/"):
                up[service.name] = time.monotonic() - since
        if time.monotonic() > deadline:
            late = ", ".join(s.name for s in launched if s.name not in up)
            raise SystemExit(f"realstack: {late} did not answer within {START_TIMEOUT:.0f} s")
        time.sleep(0.1)
    return up


def terminate(pid: int, still_ours: Callable[[], bool]) -> None:
    """SIGTERM to the process's own session, SIGKILL after 15 s if it is still there and still ours."""
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        if _reaped(pid):
            break
        time.sleep(0.1)
    if Path(f"/proc/{pid}").exists() and still_ours():
        os.killpg(pid, signal.SIGKILL)


def _reaped(pid: int) -> bool:
    """A child of this process (started by this same `start`) must be waited for, or it stays a zombie."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        state = Path(f"/proc/{pid}/stat").read_text().split() if Path(f"/proc/{pid}").exists() else ["", "", "X"]
        return state[2] in ("Z", "X")
    return done == pid
