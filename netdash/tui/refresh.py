"""One poll, turned into the message the App applies: the bridge between `cloud.poller` and Textual.

The refresh worker calls `poll_once` and posts what it returns; nothing here touches a widget. Any
exception that escapes the poller (a bug, not a cloud failure: those come back as `Refresh.error`) is
reported as a failed refresh too, so polling never dies and the view shows why it went stale.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from netdash.cloud.events import ChangeEvent
from netdash.tui.messages import ChangeLine, FetchFailed, TopologyFetched

#: at most this many change lines per refresh: the rest is summed up in one more line
MAX_LINES = 30
RANK = {"error": 0, "warning": 1, "ok": 2, "info": 3}


class PollerLike(Protocol):
    """What the App needs of `cloud.poller.Poller`."""

    async def refresh(self) -> Any: ...

    def next_delay(self) -> float: ...


async def poll_once(poller: PollerLike, clock: Callable[[], float]) -> TopologyFetched | FetchFailed:
    try:
        refresh = await poller.refresh()
    except Exception as exc:
        return FetchFailed("Refresh failed", f"{type(exc).__name__}: {exc}", clock())
    lines = change_lines(refresh.events)
    if refresh.error is None:
        return TopologyFetched(refresh.topology, lines, refresh.took)
    error = refresh.error
    title = getattr(error, "title", "Refresh failed")
    reason = getattr(error, "message", "") or str(error)
    return FetchFailed(title, reason, refresh.stale_since or clock(), lines)


def change_lines(events: Sequence[ChangeEvent]) -> list[ChangeLine]:
    """One line per event, unless a refresh brought more than `MAX_LINES`: then the most severe ones and a
    count of the rest by resource: a thousand members flapping at once would scroll away everything else,
    and laying a thousand lines out holds the UI's loop (bench/README.md)."""
    if len(events) <= MAX_LINES:
        return [ChangeLine(event.at, event.text, event.severity) for event in events]
    ranked = sorted(events, key=lambda event: RANK.get(event.severity, 3))  # stable: cloud order within a rank
    shown, rest = ranked[:MAX_LINES - 1], ranked[MAX_LINES - 1:]
    counts = Counter(event.resource for event in rest)
    what = ", ".join(f"{count:,} {resource}{'' if count == 1 else 's'}" for resource, count in counts.most_common())
    worst = min((event.severity for event in rest), key=lambda severity: RANK.get(severity, 3))
    summary = ChangeLine(rest[0].at, f"... and {len(rest):,} more changes: {what} (the tree shows each)", worst)
    return [*[ChangeLine(event.at, event.text, event.severity) for event in shown], summary]
