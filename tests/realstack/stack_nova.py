"""realstack's optional compute part: Nova 34, Placement 16 and Glance 33, on MariaDB (REALSTACK_NOVA=1).

What ../shared/realstack.md found to work, as configs: every service noauth (a paste filter of ours,
noauth_filter.py, in place of `authtoken`; Placement's own `noauth2`), the fake transport with Nova's API,
conductor, scheduler and compute in ONE process (serve_nova.py: the fake transport only delivers within
a process), `compute_driver = fake.FakeDriverWithoutFakeNodes`, and each peer reached by
`auth_type = none` + `endpoint_override`. The databases are MariaDB's (stack_mariadb.py) and are built by
the services' real migrations. Ports: REALSTACK_NOVA_PORT (18774), REALSTACK_PLACEMENT_PORT (18778),
REALSTACK_GLANCE_PORT (19292).
"""

from __future__ import annotations

import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import stack_mariadb as mariadb
from stack_http import request
from stack_services import CHILD_ENV, NEUTRON, Service

NOVA = Service("nova", "nova==34.0.0 PyMySQL", int(os.environ.get("REALSTACK_NOVA_PORT", "18774")))
PLACEMENT = Service("placement", "openstack-placement==16.0.0 PyMySQL",
                    int(os.environ.get("REALSTACK_PLACEMENT_PORT", "18778")))
GLANCE = Service("glance", "glance==33.0.0 PyMySQL", int(os.environ.get("REALSTACK_GLANCE_PORT", "19292")))
#: in start order: Nova's compute reports to Placement while it starts
COMPUTE_SERVICES = (PLACEMENT, GLANCE, NOVA)
#: what `stack.py start` creates so `openstack server create --flavor F --image I --network N` works
FLAVOR, IMAGE = "m1.tiny", "tiny"
#: the image's bytes: any will do, the fake driver never reads them
IMAGE_BYTES = b"realstack tiny image\n" * 64


def enabled() -> bool:
    """REALSTACK_NOVA=1 adds the compute part; 0 (or unset) leaves it out."""
    return os.environ.get("REALSTACK_NOVA", "0").strip().lower() in ("1", "true", "yes", "on")


def paste_without_authtoken(shipped: Path, target: Path) -> None:
    """The service's own api-paste.ini with `authtoken`'s factory replaced by noauth_filter's."""
    text = shipped.read_text()
    text, count = re.subn(r"(\[filter:authtoken\]\n)paste\.filter_factory = [^\n]+",
                          r"\1paste.filter_factory = noauth_filter:filter_factory", text)
    assert count == 1, f"no [filter:authtoken] in {shipped}"
    target.write_text(text)


def write_configs() -> None:
    for service in COMPUTE_SERVICES:
        (service.workdir / "lock").mkdir(parents=True, exist_ok=True)
    write_placement_config()
    write_glance_config()
    write_nova_config()


def write_placement_config() -> None:
    work = PLACEMENT.workdir
    (work / "placement.conf").write_text(f"""[DEFAULT]
log_file = {work}/placement-server.log

[api]
auth_strategy = noauth2

[placement_database]
connection = {mariadb.url("placement")}
""")


def write_glance_config() -> None:
    work = GLANCE.workdir
    for folder in ("images", "staging", "tasks"):
        (work / folder).mkdir(parents=True, exist_ok=True)
    paste_without_authtoken(GLANCE.venv / "etc" / "glance" / "glance-api-paste.ini", work / "glance-api-paste.ini")
    (work / "glance-api.conf").write_text(f"""[DEFAULT]
enabled_backends = fs:file
worker_self_reference_url = {GLANCE.url}
log_file = {work}/glance-server.log

[database]
connection = {mariadb.url("glance")}

[glance_store]
default_backend = fs

[fs]
filesystem_store_datadir = {work}/images/

[os_glance_staging_store]
filesystem_store_datadir = {work}/staging/

[os_glance_tasks_store]
filesystem_store_datadir = {work}/tasks/

[paste_deploy]
flavor = keystone
config_file = {work}/glance-api-paste.ini

[oslo_concurrency]
lock_path = {work}/lock
""")


