"""Change a pool's load-balancing algorithm (document 000 "Load Balancer").

Octavia makes the load balancer PENDING_UPDATE for a moment after any change and answers 409 to the next
one meanwhile: the client retries that with back-off, and the action waits for ACTIVE before it reads the
pool back. A provider may refuse an algorithm (the amphora driver answers 501 to SOURCE_IP_PORT): that is a
refusal, and nothing changed.
"""

from __future__ import annotations

from typing import Any

from netdash.cloud.model import Topology

from . import resolve
from .base import Plan, Progress, Refused, SingleChange

ALGORITHMS = ("ROUND_ROBIN", "LEAST_CONNECTIONS", "SOURCE_IP", "SOURCE_IP_PORT")


def settled_lb(client: Any, lb_id: str | None) -> bool:
    """The load balancer (if known) is ACTIVE again: the change reached the data plane."""
    return lb_id is None or client.get_load_balancer(lb_id).provisioning_status == "ACTIVE"


class ChangePoolAlgorithm(SingleChange):
    name = "change pool algorithm"

    def __init__(self, pool: str, algorithm: str) -> None:
        super().__init__()
        self.pool_ref = pool
        self.algorithm = algorithm.strip().upper()
        self.pool_id = ""
        self.lb_id: str | None = None
        self.before: str | None = None

    def describe(self) -> str:
        return f"change the algorithm of pool {self.pool_ref} to {self.algorithm}"

    def _plan(self, topology: Topology) -> Plan:
        pool = resolve.pool(topology, self.pool_ref)
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

    def change(self, client: Any, progress: Progress) -> None:
        client.update_pool(self.pool_id, lb_algorithm=self.algorithm, notify=progress)

    def settled(self, client: Any) -> bool:
        return settled_lb(client, self.lb_id) and client.get_pool(self.pool_id).provisioning_status == "ACTIVE"

    def verify(self, client: Any) -> str | None:
        now = client.get_pool(self.pool_id).lb_algorithm
        return None if now == self.algorithm else f"the pool's algorithm is {now}, not {self.algorithm}"

    def unchanged(self, client: Any) -> bool:
        return client.get_pool(self.pool_id).lb_algorithm == self.before

    def state(self, client: Any) -> str:
        return f"the pool's algorithm is {client.get_pool(self.pool_id).lb_algorithm}"
