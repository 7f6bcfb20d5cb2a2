"""The catalog's actions in the dashboard: a key per action, the palette's entries, and the picks.

Everything here is generated from `netdash.actions.catalog`: one `Binding` per action (description,
tooltip and id each, so `set_keymap` can remap them) running the App's `act('<id>')`; `ActionCommands`
offers the same actions, for the same selection, in the command palette; `ask_picks` asks the user for
what the selection does not say (a target port, a peer server, an algorithm), as each action declares.
The App decides what the selection allows with the same rule each plan refuses by (`Action.applies_to`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from netdash.actions import Action
from netdash.actions.base import Pick
from netdash.actions.catalog import BY_ID, CATALOG
from netdash.cloud.model import Topology
from netdash.tui.action_screens import PickScreen


def binding_action(action: type[Action]) -> str:
    """The App action a key runs: `act('move_fip')`."""
    return f"act('{action.id}')"


def palette_name(action: type[Action]) -> str:
    """How the palette and the command bar list an action: its label and its key, `Move FIP (m)`."""
    return f"{action.label} ({action.key})"


def typed_names(action: type[Action]) -> tuple[str, ...]:
    """What the command bar takes for an action, lower-cased: its label, its id and its command line
    (`release fip`, `release_fip`, `fip release`)."""
    return tuple(dict.fromkeys(name.lower() for name in (action.label, action.id, " ".join(action.command))))


ACTION_BINDINGS = [Binding(a.key, binding_action(a), a.label, tooltip=a.tooltip, id=f"actions.{a.id}")
                   for a in CATALOG]
#: binding action string -> catalog id (what a key bar entry stands for)
ACTION_OF_BINDING = {binding_action(a): a.id for a in CATALOG}


async def ask_picks(app: App[object], action: type[Action], topology: Topology,
                    args: dict[str, str | bool | None]) -> dict[str, str | bool | None] | None:
    """Fill the parameters the selection left open, in the order the action declares them: a picker where
    there is a choice, nothing where there is none. None when the user cancels a picker."""
    for param in action.params:
        if param.ask is None or args.get(param.name) is not None:
            continue
        asked = param.ask(topology, args)
        if isinstance(asked, Pick):
            chosen = await app.push_screen_wait(
                PickScreen(asked.title, [(c.value, c.label, c.enabled) for c in asked.choices]))
            if chosen is None:
                return None
            args[param.name] = chosen
        elif asked is not None:
            args[param.name] = asked
    return args


@runtime_checkable
class ActionHost(Protocol):
    """What the palette needs from the App: the ids of the actions that fit the selection now."""

    def fitting_actions(self) -> list[str]: ...

    def action_act(self, action_id: str) -> None: ...


class ActionCommands(Provider):
    """The actions that fit the selection, in the command palette (none in --read-only)."""

    def _commands(self) -> list[tuple[str, str, Callable[[], None]]]:
        app = self.app
        if not isinstance(app, ActionHost):
            return []
        return [(palette_name(BY_ID[a]), BY_ID[a].tooltip, lambda a=a: app.action_act(a))
                for a in app.fitting_actions()]

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = max(matcher.match(name), matcher.match(help_text) * 0.8)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
