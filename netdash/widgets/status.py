"""The status header: which cloud, project and region this is, when it was last refreshed, and whether
what is on screen is stale (since when, and why): all of it (the last refresh failed as a whole), or some
sections (lists the last refresh could not read: "2 sections STALE"), and when the next try is; and the
network quotas at or near their limit ("quota floating IPs 9/10"). It never claims a topology that was
never loaded.

The App sets its attributes; the header re-renders once a second so the age keeps counting while the
cloud is unreachable. `clock` is injectable so snapshot tests render a fixed time.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence

from rich.text import Text

from netdash.cloud.model import Unread
from netdash.cloud.text import visible
from netdash.widgets.steady import SteadyStatic

#: narrower than this, the header says cloud, project and region without their labels
COMPACT_BELOW = 110


class StatusHeader(SteadyStatic):
    """One line at the top of the screen; the `-stale` class marks a view the cloud no longer confirms."""

    def __init__(self, *, id: str | None = None, classes: str | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__("", id=id, classes=classes)
        self.clock = clock
        self.cloud = ""
        self.project = ""
        self.cloud_region: str | None = None
        self.demo = False
        #: False when the cloud's config or `--insecure` turned certificate checks off: always on screen then
        self.tls_verify = True
        #: faults injected into the embedded cloud (`--faults`): on screen, so a failure is not taken for real
        self.faults: tuple[str, ...] = ()
        self.last_refresh: float | None = None
        self.stale_since: float | None = None
        self.reason = ""
        self.read_only = False
        self.paused = False
        #: section title -> (collection name, why) of what the last refresh could not read
        self.unread: Mapping[str, Sequence[tuple[str, Unread]]] = {}
        #: wall-clock time of the next refresh while something is stale (None: not planned)
        self.next_try: float | None = None
        #: quotas at or near their limit, as a person reads them ("floating IPs 9/10")
        self.quota_warnings: tuple[str, ...] = ()

    def on_mount(self) -> None:
        self.set_interval(1.0, self.render_status, name="status-age")
        self.render_status()

    def on_resize(self) -> None:
        self.render_status()

    def set_cloud(self, cloud: str, project: str, region: str | None, *, demo: bool = False,
                  tls_verify: bool = True, faults: tuple[str, ...] = ()) -> None:
        # names from clouds.yaml and Keystone: shown as text, never terminal control
        self.cloud, self.project = visible(cloud), visible(project)
        self.cloud_region, self.demo = visible(region) if region else region, demo
        self.tls_verify = tls_verify
        self.faults = tuple(visible(spec) for spec in faults)
        self.set_class(not tls_verify, "-insecure")
        self.render_status()

    def set_refreshed(self, at: float) -> None:
        self.last_refresh = at
        self.stale_since = None
        self.reason = ""
        self.set_class(False, "-stale")
        self.render_status()

    def set_stale(self, since: float, reason: str) -> None:
        self.stale_since = since
        self.reason = reason
        self.set_class(True, "-stale")
        self.render_status()

    def set_unread(self, unread: Mapping[str, Sequence[tuple[str, Unread]]]) -> None:
        """The sections (by title) some of whose lists the last refresh could not read; the rest is fresh."""
        self.unread = unread
        if self.stale_since is None:
            self.reason = "; ".join(f"{name}: {why.reason}" for items in unread.values() for name, why in items)
            self.set_class(bool(unread), "-stale")
        self.render_status()

    def set_quota_warnings(self, warnings: tuple[str, ...]) -> None:
        if warnings != self.quota_warnings:
            self.quota_warnings = warnings
            self.render_status()

    def set_next_try(self, at: float | None) -> None:
        self.next_try = at
        self.render_status()

    def render_status(self) -> None:
        # before its first layout the header has no width yet: the terminal's is the one it will have (docked
        # across it), so the first render already has the height it keeps, and no later re-layout races a paint
        width = self.size.width or self.app.size.width
        if 0 < width < COMPACT_BELOW:  # one line at 80 columns: the same facts, fewer words
            text = Text.assemble(("netdash", "bold"), "  ", (self.cloud or "?", "bold"))
            if self.demo:
                text.append(" (demo)", style="italic")
            text.append(f" · {self.project or '?'} · {self.cloud_region or '—'}")
        else:
            text = Text.assemble(("netdash", "bold"), "  cloud ", (self.cloud or "?", "bold"))
            if self.demo:
                text.append(" (embedded demo cloud)", style="italic")
            text.append(f"  project {self.project or '?'}  region {self.cloud_region or '—'}")
        if not self.tls_verify:
            text.append("  TLS verification off", style="bold reverse")
        if self.faults:
            text.append(f"  faults active: {' '.join(self.faults)}", style="bold yellow")
        if self.read_only:
            text.append("  read-only")
        if self.paused:
            text.append("  paused")
        if self.last_refresh is None:
            text.append("  connecting…")
        else:
            text.append("  refreshed " + time.strftime("%H:%M:%S", time.localtime(self.last_refresh)))
        if self.quota_warnings:
            # on the first line while it fits (80 columns rarely leave room: then a line of its own)
            quota = "quota " + ", ".join(self.quota_warnings)
            fits = not width or text.cell_len + 2 + len(quota) <= width - 2
            text.append("  " if fits else "\n")
            text.append(quota, style="bold yellow")
        now = self.clock()
        if self.stale_since is not None:
            age = max(0, int(now - self.stale_since))
            if self.last_refresh is None:
                text.append(f"\nNO TOPOLOGY: nothing read for {age}s: {self.reason}", style="bold")
            else:
                text.append(f"\nSTALE for {age}s, showing the last topology: {self.reason}", style="bold")
        elif self.unread:
            count = len(self.unread)
            text.append(f"\n{count} section{'' if count == 1 else 's'} STALE", style="bold")
            retrying = self._retrying(now)
            text.append((f", {retrying}" if retrying else "") + ": " + ", ".join(
                f"{title} ({', '.join(name for name, _ in items)}, "
                f"{'stale ' + str(items[0][1].age(now)) + ' s' if items[0][1].kept else 'none read yet'})"
                for title, items in self.unread.items()))
            reasons = dict.fromkeys(why.reason for items in self.unread.values() for _, why in items)
            text.append("\n" + "; ".join(reasons))
            self.update(text)
            return
        if self.stale_since is not None and (retrying := self._retrying(now)):
            text.append(f"  ({retrying})")
        self.update(text)

    def _retrying(self, now: float) -> str:
        """When the next try is, if one is planned: the user knows whether to wait or press `r`."""
        if self.next_try is None or self.paused:
            return ""
        wait = math.ceil(self.next_try - now)
        return f"retrying in {wait} s" if wait > 0 else "retrying now"
