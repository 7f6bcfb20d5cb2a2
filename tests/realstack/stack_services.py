"""realstack's services, where they live and how they are configured (stack.py imports it: run as a script, beside it).

Each service: a venv under `realstack/venv/`, a work folder with its config, database, CA and log, a PID
file, a loopback port (REALSTACK_NEUTRON_PORT / REALSTACK_OCTAVIA_PORT to move them). The configs here are
Neutron's and Octavia's, what ../shared/realstack.md found to work: sqlite, noauth, the fake transport, the
no-op drivers; Neutron's gains a `[nova]` section and a policy override when Nova runs. Nova's, Placement's
and Glance's are in stack_nova.py, MariaDB's in stack_mariadb.py.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
STATE = Path(os.environ.get("REALSTACK_DIR", ROOT / "realstack"))
HOST = "127.0.0.1"
CLOUD = "realstack"
PUBLIC_CIDR = "127.24.4.0/24"
START_TIMEOUT = 90.0
#: the services' own processes: eventlet's and oslo's deprecation notices are noise in a test log
CHILD_ENV = {**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning"}


def say(text: str) -> None:
    print(f"realstack: {text}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Service:
    name: str
    #: what pip installs, space-separated (the service, and PyMySQL for the services on MariaDB)
    requirement: str
    port: int
    #: local packages installed into the venv beside the requirement
    local: tuple[str, ...] = ()

    @property
    def venv(self) -> Path:
        return STATE / "venv" / self.name

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def constraints(self) -> Path:
        return HERE / "constraints" / f"{self.name}.txt"

    @property
    def workdir(self) -> Path:
        return STATE / self.name

    @property
    def pid_file(self) -> Path:
        return STATE / f"{self.name}.pid"

    @property
    def log(self) -> Path:
        return self.workdir / f"{self.name}.log"

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


NEUTRON = Service("neutron", "neutron==29.0.0", int(os.environ.get("REALSTACK_NEUTRON_PORT", "19696")),
                  local=("ml2_binding",))
OCTAVIA = Service("octavia", "octavia==19.0.0", int(os.environ.get("REALSTACK_OCTAVIA_PORT", "19876")))
SERVICES = (NEUTRON, OCTAVIA)


def write_neutron_config(nova_section: str = "", policy: str = "") -> None:
    """`nova_section`: Neutron's `[nova]`, when Nova runs (Neutron then tells it about port changes);
    `policy`: rules that override Neutron's defaults (policy.yaml)."""
    work = NEUTRON.workdir
    paste = work / "api-paste.ini"
    paste_with_caller_identity(NEUTRON.venv / "etc" / "neutron" / "api-paste.ini", paste)
    notify = "true" if nova_section else "false"
    sections = nova_section
    if policy:
        (work / "policy.yaml").write_text(policy)
        sections += f"\n[oslo_policy]\npolicy_file = {work}/policy.yaml\n"
    (work / "neutron.conf").write_text(f"""[DEFAULT]
core_plugin = ml2
service_plugins = router
auth_strategy = noauth
transport_url = fake:/
api_paste_config = {paste}
state_path = {work}
host = realstack
notify_nova_on_port_status_changes = {notify}
notify_nova_on_port_data_changes = {notify}
log_file = {work}/neutron-server.log

[database]
connection = sqlite:///{work}/neutron.sqlite

[oslo_concurrency]
lock_path = {work}/lock
{sections}""")
    (work / "ml2_conf.ini").write_text("""[ml2]
type_drivers = flat,vxlan
tenant_network_types = vxlan
mechanism_drivers = netdash_binding
extension_drivers = port_security

[ml2_type_flat]
flat_networks = *

[ml2_type_vxlan]
vni_ranges = 1:1000
""")


def paste_with_caller_identity(shipped: Path, target: Path) -> None:
    """Neutron's own api-paste.ini with noauth_filter's `caller_identity` after `fake_project_id`: a request
    that names its caller (X-User-Id, X-Project-Id, X-Roles, as keystonemiddleware would after checking a
    token) is that caller, so the differential suite can ask as a member of another project; every other
    request stays noauth's admin."""
    text, count = re.subn(r"^(noauth = .*?\bfake_project_id\b)", r"\1 caller_identity", shipped.read_text(),
                          flags=re.MULTILINE)
    if count != 1:
        raise SystemExit(f"{shipped}: no noauth pipeline with fake_project_id to extend")
    filter_section = "[filter:caller_identity]\npaste.filter_factory = noauth_filter:caller_identity_factory\n"
    target.write_text(f"{text}\n{filter_section}")


def make_ca(work: Path) -> tuple[Path, Path]:
    """A throwaway CA for Octavia's local certificate generator (the noop amphorae never use it). Made with
    `cryptography` (openstacksdk's own dependency), so no `openssl` binary is needed on the machine."""
    cert, key = work / "ca.pem", work / "ca.key"
    if not (cert.exists() and key.exists()):
        import datetime

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "realstack-ca")])
        now = datetime.datetime.now(datetime.UTC)
        certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                       .public_key(private.public_key()).serial_number(x509.random_serial_number())
                       .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
                       .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                       .sign(private, hashes.SHA256()))
        key.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
        key.chmod(0o600)
        cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return cert, key


def write_octavia_config() -> Path:
    work = OCTAVIA.workdir
    cert, key = make_ca(work)
    path = work / "octavia.conf"
    path.write_text(f"""[DEFAULT]
transport_url = fake:/
host = realstack
log_file = {work}/octavia-server.log

[api_settings]
bind_host = {HOST}
bind_port = {OCTAVIA.port}
auth_strategy = noauth
enabled_provider_drivers = amphora:noop backends,noop_driver:NoOp
default_provider_driver = amphora

[database]
connection = sqlite:///{work}/octavia.sqlite
pool_timeout =

[controller_worker]
amphora_driver = amphora_noop_driver
compute_driver = compute_noop_driver
network_driver = network_noop_driver
volume_driver = volume_noop_driver
image_driver = image_noop_driver
loadbalancer_topology = SINGLE
client_ca = {cert}

[task_flow]
jobboard_enabled = false

[certificates]
cert_manager = noop_cert_manager
cert_generator = local_cert_generator
ca_certificate = {cert}
ca_private_key = {key}

[haproxy_amphora]
server_ca = {cert}
client_cert = {cert}

[oslo_concurrency]
lock_path = {work}/lock
""")
    return path


def write_clouds_yaml(extra: dict[str, str] | None = None) -> Path:
    """`extra`: more endpoint overrides (compute, image) when Nova runs."""
    path = STATE / "clouds.yaml"
    more = "".join(f"    {key}: {value}\n" for key, value in (extra or {}).items())
    path.write_text(f"""# written by tests/realstack/stack.py: no authentication, one endpoint per service
clouds:
  {CLOUD}:
    auth_type: none
    auth:
      endpoint: {NEUTRON.url}
    network_endpoint_override: {NEUTRON.url}
    load_balancer_endpoint_override: {OCTAVIA.url}
{more}    identity_api_version: "3"
    region_name: RegionOne
""")
    return path
