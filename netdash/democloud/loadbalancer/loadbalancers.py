"""Load balancers: create with a VIP allocated as a real Neutron port, update, delete (cascade), stats,
failover.

The VIP is what a user attaches a floating IP to, so it must be an ordinary Neutron port: Octavia's
amphora driver creates it with the service account in the load balancer's project, named
`octavia-lb-<lb id>`, owned by device `lb-<lb id>` / `Octavia`, admin-down (the amphora plugs it).
"""

from __future__ import annotations

from typing import Any

from ..core import Request, Response, new_id
from . import listing
from .base import Resource
from .catalogue import provider_for
from .faults import forbidden, invalid_subresource, validation
from .provisioning import PENDING_DELETE, PENDING_UPDATE, stamp_new
from .quotas import charge
from .schema import BOOL, TAGS, UUID, Body, Field, text
from .store import Record

VIP_FIELDS = ("vip_port_id", "vip_network_id", "vip_subnet_id")
ADDITIONAL_VIP = {"subnet_id": Field("uuid", mandatory=True), "ip_address": Field("ip")}

POST = {
    "name": text(), "description": text(), "admin_state_up": BOOL, "project_id": text(36),
    "vip_address": Field("ip"), "vip_port_id": UUID, "vip_subnet_id": UUID, "vip_network_id": UUID,
    "vip_qos_policy_id": UUID, "vip_sg_ids": Field("uuids"),
    "additional_vips": Field("objs", fields=ADDITIONAL_VIP), "provider": text(64), "tags": TAGS,
    "flavor_id": UUID, "availability_zone": text(), "listeners": Field("list"), "pools": Field("list"),
}
PUT = {"name": text(), "description": text(), "admin_state_up": BOOL, "vip_qos_policy_id": UUID,
       "tags": TAGS, "vip_sg_ids": Field("uuids")}
CREATE = Body("loadbalancer", "load_balancer", POST)
UPDATE = Body("loadbalancer", "load_balancer", PUT)


