"""The domain model: plain frozen values that widgets, actions and the poller share.

Nothing here knows openstacksdk: `cloud.client` converts every SDK resource into these before returning.
Every field a cloud may omit is optional (a real cloud leaves fields null that a reading of the API
reference would not), so code reading the model never assumes one is set. Equality is by value: the poller
diffs two snapshots object by object, and an object that did not change compares equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, TypeVar


@dataclass(frozen=True, slots=True)
class FixedIP:
    subnet_id: str
    ip_address: str


@dataclass(frozen=True, slots=True)
class Network:
    id: str
    name: str = ""
    status: str | None = None
    admin_state_up: bool = True
    shared: bool = False
    external: bool = False
    mtu: int | None = None
    subnet_ids: tuple[str, ...] = ()
    project_id: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class Subnet:
    id: str
    name: str = ""
    network_id: str = ""
    cidr: str = ""
    ip_version: int = 4
    gateway_ip: str | None = None
    allocation_pools: tuple[tuple[str, str], ...] = ()
    dns_nameservers: tuple[str, ...] = ()
    enable_dhcp: bool = True
    project_id: str | None = None


@dataclass(frozen=True, slots=True)
class Port:
    id: str
    name: str = ""
    network_id: str = ""
    mac_address: str = ""
    fixed_ips: tuple[FixedIP, ...] = ()
    device_id: str = ""
    device_owner: str = ""
    status: str | None = None
    admin_state_up: bool = True
    project_id: str | None = None
    security_group_ids: tuple[str, ...] = ()
    #: where the embedded cloud serves its address (`addr:port`, from its endpoint list); None on a real cloud
    endpoint: str | None = None

    @property
    def addresses(self) -> tuple[str, ...]:
        return tuple(ip.ip_address for ip in self.fixed_ips)


@dataclass(frozen=True, slots=True)
class Router:
    id: str
    name: str = ""
    status: str | None = None
    admin_state_up: bool = True
    external_network_id: str | None = None
    external_fixed_ips: tuple[FixedIP, ...] = ()
    enable_snat: bool | None = None
    project_id: str | None = None


@dataclass(frozen=True, slots=True)
class ServerAddress:
    """One line of Nova's `addresses`: what the compute API says the server has, floating IPs included."""

    network: str
    address: str
    kind: str = "fixed"
    mac_address: str | None = None
    version: int = 4


@dataclass(frozen=True, slots=True)
class Server:
    id: str
    name: str = ""
    status: str | None = None
    task_state: str | None = None
    power_state: int | None = None
    flavor: str | None = None
    image: str | None = None
    key_name: str | None = None
    addresses: tuple[ServerAddress, ...] = ()
    project_id: str | None = None
    created_at: str | None = None


@dataclass(frozen=True, slots=True)
class FloatingIP:
    id: str
    floating_ip_address: str = ""
    floating_network_id: str = ""
    port_id: str | None = None
    fixed_ip_address: str | None = None
    router_id: str | None = None
    status: str | None = None
    project_id: str | None = None
    description: str = ""
    #: where the embedded cloud serves it (`addr:port`, from its endpoint list); None on a real cloud
    endpoint: str | None = None


@dataclass(frozen=True, slots=True)
class LoadBalancer:
    id: str
    name: str = ""
    vip_address: str | None = None
    vip_port_id: str | None = None
    vip_subnet_id: str | None = None
    vip_network_id: str | None = None
    provisioning_status: str | None = None
    operating_status: str | None = None
    provider: str | None = None
    admin_state_up: bool = True
    project_id: str | None = None


@dataclass(frozen=True, slots=True)
class Listener:
    id: str
    name: str = ""
    loadbalancer_id: str | None = None
    protocol: str | None = None
    protocol_port: int | None = None
    default_pool_id: str | None = None
    provisioning_status: str | None = None
    operating_status: str | None = None
    admin_state_up: bool = True
    #: where the embedded cloud serves it directly (`addr:port`, from its endpoint list); None on a real cloud
    endpoint: str | None = None


