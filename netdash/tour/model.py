"""A guided tour as data: one TOML file per scenario of the seed documents (`netdash/tour/scenarios/`),
loaded and checked whole before anything runs.

A tour is steps. Each step says, in our words, what is about to happen and what to watch (`narration`),
the `openstack` commands the document runs for it (`commands`, as the document writes them), and the change
itself: objects built (`build`, a list of tables each with a `kind`, made through `cloud.builds`) or one
action of the catalog (`action`, its id and its parameters, run as `netdash` runs any action). Then what
the tree and the map highlight beyond what the step made or touched (`highlight`, `kind:name`), and what
the probe should show once the change has landed (`probe`: its target, how many client addresses, and
`shares` per server, `pinned` for SOURCE_IP, or `fails`). A step with a probe and no change only points
the probe elsewhere (the swapped port's other address). Names in a step are the document's (`server1`, `web_pool`);
the engine prefixes what it creates (`netdash-tour-server1`) and puts ids in their place.

Why TOML: the standard library reads it (`tomllib`), and a narration is a multi-line string with no
quoting to get wrong. What is wrong in a file is one line, naming the file and the step (`TourError`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from netdash.cloud.errors import NetdashError
from netdash.cloud.model import ALGORITHMS

#: what a `build` table may make, each with the fields it needs (besides `kind`) and those it may have
BUILDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "network": (frozenset({"name", "subnet", "cidr"}), frozenset({"gateway", "dns", "pool"})),
    "router": (frozenset({"name"}), frozenset({"external", "subnets"})),
    "port": (frozenset({"name", "network"}), frozenset()),
    "server": (frozenset({"name", "software"}), frozenset({"networks", "ports", "image", "flavor"})),
    "load_balancer": (frozenset({"name", "subnet"}), frozenset()),
    "listener": (frozenset({"name", "load_balancer"}), frozenset({"protocol", "port"})),
    "pool": (frozenset({"name", "listener"}), frozenset({"protocol", "algorithm"})),
    "member": (frozenset({"pool", "server", "subnet"}), frozenset({"port"})),
    "health_monitor": (frozenset({"pool"}),
                       frozenset({"name", "type", "delay", "timeout", "max_retries", "url_path"})),
    "floating_ip": (frozenset({"name"}), frozenset({"network", "target"})),
}
#: the node kinds a `highlight` entry may name (the tree's and the map's)
HIGHLIGHT_KINDS = frozenset({"network", "subnet", "router", "port", "server", "floating_ip", "load_balancer",
                             "listener", "pool", "member", "health_monitor"})
#: where the tour files are, in the package
SCENARIOS = "scenarios"


class TourError(NetdashError):
    """A tour file that cannot be played: unknown name, bad TOML, a field missing or of the wrong type."""

    title = "Bad tour"


@dataclass(frozen=True)
class Build:
    """One object to create: its kind and the fields of the file's table (names are the document's)."""

    kind: str
    fields: Mapping[str, Any]

    @property
    def name(self) -> str:
        return str(self.fields.get("name") or f"{self.fields.get('pool', '')}-{self.fields.get('server', self.kind)}")


@dataclass(frozen=True)
class ActionCall:
    """One action of the catalog (`id`), with its parameters by name; a value that names an object the tour
    made is replaced by that object's id."""

    id: str
    args: Mapping[str, str]


@dataclass(frozen=True)
class ProbeSpec:
    """What the probe watches after the step, and what it should see there."""

    #: the document's name of the floating IP, load balancer or port (its address) to probe
    target: str
    #: how many client source addresses (SOURCE_IP pins each one)
    clients: int = 1
    #: each server's expected share of the answers (the document's server names)
    shares: tuple[tuple[str, float], ...] = ()
    #: each client always answered by the same server (SOURCE_IP)
    pinned: bool = False
    #: nothing answers any more (an address no longer associated)
    fails: bool = False
    #: a new connection per request, as the document's `curl` loop makes (else keep-alive)
    new_connections: bool = False
    #: seconds the probe may take to show it (a health monitor's eviction takes delay x retries)
    timeout: float = 60.0

    def words(self) -> str:
        if self.pinned:
            return f"each of {self.clients} clients always answered by the same server"
        if self.fails:
            return "no server answers"
        return " · ".join(f"{name} {share:.0%}" for name, share in self.shares)


@dataclass(frozen=True)
class Step:
    title: str
    narration: str
    commands: tuple[str, ...]
    build: tuple[Build, ...] = ()
    action: ActionCall | None = None
    highlight: tuple[tuple[str, str], ...] = ()
    probe: ProbeSpec | None = None


@dataclass(frozen=True)
class Tour:
    name: str
    title: str
    source: str
    steps: tuple[Step, ...]


def names() -> list[str]:
    """The tours the package holds, by name (`netdash tour NAME`)."""
    folder = resources.files(__package__).joinpath(SCENARIOS)
    return sorted(entry.name.removesuffix(".toml") for entry in folder.iterdir() if entry.name.endswith(".toml"))


def load(name: str) -> Tour:
    """The tour called `name`, checked whole; TourError (one line) otherwise."""
    if name not in names():
        raise TourError(f"no tour {name!r}: the tours are {', '.join(names())}")
    path = resources.files(__package__).joinpath(SCENARIOS, f"{name}.toml")
    return parse(path.read_text(encoding="utf-8"), f"{name}.toml")


