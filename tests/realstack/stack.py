"""realstack: real OpenStack services from PyPI on loopback, for netdash's tests against real services.

    python tests/realstack/stack.py start|stop|status
    REALSTACK_NOVA=1 python tests/realstack/stack.py start     # with Nova, Placement and Glance

`start` builds (or reuses) one venv per service under `realstack/` at the repo root, writes the configs,
creates fresh databases, starts each API in the background (PID files in `realstack/`), waits until they
answer, creates the external network `public` (127.24.4.0/24, as the embedded cloud has) and writes
`realstack/clouds.yaml` with the cloud `realstack`. It prints the set-up time, each step's and each
service's (from launch to its first answer) and each service's resident memory.

Always: Neutron 29 and Octavia 19, on sqlite. With REALSTACK_NOVA=1 also Nova 34, Placement 16 and
Glance 33 (stack_nova.py) on MariaDB (stack_mariadb.py; apt-get installs it when missing), built by their
real migrations, Neutron then notifies Nova of port changes, and a flavor `m1.tiny` and an image `tiny`
exist so `openstack server create --flavor m1.tiny --image tiny --network N` works; clouds.yaml then has
the compute and image endpoints too (the tests that need Nova skip when it has not).

`stop` ends exactly the processes a `start` recorded (any of them, whether or not REALSTACK_NOVA is set
now): the services, then MariaDB. `status` reports every recorded one.

Stdlib only: it runs with any Python >= 3.11 (the Makefile uses the project's venv). The services' own
code runs in their venvs: serve_*.py and db_*.py beside this file.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import stack_mariadb as mariadb
import stack_nova as nova
from stack_http import answers, request
from stack_processes import launch, pid_of, rss_mib, terminate, wait_until_up
from stack_services import (
    CHILD_ENV,
    CLOUD,
    HERE,
    HOST,
    NEUTRON,
    OCTAVIA,
    PUBLIC_CIDR,
    SERVICES,
    STATE,
    Service,
    say,
    write_clouds_yaml,
    write_neutron_config,
    write_octavia_config,
)

#: every service a `start` may have launched, in the order `stop` ends them (Nova before its peers)
ALL_SERVICES = (nova.NOVA, nova.GLANCE, nova.PLACEMENT, *SERVICES)


def wanted() -> tuple[Service, ...]:
    """The services this `start` runs: REALSTACK_NOVA=1 adds the compute part."""
    return (*SERVICES, *nova.COMPUTE_SERVICES) if nova.enabled() else SERVICES


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
        pip(service, "-c", str(service.constraints), *service.requirement.split())
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


# --- the cloud's contents ---------------------------------------------------------------------------
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


# --- commands ---------------------------------------------------------------------------------------
def start() -> int:
    services = wanted()
    if all(pid_of(s) is not None and answers(s.url + "/") for s in services):
        say("already running")
        return status()
    stop(quiet=True)
    started = time.monotonic()
    timings: dict[str, float] = {}
    STATE.mkdir(exist_ok=True)
    t0 = time.monotonic()
    with ThreadPoolExecutor(len(services) + 1) as pool:  # pip installs side by side: each waits on the network
        apt = pool.submit(mariadb.ensure_installed) if nova.enabled() else None
        built = list(pool.map(ensure_venv, services))
        installed = apt is not None and apt.result()
    timings[("venvs" if any(built) else "venvs (reused)") + (" + apt-get mariadb" if installed else "")] = (
        time.monotonic() - t0)
    t0 = time.monotonic()
    pids = create_databases(services)
    timings["databases"] = time.monotonic() - t0
    t0 = time.monotonic()
    up = launch_services(services, pids)
    timings["services up"] = time.monotonic() - t0
    create_public()
    extra: dict[str, str] = {}
    if nova.enabled():
        nova.seed()
        extra = nova.clouds_overrides()
    clouds = write_clouds_yaml(extra)
    total = time.monotonic() - started
    report(total, timings, up, pids)
    print(f"clouds.yaml: {clouds} (cloud {CLOUD!r}: OS_CLIENT_CONFIG_FILE={clouds})")
    return 0


def create_databases(services: tuple[Service, ...]) -> dict[str, int]:
    """Fresh work folders and databases (the venvs stay): Neutron's and Octavia's sqlite files from their
    models, and with Nova MariaDB and the real migrations, side by side. MariaDB's PID, if it runs."""
    for service in services:
        shutil.rmtree(service.workdir, ignore_errors=True)
        (service.workdir / "lock").mkdir(parents=True)
    if nova.enabled():
        write_neutron_config(nova.neutron_nova_section(), nova.neutron_policy())
    else:
        write_neutron_config()
    octavia_conf = write_octavia_config()
    scripts = {NEUTRON: ("db_neutron.py", str(NEUTRON.workdir)), OCTAVIA: ("db_octavia.py", str(octavia_conf))}
    dbs = {service: subprocess.Popen([str(service.python), str(HERE / script), arg], env=CHILD_ENV,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
           for service, (script, arg) in scripts.items()}
    pids: dict[str, int] = {}
    if nova.enabled():
        pids["mariadb"] = mariadb.start()
        nova.write_configs()
        nova.migrate()
    for service, process in dbs.items():
        output, _ = process.communicate()
        (service.workdir / "db.log").write_text(output)
        if process.returncode != 0:
            raise SystemExit(f"realstack: creating {service.name}'s database failed:\n{output[-3000:]}")
    return pids


def launch_services(services: tuple[Service, ...], pids: dict[str, int]) -> dict[str, float]:
    """Every service but Nova at once; Nova once Placement answers (its compute registers there while it
    starts). Each one's seconds from launch to answering; their PIDs into `pids`."""
    launched: dict[Service, tuple[int, float]] = {}
    for service in services:
        if service is not nova.NOVA:
            launched[service] = (launch(service, str(OCTAVIA.workdir / "octavia.conf") if service is OCTAVIA
                                        else str(service.workdir)), time.monotonic())
    up = wait_until_up(launched)
    if nova.NOVA in services:
        compute = {nova.NOVA: (launch(nova.NOVA, str(nova.NOVA.workdir)), time.monotonic())}
        up |= wait_until_up(compute)
        launched |= compute
    pids |= {service.name: pid for service, (pid, _) in launched.items()}
    return up


def report(total: float, timings: dict[str, float], up: dict[str, float], pids: dict[str, int]) -> None:
    """The set-up report, printed and kept in realstack/stats.json (`status` shows it again)."""
    stats = {"setup_seconds": round(total, 1), "steps": {k: round(v, 1) for k, v in timings.items()},
             "up_seconds": {k: round(v, 1) for k, v in up.items()},
             "rss_mib": {name: round(rss_mib(pid), 1) for name, pid in pids.items()}}
    (STATE / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
    print(f"realstack up in {total:.1f} s ({steps})")
    print("services up (launch to first answer): " + ", ".join(f"{k} {v:.1f} s" for k, v in up.items()))
    print("RSS: " + ", ".join(f"{name} {mib:.0f} MiB" for name, mib in stats["rss_mib"].items()))


def stop(quiet: bool = False) -> int:
    """Every recorded service (Nova first: it talks to the others), then MariaDB (they use it)."""
    for service in ALL_SERVICES:
        pid = pid_of(service)
        if pid is not None:
            terminate(pid, lambda s=service: pid_of(s) is not None)
            if not quiet:
                say(f"stopped {service.name} (pid {pid})")
        service.pid_file.unlink(missing_ok=True)
    pid = mariadb.pid()
    if pid is not None:
        terminate(pid, lambda: mariadb.pid() is not None)
        if not quiet:
            say(f"stopped mariadb (pid {pid})")
    mariadb.PID_FILE.unlink(missing_ok=True)
    return 0


def status() -> int:
    """Every service this start wants, and any other one a start recorded (Nova's, from an earlier
    REALSTACK_NOVA=1 start), with memory; the last set-up's times."""
    up = True
    for service in ALL_SERVICES:
        pid = pid_of(service)
        if pid is None:
            if service in wanted():
                print(f"{service.name}: not running")
                up = False
            continue
        ok = answers(service.url + "/")
        up = up and ok
        print(f"{service.name}: pid {pid}, {service.url} {'answers' if ok else 'does NOT answer'}, "
              f"RSS {rss_mib(pid):.0f} MiB")
    pid = mariadb.pid()
    if pid is not None:
        print(f"mariadb: pid {pid}, {HOST}:{mariadb.PORT}, RSS {rss_mib(pid):.0f} MiB")
    stats = STATE / "stats.json"
    if stats.is_file():
        last = json.loads(stats.read_text())
        each = ", ".join(f"{k} {v} s" for k, v in last.get("up_seconds", {}).items())
        print(f"last set-up: {last['setup_seconds']} s" + (f" (services up: {each})" if each else ""))
    return 0 if up else 1


def main(argv: list[str]) -> int:
    commands = {"start": start, "stop": stop, "status": status}
    if len(argv) != 1 or argv[0] not in commands:
        print("usage: stack.py start|stop|status", file=sys.stderr)
        return 2
    return commands[argv[0]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