def write_nova_config() -> None:
    work = NOVA.workdir
    paste_without_authtoken(NOVA.venv / "etc" / "nova" / "api-paste.ini", work / "api-paste.ini")
    (work / "nova.conf").write_text(f"""[DEFAULT]
host = realstack
my_ip = 127.0.0.1
state_path = {work}
instances_path = {work}/instances
transport_url = fake:/
compute_driver = fake.FakeDriverWithoutFakeNodes
log_file = {work}/nova-server.log

[api_database]
connection = {mariadb.url("nova_api")}

[database]
connection = {mariadb.url("nova")}

[wsgi]
api_paste_config = {work}/api-paste.ini

[api]
# Nova 34 checks its own answers against its response schemas and logs a traceback for each mismatch
# (server show at 2.100 has some): thousands of log lines a test run, nothing a client sees
response_validation = ignore

[glance]
auth_type = none
endpoint_override = {GLANCE.url}

[placement]
auth_type = none
endpoint_override = {PLACEMENT.url}

[neutron]
auth_type = none
endpoint_override = {NEUTRON.url}

[scheduler]
# serve_nova.py maps the one compute host itself once its service is up
discover_hosts_in_cells_interval = -1

[oslo_messaging_notifications]
driver = noop

[vnc]
enabled = false

[oslo_concurrency]
lock_path = {work}/lock
""")


def neutron_nova_section() -> str:
    """Neutron's `[nova]`: it tells Nova about port changes (vif plugged, network changed: how a floating
    IP reaches a server's addresses) through the external-events API, with a token Nova's filter ignores."""
    return f"""
[nova]
auth_type = admin_token
endpoint = {NOVA.url}/v2.1
token = admin
region_name = RegionOne
"""


def neutron_policy() -> str:
    """Neutron 29's default policy lets only the `service` role set `binding:profile`, which Nova does
    when it binds and unbinds a port; realstack's Nova reaches Neutron as noauth's admin, so admin may too
    (without it `server remove port` then `server add port` answers 409 "still in use")."""
    rule = "rule:admin_only or rule:service_api"
    return "".join(f'"{verb}_port:binding:profile": "{rule}"\n' for verb in ("create", "update"))


def run(service: Service, *command: str) -> str:
    done = subprocess.run([str(service.venv / "bin" / command[0]), *command[1:]], env=CHILD_ENV,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"realstack: {' '.join(command)} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return done.stdout + done.stderr


def migrate() -> None:
    """The services' own migrations, the three side by side (each waits on MariaDB, not on the CPU)."""
    nova_conf = ("--config-file", str(NOVA.workdir / "nova.conf"))

    def nova() -> str:
        return "".join([run(NOVA, "nova-manage", *nova_conf, "api_db", "sync"),
                        run(NOVA, "nova-manage", *nova_conf, "cell_v2", "map_cell0",
                            "--database_connection", mariadb.url("nova_cell0")),
                        run(NOVA, "nova-manage", *nova_conf, "cell_v2", "create_cell", "--name", "cell1"),
                        run(NOVA, "nova-manage", *nova_conf, "db", "sync")])

    def placement() -> str:
        return run(PLACEMENT, "placement-manage", "--config-file", str(PLACEMENT.workdir / "placement.conf"),
                   "db", "sync")

    def glance() -> str:
        return run(GLANCE, "glance-manage", "--config-file", str(GLANCE.workdir / "glance-api.conf"), "db_sync")

    logs = {NOVA: nova, PLACEMENT: placement, GLANCE: glance}
    with ThreadPoolExecutor(len(logs)) as pool:
        futures = {service: pool.submit(job) for service, job in logs.items()}
        for service, future in futures.items():
            (service.workdir / "db.log").write_text(future.result())


def seed() -> dict[str, str]:
    """The flavor and the image a server is booted from; the image's data is uploaded as a client would."""
    flavor = request("POST", f"{NOVA.url}/v2.1/flavors", {"flavor": {
        "name": FLAVOR, "ram": 64, "vcpus": 1, "disk": 1}})["flavor"]
    image = request("POST", f"{GLANCE.url}/v2/images", {
        "name": IMAGE, "disk_format": "raw", "container_format": "bare", "visibility": "public"})
    request("PUT", f"{GLANCE.url}/v2/images/{image['id']}/file", IMAGE_BYTES,
            content_type="application/octet-stream")
    return {"flavor": flavor["id"], "image": image["id"]}


def clouds_overrides() -> dict[str, str]:
    """The clouds.yaml entry's overrides for the compute part: Nova's versioned root, Glance's root."""
    return {"compute_endpoint_override": f"{NOVA.url}/v2.1/", "image_endpoint_override": GLANCE.url}
