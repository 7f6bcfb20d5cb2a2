"""The action keys: one Binding per action, which ones fit the selected object, and the palette's list.

`ACTION_BINDINGS` go into the App's BINDINGS (description, tooltip and id each, so `set_keymap` can remap
them); `fits(name, kind, resource, topology)` is the rule `check_action` uses to show only the keys that
apply to the tree's selection; `ActionCommands` offers the same actions, for the same selection, in the
command palette. In `--read-only` none of them is offered anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from netdash.cloud.model import FloatingIP, Member, Network, Pool, Server, Topology


@dataclass(frozen=True)
class ActionKey:
    action: str  # the App's action_<action>
    key: str
    description: str
    tooltip: str
    kinds: tuple[str, ...]  # the tree node kinds it applies to ("section:<key>": on that section's title)


ACTION_KEYS: tuple[ActionKey, ...] = (
    ActionKey("move_fip", "m", "Move FIP", "Re-associate the floating IP with another server, port or load "
              "balancer (one update, no gap)", ("floating_ip",)),
    ActionKey("associate_fip", "a", "Associate FIP", "Associate the free floating IP with a server, port or "
              "load balancer", ("floating_ip",)),
    ActionKey("disassociate_fip", "d", "Disassociate FIP", "Take the floating IP off its port",
              ("floating_ip",)),
    ActionKey("allocate_fip", "n", "New FIP", "Allocate a floating IP from an external network",
              ("floating_ip", "network", "section:floating_ips")),
    ActionKey("swap_ports", "w", "Swap ports", "Swap one port of this server with one of another server "
              "(undone step by step if a step fails)", ("server",)),
    ActionKey("pool_algorithm", "l", "Algorithm", "Change the pool's load-balancing algorithm", ("pool",)),
    ActionKey("member_enable", "e", "Enable", "Enable the member (and restore its weight after a drain)",
              ("member",)),
    ActionKey("member_disable", "x", "Disable", "Disable the member (admin state down)", ("member",)),
    ActionKey("member_drain", "i", "Drain", "Drain the member: weight 0, existing connections finish",
              ("member",)),
    ActionKey("server_stop", "o", "Stop", "Stop the server and wait until it is SHUTOFF", ("server",)),
    ActionKey("server_start", "t", "Start", "Start the server and wait until it is ACTIVE", ("server",)),
    ActionKey("server_reboot", "b", "Reboot", "Reboot the server and wait until it is ACTIVE again",
              ("server",)),
)

BY_ACTION = {k.action: k for k in ACTION_KEYS}
ACTION_NAMES = frozenset(BY_ACTION)

ACTION_BINDINGS = [Binding(k.key, k.action, k.description, tooltip=k.tooltip, id=f"actions.{k.action}")
                   for k in ACTION_KEYS]


def external_networks(topology: Topology) -> list[Network]:
    return [n for n in topology.networks.values() if n.external]


def fits(action: str, kind: str, resource: Any, topology: Topology) -> bool:
    """Does `action` apply to the selected object (`kind`, `resource`; "" and None for nothing)?"""
    spec = BY_ACTION.get(action)
    if spec is None or kind not in spec.kinds:
        return False
    if resource is None and not kind.startswith("section:"):  # nothing selected, or the object is gone
        return False
    if action == "move_fip":
        return isinstance(resource, FloatingIP) and bool(resource.port_id) and bool(
            topology.floating_ip_targets(resource))
    if action == "associate_fip":
        return isinstance(resource, FloatingIP) and not resource.port_id and bool(
            topology.floating_ip_targets(resource))
    if action == "disassociate_fip":
        return isinstance(resource, FloatingIP) and bool(resource.port_id)
    if action == "allocate_fip":
        if isinstance(resource, Network):
            return resource.external
        return bool(external_networks(topology))
    if action == "swap_ports":
        return isinstance(resource, Server) and bool(topology.ports_of_device(resource.id)) and any(
            s.id != resource.id and topology.ports_of_device(s.id) for s in topology.servers.values())
    if action == "pool_algorithm":
        return isinstance(resource, Pool)
    if action.startswith("member_"):
        return isinstance(resource, Member)
    if isinstance(resource, Server):
        if resource.task_state:
            return False
        return resource.status == ("SHUTOFF" if action == "server_start" else "ACTIVE")
    return False


class ActionHost(Protocol):
    """What the palette needs from the App (`tui.action_flow.ActionFlow` provides it)."""

    def fitting_actions(self) -> list[str]: ...


class ActionCommands(Provider):
    """The action keys that fit the selection, in the command palette (none in --read-only)."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app: Any = self.app
        fitting = getattr(app, "fitting_actions", None)
        if fitting is None:
            return []
        return [(f"{BY_ACTION[a].description} ({BY_ACTION[a].key})", BY_ACTION[a].tooltip,
                 getattr(app, f"action_{a}")) for a in fitting()]

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = max(matcher.match(name), matcher.match(help_text) * 0.8)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
