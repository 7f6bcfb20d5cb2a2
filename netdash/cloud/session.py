"""One connection to a cloud, and the boundary every request of it leaves through.

The session holds the openstacksdk `Connection` (made by `cloud.client`, the only module that imports
openstacksdk: here it is only a structural type), counts every request (`calls`: authentication and
discovery included) and makes each one wait for its token of the request budget (`cloud.budget`:
`--max-rps`, after a one-time burst), whoever sends it: a fetch, an action, the connection itself. Bodies
are read and written as the REST APIs' JSON through the SDK's service proxies (same token, same
keystoneauth session), never as SDK resources, and every failure leaves as a NetdashError whose one line
names the service, the call and the service's own message.

A 429 answer ("too many requests": the cloud did not process it) is sent again once the wait its
`Retry-After` asks for is over, reads and writes alike, for at most `MAX_RETRY_WAIT` seconds in all and never
past the caller's deadline (`cloud.caller`); the wait is said to whoever the caller asked to be told, and
the budget holds every other request meanwhile. When it gives up, the ApiError keeps `status` 429 and
carries `retry_after`.

Threads share one Connection: proxies are built once, before any fetch (`cloud.client` does it while
connecting: service_description caches them without a lock), keystoneauth guards re-authentication with a
lock, and requests' connection pool is thread-safe.
"""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import math
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from . import caller
from .budget import BURST, RequestBudget
from .config import check_response, path_of, request_errors
from .errors import ApiError, AuthError

if TYPE_CHECKING:
    import requests
    from keystoneauth1.adapter import Adapter
    from keystoneauth1.session import Session as KeystoneSession

#: the Connection attribute holding each service type's proxy
PROXY_ATTR = {"network": "network", "compute": "compute", "load-balancer": "load_balancer",
              "identity": "identity",
              # read only by a tour's builds (an image by name), from one thread: built on first use
              "image": "image"}
#: not a service of the catalog: the embedded cloud's own lists (`/democloud/endpoints`), by whole URL through
#: the keystoneauth session (same token, same boundary)
DEMOCLOUD = "democloud"
#: seconds a request waits in all for 429 answers to pass (less when its caller's deadline is nearer); a
#: Retry-After beyond it is not waited for
MAX_RETRY_WAIT = 60.0
#: seconds before sending again after a 429 without a readable Retry-After (doubled at each one)
DEFAULT_RETRY_WAIT = 1.0


class Connection(Protocol):
    """What a session uses of an openstacksdk `Connection` (its proxies are read by name: `PROXY_ATTR`)."""

    @property
    def session(self) -> KeystoneSession: ...

    def close(self) -> None: ...


