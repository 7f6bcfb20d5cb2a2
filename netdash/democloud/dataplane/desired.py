"""The desired state of the data plane: one immutable snapshot of what the control plane says should serve.

Taken under `cloud.lock` (and never held across I/O): the event loop works from the snapshot, so the API
threads and the loop never share mutable state. Everything a connection needs to route itself (which server
a fixed IP belongs to now, which pool and algorithm a listener uses) is resolved here, once per change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..app import Cloud

#: the port the seed's web servers listen on inside the "VM"
WEB_PORT = 80
#: listener protocols served by the HTTP proxy; the others here are proxied per TCP connection
HTTP_PROTOCOLS = ("HTTP",)
STREAM_PROTOCOLS = ("TCP", "HTTPS", "TERMINATED_HTTPS")
#: cloud-init lines that install or start a web server: software name -> its `Server:` header
WEB_SERVERS = (("nginx", re.compile(r"\bnginx\b")), ("Apache", re.compile(r"\b(httpd|apache2?)\b")))
EdgeKey = tuple[str, str, str, int]


@dataclass(frozen=True)
class BackendSpec:
    server_id: str
    name: str
    software: str


@dataclass(frozen=True)
class MonitorSpec:
    id: str
    type: str
    delay: float
    timeout: float
    max_retries: int
    max_retries_down: int
    http_method: str
    url_path: str
    expected_codes: str


@dataclass(frozen=True)
class MemberSpec:
    id: str
    address: str
    protocol_port: int
    weight: int
    admin_state_up: bool
    backup: bool
    #: the server whose port holds `address` (on the member's subnet) right now
    server_id: str | None
    #: where the monitor probes: (server, port) behind monitor_address/monitor_port, else the member's
    probe_server_id: str | None
    probe_port: int


@dataclass(frozen=True)
class PoolSpec:
    id: str
    algorithm: str
    enabled: bool
    members: tuple[MemberSpec, ...]
    monitor: MonitorSpec | None


@dataclass(frozen=True)
class RuleSpec:
    """One condition of an L7 policy, as haproxy's acl is written from it (`dataplane/l7.py` matches it)."""

    type: str
    compare_type: str
    key: str | None
    value: str
    invert: bool


@dataclass(frozen=True)
class PolicySpec:
    """An L7 policy haproxy applies: enabled, not being deleted, with at least one enabled rule."""

    id: str
    action: str
    rules: tuple[RuleSpec, ...]
    #: REDIRECT_TO_POOL: the pool (None when it is disabled: haproxy's configuration leaves the policy out)
    pool: PoolSpec | None = None
    redirect_url: str | None = None
    redirect_prefix: str | None = None
    redirect_http_code: int | None = None


@dataclass(frozen=True)
class ListenerSpec:
    id: str
    name: str
    lb_id: str
    lb_name: str
    protocol: str
    protocol_port: int
    pool: PoolSpec | None
    #: in position order
    policies: tuple[PolicySpec, ...] = ()

    @property
    def pools(self) -> tuple[PoolSpec, ...]:
        """Every pool the listener can send a request to: its default pool, then its policies' pools."""
        found = {p.id: p for p in (self.pool, *(policy.pool for policy in self.policies)) if p is not None}
        return tuple(found.values())


@dataclass(frozen=True)
class Target:
    """What a connection to an address reaches: a server's web backend or a load balancer listener."""

    kind: str  # "server" | "listener"
    id: str
    label: str


@dataclass(frozen=True)
class EdgeSpec:
    """A real loopback address of the cloud (floating IP, or a port on `public`) and the port it serves."""

    owner: tuple[str, str]  # ("floatingip" | "port", id): whose endpoint it is (`/democloud/endpoints`)
    address: str
    service_port: int
    label: str
    target: Target
    #: the port whose fixed IP a connection is translated to: the floating IP's port, or the port itself
    port_id: str = ""

    @property
    def key(self) -> EdgeKey:
        return (self.owner[0], self.owner[1], self.address, self.service_port)


