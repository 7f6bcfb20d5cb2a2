"""Messages the refresh worker posts to the App: the worker only posts, the App's handlers own state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

from netdash.cloud.model import Topology

if TYPE_CHECKING:
    from netdash.cloud.api import CloudApi
    from netdash.cloud.poller import Poller
    from netdash.cloud.switching import Place


@dataclass
class ChangeLine:
    """One line of the event log, however it came about (a change event, a refresh outcome)."""

    at: float
    text: str
    severity: str = "info"


@dataclass
class TopologyFetched(Message):
    """A refresh succeeded: the new snapshot and the changes since the last one."""

    topology: Topology
    changes: list[ChangeLine] = field(default_factory=list)
    took: float = 0.0


@dataclass
class FetchFailed(Message):
    """A refresh failed: the view keeps the last snapshot and is marked stale since `stale_since`."""

    title: str
    reason: str
    stale_since: float
    changes: list[ChangeLine] = field(default_factory=list)


@dataclass
class CloudAnswered(Message):
    """The probe of a cloud that failed as a whole (one cheap request, asked each interval while the
    refreshes back off) got an answer, or not."""

    answered: bool


@dataclass
class TouchedRead(Message):
    """The objects an action touched, read afresh into the last topology (`cloud.reach.reread`): what the
    probe follows at once, before the full refresh after the action lands."""

    topology: Topology


@dataclass
class Switched(Message):
    """The switcher connected to `place` and read its first topology: the App moves there."""

    place: Place
    client: CloudApi
    poller: Poller
    topology: Topology


@dataclass
class SwitchFailed(Message):
    """The switcher could not get to `place` (the one line says why): the App stays where it is."""

    place: Place
    reason: str
