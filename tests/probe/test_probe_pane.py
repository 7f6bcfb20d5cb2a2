"""The probe pane in a harness App: it draws a `ProbeStats` and its keys post requests, never act.

(The pane wired into the dashboard, with a live probe, is the App's test.)"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import Input, Sparkline, Static

from netdash.cloud.probe_values import BackendShare, ProbeStats
from netdash.widgets.probe_pane import ProbePane, next_rate

STATS = ProbeStats(
    url="http://127.24.4.6/", reason="floating IP 127.24.4.6 of load balancer web's VIP port, port 80",
    running=True, target_rate=50, achieved_rate=49.6, requests=200, total=1234,
    backends=(BackendShare("server1", 97, 0.485, "nginx"), BackendShare("server2", 95, 0.475, "Apache")),
    statuses=(("200", 192), ("refused", 6), ("503", 2)), errors=(("refused", 6), ("5xx", 2)), error_rate=0.04,
    p50=1.8, p95=3.2, p99=9.7, latencies=tuple(1.5 + (i % 7) * 0.4 for i in range(60)),
    clients=(("127.0.0.1", "server1"), ("127.0.0.2", "server2"), ("127.0.0.3", "refused")),
)


class Harness(App[None]):
    """Only the pane; it records the messages the pane posts, as the App would receive them."""

    def __init__(self, stats: ProbeStats) -> None:
        super().__init__()
        self.stats = stats
        self.received: list[Message] = []

    def compose(self) -> ComposeResult:
        yield ProbePane(id="probe")

    def on_mount(self) -> None:
        pane = self.query_one(ProbePane)
        pane.show(self.stats)
        pane.focus()

    def on_probe_pane_toggle_requested(self, message: ProbePane.ToggleRequested) -> None:
        self.received.append(message)

    def on_probe_pane_rate_requested(self, message: ProbePane.RateRequested) -> None:
        self.received.append(message)

    def on_probe_pane_clear_requested(self, message: ProbePane.ClearRequested) -> None:
        self.received.append(message)

    def on_probe_pane_url_chosen(self, message: ProbePane.UrlChosen) -> None:
        self.received.append(message)


def text_of(app: App[None], selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def test_draws_bars_statuses_and_clients() -> None:
    app = Harness(STATS)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        pane = app.query_one(ProbePane)
        bars = text_of(app, "#probe-bars")
        assert "server1 (nginx)" in bars and "48.5%" in bars and "errors" in bars and "4.0%" in bars
        summary = text_of(app, "#probe-summary")
        assert "49.6/50 req/s" in summary and "p99 9.7 ms" in summary and "refused 6" in summary
        assert "127.0.0.3 → refused" in text_of(app, "#probe-clients")
        assert pane.has_class("-running") and pane.has_class("-error") and pane.has_class("-clients")
        assert len(app.query_one(Sparkline).data) == 60
        pane.show(ProbeStats(url="http://x/", clients=(("127.0.0.1", "-"),)))
        await pilot.pause()
        assert not pane.has_class("-clients") and not pane.has_class("-running")
        assert "not probing" in text_of(app, "#probe-bars")


async def test_keys_post_requests() -> None:
    app = Harness(STATS)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.press("p", "plus", "minus", "c")
        await pilot.pause()
        kinds = [type(m).__name__ for m in app.received]
        assert kinds == ["ToggleRequested", "RateRequested", "RateRequested", "ClearRequested"]
        assert [m.rate for m in app.received if isinstance(m, ProbePane.RateRequested)] == [100.0, 20.0]

        app.received.clear()
        await pilot.press("u")
        field = app.query_one("#probe-url", Input)
        assert field.has_focus and field.value == STATS.url
        field.value = ""
        await pilot.press(*"127.0.0.1:8080", "enter")
        await pilot.pause()
        assert [m.url for m in app.received if isinstance(m, ProbePane.UrlChosen)] == ["127.0.0.1:8080"]
        assert app.query_one(ProbePane).has_focus and not field.display

        app.received.clear()
        await pilot.press("u", "p", "escape")  # typed into the input, not a toggle; escape keeps the URL
        await pilot.pause()
        assert app.received == [] and app.query_one(ProbePane).has_focus


async def test_without_target_the_probe_keys_are_disabled() -> None:
    app = Harness(ProbeStats(reason="nothing to probe: select a load balancer or a floating IP, or type a URL (u)"))
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.press("p", "plus", "c")
        await pilot.pause()
        assert [type(m).__name__ for m in app.received] == ["ClearRequested"]


def test_rate_steps() -> None:
    assert [next_rate(r, up=True) for r in (1, 10, 15, 200)] == [2, 20, 20, 200]
    assert [next_rate(r, up=False) for r in (1, 10, 15, 200)] == [1, 5, 10, 100]


def test_snapshot(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await pilot.pause()

    assert snap_compare(Harness(STATS), terminal_size=(100, 20), run_before=run_before)
