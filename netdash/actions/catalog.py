"""Every action, once: the list that the dashboard's keys, palette and `?` screen, the command line's
subcommands and the eligibility rule are all generated from.

An action joins the catalog by being a class in `netdash/actions/` with an `id` of its own (see
`base.Action`'s contract): this module imports every module of the package, and `Action.__init_subclass__`
records each such class in definition order (the order of the key bar). Adding an action is one class and
its test, and nothing else.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from typing import cast

from netdash import actions
from netdash.cloud.model import Resource, Topology

from .base import REGISTERED, Action, Args

for _module in pkgutil.iter_modules(actions.__path__):
    importlib.import_module(f"{actions.__name__}.{_module.name}")

CATALOG: tuple[type[Action], ...] = tuple(REGISTERED)
BY_ID: dict[str, type[Action]] = {action.id: action for action in CATALOG}

#: the command line's groups (`netdash fip ...`) in words; a group not listed here is described by its verbs
GROUP_HELP = {
    "fip": "move, associate, disassociate, allocate or release a floating IP",
    "ports": "swap ports between two servers (rolled back if a step fails)",
    "pool": "change a pool's load-balancing algorithm",
    "member": "enable, disable or drain a pool member",
    "server": "stop, start or reboot a server",
    "port": "take a port down or up, or delete one that has no device",
}


def groups() -> dict[str, list[type[Action]]]:
    """The command line's groups, each with its actions, in catalog order."""
    found: dict[str, list[type[Action]]] = {}
    for action in CATALOG:
        found.setdefault(action.command[0], []).append(action)
    return found


def group_help(group: str) -> str:
    return GROUP_HELP.get(group) or "; ".join(action.help for action in groups().get(group, []))


def offered(kind: str, obj: Resource | None, topology: Topology) -> list[type[Action]]:
    """The actions that apply to the selected node now (the same rule each plan refuses by)."""
    return [action for action in CATALOG if action.applies_to(kind, obj, topology) is None]


def from_selection(action: type[Action], kind: str, obj: Resource | None) -> dict[str, str | bool | None]:
    """What the selected node says of the action's parameters; the rest are asked for (`Param.ask`) or keep
    their defaults."""
    args: dict[str, str | bool | None] = {}
    for param in action.params:
        value = param.selected(kind, obj) if param.selected is not None else None
        if value is not None:
            args[param.name] = value
    return args


def create(action: type[Action], args: Args) -> Action:
    """The action object, from its parameters by name (a test checks each constructor takes exactly them)."""
    return cast(Callable[..., Action], action)(**{param.name: args.get(param.name, param.default)
                                                  for param in action.params})


def constructor_names(action: type[Action]) -> list[str]:
    return [name for name in inspect.signature(action.__init__).parameters if name != "self"]
