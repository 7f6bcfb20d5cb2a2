"""What an admin sees of the machinery: `/v2.0/agents` (agent, agent-resources-synced, agent_sort_key), read
only, the availability zones they are in (`/v2.0/availability_zones`, availability_zone and its filters), and
`/v2.0/service-providers` (service-type).

The embedded cloud has no agent processes; it answers as an ML2/OVS cloud of two hosts would: on the network
host the L3, DHCP, metadata and Open vSwitch agents, on the compute host (where Nova binds its servers' ports,
compute/plumbing.py's HOST) an Open vSwitch agent, all alive, each with a stable id and its state counted
from the store. Agents are the admin's (`get_agent`): another caller's list is empty and its show a 404
`HTTPNotFound`. The service providers are the L3 ones Neutron's router plugin registers itself
(`_LegacyPlusProviderConfiguration`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from ...core import Request, Response, Router
from ..attrs import caller
from ..errors import hidden, not_found
from ..policy import AGENTS, ZONES
from ..query import list_answer, shown
from ..store import Store

AGENT_FIELDS = ("id", "agent_type", "binary", "topic", "host", "admin_state_up", "created_at", "started_at",
                "heartbeat_timestamp", "alive", "configurations", "description", "availability_zone",
                "resources_synced")
ZONE_FIELDS = ("name", "resource", "state")
PROVIDER_FIELDS = ("service_type", "name", "default")
PROVIDERS = tuple({"service_type": "L3_ROUTER_NAT", "name": name, "default": False}
                  for name in ("dvrha", "dvr", "ha", "single_node"))


def stamp(moment: float) -> str:
    """Agents' times are written as their database column holds them: no `T`, no zone."""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M:%S")


class AgentsController:
    def __init__(self, store: Store, started: float, clock: Any) -> None:
        self.store = store
        self.started = started
        self.clock = clock

    def register(self, r: Router) -> None:
        r.add("GET", "/v2.0/agents", self.list)
        r.add("GET", "/v2.0/agents/{agent_id}", self.show)
        r.add("GET", "/v2.0/service-providers", self.providers)
        r.add("GET", "/v2.0/availability_zones", self.zones)

    def agents(self) -> list[dict[str, Any]]:
        return [self.view(*agent) for agent in AGENTS]

    def list(self, req: Request) -> Response:
        return list_answer(req, "agent", "agents", self.agents() if caller(req).is_admin else [], AGENT_FIELDS)

    def show(self, req: Request, agent_id: str) -> Response:
        agent = next((a for a in self.agents() if a["id"] == agent_id), None)
        if agent is None:
            raise not_found("agent", agent_id)
        if not caller(req).is_admin:
            raise hidden()
        return shown(req, "agent", agent)

    def view(self, kind: str, binary: str, topic: str, host: str, zone: str | None) -> dict[str, Any]:
        return {"id": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{binary}.{host}")), "agent_type": kind, "binary": binary,
                "topic": topic, "host": host, "admin_state_up": True, "created_at": stamp(self.started),
                "started_at": stamp(self.started), "heartbeat_timestamp": stamp(self.clock()), "alive": True,
                "configurations": self.configurations(kind, host), "description": None,
                "availability_zone": zone, "resources_synced": None}

    def configurations(self, kind: str, host: str) -> dict[str, Any]:
        store = self.store
        if kind == "L3 agent":
            gateways = [p for p in store.ports.values() if p["device_owner"] == "network:router_gateway"]
            return {"agent_mode": "legacy", "routers": len(store.routers), "ex_gw_ports": len(gateways),
                    "interfaces": sum(1 for p in store.ports.values()
                                      if p["device_owner"] == "network:router_interface"),
                    "floating_ips": sum(1 for f in store.fips.values() if f["port_id"])}
        if kind == "DHCP agent":
            dhcp = [s for s in store.subnets.values() if s["enable_dhcp"]]
            return {"dhcp_driver": "neutron.agent.linux.dhcp.Dnsmasq", "networks": len({s["network_id"] for s in dhcp}),
                    "subnets": len(dhcp), "ports": 0}
        if kind == "Metadata agent":
            return {"metadata_proxy_socket": "/var/lib/neutron/metadata_proxy", "log_agent_heartbeats": False}
        bound = sum(1 for p in store.ports.values() if p["binding:host_id"] == host)
        return {"bridge_mappings": {"public": "br-ex"}, "tunnel_types": ["vxlan"], "tunneling_ip": "127.0.0.1",
                "l2_population": False, "devices": bound, "integration_bridge": "br-int"}

    def zones(self, req: Request) -> Response:
        """A zone per resource its agents host: networks (DHCP agents) and routers (L3 agents)."""
        return list_answer(req, "availability_zone", "availability_zones", [
            {"name": zone, "resource": resource, "state": "available"} for zone, resource in ZONES], ZONE_FIELDS)

    def providers(self, req: Request) -> Response:
        return list_answer(req, "service_provider", "service_providers", [dict(p) for p in PROVIDERS],
                           PROVIDER_FIELDS)