#: Octavia's pool algorithms (`lb_algorithm`): what an action may set and a tour may build
ALGORITHMS = ("ROUND_ROBIN", "LEAST_CONNECTIONS", "SOURCE_IP", "SOURCE_IP_PORT")


@dataclass(frozen=True, slots=True)
class Pool:
    id: str
    name: str = ""
    loadbalancer_id: str | None = None
    listener_ids: tuple[str, ...] = ()
    protocol: str | None = None
    lb_algorithm: str | None = None
    healthmonitor_id: str | None = None
    session_persistence: str | None = None
    provisioning_status: str | None = None
    operating_status: str | None = None
    admin_state_up: bool = True


@dataclass(frozen=True, slots=True)
class Member:
    id: str
    pool_id: str
    name: str = ""
    address: str = ""
    protocol_port: int | None = None
    subnet_id: str | None = None
    weight: int | None = None
    backup: bool = False
    admin_state_up: bool = True
    monitor_address: str | None = None
    monitor_port: int | None = None
    provisioning_status: str | None = None
    operating_status: str | None = None

    @property
    def label(self) -> str:
        return f"{self.address}:{self.protocol_port}" if self.protocol_port else self.address


@dataclass(frozen=True, slots=True)
class HealthMonitor:
    id: str
    pool_id: str | None = None
    name: str = ""
    type: str | None = None
    delay: int | None = None
    timeout: int | None = None
    max_retries: int | None = None
    max_retries_down: int | None = None
    url_path: str | None = None
    expected_codes: str | None = None
    http_method: str | None = None
    provisioning_status: str | None = None
    operating_status: str | None = None
    admin_state_up: bool = True


@dataclass(frozen=True, slots=True)
class SecurityGroupRule:
    id: str
    direction: str = ""
    ethertype: str = "IPv4"
    #: None: any protocol
    protocol: str | None = None
    port_range_min: int | None = None
    port_range_max: int | None = None
    remote_ip_prefix: str | None = None
    remote_group_id: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class SecurityGroup:
    id: str
    name: str = ""
    description: str = ""
    stateful: bool = True
    project_id: str | None = None
    rules: tuple[SecurityGroupRule, ...] = ()


#: the share of a quota's limit from which it is shown as a warning
QUOTA_WARNING = 0.8


@dataclass(frozen=True, slots=True)
class Quota:
    """One resource's line of Neutron's quota details (`GET /v2.0/quotas/{project}/details`); the id is
    the resource's name there (`floatingip`, `port`). A limit of -1 is no limit."""

    id: str
    limit: int = -1
    used: int = 0
    reserved: int = 0

    @property
    def near_limit(self) -> bool:
        """At or past `QUOTA_WARNING` of a limit (a limit of 0 only once something is used)."""
        taken = self.used + self.reserved
        return self.limit >= 0 and taken > 0 and taken >= QUOTA_WARNING * self.limit


@dataclass(frozen=True, slots=True)
class Unread:
    """A collection the last refresh could not read: it holds its last good objects (`kept`), or none.

    Keyed in `Topology.unread` by the collection's field name (`members` also stands for the status trees
    the members and their health come from)."""

    #: the error's title and its one line ("API error", "HTTP 503 injected fault")
    title: str
    reason: str
    #: wall-clock time of the first failed read since the last good one
    since: float = 0.0
    #: whether the collection holds what an earlier read returned (False: it was never read)
    kept: bool = False

    def age(self, now: float) -> int:
        """Whole seconds since the first failed read."""
        return max(0, int(now - self.since))


Resource = (Network | Subnet | Port | Router | Server | FloatingIP | LoadBalancer | Listener | Pool | Member
            | HealthMonitor | SecurityGroup | Quota)
R = TypeVar("R", bound=Resource)

#: device_owner values of the ports Neutron makes for itself; a floating IP cannot point at them
INFRASTRUCTURE_OWNERS = ("network:router_gateway", "network:floatingip", "network:dhcp",
                         "network:router_interface", "network:router_interface_distributed",
                         "network:router_ha_interface", "network:ha_router_replicated_interface")


