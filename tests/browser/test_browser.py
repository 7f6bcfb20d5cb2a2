"""`netdash serve` in a real browser (issue 18): Debian's chromium, driven headless by Playwright, loads the
page, sees the topology, presses a key and sees what it does, and saves a PNG of the page. `make test`
installs chromium in the background while the rest of the suite runs (`chromium.py`) and runs this last;
where it cannot be installed the test skips, saying why."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import chromium
from tests.browser.serving import Served, page_shot

#: chromium's install may still be running (`make test` started it), and a first start of it is slow
pytestmark = [pytest.mark.browser, pytest.mark.timeout(400)]

def browser_or_skip() -> str:
    outcome = chromium.wait(timeout=240)
    if outcome != "ok":
        pytest.skip(outcome)
    found = chromium.executable()
    assert found is not None
    return found


def test_the_dashboard_in_a_browser(tmp_path: Path) -> None:
    executable = browser_or_skip()
    with Served("--demo", "--read-only") as served:
        png = tmp_path / "browser.png"
        text = page_shot(served.url, executable, png, keys=("?",), shows="esc to close")
        assert "web" in text and "public" in text  # the load balancer and the external network
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
        code, err = served.stop()
        assert code == 0, err
