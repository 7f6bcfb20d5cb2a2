"""Member selection: Octavia's four algorithms as its haproxy applies them, with weights.

One `Balancer` per pool keeps what the algorithms remember (round-robin position, open connections), so
`pool set --lb-algorithm` switches the next choice without losing the connection counts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from .desired import MemberSpec

ALGORITHMS = ("ROUND_ROBIN", "LEAST_CONNECTIONS", "SOURCE_IP", "SOURCE_IP_PORT")


def stable_hash(text: str) -> int:
    """Not Python's `hash` (salted per process): the same client maps to the same member across restarts."""
    return int.from_bytes(hashlib.sha1(text.encode()).digest()[:8], "big")


class Balancer:
    def __init__(self) -> None:
        #: smooth weighted round robin (nginx's): member id -> current weight
        self.current: dict[str, int] = {}
        #: member id -> requests (HTTP) or connections (TCP) in flight
        self.active: dict[str, int] = {}

    def pick(self, algorithm: str, members: Sequence[MemberSpec], client: tuple[str, int]) -> MemberSpec | None:
        """The member for the next request from `client` among the usable `members` (None: 503)."""
        if not members:
            return None
        if algorithm == "LEAST_CONNECTIONS":
            load = {m.id: self.active.get(m.id, 0) / m.weight for m in members}
            least = min(load.values())
            return self.round_robin([m for m in members if load[m.id] == least])
        if algorithm in ("SOURCE_IP", "SOURCE_IP_PORT"):
            key = client[0] if algorithm == "SOURCE_IP" else f"{client[0]}:{client[1]}"
            return self.by_hash(members, stable_hash(key))
        return self.round_robin(members)

    def round_robin(self, members: Sequence[MemberSpec]) -> MemberSpec:
        total = 0
        best: MemberSpec | None = None
        for m in members:
            self.current[m.id] = self.current.get(m.id, 0) + m.weight
            total += m.weight
            if best is None or self.current[m.id] > self.current[best.id]:
                best = m
        assert best is not None
        self.current[best.id] -= total
        return best

    @staticmethod
    def by_hash(members: Sequence[MemberSpec], value: int) -> MemberSpec:
        """haproxy's map-based hashing: each member owns `weight` slots of a table ordered by member."""
        ordered = sorted(members, key=lambda m: m.id)
        slot = value % sum(m.weight for m in ordered)
        for m in ordered:
            if slot < m.weight:
                return m
            slot -= m.weight
        return ordered[-1]

    def opened(self, member_id: str) -> None:
        self.active[member_id] = self.active.get(member_id, 0) + 1

    def closed(self, member_id: str) -> None:
        self.active[member_id] = max(0, self.active.get(member_id, 0) - 1)

    def forget(self, keep: set[str]) -> None:
        """Drop state of members that left the pool (their ids never come back)."""
        for table in (self.current, self.active):
            for member_id in [k for k in table if k not in keep]:
                del table[member_id]
