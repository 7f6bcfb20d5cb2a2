"""The embedded cloud in a child process: what `netdash --demo` runs.

In the dashboard's own interpreter the cloud shared one GIL with the UI: the data plane forwarding a
200 req/s probe (floating IP, proxy, backends) and the API answering every refresh took turns with
Textual, so the probe reached about half its rate and key presses waited behind them. In a process of
its own it uses the other core. The child is `python -m netdash.democloud`, the same program as `netdash
demo-cloud`; it writes its clouds.yaml into a private directory (0700, the file 0600) and exits when
its stdin closes, so it never outlives the dashboard, even one killed with SIGKILL.

A dashboard killed with SIGKILL cannot remove that directory, and it holds the demo password. So the
directory records its owner (`owner`: the PID and the start time the kernel gives that process), and every
start of a child first removes the `netdash-demo-*` directories of this user whose owner is gone: no
process with that PID, a zombie, or a different process that got the PID since (another start time).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from .launcher import CLOUD_NAME

#: the child prints this line once its clouds.yaml is written: it is serving
READY = "# clouds.yaml written"
#: the private directories' prefix, in tempfile.gettempdir()
PREFIX = "netdash-demo-"
#: a directory with no owner file yet may be one another netdash has just made: left alone this long
UNCLAIMED_GRACE = 60.0


def start_time(pid: int) -> str | None:
    """The kernel's start time of process `pid` (clock ticks since boot, field 22 of /proc/PID/stat), which
    tells a process from a later one with the same PID; None when there is no such process, or a zombie."""
    try:
        line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = line[line.rindex(")") + 2:].split()  # after "pid (comm) ": comm may hold spaces and parentheses
    return None if fields[0] in ("Z", "X") else fields[19]


def claim(directory: Path) -> None:
    """Write the owner file: this process, and when it started."""
    pid = os.getpid()
    (directory / "owner").write_text(f"{pid} {start_time(pid) or '-'}\n")


def owner_alive(directory: Path) -> bool:
    """True while the process that made `directory` runs (or while it may still be writing its owner file)."""
    try:
        pid_text, started = (directory / "owner").read_text().split()
        pid = int(pid_text)
    except FileNotFoundError:
        return time.time() - directory.stat().st_mtime < UNCLAIMED_GRACE
    except (OSError, ValueError):
        return False  # unreadable or garbled: nobody can be using it
    if not Path("/proc/self/stat").exists():  # no procfs: the PID is all there is to go on
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
        return True
    now = start_time(pid)
    return now is not None and started in ("-", now)


def remove_leftovers(base: Path | None = None) -> list[Path]:
    """Remove the private directories of this user's embedded clouds whose owner is gone; the removed."""
    base = Path(base or tempfile.gettempdir())
    removed = []
    for directory in base.glob(PREFIX + "*"):
        try:
            info = directory.lstat()
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or owner_alive(directory):
                continue
        except OSError:
            continue  # gone already (another netdash cleaned it)
        shutil.rmtree(directory, ignore_errors=True)
        if not directory.exists():
            removed.append(directory)
    return removed


class DemoCloudFailed(Exception):
    """The child did not come up; the message is one line saying why."""


