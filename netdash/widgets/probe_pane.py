"""The probe pane: which backend answered, over the probe's sliding window, drawn from a `ProbeStats`.

Attributes down, messages up: the App owns the probe (`cloud.probe.Prober`, run in a worker) and hands
this pane a `cloud.probe_values.ProbeStats` snapshot with `show()`, a few times a second; the pane never sees
the probe. Its keys only ask: `p` posts `ToggleRequested`, `+`/`-` post `RateRequested` with the next
rate of `RATES`, `c` posts `ClearRequested`, `u` opens an input and posts `UrlChosen`, `k` posts
`ConnectionModeRequested` (keep-alive, or a new connection per request as a `curl` loop; the title says
which). The pane's keys apply while it has the focus, so they shadow the App's `p` (pause) and `c` (copy
id) there only.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Sparkline, Static

from netdash.cloud.probe_values import ProbeStats
from netdash.widgets.steady import SteadyStatic

#: the rates `+` and `-` step through (requests per second)
RATES = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0)
BAR = "█"
BAR_EMPTY = "░"


def next_rate(rate: float, up: bool) -> float:
    """The next step of `RATES` above (or below) `rate`; the ends stay put."""
    if up:
        return next((r for r in RATES if r > rate + 1e-9), RATES[-1])
    return next((r for r in reversed(RATES) if r < rate - 1e-9), RATES[0])


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} ms"


def render_bars(stats: ProbeStats, width: int) -> Text:
    """One line per backend: name, bar of its share, count and share, and the share the topology expects
    (`exp`), marked ⚠ when the difference is more than the sample explains; a backend expected but never
    seen gets a line too. Errors as a line of their own; the rule the expectation comes from last."""
    expected = stats.expected
    counts = {b.backend: b.count for b in stats.backends}
    rows = [(b.backend, b.backend + (f" ({b.software})" if b.software else ""), b.count, b.share, "green")
            for b in stats.backends]
    if expected is not None and stats.backends:
        rows += [(name, name, 0, 0.0, "green") for name, _ in expected.shares if name not in counts]
    failed = sum(count for _, count in stats.errors)
    if failed:
        rows.append(("", "errors", failed, stats.error_rate, "red"))
    if not rows:
        return Text("no answers yet" if stats.running else "not probing", style="bright_black")
    off = expected.deviating(counts, stats.client_backends) if expected is not None else frozenset()
    shown = expected is not None and bool(expected.shares)
    name_width = min(max(len(r[1]) for r in rows), 28)
    bar_width = max(5, width - name_width - 16 - (12 if shown else 0))
    text = Text()
    for i, (backend, name, count, share, style) in enumerate(rows):
        filled = round(share * bar_width)
        text.append(f"{name[:name_width]:<{name_width}} ", style="bold")
        text.append(BAR * filled, style=style)
        text.append(BAR_EMPTY * (bar_width - filled), style="bright_black")
        text.append(f" {count:>5} {share:>6.1%}")
        if shown and backend:
            assert expected is not None
            text.append(f"  exp {expected.share_of(backend):>4.0%}", style="bright_black")
        if backend in off:
            text.append(" ⚠", style="bold yellow")
        if i < len(rows) - 1:
            text.append("\n")
    if expected is not None and expected.rule:
        note = f"\nexpected: {expected.rule}"
        if expected.pinned and off:
            note += " — but a client was answered by more than one"
        text.append(note, style="bold yellow" if off else "bright_black")
    return text


def render_summary(stats: ProbeStats) -> Text:
    text = Text.assemble(("rate ", "bright_black"), f"{stats.achieved_rate:.1f}/{stats.target_rate:g} req/s",
                         ("  window ", "bright_black"), f"{stats.requests} of {stats.total}",
                         ("  latency ", "bright_black"),
                         f"p50 {ms(stats.p50)}  p95 {ms(stats.p95)}  p99 {ms(stats.p99)}")
    statuses = "  ".join(f"{label} {count}" for label, count in stats.statuses) or "—"
    text.append("\nstatus ", style="bright_black")
    text.append(statuses)
    errors = ", ".join(f"{kind} {count}" for kind, count in stats.errors)
    text.append("  errors ", style="bright_black")
    text.append(f"{stats.error_rate:.1%}" + (f" ({errors})" if errors else ""), style="red" if errors else "")
    return text


def render_clients(stats: ProbeStats) -> Text:
    """Per client address, the backend that answered it, or the several that did (they changed: ROUND_ROBIN
    alternates; under SOURCE_IP each client stays on one)."""
    seen = dict(stats.client_backends)
    text = Text("clients", style="bright_black")
    for client, last in stats.clients:
        backends = seen.get(client, ())
        text.append(f"\n{client} → ")
        if len(backends) > 1:
            text.append("/".join(backends), style="yellow")
            text.append(" (changes)", style="bright_black")
        else:
            text.append(backends[0] if backends else last)
    return text


class ProbePane(Vertical, can_focus=True):
    """Per-backend bars, a latency sparkline, status counts, the achieved rate and, with several clients,
    which backend each one reached."""

    DEFAULT_CSS = """
    ProbePane { height: auto; border: round $primary-darken-2; padding: 0 1; }
    ProbePane:focus-within { border: round $primary; }
    ProbePane.-running { border-title-color: $success; }
    ProbePane.-error { border-subtitle-color: $error; }
    ProbePane #probe-target { color: $text-muted; }
    ProbePane #probe-latency { height: 2; margin: 1 0 0 0; }
    ProbePane #probe-url { display: none; }
    ProbePane.-editing #probe-url { display: block; }
    ProbePane #probe-clients { display: none; }
    ProbePane.-clients #probe-clients { display: block; }
    """

    BINDINGS = [
        Binding("p", "toggle_probe", "Probe on/off", tooltip="Start or stop sending requests to the target",
                id="probe.toggle"),
        Binding("plus", "faster", "Rate +", tooltip="Probe faster (next step up to 200 req/s)", id="probe.faster"),
        Binding("minus", "slower", "Rate -", tooltip="Probe slower (next step down to 1 req/s)", id="probe.slower"),
        Binding("c", "clear_window", "Clear", tooltip="Forget the window's requests and start counting afresh",
                id="probe.clear"),
        Binding("u", "edit_url", "URL", tooltip="Type the URL to probe instead of the selection's address",
                id="probe.url"),
        Binding("k", "toggle_connections", "Keep-alive/new", tooltip="Keep connections open between requests "
                "(as a browser) or open a new one per request (as a curl loop)", id="probe.connections"),
        Binding("f", "more_clients", "Clients", tooltip="Probe from 1, 2, 4 or 8 client addresses (SOURCE_IP "
                "pins each client to one backend)", id="probe.clients"),
        Binding("escape", "cancel_url", "Cancel", tooltip="Keep the current URL", id="probe.cancel_url",
                show=False),
    ]

    class ToggleRequested(Message):
        """`p`: start the probe, or stop it."""

    class ClearRequested(Message):
        """`c`: empty the window."""

    class RateRequested(Message):
        """`+`/`-`: probe at this rate (requests per second)."""

        def __init__(self, rate: float) -> None:
            super().__init__()
            self.rate = rate

    class ConnectionModeRequested(Message):
        """`k`: a new connection per request (`new_connections`), or keep-alive."""

        def __init__(self, new_connections: bool) -> None:
            super().__init__()
            self.new_connections = new_connections

    class ClientsRequested(Message):
        """`f`: probe from this many client source addresses."""

        def __init__(self, clients: int) -> None:
            super().__init__()
            self.clients = clients

    class UrlChosen(Message):
        """`u`, then enter: probe this URL (as typed; the App validates it)."""

        def __init__(self, url: str) -> None:
            super().__init__()
            self.url = url

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.stats = ProbeStats()
        self.border_title = "Probe"

    def compose(self) -> ComposeResult:
        yield SteadyStatic(id="probe-target")
        yield Input(placeholder="http://127.24.4.12/  (enter: probe it, escape: cancel)", id="probe-url")
        yield SteadyStatic(id="probe-bars")
        yield Sparkline([], id="probe-latency")
        yield SteadyStatic(id="probe-summary")
        yield SteadyStatic(id="probe-clients")

    def on_mount(self) -> None:
        self.show(self.stats)

    def on_resize(self) -> None:
        self.show(self.stats)

    def show(self, stats: ProbeStats) -> None:
        """Draw a new snapshot (the App calls this a few times a second while probing)."""
        self.stats = stats
        if not self.is_mounted or not self.query("#probe-target"):
            return  # not yet composed, or being torn down (children go first): nothing to draw on
        self.set_class(stats.running, "-running")
        self.set_class(stats.error_rate > 0, "-error")
        self.set_class(len(stats.clients) > 1, "-clients")
        mode = "new connection per request" if stats.new_connections else "keep-alive"
        self.border_title = f"Probe · {'running' if stats.running else 'stopped'} · {mode}"
        self.border_subtitle = f"errors {stats.error_rate:.0%}" if stats.error_rate else ""
        target = Text(stats.url or "no target", style="bold")
        if stats.reason:
            target.append(f" — {stats.reason}", style="")
        self.query_one("#probe-target", Static).update(target)
        width = self.content_region.width or 60
        self.query_one("#probe-bars", Static).update(render_bars(stats, width))
        self.query_one("#probe-latency", Sparkline).data = list(stats.latencies)
        self.query_one("#probe-summary", Static).update(render_summary(stats))
        self.query_one("#probe-clients", Static).update(render_clients(stats))

    # --- keys ------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        editing = self.has_class("-editing")
        if action == "cancel_url":
            return editing
        if editing:
            return False  # the keys belong to the input while a URL is typed
        if action in ("toggle_probe", "faster", "slower"):
            return True if self.stats.url else None  # shown, greyed, until there is a target
        return True

    def action_toggle_probe(self) -> None:
        self.post_message(self.ToggleRequested())

    def action_faster(self) -> None:
        self.post_message(self.RateRequested(next_rate(self.stats.target_rate, up=True)))

    def action_slower(self) -> None:
        self.post_message(self.RateRequested(next_rate(self.stats.target_rate, up=False)))

    def action_more_clients(self) -> None:
        steps = (1, 2, 4, 8)
        now = max(1, len(self.stats.clients))
        self.post_message(self.ClientsRequested(next((n for n in steps if n > now), 1)))

    def action_toggle_connections(self) -> None:
        self.post_message(self.ConnectionModeRequested(not self.stats.new_connections))

    def action_clear_window(self) -> None:
        self.post_message(self.ClearRequested())

    def action_edit_url(self) -> None:
        field = self.query_one("#probe-url", Input)
        field.value = self.stats.url
        self.add_class("-editing")
        field.focus()

    def action_cancel_url(self) -> None:
        self.remove_class("-editing")
        self.focus()

    @on(Input.Submitted, "#probe-url")
    def url_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.remove_class("-editing")
        self.focus()
        if event.value.strip():
            self.post_message(self.UrlChosen(event.value.strip()))
