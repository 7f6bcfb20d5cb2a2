"""What a tour's `build` tables make, through `cloud.builds`, and how each is removed again.

Every object is named with the run's prefix (`netdash-tour-server1`; a floating IP, which has no name, gets
it as its description), and recorded as `Made` in the order it was made: a step's back, a failed step and
the clean-up at the end all remove in the reverse order, and a load balancer takes its listener, pool,
members and monitor with it (a cascade delete).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from netdash.cloud.builds import USER_DATA, Builds

from .model import Build, TourError

#: what the documents boot (`--image 'centos-8.2-2004' --flavor VC-4`), unless a build says otherwise
IMAGE = "centos-8.2-2004"
FLAVOR = "VC-4"
#: Octavia objects removed with their load balancer
LB_CHILDREN = frozenset({"listener", "pool", "member", "health_monitor"})


@dataclass
class Made:
    """One object a tour made: the document's name, the cloud's id, and what later builds need of it."""

    kind: str
    name: str
    id: str
    extra: dict[str, str] = field(default_factory=dict)


class Registry:
    """The objects made so far, by the document's name (a later build or action refers to them so)."""

    def __init__(self, builds: Builds, prefix: str) -> None:
        self.builds = builds
        self.prefix = prefix
        self.made: list[Made] = []
        self._external: dict[str, str] = {}

    def named(self, name: str) -> Made | None:
        return next((m for m in reversed(self.made) if m.name == name), None)

    def get(self, name: str, *kinds: str) -> Made:
        made = self.named(name)
        if made is None or (kinds and made.kind not in kinds):
            raise TourError(f"the tour has made no {' or '.join(kinds) or 'object'} {name!r} yet")
        return made

    def network_id(self, name: str) -> str:
        """A network the tour made, or one the cloud has already (`public`)."""
        made = self.named(name)
        if made is not None and made.kind == "network":
            return made.id
        if name not in self._external:
            self._external[name] = self.builds.network_id(name)
        return self._external[name]

    def real(self, name: str) -> str:
        return f"{self.prefix}{name}"


def make(build: Build, registry: Registry, progress: Callable[[str], None]) -> list[Made]:
    """Create what `build` describes; the objects made, in order (a failure part-way leaves the ones made
    so far in `registry.made` for the caller to remove)."""
    b, f, r = registry.builds, build.fields, registry
    made: list[Made] = []

    def record(item: Made) -> None:
        made.append(item)
        r.made.append(item)

    name = str(f.get("name", ""))
    progress(f"creating {build.kind.replace('_', ' ')} {r.real(build.name)}")
    if build.kind == "network":
        pool = f.get("pool")
        net_id, subnet_id = b.create_network(r.real(name), r.real(str(f["subnet"])), str(f["cidr"]),
                                             gateway=f.get("gateway"), dns=tuple(f.get("dns", ())),
                                             pool=(str(pool[0]), str(pool[1])) if pool else None)
        record(Made("network", name, net_id))
        record(Made("subnet", str(f["subnet"]), subnet_id, {"network": net_id}))
    elif build.kind == "router":
        subnets = tuple(r.get(str(s), "subnet").id for s in f.get("subnets", ()))
        external = r.network_id(str(f.get("external", "public")))
        record(Made("router", name, b.create_router(r.real(name), external, subnets)))
    elif build.kind == "port":
        record(Made("port", name, b.create_port(r.real(name), r.network_id(str(f["network"])))))
    elif build.kind == "server":
        software = str(f["software"])
        if software not in USER_DATA:
            raise TourError(f"server {name}: software must be one of {', '.join(USER_DATA)}")
        nets = [{"uuid": r.network_id(str(n))} for n in f.get("networks", ())]
        nets += [{"port": r.get(str(p), "port").id} for p in f.get("ports", ())]
        server_id = b.create_server(r.real(name), b.image_id(str(f.get("image", IMAGE))),
                                    b.flavor_id(str(f.get("flavor", FLAVOR))), tuple(nets), software)
        first = b.server_port_ids(server_id, nets[0].get("uuid")) if nets and "uuid" in nets[0] else ()
        record(Made("server", name, server_id, {"port": first[0]} if first else {}))
    elif build.kind == "load_balancer":
        lb_id, vip_port = b.create_load_balancer(r.real(name), r.get(str(f["subnet"]), "subnet").id)
        record(Made("load_balancer", name, lb_id, {"vip_port": vip_port}))
    elif build.kind == "listener":
        lb = r.get(str(f["load_balancer"]), "load_balancer")
        record(Made("listener", name, b.create_listener(lb.id, r.real(name), str(f.get("protocol", "HTTP")),
                                                        int(f.get("port", 80))), {"lb": lb.id}))
    elif build.kind == "pool":
        listener = r.get(str(f["listener"]), "listener")
        lb_id = listener.extra["lb"]
        record(Made("pool", name, b.create_pool(lb_id, listener.id, r.real(name), str(f.get("protocol", "HTTP")),
                                                str(f.get("algorithm", "ROUND_ROBIN"))), {"lb": lb_id}))
    elif build.kind == "member":
        pool, server = r.get(str(f["pool"]), "pool"), r.get(str(f["server"]), "server")
        subnet = r.get(str(f["subnet"]), "subnet")
        ports = b.server_port_ids(server.id, subnet.extra["network"])
        if not ports:
            raise TourError(f"server {server.name} has no port on {subnet.name}")
        member = b.create_member(pool.extra["lb"], pool.id, name=r.real(build.name), subnet_id=subnet.id,
                                 address=b.port_address(ports[0]), port=int(f.get("port", 80)))
        record(Made("member", build.name, member, {"lb": pool.extra["lb"], "pool": pool.id}))
    elif build.kind == "health_monitor":
        pool = r.get(str(f["pool"]), "pool")
        monitor = b.create_health_monitor(pool.extra["lb"], pool.id, name=r.real(build.name),
                                          kind=str(f.get("type", "HTTP")), delay=int(f.get("delay", 3)),
                                          timeout=int(f.get("timeout", 3)), max_retries=int(f.get("max_retries", 3)),
                                          url_path=str(f.get("url_path", "/")))
        record(Made("health_monitor", build.name, monitor, {"lb": pool.extra["lb"]}))
    elif build.kind == "floating_ip":
        port_id = target_port(r, str(f["target"])) if f.get("target") else None
        fip = b.create_floating_ip(r.network_id(str(f.get("network", "public"))), port_id, r.real(name))
        record(Made("floating_ip", name, fip.id, {"address": fip.floating_ip_address}))
    return made