class DemoCloudProcess:
    """`python -m netdash.democloud [--scale N] [--faults SPEC]...` as a child; `cloud_config()` as `DemoCloud`'s."""

    def __init__(self, *, scale: int = 0, faults: tuple[str, ...] = (), timeout: float = 60.0,
                 provisioning_delay: float | None = None, empty: bool = False) -> None:
        self.scale = scale
        #: `--empty`: nothing but the external network (what a guided tour starts from)
        self.empty = empty
        self.faults = faults
        #: Octavia's and Neutron's PENDING_* -> ACTIVE delay in the child (None: its default)
        self.provisioning_delay = provisioning_delay
        self.timeout = timeout
        self._dir: Path | None = None
        self._proc: subprocess.Popen[str] | None = None
        self._config: dict[str, Any] | None = None
        self._serving = False
        self._ready = threading.Event()
        #: the child's last lines on stdout (its `# data plane:` endpoint lines among them)
        self.lines: deque[str] = deque(maxlen=200)

    def start(self) -> DemoCloudProcess:
        return self.launch().ready()

    def launch(self) -> DemoCloudProcess:
        """Start the child and return at once: the caller can import and set up while the cloud builds."""
        remove_leftovers()
        self._dir = Path(tempfile.mkdtemp(prefix=PREFIX))  # mode 0700
        claim(self._dir)
        clouds_yaml = self._dir / "clouds.yaml"
        command = [sys.executable, "-m", "netdash.democloud", "--clouds-yaml", str(clouds_yaml), "--exit-with-stdin"]
        if self.scale:
            command += ["--scale", str(self.scale)]
        if self.empty:
            command.append("--empty")
        for spec in self.faults:
            command += ["--faults", spec]
        if self.provisioning_delay is not None:
            command += ["--provisioning-delay", str(self.provisioning_delay)]
        errors = (self._dir / "stderr").open("w")
        try:
            self._proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
                                          text=True, cwd=Path(__file__).resolve().parents[2])
        finally:
            errors.close()
        threading.Thread(target=self._drain, args=(self._ready,), name="democloud-child", daemon=True).start()
        return self

    def ready(self) -> DemoCloudProcess:
        """Wait until the launched child serves; raise DemoCloudFailed (and clean up) if it does not."""
        assert self._proc is not None and self._dir is not None, "launch() first"
        clouds_yaml = self._dir / "clouds.yaml"
        if not self._ready.wait(self.timeout) or not self._serving:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=5)  # its stdout closed: it is exiting, and its status says why
            why = self._why()
            self.stop()
            raise DemoCloudFailed(f"the embedded cloud did not start: {why}")
        self._config = read_cloud_config(clouds_yaml)
        return self

    def _drain(self, ready: threading.Event) -> None:
        """Read the child's stdout for as long as it lives: a full pipe would stop it mid-print."""
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            self.lines.append(line.rstrip("\n"))
            if line.startswith(READY):
                self._serving = True
                ready.set()
        ready.set()  # it exited: start() looks at why

    def _why(self) -> str:
        if self._proc is not None and self._proc.poll() is None:
            return f"no answer within {self.timeout:g} s"
        text = (self._dir / "stderr").read_text(errors="replace").strip() if self._dir else ""
        last = text.splitlines()[-1] if text else ""
        return last or f"it exited with status {self._proc.returncode if self._proc else '?'}"

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc is not None and proc.stdin is not None:
            proc.stdin.close()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> DemoCloudProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def directory(self) -> Path | None:
        """The private directory (clouds.yaml, the child's stderr, the owner file) while the child runs."""
        return self._dir

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def auth_url(self) -> str:
        return str(self.cloud_config()["auth"]["auth_url"])

    def cloud_config(self, user: str = "demo") -> dict[str, Any]:
        """The `demo` entry of the child's clouds.yaml (the one netdash uses)."""
        if self._config is None:
            raise DemoCloudFailed("the embedded cloud is not running")
        if user != self._config["auth"]["username"]:
            raise ValueError(f"the embedded cloud's clouds.yaml names only {self._config['auth']['username']!r}")
        return self._config


def read_cloud_config(path: Path) -> dict[str, Any]:
    import yaml  # openstacksdk's own dependency; only the child's clouds.yaml is read with it

    entry = yaml.safe_load(path.read_text())["clouds"][CLOUD_NAME]
    return dict(entry)


def watch_stdin(stop: threading.Event) -> None:
    """`--exit-with-stdin`: the parent holds our stdin; when it is gone, so are we."""

    def wait() -> None:
        try:
            while os.read(sys.stdin.fileno(), 4096):
                pass
        except OSError:
            pass
        stop.set()

    threading.Thread(target=wait, name="parent-watch", daemon=True).start()
