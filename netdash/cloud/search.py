"""Find any object of a snapshot by what a person has in hand: a name, an address, a MAC or an id (or the
first characters of one), across every collection at once.

The dashboard's command bar jumps to the best match and lists the others; this module only says what
matches and how well, so the ranking is a plain function of a `Topology`, tested without a terminal.
Ranking, best first: an exact value (a whole id, address, MAC or name), then a value that starts with the
text, then a name that contains it; a value an object only mentions (a server's addresses are its ports',
a member's address a server's) ranks just below the object that holds it, so `10.0.0.5` is first the port
that has the address, then the server and the pool member behind it. Ties keep `KINDS` order, then the
cloud's. Case does not matter (MACs and names are compared lower-cased).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .model import Topology
from .naming import kind_name, resource_name

#: the kinds searched, in the order ties are broken, with the Topology collection of each
KINDS: tuple[tuple[str, str], ...] = (
    ("floating_ip", "floating_ips"), ("server", "servers"), ("load_balancer", "load_balancers"),
    ("port", "ports"), ("network", "networks"), ("subnet", "subnets"), ("router", "routers"),
    ("listener", "listeners"), ("pool", "pools"), ("member", "members"), ("health_monitor", "health_monitors"),
    ("security_group", "security_groups"),
)
EXACT, PREFIX, CONTAINS = 0, 2, 4


@dataclass(frozen=True, slots=True)
class Match:
    """An object that matches: its kind and id, the field that matched and its value, and how well."""

    kind: str
    id: str
    field: str
    value: str
    #: lower is better (`EXACT`, `PREFIX`, `CONTAINS`, each plus one for a value the object only mentions)
    rank: int

    def text(self, topology: Topology) -> str:
        """'port server-1-port: address 127.24.4.3', as the command bar lists it."""
        collection = dict(KINDS)[self.kind]
        obj = getattr(topology, collection).get(self.id)
        name = resource_name(topology, obj) if obj is not None else self.id
        said = f": {self.field} {self.value}" if self.field != "name" and self.value != name else ""
        return f"{kind_name(self.kind)} {name}{said}"


#: (field, value lower-cased, only mentioned) of one object
Entry = tuple[str, str, bool]


def entries(kind: str, obj: object) -> Iterator[Entry]:
    """The values an object can be found by."""
    yield "id", getattr(obj, "id", ""), False
    yield "name", getattr(obj, "name", "") or "", False
    if kind == "port":
        yield "MAC", getattr(obj, "mac_address", ""), False
        for address in getattr(obj, "addresses", ()):
            yield "address", address, False
    elif kind == "subnet":
        yield "CIDR", getattr(obj, "cidr", ""), False
        yield "gateway", getattr(obj, "gateway_ip", "") or "", False
    elif kind == "router":
        for ip in getattr(obj, "external_fixed_ips", ()):
            yield "gateway", ip.ip_address, False
    elif kind == "server":
        for address in getattr(obj, "addresses", ()):
            yield "address", address.address, True
            yield "MAC", address.mac_address or "", True
    elif kind == "floating_ip":
        yield "address", getattr(obj, "floating_ip_address", ""), False
    elif kind == "load_balancer":
        yield "VIP", getattr(obj, "vip_address", "") or "", False
    elif kind == "member":
        yield "address", getattr(obj, "address", ""), True


class Index:
    """Every searchable value of one snapshot, lower-cased once (a search per keystroke reads it)."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        self.rows: list[tuple[str, str, tuple[tuple[str, str, str, bool], ...]]] = []
        for kind, collection in KINDS:
            for obj in getattr(topology, collection).values():
                values = tuple((field, value.lower(), value, mentioned)
                               for field, value, mentioned in entries(kind, obj) if value)
                self.rows.append((kind, obj.id, values))

    def search(self, text: str, kinds: Iterable[str] | None = None, limit: int = 50) -> list[Match]:
        query = text.strip().lower()
        if not query:
            return []
        wanted = set(kinds) if kinds is not None else None
        found: list[tuple[int, int, Match]] = []
        for n, (kind, resource_id, values) in enumerate(self.rows):
            if wanted is not None and kind not in wanted:
                continue
            best: Match | None = None
            for field, lowered, value, mentioned in values:
                if lowered == query:
                    rank = EXACT
                elif lowered.startswith(query):
                    rank = PREFIX
                elif field == "name" and query in lowered:
                    rank = CONTAINS
                else:
                    continue
                rank += mentioned
                if best is None or rank < best.rank:
                    best = Match(kind, resource_id, field, value, rank)
            if best is not None:
                found.append((best.rank, n, best))
        found.sort(key=lambda item: item[:2])
        return [match for _, _, match in found[:limit]]


def search(topology: Topology, text: str, kinds: Iterable[str] | None = None, limit: int = 50) -> list[Match]:
    """The objects matching `text`, best first (at most `limit`); `kinds`: only these."""
    return index_of(topology).search(text, kinds, limit)


def index_of(topology: Topology) -> Index:
    """The snapshot's index, built once: a frozen snapshot never needs it rebuilt."""
    if not _last or _last[0].topology is not topology:
        _last[:] = [Index(topology)]
    return _last[0]


#: the index of the last snapshot searched
_last: list[Index] = []
