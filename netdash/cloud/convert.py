"""API bodies (plain dicts, as the REST APIs send them) -> `cloud.model` values.

The client lists raw JSON through openstacksdk's session instead of building SDK resources, which cost
far more than reading the same GET as JSON (`cloud.fetch_inline`). Reading the wire names here also means
the model follows the API reference, not an SDK's renaming. Every field is optional and may have the wrong type on some
cloud: the readers below fall back to the model's defaults instead of raising.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .model import (
    FixedIP,
    FloatingIP,
    HealthMonitor,
    Listener,
    LoadBalancer,
    Member,
    Network,
    Pool,
    Port,
    Quota,
    Router,
    SecurityGroup,
    SecurityGroupRule,
    Server,
    ServerAddress,
    Subnet,
)

Body = Mapping[str, Any]
#: where the embedded cloud serves a floating IP, public port or listener (`addr:port`): not an API field, but what the
#: fetch learnt from the cloud's endpoint list (`served_at`) and put into the object's body
SERVED_AT = "netdash:served_at"
#: the resources of the endpoint list, by the Topology field their bodies are in
SERVED = {"floatingip": "floating_ips", "listener": "listeners", "port": "ports"}


def text(d: Body, key: str, default: str = "") -> str:
    value = d.get(key)
    return value if isinstance(value, str) else default


def opt(d: Body, key: str) -> str | None:
    value = d.get(key)
    return value if isinstance(value, str) and value != "" else None


def flag(d: Body, key: str, default: bool) -> bool:
    value = d.get(key)
    return value if isinstance(value, bool) else default


def number(d: Body, key: str) -> int | None:
    value = d.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def dicts(value: Any) -> list[Body]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def ids_of(value: Any) -> tuple[str, ...]:
    """Octavia's `[{"id": ...}]` references (a pool's listeners, a monitor's pools)."""
    return tuple(ref["id"] for ref in dicts(value) if isinstance(ref.get("id"), str))


def fixed_ips(value: Any) -> tuple[FixedIP, ...]:
    return tuple(FixedIP(text(ip, "subnet_id"), text(ip, "ip_address")) for ip in dicts(value))


def project(d: Body) -> str | None:
    return opt(d, "project_id") or opt(d, "tenant_id")


# --- Neutron --------------------------------------------------------------------------------------
def network(d: Body) -> Network:
    return Network(id=text(d, "id"), name=text(d, "name"), status=opt(d, "status"),
                   admin_state_up=flag(d, "admin_state_up", True), shared=flag(d, "shared", False),
                   external=flag(d, "router:external", False), mtu=number(d, "mtu"),
                   subnet_ids=strings(d.get("subnets")), project_id=project(d),
                   description=text(d, "description"))


def subnet(d: Body) -> Subnet:
    pools = tuple((text(p, "start"), text(p, "end")) for p in dicts(d.get("allocation_pools")))
    return Subnet(id=text(d, "id"), name=text(d, "name"), network_id=text(d, "network_id"),
                  cidr=text(d, "cidr"), ip_version=number(d, "ip_version") or 4, gateway_ip=opt(d, "gateway_ip"),
                  allocation_pools=pools, dns_nameservers=strings(d.get("dns_nameservers")),
                  enable_dhcp=flag(d, "enable_dhcp", True), project_id=project(d))


def port(d: Body) -> Port:
    return Port(id=text(d, "id"), name=text(d, "name"), network_id=text(d, "network_id"),
                mac_address=text(d, "mac_address"), fixed_ips=fixed_ips(d.get("fixed_ips")),
                device_id=text(d, "device_id"), device_owner=text(d, "device_owner"), status=opt(d, "status"),
                admin_state_up=flag(d, "admin_state_up", True), project_id=project(d),
                security_group_ids=strings(d.get("security_groups")),
                endpoint=opt(d, SERVED_AT))


def router(d: Body) -> Router:
    gateway = d.get("external_gateway_info")
    gw: Body = gateway if isinstance(gateway, Mapping) else {}
    snat = gw.get("enable_snat")
    return Router(id=text(d, "id"), name=text(d, "name"), status=opt(d, "status"),
                  admin_state_up=flag(d, "admin_state_up", True), external_network_id=opt(gw, "network_id"),
                  external_fixed_ips=fixed_ips(gw.get("external_fixed_ips")),
                  enable_snat=snat if isinstance(snat, bool) else None, project_id=project(d))


def floating_ip(d: Body) -> FloatingIP:
    return FloatingIP(id=text(d, "id"), floating_ip_address=text(d, "floating_ip_address"),
                      floating_network_id=text(d, "floating_network_id"), port_id=opt(d, "port_id"),
                      fixed_ip_address=opt(d, "fixed_ip_address"), router_id=opt(d, "router_id"),
                      status=opt(d, "status"), project_id=project(d), description=text(d, "description"),
                      endpoint=opt(d, SERVED_AT))


def security_group(d: Body) -> SecurityGroup:
    """A group with its rules (`GET /v2.0/security-groups` nests them)."""
    return SecurityGroup(id=text(d, "id"), name=text(d, "name"), description=text(d, "description"),
                         stateful=flag(d, "stateful", True), project_id=project(d),
                         rules=tuple(security_group_rule(r) for r in dicts(d.get("security_group_rules"))))