@dataclass
class Desired:
    generation: int = -1
    backends: dict[str, BackendSpec] = field(default_factory=dict)
    listeners: dict[str, ListenerSpec] = field(default_factory=dict)
    edges: dict[EdgeKey, EdgeSpec] = field(default_factory=dict)
    #: members of the served pools by id (the probes look their current target up here)
    members: dict[str, MemberSpec] = field(default_factory=dict)


def web_software(user_data: str | None) -> str | None:
    """nginx or Apache when the user data installs/starts one (comments do not count)."""
    if not user_data:
        return None
    text = "\n".join(line for line in user_data.splitlines() if not line.lstrip().startswith("#"))
    return next((name for name, pattern in WEB_SERVERS if pattern.search(text)), None)


class PoolSpecs:
    """A load balancer's pools as specs, each read once however many listeners and policies use it."""

    def __init__(self, snapshotter: Snapshotter, pools: list[dict[str, Any]]) -> None:
        self.snapshotter = snapshotter
        self.pools = {p["id"]: p for p in pools}
        self.specs: dict[str, PoolSpec] = {}

    def __call__(self, pool_id: str | None) -> PoolSpec | None:
        if pool_id is None or pool_id not in self.pools:
            return None
        if pool_id not in self.specs:
            self.specs[pool_id] = self.snapshotter.pool(self.pools[pool_id])
        return self.specs[pool_id]