def parse(text: str, where: str) -> Tour:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TourError(f"{where}: not TOML: {exc}") from None
    name = text_field(data, "name", where)
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise TourError(f"{where}: no [[steps]]")
    made: set[str] = set()
    parsed = tuple(step_of(item, f"{where}, step {n}", made) for n, item in enumerate(steps, 1))
    return Tour(name=name, title=text_field(data, "title", where), source=text_field(data, "source", where),
                steps=parsed)


def text_field(table: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise TourError(f"{where}: {key!r} must be a non-empty string")
    return value


def step_of(item: Any, where: str, made: set[str]) -> Step:
    if not isinstance(item, dict):
        raise TourError(f"{where}: a step must be a table")
    unknown = set(item) - {"title", "narration", "commands", "build", "action", "highlight", "probe"}
    if unknown:
        raise TourError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    where = f"{where} ({item.get('title', '?')})"
    commands = item.get("commands", [])
    if not isinstance(commands, list) or not all(isinstance(c, str) for c in commands) or not commands:
        raise TourError(f"{where}: 'commands' must be a non-empty list of strings")
    builds = tuple(build_of(b, where, made) for b in item.get("build", []))
    action = action_of(item["action"], where) if "action" in item else None
    if builds and action is not None:
        raise TourError(f"{where}: a step has either 'build' or 'action', not both")
    if not builds and action is None and "probe" not in item:
        raise TourError(f"{where}: a step changes something ('build' or 'action') or looks somewhere ('probe')")
    highlight = []
    for entry in item.get("highlight", []):
        kind, _, ref = str(entry).partition(":")
        if kind not in HIGHLIGHT_KINDS or not ref:
            raise TourError(f"{where}: highlight {entry!r} is not KIND:NAME with a kind of "
                            f"{', '.join(sorted(HIGHLIGHT_KINDS))}")
        if ref not in made:
            raise TourError(f"{where}: highlight {entry!r} names nothing the tour made before")
        highlight.append((kind, ref))
    probe = probe_of(item["probe"], where, made) if "probe" in item else None
    return Step(title=text_field(item, "title", where), narration=text_field(item, "narration", where).strip(),
                commands=tuple(commands), build=builds, action=action, highlight=tuple(highlight), probe=probe)


def build_of(item: Any, where: str, made: set[str]) -> Build:
    if not isinstance(item, dict) or item.get("kind") not in BUILDS:
        raise TourError(f"{where}: each build needs a kind of {', '.join(BUILDS)}")
    kind = item["kind"]
    needed, optional = BUILDS[kind]
    fields = {k: v for k, v in item.items() if k != "kind"}
    missing = needed - set(fields)
    if missing:
        raise TourError(f"{where}: build {kind} lacks {sorted(missing)[0]!r}")
    extra = set(fields) - needed - optional
    if extra:
        raise TourError(f"{where}: build {kind} has no field {sorted(extra)[0]!r}")
    if kind == "pool" and fields.get("algorithm", "ROUND_ROBIN") not in ALGORITHMS:
        raise TourError(f"{where}: pool algorithm {fields['algorithm']!r} is not one of {', '.join(ALGORITHMS)}")
    build = Build(kind, fields)
    made.add(build.name)
    if kind == "network":
        made.add(str(fields["subnet"]))
    return build


def action_of(item: Any, where: str) -> ActionCall:
    from netdash.actions.catalog import BY_ID

    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        raise TourError(f"{where}: 'action' must be a table with an 'id'")
    action = BY_ID.get(item["id"])
    if action is None:
        raise TourError(f"{where}: no action {item['id']!r} in the catalog")
    args = {k: str(v) for k, v in item.items() if k != "id"}
    params = {p.name for p in action.params}
    unknown = set(args) - params
    if unknown:
        raise TourError(f"{where}: action {action.id} takes no {sorted(unknown)[0]!r} ({', '.join(sorted(params))})")
    return ActionCall(action.id, args)


def probe_of(item: Any, where: str, made: set[str]) -> ProbeSpec:
    if not isinstance(item, dict):
        raise TourError(f"{where}: 'probe' must be a table")
    target = text_field(item, "target", where)
    if target not in made:
        raise TourError(f"{where}: probe target {target!r} is nothing the tour made")
    shares = item.get("shares", {})
    if not isinstance(shares, dict) or not all(isinstance(v, int | float) and 0 <= v <= 1 for v in shares.values()):
        raise TourError(f"{where}: probe shares must map server names to shares from 0 to 1")
    pinned, fails = bool(item.get("pinned", False)), bool(item.get("fails", False))
    if bool(shares) + pinned + fails != 1:
        raise TourError(f"{where}: a probe expects one of 'shares', 'pinned' or 'fails'")
    if shares and abs(sum(shares.values()) - 1) > 1e-6:
        raise TourError(f"{where}: probe shares must add up to 1")
    clients = item.get("clients", 1)
    if not isinstance(clients, int) or clients not in (1, 2, 4, 8):
        raise TourError(f"{where}: probe clients must be 1, 2, 4 or 8")
    timeout = item.get("timeout", 60)
    if not isinstance(timeout, int | float) or not 1 <= timeout <= 600:
        raise TourError(f"{where}: probe timeout must be 1 to 600 seconds")
    return ProbeSpec(target=target, clients=clients, shares=tuple((str(k), float(v)) for k, v in shares.items()),
                     pinned=pinned, fails=fails, new_connections=bool(item.get("new_connections", False)),
                     timeout=float(timeout))
