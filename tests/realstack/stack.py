"""realstack: real Neutron and Octavia from PyPI on loopback, for netdash's tests against real services.

    python tests/realstack/stack.py start|stop|status

`start` builds (or reuses) one venv per service under `realstack/` at the repo root, writes the configs,
creates fresh sqlite databases, starts each API in the background (PID files in `realstack/`), waits
until they answer, creates the external network `public` (127.24.4.0/24, as the embedded cloud has) and
writes `realstack/clouds.yaml` with the cloud `realstack`. It prints the set-up time and each service's
resident memory. `stop` ends exactly the processes `start` recorded. Nova, Placement and Glance are not
part of it yet.

Stdlib only: it runs with any Python >= 3.11 (the Makefile uses the project's venv). The services' own
code runs in their venvs: serve_*.py and db_*.py beside this file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from stack_services import (
    CHILD_ENV,
    CLOUD,
    HERE,
    NEUTRON,
    OCTAVIA,
    PUBLIC_CIDR,
    SERVICES,
    START_TIMEOUT,
    STATE,
    Service,
    write_clouds_yaml,
    write_neutron_config,
    write_octavia_config,
)


def say(text: str) -> None:
    print(f"realstack: {text}", file=sys.stderr, flush=True)


# --- venvs ------------------------------------------------------------------------------------------
def stamp_of(service: Service) -> str:
    """What the venv's PyPI packages came from: the venv is rebuilt when it changes."""
    digest = hashlib.sha256(f"{sys.version_info[:2]} {service.requirement}\n".encode())
    digest.update(service.constraints.read_bytes())
    return digest.hexdigest()


