"""Writes of every resource type through the HTTP API, each remembered with what must be found after a
restart: the durability tests (in-process with a random mix, and against a process killed after each 2xx)."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from netdash.democloud.scenario import DEMO_PUBLIC_KEY
from netdash.democloud.tracked import TrackedDict
from tests.waiting import wait_for

PASSWORD = "wal-test-Pa55word"


def updated(table: TrackedDict) -> dict[Any, Any]:
    """A dict updated from the table (C code reading it as a mapping)."""
    target: dict[Any, Any] = {}
    target.update(table)
    return target


#: every way to get hold of a table's value (each must note it, or hand out a read-only view of it when lent)
REACH: dict[str, Callable[[TrackedDict], object]] = {
    "t[k]": lambda t: t["k"], "get": lambda t: t.get("k"), "values": lambda t: list(t.values()),
    "items": lambda t: list(t.items()), "dict(t)": dict, "{**t}": lambda t: {**t}, "copy": lambda t: t.copy(),
    "t | {}": lambda t: t | {}, "{} | t": lambda t: {} | t, "setdefault": lambda t: t.setdefault("k", {}),
    "update a dict": updated, "next(iter(values))": lambda t: next(iter(t.values())),
}


class Process:
    """`python -m netdash demo-cloud --state FILE` in a process of its own, killed with SIGKILL (the
    `processes` fixture kills what a test left running)."""

    def __init__(self, path: Path, *extra: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "netdash", "demo-cloud", "--state", str(path), "--password", PASSWORD,
             "--provisioning-delay", "0.05", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if "listening on" in line:
                self.base_url = line.split("listening on ")[1].split()[0]
                return
        self.proc.wait()
        pytest.fail(f"demo-cloud did not start: {self.proc.stderr.read() if self.proc.stderr else ''}")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def token_for(base_url: str, user: str = "demo", password: str = PASSWORD) -> str:
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "domain": {"name": "Default"}, "password": password}}},
        "scope": {"project": {"name": user, "domain": {"name": "Default"}}}}}
    resp = httpx.post(f"{base_url}/identity/v3/auth/tokens", json=body, timeout=10)
    assert resp.status_code == 201, resp.text
    return resp.headers["X-Subject-Token"]


@dataclass
class Expect:
    """After a restart, GET `path` answers 404 (`fields` None) or 200 with these fields in `key`'s object."""

    what: str
    path: str
    key: str
    fields: dict[str, Any] | None


