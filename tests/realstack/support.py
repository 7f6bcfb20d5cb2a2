"""Reaching realstack from the tests: its clouds.yaml, the `openstack` CLI, `netdash`, and raw HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.osc import OpenStackCLI
from tests.waiting import wait_for

#: set by `make test-real`: the clouds.yaml that tests/realstack/stack.py wrote
ENV = "NETDASH_REALSTACK"
CLOUD = "realstack"
NETDASH = str(Path(sys.executable).parent / "netdash")


def clouds_yaml() -> Path | None:
    value = os.environ.get(ENV)
    return Path(value).resolve() if value else None


def endpoints(path: Path) -> dict[str, str]:
    """Service type -> base URL, from the endpoint overrides of the `realstack` entry. Compute (Nova's
    root, without /v2.1) and image only when realstack runs Nova (REALSTACK_NOVA=1)."""
    entry = yaml.safe_load(path.read_text())["clouds"][CLOUD]
    urls = {"network": entry["network_endpoint_override"].rstrip("/"),
            "load-balancer": entry["load_balancer_endpoint_override"].rstrip("/")}
    if "compute_endpoint_override" in entry:
        urls["compute"] = entry["compute_endpoint_override"].rstrip("/").removesuffix("/v2.1")
        urls["image"] = entry["image_endpoint_override"].rstrip("/")
    return urls


def has_nova(path: Path) -> bool:
    """Whether the running realstack has Nova, Placement and Glance (clouds.yaml has their endpoints)."""
    return "compute" in endpoints(path)


#: why the tests that need Nova skip when realstack runs without it
NO_NOVA = ("realstack runs without Nova (no compute_endpoint_override in its clouds.yaml): "
           "REALSTACK_NOVA=1 make realstack")
#: what stack.py (stack_nova.py) creates to boot servers from
FLAVOR, IMAGE = "m1.tiny", "tiny"


def unique(prefix: str) -> str:
    """Names are unique per test: realstack keeps what earlier tests (and runs) created."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def realstack_cli(workdir: Path) -> OpenStackCLI:
    path = clouds_yaml()
    assert path is not None
    return OpenStackCLI(None, workdir, clouds_yaml=path, cloud_name=CLOUD)


@dataclass(frozen=True)
class RoutedNetwork:
    net: str
    subnet: str
    router: str

    @classmethod
    def create(cls, osc: OpenStackCLI, cidr: str) -> RoutedNetwork:
        """A network and subnet behind a router gatewayed on `public`: floating IPs can reach its ports."""
        net = cls(unique("net"), unique("subnet"), unique("router"))
        osc.run(f"network create {net.net}")
        osc.run(f"subnet create {net.subnet} --network {net.net} --subnet-range {cidr}")
        osc.run(f"router create {net.router}")
        osc.run(f"router set --external-gateway public {net.router}")
        osc.run(f"router add subnet {net.router} {net.subnet}")
        return net

    def teardown(self, osc: OpenStackCLI, *first: str) -> None:
        """`first` (what was built on it), then the network itself; best effort: a module's tests are over."""
        for command in (*first, f"router remove subnet {self.router} {self.subnet}", f"router delete {self.router}",
                        f"network delete {self.net}"):
            try:
                osc.run(command)
            except AssertionError:
                pass


def netdash(*args: str, expect: int | None = 0) -> subprocess.CompletedProcess[str]:
    """`netdash ... --os-cloud realstack` in a process of its own, as a user runs it (`expect=None`: any exit)."""
    path = clouds_yaml()
    assert path is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env["OS_CLIENT_CONFIG_FILE"] = str(path)
    done = subprocess.run([NETDASH, *args, "--os-cloud", CLOUD], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert expect is None or done.returncode == expect, (
        f"netdash {' '.join(args)}: exit {done.returncode}\n{done.stdout}\n{done.stderr}")
    assert "Traceback" not in done.stderr, done.stderr
    return done


def topology_json() -> dict[str, Any]:
    return json.loads(netdash("topology", "--format", "json").stdout)


class Octavia:
    """Raw reads of realstack's Octavia: waiting on provisioning status costs a GET, not a CLI start."""

    def __init__(self) -> None:
        path = clouds_yaml()
        assert path is not None
        self.http = httpx.Client(base_url=endpoints(path)["load-balancer"] + "/v2/lbaas", timeout=30)

    def get(self, kind: str, id_: str) -> dict[str, Any]:
        response = self.http.get(f"/{kind}s/{id_}")
        response.raise_for_status()
        return response.json()[kind]

    def wait_active(self, lb_id: str) -> dict[str, Any]:
        return wait_for(lambda: (lb := self.get("loadbalancer", lb_id))["provisioning_status"] == "ACTIVE" and lb,
                        timeout=30, interval=0.1, what=f"load balancer {lb_id} ACTIVE")


class Nova:
    """Raw reads of realstack's Nova: the interface list (os-interface) has no `openstack` command."""

    def __init__(self) -> None:
        path = clouds_yaml()
        assert path is not None
        self.http = httpx.Client(base_url=endpoints(path)["compute"] + "/v2.1", timeout=30)

    def interface_ports(self, server_id: str) -> set[str]:
        response = self.http.get(f"/servers/{server_id}/os-interface")
        response.raise_for_status()
        return {i["port_id"] for i in response.json()["interfaceAttachments"]}
