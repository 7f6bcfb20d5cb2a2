"""`--scale N`: a large generated project for benchmarks, built through the same REST handlers as the seed.

What an operator of a big project sees: N servers with four NICs each and one spare port made ahead of a
migration (~5N ports), over N/10 networks (each with a /24 subnet) behind N/10 routers, N floating IPs (one
per load balancer VIP, the rest on servers), and N/10 load balancers, each with a listener, a ROUND_ROBIN
pool of 10 members (servers of its VIP network) and an HTTP health monitor.

The servers' user data installs no web server, so the data plane starts no backend for them (1,000 HTTP
listeners would cost more than the rest of the cloud): the load balancers' listeners and their floating IPs
are served, but every member fails its health check and the proxies have no backend to send to.

Floating IPs and router gateways outgrow `public`'s /24 beyond ~200 servers: the admin adds a second subnet
to `public` (127.25.0.0/16 at most, all loopback) sized for them, and Neutron takes addresses from the first
subnet with room, as a real cloud with two external subnets does.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from .network.rules.quotas import DEFAULTS
from .scenario import DEMO_PUBLIC_KEY, Builder, first

if TYPE_CHECKING:
    from .app import Cloud

#: the largest N: 127.25.0.0/16 holds the floating IPs and gateways of 50,000 servers; 10,000 is plenty
MAX_SCALE = 10_000
NICS = 4
MEMBERS = 10
SCALE_USER_DATA = "#cloud-config\nruncmd:\n- echo worker ready\n"
OVERFLOW_BASE = "127.25.0.0"


class ScaleError(ValueError):
    """A scale the generator cannot build (not an integer, below 1, above MAX_SCALE)."""


def parse_scale(text: str) -> int:
    """`--scale` as argparse hands it over: a whole number from 1 to MAX_SCALE, else one clear line."""
    try:
        value = int(text)
    except ValueError:
        raise ScaleError(f"expected a whole number of servers, got {text!r}") from None
    if not 1 <= value <= MAX_SCALE:
        raise ScaleError(f"expected a number of servers from 1 to {MAX_SCALE}, got {value}")
    return value


def tenth(n: int) -> int:
    """N/10, and at least one: a project of 5 servers still has a network, a router and a load balancer."""
    return max(1, n // 10)


def expected_counts(n: int) -> dict[str, int]:
    """What `build_scale(cloud, n)` makes, as the demo project sees it (tests and the README use it)."""
    nets = lbs = tenth(n)
    return {"servers": n, "networks": nets, "subnets": nets, "routers": nets, "floating_ips": n,
            "load_balancers": lbs, "listeners": lbs, "pools": lbs, "health_monitors": lbs,
            "members": sum(min(MEMBERS, len(range(k % nets, n, nets))) for k in range(lbs)),
            # NICs + spares + one router interface per network + one VIP per load balancer
            "ports": n * (NICS + 1) + nets + lbs}


def overflow_cidr(n: int) -> str:
    """The smallest 127.25.x.0 block holding n floating IPs plus the routers' gateways, with some room."""
    needed = n + tenth(n) + 16
    prefix = 24
    while prefix > 16 and (1 << (32 - prefix)) - 2 < needed:
        prefix -= 1
    return str(ipaddress.ip_network(f"{OVERFLOW_BASE}/{prefix}"))


def build_scale(cloud: Cloud, n: int) -> None:
    """The generated project of `n` servers, made by the `demo` user (the admin adds the public subnet)."""
    settings = cloud.settings
    saved = settings.provisioning_delay, settings.build_delay
    settings.provisioning_delay = settings.build_delay = 0.0  # nothing waits while generating
    try:
        admin, demo = cloud.identity.context_for("admin"), cloud.identity.context_for("demo")
        generate(Builder(cloud, admin), Builder(cloud, demo), n)
    finally:
        settings.provisioning_delay, settings.build_delay = saved