@dataclass
class Tenant:
    """One project's client, the ids it made (by kind), and what each acknowledged write promised."""

    base_url: str
    password: str = PASSWORD
    rng: random.Random = field(default_factory=random.Random)
    made: dict[str, list[str]] = field(default_factory=dict)
    promised: dict[str, Expect] = field(default_factory=dict)
    #: what each acknowledged write was, in order (a later promise about the same path replaces the earlier)
    acknowledged: list[str] = field(default_factory=list)
    count: int = 0

    def __post_init__(self) -> None:
        self.connect(self.base_url)

    def connect(self, base_url: str) -> None:
        """(Again, after a restart: a new port, and the old tokens are not honoured.)"""
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=10,
                                 headers={"X-Auth-Token": token_for(base_url, password=self.password)})

    def call(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"OpenStack-API-Version": "compute 2.100"} if path.startswith("/compute") else {}
        resp = self.http.request(method, path, json=body, headers=headers)
        assert resp.status_code < 300, (method, path, resp.status_code, resp.text)
        return resp.json() if resp.content else None

    def name(self, kind: str) -> str:
        self.count += 1
        return f"{kind}-{self.count}"

    def promise(self, what: str, path: str, key: str, fields: dict[str, Any] | None) -> None:
        self.promised[path] = Expect(what, path, key, fields)
        self.acknowledged.append(what)

    def pick(self, kind: str) -> str | None:
        ids = self.made.get(kind, [])
        return self.rng.choice(ids) if ids else None

    def keep(self, kind: str, ident: str) -> str:
        self.made.setdefault(kind, []).append(ident)
        return ident

    def forget(self, kind: str, ident: str) -> None:
        self.made[kind].remove(ident)

    # --- Neutron ---------------------------------------------------------------------------------------
    def network(self) -> str:
        name = self.name("net")
        net = self.call("POST", "/networking/v2.0/networks", {"network": {"name": name}})["network"]
        self.promise("network", f"/networking/v2.0/networks/{net['id']}", "network", {"name": name})
        return self.keep("network", net["id"])

    def subnet(self) -> str:
        net = self.pick("network") or self.network()
        third = len(self.made.get("subnet", [])) + 1
        name = self.name("subnet")
        subnet = self.call("POST", "/networking/v2.0/subnets", {"subnet": {
            "network_id": net, "cidr": f"10.{third // 250}.{third % 250}.0/24", "ip_version": 4,
            "name": name}})["subnet"]
        self.promise("subnet", f"/networking/v2.0/subnets/{subnet['id']}", "subnet", {"name": name})
        return self.keep("subnet", subnet["id"])

    def subnet_network(self) -> tuple[str, str]:
        subnet = self.pick("subnet") or self.subnet()
        found = self.call("GET", f"/networking/v2.0/subnets/{subnet}")["subnet"]
        return subnet, found["network_id"]

    def port(self) -> str:
        _, net = self.subnet_network()
        name = self.name("port")
        port = self.call("POST", "/networking/v2.0/ports", {"port": {"network_id": net, "name": name}})["port"]
        self.promise("port", f"/networking/v2.0/ports/{port['id']}", "port",
                     {"name": name, "mac_address": port["mac_address"], "fixed_ips": port["fixed_ips"]})
        return self.keep("port", port["id"])

    def rename_port(self) -> None:
        port = self.pick("port") or self.port()
        name = self.name("renamed")
        self.call("PUT", f"/networking/v2.0/ports/{port}", {"port": {"name": name}})
        self.promise("port renamed", f"/networking/v2.0/ports/{port}", "port", {"name": name})

    def delete_port(self) -> None:
        port = self.pick("port")
        if port is None or port in self.made.get("fip-port", []):
            self.port()
            return
        self.call("DELETE", f"/networking/v2.0/ports/{port}")
        self.forget("port", port)
        self.promise("port deleted", f"/networking/v2.0/ports/{port}", "port", None)

    def public(self) -> str:
        nets = self.call("GET", "/networking/v2.0/networks?name=public")["networks"]
        return str(nets[0]["id"])

    def router(self) -> str:
        name = self.name("router")
        router = self.call("POST", "/networking/v2.0/routers", {"router": {
            "name": name, "external_gateway_info": {"network_id": self.public()}}})["router"]
        self.promise("router", f"/networking/v2.0/routers/{router['id']}", "router", {"name": name})
        return self.keep("router", router["id"])

    def interface(self) -> None:
        router = self.pick("router") or self.router()
        subnet = self.subnet()  # a new one: a subnet is on one router at most
        self.call("PUT", f"/networking/v2.0/routers/{router}/add_router_interface", {"subnet_id": subnet})
        ports = self.call("GET", f"/networking/v2.0/ports?device_id={router}")["ports"]
        port = next(p for p in ports if p["fixed_ips"][0]["subnet_id"] == subnet)
        self.promise("router interface", f"/networking/v2.0/ports/{port['id']}", "port",
                     {"device_id": router, "device_owner": "network:router_interface"})
        self.made.setdefault("routed", []).append(subnet)

    def floating_ip(self) -> None:
        if not self.made.get("routed"):
            self.interface()
        subnet = self.rng.choice(self.made["routed"])
        net = self.call("GET", f"/networking/v2.0/subnets/{subnet}")["subnet"]["network_id"]
        port = self.call("POST", "/networking/v2.0/ports", {"port": {
            "network_id": net, "name": self.name("fp"), "fixed_ips": [{"subnet_id": subnet}]}})
        port_id = port["port"]["id"]
        fip = self.call("POST", "/networking/v2.0/floatingips", {"floatingip": {
            "floating_network_id": self.public(), "port_id": port_id}})["floatingip"]
        self.keep("fip-port", port_id)
        self.promise("floating IP", f"/networking/v2.0/floatingips/{fip['id']}", "floatingip",
                     {"port_id": port_id, "floating_ip_address": fip["floating_ip_address"]})

    def security_group(self) -> None:
        name = self.name("sg")
        sg = self.call("POST", "/networking/v2.0/security-groups", {"security_group": {"name": name}})
        sg_id = sg["security_group"]["id"]
        self.promise("security group", f"/networking/v2.0/security-groups/{sg_id}", "security_group", {"name": name})
        port = self.rng.randrange(1, 65535)
        rule = self.call("POST", "/networking/v2.0/security-group-rules", {"security_group_rule": {
            "security_group_id": sg_id, "direction": "ingress", "protocol": "tcp", "ethertype": "IPv4",
            "port_range_min": port, "port_range_max": port}})["security_group_rule"]
        self.promise("security group rule", f"/networking/v2.0/security-group-rules/{rule['id']}",
                     "security_group_rule", {"port_range_min": port})

    def shared_pool(self) -> None:
        """A subnet pool and a subnet carved from it, the network shared with another project by an RBAC
        policy, and tags on it: the stores the extensions added. A network of its own: Neutron allocates a
        network's subnets of one IP version from one pool (or none)."""
        made = self.call("POST", "/networking/v2.0/networks", {"network": {"name": self.name("pool-net")}})
        net = made["network"]["id"]
        third = len(self.made.get("pool", [])) + 1
        pool = self.call("POST", "/networking/v2.0/subnetpools", {"subnetpool": {
            "name": self.name("pool"), "prefixes": [f"10.{200 + third}.0.0/16"], "default_prefixlen": 24}})
        pool_id = self.keep("pool", pool["subnetpool"]["id"])
        self.promise("subnet pool", f"/networking/v2.0/subnetpools/{pool_id}", "subnetpool",
                     {"prefixes": [f"10.{200 + third}.0.0/16"]})
        subnet = self.call("POST", "/networking/v2.0/subnets", {"subnet": {
            "network_id": net, "ip_version": 4, "subnetpool_id": pool_id}})["subnet"]
        self.promise("subnet from a pool", f"/networking/v2.0/subnets/{subnet['id']}", "subnet",
                     {"cidr": f"10.{200 + third}.0.0/24", "subnetpool_id": pool_id})
        policy = self.call("POST", "/networking/v2.0/rbac-policies", {"rbac_policy": {
            "object_type": "network", "object_id": net, "action": "access_as_shared",
            "target_tenant": "6d1e3f0a5b7c4e2d9a8b0c1d2e3f4a5b"}})["rbac_policy"]
        self.promise("RBAC policy", f"/networking/v2.0/rbac-policies/{policy['id']}", "rbac_policy",
                     {"object_id": net})
        self.call("PUT", f"/networking/v2.0/networks/{net}/tags", {"tags": ["durable", "shared"]})
        self.promise("tags", f"/networking/v2.0/networks/{net}", "network", {"tags": ["durable", "shared"]})

    # --- Nova ------------------------------------------------------------------------------------------
    def keypair(self) -> None:
        name = self.name("kp")
        self.call("POST", "/compute/v2.1/os-keypairs", {"keypair": {"name": name, "public_key": DEMO_PUBLIC_KEY}})
        self.promise("key pair", f"/compute/v2.1/os-keypairs/{name}", "keypair", {"name": name})

    def server(self) -> None:
        _, net = self.subnet_network()
        image = self.call("GET", "/image/v2/images")["images"][0]["id"]
        name = self.name("server")
        server = self.call("POST", "/compute/v2.1/servers", {"server": {
            "name": name, "imageRef": image, "flavorRef": "1", "networks": [{"uuid": net}]}})["server"]
        self.promise("server", f"/compute/v2.1/servers/{server['id']}", "server", {"name": name})
        self.keep("server", server["id"])

    def stop_server(self) -> None:
        server = self.pick("server")
        if server is None:
            self.server()
            return
        wait_for(lambda: self.call("GET", f"/compute/v2.1/servers/{server}")["server"]["status"] != "BUILD",
                 timeout=10, what="server out of BUILD")
        if self.call("GET", f"/compute/v2.1/servers/{server}")["server"]["status"] == "ACTIVE":
            self.call("POST", f"/compute/v2.1/servers/{server}/action", {"os-stop": None})
            self.promise("server stopped", f"/compute/v2.1/servers/{server}", "server", {"status": "SHUTOFF"})

    # --- Octavia ---------------------------------------------------------------------------------------
    def wait_lb(self, lb: str) -> None:
        wait_for(lambda: self.call("GET", f"/load-balancer/v2/lbaas/loadbalancers/{lb}")["loadbalancer"]
                 ["provisioning_status"] == "ACTIVE", timeout=10, what="load balancer ACTIVE")

    def load_balancer(self) -> list[Callable[[], None]]:
        """The steps of a load balancer with a listener, a pool, a member, a health monitor and an L7 policy with
        a rule: one write each."""
        state: dict[str, str] = {}
        octavia = "/load-balancer/v2/lbaas"

        def lb() -> None:
            subnet, _ = self.subnet_network()
            state["subnet"] = subnet
            name = self.name("lb")
            made = self.call("POST", f"{octavia}/loadbalancers",
                             {"loadbalancer": {"name": name, "vip_subnet_id": subnet}})
            state["lb"] = made["loadbalancer"]["id"]
            self.promise("load balancer", f"{octavia}/loadbalancers/{state['lb']}", "loadbalancer", {"name": name})

        def listener() -> None:
            self.wait_lb(state["lb"])
            port = self.rng.randrange(1024, 65535)
            made = self.call("POST", f"{octavia}/listeners", {"listener": {
                "loadbalancer_id": state["lb"], "protocol": "HTTP", "protocol_port": port, "name": self.name("li")}})
            state["listener"] = made["listener"]["id"]
            self.promise("listener", f"{octavia}/listeners/{state['listener']}", "listener", {"protocol_port": port})

        def pool() -> None:
            self.wait_lb(state["lb"])
            made = self.call("POST", f"{octavia}/pools", {"pool": {
                "listener_id": state["listener"], "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}})
            state["pool"] = made["pool"]["id"]
            self.promise("pool", f"{octavia}/pools/{state['pool']}", "pool", {"lb_algorithm": "ROUND_ROBIN"})

        def member() -> None:
            self.wait_lb(state["lb"])
            made = self.call("POST", f"{octavia}/pools/{state['pool']}/members", {"member": {
                "address": f"10.9.9.{self.rng.randrange(2, 250)}", "protocol_port": 80, "subnet_id": state["subnet"]}})
            member_id = made["member"]["id"]
            self.promise("member", f"{octavia}/pools/{state['pool']}/members/{member_id}", "member",
                         {"address": made["member"]["address"]})

        def monitor() -> None:
            self.wait_lb(state["lb"])
            made = self.call("POST", f"{octavia}/healthmonitors", {"healthmonitor": {
                "pool_id": state["pool"], "type": "HTTP", "delay": 5, "timeout": 3, "max_retries": 2}})
            self.promise("health monitor", f"{octavia}/healthmonitors/{made['healthmonitor']['id']}", "healthmonitor",
                         {"delay": 5})

        def policy() -> None:  # a policy with its rule in one write: policies, rules and their orders
            self.wait_lb(state["lb"])
            made = self.call("POST", f"{octavia}/l7policies", {"l7policy": {
                "listener_id": state["listener"], "action": "REDIRECT_TO_POOL", "redirect_pool_id": state["pool"],
                "position": 1, "rules": [{"type": "PATH", "compare_type": "STARTS_WITH", "value": "/api"}]}})
            policy_id = made["l7policy"]["id"]
            self.promise("L7 policy", f"{octavia}/l7policies/{policy_id}", "l7policy", {
                "position": 1, "redirect_pool_id": state["pool"], "rules": made["l7policy"]["rules"]})

        return [lb, listener, pool, member, monitor, policy]

    # --- checking ----------------------------------------------------------------------------------------
    def missing(self) -> list[str]:
        """Every promise not kept by the cloud now answering."""
        headers = {"OpenStack-API-Version": "compute 2.100"}
        lost = []
        for expect in self.promised.values():
            resp = self.http.get(expect.path, headers=headers)
            if expect.fields is None:
                if resp.status_code != 404:
                    lost.append(f"{expect.what} {expect.path}: {resp.status_code}, expected 404")
                continue
            if resp.status_code != 200:
                lost.append(f"{expect.what} {expect.path}: {resp.status_code}")
                continue
            found = resp.json()[expect.key]
            wrong = {k: found.get(k) for k, v in expect.fields.items() if found.get(k) != v}
            if wrong:
                lost.append(f"{expect.what} {expect.path}: {wrong}")
        return lost

    def every_kind(self) -> list[Callable[[], Any]]:
        """One write of each kind, in an order where each finds what it needs."""
        return [self.network, self.subnet, self.port, self.rename_port, self.router, self.interface,
                self.floating_ip, self.security_group, self.shared_pool, self.keypair, self.server,
                self.stop_server, *self.load_balancer(), self.delete_port]

    def random_write(self) -> None:
        choice = self.rng.choice([self.network, self.subnet, self.port, self.rename_port, self.delete_port,
                                  self.router, self.interface, self.floating_ip, self.security_group, self.keypair,
                                  self.server, self.stop_server, self.shared_pool, "lb"])
        if choice == "lb":
            for step in self.load_balancer():
                step()
        else:
            choice()
