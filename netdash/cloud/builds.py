"""Creating and deleting whole objects: what a guided tour needs that no action makes (a network, a router,
servers, a load balancer with its listener, pool, members and health monitor, a floating IP), and the
clean-up that removes them again.

One part of a `CloudClient`, beside its `Writes`, and on the same `Session` (same token, same request
budget, errors as one line naming the service and the call). Actions change what exists; building is
kept apart so that no action's contract grows a "create anything" verb: the tour engine (`netdash.tour`)
is its only caller. Each create waits until the object can be used (a server ACTIVE, a load balancer
ACTIVE again after each child), since the next step of a tour builds on it; Octavia's 409 while PENDING_*
is retried as `Writes` retries it.
"""

from __future__ import annotations

import base64
import time
from typing import Any

from . import convert
from .errors import ApiError, NetdashError
from .model import FloatingIP
from .writes import Writes

#: what the web server of a tour's server is, as cloud-init user data installs it (the documents' files)
USER_DATA = {
    "nginx": "#cloud-config\nruncmd:\n- yum install -y nginx\n- systemctl start nginx\n",
    "apache": "#cloud-config\nruncmd:\n- yum install -y httpd\n- systemctl start httpd\n",
}


class BuildTimeout(NetdashError):
    title = "Timed out"


