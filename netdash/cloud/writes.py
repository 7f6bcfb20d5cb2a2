"""The changes actions make, and the single-object reads they wait and verify with.

One part of a `CloudClient`, beside its fetcher: every request goes through the same `cloud.session` as
the topology fetch (same token, same counting boundary), read and written as the REST APIs' JSON, and every
failure leaves as a NetdashError whose one line names the service, the call and the service's own message.
`ApiError.status` carries the HTTP status so actions can tell "the cloud refused" (4xx, 501) from "the
cloud failed" (5xx, unreachable).

Octavia refuses changes with 409 while a load balancer is PENDING_*: the Octavia writes here retry that
answer with back-off until `busy_timeout`, since "busy for a moment" is not a failure a user should see.
"""

from __future__ import annotations

import time
from typing import Any

from . import convert
from .api import Notify
from .errors import ApiError
from .model import FloatingIP, LoadBalancer, Member, Pool, Port, SecurityGroup, Server
from .session import Session

#: Nova's server actions by the verb netdash uses
SERVER_ACTIONS: dict[str, dict[str, Any]] = {
    "stop": {"os-stop": None},
    "start": {"os-start": None},
    "reboot": {"reboot": {"type": "SOFT"}},
}


class Writes:
    """Mutating calls and single reads, each one request of `session` (an Octavia write: one or more)."""

    def __init__(self, session: Session, busy_timeout: float = 60.0) -> None:
        self.session = session
        #: seconds an Octavia write keeps retrying 409 (load balancer PENDING_*) before it gives up
        self.busy_timeout = busy_timeout

    def send_when_idle(self, method: str, url: str, body: Any, notify: Notify | None) -> Any:
        """An Octavia write, retried with back-off while the load balancer is immutable (409)."""
        deadline = time.monotonic() + self.busy_timeout
        delay = 0.05
        while True:
            try:
                return self.session.send("load-balancer", method, url, body)
            except ApiError as exc:
                if exc.status != 409 or time.monotonic() + delay > deadline:
                    raise
                if notify is not None:
                    notify(f"load balancer busy (409), retrying in {delay:.2f} s")
            time.sleep(delay)
            delay = min(delay * 2, 2.0)

    # --- Neutron --------------------------------------------------------------------------------
    def get_port(self, port_id: str) -> Port:
        return convert.port(self.session.send("network", "GET", f"/ports/{port_id}")["port"])

    def get_port_tags(self, port_id: str) -> tuple[str, ...]:
        return convert.strings(self.session.send("network", "GET", f"/ports/{port_id}")["port"].get("tags"))

    def update_port(self, port_id: str, *, admin_state_up: bool) -> Port:
        body = self.session.send("network", "PUT", f"/ports/{port_id}", {"port": {"admin_state_up": admin_state_up}})
        return convert.port(body["port"])

    def get_floating_ip(self, fip_id: str) -> FloatingIP:
        return convert.floating_ip(self.session.send("network", "GET", f"/floatingips/{fip_id}")["floatingip"])

    def update_floating_ip(self, fip_id: str, port_id: str | None, fixed_ip_address: str | None = None) -> FloatingIP:
        """Associate, re-associate (one PUT: no gap with the address unassigned) or disassociate (None)."""
        change: dict[str, Any] = {"port_id": port_id}
        if port_id and fixed_ip_address:
            change["fixed_ip_address"] = fixed_ip_address
        body = self.session.send("network", "PUT", f"/floatingips/{fip_id}", {"floatingip": change})
        return convert.floating_ip(body["floatingip"])

    def create_floating_ip(self, network_id: str, port_id: str | None = None) -> FloatingIP:
        spec: dict[str, Any] = {"floating_network_id": network_id}
        if port_id:
            spec["port_id"] = port_id
        body = self.session.send("network", "POST", "/floatingips", {"floatingip": spec})
        return convert.floating_ip(body["floatingip"])

    def delete_floating_ip(self, fip_id: str) -> None:
        """Release the address to the pool (Neutron answers 204; the address may go to another project)."""
        self.session.send("network", "DELETE", f"/floatingips/{fip_id}")

    def delete_port(self, port_id: str) -> None:
        """Neutron deletes a port whatever is attached to it (a server's included): callers check first."""
        self.session.send("network", "DELETE", f"/ports/{port_id}")

    def get_security_group(self, sg_id: str) -> SecurityGroup:
        body = self.session.send("network", "GET", f"/security-groups/{sg_id}")
        return convert.security_group(body["security_group"])

    def delete_security_group(self, sg_id: str) -> None:
        """Neutron refuses a group a port uses (409), and drops the other groups' rules that name it."""
        self.session.send("network", "DELETE", f"/security-groups/{sg_id}")

    # --- Nova -----------------------------------------------------------------------------------
    def get_server(self, server_id: str) -> Server:
        return convert.server(self.session.send("compute", "GET", f"/servers/{server_id}")["server"])

    def server_interfaces(self, server_id: str) -> tuple[str, ...]:
        """Port ids Nova lists as attached (its view, which lags Neutron's while a detach runs)."""
        body = self.session.send("compute", "GET", f"/servers/{server_id}/os-interface")
        return tuple(a["port_id"] for a in convert.dicts(body.get("interfaceAttachments"))
                     if isinstance(a.get("port_id"), str))

    def attach_port(self, server_id: str, port_id: str) -> None:
        self.session.send("compute", "POST", f"/servers/{server_id}/os-interface",
                   {"interfaceAttachment": {"port_id": port_id}})

    def detach_port(self, server_id: str, port_id: str) -> None:
        """Asynchronous on a real Nova (202): wait for the port to be free before using it elsewhere."""
        self.session.send("compute", "DELETE", f"/servers/{server_id}/os-interface/{port_id}")

    def server_action(self, server_id: str, verb: str) -> None:
        if verb not in SERVER_ACTIONS:
            raise ValueError(f"unknown server action {verb!r}")
        self.session.send("compute", "POST", f"/servers/{server_id}/action", SERVER_ACTIONS[verb])

    # --- Octavia --------------------------------------------------------------------------------
    def get_load_balancer(self, lb_id: str) -> LoadBalancer:
        return convert.load_balancer(self.session.send("load-balancer", "GET", f"/lbaas/loadbalancers/{lb_id}")
                                     ["loadbalancer"])

    def get_pool(self, pool_id: str) -> Pool:
        return convert.pool(self.session.send("load-balancer", "GET", f"/lbaas/pools/{pool_id}")["pool"])

    def update_pool(self, pool_id: str, *, lb_algorithm: str, notify: Notify | None = None) -> Pool:
        body = self.send_when_idle("PUT", f"/lbaas/pools/{pool_id}", {"pool": {"lb_algorithm": lb_algorithm}},
                                    notify)
        return convert.pool(body["pool"])

    def get_member(self, pool_id: str, member_id: str) -> tuple[Member, tuple[str, ...]]:
        """The member with what the status tree leaves out (weight, admin state), and its tags."""
        body = self.session.send("load-balancer", "GET", f"/lbaas/pools/{pool_id}/members/{member_id}")["member"]
        return convert.member(body, pool_id), convert.strings(body.get("tags"))

    def update_member(self, pool_id: str, member_id: str, *, admin_state_up: bool | None = None,
                      weight: int | None = None, tags: tuple[str, ...] | None = None,
                      notify: Notify | None = None) -> Member:
        change: dict[str, Any] = {}
        if admin_state_up is not None:
            change["admin_state_up"] = admin_state_up
        if weight is not None:
            change["weight"] = weight
        if tags is not None:
            change["tags"] = list(tags)
        body = self.send_when_idle("PUT", f"/lbaas/pools/{pool_id}/members/{member_id}", {"member": change},
                                    notify)
        return convert.member(body["member"], pool_id)
