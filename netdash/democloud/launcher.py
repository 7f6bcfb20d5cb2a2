"""Start, address and stop an embedded cloud: the one entry point tests, the dashboard and the CLI use."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
from pathlib import Path
from typing import Any

from .app import Cloud
from .dataplane import DataPlane
from .endpoints import CONFIG_KEY
from .endpoints import PATH as ENDPOINTS_PATH
from .http import CloudHTTPServer
from .runtime import Settings
from .state import StateError, StateLock
from .wal import COMPACT_AT, Journal, load_file, log_generations, log_path

CLOUD_NAME = "netdash-demo"


class NotLoopback(ValueError):
    """The embedded cloud only ever listens on loopback."""


def check_loopback(host: str) -> None:
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        raise NotLoopback(f"cannot resolve host {host!r}") from None
    for address in addresses:
        if not ipaddress.ip_address(address.split("%")[0]).is_loopback:
            raise NotLoopback(f"refusing to listen on {host!r}: the embedded cloud listens on loopback only")


class DemoCloud:
    """An embedded OpenStack on a loopback port, served from a background thread."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, seed: bool = True,
                 settings: Settings | None = None, state: str | os.PathLike[str] | None = None,
                 scale: int = 0, state_compact_at: int = COMPACT_AT) -> None:
        check_loopback(host)
        self.host = host
        self.port = port
        self.seed = seed
        #: `--scale N`: the generated project of democloud/scale.py instead of the seed scenario
        self.scale = scale
        self.settings = settings or Settings()
        self.cloud = Cloud(self.settings)
        #: `--state FILE`: loaded now when it exists (then nothing is seeded); every change logged before
        #: the answer that reveals it leaves (`wal.Journal`)
        self.state_path = Path(state) if state is not None else None
        #: the log's size that starts a new generation (tests make it small to see compactions happen)
        self.state_compact_at = state_compact_at
        self.journal: Journal | None = None
        self._server: CloudHTTPServer | None = None
        #: backends, floating IPs and load balancers on loopback; one per running cloud
        self.dataplane: DataPlane | None = None
        # A stopped cloud keeps its state: start() again serves it anew (on the same port if it is free).
        self._seeded = False
        #: held while this cloud serves, and so may save to its state file (`state.StateLock`)
        self._state_lock = StateLock(self.state_path) if self.state_path is not None else None
        #: what the state files were when they were read (`state_files`): start() reads them again if
        #: another cloud wrote them between that read and this one's lock
        self._loaded_from: list[tuple[str, int, int]] | None = None
        if self.state_path is not None and self.state_path.exists():
            self._load_state(self.state_path)

    def _load_state(self, path: Path) -> None:
        self._loaded_from = state_files(path)
        load_file(self.cloud, path)
        if self.settings.password is not None:  # an explicit password wins over the saved one
            self.cloud.identity.user_named("demo")["_password"] = self.settings.password
        self._seeded = True

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> DemoCloud:
        if self._state_lock is not None:
            self._state_lock.acquire()  # before anything is built or served: the other cloud's file
        try:
            if (self.state_path is not None and self.journal is None and self._loaded_from is not None
                    and state_files(self.state_path) != self._loaded_from):
                self._load_state(self.state_path)  # the cloud that held the lock wrote on after our read
            return self._start()
        except BaseException:
            if self._state_lock is not None and self.journal is None:
                self._state_lock.release()
            raise

    def _start(self) -> DemoCloud:
        server = CloudHTTPServer((self.host, self.port), self.cloud)
        self.port = server.server_address[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.cloud.base_url = f"http://{host}:{self.port}"
        if not self._seeded:
            from .seed import build_base, build_seed

            try:
                build_base(self.cloud)
                if self.scale:
                    from .scale import build_scale

                    build_scale(self.cloud, self.scale)
                elif self.seed:
                    build_seed(self.cloud)
            except BaseException:
                server.stop()
                raise
            self._seeded = True
        self._server = server
        if self.state_path is not None and self.journal is None:
            try:
                self.journal = Journal(self.cloud, self.state_path, compact_at=self.state_compact_at).start()
            except OSError as exc:
                server.stop()
                raise StateError(f"cannot write state file {self.state_path}: "
                                 f"{exc.strerror or exc.__class__.__name__}") from None
        server.start()
        try:
            self.dataplane = DataPlane(self.cloud).start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.dataplane is not None:
            self.dataplane.stop()
            self.dataplane = None
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self.journal is not None:
            journal, self.journal = self.journal, None
            try:
                journal.stop()
            except OSError:
                pass  # every change is in the log already: the next start replays it
        if self._state_lock is not None:
            self._state_lock.release()

    def __enter__(self) -> DemoCloud:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- how clients reach it -------------------------------------------------------------------
    @property
    def auth_url(self) -> str:
        return self.cloud.auth_url

    def password(self, user: str = "demo") -> str:
        return self.cloud.identity.password_of(user)

    def cloud_config(self, user: str = "demo") -> dict[str, Any]:
        """The `clouds:` entry for one of the cloud's accounts (`demo`, `alt_demo`, `admin`), with where the
        data plane's endpoints are listed (`democloud_endpoints`: netdash's probe reads it; other clients
        ignore a key they do not know)."""
        identity = self.cloud.identity
        project = identity.store.projects[identity.user_named(user)["_project_id"]]["name"]
        return {
            "auth": {"auth_url": self.auth_url, "username": user, "password": self.password(user),
                     "project_name": project, "user_domain_name": "Default",
                     "project_domain_name": "Default"},
            "region_name": self.settings.region,
            "identity_api_version": 3,
            "interface": "public",
            CONFIG_KEY: self.cloud.base_url + ENDPOINTS_PATH,
        }

    def clouds_yaml(self, user: str = "demo", name: str = CLOUD_NAME) -> dict[str, Any]:
        return {"clouds": {name: self.cloud_config(user)}}

    def clouds_yaml_text(self, user: str = "demo", name: str = CLOUD_NAME) -> str:
        return render_yaml(self.clouds_yaml(user, name))

    def all_clouds_yaml(self) -> dict[str, Any]:
        """An entry per account: `netdash-demo` (demo), `netdash-demo-alt` (alt_demo, another project) and
        `netdash-demo-admin` (admin), so that the `openstack` CLI and isolation tests can act as each."""
        return {"clouds": {name: self.cloud_config(user) for user, name in ACCOUNT_CLOUDS.items()}}

    def write_clouds_yaml(self, path: str | os.PathLike[str], user: str | None = None,
                          name: str = CLOUD_NAME) -> Path:
        """Write the entry of `user` (default: every account's) with mode 0600 from the first byte: it holds
        passwords."""
        target = Path(path)
        text = render_yaml(self.all_clouds_yaml()) if user is None else self.clouds_yaml_text(user, name)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chmod(target, 0o600)
        return target

    def connection(self, user: str = "demo") -> Any:
        """An openstacksdk Connection to this cloud, built as from a clouds.yaml entry."""
        import openstack
        from openstack.config import loader

        config = loader.OpenStackConfig(load_yaml_config=False, load_envvars=False)
        region = config.get_one(**self.cloud_config(user))
        return openstack.connection.Connection(config=region)


def state_files(path: Path) -> list[tuple[str, int, int]]:
    """The state file and its logs as (name, size, modification time): what changes when a cloud writes."""
    found = []
    for each in (path, *(log_path(path, g) for g in log_generations(path))):
        with contextlib.suppress(OSError):
            stat = each.stat()
            found.append((each.name, stat.st_size, stat.st_mtime_ns))
    return found


#: the clouds.yaml entry of each account of the embedded cloud
ACCOUNT_CLOUDS = {"demo": CLOUD_NAME, "alt_demo": f"{CLOUD_NAME}-alt", "admin": f"{CLOUD_NAME}-admin"}


def render_yaml(data: Any, indent: int = 0) -> str:
    """A tiny YAML writer for clouds.yaml (strings quoted), so no YAML library is needed to print one."""
    import json

    lines: list[str] = []
    pad = "  " * indent
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:")
            lines.append(render_yaml(value, indent + 1))
        elif isinstance(value, str):
            lines.append(f"{pad}{key}: {json.dumps(value)}")
        else:
            lines.append(f"{pad}{key}: {json.dumps(value)}")
    return "\n".join(lines) + ("\n" if indent == 0 else "")
