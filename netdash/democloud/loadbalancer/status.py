"""The status tree and the unauthenticated version document.

`GET /v2/lbaas/loadbalancers/{id}/status` is what `openstack loadbalancer status show` prints and what
the dashboard polls: load balancer -> listeners -> each listener's pool -> members and health monitor,
each with its provisioning and operating status.
"""

from __future__ import annotations

from typing import Any

from ..core import Request, Response
from .base import Resource
from .store import Record

#: (minor version, release date) of each Octavia v2 API version; the last one is CURRENT
VERSIONS = (
    (0, "2016-12-11"), (1, "2018-04-20"), (2, "2018-07-31"), (3, "2018-12-18"), (4, "2018-12-19"),
    (5, "2019-01-21"), (6, "2019-01-25"), (7, "2018-01-25T12:00:00"), (8, "2019-02-12"), (9, "2019-03-04"),
    (10, "2019-03-05"), (11, "2019-06-24"), (12, "2019-09-11"), (13, "2019-09-13"), (14, "2019-11-10"),
    (15, "2020-03-10"), (16, "2020-03-15"), (17, "2020-04-29"), (18, "2020-04-29T01:00:00"),
    (19, "2020-05-12"), (20, "2020-08-02"), (21, "2020-09-03"), (22, "2020-09-04"), (23, "2020-09-07"),
    (24, "2020-10-15"), (25, "2021-10-02"), (26, "2022-08-29"), (27, "2023-05-05"), (28, "2023-11-08"),
    (29, "2024-10-15"), (30, "2025-02-26"),
)


class Statuses(Resource):
    kind = "loadbalancer"
    title = "Load Balancer"

    def register(self) -> None:
        add = self.service.route
        add("GET", "/lbaas/loadbalancers/{lb_id}/status", self.tree)
        self.service.router.add("GET", "/", self.versions, public=True)

    # --- the status tree ------------------------------------------------------------------------
    def tree(self, req: Request, lb_id: str) -> Response:
        lb = self.find(req, lb_id)
        now = self.now()
        op = self.operating
        listeners = [{"id": li["id"], "name": li["name"] or "", "operating_status": op.listener(li, now),
                      "provisioning_status": self.status_of(li, now), "pools": self.pools_of(li, now)}
                     for li in self.store.listeners_of(lb["id"])]
        return Response(200, {"statuses": {"loadbalancer": {
            "id": lb["id"], "name": lb["name"], "operating_status": op.lb(lb, now),
            "provisioning_status": self.status_of(lb, now), "listeners": listeners}}})

    def pools_of(self, listener: Record, now: float) -> list[dict[str, Any]]:
        return [self.pool_node(self.store.pools[i], now) for i in self.store.pools_of_listener(listener)]

    def pool_node(self, pool: Record, now: float) -> dict[str, Any]:
        node: dict[str, Any] = {"id": pool["id"], "name": pool["name"],
                                "provisioning_status": self.status_of(pool, now),
                                "operating_status": self.operating.pool(pool, now)}
        hm = self.store.monitor_of(pool["id"])
        if hm is not None:
            node["health_monitor"] = {"id": hm["id"], "name": hm["name"], "type": hm["type"],
                                      "provisioning_status": self.status_of(hm, now),
                                      "operating_status": self.operating.monitor(hm, now)}
        node["members"] = [{"id": m["id"], "name": m["name"],
                            "operating_status": self.operating.member(m, now),
                            "provisioning_status": self.status_of(m, now), "address": m["address"],
                            "protocol_port": m["protocol_port"]}
                           for m in self.store.members_of(pool["id"])]
        return node

    def versions(self, req: Request) -> Response:
        href = f"{req.service_url}/v2"
        out = []
        for minor, date in VERSIONS:
            updated = date if "T" in date else f"{date}T00:00:00"
            out.append({"id": f"v2.{minor}", "status": "CURRENT" if minor == VERSIONS[-1][0] else "SUPPORTED",
                        "updated": f"{updated}Z", "links": [{"href": href, "rel": "self"}]})
        return Response(200, {"versions": out})
