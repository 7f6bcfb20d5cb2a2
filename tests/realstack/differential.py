"""The differential harness: one list of request sequences, sent to the embedded cloud and to realstack.

Each request kind is sent once to each cloud, in the same order, with the ids each cloud gave earlier
requests substituted in. What is compared per kind: the status code, the set of response keys (two levels:
`network.mtu`, `networks[].id`), and the error type (Neutron's `NeutronError.type`, Octavia's `faultcode`,
Nova's fault name: `itemNotFound`, `badRequest`...). Nova's kinds run only when realstack has Nova.
The sequences themselves are in differential_steps.py; the known differences in DIFFERENCES.md.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

#: an id no cloud has
UNKNOWN_ID = "6d1e3f0a-5b7c-4e2d-9a8b-0c1d2e3f4a5b"
#: a request body that is not JSON
MALFORMED = "MALFORMED"
#: a body nested 100 000 deep (past any JSON parser's recursion)
DEEP = "DEEP"


@dataclass(frozen=True)
class Step:
    kind: str
    method: str
    service: str  # "network", "load-balancer" or "compute"
    path: str  # "/v2.0/networks/{net}": placeholders are earlier saves
    body: Any = None  # strings "{name}" anywhere inside are replaced by saves; MALFORMED sends broken JSON
    save: dict[str, str] = field(default_factory=dict)  # name -> path into the answer: "network.id"
    #: after it, wait until the load balancer {lb} is ACTIVE again (not a request kind of its own)
    wait_lb: bool = False
    #: after it, wait until the server {server} (or the saved id `waited`) is "ACTIVE", "ERROR" or "gone" (Nova
    #: builds, rebuilds and deletes in the background)
    wait_server: str = ""
    waited: str = "server"
    #: the compute microversion it asks for (none: Nova's default, 2.1)
    version: str = ""
    #: who asks: "admin" (of the project everything else is created in) or "other" (a member of another project)
    caller: str = "admin"
    #: headers of its own (`If-Match`); "{name}" inside is replaced by a save
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    status: int
    keys: frozenset[str]
    error: str | None


class Target:
    """One cloud: base URLs per service, the headers every request carries, and those that make a request
    the other caller's (a member of another project)."""

    def __init__(self, name: str, urls: dict[str, str], headers: dict[str, str] | None = None,
                 other: dict[str, str] | None = None) -> None:
        self.name = name
        self.urls = urls
        self.http = httpx.Client(timeout=30, headers={"Accept": "application/json", **(headers or {})})
        self.other = other or {}
        self.saved: dict[str, Any] = {"unknown": UNKNOWN_ID}

    def send(self, step: Step) -> tuple[int, Any]:
        url = self.urls[step.service] + step.path.format_map(self.saved)
        content: bytes | None = None
        if step.body == MALFORMED:
            content = b'{"network": {"name": '
        elif step.body == DEEP:
            content = b"[" * 100_000 + b"]" * 100_000
        elif step.body is not None:
            content = json.dumps(substitute(step.body, self.saved)).encode()
        headers = {"Content-Type": "application/json"} if content else {}
        if step.version:
            headers.update({"OpenStack-API-Version": f"compute {step.version}",
                            "X-OpenStack-Nova-API-Version": step.version})
        if step.caller == "other":
            headers.update(self.other)
        headers.update({k: v.format_map(self.saved) for k, v in step.headers.items()})
        response = self.http.request(step.method, url, content=content, headers=headers)
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = response.text
        return response.status_code, body

    def wait_lb_active(self) -> None:
        url = f"{self.urls['load-balancer']}/v2.0/lbaas/loadbalancers/{self.saved['lb']}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.http.get(url).json()["loadbalancer"]["provisioning_status"] == "ACTIVE":
                return
            time.sleep(0.05)
        raise AssertionError(f"{self.name}: load balancer still not ACTIVE after 30 s")

    def wait_server(self, state: str, saved: str = "server") -> None:
        url = f"{self.urls['compute']}/v2.1/servers/{self.saved[saved]}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            response = self.http.get(url)
            if (response.status_code == 404 if state == "gone"
                    else response.status_code == 200 and response.json()["server"]["status"] == state):
                return
            time.sleep(0.1)
        raise AssertionError(f"{self.name}: server still not {state} after 60 s")

    def find_boot_refs(self) -> None:
        """The flavor `m1.tiny` (both clouds have it) and an active image, as `{flavor}` and `{image}`:
        looked up, not compared (the clouds' image catalogues differ by design)."""
        flavors = self.http.get(f"{self.urls['compute']}/v2.1/flavors").json()["flavors"]
        self.saved["flavor"] = next(f["id"] for f in flavors if f["name"] == "m1.tiny")
        images = self.http.get(f"{self.urls['image']}/v2/images?status=active").json()["images"]
        self.saved["image"] = images[0]["id"]

    def close(self) -> None:
        self.http.close()


