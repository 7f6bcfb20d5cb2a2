"""What every benchmark needs: the embedded cloud in a process of its own, and clients for it."""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from openstack import connection
from openstack.config import loader

ROOT = Path(__file__).resolve().parent.parent
CLOUD = "netdash-demo"


@dataclass
class RunningCloud:
    clouds_yaml: Path
    #: the `# data plane: ...` lines it printed at start (its served endpoints)
    dataplane: list[str] = field(default_factory=list)
    #: the cloud's process
    pid: int = 0

    def cpu_seconds(self) -> float:
        """CPU time the cloud's process has used so far (all its threads, user + system)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def connect(self) -> connection.Connection:
        config = loader.OpenStackConfig(config_files=[str(self.clouds_yaml)], load_envvars=False)
        return connection.Connection(config=config.get_one(CLOUD))

    def cli_env(self) -> dict[str, str]:
        """The environment of an `openstack` CLI that finds this cloud and nothing else."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env["OS_CLIENT_CONFIG_FILE"] = str(self.clouds_yaml)
        return env


@contextlib.contextmanager
def start_cloud(clouds_yaml: Path, *extra: str, root: Path = ROOT) -> Iterator[RunningCloud]:
    """`python -m netdash.democloud` in a process of its own, so that no client shares its interpreter; the
    code of the netdash checkout `root` (another one than this: its code measured beside this one's)."""
    proc = subprocess.Popen([sys.executable, "-m", "netdash.democloud", "--clouds-yaml", str(clouds_yaml), *extra],
                            cwd=root, stdout=subprocess.PIPE, text=True)
    running = RunningCloud(clouds_yaml, pid=proc.pid)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("# data plane:"):
                running.dataplane.append(line.strip())
            if line.startswith("# clouds.yaml written"):
                break
        else:
            raise SystemExit("the embedded cloud did not start")
        # what it prints from then on (a line per change of the data plane) is read and dropped: a pipe left
        # full would stop the cloud's data plane at its next line
        threading.Thread(target=proc.stdout.read, daemon=True).start()
        yield running
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def median_seconds(run: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and minimum wall time of `runs` calls."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), min(samples)


def print_table(title: str, rows: list[tuple[str, str, str]]) -> None:
    print(title)
    width = max(len(r[0]) for r in rows)
    print(f"{'measurement':<{width}}  {'value':>12}  ratio / note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>12}  {note}")
