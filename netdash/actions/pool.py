"""Change a pool's load-balancing algorithm (document 000 "Load Balancer").

Octavia makes the load balancer PENDING_UPDATE for a moment after any change and answers 409 to the next
one meanwhile: the client retries that with back-off, and the action waits for ACTIVE before it reads the
pool back. A provider may refuse an algorithm (the amphora driver answers 501 to SOURCE_IP_PORT): that is a
refusal, and nothing changed.
"""

from __future__ import annotations

from netdash.cloud.api import CloudWrites
from netdash.cloud.model import ALGORITHMS, Pool, Resource, Topology

from . import resolve
from .base import Action, Args, Choice, Param, Pick, Plan, Progress, Refused, SingleChange


def settled_lb(cloud: CloudWrites, lb_id: str | None) -> bool:
    """The load balancer (if known) is ACTIVE again: the change reached the data plane."""
    return lb_id is None or cloud.get_load_balancer(lb_id).provisioning_status == "ACTIVE"


def selected_pool(kind: str, obj: Resource | None) -> str | None:
    return obj.id if isinstance(obj, Pool) else None


def ask_algorithm(topology: Topology, args: Args) -> Pick | str | None:
    """Every algorithm, the current one shown but not offered."""
    pool = topology.pools.get(str(args.get("pool")))
    if pool is None:
        return None
    return Pick(f"Algorithm of pool {pool.name or pool.id}",
                tuple(Choice(a, f"● {a}  (current)" if a == pool.lb_algorithm else f"  {a}", a != pool.lb_algorithm)
                      for a in ALGORITHMS))


class ChangePoolAlgorithm(SingleChange):
    id = "pool_algorithm"
    name = "change pool algorithm"
    key = "l"
    label = "Algorithm"
    tooltip = "Change the pool's load-balancing algorithm"
    kinds = ("pool",)
    destructive = False
    command = ("pool", "algorithm")
    help = "change a pool's algorithm: ROUND_ROBIN, LEAST_CONNECTIONS, SOURCE_IP, SOURCE_IP_PORT"
    params = (Param("pool", "POOL", "pool name or id", selected=selected_pool),
              Param("algorithm", "ALGORITHM", "ROUND_ROBIN, LEAST_CONNECTIONS, SOURCE_IP or SOURCE_IP_PORT",
                    ask=ask_algorithm))

    def __init__(self, pool: str, algorithm: str) -> None:
        super().__init__()
        self.pool_ref = pool
        self.algorithm = algorithm.strip().upper()
        self.pool_id = ""
        self.lb_id: str | None = None
        self.before: str | None = None

    def describe(self) -> str:
        return f"change the algorithm of pool {self.pool_ref} to {self.algorithm}"

    def touched(self) -> tuple[tuple[str, str], ...]:
        return (("pool", self.pool_id),)

    def _plan(self, topology: Topology, cloud: CloudWrites) -> Plan:
        pool = resolve.pool(topology, self.pool_ref)
        self.check("pool", pool, topology)
        self.pool_id, self.lb_id, self.before = pool.id, pool.loadbalancer_id, pool.lb_algorithm
        if self.algorithm not in ALGORITHMS:
            raise Refused(f"unknown algorithm {self.algorithm!r}: one of {', '.join(ALGORITHMS)}")
        if self.algorithm == pool.lb_algorithm:
            raise Refused(f"pool {pool.name or pool.id} already uses {self.algorithm}")
        choices = tuple(f"{'*' if a == pool.lb_algorithm else ' '} {a}"
                        + (" (current)" if a == pool.lb_algorithm else "")
                        + (" <- new" if a == self.algorithm else "") for a in ALGORITHMS)
        return Plan(title=f"change pool {pool.name or pool.id} algorithm {pool.lb_algorithm} -> {self.algorithm}",
                    steps=(f"update pool {pool.name or pool.id} lb_algorithm -> {self.algorithm} "
                           "(retried while the load balancer is PENDING_*)",
                           "wait until the load balancer is ACTIVE"),
                    notes=("algorithms:", *choices))

    def change(self, cloud: CloudWrites, progress: Progress) -> None:
        cloud.update_pool(self.pool_id, lb_algorithm=self.algorithm, notify=progress)

    def settled(self, cloud: CloudWrites) -> bool:
        return settled_lb(cloud, self.lb_id) and cloud.get_pool(self.pool_id).provisioning_status == "ACTIVE"

    def verify(self, cloud: CloudWrites) -> str | None:
        now = cloud.get_pool(self.pool_id).lb_algorithm
        return None if now == self.algorithm else f"the pool's algorithm is {now}, not {self.algorithm}"

    def unchanged(self, cloud: CloudWrites) -> bool:
        return cloud.get_pool(self.pool_id).lb_algorithm == self.before

    def revert(self, cloud: CloudWrites) -> None:
        if self.before is not None:
            cloud.update_pool(self.pool_id, lb_algorithm=self.before)

    def inverse(self) -> Action:
        if self.before is None:
            raise Refused("the algorithm before the change is not known")
        return ChangePoolAlgorithm(self.pool_id, self.before)

    def state(self, cloud: CloudWrites) -> str:
        return f"the pool's algorithm is {cloud.get_pool(self.pool_id).lb_algorithm}"