def security_group_rule(d: Body) -> SecurityGroupRule:
    return SecurityGroupRule(id=text(d, "id"), direction=text(d, "direction"), ethertype=text(d, "ethertype", "IPv4"),
                             protocol=opt(d, "protocol"), port_range_min=number(d, "port_range_min"),
                             port_range_max=number(d, "port_range_max"), remote_ip_prefix=opt(d, "remote_ip_prefix"),
                             remote_group_id=opt(d, "remote_group_id"), description=text(d, "description"))


def endpoints(body: Any) -> dict[tuple[str, str], str]:
    """The embedded cloud's `GET /democloud/endpoints`: (Topology field, id) -> the first `addr:port` it is
    served at, for the floating IPs, public ports and listeners (a port's own port may be taken on this host)."""
    entries = body.get("endpoints") if isinstance(body, Mapping) else None
    found = {}
    for entry in dicts(entries):
        where = strings(entry.get("endpoints"))
        field = SERVED.get(text(entry, "resource"))
        if field and where and text(entry, "id"):
            found[(field, text(entry, "id"))] = where[0]
    return found


def served_at(bodies: dict[str, list[Any]], found: Mapping[tuple[str, str], str]) -> None:
    """Each floating IP's, port's and listener's body with where the embedded cloud serves it (`SERVED_AT`)."""
    for field in SERVED.values():
        items = bodies.get(field)
        if items is not None:
            bodies[field] = [{**d, SERVED_AT: found[(field, d["id"])]}
                             if isinstance(d, Mapping) and (field, d.get("id")) in found else d for d in items]


def quota_items(body: Any) -> list[dict[str, Any]]:
    """`{"quota": {"port": {"limit", "used", "reserved"}, ...}}` as one body per resource, its name as the
    id, so quotas travel and are diffed like any list."""
    quota = body.get("quota") if isinstance(body, Mapping) else None
    if not isinstance(quota, Mapping):
        return []
    return [{"id": name, **values} for name, values in quota.items()
            if isinstance(name, str) and isinstance(values, Mapping)]


def quota(d: Body) -> Quota:
    limit = number(d, "limit")
    return Quota(id=text(d, "id"), limit=-1 if limit is None else limit, used=number(d, "used") or 0,
                 reserved=number(d, "reserved") or 0)


# --- Nova -----------------------------------------------------------------------------------------
def server(d: Body) -> Server:
    flavor = d.get("flavor")
    flavor_name = (opt(flavor, "original_name") or opt(flavor, "id")) if isinstance(flavor, Mapping) else None
    image = d.get("image")
    image_id = opt(image, "id") if isinstance(image, Mapping) else None  # "" when booted from a volume
    return Server(id=text(d, "id"), name=text(d, "name"), status=opt(d, "status"),
                  task_state=opt(d, "OS-EXT-STS:task_state"), power_state=number(d, "OS-EXT-STS:power_state"),
                  flavor=flavor_name, image=image_id, key_name=opt(d, "key_name"),
                  addresses=server_addresses(d.get("addresses")), project_id=project(d),
                  created_at=opt(d, "created"))


def server_addresses(value: Any) -> tuple[ServerAddress, ...]:
    if not isinstance(value, Mapping):
        return ()
    return tuple(ServerAddress(network=str(net), address=text(a, "addr"), kind=text(a, "OS-EXT-IPS:type", "fixed"),
                               mac_address=opt(a, "OS-EXT-IPS-MAC:mac_addr"), version=number(a, "version") or 4)
                 for net, entries in value.items() for a in dicts(entries))


# --- Octavia --------------------------------------------------------------------------------------
def first_id(value: Any) -> str | None:
    refs = ids_of(value)
    return refs[0] if refs else None


def load_balancer(d: Body) -> LoadBalancer:
    return LoadBalancer(id=text(d, "id"), name=text(d, "name"), vip_address=opt(d, "vip_address"),
                        vip_port_id=opt(d, "vip_port_id"), vip_subnet_id=opt(d, "vip_subnet_id"),
                        vip_network_id=opt(d, "vip_network_id"),
                        provisioning_status=opt(d, "provisioning_status"),
                        operating_status=opt(d, "operating_status"), provider=opt(d, "provider"),
                        admin_state_up=flag(d, "admin_state_up", True), project_id=project(d))


def listener(d: Body) -> Listener:
    return Listener(id=text(d, "id"), name=text(d, "name"), loadbalancer_id=first_id(d.get("loadbalancers")),
                    protocol=opt(d, "protocol"), protocol_port=number(d, "protocol_port"),
                    default_pool_id=opt(d, "default_pool_id"), provisioning_status=opt(d, "provisioning_status"),
                    operating_status=opt(d, "operating_status"), admin_state_up=flag(d, "admin_state_up", True),
                    endpoint=opt(d, SERVED_AT))


