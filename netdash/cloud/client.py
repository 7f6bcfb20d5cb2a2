"""The only module that imports openstacksdk: connect as the `openstack` CLI does, and hand out a `CloudApi`.

Connecting: openstacksdk's own config loader (clouds.yaml in its usual places or OS_CLIENT_CONFIG_FILE,
OS_CLOUD / `--os-cloud`, `--os-region`, the OS_* variables of an openrc), then one token request, so a
bad password or an unreachable auth URL fails at once with one line instead of on the first refresh.

A `CloudClient` is three parts around one connection: the `Session` (`cloud.session`: the connection and
the boundary every request leaves through, counted and held to the request budget), the `Fetcher`
(`cloud.fetcher`: whole snapshots, read here or by the fetch process) and the `Writes` (`cloud.writes`: the
changes actions make and the single reads they verify with). The client adds connecting and delegates;
`CloudApi` is what it is to every other layer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .api import CloudApi, CloudInfo, Notify
from .budget import BURST
from .builds import Builds
from .config import (
    check_cacert,
    check_yaml,
    config_files,
    connect_errors,
    missing_override,
    reason,
    scrub,
    secrets_of,
    tls_verify_of,
)
from .errors import CloudUnreachable, ConfigError, NetdashError, NoCloudConfigured
from .fetch_process import ConnectSpec, DemoSpec
from .fetcher import Fetcher
from .model import FloatingIP, LoadBalancer, Member, Pool, Port, SecurityGroup, Server, Topology
from .session import PROXY_ATTR, Session
from .writes import Writes

if TYPE_CHECKING:
    from keystoneauth1.access import AccessInfo
    from openstack.config.cloud_region import CloudRegion
    from openstack.connection import Connection

SERVICES = ("network", "compute", "load-balancer")
#: the key of the embedded cloud's clouds.yaml entry naming its endpoint list (democloud/endpoints.py)
ENDPOINTS_KEY = "democloud_endpoints"
#: seconds without a byte from the cloud before a request fails (clouds.yaml `api_timeout` wins): without
#: one, a cloud that accepts a connection and never answers holds a refresh forever and the view never
#: goes stale
DEFAULT_TIMEOUT = 60.0


class CloudEntry(Protocol):
    """Where `for_demo` finds the embedded cloud's clouds.yaml entry: a `DemoCloud`, or the `DemoSpec` a fetch
    process is handed."""

    def cloud_config(self, user: str) -> dict[str, Any]: ...


class CloudClient:
    """A connected cloud: `fetch_topology()` as often as the poller likes, the changes actions make, and
    `close()` when done."""

    def __init__(self, session: Session, info: CloudInfo, services: frozenset[str],
                 spec: ConnectSpec | DemoSpec | None = None, endpoints_url: str | None = None) -> None:
        self.session = session
        self.info = info
        self.fetcher = Fetcher(session, services, spec, endpoints_url)
        self.writes = Writes(session)
        #: whole objects created and deleted (a guided tour's, `cloud.builds`)
        self.builds = Builds(self.writes)
        self._endpoints_url = endpoints_url
        self._services = services

    # --- construction ---------------------------------------------------------------------------
    @classmethod
    def connect(cls, cloud: str | None = None, region: str | None = None,
                argv_options: argparse.Namespace | None = None, max_rps: float = 20.0, *,
                insecure: bool = False, burst: int = BURST, project_id: str | None = None) -> CloudClient:
        """Connect as `openstack --os-cloud CLOUD --os-region REGION [--insecure] [--os-project-id ID]` would;
        raise a NetdashError.

        A fetch process finds the same cloud from the same files and variables, but not from options given
        on a command line (they may hold a password): with `argv_options`, this client fetches by itself."""
        region_config, name = load_region(cloud, region, argv_options, insecure=insecure, project_id=project_id)
        spec = ConnectSpec(cloud, region, insecure, max_rps, project_id) if argv_options is None else None
        return cls._from_config(region_config, name, demo=False, max_rps=max_rps, burst=burst, spec=spec)

    @classmethod
    def from_spec(cls, spec: ConnectSpec | DemoSpec, burst: int = BURST) -> CloudClient:
        """The cloud a spec names (what a fetch process is handed, or where the dashboard's switcher goes),
        connected again."""
        if isinstance(spec, DemoSpec):
            return cls.for_demo(spec, max_rps=spec.max_rps, timeout=spec.timeout, burst=burst)
        return cls.connect(spec.cloud, spec.region, max_rps=spec.max_rps, insecure=spec.insecure, burst=burst,
                           project_id=spec.project_id)

    @classmethod
    def for_demo(cls, demo_cloud: CloudEntry, max_rps: float = 20.0, timeout: float = DEFAULT_TIMEOUT,
                 burst: int = BURST) -> CloudClient:
        """A client for an embedded `DemoCloud` (started), connected over HTTP like any other cloud."""
        from openstack.config import loader

        entry = demo_cloud.cloud_config("demo")
        config = loader.OpenStackConfig(load_yaml_config=False, load_envvars=False)
        try:
            region_config = config.get_one(**entry)
        except Exception as exc:  # the embedded cloud's own entry: only a bug gets here
            raise ConfigError(f"embedded cloud configuration rejected: {exc}") from None
        region_config.config["api_timeout"] = timeout
        return cls._from_config(region_config, "netdash-demo", demo=True, max_rps=max_rps, burst=burst,
                                spec=DemoSpec(entry, timeout, max_rps))

    @classmethod
    def _from_config(cls, region_config: CloudRegion, name: str, *, demo: bool, max_rps: float, burst: int,
                     spec: ConnectSpec | DemoSpec | None) -> CloudClient:
        import openstack

        secrets = secrets_of(region_config.auth)
        if region_config.config.get("api_timeout") is None:
            region_config.config["api_timeout"] = DEFAULT_TIMEOUT
        conn = openstack.connection.Connection(config=region_config)
        session = Session(conn, secrets, max_rps, burst)  # counts from the first request: the token's
        auth = region_config.auth or {}
        region = region_config.region_name or None
        no_identity = region_config.config.get("auth_type") in NO_IDENTITY
        with (endpoint_errors(str(auth.get("endpoint") or region_config.get_endpoint("network")), secrets)
              if no_identity else connect_errors(auth.get("auth_url"), secrets)):
            access, services = offered_services(conn, region_config, region)
            if "network" not in services:
                where = f" in region {region}" if region else ""
                raise ConfigError(f"cloud {name!r} offers no network service{where}: check --os-region")
            for service in sorted(services):  # build proxies (and compute's discovery) before threads share them
                getattr(conn, PROXY_ATTR[service])
            if "compute" in services:
                from openstack import utils
                from openstack.compute.v2.server import Server as SdkServer

                session.compute_microversion = utils.maximum_supported_microversion(
                    conn.compute, SdkServer._max_microversion)
        info = CloudInfo(cloud=name, project=access.project_name or str(auth.get("project_name") or ""),
                         region=region, auth_url=str(auth.get("auth_url") or ""),
                         user=access.username or str(auth.get("username") or ""), demo=demo,
                         tls_verify=tls_verify_of(region_config))
        # the embedded cloud's clouds.yaml entry names where it lists the endpoints it serves (not an
        # OpenStack API: no catalog has it); a real cloud's entry does not, and its addresses are real
        endpoints = region_config.config.get(ENDPOINTS_KEY)
        return cls(session, info, services, spec, endpoints if isinstance(endpoints, str) else None)

    # --- reading --------------------------------------------------------------------------------
    @property
    def api_calls(self) -> int:
        """Requests sent so far on this connection and by the fetch process (authentication and discovery
        included)."""
        return self.session.calls + self.fetcher.process_calls

    async def fetch_topology(self) -> Topology:
        """The project now, as model objects (`cloud.fetcher`); raises a NetdashError."""
        return await self.fetcher.fetch_topology()

    def read_topology(self) -> Topology:
        """One snapshot read here and now by a fetcher of its own (blocks: call it from a thread): a caller
        that plans on what it just built (a tour) must not wait for the dashboard's next refresh, nor share
        the dashboard fetcher's record of what changed since its last snapshot."""
        fetcher = Fetcher(self.session, self._services, None, self._endpoints_url)
        try:
            return run_sync(fetcher.fetch_topology())
        finally:
            fetcher.close()

    def answers(self) -> bool:
        """One cheap request: whether the cloud answers it (`InlineFetch.answers`). Blocks: call it from a thread."""
        return self.fetcher.inline.answers()

    def fetch_topology_sync(self) -> Topology:
        """For scripts and the CLI: one fetch on a private event loop."""
        return run_sync(self.fetch_topology())

    def watch_load_balancers(self, lb_ids: frozenset[str]) -> None:
        """Read these load balancers' status trees on every refresh (the rest: `cloud.status_trees`)."""
        self.fetcher.watch(lb_ids)

    def start_fetch_process(self) -> bool:
        """Fetch in a process of its own from now on (`Fetcher.start_process`); False when this client
        cannot be re-created there."""
        return self.fetcher.start_process()

    def fetch_process_ready(self, wait: float = 0.0) -> bool:
        """Whether fetches go through the fetch process now, waiting up to `wait` seconds for it to connect."""
        return self.fetcher.process_ready(wait)

    # --- the changes, and the single reads they verify with (`cloud.writes`) ------------------------
    def get_port(self, port_id: str) -> Port:
        return self.writes.get_port(port_id)

    def get_port_tags(self, port_id: str) -> tuple[str, ...]:
        return self.writes.get_port_tags(port_id)

    def served_endpoints(self) -> dict[tuple[str, str], str]:
        return self.fetcher.inline.read_served()

    def update_port(self, port_id: str, *, admin_state_up: bool) -> Port:
        return self.writes.update_port(port_id, admin_state_up=admin_state_up)

    def get_floating_ip(self, fip_id: str) -> FloatingIP:
        return self.writes.get_floating_ip(fip_id)

    def update_floating_ip(self, fip_id: str, port_id: str | None, fixed_ip_address: str | None = None) -> FloatingIP:
        return self.writes.update_floating_ip(fip_id, port_id, fixed_ip_address)

    def create_floating_ip(self, network_id: str, port_id: str | None = None) -> FloatingIP:
        return self.writes.create_floating_ip(network_id, port_id)

    def delete_floating_ip(self, fip_id: str) -> None:
        self.writes.delete_floating_ip(fip_id)

    def delete_port(self, port_id: str) -> None:
        self.writes.delete_port(port_id)

    def get_security_group(self, sg_id: str) -> SecurityGroup:
        return self.writes.get_security_group(sg_id)

    def delete_security_group(self, sg_id: str) -> None:
        self.writes.delete_security_group(sg_id)

    def get_server(self, server_id: str) -> Server:
        return self.writes.get_server(server_id)

    def server_interfaces(self, server_id: str) -> tuple[str, ...]:
        return self.writes.server_interfaces(server_id)

    def attach_port(self, server_id: str, port_id: str) -> None:
        self.writes.attach_port(server_id, port_id)

    def detach_port(self, server_id: str, port_id: str) -> None:
        self.writes.detach_port(server_id, port_id)

    def server_action(self, server_id: str, verb: str) -> None:
        self.writes.server_action(server_id, verb)

    def get_load_balancer(self, lb_id: str) -> LoadBalancer:
        return self.writes.get_load_balancer(lb_id)

    def get_pool(self, pool_id: str) -> Pool:
        return self.writes.get_pool(pool_id)

    def update_pool(self, pool_id: str, *, lb_algorithm: str, notify: Notify | None = None) -> Pool:
        return self.writes.update_pool(pool_id, lb_algorithm=lb_algorithm, notify=notify)

    def get_member(self, pool_id: str, member_id: str) -> tuple[Member, tuple[str, ...]]:
        return self.writes.get_member(pool_id, member_id)

    def update_member(self, pool_id: str, member_id: str, *, admin_state_up: bool | None = None,
                      weight: int | None = None, tags: tuple[str, ...] | None = None,
                      notify: Notify | None = None) -> Member:
        return self.writes.update_member(pool_id, member_id, admin_state_up=admin_state_up, weight=weight,
                                         tags=tags, notify=notify)

    # --- where else this user could look: the dashboard's switcher (`cloud.switching`) ---------------
    def projects(self) -> list[tuple[str, str]]:
        """(id, name) of each project this token's user may scope to: Keystone's `GET /v3/auth/projects`.
        Blocks: call it from a thread; raises a NetdashError."""
        from .switching import auth_projects

        return auth_projects(self.session)

    def regions(self) -> list[str]:
        """The regions of the token's catalog that offer a network service, as openstacksdk reads it."""
        from .switching import catalog_regions

        return catalog_regions(self.session)

    # --- leaving --------------------------------------------------------------------------------
    def close(self) -> None:
        self.fetcher.close()
        self.session.close()

    def __repr__(self) -> str:  # never the connection (its config holds the password)
        return f"CloudClient({self.info.cloud!r}, project={self.info.project!r}, region={self.info.region!r})"


#: mypy checks here that a CloudClient is a CloudApi, structurally: every other layer holds it as one
_IS_A_CLOUD_API: type[CloudApi] = CloudClient


R = TypeVar("R")


def run_sync(coro: Coroutine[Any, Any, R]) -> R:
    """`asyncio.run` without its Ctrl-C handler. On the main thread, Python 3.11's `asyncio.run` ends by
    asking `signal.getsignal` for that handler, which fails to look it up as an enum and formats the
    handler's `repr` for the error, the main task's result included: a whole topology (or every body of a
    large project) turned into text and thrown away."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()


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


def offered_services(conn: Connection, region_config: CloudRegion,
                     region: str | None) -> tuple[AccessInfo | NoAccess, frozenset[str]]:
    """(the token's access info, the service types the cloud offers). Without a token (`auth_type: none` and
    endpoint overrides, as for services run without Keystone) a service is offered when it has an endpoint
    override of its own (`auth.endpoint` alone, which the SDK uses for every service, counts for network)."""
    from keystoneauth1.identity.base import BaseIdentityPlugin

    plugin = conn.session.auth
    if not isinstance(plugin, BaseIdentityPlugin):  # no identity service: nothing to ask for a token
        config = region_config.config
        own = {s for s in SERVICES if config.get(f"{s.replace('-', '_')}_endpoint_override")}
        return NoAccess(), frozenset(own | ({"network"} if (config.get("auth") or {}).get("endpoint") else set()))
    access = plugin.get_access(conn.session)
    catalog = access.service_catalog
    interface = region_config.get_interface() or "public"
    return access, frozenset(
        s for s in SERVICES
        if catalog.get_endpoints(service_type=s, interface=interface, region_name=region).get(s))


def load_region(cloud: str | None, region: str | None, argv_options: argparse.Namespace | None, *,
                insecure: bool = False, project_id: str | None = None) -> tuple[CloudRegion, str]:
    """openstacksdk's loader, as `openstack` runs it; returns (CloudRegion, cloud name).

    Nothing configured at all (no cloud named, no OS_* auth variables, no clouds.yaml entry to default
    to) raises NoCloudConfigured, which callers may answer with the embedded cloud.
    """
    from openstack import exceptions

    config, in_use = open_config()
    name = cloud or getattr(argv_options, "cloud", None) or config.default_cloud
    missing = missing_override()
    if not name or name == "defaults":
        if missing:  # the user meant a file: not a case for the embedded cloud
            raise ConfigError(f"no cloud configured: OS_CLIENT_CONFIG_FILE names {missing}, which does not exist")
        raise NoCloudConfigured("no cloud configured: pass --os-cloud NAME (with a clouds.yaml), set OS_CLOUD, "
                                "or source an openrc (OS_AUTH_URL...)")
    known = config.get_cloud_names()
    if name not in known:
        where = (f": OS_CLIENT_CONFIG_FILE names {missing}, which does not exist" if missing
                 else f" in {in_use}" if in_use else " (no clouds.yaml found)")
        listed = ", ".join(sorted(n for n in known if n != "defaults")) or "none"
        raise ConfigError(f"unknown cloud {name!r}{where}; known clouds: {listed}")
    # as the `openstack` CLI has them: `--insecure`, and `--os-cacert` whose default is OS_CACERT (over the
    # cloud's own `cacert`); otherwise clouds.yaml `verify`/`insecure`/`cacert` (or OS_INSECURE)
    given: dict[str, Any] = {"insecure": True} if insecure else {}
    if os.environ.get("OS_CACERT"):
        given["cacert"] = os.environ["OS_CACERT"]
    if project_id:  # the switcher's choice, over the cloud's own project (a token is scoped by id first)
        given["project_id"] = project_id
    try:
        region_config = config.get_one(cloud=name, region_name=region, argparse=argv_options, **given)
    except exceptions.ConfigException as exc:
        raise ConfigError(f"cloud {name!r}: {scrub(str(exc), ())}") from None
    except Exception as exc:  # the loader raises KeyError/TypeError on odd entries: still a config problem
        raise ConfigError(f"cloud {name!r} is not usable: {exc.__class__.__name__}: {scrub(str(exc), ())}") from None
    if region_config.config.get("auth_type") not in NO_IDENTITY and not (region_config.auth or {}).get("auth_url"):
        raise ConfigError(f"cloud {name!r} has no auth_url: set auth.auth_url in clouds.yaml or OS_AUTH_URL")
    check_cacert(region_config, "OS_CACERT" if "cacert" in given else f"cloud {name!r}: cacert")
    return region_config, name


def open_config() -> tuple[Any, str | None]:
    """openstacksdk's loader over the clouds.yaml files it would read (checked first), and the file in use;
    raises a ConfigError for one it cannot use."""
    from openstack import exceptions
    from openstack.config import loader

    in_use = check_yaml(config_files(loader.CONFIG_FILES))
    try:
        return loader.OpenStackConfig(app_name="netdash"), in_use
    except exceptions.ConfigException as exc:
        raise ConfigError(scrub(str(exc), ())) from None


def cloud_names() -> list[str]:
    """The clouds openstacksdk's loader knows, as `load_region` reads them: each clouds.yaml entry, and
    `envvars` when OS_* variables describe one; raises a ConfigError for a clouds.yaml it cannot use."""
    config, _ = open_config()
    return [name for name in config.get_cloud_names() if name != "defaults"]


__all__ = ["CloudClient", "CloudInfo", "NetdashError"]
