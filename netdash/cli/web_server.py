"""textual-serve's server as `netdash serve` runs it (a module of its own: textual-serve loads only for `serve`)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from textual_serve.server import Server


class WebServer(Server):  # type: ignore[misc]
    """Quiet (netdash prints its own lines); the page's websocket address taken from the request, so it works
    on whatever address the browser used; each tab's session known, so that stopping can ask every
    dashboard to quit."""

    def __init__(self, command: str) -> None:
        super().__init__(command, title="netdash")
        self.sessions: set[asyncio.Task[Any]] = set()

    def initialize_logging(self) -> None:
        pass

    async def on_startup(self, app: Any) -> None:
        pass

    async def handle_index(self, request: Any) -> Any:
        self.public_url = f"{request.scheme}://{request.host}"
        return await super().handle_index(request)

    async def handle_websocket(self, request: Any) -> Any:
        task = asyncio.current_task()
        assert task is not None
        self.sessions.add(task)
        try:
            return await super().handle_websocket(request)
        finally:
            self.sessions.discard(task)

    async def quit_all(self, timeout: float) -> None:
        """Cancel each tab's session: textual-serve then sends its dashboard `quit` and waits for it to end."""
        sessions = list(self.sessions)
        for task in sessions:
            task.cancel()
        if sessions:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*sessions, return_exceptions=True), timeout)
