"""Where else the dashboard could look, and getting there: the clouds of clouds.yaml (and the OS_*
environment), the projects this user may scope to, the regions of the catalog; a `Place` among them
connected to as the dashboard's start connects (`CloudClient.from_spec`, the fetch process's path too).

The `Connector` is made once at start (`cli.main.switcher`) from the options that hold for any cloud
(`--max-rps`, `--insecure`) and, with `--demo`, the embedded cloud's entry, which is in no clouds.yaml the
loader reads. Nothing here holds a secret in what it shows: cloud names, project names and ids, regions.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .api import CloudApi, CloudInfo
from .errors import ConfigError, NetdashError

if TYPE_CHECKING:  # the rest when first used: the dashboard imports this module before its first paint
    from .client import CloudClient
    from .fetch_process import ConnectSpec, DemoSpec
    from .session import Session

#: openstacksdk's name for the cloud the OS_* variables describe
ENVIRONMENT = "envvars"


def cloud_label(name: str) -> str:
    """How a cloud is named to a person: `envvars` is the OS_* environment."""
    return "the OS_* environment" if name == ENVIRONMENT else name


@dataclass(frozen=True)
class Place:
    """A cloud by name; within it a project (by id: names repeat across domains) and a region, None for
    the cloud's own (its clouds.yaml entry's, or the OS_* variables')."""

    cloud: str
    project_id: str | None = None
    region: str | None = None
    #: the project's name, to say where a switch goes before it is there
    project: str | None = None

    def line(self) -> str:
        parts = [f"cloud {cloud_label(self.cloud)}"]
        if self.project_id is not None or self.project:
            parts.append(f"project {self.project or self.project_id}")
        if self.region:
            parts.append(f"region {self.region}")
        return " · ".join(parts)


@dataclass(frozen=True)
class Choices:
    """What the switcher lists: the clouds, this user's projects as (id, name), the catalog's regions, and a
    line for each list that could not be read."""

    clouds: tuple[str, ...] = ()
    projects: tuple[tuple[str, str], ...] = ()
    regions: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Connector:
    """How the dashboard's start connected, to connect again elsewhere."""

    #: the request budget of a configured cloud (`--max-rps`, or its default for one)
    max_rps: float
    insecure: bool
    #: the embedded cloud's entry (with its password: never shown), when netdash runs one
    demo: DemoSpec | None = None
    #: ... and what the start added to its info (its clouds.yaml for the CLI, the faults injected)
    demo_info: CloudInfo | None = None

    @classmethod
    def starting_from(cls, client: CloudClient, *, max_rps: float, insecure: bool) -> Connector:
        from .fetch_process import DemoSpec

        spec = client.fetcher.spec
        demo = spec if isinstance(spec, DemoSpec) else None
        return cls(max_rps, insecure, demo, client.info if demo is not None else None)

    @property
    def demo_name(self) -> str | None:
        return self.demo_info.cloud if self.demo_info is not None else None

    def choices(self, client: CloudApi) -> Choices:
        """Everything the switcher lists, each list on its own (blocks: call it from a thread)."""
        from .client import cloud_names

        problems: list[str] = []
        clouds: list[str] = [self.demo_name] if self.demo_name else []
        try:
            clouds += [name for name in cloud_names() if name not in clouds]
        except NetdashError as exc:
            problems.append(f"clouds: {exc.message}")
        projects: list[tuple[str, str]] = []
        try:
            projects = sorted(client.projects(), key=lambda project: (project[1], project[0]))
        except NetdashError as exc:
            problems.append(f"projects: {exc.message}")
        try:
            regions = client.regions()
        except NetdashError as exc:
            regions = []
            problems.append(f"regions: {exc.message}")
        return Choices(tuple(clouds), tuple(projects), tuple(regions), tuple(problems))

    def spec_for(self, place: Place) -> ConnectSpec | DemoSpec:
        from .fetch_process import ConnectSpec, DemoSpec

        if self.demo is not None and place.cloud == self.demo_name:
            entry = copy.deepcopy(self.demo.entry)
            if place.project_id is not None:
                entry["auth"]["project_id"] = place.project_id
            if place.region is not None:
                entry["region_name"] = place.region
            return DemoSpec(entry, self.demo.timeout, self.demo.max_rps)
        return ConnectSpec(place.cloud, place.region, self.insecure, self.max_rps, place.project_id)

    def connect(self, place: Place) -> CloudClient:
        """A client for the place, connected (one token request, as at start); raises a NetdashError."""
        from .client import CloudClient

        try:
            client = CloudClient.from_spec(self.spec_for(place))
        except NetdashError:
            raise
        except Exception as exc:  # the loader's surprises: named, never quoted (they may echo a setting)
            raise ConfigError(f"cannot connect to {place.line()}: {exc.__class__.__name__}") from None
        if self.demo_info is not None and place.cloud == self.demo_name:
            own = client.info.project == self.demo_info.project
            client.info = replace(client.info, clouds_yaml=self.demo_info.clouds_yaml, faults=self.demo_info.faults,
                                  cli_project=None if own else client.info.project)
        return client


