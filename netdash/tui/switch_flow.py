"""The App's side of the switcher: open it, connect where it points (a thread worker: the token request and
the first fetch, as the dashboard's start makes them), then move the dashboard there in one go — or say in
one line why not and stay.

Moving keeps what the user was looking at: the same view (tree or map, the narrow terminal's pane), and a
selection of the same kind (the object of that id, else of that name, else the first of its kind, else its
section), `--read-only` and the paused state. The probe stops: its target is an address of the old cloud.
The old client is closed once the new one is in place (in a thread: its fetch process may take a moment).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from textual.worker import get_current_worker

from netdash.cloud.errors import ConfigError, NetdashError
from netdash.cloud.model import Resource, Topology
from netdash.cloud.switching import Connector, Place, find
from netdash.tui.command_line import SECTION_OF_KIND
from netdash.tui.messages import Switched, SwitchFailed
from netdash.tui.switch_screen import SwitchScreen
from netdash.widgets.nodes import COLLECTIONS, path_to
from netdash.widgets.topology_map import TopologyMap
from netdash.widgets.topology_tree import TopologyTree

if TYPE_CHECKING:
    from netdash.cloud.api import CloudApi
    from netdash.tui.app import NetdashApp

class SwitchFlow:
    def __init__(self, app: NetdashApp, connector: Connector | None) -> None:
        self.app = app
        self.connector = connector
        #: where the dashboard is, as the switcher last chose it (None: where it started)
        self.place: Place | None = None
        #: where a switch is going, while it connects
        self.going: Place | None = None
        #: the clients the switcher made: the App closes the one in use when it leaves
        self.made: list[CloudApi] = []

    @property
    def available(self) -> bool:
        return self.connector is not None and self.app.client is not None

    def here(self) -> Place:
        info = self.app.info
        assert info is not None
        start = self.place or Place(info.cloud)
        return replace(start, region=info.region, project=info.project)

    def open(self, section: str = "") -> None:
        if self.connector is None or self.app.client is None:
            self.app.notify("this dashboard was not started on a cloud it can connect to again",
                            title="No switching", severity="warning")
            return
        if self.going is not None:
            self.app.notify(f"already switching to {self.going.line()}", title="Switching", severity="warning")
            return
        self.app.push_screen(SwitchScreen(self.connector, self.app.client, self.here(), section), self.go)

    def go(self, place: Place | None) -> None:
        self.app._release_held()
        if place is None or self.connector is None or self.going is not None:
            return
        self._start(place, place)

    def go_named(self, section: str, name: str) -> None:
        """`:project NAME` (or cloud, region): what the name means is read as the switcher reads it."""
        if self.connector is None:
            return
        if self.going is not None:
            self.app.notify(f"already switching to {self.going.line()}", title="Switching", severity="warning")
            return
        here = self.here()
        self._start(Place(name) if section == "clouds" else
                    replace(here, project=name) if section == "projects" else replace(here, region=name),
                    partial(find_named, self.connector, self.app.client, here, section, name))

    def _start(self, shown: Place, target: Place | Callable[[], Place]) -> None:
        if self.app.tours.active:  # a tour plays on the cloud it started on, and cleans up there
            self.app.notify("a tour is playing here: end it (Q) before switching", title="No switching",
                            severity="warning")
            return
        self.going = shown
        self.app.log_line(f"switching to {shown.line()}…")
        self.app.run_worker(partial(self._connect, self.connector, target, shown, self.app.interval), thread=True,
                            group="switch", exclusive=True, exit_on_error=False, description="switch clouds")

    def _connect(self, connector: Connector, target: Place | Callable[[], Place], place: Place,
                 interval: float) -> None:
        """The worker: a client for the place and its first topology; posts `Switched` or `SwitchFailed`."""
        client = None
        try:
            if not isinstance(target, Place):
                place = target()
            client = connector.connect(place)
            topology = client.fetch_topology_sync()  # nothing answered: a NetdashError, and no switch
        except NetdashError as exc:
            reason = exc.message
        except Exception as exc:  # a bug or an SDK surprise: named, never quoted (it may echo a setting)
            reason = f"{exc.__class__.__name__} while connecting"
        else:
            if get_current_worker().is_cancelled:
                client.close()
                return
            from netdash.cloud.poller import Poller

            poller = Poller(client, interval=interval)
            poller.last = topology  # the next refresh's changes are against this snapshot
            self.app.post_message(Switched(place, client, poller, topology))
            return
        if client is not None:
            client.close()
        if not get_current_worker().is_cancelled:
            self.app.post_message(SwitchFailed(place, reason))

    def failed(self, message: SwitchFailed) -> None:
        self.going = None
        if self.app._shut_down():
            return
        self.app.log_line(f"could not switch to {message.place.line()}: {message.reason}; still on "
                      f"{self.here().line()}", "error")
        self.app.notify(message.reason, title=f"Not switched: {message.place.line()}", severity="error")

    def arrived(self, message: Switched) -> None:
        app = self.app
        self.going = None
        if app._shut_down():  # the App is leaving: nowhere to show it
            message.client.close()
            return
        if app.action_open or app.client is None:  # an action opened meanwhile: its plan is of this cloud
            message.client.close()
            app.log_line(f"switch to {message.place.line()} abandoned: an action is open", "warning")
            return
        kind, obj = app._selection()
        old = app.client
        app.probe.stop()
        app.move_to(message.client, message.poller, message.topology)
        self.place = message.place
        self.made.append(message.client)
        self.reselect(message.topology, kind, obj)
        app.log_line(f"switched to {self.here().line()}", "ok")
        app.run_worker(partial(close_quietly, old), thread=True, group="switch-close", exit_on_error=False,
                       description="close the old cloud's client")

    def reselect(self, topology: Topology, kind: str, obj: Resource | None) -> None:
        """A selection of the kind there was: the same object, one of the same name, the first of its kind,
        else its section (the navigator shown: tree or map)."""
        app = self.app
        tree = app.query_one(TopologyTree)
        if kind.startswith("section:"):
            tree.reveal((kind.removeprefix("section:"),))
            return
        collection = getattr(topology, COLLECTIONS.get(kind, ""), None)
        if not collection:
            if kind in SECTION_OF_KIND:
                tree.reveal((SECTION_OF_KIND[kind],))
            return
        name = getattr(obj, "name", "") or None
        target = (obj.id if obj is not None and obj.id in collection else
                  next((o.id for o in collection.values() if name and getattr(o, "name", None) == name), None) or
                  min(collection.values(), key=lambda o: (getattr(o, "name", "") or "", o.id)).id)
        if app.views.map_shown:
            app.query_one(TopologyMap).select(kind, target)
            return
        path = path_to(topology, kind, target)
        if path is not None:
            tree.reveal(path)


def find_named(connector: Connector, client: CloudApi, here: Place, section: str, name: str) -> Place:
    """In the switch's worker: the place a typed name means; a ConfigError saying what there is instead."""
    found = find(connector.choices(client), here, section, name)
    if isinstance(found, str):
        raise ConfigError(found)
    return found


def close_quietly(client: CloudApi) -> None:
    """Closing is best effort: the user has moved on."""
    try:
        client.close()
    except Exception:
        pass
