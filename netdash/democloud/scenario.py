"""The seed scenario (README, "The embedded cloud"), as the demo user would build it: REST calls, in the
documents' order.

Document 000 ("Advanced network scenarios"): the `private` network behind the `private_gateway` router,
server1 (nginx) and server2 (apache) with the ports `server-1-port`/`server-2-port` of its port-migration
scenario, a floating IP on server1, and the `web` load balancer (listener, ROUND_ROBIN pool, both servers as
members, HTTP health monitor delay 3 / timeout 3 / retries 3) with a floating IP on its VIP port.
Document 001 ("first app" networking): worker/webserver/api networks behind `project_router`.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from .core import Context, Response

if TYPE_CHECKING:
    from .app import Cloud

SERVER1_YAML = "#cloud-config\nruncmd:\n- yum install -y nginx\n- systemctl start nginx\n"
SERVER2_YAML = "#cloud-config\nruncmd:\n- yum install -y httpd\n- systemctl start httpd\n"
DEMO_PUBLIC_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx0bXqvUMbnOf0ahnxcPi5sdH1t9dKqyPOOm0ECZPMi "
                   "demo@netdash")


class SeedError(RuntimeError):
    """A seed request was refused: the embedded cloud's own scenario no longer fits its API."""


def ok(resp: Response, what: str) -> Any:
    if resp.status >= 400:
        raise SeedError(f"seed step {what!r} answered {resp.status}: {resp.body}")
    return resp.body


class Builder:
    """Issues the scenario's requests as one user, keeping the ids it needs for later steps."""

    def __init__(self, cloud: Cloud, who: Context) -> None:
        self.cloud = cloud
        self.who = who

    def post(self, service: str, path: str, body: dict[str, Any], what: str) -> dict[str, Any]:
        answer = ok(self.cloud.call(service, "POST", path, body, context=self.who), what)
        return next(iter(answer.values())) if isinstance(answer, dict) and len(answer) == 1 else answer

    def put(self, service: str, path: str, body: dict[str, Any], what: str) -> Any:
        return ok(self.cloud.call(service, "PUT", path, body, context=self.who), what)

    def get(self, service: str, path: str, query: str, what: str) -> Any:
        return ok(self.cloud.call(service, "GET", path, context=self.who, query=query), what)

    def network(self, name: str, cidr: str, subnet: str, **extra: Any) -> tuple[str, str]:
        net = self.post("network", "/v2.0/networks", {"network": {"name": name, "admin_state_up": True}},
                        f"network {name}")
        sub = self.post("network", "/v2.0/subnets", {"subnet": {
            "name": subnet, "network_id": net["id"], "cidr": cidr, "ip_version": 4, **extra}},
            f"subnet {subnet}")
        return net["id"], sub["id"]

    def router(self, name: str, external: str, subnets: list[str]) -> str:
        router = self.post("network", "/v2.0/routers", {"router": {"name": name, "admin_state_up": True}},
                           f"router {name}")
        self.put("network", f"/v2.0/routers/{router['id']}",
                 {"router": {"external_gateway_info": {"network_id": external}}}, f"gateway of {name}")
        for subnet in subnets:
            self.put("network", f"/v2.0/routers/{router['id']}/add_router_interface",
                     {"subnet_id": subnet}, f"interface of {name}")
        return str(router["id"])

    def server(self, name: str, networks: list[dict[str, str]], user_data: str, image: str,
               flavor: str) -> str:
        server = self.post("compute", "/v2.1/servers", {"server": {
            "name": name, "imageRef": image, "flavorRef": flavor, "key_name": "ssh_key_name",
            "networks": networks, "security_groups": [{"name": "default"}], "min_count": 1,
            "max_count": 1, "user_data": base64.b64encode(user_data.encode()).decode()}},
            f"server {name}")
        return str(server["id"])

    def lbaas(self, path: str, body: dict[str, Any], what: str) -> dict[str, Any]:
        return self.post("load-balancer", f"/v2.0/lbaas/{path}", body, what)

    def floating_ip(self, external: str, port_id: str, what: str) -> dict[str, Any]:
        return self.post("network", "/v2.0/floatingips", {"floatingip": {
            "floating_network_id": external, "port_id": port_id}}, what)


def first(items: list[dict[str, Any]], what: str) -> dict[str, Any]:
    if not items:
        raise LookupError(f"seed: no {what}")
    return items[0]


