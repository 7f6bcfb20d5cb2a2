"""One poll, turned into the message the App applies: the bridge between `cloud.poller` and Textual.

The refresh worker calls `poll_once` and posts what it returns; nothing here touches a widget. Any
exception that escapes the poller (a bug, not a cloud failure: those come back as `Refresh.error`) is
reported as a failed refresh too, so polling never dies and the view shows why it went stale.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from tui.messages import ChangeLine, FetchFailed, TopologyFetched


class PollerLike(Protocol):
    """What the App needs of `cloud.poller.Poller`."""

    async def refresh(self) -> Any: ...

    def next_delay(self) -> float: ...


async def poll_once(poller: PollerLike, clock: Callable[[], float]) -> TopologyFetched | FetchFailed:
    try:
        refresh = await poller.refresh()
    except Exception as exc:
        return FetchFailed("Refresh failed", f"{type(exc).__name__}: {exc}", clock())
    lines = [ChangeLine(event.at, event.text, event.severity) for event in refresh.events]
    if refresh.error is None:
        return TopologyFetched(refresh.topology, lines, refresh.took)
    error = refresh.error
    title = getattr(error, "title", "Refresh failed")
    reason = getattr(error, "message", "") or str(error)
    return FetchFailed(title, reason, refresh.stale_since or clock(), lines)
