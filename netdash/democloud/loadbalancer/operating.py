"""Operating status: what Octavia's health manager would write, derived when read.

The rules follow Octavia's `update_db` health driver: a member is ONLINE/ERROR as its health check says,
OFFLINE when disabled, NO_MONITOR when its pool has no (enabled) health monitor; a pool is ONLINE when
HAProxy's backend is up (some working member, or no members), DEGRADED when some member is down and ERROR
when none works; a pool no enabled listener uses is OFFLINE (HAProxy never reports it); a listener is
ONLINE when enabled; the load balancer is ONLINE, DEGRADED when a pool is DEGRADED, ERROR when one is ERROR.
Anything still PENDING_CREATE, or disabled, is OFFLINE.

Which members are healthy is decided by one replaceable function (`LoadBalancer.member_health`); the data
plane can swap it for real probes or push results through `LoadBalancer.set_member_health`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .provisioning import never_active
from .store import Record, Store

if TYPE_CHECKING:
    from ..compute import Compute
    from ..network import Network

ONLINE = "ONLINE"
OFFLINE = "OFFLINE"
DEGRADED = "DEGRADED"
ERROR = "ERROR"
NO_MONITOR = "NO_MONITOR"
DRAINING = "DRAINING"
MEMBER_STATUSES = (ONLINE, OFFLINE, DEGRADED, ERROR, NO_MONITOR, DRAINING)
#: member statuses HAProxy still sends traffic to (for the pool's aggregate)
WORKING = (ONLINE, NO_MONITOR, DRAINING)

HealthCheck = Callable[[Record], str]


def server_behind_address(network: Network, compute: Compute, member: Record) -> str:
    """Default health check: ONLINE when the member address belongs to a running Nova server.

    The address must be a fixed IP of a Neutron port (on the member's subnet when it names one) whose
    device is a server Nova reports ACTIVE; a stopped or missing server is ERROR, as a failed HTTP probe
    of a real health monitor would make it.
    """
    port = network.port_with_ip(member["address"], subnet_id=member.get("subnet_id"))
    device = port.get("device_id") if port else None
    return ONLINE if device and compute.server_status(device) == "ACTIVE" else ERROR


class Operating:
    """Computes operating_status for each kind of object from the store and the health hook."""

    def __init__(self, store: Store, health: Callable[[Record], str]) -> None:
        self.store = store
        self.health = health

    def monitor(self, hm: Record, now: float) -> str:
        return OFFLINE if never_active(hm, now) or not hm["admin_state_up"] else ONLINE

    def member(self, member: Record, now: float) -> str:
        hm = self.store.monitor_of(member["_pool"])
        monitored = hm is not None and hm["admin_state_up"] and not never_active(hm, now)
        if not member["admin_state_up"]:
            return OFFLINE
        if not monitored:
            return NO_MONITOR
        if never_active(member, now):
            return OFFLINE
        override = self.store.health_overrides.get(member["id"])
        return override if override is not None else self.health(member)

    @staticmethod
    def l7(rec: Record, now: float) -> str:
        """An L7 policy or rule: OFFLINE until created, then ONLINE when enabled (`MarkL7*ActiveInDB`)."""
        return OFFLINE if never_active(rec, now) or not rec["admin_state_up"] else ONLINE

    def listener(self, listener: Record, now: float) -> str:
        lb = self.store.lbs[listener["_lb"]]
        if never_active(listener, now) or not listener["admin_state_up"] or not lb["admin_state_up"]:
            return OFFLINE
        return ONLINE

    def pool(self, pool: Record, now: float) -> str:
        if never_active(pool, now) or not pool["admin_state_up"]:
            return OFFLINE
        if not any(self.listener(li, now) == ONLINE for li in self.store.listeners_of_pool(pool["id"])):
            return OFFLINE
        statuses = [self.member(m, now) for m in self.store.members_of(pool["id"])]
        if statuses and not any(s in WORKING for s in statuses):
            return ERROR
        return DEGRADED if ERROR in statuses else ONLINE

    def lb(self, lb: Record, now: float) -> str:
        if never_active(lb, now) or not lb["admin_state_up"]:
            return OFFLINE
        pools = {self.pool(p, now) for p in self.store.pools_of(lb["id"])}
        if ERROR in pools:
            return ERROR
        return DEGRADED if DEGRADED in pools else ONLINE
