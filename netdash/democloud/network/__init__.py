"""Neutron (network v2.0): networks, subnets with IPAM, ports, routers, floating IPs, security groups.

Each resource lives in its own module as a mixin over `NetBase` (state and indexes); `Network` puts them
together, serves the version documents, and offers the read API peers use in-process (Nova, Octavia).
"""

from __future__ import annotations

from typing import Any

from ..core import Request, Response
from .extensions import Extensions
from .floatingips import FloatingIPs
from .networks import Networks
from .ports import Ports
from .routers import Routers
from .secgroups import SecurityGroups
from .subnets import Subnets

#: (singular, collection) as `GET /v2.0` lists them
RESOURCES = (
    ("network", "networks"),
    ("subnet", "subnets"),
    ("port", "ports"),
    ("router", "routers"),
    ("floatingip", "floatingips"),
    ("security_group", "security-groups"),
    ("security_group_rule", "security-group-rules"),
    ("extension", "extensions"),
)


class Network(Networks, Subnets, Ports, Routers, FloatingIPs, SecurityGroups, Extensions):
    def setup(self) -> None:
        r = self.router
        r.add("GET", "/", self.versions, public=True)
        r.add("GET", "/v2.0", self.resources, public=True)
        self.network_routes(r)
        self.subnet_routes(r)
        self.port_routes(r)
        self.router_routes(r)
        self.floatingip_routes(r)
        self.secgroup_routes(r)
        self.extension_routes(r)

    def versions(self, req: Request) -> Response:
        return Response(
            200,
            {
                "versions": [
                    {
                        "id": "v2.0",
                        "status": "CURRENT",
                        "links": [{"rel": "self", "href": f"{req.service_url}/v2.0/"}],
                    }
                ]
            },
        )

    def resources(self, req: Request) -> Response:
        return Response(
            200,
            {
                "resources": [
                    {
                        "name": name,
                        "collection": collection,
                        "links": [{"rel": "self", "href": f"{req.service_url}/v2.0/{collection}"}],
                    }
                    for name, collection in RESOURCES
                ]
            },
        )

    # --- read API for peers (admin views, no HTTP) ----------------------------------------------
    def get_port(self, port_id: str) -> dict[str, Any] | None:
        port = self.store.ports.get(port_id)
        return None if port is None else self.port_view(port)

    def ports_of_device(self, device_id: str) -> list[dict[str, Any]]:
        store = self.store
        return [self.port_view(p) for p in store.in_creation_order(store.ports_of_dev.get(device_id), store.ports)]

    def port_with_ip(
        self, ip: str, *, subnet_id: str | None = None, network_id: str | None = None
    ) -> dict[str, Any] | None:
        for port_id in self.store.ports_at_ip.get(ip, ()):
            port = self.store.ports[port_id]
            if network_id is not None and port["network_id"] != network_id:
                continue
            if subnet_id is not None and not any(
                f["subnet_id"] == subnet_id and f["ip_address"] == ip for f in port["fixed_ips"]
            ):
                continue
            return self.port_view(port)
        return None

    def get_network(self, network_id: str) -> dict[str, Any] | None:
        net = self.store.networks.get(network_id)
        return None if net is None else self.network_view(net)

    def get_subnet(self, subnet_id: str) -> dict[str, Any] | None:
        subnet = self.store.subnets.get(subnet_id)
        return None if subnet is None else self.subnet_view(subnet)

    def floating_ips_of_port(self, port_id: str) -> list[dict[str, Any]]:
        store = self.store
        return [self.fip_view(f) for f in store.in_creation_order(store.fips_of_port.get(port_id), store.fips)]

    # --- for the data plane (call with the cloud lock held) -------------------------------------
    def associated_floating_ips(self) -> list[dict[str, Any]]:
        """Floating IPs pointing at a port: the ones the data plane listens on."""
        return [self.fip_view(f) for f in self.store.fips.values() if f["port_id"]]

    def loopback_ports(self) -> list[dict[str, Any]]:
        """Ports with a fixed IP in 127.0.0.0/8 (the `public` network): real addresses of this machine."""
        ids = {p: None for ip, ports in self.store.ports_at_ip.items() if ip.startswith("127.") for p in ports}
        return [self.port_view(self.store.ports[p]) for p in ids]

    def set_system_tags(self, resource: str, ident: str, prefix: str, tags: list[str]) -> None:
        """Replace the tags starting with `prefix` on a port or floating IP, keeping the user's own."""
        record = {"port": self.store.ports, "floatingip": self.store.fips}[resource].get(ident)
        if record is None:
            return
        kept = [t for t in record["tags"] if not t.startswith(prefix)]
        if kept + tags != record["tags"]:
            record["tags"] = kept + tags
            self.touch(record)


__all__ = ["Network"]