def pool(d: Body) -> Pool:
    persistence = d.get("session_persistence")
    sp = opt(persistence, "type") if isinstance(persistence, Mapping) else None
    return Pool(id=text(d, "id"), name=text(d, "name"), loadbalancer_id=first_id(d.get("loadbalancers")),
                listener_ids=ids_of(d.get("listeners")), protocol=opt(d, "protocol"),
                lb_algorithm=opt(d, "lb_algorithm"), healthmonitor_id=opt(d, "healthmonitor_id"),
                session_persistence=sp, provisioning_status=opt(d, "provisioning_status"),
                operating_status=opt(d, "operating_status"), admin_state_up=flag(d, "admin_state_up", True))


def health_monitor(d: Body) -> HealthMonitor:
    return HealthMonitor(id=text(d, "id"), pool_id=first_id(d.get("pools")), name=text(d, "name"),
                         type=opt(d, "type"), delay=number(d, "delay"), timeout=number(d, "timeout"),
                         max_retries=number(d, "max_retries"), max_retries_down=number(d, "max_retries_down"),
                         url_path=opt(d, "url_path"), expected_codes=opt(d, "expected_codes"),
                         http_method=opt(d, "http_method"), provisioning_status=opt(d, "provisioning_status"),
                         operating_status=opt(d, "operating_status"),
                         admin_state_up=flag(d, "admin_state_up", True))


def member(d: Body, pool_id: str) -> Member:
    """A member from a pool's member list or from the status tree (which carries fewer fields)."""
    return Member(id=text(d, "id"), pool_id=pool_id, name=text(d, "name"), address=text(d, "address"),
                  protocol_port=number(d, "protocol_port"), subnet_id=opt(d, "subnet_id"),
                  weight=number(d, "weight"), backup=flag(d, "backup", False),
                  admin_state_up=flag(d, "admin_state_up", True), monitor_address=opt(d, "monitor_address"),
                  monitor_port=number(d, "monitor_port"),
                  provisioning_status=opt(d, "provisioning_status"), operating_status=opt(d, "operating_status"))


class StatusTree:
    """What one or more `GET /lbaas/loadbalancers/{id}/status` answers say: operating statuses by id, and
    the member bodies of every pool the trees show (a tree lists only the pools listeners point at), each
    with its pool's id added as `pool_id`."""

    def __init__(self) -> None:
        self.operating: dict[str, str] = {}
        self.members: dict[str, list[dict[str, Any]]] = {}

    def add(self, body: Any) -> None:
        statuses = body.get("statuses") if isinstance(body, Mapping) else None
        lb = statuses.get("loadbalancer") if isinstance(statuses, Mapping) else None
        if not isinstance(lb, Mapping):
            return
        self._status(lb)
        for li in dicts(lb.get("listeners")):
            self._status(li)
            for po in dicts(li.get("pools")):
                self._status(po)
                monitor = po.get("health_monitor")
                if isinstance(monitor, Mapping):
                    self._status(monitor)
                pool_id = text(po, "id")
                if pool_id and pool_id not in self.members:
                    self.members[pool_id] = with_pool(po.get("members"), pool_id)

    def _status(self, node: Body) -> None:
        node_id, status = opt(node, "id"), opt(node, "operating_status")
        if node_id and status:
            self.operating[node_id] = status

    def apply(self, bodies: Iterable[Any]) -> None:
        """Write the trees' operating statuses into list bodies: the trees are newer and say more (a list
        may lag, and realstack's have no health manager behind them)."""
        operating = self.operating
        for d in bodies:
            if isinstance(d, dict) and isinstance(item_id := d.get("id"), str) and item_id in operating:
                d["operating_status"] = operating[item_id]


def with_pool(members: Any, pool_id: str) -> list[dict[str, Any]]:
    """A pool's member bodies, each carrying the pool's id (neither a tree nor a member list says it)."""
    return [{**m, "pool_id": pool_id} for m in dicts(members)]


#: the quotas shown first, in this order
QUOTA_ORDER = ("floatingip", "port", "network", "subnet", "router", "security_group", "security_group_rule")


def in_display_order(field: str, items: list[Any]) -> list[Any]:
    """A snapshot's objects in the order every view shows them: external networks first, floating IPs by
    address, quotas by what they limit, everything else by name (unnamed last), then id. Not the cloud's
    order: paged lists come in id order, which is random, and a tree that reshuffled when a project grew
    past one page would lose its reader."""
    if field == "quotas":  # the resources a person watches first, then the rest by name
        rank = {name: index for index, name in enumerate(QUOTA_ORDER)}
        return sorted(items, key=lambda q: (rank.get(q.id, len(rank)), q.id))
    if field == "networks":
        return sorted(items, key=lambda n: (not n.external, n.name == "", n.name, n.id))
    if field == "floating_ips":
        return sorted(items, key=lambda f: (_address_key(f.floating_ip_address), f.id))
    if items and hasattr(items[0], "name"):
        return sorted(items, key=lambda i: (i.name == "", i.name, i.id))
    return items


def _address_key(address: str) -> tuple[int, ...]:
    parts = address.split(".")
    return tuple(int(p) for p in parts) if len(parts) == 4 and all(p.isdigit() for p in parts) else (1 << 16,)
