"""Nova's side of Neutron: the ports it makes, claims, binds and releases for servers, and the checks a
request's networks, fixed IPs, ports and security groups pass before a server is built. All through
Neutron's REST API (as Nova calls it on a real cloud), except the hot reads of its in-process read API."""

from __future__ import annotations

from typing import Any

from ..core import Context, Response, is_uuid
from ..identity import Identity
from ..network import Network
from .store import Record
from .wire import bad, conflict, neutron_message, not_found, param

#: the compute host every server lands on (a real cloud's hypervisor name)
HOST = "democloud"


class Plumbing:
    def __init__(self, network: Network, identity: Identity) -> None:
        self.network = network
        self.identity = identity

    @property
    def admin(self) -> Context:
        """Nova's service account: port binding fields are admin-only in Neutron."""
        return self.identity.context_for("admin")

    def call_neutron(self, method: str, path: str, body: Any = None, *, context: Context,
                     query: str = "") -> Response:
        return self.network.request(method, path, body, context=context, query=query)

    def server_ports(self, server: dict[str, Any]) -> list[dict[str, Any]]:
        """The server's interfaces as Nova knows them (`is_interface`)."""
        return [port for port in self.network.ports_of_device(server["id"]) if is_interface(server, port)]

    def security_groups(self, ctx: Context, requested: Any) -> list[str]:
        """Requested groups (names or ids, as the CLI sends ids) -> their ids, for the ports Nova makes."""
        if requested is None:
            return []
        resp = self.call_neutron("GET", "/v2.0/security-groups", context=ctx)
        groups = resp.body.get("security_groups", []) if resp.status == 200 else []
        ids: list[str] = []
        for wanted in (g.get("name") for g in requested):
            found = [g for g in groups if g["id"] == wanted] or [g for g in groups if g["name"] == wanted]
            if not found:
                raise bad(f"Security group {wanted} not found.")
            if len(found) > 1:
                raise conflict(f"Multiple security groups found matching '{wanted}'. Use an ID to be "
                               "more specific.")
            ids.append(found[0]["id"])
        return ids

    def network_requests(self, ctx: Context, networks: Any, count: int) -> list[dict[str, Any]]:
        """`networks` -> [{"network_id", "fixed_ip"} | {"port_id"}], each checked against Neutron."""
        if networks == "none":
            return []
        if networks is None or networks == "auto":
            return [{"network_id": self.auto_network(ctx)}]
        out: list[dict[str, Any]] = []
        for item in networks:
            if item.get("port"):
                out.append({"port_id": self.free_port(ctx, str(item["port"]), count)["id"]})
            elif item.get("uuid"):
                network_id = self.network_or_400(ctx, str(item["uuid"]))
                fixed = self.free_ip(network_id, item.get("fixed_ip"), count)
                out.append({"network_id": network_id, "fixed_ip": fixed})
            else:
                raise bad("Bad network format: missing 'uuid'")
        return out

    def auto_network(self, ctx: Context) -> str:
        """Nova's `networks: auto`: the one network the project can use (its own plus shared ones)."""
        resp = self.call_neutron("GET", "/v2.0/networks", context=ctx)
        nets = resp.body.get("networks", []) if resp.status == 200 else []
        usable = [n for n in nets if (n.get("project_id") == ctx.project_id and not n.get("shared"))
                  or n.get("shared")]
        if len(usable) > 1:
            raise conflict("Multiple possible networks found, use a Network ID to be more specific.")
        if not usable:
            raise bad(f"Unable to automatically allocate a network for project {ctx.project_id}")
        return str(usable[0]["id"])

    def network_or_400(self, ctx: Context, network_id: str) -> str:
        if not is_uuid(network_id):
            raise bad(f"Bad networks format: network uuid is not in proper format ({network_id})")
        if self.call_neutron("GET", f"/v2.0/networks/{network_id}", context=ctx).status != 200:
            raise bad(f"Network {network_id} could not be found.")
        return network_id

    def fixed_ip(self, value: Any, count: int) -> str | None:
        if value is None:
            return None
        if count > 1:  # the address itself is the schema's (ip_address)
            raise bad("max_count cannot be greater than 1 if an fixed_ip is specified.")
        return str(value)

    def free_ip(self, network_id: str, value: Any, count: int) -> str | None:
        """A requested fixed IP, refused up front (400, as Nova's API does) when a port already has it."""
        ip = self.fixed_ip(value, count)
        if ip is not None:
            holder = self.network.port_with_ip(ip, network_id=network_id)
            if holder is not None:
                raise bad(f"Fixed IP address {ip} is already in use on instance "
                          f"{holder.get('device_id')}.")
        return ip

    def free_port(self, ctx: Context, port_id: str, count: int) -> dict[str, Any]:
        resp = self.call_neutron("GET", f"/v2.0/ports/{port_id}", context=ctx)
        if resp.status != 200:
            raise bad(f"Port id {port_id} could not be found.")
        port = resp.body["port"]
        if port.get("device_id"):
            raise conflict(f"Port {port_id} is still in use.")
        if count > 1:
            raise bad("Unable to launch multiple instances with a single configured port ID. Please "
                      "launch your instance one by one with different ports.")
        return dict(port)

    def plug(self, ctx: Context, server: dict[str, Any], request: dict[str, Any],
             security_group_ids: list[str]) -> tuple[str | None, str]:
        """Create or claim one port for the server: (port id, "") or (None, Neutron's refusal)."""
        binding = {"device_id": server["id"], "device_owner": "compute:nova", "binding:host_id": HOST}
        if "port_id" in request:
            resp = self.call_neutron("PUT", f"/v2.0/ports/{request['port_id']}", {"port": binding},
                                     context=self.admin)
            return (request["port_id"], "") if resp.status < 400 else (None, neutron_message(resp))
        spec: dict[str, Any] = {"network_id": request["network_id"], "device_id": server["id"],
                                "device_owner": "compute:nova", "admin_state_up": True}
        if request.get("fixed_ip"):
            spec["fixed_ips"] = [{"ip_address": request["fixed_ip"]}]
        if security_group_ids:
            spec["security_groups"] = security_group_ids
        resp = self.call_neutron("POST", "/v2.0/ports", {"port": spec}, context=ctx)
        if resp.status >= 400:
            return None, neutron_message(resp)
        port_id = resp.body["port"]["id"]
        server["nova_ports"].add(port_id)
        self.call_neutron("PUT", f"/v2.0/ports/{port_id}", {"port": {"binding:host_id": HOST}},
                          context=self.admin)
        return port_id, ""

    def release_ports(self, server: Record) -> None:
        """Delete the ports Nova made for the server; hand pre-existing ones back unbound.

        Floating IPs on deleted ports are Neutron's business (it disassociates them), as on a real cloud.
        """
        for port in self.server_ports(server):
            self.detach_port(server, port["id"])

    def detach_port(self, server: dict[str, Any], port_id: str) -> None:
        if port_id in server["nova_ports"]:
            self.call_neutron("DELETE", f"/v2.0/ports/{port_id}", context=self.admin)
            server["nova_ports"].discard(port_id)
        else:
            self.call_neutron("PUT", f"/v2.0/ports/{port_id}", {"port": {
                "device_id": "", "device_owner": "", "binding:host_id": ""}}, context=self.admin)
    def attached_port(self, server: dict[str, Any], port_id: str) -> dict[str, Any]:
        port_id = param(port_id)
        port = self.network.get_port(port_id)
        if port is None or not is_interface(server, port):
            raise not_found(f"Instance {server['id']} does not have a port with id {port_id}")
        return dict(port)


def is_interface(server: dict[str, Any], port: dict[str, Any]) -> bool:
    """Whether a port is one of the server's interfaces: a port of the server's own project, bound to it
    as a compute port. Never a port that merely names the server in `device_id`: any project can create
    one, and real Nova's view (addresses, interfaces, what reaches the server) comes from its own
    attachments."""
    return (port.get("device_id") == server["id"] and port.get("project_id") == server["project_id"]
            and str(port.get("device_owner") or "").startswith("compute:"))