def local_stamp_of(service: Service) -> str:
    """What the project's own packages in the venv came from: they alone are reinstalled when it changes."""
    digest = hashlib.sha256()
    for local in service.local:
        for path in sorted((HERE / local).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".toml"):
                digest.update(path.relative_to(HERE).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def pip(service: Service, *args: str) -> None:
    subprocess.run([str(service.python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args],
                   check=True)


def ensure_venv(service: Service) -> bool:
    """Build the service's venv unless its stamps say it is current; True when anything was installed."""
    stamp_file, local_file = service.venv / ".realstack-stamp", service.venv / ".realstack-local-stamp"
    stamp, local_stamp = stamp_of(service), local_stamp_of(service)
    fresh = not (stamp_file.is_file() and stamp_file.read_text() == stamp and service.python.exists())
    if fresh:
        say(f"installing {service.requirement} into {service.venv.relative_to(STATE.parent)}")
        shutil.rmtree(service.venv, ignore_errors=True)
        service.venv.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(service.venv)], check=True)
        pip(service, "--upgrade", "pip")
        pip(service, "-c", str(service.constraints), service.requirement)
        stamp_file.write_text(stamp)
    if not service.local or (not fresh and local_file.is_file() and local_file.read_text() == local_stamp):
        return fresh
    sources = []
    for local in service.local:  # built from a copy: pip would leave build/ and *.egg-info in the tree
        source = STATE / "src" / local
        shutil.rmtree(source, ignore_errors=True)
        shutil.copytree(HERE / local, source, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
        sources.append(str(source))
    pip(service, "--no-deps", "--force-reinstall", *sources)
    local_file.write_text(local_stamp)
    return True


# --- processes --------------------------------------------------------------------------------------
def pid_of(service: Service) -> int | None:
    """The recorded PID, if that process is still the one `start` launched (not a recycled PID)."""
    try:
        pid = int(service.pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if f"serve_{service.name}.py".encode() in cmdline else None


def rss_mib(pid: int) -> float:
    """Resident memory of the service's process (Octavia's worker runs as threads of the same one)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


#: straight to loopback, whatever http_proxy says
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def answers(url: str) -> bool:
    try:
        with HTTP.open(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer: the API is up
    except OSError:
        return False


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


def wait_until_up(service: Service, pid: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists() or pid_of(service) is None:
            tail = "\n".join(service.log.read_text(errors="replace").splitlines()[-15:])
            raise SystemExit(f"realstack: {service.name} exited while starting; end of {service.log}:\n{tail}")
        if answers(service.url + "/"):
            return
        time.sleep(0.2)
    raise SystemExit(f"realstack: {service.name} did not answer on {service.url} within {START_TIMEOUT:.0f} s")


def request(method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json",
                                                                         "Accept": "application/json"})
    with HTTP.open(req, timeout=30) as response:
        return json.loads(response.read() or b"null")


def create_public() -> None:
    """The external network floating IPs come from, named and numbered as in the embedded cloud."""
    base = NEUTRON.url + "/v2.0"
    net = request("POST", base + "/networks", {"network": {
        "name": "public", "router:external": True, "shared": True, "provider:network_type": "flat",
        "provider:physical_network": "public"}})["network"]
    request("POST", base + "/subnets", {"subnet": {
        "name": "public-subnet", "network_id": net["id"], "ip_version": 4, "cidr": PUBLIC_CIDR,
        "gateway_ip": "127.24.4.1", "enable_dhcp": False,
        "allocation_pools": [{"start": "127.24.4.2", "end": "127.24.4.254"}]}})


def running() -> dict[str, int]:
    return {s.name: pid for s in SERVICES if (pid := pid_of(s)) is not None}


# --- commands ---------------------------------------------------------------------------------------
def start() -> int:
    if len(running()) == len(SERVICES) and all(answers(s.url + "/") for s in SERVICES):
        say("already running")
        return status()
    stop(quiet=True)
    started = time.monotonic()
    timings: dict[str, float] = {}
    STATE.mkdir(exist_ok=True)
    t0 = time.monotonic()
    with ThreadPoolExecutor(len(SERVICES)) as pool:  # two pip installs side by side: each waits on the network
        built = list(pool.map(ensure_venv, SERVICES))
    timings["venvs" if any(built) else "venvs (reused)"] = time.monotonic() - t0
    t0 = time.monotonic()
    for service in SERVICES:  # a fresh cloud each start: the databases go, the venvs stay
        shutil.rmtree(service.workdir, ignore_errors=True)
        (service.workdir / "lock").mkdir(parents=True)
    write_neutron_config()
    octavia_conf = write_octavia_config()
    scripts = {NEUTRON: ("db_neutron.py", str(NEUTRON.workdir)), OCTAVIA: ("db_octavia.py", str(octavia_conf))}
    dbs = {service: subprocess.Popen([str(service.python), str(HERE / script), arg], env=CHILD_ENV,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
           for service, (script, arg) in scripts.items()}
    for service, process in dbs.items():
        output, _ = process.communicate()
        (service.workdir / "db.log").write_text(output)
        if process.returncode != 0:
            raise SystemExit(f"realstack: creating {service.name}'s database failed:\n{output[-3000:]}")
    timings["databases"] = time.monotonic() - t0
    t0 = time.monotonic()
    pids = {NEUTRON.name: launch(NEUTRON, str(NEUTRON.workdir)), OCTAVIA.name: launch(OCTAVIA, str(octavia_conf))}
    for service in SERVICES:
        wait_until_up(service, pids[service.name])
    timings["services up"] = time.monotonic() - t0
    create_public()
    clouds = write_clouds_yaml()
    total = time.monotonic() - started
    stats = {"setup_seconds": round(total, 1), "steps": {k: round(v, 1) for k, v in timings.items()},
             "rss_mib": {name: round(rss_mib(pid), 1) for name, pid in pids.items()}}
    (STATE / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
    print(f"realstack up in {total:.1f} s ({steps})")
    print("RSS: " + ", ".join(f"{name} {mib:.0f} MiB" for name, mib in stats["rss_mib"].items()))
    print(f"clouds.yaml: {clouds} (cloud {CLOUD!r}: OS_CLIENT_CONFIG_FILE={clouds})")
    return 0


def stop(quiet: bool = False) -> int:
    for service in SERVICES:
        pid = pid_of(service)
        if pid is not None:
            os.killpg(pid, signal.SIGTERM)  # its own session: the process and nothing else of ours
            deadline = time.monotonic() + 10
            while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
                if _reaped(pid):
                    break
                time.sleep(0.1)
            if Path(f"/proc/{pid}").exists() and pid_of(service) is not None:
                os.killpg(pid, signal.SIGKILL)
            if not quiet:
                say(f"stopped {service.name} (pid {pid})")
        service.pid_file.unlink(missing_ok=True)
    return 0


def _reaped(pid: int) -> bool:
    """A child of this process (started by this same `start`) must be waited for, or it stays a zombie."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        state = Path(f"/proc/{pid}/stat").read_text().split() if Path(f"/proc/{pid}").exists() else ["", "", "X"]
        return state[2] in ("Z", "X")
    return done == pid


def status() -> int:
    up = True
    for service in SERVICES:
        pid = pid_of(service)
        if pid is None:
            print(f"{service.name}: not running")
            up = False
            continue
        ok = answers(service.url + "/")
        up = up and ok
        print(f"{service.name}: pid {pid}, {service.url} {'answers' if ok else 'does NOT answer'}, "
              f"RSS {rss_mib(pid):.0f} MiB")
    stats = STATE / "stats.json"
    if stats.is_file():
        print(f"last set-up: {json.loads(stats.read_text())['setup_seconds']} s")
    return 0 if up else 1


def main(argv: list[str]) -> int:
    commands = {"start": start, "stop": stop, "status": status}
    if len(argv) != 1 or argv[0] not in commands:
        print("usage: stack.py start|stop|status", file=sys.stderr)
        return 2
    return commands[argv[0]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