class Snapshotter:
    """Reads the services' Python read APIs into a `Desired`; call `take()` from any thread."""

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.network = cloud.network
        self.compute = cloud.compute
        self.octavia = cloud.load_balancer

    def take(self) -> Desired:
        # A read-only section: with `--state` the whole cloud is read after every write, and a compare of
        # all it read would cost more than the read (bench/README.md, durability)
        with self.cloud.lock.reading():
            desired = Desired(generation=self.cloud.generation)
            self.servers(desired)
            self.load_balancers(desired)
            self.edges(desired)
            return desired

    # --- servers --------------------------------------------------------------------------------
    def servers(self, desired: Desired) -> None:
        for server_id in self.compute.server_ids():
            server = self.compute.get_server(server_id)
            if server is None or server["status"] != "ACTIVE":
                continue
            software = web_software(server.get("user_data"))
            if software is not None:
                desired.backends[server_id] = BackendSpec(server_id, server["name"], software)

    def server_at(self, address: str | None, subnet_id: str | None = None) -> str | None:
        if not address:
            return None
        port = self.network.port_with_ip(address, subnet_id=subnet_id)
        device = (port.get("device_id") or None) if port else None
        if not device or not port or not port.get("admin_state_up", True):  # a port set down carries nothing
            return None
        return device if self.compute.is_interface(device, port) else None

    # --- load balancers -------------------------------------------------------------------------
    def load_balancers(self, desired: Desired) -> None:
        for lb in self.octavia.load_balancers():
            spec_of = PoolSpecs(self, self.octavia.pools_of(lb["id"]))
            for li in self.octavia.listeners_of(lb["id"]):
                if li["operating_status"] != "ONLINE" or li["protocol"] not in HTTP_PROTOCOLS + STREAM_PROTOCOLS:
                    continue
                policies = self.policies(li["id"], spec_of) if li["protocol"] in HTTP_PROTOCOLS else ()
                spec = ListenerSpec(li["id"], li["name"] or li["id"], lb["id"], lb["name"] or lb["id"],
                                    li["protocol"], int(li["protocol_port"]), spec_of(li.get("default_pool_id")),
                                    policies)
                desired.listeners[li["id"]] = spec
                desired.members.update((m.id, m) for pool in spec.pools for m in pool.members)

    def policies(self, listener_id: str, spec_of: PoolSpecs) -> tuple[PolicySpec, ...]:
        """The listener's L7 policies as Octavia's haproxy configuration has them (`jinja_cfg.py`: not
        PENDING_DELETE; `macros.j2`: enabled, with enabled rules, a pool redirect only to an enabled pool)."""
        out = []
        for policy in self.octavia.l7policies_of(listener_id):
            rules = tuple(RuleSpec(r["type"], r["compare_type"], r["key"], r["value"], bool(r["invert"]))
                          for r in policy["rules"]
                          if r["admin_state_up"] and r["provisioning_status"] != "PENDING_DELETE")
            if not rules or not policy["admin_state_up"] or policy["provisioning_status"] == "PENDING_DELETE":
                continue
            pool = spec_of(policy["redirect_pool_id"]) if policy["action"] == "REDIRECT_TO_POOL" else None
            if policy["action"] == "REDIRECT_TO_POOL" and (pool is None or not pool.enabled):
                continue
            out.append(PolicySpec(policy["id"], policy["action"], rules, pool, policy["redirect_url"],
                                  policy["redirect_prefix"], policy["redirect_http_code"]))
        return tuple(out)

    def pool(self, pool: dict[str, Any]) -> PoolSpec:
        hm = self.octavia.health_monitor_of(pool["id"])
        monitor = None
        if hm is not None and hm["operating_status"] == "ONLINE":
            monitor = MonitorSpec(hm["id"], hm["type"], float(hm["delay"]), float(hm["timeout"]),
                                  int(hm["max_retries"]), int(hm.get("max_retries_down") or 3),
                                  hm.get("http_method") or "GET", hm.get("url_path") or "/",
                                  hm.get("expected_codes") or "200")
        members = []
        for m in self.octavia.members_of(pool["id"]):
            server = self.server_at(m["address"], m.get("subnet_id"))
            probe_server = self.server_at(m.get("monitor_address"), None) if m.get("monitor_address") else server
            members.append(MemberSpec(m["id"], m["address"], int(m["protocol_port"]), int(m["weight"]),
                                      bool(m["admin_state_up"]), bool(m.get("backup")), server, probe_server,
                                      int(m.get("monitor_port") or m["protocol_port"])))
        return PoolSpec(pool["id"], pool["lb_algorithm"], bool(pool["admin_state_up"]), tuple(members), monitor)

    # --- loopback addresses -----------------------------------------------------------------------
    def targets_of_port(self, port: dict[str, Any], desired: Desired) -> list[tuple[int, Target]]:
        """(service port, target) pairs a connection to one of the port's addresses can reach."""
        device = port.get("device_id") or ""
        if port.get("device_owner") == "Octavia" and device.startswith("lb-"):  # a VIP port is down by design
            return [(li.protocol_port, Target("listener", li.id, f"load balancer {li.lb_name} "
                                                                 f"listener {li.name}"))
                    for li in desired.listeners.values() if li.lb_id == device[3:]]
        if not port.get("admin_state_up", True):  # a server's port set down carries no traffic
            return []
        backend = desired.backends.get(device)
        if backend is None or not self.compute.is_interface(device, port):  # naming a server is not enough
            return []
        return [(WEB_PORT, Target("server", backend.server_id, f"server {backend.name} ({backend.software})"))]

    def edges(self, desired: Desired) -> None:
        for fip in self.network.associated_floating_ips():
            port = self.network.get_port(fip["port_id"])
            if port is None:
                continue
            address = fip["floating_ip_address"]
            for service_port, target in self.targets_of_port(port, desired):
                edge = EdgeSpec(("floatingip", fip["id"]), address, service_port,
                                f"floating IP {address} -> {target.label}", target, port["id"])
                desired.edges[edge.key] = edge
        for port in self.network.loopback_ports():
            if port.get("device_owner", "").startswith("network:"):
                continue  # router gateways, floating IP holders, DHCP: nothing listens behind them
            for fixed in port.get("fixed_ips") or []:
                if not fixed["ip_address"].startswith("127."):
                    continue
                for service_port, target in self.targets_of_port(port, desired):
                    name = port.get("name") or port["id"]
                    edge = EdgeSpec(("port", port["id"]), fixed["ip_address"], service_port,
                                    f"port {name} ({fixed['ip_address']}) -> {target.label}", target, port["id"])
                    desired.edges[edge.key] = edge
