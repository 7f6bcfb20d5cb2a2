"""The only module that talks to openstacksdk: connect as the `openstack` CLI does, fetch a Topology.

Connecting: openstacksdk's own config loader (clouds.yaml in its usual places or OS_CLIENT_CONFIG_FILE,
OS_CLOUD / `--os-cloud`, `--os-region`, the OS_* variables of an openrc), then one token request, so a
bad password or an unreachable auth URL fails at once with one line instead of on the first refresh.

Fetching: one GET per resource type, all in flight at the same time on a small thread pool (the SDK is
synchronous), plus one status tree per load balancer. Bodies are read as JSON through the SDK's session
rather than as SDK resources: building 5,000 `Port` resources took 4.7 s where the same list read as JSON
took 0.08 s (embedded cloud, 2 cores). Every request leaves through one requests adapter that counts it
(`api_calls`) and, while a fetch runs, waits for the fetch's asyncio-throttle `Throttler` (`max_rps`).

Where: in the dashboard, a fetch process of its own (`start_fetch_process`, `cloud.fetch_process`), which
sends back only what changed since the last fetch (`cloud.deltas`); elsewhere, and until that process is
up, here. Either way a refresh converts only the bodies that changed, and every other model object is the
last snapshot's own.

Members: from the status trees, not from `GET /pools/{id}/members`. A tree already carries each member's
id, name, address, port and both statuses, so a pool costs no call of its own (100 load balancers: 110
calls a refresh instead of 210). What a tree lacks (weight, backup, subnet, admin state) stays at the
model's defaults; only a pool no listener points at (absent from every tree) gets a member-list call.

Threads share one Connection: proxies are built once, before any fetch (service_description caches them
without a lock), keystoneauth guards re-authentication with a lock, and requests' connection pool is
thread-safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from asyncio_throttle import Throttler

from . import convert, status_trees
from .api import CloudInfo
from .config import (
    check_response,
    check_yaml,
    config_files,
    connect_errors,
    reason,
    request_errors,
    scrub,
    secrets_of,
    tls_verify_of,
)
from .deltas import Deltas, Models
from .errors import ApiError, AuthError, CloudUnreachable, ConfigError, NetdashError, NoCloudConfigured
from .fetch_process import ConnectSpec, DemoSpec, FetchProcess, FetchProcessGone
from .model import Topology
from .writes import PROXY_ATTR, Changes

#: what `convert.port` reads: Neutron's `fields=` leaves out the rest (bindings, DHCP options, address
#: pairs, timestamps), which at 5,000 ports was half of what the cloud encoded and the client decoded
PORT_FIELDS = ("id", "name", "network_id", "mac_address", "fixed_ips", "device_id", "device_owner", "status",
               "admin_state_up", "project_id", "tenant_id", "security_groups")
#: (Topology field, service type, path under the service root, collection key of the answer)
LISTS: tuple[tuple[str, str, str, str], ...] = (
    ("networks", "network", "/networks", "networks"),
    ("subnets", "network", "/subnets", "subnets"),
    ("ports", "network", "/ports?" + "&".join(f"fields={f}" for f in PORT_FIELDS), "ports"),
    ("routers", "network", "/routers", "routers"),
    ("floating_ips", "network", "/floatingips", "floatingips"),
    ("servers", "compute", "/servers/detail", "servers"),
    ("load_balancers", "load-balancer", "/lbaas/loadbalancers", "loadbalancers"),
    ("listeners", "load-balancer", "/lbaas/listeners", "listeners"),
    ("pools", "load-balancer", "/lbaas/pools", "pools"),
    ("health_monitors", "load-balancer", "/lbaas/healthmonitors", "healthmonitors"),
)
SERVICES = ("network", "compute", "load-balancer")
#: the lists whose operating statuses the status trees overwrite
STATUS_FIELDS = ("load_balancers", "listeners", "pools", "health_monitors")
WORKERS = 8
#: objects per page of a list (Octavia's and Nova's default maximum is 1,000)
PAGE = 500
#: seconds without a byte from the cloud before a request fails (clouds.yaml `api_timeout` wins): without
#: one, a cloud that accepts a connection and never answers holds a refresh forever and the view never
#: goes stale
DEFAULT_TIMEOUT = 60.0


class CloudClient(Changes):
    """A connected cloud: `fetch_topology()` as often as the poller likes; `close()` when done.

    The changes actions make, and the single reads they wait on, come from `Changes` (cloud/writes.py)."""

    def __init__(self, conn: Any, info: CloudInfo, services: frozenset[str], secrets: tuple[str, ...],
                 max_rps: float = 20.0) -> None:
        self._conn = conn
        self.info = info
        self.services = services
        self.max_rps = max_rps
        self._secrets = secrets
        self._throttler = Throttler(rate_limit=max(1, round(max_rps)), period=1.0)
        self._calls = 0
        self._calls_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._compute_microversion: str | None = None
        #: what the last fetch converted, and the keys of the bodies it came from (`cloud.deltas`)
        self._models = Models()
        self._deltas = Deltas()
        #: the fetch process, when one was started; the API calls it counted
        self._child: FetchProcess | None = None
        self._child_calls = 0
        #: how a fetch process connects to this same cloud (None: it cannot, e.g. options given on argv)
        self._spec: ConnectSpec | DemoSpec | None = None
        #: status trees read so far; which to read again (`cloud.status_trees`)
        self._trees = status_trees.TreeCache()

    # --- construction ---------------------------------------------------------------------------
    @classmethod
    def connect(cls, cloud: str | None = None, region: str | None = None, argv_options: Any = None,
                max_rps: float = 20.0, *, insecure: bool = False) -> CloudClient:
        """Connect as `openstack --os-cloud CLOUD --os-region REGION [--insecure]` would; raise a NetdashError."""
        region_config, name = load_region(cloud, region, argv_options, insecure=insecure)
        client = cls._from_config(region_config, name, demo=False, max_rps=max_rps)
        if argv_options is None:  # a fetch process finds the same cloud from the same files and variables
            client._spec = ConnectSpec(cloud, region, insecure, max_rps)
        return client

    @classmethod
    def for_demo(cls, demo_cloud: Any, max_rps: float = 20.0, timeout: float = DEFAULT_TIMEOUT) -> CloudClient:
        """A client for an embedded `DemoCloud` (started), connected over HTTP like any other cloud."""
        from openstack.config import loader

        entry = demo_cloud.cloud_config("demo")
        config = loader.OpenStackConfig(load_yaml_config=False, load_envvars=False)
        try:
            region_config = config.get_one(**entry)
        except Exception as exc:  # the embedded cloud's own entry: only a bug gets here
            raise ConfigError(f"embedded cloud configuration rejected: {exc}") from None
        region_config.config["api_timeout"] = timeout
        client = cls._from_config(region_config, "netdash-demo", demo=True, max_rps=max_rps)
        client._spec = DemoSpec(entry, timeout, max_rps)
        return client

    @classmethod
    def _from_config(cls, region_config: Any, name: str, *, demo: bool, max_rps: float) -> CloudClient:
        import openstack

        secrets = secrets_of(region_config.auth)
        if region_config.config.get("api_timeout") is None:
            region_config.config["api_timeout"] = DEFAULT_TIMEOUT
        conn = openstack.connection.Connection(config=region_config)
        auth = region_config.auth or {}
        info_region = region_config.region_name or None
        client = cls(conn, CloudInfo(cloud=name, project="", region=info_region,
                                     auth_url=str(auth.get("auth_url") or ""), user="", demo=demo),
                     frozenset(), secrets, max_rps)
        client._install_boundary()
        no_identity = region_config.config.get("auth_type") in NO_IDENTITY
        with (endpoint_errors(str(auth.get("endpoint") or region_config.get_endpoint("network")), secrets)
              if no_identity else connect_errors(auth.get("auth_url"), secrets)):
            access, services = offered_services(conn, region_config, info_region)
            if "network" not in services:
                where = f" in region {info_region}" if info_region else ""
                raise ConfigError(f"cloud {name!r} offers no network service{where}: check --os-region")
            for service in sorted(services):  # build proxies (and compute's discovery) before threads share them
                getattr(conn, PROXY_ATTR[service])
            if "compute" in services:
                from openstack import utils
                from openstack.compute.v2.server import Server

                client._compute_microversion = utils.maximum_supported_microversion(
                    conn.compute, Server._max_microversion)
        client.services = services
        client.info = CloudInfo(cloud=name, project=access.project_name or str(auth.get("project_name") or ""),
                                region=info_region, auth_url=client.info.auth_url,
                                user=access.username or str(auth.get("username") or ""), demo=demo,
                                tls_verify=tls_verify_of(region_config))
        return client

    def _install_boundary(self) -> None:
        """Route every request of this connection through `_before_request` (count, then throttle)."""
        from requests.adapters import BaseAdapter

        client = self

        class Boundary(BaseAdapter):
            def __init__(self, inner: Any) -> None:
                super().__init__()
                self.inner = inner

            def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
                client._before_request()
                return self.inner.send(request, *args, **kwargs)

            def close(self) -> None:
                self.inner.close()

        session = self._conn.session.session  # keystoneauth Session -> requests.Session
        for prefix in ("https://", "http://"):
            session.mount(prefix, Boundary(session.get_adapter(prefix)))

    def _before_request(self) -> None:
        with self._calls_lock:
            self._calls += 1
        loop = self._loop
        if loop is not None and loop.is_running() and threading.current_thread() is not loop_thread(loop):
            asyncio.run_coroutine_threadsafe(self._throttler.acquire(), loop).result()

    # --- reading --------------------------------------------------------------------------------
    @property
    def api_calls(self) -> int:
        """Requests sent so far on this connection and by the fetch process (authentication and discovery
        included)."""
        return self._calls + self._child_calls

    def fetch_topology_sync(self) -> Topology:
        """For scripts and the CLI: one fetch on a private event loop."""
        return run_sync(self.fetch_topology())

    async def fetch_topology(self) -> Topology:
        """The project now, as model objects: unchanged ones are the previous snapshot's own (`cloud.deltas`).
        Fetched by the fetch process when one runs (`start_fetch_process`), else here; raises a NetdashError."""
        child = self._child
        if child is not None and child.ready():
            try:
                if not child.seeded:  # what the models hold, so that its first delta is not a full one
                    child.seed(self._deltas.keys, self._trees)
                    self._deltas = Deltas()
                delta, fields = await child.fetch(self._trees.watched)
            except FetchProcessGone:
                child.close()  # its keys are lost with it: the next delta from here is a full one
            else:
                self._models.apply(delta)
                return self._models.topology(fields, self.services, time.time())
            finally:
                self._child_calls = child.calls
        if child is not None and child.gone:
            self._child = None
        bodies = await self.fetch_bodies()
        delta, pending = self._deltas.compute(bodies)
        self._models.apply(delta)
        self._deltas.commit(pending)
        return self._models.topology(bodies, self.services, time.time())

    async def fetch_bodies(self) -> dict[str, list[Any]]:
        """Every list, as the APIs' JSON, with the status trees' operating statuses written in and the
        members as one more list (`members`, each body with its `pool_id`)."""
        loop = asyncio.get_running_loop()
        if self._executor is None:
            self._executor = ThreadPoolExecutor(WORKERS, thread_name_prefix="netdash-fetch")
        self._loop = loop
        _LOOP_THREADS[loop] = threading.current_thread()
        try:
            return await self._bodies(loop)
        finally:
            self._loop = None
            _LOOP_THREADS.pop(loop, None)

    async def _bodies(self, loop: asyncio.AbstractEventLoop) -> dict[str, list[Any]]:
        def run(fn: Callable[[], Any]) -> Awaitable[Any]:
            return loop.run_in_executor(self._executor, fn)

        wanted = [entry for entry in LISTS if entry[1] in self.services]
        lists = {field: run(lambda s=service, p=path, c=collection: self._list(s, p, c))
                 for field, service, path, collection in wanted}

        async def trees() -> convert.StatusTree:
            tree = convert.StatusTree()
            if "load_balancers" in lists:
                related = [await lists[f] if f in lists else [] for f in
                           ("load_balancers", "listeners", "pools", "health_monitors")]
                current = status_trees.signatures(*related)
                wanted = self._trees.plan(current)
                bodies = await asyncio.gather(*(
                    run(lambda i=i: self._get("load-balancer", f"/lbaas/loadbalancers/{i}/status"))
                    for i in wanted))
                for lb_id, body in zip(wanted, bodies, strict=True):
                    self._trees.store(lb_id, current[lb_id], body)
                    tree.add(body)
                for body in self._trees.cached(wanted):
                    tree.add(body)
            return tree

        # Every call is awaited to its end even when one fails, and every failure is retrieved (a failed
        # list also fails `trees`, which awaits it); the first one is what the caller sees.
        *listed, tree = await asyncio.gather(*lists.values(), trees(), return_exceptions=True)
        failure = next((r for r in [*listed, tree] if isinstance(r, BaseException)), None)
        if failure is not None:
            raise failure
        results: dict[str, list[Any]] = dict(zip(lists, listed, strict=True))
        for field in STATUS_FIELDS:
            tree.apply(results.get(field, ()))
        if "load_balancers" not in results:
            return results
        members = tree.members
        orphans = [d["id"] for d in results.get("pools", []) if isinstance(d, dict)
                   and isinstance(d.get("id"), str) and d["id"] not in members]
        orphan_lists = await asyncio.gather(*(
            run(lambda i=i: self._list("load-balancer", f"/lbaas/pools/{i}/members", "members")) for i in orphans))
        for pool_id, found in zip(orphans, orphan_lists, strict=True):
            members[pool_id] = convert.with_pool(found, pool_id)
        results["members"] = [m for found in members.values() for m in found]
        return results

    def adopt_trees(self, trees: status_trees.TreeCache) -> None:
        """Start from another client's status trees (the dashboard's, handed to its fetch process), so the
        first fetch does not read every tree again."""
        trees.watched = self._trees.watched
        self._trees = trees

    def watch_load_balancers(self, lb_ids: frozenset[str]) -> None:
        """Read these load balancers' status trees on every refresh (the rest: `cloud.status_trees`)."""
        self._trees.watched = lb_ids

    # --- one request (runs in a worker thread) ----------------------------------------------------
    def _list(self, service: str, path: str, collection: str) -> list[Any]:
        """Every page of a collection: clients follow `<collection>_links` rel=next, as the SDK does.

        Pages of `PAGE`: `json.loads` holds the GIL for a whole body, and 5,000 ports in one body held it
        for ~100 ms at a time, during which the dashboard could not answer a key."""
        items: list[Any] = []
        url: str | None = f"{path}{'&' if '?' in path else '?'}limit={PAGE}"
        while url:
            body = self._get(service, url)
            page = body.get(collection) if isinstance(body, dict) else None
            if not isinstance(page, list):
                raise ApiError(f"{service} {path}: answer has no {collection!r} list")
            items.extend(page)
            links = body.get(f"{collection}_links")
            url = next((link.get("href") for link in links or () if isinstance(link, dict)
                        and link.get("rel") == "next"), None) if page else None
        return items

    def _get(self, service: str, url: str) -> Any:
        proxy = getattr(self._conn, PROXY_ATTR[service])
        kwargs: dict[str, Any] = {}
        if service == "compute" and self._compute_microversion:
            kwargs["microversion"] = self._compute_microversion
        from keystoneauth1 import exceptions as ksa

        with request_errors(service, url, self._secrets):
            try:
                response = proxy.get(url, raise_exc=False, **kwargs)
                if response.status_code == 401:
                    # keystoneauth renews a refused token once per request, but skips it when another
                    # thread's renewal is under way: one more try, then the 401 stands.
                    response = proxy.get(url, raise_exc=False, **kwargs)
            except ksa.HttpError as exc:  # with raise_exc=False, only renewing the token raises one
                raise AuthError(f"{service} API refused the token and the identity service answered HTTP "
                                f"{exc.http_status} to a new one") from None
        return check_response(service, url, response, self._secrets)

    def start_fetch_process(self) -> bool:
        """Fetch in a process of its own from now on (once it is up; until then, and if it fails, here).

        Why: decoding ~7,000 bodies a refresh, and the garbage collections their objects bring, hold the
        GIL for up to ~100 ms at a time, and a dashboard thread that waits for the GIL cannot answer a key
        within 50 ms. In its own process the fetch holds only its own GIL, and what crosses over is what
        changed (`cloud.deltas`). False when this client cannot be re-created there."""
        if self._spec is None or self._child is not None:
            return False
        self._child = FetchProcess(self._spec)
        return True

    def fetch_process_ready(self, wait: float = 0.0) -> bool:
        """Whether fetches go through the fetch process now, waiting up to `wait` seconds for it to connect."""
        child = self._child
        return child is not None and child.ready(wait)

    def reset_connections(self) -> None:
        """Forget pooled keep-alive connections: the next request opens fresh ones. Used after a
        transport failure, where a half-closed socket would fail the retry too."""
        for prefix in ("https://", "http://"):
            self._conn.session.session.get_adapter(prefix).close()

    def close(self) -> None:
        if self._child is not None:
            self._child.close()
            self._child = None
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        try:
            self._conn.close()
        except Exception:  # closing is best effort: nothing to tell a user who is leaving
            pass

    def __repr__(self) -> str:  # never the connection (its config holds the password)
        return f"CloudClient({self.info.cloud!r}, project={self.info.project!r}, region={self.info.region!r})"


