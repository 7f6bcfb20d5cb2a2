"""The status header: which cloud, project and region this is, when it was last refreshed, and whether
what is on screen is stale (since when, and why).

The App sets its attributes; the header re-renders once a second so the age keeps counting while the
cloud is unreachable. `clock` is injectable so snapshot tests render a fixed time.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.text import Text

from netdash.widgets.steady import SteadyStatic


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
        self.last_refresh: float | None = None
        self.stale_since: float | None = None
        self.reason = ""
        self.read_only = False
        self.paused = False

    def on_mount(self) -> None:
        self.set_interval(1.0, self.render_status, name="status-age")
        self.render_status()

    def set_cloud(self, cloud: str, project: str, region: str | None, *, demo: bool = False,
                  tls_verify: bool = True) -> None:
        self.cloud, self.project, self.cloud_region, self.demo = cloud, project, region, demo
        self.tls_verify = tls_verify
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

    def render_status(self) -> None:
        text = Text.assemble(("netdash", "bold"), "  cloud ", (self.cloud or "?", "bold"))
        if self.demo:
            text.append(" (embedded demo cloud)", style="italic")
        text.append(f"  project {self.project or '?'}  region {self.cloud_region or '—'}")
        if not self.tls_verify:
            text.append("  TLS verification off", style="bold reverse")
        if self.read_only:
            text.append("  read-only")
        if self.paused:
            text.append("  paused")
        if self.last_refresh is None:
            text.append("  connecting…")
        else:
            text.append("  refreshed " + time.strftime("%H:%M:%S", time.localtime(self.last_refresh)))
        if self.stale_since is not None:
            age = max(0, int(self.clock() - self.stale_since))
            text.append(f"\nSTALE for {age}s, showing the last topology: {self.reason}", style="bold")
        self.update(text)
