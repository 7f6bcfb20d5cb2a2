"""The seam between netdash and a cloud: what actions, the poller and the App may ask of one.

`CloudClient` is the one implementation (openstacksdk underneath); tests may hand in another. The
protocols are split by who needs what: an action plans from a snapshot and then needs only `CloudWrites`
(the changes and the single reads it waits and verifies with); the poller needs `TopologySource`; the App
and the command line hold a whole `CloudApi`. Nothing here imports openstacksdk, so every layer may import it.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from .model import FloatingIP, LoadBalancer, Member, Pool, Port, SecurityGroup, Server, Topology

if TYPE_CHECKING:  # builds -> writes -> this module
    from .builds import Builds


@dataclass(frozen=True)
class CloudInfo:
    """Who and where: what the header shows. Never holds a secret."""

    cloud: str
    project: str
    region: str | None
    auth_url: str
    user: str
    demo: bool
    #: whether TLS certificates are verified (off only by the cloud's own config or `--insecure`)
    tls_verify: bool = True
    #: the embedded cloud's clouds.yaml while netdash runs it (`--demo`): the `openstack` CLI can use it too
    clouds_yaml: str | None = None
    #: the fault specs injected into the embedded cloud (`--faults`): what fails is on purpose
    faults: tuple[str, ...] = ()
    #: the project the switcher scoped to, when it is not the clouds.yaml entry's (the CLI must be told it)
    cli_project: str | None = None

    @property
    def cli_environment(self) -> str | None:
        """The shell line that points the `openstack` CLI at the embedded cloud, when netdash runs one."""
        if self.clouds_yaml is None:
            return None
        line = f"export OS_CLIENT_CONFIG_FILE={shlex.quote(self.clouds_yaml)} OS_CLOUD={self.cloud}"
        return line + (f" OS_PROJECT_NAME={shlex.quote(self.cli_project)}" if self.cli_project else "")


#: a line of progress for the user ("load balancer busy (409), retrying in 0.10 s")
Notify = Callable[[str], None]


class CloudWrites(Protocol):
    """The changes actions make, and the single-object reads they wait on; each raises a NetdashError
    (an `ApiError` with the HTTP status when the cloud answered)."""

    # Neutron
    def get_port(self, port_id: str) -> Port: ...

    def get_port_tags(self, port_id: str) -> tuple[str, ...]: ...

    def served_endpoints(self) -> dict[tuple[str, str], str]:
        """Where the embedded cloud's data plane serves each address now ((Topology field, id) -> `addr:port`);
        empty on a real cloud, which has no such list."""
        ...

    def update_port(self, port_id: str, *, admin_state_up: bool) -> Port: ...

    def get_floating_ip(self, fip_id: str) -> FloatingIP: ...

    def update_floating_ip(self, fip_id: str, port_id: str | None,
                           fixed_ip_address: str | None = None) -> FloatingIP: ...

    def create_floating_ip(self, network_id: str, port_id: str | None = None) -> FloatingIP: ...

    def delete_floating_ip(self, fip_id: str) -> None: ...

    def delete_port(self, port_id: str) -> None: ...

    def get_security_group(self, sg_id: str) -> SecurityGroup: ...

    def delete_security_group(self, sg_id: str) -> None: ...

    # Nova
    def get_server(self, server_id: str) -> Server: ...

    def server_interfaces(self, server_id: str) -> tuple[str, ...]: ...

    def attach_port(self, server_id: str, port_id: str) -> None: ...

    def detach_port(self, server_id: str, port_id: str) -> None: ...

    def server_action(self, server_id: str, verb: str) -> None: ...

    # Octavia
    def get_load_balancer(self, lb_id: str) -> LoadBalancer: ...

    def get_pool(self, pool_id: str) -> Pool: ...

    def update_pool(self, pool_id: str, *, lb_algorithm: str, notify: Notify | None = None) -> Pool: ...

    def get_member(self, pool_id: str, member_id: str) -> tuple[Member, tuple[str, ...]]: ...

    def update_member(self, pool_id: str, member_id: str, *, admin_state_up: bool | None = None,
                      weight: int | None = None, tags: tuple[str, ...] | None = None,
                      notify: Notify | None = None) -> Member: ...


class BuildingCloud(CloudWrites, Protocol):
    """What a guided tour needs: the actions' writes, whole objects created and deleted (`cloud.builds`), and
    a snapshot read at once, for the plans of its next step."""

    @property
    def info(self) -> CloudInfo: ...

    @property
    def builds(self) -> Builds: ...

    def read_topology(self) -> Topology: ...


class TopologySource(Protocol):
    """What the poller drives: one fetch of the whole project, as often as it likes."""

    async def fetch_topology(self) -> Topology: ...


class CloudApi(CloudWrites, TopologySource, Protocol):
    """A connected cloud, as the App and the command line hold it."""

    @property
    def info(self) -> CloudInfo: ...

    def fetch_topology_sync(self) -> Topology: ...

    def answers(self) -> bool:
        """Whether the cloud answers one cheap request (blocks): the dashboard's probe while it backs off."""
        ...

    def watch_load_balancers(self, lb_ids: frozenset[str]) -> None:
        """Read these load balancers' status trees on every refresh (the selected one's members stay fresh)."""
        ...

    def start_fetch_process(self) -> bool: ...

    def projects(self) -> list[tuple[str, str]]:
        """(id, name) of each project this user may scope to (blocks; raises a NetdashError)."""
        ...

    def regions(self) -> list[str]:
        """The regions of the catalog that offer a network service."""
        ...

    def close(self) -> None: ...
