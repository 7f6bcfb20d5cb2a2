"""The switcher (`S`): the clouds, this user's projects and the catalog's regions, one list; Enter goes.

A `ModalScreen[Place | None]` like the key help: the dashboard underneath keeps refreshing the cloud it
is on. What it lists is read by a thread worker of its own (clouds.yaml, Keystone's `/v3/auth/projects`,
the token's catalog: `cloud.switching.Connector.choices`), and it says what could not be read, one line
each. Where the dashboard is now is marked. Names from clouds.yaml and Keystone are shown as text.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from netdash.cloud.api import CloudApi
from netdash.cloud.switching import Choices, Connector, Place, cloud_label
from netdash.cloud.text import visible


class SwitchScreen(ModalScreen[Place | None]):
    """Pick a cloud, a project of this cloud or a region of its catalog."""

    BINDINGS = [Binding("escape", "close", "Cancel", tooltip="Back to the dashboard, where it was",
                        id="switch.close")]

    @dataclass
    class Listed(Message):
        """The worker read the choices."""

        choices: Choices

    def __init__(self, connector: Connector, client: CloudApi, here: Place, section: str = "") -> None:
        """`here`: where the dashboard is (its project's name too, as the header shows it); `section`
        (clouds, projects, regions): where the cursor starts."""
        super().__init__()
        self.connector = connector
        self.client = client
        self.here = here
        self.section = section
        #: option id -> where it goes
        self.places: dict[str, Place] = {}
        #: the options of where the dashboard is (chosen: nothing to do)
        self.current: set[str] = set()

    def compose(self) -> ComposeResult:
        with Vertical(id="switch-dialog") as dialog:
            dialog.border_title = "Switch cloud, project, region"
            dialog.border_subtitle = "enter switches · esc cancels"
            yield Static(Text(f"now: {visible(self.here.line())}; reading what else there is…"), id="switch-status")
            yield OptionList(id="switch-options")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.run_worker(self._read_choices, thread=True, group="switch-list", exit_on_error=False,
                        description="list clouds, projects, regions")

    def _read_choices(self) -> None:
        choices = self.connector.choices(self.client)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Listed(choices))

    @on(Listed)
    def _listed(self, message: Listed) -> None:
        choices, here = message.choices, self.here
        options: list[Option] = []
        first: dict[str, int] = {}

        def head(title: str, key: str, empty: bool) -> None:
            options.append(Option(Text(title + (": none" if empty else ""), style="bold"), disabled=True))
            first[key] = len(options)

        def add(key: str, label: str, place: Place, current: bool) -> None:
            option_id = f"{key}-{len(self.places)}"
            self.places[option_id] = place
            if current:
                self.current.add(option_id)
            options.append(Option(Text.assemble(("● " if current else "  "), visible(label),
                                                (" (here)" if current else "", "dim")), id=option_id))

        head("Clouds", "clouds", not choices.clouds)
        for name in choices.clouds:
            add("clouds", cloud_label(name), Place(name), name == here.cloud)
        head(f"Projects of {cloud_label(here.cloud)}", "projects", not choices.projects)
        for project_id, name in choices.projects:
            add("projects", f"{name}  {project_id}", Place(here.cloud, project_id, here.region, name),
                name == here.project if here.project_id is None else project_id == here.project_id)
        head("Regions", "regions", not choices.regions)
        for region in choices.regions:
            add("regions", region, Place(here.cloud, here.project_id, region, here.project), region == here.region)
        listing = self.query_one(OptionList)
        listing.clear_options()
        listing.add_options(options)
        start = first.get(self.section, first["clouds"])
        listing.highlighted = start if start < len(options) and not options[start].disabled else None
        problems = "; ".join(choices.problems)
        status = self.query_one("#switch-status", Static)
        status.update(Text(visible(f"now: {here.line()}" + (f"\ncould not read {problems}" if problems else ""))))
        status.set_class(bool(problems), "-error")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if option_id in self.current:  # where the dashboard is already: nothing to reconnect
            self.app.notify(f"already here: {visible(self.here.line())}", title="Switch")
            self.dismiss(None)
            return
        place = self.places.get(option_id)
        if place is not None:
            self.dismiss(place)

    def action_close(self) -> None:
        self.dismiss(None)
