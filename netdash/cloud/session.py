"""One connection to a cloud, and the boundary every request of it leaves through.

The session holds the openstacksdk `Connection` (made by `cloud.client`, the only module that imports
openstacksdk: here it is only a structural type), counts every request (`calls`: authentication and
discovery included) and, while a fetch runs, makes each request wait for that fetch's asyncio-throttle
`Throttler` (`max_rps`). Bodies are read and written as the REST APIs' JSON through the SDK's service
proxies (same token, same keystoneauth session), never as SDK resources, and every failure leaves as a
NetdashError whose one line names the service, the call and the service's own message.

Threads share one Connection: proxies are built once, before any fetch (`cloud.client` does it while
connecting: service_description caches them without a lock), keystoneauth guards re-authentication with a
lock, and requests' connection pool is thread-safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from asyncio_throttle.throttler import Throttler

from .config import check_response, request_errors
from .errors import ApiError, AuthError

if TYPE_CHECKING:
    import requests
    from keystoneauth1.adapter import Adapter
    from keystoneauth1.session import Session as KeystoneSession

#: the Connection attribute holding each service type's proxy
PROXY_ATTR = {"network": "network", "compute": "compute", "load-balancer": "load_balancer"}


class Connection(Protocol):
    """What a session uses of an openstacksdk `Connection` (its proxies are read by name: `PROXY_ATTR`)."""

    @property
    def session(self) -> KeystoneSession: ...

    def close(self) -> None: ...


class Session:
    """A connected cloud's requests: `send` for single calls and changes, `get` for the reads of a fetch."""

    def __init__(self, conn: Connection, secrets: tuple[str, ...], max_rps: float) -> None:
        self.conn = conn
        #: what every message is scrubbed of (`config.scrub`)
        self.secrets = secrets
        #: the compute API microversion requests ask for (the newest both ends speak; set while connecting)
        self.compute_microversion: str | None = None
        self._throttler = Throttler(rate_limit=max(1, round(max_rps)), period=1.0)
        self._calls = 0
        self._calls_lock = threading.Lock()
        #: the event loop of the fetch under way and the thread running it (None between fetches)
        self._fetch: tuple[asyncio.AbstractEventLoop, threading.Thread] | None = None
        self._install_boundary()

    # --- the boundary ---------------------------------------------------------------------------
    @property
    def calls(self) -> int:
        """Requests sent so far on this connection."""
        return self._calls

    def _install_boundary(self) -> None:
        """Route every request of this connection through `_before_request` (count, then throttle)."""
        from requests.adapters import BaseAdapter

        before = self._before_request

        class Boundary(BaseAdapter):
            def __init__(self, inner: BaseAdapter) -> None:
                super().__init__()
                self.inner = inner

            def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
                before()
                return self.inner.send(request, *args, **kwargs)

            def close(self) -> None:
                self.inner.close()

        session = self.conn.session.session  # keystoneauth Session -> requests.Session
        for prefix in ("https://", "http://"):
            session.mount(prefix, Boundary(session.get_adapter(prefix)))

    def _before_request(self) -> None:
        with self._calls_lock:
            self._calls += 1
        fetch = self._fetch
        if fetch is None:
            return
        loop, thread = fetch
        # A request made on the loop's own thread must not wait for the throttler: it would block the
        # loop it waits on.
        if loop.is_running() and threading.current_thread() is not thread:
            asyncio.run_coroutine_threadsafe(self._throttler.acquire(), loop).result()

    @contextlib.contextmanager
    def throttled(self) -> Iterator[None]:
        """While in this block (a fetch, on the running event loop), requests from other threads wait for the
        throttler; requests outside any fetch (an action's) are never held back."""
        self._fetch = (asyncio.get_running_loop(), threading.current_thread())
        try:
            yield
        finally:
            self._fetch = None

    # --- one request ----------------------------------------------------------------------------
    def _proxy(self, service: str) -> tuple[Adapter, dict[str, Any]]:
        """The service's proxy (a keystoneauth Adapter) and the keyword arguments every request to it takes."""
        proxy: Adapter = getattr(self.conn, PROXY_ATTR[service])
        kwargs: dict[str, Any] = {}
        if service == "compute" and self.compute_microversion:
            kwargs["microversion"] = self.compute_microversion
        return proxy, kwargs

    def send(self, service: str, method: str, url: str, body: Any = None) -> Any:
        """The JSON answer (None for an empty 2xx); an ApiError with `.status` for any error answer."""
        proxy, kwargs = self._proxy(service)
        if body is not None:
            kwargs["json"] = body
        with request_errors(service, url, self.secrets):
            response = proxy.request(url, method, raise_exc=False, **kwargs)
        status = int(getattr(response, "status_code", 0))
        if 200 <= status < 300 and not response.content:
            return None
        try:
            return check_response(service, f"{method} {url}", response, self.secrets)
        except ApiError as exc:
            exc.status = status
            raise

    def get(self, service: str, url: str) -> Any:
        """The JSON answer of a GET that a fetch makes; a refused token is renewed and tried once more."""
        proxy, kwargs = self._proxy(service)
        from keystoneauth1 import exceptions as ksa

        with request_errors(service, url, self.secrets):
            try:
                response = proxy.get(url, raise_exc=False, **kwargs)
                if response.status_code == 401:
                    # keystoneauth renews a refused token once per request, but skips it when another
                    # thread's renewal is under way: one more try, then the 401 stands.
                    response = proxy.get(url, raise_exc=False, **kwargs)
            except ksa.HttpError as exc:  # with raise_exc=False, only renewing the token raises one
                raise AuthError(f"{service} API refused the token and the identity service answered HTTP "
                                f"{exc.http_status} to a new one") from None
        return check_response(service, url, response, self.secrets)

    # --- connections ----------------------------------------------------------------------------
    def reset_connections(self) -> None:
        """Forget pooled keep-alive connections: the next request opens fresh ones. Used after a
        transport failure, where a half-closed socket would fail the retry too."""
        for prefix in ("https://", "http://"):
            self.conn.session.session.get_adapter(prefix).close()

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:  # closing is best effort: nothing to tell a user who is leaving
            pass

    def __repr__(self) -> str:  # never the connection (its config holds the password)
        return "Session(...)"