def by_id(items: Iterable[R]) -> Mapping[str, R]:
    """A read-only id -> object mapping that keeps the order of `items`."""
    return MappingProxyType({item.id: item for item in items})


def group(items: Iterable[R], key: str) -> dict[str, tuple[R, ...]]:
    out: dict[str, list[R]] = {}
    for item in items:
        value = getattr(item, key)
        if value:
            out.setdefault(value, []).append(item)
    return {k: tuple(v) for k, v in out.items()}


@dataclass(frozen=True)
class Topology:
    """One consistent snapshot of a project, with the indexes the views, the poller and the actions need.

    `services` names the service types the cloud offers (`network`, `compute`, `load-balancer`): a missing
    one is absent, not an error, and its collections are empty.
    `unread` names the collections the fetch could not read (a failing list): each holds its last good
    objects, or none, and says why and since when, so a view shows that one part stale and the rest live.
    """

    networks: Mapping[str, Network] = field(default_factory=lambda: by_id(()))
    subnets: Mapping[str, Subnet] = field(default_factory=lambda: by_id(()))
    ports: Mapping[str, Port] = field(default_factory=lambda: by_id(()))
    routers: Mapping[str, Router] = field(default_factory=lambda: by_id(()))
    servers: Mapping[str, Server] = field(default_factory=lambda: by_id(()))
    floating_ips: Mapping[str, FloatingIP] = field(default_factory=lambda: by_id(()))
    load_balancers: Mapping[str, LoadBalancer] = field(default_factory=lambda: by_id(()))
    listeners: Mapping[str, Listener] = field(default_factory=lambda: by_id(()))
    pools: Mapping[str, Pool] = field(default_factory=lambda: by_id(()))
    members: Mapping[str, Member] = field(default_factory=lambda: by_id(()))
    health_monitors: Mapping[str, HealthMonitor] = field(default_factory=lambda: by_id(()))
    security_groups: Mapping[str, SecurityGroup] = field(default_factory=lambda: by_id(()))
    #: the project's network quotas with their usage, by resource (empty: the cloud does not say)
    quotas: Mapping[str, Quota] = field(default_factory=lambda: by_id(()))
    services: frozenset[str] = frozenset()
    #: wall-clock time (time.time()) when the fetch that made it completed
    fetched_at: float = 0.0
    #: the collections this fetch could not read, by field name (`Unread`); the others are fresh
    unread: Mapping[str, Unread] = field(default_factory=lambda: MappingProxyType({}))

    # Indexes, derived once in __post_init__ (a frozen snapshot never needs them recomputed).
    _ports_by_network: dict[str, tuple[Port, ...]] = field(init=False, repr=False, compare=False)
    _ports_by_device: dict[str, tuple[Port, ...]] = field(init=False, repr=False, compare=False)
    _subnets_by_network: dict[str, tuple[Subnet, ...]] = field(init=False, repr=False, compare=False)
    _fips_by_port: dict[str, tuple[FloatingIP, ...]] = field(init=False, repr=False, compare=False)
    _members_by_pool: dict[str, tuple[Member, ...]] = field(init=False, repr=False, compare=False)
    _listeners_by_lb: dict[str, tuple[Listener, ...]] = field(init=False, repr=False, compare=False)
    _pools_by_lb: dict[str, tuple[Pool, ...]] = field(init=False, repr=False, compare=False)
    _lb_by_vip_port: dict[str, LoadBalancer] = field(init=False, repr=False, compare=False)
    _routed_subnets: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)
    _ports_by_address: dict[str, tuple[Port, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index(None)

    def following(self, fetched_at: float, **views: Mapping[str, Any]) -> Topology:
        """The next snapshot: `views` replace collections, the rest are this one's. An index built only
        from collections that are this snapshot's own objects is this snapshot's index: a refresh in
        which the ports did not change does not regroup every port."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.init}
        values.update(views, fetched_at=fetched_at)
        new = object.__new__(Topology)
        for name, value in values.items():
            object.__setattr__(new, name, value)
        new._index(self)
        return new

    def with_objects(self, objects: Iterable[Resource], fetched_at: float) -> Topology:
        """The next snapshot with these objects (as read one by one, after a change) in place of the ones of
        the same id; collections none of them belongs to stay this snapshot's own."""
        fields_of = {Network: "networks", Subnet: "subnets", Port: "ports", Router: "routers", Server: "servers",
                     FloatingIP: "floating_ips", LoadBalancer: "load_balancers", Listener: "listeners",
                     Pool: "pools", Member: "members", HealthMonitor: "health_monitors"}
        changed: dict[str, dict[str, Any]] = {}
        for obj in objects:
            name = fields_of[type(obj)]
            changed.setdefault(name, dict(getattr(self, name)))[obj.id] = obj
        return self.following(fetched_at, **{name: MappingProxyType(items) for name, items in changed.items()})

    def _index(self, previous: Topology | None) -> None:
        def index(name: str, sources: tuple[str, ...], build: Callable[[], Any]) -> None:
            same = previous is not None and all(getattr(previous, s) is getattr(self, s) for s in sources)
            object.__setattr__(self, name, getattr(previous, name) if same else build())

        index("_ports_by_network", ("ports",), lambda: group(self.ports.values(), "network_id"))
        index("_ports_by_device", ("ports",), lambda: group(self.ports.values(), "device_id"))
        index("_subnets_by_network", ("subnets",), lambda: group(self.subnets.values(), "network_id"))
        index("_fips_by_port", ("floating_ips",), lambda: group(self.floating_ips.values(), "port_id"))
        index("_members_by_pool", ("members",), lambda: group(self.members.values(), "pool_id"))
        index("_listeners_by_lb", ("listeners",), lambda: group(self.listeners.values(), "loadbalancer_id"))
        index("_pools_by_lb", ("pools",), lambda: group(self.pools.values(), "loadbalancer_id"))
        index("_ports_by_address", ("ports",), self._by_address)
        index("_lb_by_vip_port", ("load_balancers",),
              lambda: {lb.vip_port_id: lb for lb in self.load_balancers.values() if lb.vip_port_id})
        index("_routed_subnets", ("routers", "ports"), self._routed)

    def _by_address(self) -> dict[str, tuple[Port, ...]]:
        by_address: dict[str, list[Port]] = {}
        for port in self.ports.values():
            for address in port.addresses:
                by_address.setdefault(address, []).append(port)
        return {a: tuple(p) for a, p in by_address.items()}

    def _routed(self) -> dict[str, frozenset[str]]:
        """External network id -> the subnets a floating IP from it can reach (behind a gatewayed router)."""
        routed: dict[str, set[str]] = {}
        for router in self.routers.values():
            if router.external_network_id:
                reach = routed.setdefault(router.external_network_id, set())
                for port in self.router_interfaces(router.id):
                    reach.update(ip.subnet_id for ip in port.fixed_ips)
        return {net: frozenset(s) for net, s in routed.items()}

    # --- indexes --------------------------------------------------------------------------------
    def ports_of_network(self, network_id: str) -> tuple[Port, ...]:
        return self._ports_by_network.get(network_id, ())

    def ports_of_device(self, device_id: str) -> tuple[Port, ...]:
        return self._ports_by_device.get(device_id, ())

    def subnets_of_network(self, network_id: str) -> tuple[Subnet, ...]:
        return self._subnets_by_network.get(network_id, ())

    def floating_ips_of_port(self, port_id: str) -> tuple[FloatingIP, ...]:
        return self._fips_by_port.get(port_id, ())

    def members_of_pool(self, pool_id: str) -> tuple[Member, ...]:
        return self._members_by_pool.get(pool_id, ())

    def listeners_of(self, lb_id: str) -> tuple[Listener, ...]:
        return self._listeners_by_lb.get(lb_id, ())

    def pools_of(self, lb_id: str) -> tuple[Pool, ...]:
        return self._pools_by_lb.get(lb_id, ())

    def health_monitor_of(self, pool: Pool) -> HealthMonitor | None:
        if pool.healthmonitor_id and pool.healthmonitor_id in self.health_monitors:
            return self.health_monitors[pool.healthmonitor_id]
        return next((hm for hm in self.health_monitors.values() if hm.pool_id == pool.id), None)

    def security_groups_of(self, port: Port) -> tuple[SecurityGroup, ...]:
        """The port's groups this project can read, in the port's order (an unreadable one is left out)."""
        return tuple(self.security_groups[i] for i in port.security_group_ids if i in self.security_groups)

    def quotas_near_limit(self) -> tuple[Quota, ...]:
        return tuple(q for q in self.quotas.values() if q.near_limit)

    def router_interfaces(self, router_id: str) -> tuple[Port, ...]:
        return tuple(p for p in self.ports_of_device(router_id) if p.device_owner != "network:router_gateway")

    def load_balancer_of_port(self, port_id: str) -> LoadBalancer | None:
        return self._lb_by_vip_port.get(port_id)

    def owner_of_port(self, port: Port) -> Server | Router | LoadBalancer | None:
        """What a port is attached to, as far as this project can see."""
        if port.device_id in self.servers:
            return self.servers[port.device_id]
        if port.device_id in self.routers:
            return self.routers[port.device_id]
        return self.load_balancer_of_port(port.id)

    def ports_with_address(self, address: str) -> tuple[Port, ...]:
        """Ports holding a fixed IP (several when networks overlap, as 10.0.0.0/24 often does)."""
        return self._ports_by_address.get(address, ())

    def server_of_address(self, address: str, subnet_id: str | None = None) -> Server | None:
        """The server behind a fixed IP (a pool member's address, say), through the port that holds it."""
        for port in self.ports_with_address(address):
            on_subnet = subnet_id is None or any(ip.subnet_id == subnet_id for ip in port.fixed_ips)
            if on_subnet and port.device_id in self.servers:
                return self.servers[port.device_id]
        return None

    def floating_ip_routed(self, fip: FloatingIP) -> tuple[Port, ...]:
        """Ports this floating IP's network is routed to, by the rule Neutron enforces.

        A port qualifies when one of its fixed IPs is on a subnet attached to a router whose gateway is on
        the floating IP's network; Neutron's own infrastructure ports never do. The port it is on now is
        left out: moving it there is no move.
        """
        reachable = self._routed_subnets.get(fip.floating_network_id, frozenset())
        return tuple(
            port for port in self.ports.values()
            if port.id != fip.port_id and port.device_owner not in INFRASTRUCTURE_OWNERS
            and any(ip.subnet_id in reachable for ip in port.fixed_ips)
        )

    def floating_ip_holder(self, fip: FloatingIP, port_id: str) -> FloatingIP | None:
        """Another floating IP of `fip`'s network already on the port: Neutron refuses a second one (409)."""
        return next((other for other in self.floating_ips_of_port(port_id)
                     if other.id != fip.id and other.floating_network_id == fip.floating_network_id), None)

    def floating_ip_targets(self, fip: FloatingIP) -> tuple[Port, ...]:
        """Ports this floating IP can be associated with now: routed to, and not holding another of its network."""
        return tuple(port for port in self.floating_ip_routed(fip) if self.floating_ip_holder(fip, port.id) is None)

    def load_balancer_of(self, kind: str, resource_id: str) -> str | None:
        """The id of the load balancer an Octavia object (or the VIP's floating IP) belongs to, if any."""
        pool_id = None
        if kind == "load_balancer":
            return resource_id if resource_id in self.load_balancers else None
        if kind == "listener":
            listener = self.listeners.get(resource_id)
            return listener.loadbalancer_id if listener else None
        if kind == "member":
            member = self.members.get(resource_id)
            pool_id = member.pool_id if member else None
        elif kind == "health_monitor":
            monitor = self.health_monitors.get(resource_id)
            pool_id = monitor.pool_id if monitor else None
        elif kind == "pool":
            pool_id = resource_id
        elif kind == "floating_ip":
            fip = self.floating_ips.get(resource_id)
            lb = self._lb_by_vip_port.get(fip.port_id or "") if fip else None
            return lb.id if lb else None
        pool = self.pools.get(pool_id or "")
        return pool.loadbalancer_id if pool else None
