"""The command bar's language (`:` as in k9s), read without a terminal: what a line asks for, and what to
offer while it is typed.

    fip 127.24.4.12 | server server1 | lb web | net private | port ... | KIND     jump to the object (or section)
    unused | quota                                                              the Unused section, the quotas
    switch | cloud [NAME] | project [NAME] | region [NAME]                      the switcher, or straight there
    Move FIP | move_fip | fip move [TARGET]                                    an action, by label, id or
                                                                               command line; on the selection,
                                                                               or on TARGET found first
    anything else: a name, an address, a MAC or an id (or its first characters), found in every section

The matching is `cloud.search`'s and the actions are the catalog's (`action_flow.typed_names`, the names
the palette shows): this module only joins them into commands. An unknown line is an `Unknown` carrying
the one line to show, never an exception.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from netdash.actions import Action
from netdash.actions.catalog import BY_ID, CATALOG
from netdash.cloud.model import FloatingIP, Topology
from netdash.cloud.naming import kind_name
from netdash.cloud.search import KINDS, Match, search
from netdash.tui.action_flow import palette_name, typed_names
from netdash.widgets.command_bar import Suggestion

#: what a person types for each kind (the first of each is what completion writes)
KIND_WORDS: dict[str, str] = {
    "fip": "floating_ip", "floating-ip": "floating_ip", "server": "server", "lb": "load_balancer",
    "loadbalancer": "load_balancer", "net": "network", "network": "network", "subnet": "subnet", "port": "port",
    "router": "router", "listener": "listener", "pool": "pool", "member": "member", "monitor": "health_monitor",
    "sg": "security_group", "security-group": "security_group",
}
WORD_OF_KIND = {kind: word for word, kind in reversed(KIND_WORDS.items())}
#: the tree section of the kinds that have one (`:server` alone goes to the Servers section)
SECTION_OF_KIND = {"floating_ip": "floating_ips", "server": "servers", "load_balancer": "load_balancers",
                   "network": "networks", "router": "routers"}
#: views by name: (the section to go to, whether what matters is its details: the quotas are there)
VIEWS: dict[str, tuple[str, bool]] = {"unused": ("unused", False), "quota": ("networks", True),
                                      "quotas": ("networks", True)}
HELP = ("try fip|server|lb|net|port NAME, unused, quota, cloud|project|region NAME, an action's name, or a "
        "name, address, MAC or id to find")
#: the switcher's words: the section of its list each goes to (`switch`: the whole list)
SWITCH_WORDS = {"switch": "", "cloud": "clouds", "project": "projects", "region": "regions"}
#: suggestions shown under the line at most
SHOWN = 8


@dataclass(frozen=True)
class Jump:
    """Go to an object (its `kind` and `id`) or, with no id, to a section (`section`)."""

    kind: str = ""
    id: str = ""
    section: str = ""
    #: show the details rather than the tree on a narrow terminal (the quotas are in the details)
    details: bool = False


@dataclass(frozen=True)
class RunAction:
    """Run a catalog action on the selection, after jumping to `target` when the line named one."""

    action_id: str
    target: Jump | None = None


@dataclass(frozen=True)
class Switch:
    """Open the switcher at a section (`clouds`, `projects`, `regions`; "" the whole list), or with a
    `name`, go straight to what it names there."""

    section: str = ""
    name: str = ""


@dataclass(frozen=True)
class Unknown:
    """Nothing to do: `message` is the one line that says why."""

    message: str


Command = Jump | RunAction | Switch | Unknown


def ref_of(topology: Topology, kind: str, resource_id: str) -> str:
    """How a line names an object so that it finds that one again: a floating IP by its address, others by
    their name when no other object of their kind has it, else by id."""
    collection = getattr(topology, dict(KINDS)[kind])
    obj = collection.get(resource_id)
    if isinstance(obj, FloatingIP) and obj.floating_ip_address:
        return obj.floating_ip_address
    name = getattr(obj, "name", "")
    if name and " " not in name and sum(1 for other in collection.values() if other.name == name) == 1:
        return str(name)
    return resource_id


def action_named(text: str) -> tuple[type[Action], str] | None:
    """The action whose typed name the line starts with (the longest such name), and the rest of the line."""
    lowered = text.lower()
    best: tuple[type[Action], str] | None = None
    for action in CATALOG:
        for name in typed_names(action):
            if (lowered == name or lowered.startswith(name + " ")) and (best is None or len(name) > len(best[1])):
                best = (action, name)
    if best is None:
        return None
    return best[0], text[len(best[1]):].strip()


def found(topology: Topology, ref: str, kinds: Iterable[str] | None, what: str) -> Jump | Unknown:
    matches = search(topology, ref, kinds, limit=1)
    if not matches:
        return Unknown(f"no {what} matches {ref!r}")
    return Jump(matches[0].kind, matches[0].id)


def parse(text: str, topology: Topology) -> Command | None:
    """What the line asks for; None for an empty line (nothing to do, nothing to say)."""
    line = " ".join(text.split())
    if not line:
        return None
    named = action_named(line)
    if named is not None:
        action, rest = named
        if not rest:
            return RunAction(action.id)
        kinds = [k for k in action.kinds if not k.startswith("section:")]
        target = found(topology, rest, kinds, " or ".join(kind_name(k) for k in kinds))
        return target if isinstance(target, Unknown) else RunAction(action.id, target)
    word, _, rest = line.partition(" ")
    if word.lower() in SWITCH_WORDS and (word.lower() != "switch" or not rest):
        return Switch(SWITCH_WORDS[word.lower()], rest)
    if word.lower() in VIEWS and not rest:
        section, details = VIEWS[word.lower()]
        return Jump(section=section, details=details)
    kind = KIND_WORDS.get(word.lower())
    if kind is not None:
        if not rest:
            section = SECTION_OF_KIND.get(kind)
            return Jump(section=section) if section else Unknown(f"{word} what? a name, address or id ({HELP})")
        return found(topology, rest, [kind], kind_name(kind))
    result = found(topology, line, None, "object")
    return Unknown(f"nothing matches {line!r}: {HELP}") if isinstance(result, Unknown) else result


def suggestions(text: str, topology: Topology, fitting: Sequence[str] = ()) -> list[Suggestion]:
    """What to offer under the line as it is typed: commands that start with it, the actions that fit the
    selection (`fitting`, as the palette lists them), and the objects it finds."""
    line = " ".join(text.split())
    lowered = line.lower()
    out: list[Suggestion] = []
    named = action_named(line) if " " in line else None
    if named is not None:
        action, rest = named
        if not rest:
            return [Suggestion(line, f"{palette_name(action)}  {action.tooltip}")]
        kinds = [k for k in action.kinds if not k.startswith("section:")]
        head = line[:len(line) - len(rest)].strip()
        out += [object_suggestion(topology, m, head) for m in search(topology, rest, kinds, SHOWN)]
        return out[:SHOWN]
    word, space, rest = line.partition(" ")
    kind = KIND_WORDS.get(word.lower())
    if not space:
        out += [Suggestion(v, f"{v}  {'what serves nothing, and its clean-up' if v == 'unused' else 'network quotas'}")
                for v in ("unused", "quota") if v.startswith(lowered)]
        out += [Suggestion(w, f"{w} …  switch to another {w} (alone: the switcher)" if w != "switch" else
                           "switch  the switcher: clouds, projects, regions (S)")
                for w in SWITCH_WORDS if line and w.startswith(lowered)]
        out += [Suggestion(w, f"{w} …  go to a {kind_name(k)} by name, address or id") for w, k in KIND_WORDS.items()
                if line and w.startswith(lowered) and WORD_OF_KIND[k] == w]
    actions = [BY_ID[i] for i in fitting] + [a for a in CATALOG if a.id not in fitting and line]
    elsewhere = "" if space else "  (not for the selection)"  # a command line can name its object
    out += [Suggestion(" ".join(a.command) if space else a.label,  # as typed: a command line, or a label
                       f"{palette_name(a)}  {a.tooltip}" + ("" if a.id in fitting else elsewhere))
            for a in actions if any(name.startswith(lowered) for name in typed_names(a))]
    if space and kind is not None:
        out += [object_suggestion(topology, m, word) for m in search(topology, rest, [kind], SHOWN)]
    elif line and len(out) < SHOWN:
        out += [object_suggestion(topology, m, WORD_OF_KIND[m.kind]) for m in search(topology, line, None, SHOWN)]
    return out[:SHOWN]


def object_suggestion(topology: Topology, match: Match, head: str) -> Suggestion:
    return Suggestion(f"{head} {ref_of(topology, match.kind, match.id)}", match.text(topology))
