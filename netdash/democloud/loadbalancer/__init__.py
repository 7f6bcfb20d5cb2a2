"""Octavia (load-balancer v2): load balancers, listeners, pools, members, health monitors, L7 policies and
rules, status tree, quotas, the operator's catalogue (providers and their capabilities, flavors, availability
zones and their profiles) and the amphorae they run on.

Every resource answers under both `/v2/lbaas/...` (octaviaclient) and `/v2.0/lbaas/...` (openstacksdk).
A load balancer's VIP is a real Neutron port made through Neutron's REST API, so floating IPs attach to it
like to any port. Changes pass through PENDING_* for `Settings.provisioning_delay` seconds (computed lazily,
see `provisioning`), and operating status is derived on read (see `operating`).

Python read API for the data plane (thread-safe: each call takes the cloud lock; the dicts returned are
fresh copies shaped as the admin API shows them, computed statuses included):

- `load_balancers() -> list[dict]`: every load balancer, as the admin API shows it.
- `listeners_of(lb_id: str) -> list[dict]`, `pools_of(lb_id: str) -> list[dict]`: API views, creation order.
- `members_of(pool_id: str) -> list[dict]`: API views of a pool's members (with `operating_status`).
- `health_monitor_of(pool_id: str) -> dict | None`: the API view of the pool's monitor.
- `l7policies_of(listener_id: str) -> list[dict]`: API views of a listener's L7 policies in position order,
  each with its rules' whole views under `rules`.
- `member_health: Callable[[dict], str]`: decides a monitored member's health from its internal record
  (`address`, `protocol_port`, `subnet_id`, `monitor_address`, `monitor_port`, `_pool`...); replace it
  to plug in real probes. Default: `operating.server_behind_address` (ONLINE when the address is a fixed IP
  of a port whose Nova server is ACTIVE, else ERROR).
- `set_member_health(member_id: str, status: str | None) -> None`: pin a member's health (ONLINE, ERROR,
  ...) from outside, e.g. after a probe; None returns it to `member_health`.
- `record_listener_stats(listener_id: str, **counters: int) -> None`: add traffic counters
  (`bytes_in`, `bytes_out`, `total_connections`, `request_errors`; `active_connections` is set, not added)
  shown by the `/stats` calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..compute import Compute
from ..core import HttpError, Request, Response
from ..identity import Identity
from ..network import Network
from ..runtime import Runtime
from ..service import Service
from .amphorae import Amphorae
from .catalogue import KINDS as CATALOGUE
from .catalogue import Catalogue, Providers
from .faults import fault
from .healthmonitors import HealthMonitors
from .l7policies import L7Policies
from .l7rules import L7Rules
from .listeners import Listeners
from .loadbalancers import LoadBalancers
from .members import Members
from .operating import MEMBER_STATUSES, Operating, server_behind_address
from .pools import Pools
from .provisioning import Provisioning
from .quotas import Quotas
from .status import Statuses
from .store import Record, Store

API_VERSIONS = ("/v2", "/v2.0")
STAT_NAMES = ("bytes_in", "bytes_out", "active_connections", "total_connections", "request_errors")


class LoadBalancer(Service):
    type = "load-balancer"
    name = "octavia"
    prefix = "/load-balancer"
    catalog_suffix = ""

    def __init__(self, runtime: Runtime, identity: Identity, network: Network, compute: Compute) -> None:
        #: the peers Octavia calls: Keystone for its service account, Neutron for VIP ports and subnets,
        #: Nova (with Neutron) for the default health check
        self.identity = identity
        self.network = network
        self.compute = compute
        self.store = Store()
        self.provisioning = Provisioning(self.store)
        self.member_health: Callable[[Record], str] = lambda member: server_behind_address(network, compute, member)
        self.operating = Operating(self.store, self.health_of)
        super().__init__(runtime)

    def setup(self) -> None:
        self.loadbalancers = LoadBalancers(self)
        self.listeners = Listeners(self)
        self.pools = Pools(self)
        self.members = Members(self)
        self.monitors = HealthMonitors(self)
        self.l7policies = L7Policies(self)
        self.l7rules = L7Rules(self)
        for controller in (Statuses(self), self.loadbalancers, self.listeners, self.pools, self.members,
                           self.monitors, self.l7policies, self.l7rules, Quotas(self), Providers(self),
                           Amphorae(self),
                           *(Catalogue(self, kind) for kind in CATALOGUE)):
            controller.register()

    def route(self, method: str, template: str, handler: Callable[..., Response]) -> None:
        """Register under both API paths; every handler first finishes what completed meanwhile."""
        def run(req: Request, **params: str) -> Response:
            self.settle()
            return handler(req, **params)

        for version in API_VERSIONS:
            self.router.add(method, version + template, run)

    # --- Octavia's error shapes -------------------------------------------------------------------
    def error(self, status: int, message: str, kind: str = "") -> HttpError:
        return fault(status, message)

    def not_found_path(self, req: Request) -> HttpError:
        return fault(404, "The resource could not be found.")

    def method_not_allowed(self, req: Request) -> HttpError:
        return fault(405, "The method is not allowed for the requested URL.")

    def malformed(self, message: str) -> HttpError:
        return fault(400, "Request is not in valid JSON format")

    def decorate(self, req: Request, resp: Response) -> None:
        # keystonemiddleware answers 401 before Octavia runs: no request id then (corpus).
        if resp.status != 401:
            super().decorate(req, resp)

    # --- the lazy state machine ---------------------------------------------------------------------
    def settle(self) -> None:
        """Drop what finished deleting (and the statistics of listeners that went with it): done by reads,
        so in a `writing()` block (the data plane reads in a read-only section)."""
        now = self.runtime.now()
        if not self.provisioning.any_due(now):
            return
        with self.runtime.lock.writing():
            for kind, ident in self.provisioning.due(now):
                rec = self.store.remove(kind, ident)
                if rec is not None and kind in ("loadbalancer", "listener"):
                    for listener_id in list(self.store.stats):
                        if listener_id not in self.store.listeners:
                            del self.store.stats[listener_id]

    def health_of(self, member: Record) -> str:
        """Looked up on every call, so replacing `member_health` takes effect at once."""
        return self.member_health(member)

    def stats_of(self, listener_ids: list[str]) -> dict[str, int]:
        total = dict.fromkeys(STAT_NAMES, 0)
        for listener_id in listener_ids:
            for key, value in self.store.stats.get(listener_id, {}).items():
                total[key] += value
        return total

    # --- Python read API for the data plane -----------------------------------------------------------
    # API views, but those of load balancers, pools and members with `operating_status` None: the data plane
    # probes members itself, and Octavia's status of each member (its port and server looked up, three times
    # over through the load balancer's and the pool's) was most of the data plane's re-read of the cloud
    def load_balancers(self) -> list[dict[str, Any]]:
        with self.runtime.lock:
            self.settle()
            now = self.runtime.now()
            return [self.loadbalancers.view(lb, now, operating=False) for lb in self.store.lbs.values()]

    def listeners_of(self, lb_id: str) -> list[dict[str, Any]]:
        with self.runtime.lock:
            self.settle()
            now = self.runtime.now()
            return [self.listeners.view(li, now) for li in self.store.listeners_of(lb_id)]

    def pools_of(self, lb_id: str) -> list[dict[str, Any]]:
        with self.runtime.lock:
            self.settle()
            now = self.runtime.now()
            return [self.pools.view(pool, now, operating=False) for pool in self.store.pools_of(lb_id)]

    def members_of(self, pool_id: str) -> list[dict[str, Any]]:
        with self.runtime.lock:
            self.settle()
            now = self.runtime.now()
            return [self.members.view(m, now, operating=False) for m in self.store.members_of(pool_id)]

    def health_monitor_of(self, pool_id: str) -> dict[str, Any] | None:
        with self.runtime.lock:
            self.settle()
            hm = self.store.monitor_of(pool_id)
            return self.monitors.view(hm, self.runtime.now()) if hm is not None else None

    def l7policies_of(self, listener_id: str) -> list[dict[str, Any]]:
        with self.runtime.lock:
            self.settle()
            now = self.runtime.now()
            return [{**self.l7policies.view(policy, now),
                     "rules": [self.l7rules.view(rule, now) for rule in self.store.rules_of(policy["id"])]}
                    for policy in self.store.policies_of(listener_id)]

    def set_member_health(self, member_id: str, status: str | None) -> None:
        if status is not None and status not in MEMBER_STATUSES:
            raise ValueError(f"not an Octavia operating status: {status!r}")
        with self.runtime.lock:
            if status is None:
                self.store.health_overrides.pop(member_id, None)
            else:
                self.store.health_overrides[member_id] = status

    def record_listener_stats(self, listener_id: str, **counters: int) -> None:
        with self.runtime.lock:
            stats = self.store.stats.setdefault(listener_id, dict.fromkeys(STAT_NAMES, 0))
            for key, value in counters.items():
                if key not in stats:
                    raise ValueError(f"unknown listener statistic {key!r}")
                stats[key] = value if key == "active_connections" else stats[key] + value
