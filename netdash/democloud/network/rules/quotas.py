"""Quotas: per-project limits over the store's counts, as Neutron's DB quota driver keeps them.

What Neutron 29 does (neutron/extensions/quotasv2.py, quotasv2_detail.py, neutron/db/quota/driver.py,
driver_nolock.py, neutron/conf/quota.py): every registered resource has a default limit from the
configuration; a project's own limits are rows that override them, `PUT` writes rows and `DELETE` removes
them all (404 `TenantQuotaNotFound` when there were none). `details` answers `{limit, used, reserved}`
per resource, `router_route` included (real Neutron 29 lists it: realstack's differential run said so;
its use is the routes of the project's routers); `reserved`
is what pending reservations hold, always 0 here since a create is one step. A create that would pass a
limit is refused with 409 `OverQuota` before the plugin runs; a limit below what is used is refused with
400 unless `force` is true; -1 is unlimited.
"""

from __future__ import annotations

from typing import Any

from ...core import Context
from ..errors import NeutronError, bad_request, neutron_error
from ..store import Store

#: neutron/conf/quota.py's defaults, in the order ML2 + router + security groups + RBAC register them
DEFAULTS: dict[str, int] = {
    "network": 100,
    "subnet": 100,
    "subnetpool": -1,
    "port": 500,
    "router": 10,
    "floatingip": 50,
    "rbac_policy": 10,
    "security_group": 10,
    "security_group_rule": 100,
    "router_route": 30,
}
#: what `details` lists: every resource
COUNTED = tuple(DEFAULTS)
UNLIMITED = -1


def over_quota(resources: list[str]) -> NeutronError:
    return neutron_error(409, "OverQuota", f"Quota exceeded for resources: {sorted(resources)}.")


class Quotas:
    def __init__(self, store: Store) -> None:
        self.store = store

    def limits(self, project_id: str) -> dict[str, int]:
        return {**DEFAULTS, **self.store.quotas.get(project_id, {})}

    def used(self, project_id: str, resource: str) -> int:
        if resource == "router_route":
            return sum(len(router.get("routes") or ()) for router in self.store.routers.values()
                       if router.get("project_id") == project_id)
        table = self.tables().get(resource)
        if table is None:
            return 0
        return sum(1 for record in table.values() if record.get("project_id") == project_id)

    def tables(self) -> dict[str, dict[str, dict[str, Any]]]:
        s = self.store
        return {"network": s.networks, "subnet": s.subnets, "subnetpool": s.subnetpools, "port": s.ports,
                "router": s.routers, "floatingip": s.fips, "rbac_policy": s.rbac, "security_group": s.sgs,
                "security_group_rule": s.sg_rules}

    def details(self, project_id: str) -> dict[str, dict[str, int]]:
        limits = self.limits(project_id)
        return {r: {"limit": limits[r], "used": self.used(project_id, r), "reserved": 0} for r in COUNTED}

    def check(self, project_id: str, resource: str, count: int = 1) -> None:
        """Refuse a create that would take `resource` past the project's limit (`make_reservation`)."""
        limit = self.limits(project_id)[resource]
        if limit > UNLIMITED and self.used(project_id, resource) + count > limit:
            raise over_quota([resource])

    def limit_check(self, project_id: str, resource: str, value: int) -> None:
        """Refuse a value past the limit itself (`limit_check`: a router's number of routes)."""
        limit = self.limits(project_id)[resource]
        if limit > UNLIMITED and value > limit:
            raise over_quota([resource])

    def admit(self, ctx: Context, attrs: dict[str, Any], resource: str) -> None:
        """`check` for a create by `ctx` of `attrs` (the project it names, else the caller's)."""
        self.check(str(attrs.get("project_id") or attrs.get("tenant_id") or ctx.project_id), resource)

    def update(self, project_id: str, limits: dict[str, int], *, force: bool) -> None:
        if not force:
            for resource, limit in limits.items():
                used = self.used(project_id, resource)
                if limit != UNLIMITED and used > limit:
                    raise bad_request(f"Quota limit {limit} for {resource} must be greater than or equal to "
                                      f"already used {used}")
        if limits:
            self.store.quotas[project_id] = {**self.store.quotas.get(project_id, {}), **limits}

    def reset(self, project_id: str) -> None:
        if self.store.quotas.pop(project_id, None) is None:
            raise neutron_error(404, "TenantQuotaNotFound", f"Quota for project {project_id} could not be found.")