def auth_projects(session: Session) -> list[tuple[str, str]]:
    """Keystone's `GET /v3/auth/projects` with the session's token: (id, name) of each project its user has
    a role on."""
    from keystoneauth1.identity.base import BaseIdentityPlugin

    if not isinstance(session.conn.session.auth, BaseIdentityPlugin):
        raise ConfigError("this cloud is used without an identity service (auth_type none): no projects to list")
    body = session.send("identity", "GET", "/auth/projects")
    projects = body.get("projects") if isinstance(body, dict) else None
    return [(str(p["id"]), str(p.get("name") or p["id"])) for p in projects or ()
            if isinstance(p, dict) and p.get("id") and p.get("enabled", True) is not False]


def catalog_regions(session: Session) -> list[str]:
    """The regions in which the token's catalog has a network endpoint (of the interface in use)."""
    from keystoneauth1.identity.base import BaseIdentityPlugin

    conn = session.conn
    plugin = conn.session.auth
    if not isinstance(plugin, BaseIdentityPlugin):
        return []
    from .config import connect_errors

    with connect_errors(getattr(plugin, "auth_url", None), session.secrets):
        catalog = plugin.get_access(conn.session).service_catalog
    region_config = getattr(conn, "config", None)
    interface = region_config.get_interface() if region_config is not None else None
    endpoints = catalog.get_endpoints(service_type="network", interface=interface or "public").get("network", [])
    return sorted({str(name) for e in endpoints if e and (name := e.get("region_id") or e.get("region"))})


#: what the command bar's `:cloud NAME`, `:project NAME`, `:region NAME` choose among
SECTIONS = ("clouds", "projects", "regions")


def find(choices: Choices, here: Place, section: str, name: str) -> Place | str:
    """The place a typed name means in a section of the choices (a project by name or id, anything by its
    name, case aside); else the one line that says what there is instead."""
    wanted = name.strip().lower()
    if section == "clouds":
        named = {cloud: cloud for cloud in choices.clouds} | {cloud_label(c).lower(): c for c in choices.clouds}
        cloud = next((c for key, c in named.items() if key.lower() == wanted), None)
        if cloud is not None:
            return Place(cloud)
        known = ", ".join(cloud_label(c) for c in choices.clouds) or "none"
    elif section == "projects":
        project = next(((pid, pname) for pid, pname in choices.projects
                        if wanted in (pid.lower(), pname.lower())), None)
        if project is not None:
            return Place(here.cloud, project[0], here.region, project[1])
        known = ", ".join(pname for _, pname in choices.projects) or "none"
    else:
        region = next((r for r in choices.regions if r.lower() == wanted), None)
        if region is not None:
            return Place(here.cloud, here.project_id, region, here.project)
        known = ", ".join(choices.regions) or "none"
    problems = f" (could not read {'; '.join(choices.problems)})" if choices.problems else ""
    return f"no {section.removesuffix('s')} named {name!r}: {section} here: {known}{problems}"
