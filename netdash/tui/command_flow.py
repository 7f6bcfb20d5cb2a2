"""The App's side of the command bar: suggestions while a line is typed, then what the line asks for — go
to an object (its parents opened, its node selected), to a section, or run an action.

What a line means is `tui.command_line`'s; where an object sits in the tree is `widgets.nodes.path_to`'s;
this module only does it on the App's widgets. On a narrow terminal a jump shows the tree view (the
quotas: the details view), since the object is what the user asked to see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Input

from netdash.cloud.naming import kind_name
from netdash.tui.command_line import Jump, RunAction, Switch, Unknown, parse, suggestions
from netdash.widgets.command_bar import CommandBar, Suggestion
from netdash.widgets.nodes import path_to
from netdash.widgets.topology_tree import TopologyTree

if TYPE_CHECKING:
    from netdash.tui.app import NetdashApp


class CommandFlow:
    def __init__(self, app: NetdashApp) -> None:
        self.app = app

    @property
    def bar(self) -> CommandBar:
        return self.app.query_one(CommandBar)

    def open(self) -> None:
        self.bar.open()

    def complete(self, text: str) -> list[Suggestion]:
        return suggestions(text, self.app.topology, self.app.fitting_actions())

    def submit(self, text: str) -> None:
        command = parse(text, self.app.topology)
        if command is None:
            self.close()
            return
        if isinstance(command, Unknown):
            self.bar.say(command.message, error=True)
            return
        if isinstance(command, Switch):
            if not self.app.switcher.available:
                self.bar.say("this dashboard cannot switch: it was not started on a cloud it can connect to again",
                             error=True)
                return
            self.close()
            if command.name:
                self.app.switcher.go_named(command.section, command.name)
            else:
                self.app.action_switch(command.section)
            return
        jump = command.target if isinstance(command, RunAction) else command
        if jump is not None and (problem := self.jump(jump)) is not None:
            self.bar.say(problem, error=True)
            return
        self.close()
        if isinstance(command, RunAction):
            self.app.action_act(command.action_id)

    def close(self) -> None:
        self.bar.close()  # the App puts the focus back on the tree

    def jump(self, jump: Jump) -> str | None:
        """Select the object (or section) in the tree; what went wrong, in one line, else None."""
        tree = self.app.query_one(TopologyTree)
        path = (jump.section,) if jump.section else path_to(self.app.topology, jump.kind, jump.id)
        if path is None:
            return f"the tree does not show this {kind_name(jump.kind)}"
        node = tree.reveal(path, open_it=bool(jump.section))
        if node is None and (tree.filter_text or self.app.query_one("#filter", Input).value):
            self.app.action_clear_filter()  # the filter hid it: every object again, then go there
            node = tree.reveal(path, open_it=bool(jump.section))
        if node is None:
            return f"the tree does not show this {kind_name(jump.kind or 'section')} (yet): r refreshes"
        if self.app.views.narrow:
            self.app.views.show("details" if jump.details else "tree")
        return None