def target_port(registry: Registry, name: str) -> str:
    """The port a floating IP goes to: a load balancer's VIP port, a server's first port, or a port."""
    made = registry.get(name, "load_balancer", "server", "port")
    if made.kind == "port":
        return made.id
    port = made.extra.get("vip_port" if made.kind == "load_balancer" else "port")
    if not port:
        raise TourError(f"{made.kind.replace('_', ' ')} {name} has no port for a floating IP")
    return port


def remove(builds: Builds, made: list[Made], progress: Callable[[str], None], prefix: str) -> None:
    """Remove `made`, newest first; what a load balancer among them holds goes with it."""
    lbs = {m.id for m in made if m.kind == "load_balancer"}
    deleters: dict[str, Callable[[Made], Any]] = {
        "floating_ip": lambda m: builds.delete_floating_ip(m.id),
        "load_balancer": lambda m: builds.delete_load_balancer(m.id),
        "listener": lambda m: builds.delete_lb_object(m.extra["lb"], f"listeners/{m.id}"),
        "pool": lambda m: builds.delete_lb_object(m.extra["lb"], f"pools/{m.id}"),
        "member": lambda m: builds.delete_lb_object(m.extra["lb"], f"pools/{m.extra['pool']}/members/{m.id}"),
        "health_monitor": lambda m: builds.delete_lb_object(m.extra["lb"], f"healthmonitors/{m.id}"),
        "server": lambda m: builds.delete_server(m.id),
        "port": lambda m: builds.delete_port(m.id),
        "router": lambda m: builds.delete_router(m.id),
        "network": lambda m: builds.delete_network(m.id),
        "subnet": lambda m: None,  # with its network
    }
    for item in reversed(made):
        if item.kind in LB_CHILDREN and item.extra.get("lb") in lbs:
            continue
        if item.kind != "subnet":
            progress(f"removing {item.kind.replace('_', ' ')} {prefix}{item.name}")
        deleters[item.kind](item)


#: the order `leftovers` lists what a name prefix finds: as a tour makes them (so `remove` takes them newest first)
MADE_ORDER = ("network", "router", "port", "server", "load_balancer", "floating_ip")


def leftovers(builds: Builds, prefix: str) -> list[Made]:
    """What a tour left in the cloud (a netdash killed mid-tour, or "leave" chosen), found by its names, in
    the order a tour makes such objects."""
    found = builds.named(prefix)
    return [Made(kind, name.removeprefix(prefix), resource_id) for kind in MADE_ORDER
            for found_kind, resource_id, name in found if found_kind == kind]
