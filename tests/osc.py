"""Run the real `openstack` CLI (python-openstackclient + octaviaclient) against an embedded cloud."""

from __future__ import annotations

import atexit
import json
import os
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from netdash.democloud import CLOUD_NAME, DemoCloud

OPENSTACK = str(Path(sys.executable).parent / "openstack")
TIMEOUT = 60


class Zygote:
    """The fork server of tests/osc_forkserver.py, started on first use, one per test process.

    `NETDASH_OSC_SUBPROCESS=1` runs the `openstack` script itself for every command instead."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> subprocess.Popen[str]:
        if self.process is None or self.process.poll() is not None:
            server = Path(__file__).with_name("osc_forkserver.py")
            self.process = subprocess.Popen([sys.executable, str(server)], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, text=True)
            assert self.process.stdout is not None
            assert json.loads(self.process.stdout.readline()) == {"ready": True}
            atexit.register(self.process.kill)
        return self.process

    def run(self, argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
        out, err = cwd / ".osc-stdout", cwd / ".osc-stderr"
        request = {"argv": argv[1:], "env": env, "cwd": str(cwd), "stdout": str(out), "stderr": str(err),
                   "timeout": TIMEOUT}
        with self.lock:
            process = self.start()
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(json.dumps(request) + "\n")
            process.stdin.flush()
            code = json.loads(process.stdout.readline())["code"]
        return subprocess.CompletedProcess(argv, code, out.read_text(), err.read_text())


ZYGOTE = Zygote()


class OpenStackCLI:
    """`openstack --os-cloud netdash-demo ...` in a process of its own, with a clouds.yaml of its own.

    `clouds_yaml` and `cloud_name`: another cloud's entry instead (tests/realstack: real services)."""

    def __init__(self, cloud: DemoCloud | None, workdir: Path, *, clouds_yaml: Path | None = None,
                 cloud_name: str = CLOUD_NAME) -> None:
        self.cloud = cloud
        self.workdir = workdir
        self.cloud_name = cloud_name
        if clouds_yaml is None:
            assert cloud is not None, "an embedded cloud or a clouds.yaml"
            clouds_yaml = cloud.write_clouds_yaml(workdir / "clouds.yaml")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        self.env["OS_CLIENT_CONFIG_FILE"] = str(clouds_yaml)
        self.log: list[tuple[str, float]] = []

    def run(self, command: str, *, expect: int = 0, script: bool = False) -> str:
        """One command line as a user types it (after `openstack`); asserts its exit status.

        `script`: run the `openstack` script itself rather than a child of the fork server."""
        argv = [OPENSTACK, "--os-cloud", self.cloud_name, *shlex.split(command)]
        started = time.perf_counter()
        if script or os.environ.get("NETDASH_OSC_SUBPROCESS") == "1":
            done = subprocess.run(argv, env=self.env, cwd=self.workdir, capture_output=True, text=True,
                                  timeout=TIMEOUT, check=False)
        else:
            done = ZYGOTE.run(argv, self.env, self.workdir)
        self.log.append((command, time.perf_counter() - started))
        assert done.returncode == expect, (
            f"openstack {command}\nexit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}")
        assert "Traceback" not in done.stderr, done.stderr
        return done.stdout if expect == 0 else done.stderr

    def json(self, command: str) -> Any:
        return json.loads(self.run(f"{command} -f json"))

    def value(self, command: str) -> str:
        return self.run(f"{command} -f value").strip()