def substitute(value: Any, saved: dict[str, Any]) -> Any:
    if isinstance(value, str):
        whole = re.fullmatch(r"\{(\w+)\}", value)
        return saved[whole.group(1)] if whole else value.format_map(saved)
    if isinstance(value, dict):
        return {k: substitute(v, saved) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, saved) for v in value]
    return value


def dig(body: Any, path: str) -> Any:
    for part in path.split("."):
        body = body[int(part)] if isinstance(body, list) else body[part]
    return body


def shape(body: Any) -> frozenset[str]:
    """Keys two levels deep: {"network": {"id": ...}} -> network, network.id; lists of objects -> x[].k."""
    if not isinstance(body, dict):
        return frozenset({"<text>"} if isinstance(body, str) and body else set())
    keys: set[str] = set()
    for key, value in body.items():
        keys.add(key)
        if isinstance(value, dict):
            keys.update(f"{key}.{k}" for k in value)
        elif isinstance(value, list):
            keys.update(f"{key}[].{k}" for item in value if isinstance(item, dict) for k in item)
            if key.endswith("_links"):  # which links a page has is part of its shape
                keys.update(f"{key}[rel={item.get('rel')}]" for item in value if isinstance(item, dict))
    return frozenset(keys)


def error_type(service: str, body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    if service == "network" and isinstance(body.get("NeutronError"), dict):
        return str(body["NeutronError"].get("type"))
    if "faultcode" in body:
        return f"faultcode {body['faultcode']}"
    if service == "compute" and len(body) == 1 and isinstance(next(iter(body.values())), dict):
        return next(iter(body))  # {"itemNotFound": {"code": 404, "message": ...}}
    return None


def run(steps: list[Step], target: Target) -> dict[str, Outcome]:
    outcomes: dict[str, Outcome] = {}
    if any(step.service == "compute" for step in steps):
        target.find_boot_refs()
    for step in steps:
        status, body = target.send(step)
        outcomes[step.kind] = Outcome(status, shape(body) if status < 300 else frozenset(),
                                      error_type(step.service, body) if status >= 400 else None)
        for name, path in step.save.items():
            try:
                target.saved[name] = dig(body, path)
            except (KeyError, IndexError, TypeError):
                raise AssertionError(f"{target.name}: {step.kind} answered {status} without {path}: {body}") from None
        if step.wait_lb:
            target.wait_lb_active()
        if step.wait_server and status < 300:
            target.wait_server(step.wait_server, step.waited)
    return outcomes


Difference = tuple[str, str, str, str]  # (kind, aspect, embedded, realstack)


def differences(embedded: dict[str, Outcome], real: dict[str, Outcome]) -> set[Difference]:
    found: set[Difference] = set()
    for kind, mine in embedded.items():
        theirs = real[kind]
        if mine.status != theirs.status:
            found.add((kind, "status", str(mine.status), str(theirs.status)))
        if mine.error != theirs.error:
            found.add((kind, "error", str(mine.error), str(theirs.error)))
        if mine.keys != theirs.keys and mine.status < 300 and theirs.status < 300:
            found.add((kind, "keys", ", ".join(sorted(mine.keys - theirs.keys)) or "-",
                       ", ".join(sorted(theirs.keys - mine.keys)) or "-"))
    return found


def documented(path: Path) -> dict[Difference, str]:
    """The rows of DIFFERENCES.md's table: (kind, aspect, embedded, realstack) -> reason."""
    rows: dict[Difference, str] = {}
    for line in path.read_text().splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] in ("request kind", "") or set(cells[0]) <= {"-", ":"}:
            continue
        kind, aspect, mine, theirs, reason = cells
        rows[(kind, aspect, mine, theirs)] = reason
    return rows
