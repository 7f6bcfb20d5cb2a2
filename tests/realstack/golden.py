"""The golden corpus (`golden/`: 878 exchanges recorded in front of real Keystone, Neutron, Nova, Octavia and
Glance while the `openstack` CLI and openstacksdk played the seed scenarios) replayed on the embedded cloud.

Each exchange's request is sent again, as recorded, to the embedded cloud; what is compared is the status and
the response's keys two levels deep (`differential.shape`). The corpus names the real services' ids and
addresses; the embedded cloud has its own. They are learnt by position: wherever a real answer and the
embedded answer hold an id (or an address) at the same place, the one stands for the other in every later
request. Lists are aligned by `name` where every item has a distinct one (the clouds order some lists
differently), else by index when they are as long.

Like the recording, each section starts from an empty cloud (only `public`): the cloud's stores are reset to
what they held at start. The errors section began with a set-up that was not recorded; its objects are known
from the answers that name them (`ERRORS_FIXTURES`) and are made again, in-process, before it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from netdash.democloud import DemoCloud, state

from .differential import shape

CORPUS = Path(__file__).with_name("golden")
#: the embedded cloud's mount point of each service the corpus names
MOUNTS = {"identity": "/identity", "network": "/networking", "compute": "/compute",
          "load-balancer": "/load-balancer", "image": "/image"}
#: ids (dashed UUIDs, Keystone's 32 hex digits) and addresses: what differs between two clouds by nature
TOKEN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{32}\b"
                   r"|\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b|\b(?:[0-9a-f]{2}:){5}[0-9a-f]{2}\b")
#: the recording reset the cloud before each of these (the dashboard's listings ran inside load_balancer)
RESET_GROUP = {"dashboard": "load_balancer"}


@dataclass(frozen=True)
class Exchange:
    seq: int
    ts: float
    section: str
    label: str
    service: str
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    status: int
    answer: Any


@dataclass(frozen=True)
class Result:
    exchange: Exchange
    status: int
    keys_only_embedded: frozenset[str]
    keys_only_real: frozenset[str]

    @property
    def same_status(self) -> bool:
        return self.status == self.exchange.status

    @property
    def same_keys(self) -> bool:
        return self.same_status and not self.keys_only_embedded and not self.keys_only_real


def exchanges(directory: Path = CORPUS) -> list[Exchange]:
    """Every recorded exchange, in the order it was made."""
    found = []
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            r = json.loads(line)
            found.append(Exchange(r["seq"], r["ts"], r["section"], r["label"], r["service"], r["method"], r["path"],
                                  r["request_headers"], r["request_body"], r["status"], r["response_body"]))
    return sorted(found, key=lambda e: e.seq)


class Ids:
    """Real id or address -> the embedded cloud's, learnt from answers compared by position."""

    def __init__(self) -> None:
        self.known: dict[str, str] = {}

    def learn(self, real: Any, mine: Any) -> None:
        if isinstance(real, dict) and isinstance(mine, dict):
            for key, value in real.items():
                if key in mine:
                    self.learn(value, mine[key])
        elif isinstance(real, list) and isinstance(mine, list):
            for theirs, ours in aligned(real, mine):
                self.learn(theirs, ours)
        elif (isinstance(real, str) and isinstance(mine, str) and real != mine
              and TOKEN.fullmatch(real) and TOKEN.fullmatch(mine)):
            self.known.setdefault(real, mine)

    def translate(self, value: Any) -> Any:
        if isinstance(value, str):
            return TOKEN.sub(lambda m: self.known.get(m.group(0), m.group(0)), value)
        if isinstance(value, dict):
            return {k: self.translate(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.translate(v) for v in value]
        return value


def aligned(real: list[Any], mine: list[Any]) -> Iterator[tuple[Any, Any]]:
    names_real, names_mine = named(real), named(mine)
    if names_real is not None and names_mine is not None:
        for name, item in names_real.items():
            if name in names_mine:
                yield item, names_mine[name]
    elif len(real) == len(mine):
        yield from zip(real, mine, strict=True)


def named(items: list[Any]) -> dict[str, Any] | None:
    """The items by name, when every one is an object with a distinct non-empty name."""
    names = [item.get("name") if isinstance(item, dict) else None for item in items]
    if not items or not all(isinstance(n, str) and n for n in names) or len(set(names)) != len(names):
        return None
    return dict(zip(names, items, strict=True))  # type: ignore[arg-type]


#: the errors section's unrecorded set-up, as its answers show it (real ids); made by `make_error_fixtures`
ERRORS_FIXTURES = {
    "net": "9b025fd4-ef33-437e-80d4-bba6779b2083", "subnet": "e74f2c03-8143-491e-8dc8-df47faf352eb",
    "router": "3f88896a-653c-4097-bacb-5e144416133e",
    "island": "fca604f3-ae15-47c6-b6a3-afeaa044ef37", "island_subnet": "fe2aa5cb-c491-447f-a135-9a09b239f17f",
    "island_port": "26aa5c7b-4c70-47b0-b137-c95ea0996964", "fip": "6ca5d818-b821-4456-a126-b2d092ed41af",
    "lb": "febb7a80-2df2-4f78-8fa7-c2f3d88834ec", "listener": "6a9ad4f0-950b-4306-ac72-57f8bbf9afa3",
    "pool": "abac11bf-a229-43ba-b90b-4dced9f3970c", "public": "0e1cdc28-bcd9-403f-ab4a-939cc9d07288",
    "image": "93a1f1ef-995a-4ef0-ad64-32d99cd17cc5",
}


#: realstack's timings, as the corpus' README gives them: Octavia's objects ACTIVE ~0.5 s after a change,
#: Nova's servers ACTIVE ~1 s after their create (the recording read a server 0.78 s after its create: BUILD)
PROVISIONING_DELAY, BUILD_DELAY = 0.5, 1.0
#: properties the embedded catalogue's images carry, as their uploader chose (Glance keeps any); the realstack
#: images were uploaded without them: the image's data, not the API's shape
IMAGE_PROPERTIES = frozenset({"os_distro", "os_version"})


class Replay:
    """The corpus sent to one running embedded cloud, as its admin (the recording's user), on the
    recording's clock: the cloud's `now()` is the moment each exchange was recorded, so what was still
    PENDING or BUILD on the real services is so here (start the cloud with PROVISIONING_DELAY and
    BUILD_DELAY)."""

    def __init__(self, cloud: DemoCloud) -> None:
        self.cloud = cloud
        self.ids = Ids()
        self.token = ""
        self.moment = 0.0
        self.http = httpx.Client(base_url=cloud.cloud.base_url, timeout=30)
        with cloud.cloud.lock:
            self.empty = state.dump(cloud.cloud)

    def close(self) -> None:
        self.http.close()
        self.cloud.cloud.clock = time.time

    def run(self, recorded: list[Exchange]) -> list[Result]:
        self.cloud.cloud.clock = lambda: self.moment
        results = []
        group = None
        for exchange in recorded:
            section = RESET_GROUP.get(exchange.section, exchange.section)
            if section != group:
                self.moment = exchange.ts - 60
                self.reset()
                if section == "errors":
                    self.make_error_fixtures()
                group = section
            self.moment = exchange.ts
            results.append(self.send(exchange))
        return results

    def reset(self) -> None:
        """The empty cloud again, and nothing learnt: a reset cloud makes new ids (its default security group's)."""
        self.ids = Ids()
        state.load(self.cloud.cloud, json.loads(json.dumps(self.empty)), source="the empty cloud")

    def send(self, exchange: Exchange) -> Result:
        headers = {k: v for k, v in exchange.headers.items() if k.lower() not in ("x-auth-token", "user-agent")}
        if "X-Auth-Token" in exchange.headers:
            headers["X-Auth-Token"] = "not-a-token" if "invalid token" in exchange.label else self.token
        if "invalid subject token" in exchange.label:
            headers["X-Subject-Token"] = "not-a-token"
        body = self.ids.translate(exchange.body)
        if isinstance(body, dict) and "auth" in body:
            password = "wrong" if "wrong password" in exchange.label else self.cloud.password("admin")
            body = json.loads(json.dumps(body).replace('"REDACTED"', json.dumps(password)))
        content = body.encode() if isinstance(body, str) else None if body is None else json.dumps(body).encode()
        path = MOUNTS[exchange.service] + self.ids.translate(exchange.path)
        response = self.http.request(exchange.method, path, content=content, headers=headers)
        try:
            answer = response.json() if response.content else None
        except ValueError:
            answer = response.text
        if exchange.service == "identity" and response.status_code == 201:
            self.token = response.headers.get("X-Subject-Token", self.token)
        self.ids.learn(exchange.answer, answer)
        theirs, mine = shape(exchange.answer), shape(answer)
        if exchange.service == "image":
            mine = frozenset(k for k in mine if k.rpartition(".")[2] not in IMAGE_PROPERTIES)
        return Result(exchange, response.status_code, mine - theirs, theirs - mine)

    def make_error_fixtures(self) -> None:
        """The objects the errors section's requests name, made as the recording's set-up made them."""
        cloud = self.cloud.cloud
        admin = cloud.identity.context_for("admin")

        def call(service: str, method: str, path: str, body: Any = None) -> dict[str, Any]:
            self.moment += 1.0  # each change settled before the next, as the set-up's CLI commands were
            resp = cloud.call(service, method, path, body, context=admin)
            assert resp.status < 300, (path, resp.status, resp.body)
            return resp.body  # type: ignore[no-any-return]

        made: dict[str, str] = {}
        made["net"] = call("network", "POST", "/v2.0/networks", {"network": {"name": "err-net"}})["network"]["id"]
        made["subnet"] = call("network", "POST", "/v2.0/subnets", {"subnet": {
            "network_id": made["net"], "cidr": "10.9.0.0/24", "ip_version": 4}})["subnet"]["id"]
        made["router"] = call("network", "POST", "/v2.0/routers", {"router": {"name": "err-router"}})["router"]["id"]
        made["island"] = call("network", "POST", "/v2.0/networks", {"network": {"name": "err-island"}})["network"]["id"]
        made["island_subnet"] = call("network", "POST", "/v2.0/subnets", {"subnet": {
            "network_id": made["island"], "cidr": "10.10.0.0/24", "ip_version": 4}})["subnet"]["id"]
        made["island_port"] = call("network", "POST", "/v2.0/ports", {"port": {
            "network_id": made["island"]}})["port"]["id"]
        public_id = next(n["id"] for n in call("network", "GET", "/v2.0/networks")["networks"]
                         if n["name"] == "public")
        made["fip"] = call("network", "POST", "/v2.0/floatingips", {"floatingip": {
            "floating_network_id": public_id}})["floatingip"]["id"]
        made["lb"] = call("load-balancer", "POST", "/v2/lbaas/loadbalancers", {"loadbalancer": {
            "name": "err-lb", "vip_subnet_id": made["subnet"]}})["loadbalancer"]["id"]
        made["listener"] = call("load-balancer", "POST", "/v2/lbaas/listeners", {"listener": {
            "loadbalancer_id": made["lb"], "protocol": "HTTP", "protocol_port": 80}})["listener"]["id"]
        made["pool"] = call("load-balancer", "POST", "/v2/lbaas/pools", {"pool": {
            "name": "err-pool", "listener_id": made["listener"], "protocol": "HTTP",
            "lb_algorithm": "ROUND_ROBIN"}})["pool"]["id"]
        made["public"] = public_id
        made["image"] = next(i["id"] for i in call("image", "GET", "/v2/images")["images"]
                             if i["name"] == "cirros-0.3.3-x86_64-disk")
        for name, real in ERRORS_FIXTURES.items():
            self.ids.known[real] = made[name]


def agreement(results: list[Result]) -> tuple[float, float]:
    """(share of exchanges with the real status, share with the real status and keys)."""
    total = len(results)
    return (sum(r.same_status for r in results) / total, sum(r.same_keys for r in results) / total)


# --- what cannot match, with its reason: tests/realstack/DIFFERENCES.md's "golden corpus" table ------------
Mismatch = tuple[int, str]  # (seq, "status" or "keys")


def mismatches(results: list[Result]) -> set[Mismatch]:
    return {(r.exchange.seq, "keys" if r.same_status else "status") for r in results if not r.same_keys}


def listed(path: Path) -> dict[Mismatch, str]:
    """The golden corpus table of DIFFERENCES.md: rows `| seq | aspect | request | reason |` (four cells,
    so the differential suite's five-cell table never reads them)."""
    rows: dict[Mismatch, str] = {}
    for line in path.read_text().splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].isdigit():
            rows[(int(cells[0]), cells[1])] = cells[3]
    return rows


def report(results: list[Result], reasons: dict[Mismatch, str]) -> str:
    """The figures and every exchange that differs, with its reason: the test prints it."""
    status, keys = agreement(results)
    lines = [f"golden corpus: {len(results)} exchanges, status {status:.2%}, status+keys {keys:.2%}"]
    for r in results:
        if not r.same_keys:
            e = r.exchange
            aspect = "keys" if r.same_status else "status"
            lines.append(f"  {e.seq} {e.method} {e.path[:60]}: real {e.status}, embedded {r.status}; only embedded "
                         f"{sorted(r.keys_only_embedded)[:3]}, only real {sorted(r.keys_only_real)[:3]}: "
                         f"{reasons.get((e.seq, aspect), 'NOT LISTED')}")
    return "\n".join(lines)