def build_scenario(cloud: Cloud, demo: Context) -> None:
    settings = cloud.settings
    saved = settings.provisioning_delay, settings.build_delay
    # Nothing waits while seeding: objects are ACTIVE the moment they are read.
    settings.provisioning_delay = settings.build_delay = 0.0
    try:
        build(Builder(cloud, demo))
    finally:
        settings.provisioning_delay, settings.build_delay = saved


def build(b: Builder) -> None:
    public = first(b.get("network", "/v2.0/networks", "name=public", "network public")["networks"],
                   "network public")["id"]
    image = first(b.get("image", "/v2/images", "name=centos-8.2-2004", "image")["images"], "image")["id"]
    flavors = b.get("compute", "/v2.1/flavors", "", "flavors")["flavors"]
    flavor = first([f for f in flavors if f["name"] == "VC-4"], "flavor VC-4")["id"]
    b.post("compute", "/v2.1/os-keypairs", {"keypair": {"name": "ssh_key_name", "public_key": DEMO_PUBLIC_KEY}},
           "keypair ssh_key_name")

    # Document 000: the web servers answer on port 80, so the project's default group lets TCP 80 in.
    default = first(b.get("network", "/v2.0/security-groups", "name=default", "security group default")[
        "security_groups"], "security group default")["id"]
    b.post("network", "/v2.0/security-group-rules", {"security_group_rule": {
        "security_group_id": default, "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
        "port_range_min": 80, "port_range_max": 80, "remote_ip_prefix": "0.0.0.0/0",
        "description": "allow TCP port 80"}}, "rule allow TCP port 80")

    # Document 000, "Floating IP" and "Load Balancer": the private network behind its router.
    private, private_subnet = b.network("private", "10.0.0.0/24", "private_subnet", gateway_ip="10.0.0.1",
                                        dns_nameservers=["8.8.8.8"],
                                        allocation_pools=[{"start": "10.0.0.10", "end": "10.0.0.200"}])
    b.router("private_gateway", public, [private_subnet])

    # Document 000, "Port Migration": ports made first, then given to the servers.
    port1 = b.post("network", "/v2.0/ports", {"port": {"name": "server-1-port", "network_id": public}},
                   "port server-1-port")
    port2 = b.post("network", "/v2.0/ports", {"port": {"name": "server-2-port", "network_id": public}},
                   "port server-2-port")
    server1 = b.server("server1", [{"uuid": private}, {"port": port1["id"]}], SERVER1_YAML, image, flavor)
    server2 = b.server("server2", [{"uuid": private}, {"port": port2["id"]}], SERVER2_YAML, image, flavor)

    addresses = {}
    for server in (server1, server2):
        ports = b.get("network", "/v2.0/ports", f"device_id={server}&network_id={private}", "server ports")
        addresses[server] = first(ports["ports"], "private port")
    b.floating_ip(public, addresses[server1]["id"], "floating IP of server1")

    lb = b.lbaas("loadbalancers", {"loadbalancer": {"name": "web", "vip_subnet_id": private_subnet}}, "lb web")
    listener = b.lbaas("listeners", {"listener": {"name": "web_listener", "protocol": "HTTP", "protocol_port": 80,
                                       "loadbalancer_id": lb["id"]}}, "listener web_listener")
    pool = b.lbaas("pools", {"pool": {"name": "web_pool", "lb_algorithm": "ROUND_ROBIN", "protocol": "HTTP",
                                      "listener_id": listener["id"]}}, "pool web_pool")
    for server in (server1, server2):
        b.lbaas(f"pools/{pool['id']}/members", {"member": {
            "subnet_id": private_subnet, "address": addresses[server]["fixed_ips"][0]["ip_address"],
            "protocol_port": 80}}, "member")
    b.lbaas("healthmonitors", {"healthmonitor": {"pool_id": pool["id"], "type": "HTTP", "delay": 3,
                                                 "timeout": 3, "max_retries": 3}}, "health monitor")
    b.floating_ip(public, lb["vip_port_id"], "floating IP of the web load balancer")

    # Document 001: one network per tier behind the project router.
    tiers = [b.network(f"{tier}_network", f"10.0.{n}.0/24", f"{tier}_subnet")[1]
             for n, tier in ((1, "worker"), (2, "webserver"), (3, "api"))]
    b.router("project_router", public, tiers)