class Session:
    """A connected cloud's requests: `send` for single calls and changes, `get` for the reads of a fetch."""

    def __init__(self, conn: Connection, secrets: tuple[str, ...], max_rps: float, burst: int = BURST) -> None:
        self.conn = conn
        #: what every message is scrubbed of (`config.scrub`)
        self.secrets = secrets
        #: the compute API microversion requests ask for (the newest both ends speak; set while connecting)
        self.compute_microversion: str | None = None
        #: what every request waits for (`--max-rps`, after `burst` at once)
        self.budget = RequestBudget(max_rps, burst)
        #: called as each request leaves, after its wait (measurements: `bench/budget.py` counts them)
        self.on_send: Callable[[], None] | None = None
        self._calls = 0
        self._calls_lock = threading.Lock()
        self._install_boundary()

    def project_id(self) -> str | None:
        """The project the token is scoped to (authenticating first if need be); None without one."""
        try:
            project = self.conn.session.get_project_id()
        except Exception:  # no Keystone (noauth), or authentication failed: the lists say which
            return None
        return project if isinstance(project, str) and project else None

    # --- the boundary ---------------------------------------------------------------------------
    @property
    def calls(self) -> int:
        """Requests sent so far on this connection."""
        return self._calls

    def _install_boundary(self) -> None:
        """Route every request of this connection through `_before_request` (count, then wait for the budget)."""
        from requests.adapters import BaseAdapter

        before = self._before_request

        class Boundary(BaseAdapter):
            def __init__(self, inner: BaseAdapter) -> None:
                super().__init__()
                self.inner = inner

            def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
                before(request)
                return self.inner.send(request, *args, **kwargs)

            def close(self) -> None:
                self.inner.close()

        session = self.conn.session.session  # keystoneauth Session -> requests.Session
        for prefix in ("https://", "http://"):
            session.mount(prefix, Boundary(session.get_adapter(prefix)))

    def _before_request(self, request: requests.PreparedRequest) -> None:
        # A thread running an event loop must not sleep: it would hold up the loop. Its request goes at
        # once (none of netdash's does: a fetch sends from its thread pool), still counted in the budget.
        patient = not on_loop_thread()
        while (wait := self.budget.take(wait=patient)) > 0:
            give_up = caller.deadline()
            if give_up is not None and time.monotonic() + wait > give_up and self.budget.paused():
                raise ApiError(f"{path_of(str(request.url))}: not sent: the cloud's last 429 asked to wait "
                               f"{wait:.3g} s more (Retry-After), past what this request may wait",
                               status=429, retry_after=wait)
            time.sleep(wait)
        with self._calls_lock:
            self._calls += 1
        if self.on_send is not None:
            self.on_send()

    # --- one request ----------------------------------------------------------------------------
    def _proxy(self, service: str) -> tuple[Adapter | KeystoneSession, dict[str, Any]]:
        """The service's proxy (a keystoneauth Adapter) and the keyword arguments every request to it takes;
        for `DEMOCLOUD`, whose URLs are whole, the keystoneauth session itself."""
        if service == DEMOCLOUD:
            return self.conn.session, {}
        proxy: Adapter = getattr(self.conn, PROXY_ATTR[service])
        kwargs: dict[str, Any] = {}
        if service == "compute" and self.compute_microversion:
            kwargs["microversion"] = self.compute_microversion
        return proxy, kwargs

    def send(self, service: str, method: str, url: str, body: Any = None) -> Any:
        """The JSON answer (None for an empty 2xx); an ApiError with `.status` for any error answer."""
        kwargs: dict[str, Any] = {} if body is None else {"json": body}
        with request_errors(service, url, self.secrets):
            response, asked = self._answer(service, method, url, kwargs)
        status = int(getattr(response, "status_code", 0))
        if 200 <= status < 300 and not response.content:
            return None
        return self._checked(service, f"{method} {url}", response, asked)

    def get(self, service: str, url: str) -> Any:
        """The JSON answer of a GET that a fetch makes; a refused token is renewed and tried once more."""
        from keystoneauth1 import exceptions as ksa

        with request_errors(service, url, self.secrets):
            try:
                response, asked = self._answer(service, "GET", url, {})
                if response.status_code == 401:
                    # keystoneauth renews a refused token once per request, but skips it when another
                    # thread's renewal is under way: one more try, then the 401 stands.
                    response, asked = self._answer(service, "GET", url, {})
            except ksa.HttpError as exc:  # with raise_exc=False, only renewing the token raises one
                raise AuthError(f"{service} API refused the token and the identity service answered HTTP "
                                f"{exc.http_status} to a new one") from None
        return self._checked(service, url, response, asked)

    def _answer(self, service: str, method: str, url: str,
                kwargs: dict[str, Any]) -> tuple[requests.Response, float | None]:
        """The service's answer to one request, sent again after each 429 once its Retry-After is over, as
        long as that ends within `MAX_RETRY_WAIT` of the first try and the caller's deadline. Safe for a
        write too: a 429 means the request was not processed. With a 429 given up on, the seconds it asked
        to wait."""
        proxy, extra = self._proxy(service)
        give_up = time.monotonic() + MAX_RETRY_WAIT
        outer = caller.deadline()
        if outer is not None:
            give_up = min(give_up, outer)
        fallback = DEFAULT_RETRY_WAIT
        while True:
            response: requests.Response = proxy.request(url, method, raise_exc=False, **extra, **kwargs)
            if response.status_code != 429:
                return response, None
            asked = retry_after(response.headers.get("Retry-After"), time.time())
            wait = fallback if asked is None else asked
            fallback *= 2
            # the cloud says it will refuse anything sooner: hold every request of this connection as long
            self.budget.pause(min(wait, MAX_RETRY_WAIT))
            if time.monotonic() + wait > give_up or on_loop_thread():
                return response, wait
            caller.say(f"{service} {path_of(url)}: the cloud answered 429 (too many requests): trying again in "
                       f"{wait:.3g} s, as its Retry-After asks")
            # the wait itself is the budget's: the next try takes its token after the pause

    def _checked(self, service: str, call: str, response: requests.Response, asked: float | None) -> Any:
        """`check_response`, with the answer's status (and a 429's Retry-After) on the ApiError."""
        try:
            return check_response(service, call, response, self.secrets)
        except ApiError as exc:
            status = int(getattr(response, "status_code", 0)) or None
            if asked is None:
                exc.status = status
                raise
            raise ApiError(f"{exc.message}; the cloud asks to wait {asked:.3g} s (Retry-After), past what this "
                           "request may wait", status=status, retry_after=asked) from None

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


def on_loop_thread() -> bool:
    """Whether this thread is running an asyncio event loop (which a sleep here would hold up)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds a `Retry-After` header asks to wait: delay-seconds or an HTTP date (RFC 9110 10.2.3), never
    below 0; None when absent or unreadable. `now` is the wall clock (`time.time()`) a date is read against."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # "-0000": a date in GMT
            when = when.replace(tzinfo=datetime.UTC)
        seconds = when.timestamp() - now
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)