R = TypeVar("R")


def run_sync(coro: Coroutine[Any, Any, R]) -> R:
    """`asyncio.run` without its Ctrl-C handler. On the main thread, Python 3.11's `asyncio.run` ends by
    asking `signal.getsignal` for that handler, which fails to look it up as an enum and formats the
    handler's `repr` for the error, the main task's result included: a whole topology (or 7,000 bodies)
    turned into text and thrown away, 0.1-0.2 s at `--scale 1000`."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()


#: the thread running each loop a fetch is on: a request made on that thread itself must not wait for the
#: throttler (it would block the loop it waits on)
_LOOP_THREADS: dict[asyncio.AbstractEventLoop, threading.Thread] = {}


def loop_thread(loop: asyncio.AbstractEventLoop) -> threading.Thread | None:
    return _LOOP_THREADS.get(loop)


#: auth types that need no identity service: no auth_url, no token, no catalog (endpoint overrides instead)
NO_IDENTITY = ("none", "noauth", "http_basic", "admin_token")


@dataclass(frozen=True)
class NoAccess:
    """Who we are when the auth plugin has no token to tell (`auth_type: none`): nobody in particular."""

    project_name: str | None = None
    username: str | None = None


@contextlib.contextmanager
def endpoint_errors(url: str, secrets: tuple[str, ...]) -> Iterator[None]:
    """Connecting without an identity service: a failure is the endpoint's, never an "auth URL"'s."""
    from keystoneauth1 import exceptions as ksa

    try:
        yield
    except NetdashError:
        raise
    except ksa.DiscoveryFailure:
        raise CloudUnreachable(f"no OpenStack API answers at {url} (auth_type none: the endpoints are "
                               "the clouds.yaml endpoint overrides)") from None
    except ksa.ClientException as exc:
        raise CloudUnreachable(f"cannot reach {url}: {reason(exc, secrets)}") from None


def offered_services(conn: Any, region_config: Any, region: str | None) -> tuple[Any, frozenset[str]]:
    """(the token's access info, the service types the cloud offers). Without a token (`auth_type: none` and
    endpoint overrides, as for services run without Keystone) a service is offered when it has an endpoint
    override of its own (`auth.endpoint` alone, which the SDK uses for every service, counts for network)."""
    plugin = conn.session.auth
    if not hasattr(plugin, "get_access"):
        config = region_config.config
        own = {s for s in SERVICES if config.get(f"{s.replace('-', '_')}_endpoint_override")}
        return NoAccess(), frozenset(own | ({"network"} if (config.get("auth") or {}).get("endpoint") else set()))
    access = plugin.get_access(conn.session)
    catalog = access.service_catalog
    interface = region_config.get_interface() or "public"
    return access, frozenset(
        s for s in SERVICES
        if catalog.get_endpoints(service_type=s, interface=interface, region_name=region).get(s))


def load_region(cloud: str | None, region: str | None, argv_options: Any, *,
                insecure: bool = False) -> tuple[Any, str]:
    """openstacksdk's loader, as `openstack` runs it; returns (CloudRegion, cloud name).

    Nothing configured at all (no cloud named, no OS_* auth variables, no clouds.yaml entry to default
    to) raises NoCloudConfigured, which callers may answer with the embedded cloud.
    """
    from openstack import exceptions
    from openstack.config import loader

    files = config_files(loader.CONFIG_FILES)
    in_use = check_yaml(files)
    try:
        config = loader.OpenStackConfig(app_name="netdash")
    except exceptions.ConfigException as exc:
        raise ConfigError(scrub(str(exc), ())) from None
    name = cloud or getattr(argv_options, "cloud", None) or config.default_cloud
    if not name or name == "defaults":
        raise NoCloudConfigured("no cloud configured: pass --os-cloud NAME (with a clouds.yaml), set OS_CLOUD, "
                                "or source an openrc (OS_AUTH_URL...)")
    known = config.get_cloud_names()
    if name not in known:
        where = f" in {in_use}" if in_use else " (no clouds.yaml found)"
        listed = ", ".join(sorted(n for n in known if n != "defaults")) or "none"
        raise ConfigError(f"unknown cloud {name!r}{where}; known clouds: {listed}")
    try:
        # `--insecure` as the `openstack` CLI has it; otherwise clouds.yaml `verify`/`insecure` (or OS_INSECURE)
        region_config = config.get_one(cloud=name, region_name=region, argparse=argv_options,
                                       **({"insecure": True} if insecure else {}))
    except exceptions.ConfigException as exc:
        raise ConfigError(f"cloud {name!r}: {scrub(str(exc), ())}") from None
    except Exception as exc:  # the loader raises KeyError/TypeError on odd entries: still a config problem
        raise ConfigError(f"cloud {name!r} is not usable: {exc.__class__.__name__}: {scrub(str(exc), ())}") from None
    if region_config.config.get("auth_type") not in NO_IDENTITY and not (region_config.auth or {}).get("auth_url"):
        raise ConfigError(f"cloud {name!r} has no auth_url: set auth.auth_url in clouds.yaml or OS_AUTH_URL")
    return region_config, name


__all__ = ["CloudClient", "CloudInfo", "NetdashError"]