def generate(admin: Builder, b: Builder, n: int) -> None:
    public = first(b.get("network", "/v2.0/networks", "name=public", "network public")["networks"],
                   "network public")["id"]
    admin.post("network", "/v2.0/subnets", {"subnet": {
        "name": "public-scale", "network_id": public, "ip_version": 4, "cidr": overflow_cidr(n),
        "enable_dhcp": False}}, "subnet public-scale")
    # Neutron's default limits (50 floating IPs, 500 ports...) would stop a big project: its operator raised
    # them to twice what it holds (never below the defaults), so the dashboard still has limits to show
    wanted = expected_counts(n)
    limits = {"network": wanted["networks"], "subnet": wanted["subnets"], "router": wanted["routers"],
              "port": wanted["ports"], "floatingip": wanted["floating_ips"]}
    admin.put("network", f"/v2.0/quotas/{b.who.project_id}",
              {"quota": {k: max(2 * v, DEFAULTS[k]) for k, v in limits.items()}}, "quotas of the project")
    image = first(b.get("image", "/v2/images", "name=centos-8.2-2004", "image")["images"], "image")["id"]
    flavors = b.get("compute", "/v2.1/flavors", "", "flavors")["flavors"]
    flavor = first([f for f in flavors if f["name"] == "VC-4"], "flavor VC-4")["id"]
    b.post("compute", "/v2.1/os-keypairs", {"keypair": {"name": "ssh_key_name", "public_key": DEMO_PUBLIC_KEY}},
           "keypair ssh_key_name")

    nets = tenth(n)
    networks: list[tuple[str, str]] = []
    for j in range(nets):
        networks.append(b.network(f"scale-net-{j:04d}", f"10.{100 + j // 256}.{j % 256}.0/24",
                                  f"scale-subnet-{j:04d}"))
        b.router(f"scale-router-{j:04d}", public, [networks[j][1]])

    home_ports: list[dict[str, Any]] = []
    for i in range(n):
        home = i % nets
        nics = [{"uuid": networks[(home + k) % nets][0]} for k in range(NICS)]
        server = b.server(f"scale-server-{i:05d}", nics, SCALE_USER_DATA, image, flavor)
        ports = b.get("network", "/v2.0/ports", f"device_id={server}&network_id={networks[home][0]}",
                      "server ports")["ports"]
        home_ports.append(first(ports, f"home port of scale-server-{i:05d}"))
        b.post("network", "/v2.0/ports", {"port": {"name": f"scale-spare-{i:05d}", "network_id": networks[home][0]}},
               f"spare port {i}")

    lbs = tenth(n)
    for k in range(lbs):
        vip_net = k % nets
        lb = b.lbaas("loadbalancers", {"loadbalancer": {"name": f"scale-lb-{k:04d}",
                                                        "vip_subnet_id": networks[vip_net][1]}}, f"lb {k}")
        listener = b.lbaas("listeners", {"listener": {"name": f"scale-listener-{k:04d}", "protocol": "HTTP",
                                                      "protocol_port": 80, "loadbalancer_id": lb["id"]}},
                           f"listener {k}")
        pool = b.lbaas("pools", {"pool": {"name": f"scale-pool-{k:04d}", "lb_algorithm": "ROUND_ROBIN",
                                          "protocol": "HTTP", "listener_id": listener["id"]}}, f"pool {k}")
        for i in list(range(vip_net, n, nets))[:MEMBERS]:
            b.lbaas(f"pools/{pool['id']}/members", {"member": {
                "name": f"scale-server-{i:05d}", "subnet_id": networks[vip_net][1],
                "address": home_ports[i]["fixed_ips"][0]["ip_address"], "protocol_port": 80}}, f"member {i}")
        # every 10 s, as production monitors often are: at 3 s, 1,000 members meant 333 checks a second in
        # the cloud's one process, which, busy answering a dashboard, missed enough of them to flap
        b.lbaas("healthmonitors", {"healthmonitor": {"pool_id": pool["id"], "type": "HTTP", "delay": 10,
                                                     "timeout": 5, "max_retries": 3}}, f"health monitor {k}")
        b.floating_ip(public, lb["vip_port_id"], f"floating IP of lb {k}")
    for i in range(n - lbs):
        b.floating_ip(public, home_ports[i]["id"], f"floating IP of server {i}")


__all__ = ["MAX_SCALE", "ScaleError", "build_scale", "expected_counts", "parse_scale"]