class LoadBalancers(Resource):
    kind = "loadbalancer"
    title = "Load Balancer"

    def register(self) -> None:
        add = self.service.route
        add("GET", "/lbaas/loadbalancers", self.list)
        add("POST", "/lbaas/loadbalancers", self.create)
        add("GET", "/lbaas/loadbalancers/{lb_id}", self.show)
        add("PUT", "/lbaas/loadbalancers/{lb_id}", self.update)
        add("DELETE", "/lbaas/loadbalancers/{lb_id}", self.delete)
        add("GET", "/lbaas/loadbalancers/{lb_id}/stats", self.stats)
        add("PUT", "/lbaas/loadbalancers/{lb_id}/failover", self.failover)

    def view(self, lb: Record, now: float, *, operating: bool = True) -> dict[str, Any]:
        """`operating=False`: the operating status left None (it looks at every member of every pool)."""
        return {
            "id": lb["id"], "name": lb["name"], "description": lb["description"],
            "provisioning_status": self.status_of(lb, now),
            "operating_status": self.operating.lb(lb, now) if operating else None,
            "admin_state_up": lb["admin_state_up"], "project_id": lb["project_id"], **self.stamps(lb, now),
            "vip_address": lb["vip_address"], "vip_port_id": lb["vip_port_id"],
            "vip_subnet_id": lb["vip_subnet_id"], "vip_network_id": lb["vip_network_id"],
            "vip_sg_ids": list(lb["vip_sg_ids"]), "additional_vips": [dict(v) for v in lb["additional_vips"]],
            "listeners": self.ids(self.store.listeners_of(lb["id"])),
            "pools": self.ids(self.store.pools_of(lb["id"])), "provider": lb["provider"],
            "flavor_id": lb["flavor_id"], "vip_qos_policy_id": lb["vip_qos_policy_id"],
            "tags": list(lb["tags"]), "availability_zone": lb["availability_zone"], "vip_vnic_type": "normal",
            "tenant_id": lb["project_id"],
        }

    # --- handlers -----------------------------------------------------------------------------------
    def list(self, req: Request) -> Response:
        now = self.now()
        return listing.collection(req, "loadbalancers",
                                  [self.view(lb, now) for lb in self.visible(req, self.store.lbs)])

    def show(self, req: Request, lb_id: str) -> Response:
        return self.shown(req, "loadbalancer", self.view(self.find(req, lb_id), self.now()))

    def create(self, req: Request) -> Response:
        body = CREATE.parse(req)
        project = self.owner(req, body.get("project_id"))
        if not any(body.get(k) for k in VIP_FIELDS):
            raise validation(f"VIP must contain one of: {', '.join(VIP_FIELDS)}.")
        provider, flavor_id, zone = provider_for(self.store, body)
        if body.get("listeners") or body.get("pools"):
            raise validation("creating listeners and pools in the load balancer request (single-call "
                             "create) is not supported by this cloud; create them one by one.")
        charge(self.store, project, "load_balancer")
        lb_id = new_id()
        lb: Record = {
            "id": lb_id, "project_id": project, "name": body.get("name") or "",
            "description": body.get("description") or "", "admin_state_up": body.get("admin_state_up", True),
            "provider": provider, "flavor_id": flavor_id, "availability_zone": zone,
            "vip_qos_policy_id": body.get("vip_qos_policy_id"), "vip_sg_ids": body.get("vip_sg_ids") or [],
            "tags": body.get("tags") or [],
            **self.allocate_vip(req, lb_id, project, body),
        }
        now = self.now()
        stamp_new(lb, now, self.delay)
        self.store.add_lb(lb)
        return self.created("loadbalancer", self.view(lb, now))

    def update(self, req: Request, lb_id: str) -> Response:
        body = UPDATE.parse(req)
        lb = self.find(req, lb_id)
        now = self.now()
        self.check_mutable(lb, now)
        self.assign(lb, body)
        self.provisioning.touch([lb], PENDING_UPDATE, now, self.delay)
        return Response(200, {"loadbalancer": self.view(lb, now)})

    def delete(self, req: Request, lb_id: str) -> Response:
        lb = self.find(req, lb_id)
        cascade = (req.arg("cascade") or "").lower() in ("true", "1", "yes")
        listeners, pools = self.store.listeners_of(lb_id), self.store.pools_of(lb_id)
        if (listeners or pools) and not cascade:
            raise validation(f"Cannot delete Load Balancer {lb_id} - it has children")
        now = self.now()
        self.check_mutable(lb, now)
        children: list[Record] = [*listeners, *pools]
        for pool in pools:
            children.extend(self.store.members_of(pool["id"]))
            monitor = self.store.monitor_of(pool["id"])
            if monitor is not None:
                children.append(monitor)
        self.provisioning.touch(children, PENDING_DELETE, now, self.delay)
        self.provisioning.delete(self.kind, lb, now, self.delay)
        self.release_vip(lb)
        return Response(204)

    def stats(self, req: Request, lb_id: str) -> Response:
        lb = self.find(req, lb_id)
        return Response(200, {"stats": self.service.stats_of(
            [li["id"] for li in self.store.listeners_of(lb["id"])])})

    def failover(self, req: Request, lb_id: str) -> Response:
        lb = self.find(req, lb_id)
        if not self.context(req).is_admin:
            raise forbidden()
        now = self.now()
        self.check_mutable(lb, now)
        self.provisioning.touch([lb], PENDING_UPDATE, now, self.delay)
        return Response(202)

    # --- the VIP, through Neutron ---------------------------------------------------------------------
    def neutron_get(self, req: Request, collection: str, ident: str, title: str) -> dict[str, Any]:
        """A Neutron object as the caller sees it; what the caller cannot see does not exist."""
        resp = self.service.network.request("GET", f"/v2.0/{collection}s/{ident}", context=self.context(req))
        if resp.status != 200 or not isinstance(resp.body, dict):
            raise invalid_subresource(title, ident)
        return dict(resp.body[collection])

    def allocate_vip(self, req: Request, lb_id: str, project: str, body: dict[str, Any]) -> dict[str, Any]:
        subnet_id, network_id = body.get("vip_subnet_id"), body.get("vip_network_id")
        address = body.get("vip_address")
        if body.get("vip_port_id"):
            return self.existing_port(req, body["vip_port_id"], subnet_id, address)
        if subnet_id:
            subnet = self.neutron_get(req, "subnet", subnet_id, "Subnet")
            if network_id and subnet.get("network_id") != network_id:
                raise invalid_subresource("Subnet", subnet_id)
            network_id = subnet.get("network_id")
        else:
            network = self.neutron_get(req, "network", str(network_id), "Network")
            if not network.get("subnets"):
                raise validation("Supplied network does not contain a subnet.")
        fixed: list[dict[str, str]] = []
        if subnet_id or address:
            fixed.append({**({"subnet_id": subnet_id} if subnet_id else {}),
                          **({"ip_address": address} if address else {})})
        extra = []
        for vip in body.get("additional_vips") or []:
            other = self.neutron_get(req, "subnet", vip["subnet_id"], "Subnet")
            if other.get("network_id") != network_id:
                raise validation("All VIP subnets must belong to the same network.")
            extra.append({"subnet_id": vip["subnet_id"], **({"ip_address": vip["ip_address"]}
                                                              if vip.get("ip_address") else {})})
        port_body: dict[str, Any] = {
            "name": f"octavia-lb-{lb_id}", "network_id": network_id, "admin_state_up": False,
            "device_id": f"lb-{lb_id}", "device_owner": "Octavia", "project_id": project}
        if fixed or extra:
            port_body["fixed_ips"] = fixed + extra
        admin = self.service.identity.context_for("admin")
        resp = self.service.network.request("POST", "/v2.0/ports", {"port": port_body}, context=admin)
        if resp.status != 201:
            raise self.neutron_error(resp)
        port = resp.body["port"]
        ips = port.get("fixed_ips") or []
        first = ips[0] if ips else {}
        return {"vip_port_id": port["id"], "vip_network_id": port["network_id"],
                "vip_subnet_id": first.get("subnet_id", subnet_id), "vip_address": first.get("ip_address"),
                "additional_vips": [{"subnet_id": ip["subnet_id"], "ip_address": ip["ip_address"]}
                                    for ip in ips[1:]],
                "_own_port": True}

    def existing_port(self, req: Request, port_id: str, subnet_id: str | None,
                      address: str | None) -> dict[str, Any]:
        """A VIP on a port the user made: Octavia uses it as it is and never deletes it."""
        port = self.neutron_get(req, "port", port_id, "Port")
        if port.get("device_id"):
            raise validation(f"Port {port_id} is already used by device {port['device_id']} ")
        ips = [ip for ip in port.get("fixed_ips") or []
               if (not subnet_id or ip.get("subnet_id") == subnet_id)
               and (not address or ip.get("ip_address") == address)]
        if not ips:
            raise validation(f"Port {port_id} has no fixed IP matching the requested VIP.")
        return {"vip_port_id": port_id, "vip_network_id": port.get("network_id"),
                "vip_subnet_id": ips[0].get("subnet_id"), "vip_address": ips[0].get("ip_address"),
                "additional_vips": [], "_own_port": False}

    def release_vip(self, lb: Record) -> None:
        """Free the VIP port Octavia made (a user's own port is left alone).

        Done when the delete is accepted rather than when it completes: completion is only noticed on the
        next Octavia request, and Neutron's port list must not keep showing the port until then.
        """
        if lb.get("_own_port") and lb.get("vip_port_id"):
            lb["_own_port"] = False
            admin = self.service.identity.context_for("admin")
            self.service.network.request("DELETE", f"/v2.0/ports/{lb['vip_port_id']}", context=admin)
