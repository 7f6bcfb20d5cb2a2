"""A crash is a bug, but its report must not be where a secret shows: Textual's default one prints every
frame's local variables, and the dashboard's frames hold the client (whose session holds the token)."""

from __future__ import annotations

import pytest
from rich.console import Console

from netdash.democloud import DemoCloud
from tests.dashboard_support import dashboard, until


class Boom(Exception):
    pass


async def test_crash_report_shows_no_local_variables(seeded_cloud: DemoCloud) -> None:
    app = dashboard(seeded_cloud)
    password = seeded_cloud.password()
    token = app.client.session.conn.session.get_token()

    def crash() -> None:
        secret_in_a_local = f"{password}/{token}"
        raise Boom(f"the report names the error, {len(secret_in_a_local)} characters")

    reported: list[object] = []
    with pytest.raises(Boom):
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
            app.call_later(crash)
            # what Textual prints when the app ends, taken before it prints (and forgets) it
            await until(pilot, lambda: reported.extend(app._exit_renderables) or reported, what="the report")
    console = Console(record=True, width=200, file=open("/dev/null", "w"))  # noqa: SIM115
    for renderable in reported:
        console.print(renderable)
    report = console.export_text()
    assert "Boom" in report and "the report names the error" in report
    assert password not in report and token not in report and token[:16] not in report