class Builds:
    """Creates and deletes, each returning ids (or nothing); each a few requests of `writes.session`."""

    def __init__(self, writes: Writes, timeout: float = 120.0) -> None:
        self.writes = writes
        self.session = writes.session
        #: seconds a create waits for its object to be usable
        self.timeout = timeout

    def _post(self, service: str, url: str, kind: str, spec: dict[str, Any]) -> dict[str, Any]:
        body = self.session.send(service, "POST", url, {kind: spec})
        return dict(body[kind])

    def _wait(self, what: str, ready: Any) -> None:
        deadline = time.monotonic() + self.timeout
        delay = 0.05
        while not ready():
            if time.monotonic() > deadline:
                raise BuildTimeout(f"{what}: not ready after {self.timeout:g} s")
            time.sleep(delay)
            delay = min(delay * 1.5, 1.0)

    def _gone(self, service: str, method: str, url: str, body: Any = None) -> None:
        """A delete (or a removal) that finds the object gone already has nothing left to do."""
        try:
            self.session.send(service, method, url, body)
        except ApiError as exc:
            if exc.status != 404:
                raise

    # --- look-ups by name (what the documents' commands name) -------------------------------------------
    def network_id(self, name: str) -> str:
        found = self.session.send("network", "GET", f"/networks?name={name}")["networks"]
        if not found:
            raise ApiError(f"network: no network called {name!r}", status=404)
        return str(found[0]["id"])

    def image_id(self, name: str) -> str:
        found = self.session.send("image", "GET", f"/images?name={name}")["images"]
        if not found:
            raise ApiError(f"image: no image called {name!r}", status=404)
        return str(found[0]["id"])

    def flavor_id(self, name: str) -> str:
        for flavor in self.session.send("compute", "GET", "/flavors")["flavors"]:
            if flavor.get("name") == name:
                return str(flavor["id"])
        raise ApiError(f"compute: no flavor called {name!r}", status=404)

    # --- Neutron --------------------------------------------------------------------------------------
    def create_network(self, name: str, subnet: str, cidr: str, *, gateway: str | None = None,
                       dns: tuple[str, ...] = (), pool: tuple[str, str] | None = None) -> tuple[str, str]:
        """A network and its one IPv4 subnet: (network id, subnet id)."""
        net = self._post("network", "/networks", "network", {"name": name, "admin_state_up": True})
        spec: dict[str, Any] = {"name": subnet, "network_id": net["id"], "cidr": cidr, "ip_version": 4}
        if gateway:
            spec["gateway_ip"] = gateway
        if dns:
            spec["dns_nameservers"] = list(dns)
        if pool:
            spec["allocation_pools"] = [{"start": pool[0], "end": pool[1]}]
        try:
            sub = self._post("network", "/subnets", "subnet", spec)
        except NetdashError:
            self.delete_network(str(net["id"]))
            raise
        return str(net["id"]), str(sub["id"])

    def delete_network(self, network_id: str) -> None:
        """Its subnets go with it (Neutron refuses while ports other than DHCP's remain)."""
        self._gone("network", "DELETE", f"/networks/{network_id}")

    def create_router(self, name: str, external_network_id: str | None, subnet_ids: tuple[str, ...]) -> str:
        router = self._post("network", "/routers", "router", {"name": name, "admin_state_up": True})
        router_id = str(router["id"])
        if external_network_id:
            self.session.send("network", "PUT", f"/routers/{router_id}",
                              {"router": {"external_gateway_info": {"network_id": external_network_id}}})
        for subnet_id in subnet_ids:
            self.session.send("network", "PUT", f"/routers/{router_id}/add_router_interface",
                              {"subnet_id": subnet_id})
        return router_id

    def delete_router(self, router_id: str) -> None:
        """Its interfaces removed and its gateway cleared first, as Neutron requires."""
        try:
            ports = self.session.send("network", "GET", f"/ports?device_id={router_id}")["ports"]
        except ApiError as exc:
            if exc.status == 404:
                return
            raise
        for port in ports:
            if port.get("device_owner") == "network:router_interface":
                for fixed in port.get("fixed_ips") or ():
                    self._gone("network", "PUT", f"/routers/{router_id}/remove_router_interface",
                               {"subnet_id": fixed["subnet_id"]})
        self._gone("network", "PUT", f"/routers/{router_id}", {"router": {"external_gateway_info": {}}})
        self._gone("network", "DELETE", f"/routers/{router_id}")

    def create_port(self, name: str, network_id: str) -> str:
        return str(self._post("network", "/ports", "port", {"name": name, "network_id": network_id})["id"])

    def create_floating_ip(self, network_id: str, port_id: str | None, description: str) -> FloatingIP:
        spec: dict[str, Any] = {"floating_network_id": network_id, "description": description}
        if port_id:
            spec["port_id"] = port_id
        return convert.floating_ip(self._post("network", "/floatingips", "floatingip", spec))

    def delete_floating_ip(self, fip_id: str) -> None:
        self._gone("network", "DELETE", f"/floatingips/{fip_id}")

    def delete_port(self, port_id: str) -> None:
        self._gone("network", "DELETE", f"/ports/{port_id}")

    # --- Nova -----------------------------------------------------------------------------------------
    def create_server(self, name: str, image_id: str, flavor_id: str, networks: tuple[dict[str, str], ...],
                      software: str) -> str:
        """A server whose user data starts `software` (a key of `USER_DATA`), waited for until ACTIVE."""
        spec = {"name": name, "imageRef": image_id, "flavorRef": flavor_id, "networks": list(networks),
                "security_groups": [{"name": "default"}],
                "user_data": base64.b64encode(USER_DATA[software].encode()).decode()}
        server_id = str(self._post("compute", "/servers", "server", spec)["id"])
        self._wait(f"server {name}", lambda: self.writes.get_server(server_id).status == "ACTIVE")
        return server_id

    def server_port_ids(self, server_id: str, network_id: str | None = None) -> tuple[str, ...]:
        query = f"/ports?device_id={server_id}" + (f"&network_id={network_id}" if network_id else "")
        return tuple(str(p["id"]) for p in self.session.send("network", "GET", query)["ports"])

    def port_address(self, port_id: str) -> str:
        return str(self.session.send("network", "GET", f"/ports/{port_id}")["port"]["fixed_ips"][0]["ip_address"])

    def delete_server(self, server_id: str) -> None:
        """Deleted and waited for until Nova no longer lists it (its ports are then free)."""
        self._gone("compute", "DELETE", f"/servers/{server_id}")

        def gone() -> bool:
            try:
                self.writes.get_server(server_id)
            except ApiError as exc:
                return exc.status == 404
            return False

        self._wait("server deletion", gone)

    # --- Octavia --------------------------------------------------------------------------------------
    def _lb_active(self, lb_id: str) -> None:
        self._wait("load balancer", lambda: self.writes.get_load_balancer(lb_id).provisioning_status == "ACTIVE")

    def _lb_post(self, lb_id: str, path: str, kind: str, spec: dict[str, Any]) -> str:
        body = self.writes.send_when_idle("POST", f"/lbaas/{path}", {kind: spec}, None)
        self._lb_active(lb_id)
        return str(body[kind]["id"])

    def create_load_balancer(self, name: str, subnet_id: str) -> tuple[str, str]:
        """(load balancer id, VIP port id), once ACTIVE."""
        lb = self._post("load-balancer", "/lbaas/loadbalancers", "loadbalancer",
                        {"name": name, "vip_subnet_id": subnet_id})
        self._lb_active(str(lb["id"]))
        return str(lb["id"]), str(self.writes.get_load_balancer(str(lb["id"])).vip_port_id or "")

    def create_listener(self, lb_id: str, name: str, protocol: str, port: int) -> str:
        return self._lb_post(lb_id, "listeners", "listener", {"name": name, "protocol": protocol,
                                                              "protocol_port": port, "loadbalancer_id": lb_id})

    def create_pool(self, lb_id: str, listener_id: str, name: str, protocol: str, algorithm: str) -> str:
        return self._lb_post(lb_id, "pools", "pool", {"name": name, "protocol": protocol, "lb_algorithm": algorithm,
                                                      "listener_id": listener_id})

    def create_member(self, lb_id: str, pool_id: str, *, name: str, subnet_id: str, address: str,
                      port: int) -> str:
        return self._lb_post(lb_id, f"pools/{pool_id}/members", "member",
                             {"name": name, "subnet_id": subnet_id, "address": address, "protocol_port": port})

    def create_health_monitor(self, lb_id: str, pool_id: str, *, name: str, kind: str, delay: int, timeout: int,
                              max_retries: int, url_path: str = "/") -> str:
        spec: dict[str, Any] = {"name": name, "pool_id": pool_id, "type": kind, "delay": delay, "timeout": timeout,
                                "max_retries": max_retries}
        if kind in ("HTTP", "HTTPS"):
            spec["url_path"] = url_path
        return self._lb_post(lb_id, "healthmonitors", "healthmonitor", spec)

    def delete_lb_object(self, lb_id: str, path: str) -> None:
        """A listener, pool, member or monitor (`path` under /lbaas/), and its load balancer ACTIVE again."""
        try:
            self.writes.send_when_idle("DELETE", f"/lbaas/{path}", None, None)
        except ApiError as exc:
            if exc.status != 404:
                raise
        self._lb_active(lb_id)

    def delete_load_balancer(self, lb_id: str) -> None:
        """With everything under it (`cascade`), waited for until Octavia no longer lists it."""
        try:
            self.writes.send_when_idle("DELETE", f"/lbaas/loadbalancers/{lb_id}?cascade=true", None, None)
        except ApiError as exc:
            if exc.status != 404:
                raise
            return

        def gone() -> bool:
            try:
                return self.writes.get_load_balancer(lb_id).provisioning_status == "DELETED"
            except ApiError as exc:
                return exc.status == 404

        self._wait("load balancer deletion", gone)

    # --- what a name prefix finds (the tour's clean-up, and its test) -----------------------------------
    def named(self, prefix: str) -> list[tuple[str, str, str]]:
        """(kind, id, name) of every object of the project whose name (a floating IP's description) starts
        with `prefix`."""
        found: list[tuple[str, str, str]] = []
        lists = (("network", "/networks", "networks", "network"), ("network", "/routers", "routers", "router"),
                 ("network", "/ports", "ports", "port"), ("network", "/floatingips", "floatingips", "floating_ip"),
                 ("compute", "/servers", "servers", "server"),
                 ("load-balancer", "/lbaas/loadbalancers", "loadbalancers", "load_balancer"))
        for service, url, collection, kind in lists:
            for item in self.session.send(service, "GET", url)[collection]:
                name = str(item.get("name") or item.get("description") or "")
                if name.startswith(prefix):
                    found.append((kind, str(item["id"]), name))
        return found
