"""Reads the log need not compare: a read-only section (`CloudLock.reading`) lends the stores' tables, which
hand out read-only views and note nothing; a change a read must make (a server's BUILD ending, a deletion
completing) is made in a `writing()` block and logged, and any other change in the section raises. The data
plane reads the whole cloud that way after every write."""

from __future__ import annotations

import base64
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from netdash.democloud import DemoCloud, Settings
from netdash.democloud.app import Cloud
from netdash.democloud.dataplane.desired import Snapshotter
from netdash.democloud.seed import build_base, build_seed
from netdash.democloud.state import stores
from netdash.democloud.tracked import LentTable, ReadOnlyError, TrackedDict, lend
from netdash.democloud.wal import Journal
from tests.democloud.wal_support import REACH, Process, Tenant
from tests.waiting import wait_for

WEB = base64.b64encode(b"#cloud-config\nruncmd:\n- systemctl start nginx\n").decode()
DELAY = 0.05


# --- a lent table ---------------------------------------------------------------------------------------
def views_in(value: Any) -> list[Any]:
    """Every value found under `value` that is the table's record (by its name), however it came back."""
    if isinstance(value, dict | MappingProxyType) and value.get("name") == "record":
        return [value]
    if isinstance(value, dict | MappingProxyType):
        return [found for item in value.values() for found in views_in(item)]
    if isinstance(value, list | tuple):
        return [found for item in value for found in views_in(item)]
    return []


@pytest.mark.parametrize("how", [h for h in REACH if h != "setdefault"])
def test_every_way_to_reach_a_record_of_a_lent_table_gives_a_read_only_view_and_notes_nothing(how: str) -> None:
    table = TrackedDict({"k": {"name": "record"}, "n": 5})
    lend([table], True)
    (view,) = views_in(REACH[how](table))
    assert isinstance(view, MappingProxyType) and view["name"] == "record"
    with pytest.raises(TypeError):
        view["name"] = "changed"  # type: ignore[index]
    assert not table.touched and not table.inserted and not table.removed


CHANGES: dict[str, Callable[[TrackedDict], object]] = {
    "t[k] = v": lambda t: t.__setitem__("x", {}), "del t[k]": lambda t: t.__delitem__("k"),
    "pop": lambda t: t.pop("k"), "popitem": lambda t: t.popitem(), "clear": lambda t: t.clear(),
    "update": lambda t: t.update(x={}), "setdefault": lambda t: t.setdefault("x", {}),
    "|=": lambda t: t.__ior__({"x": {}}),
}


@pytest.mark.parametrize("how", CHANGES, ids=list(CHANGES))
def test_a_lent_table_refuses_every_change(how: str) -> None:
    table = TrackedDict({"k": {"name": "record"}})
    lend([table], True)
    with pytest.raises(ReadOnlyError):
        CHANGES[how](table)
    assert dict.items(table) == {"k": {"name": "record"}}.items()
    assert not table.touched and not table.inserted and not table.removed


def test_a_table_lent_and_given_back_notes_again_and_a_plain_dict_is_left_alone() -> None:
    table, plain = TrackedDict({"k": {"name": "record"}}), {"k": {"name": "record"}}
    lend([table, plain], True)
    assert type(table) is LentTable and type(plain) is dict
    lend([table, plain], False)
    assert type(table) is TrackedDict
    table["k"]["name"] = "changed"
    assert table.touched == {"k"}


# --- a journaled cloud, read by the data plane's snapshot ------------------------------------------
@pytest.fixture(scope="module")
def journaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cloud, Journal, Path]]:
    """The seed scenario in-process, journaled to a state file, with no data plane or server of its own:
    each snapshot is the test's."""
    cloud = Cloud(Settings(provisioning_delay=DELAY, build_delay=DELAY))
    build_base(cloud)
    build_seed(cloud)
    path = tmp_path_factory.mktemp("reads") / "cloud.json"
    journal = Journal(cloud, path).start()
    journal.verify = True  # every field compared with what was logged after each entry
    yield cloud, journal, path
    journal.stop()


def settled(cloud: Cloud) -> None:
    """Wait out every pending transition, then read once (in a tracked hold) so that none is due."""
    time.sleep(DELAY * 2)
    with cloud.lock:
        cloud.load_balancer.settle()
        for server in list(dict.values(cloud.compute.store.servers)):
            cloud.compute.lifecycle.settle(server)


def noted(cloud: Cloud) -> int:
    return sum(len(table.touched) for store in stores(cloud).values() for table in vars(store).values()
               if isinstance(table, TrackedDict))


def on_disk(path: Path) -> Cloud:
    """The cloud the state file and its log hold now (as a restart after `kill -9` would load it)."""
    return DemoCloud(settings=Settings(), state=path).cloud


def test_the_data_planes_snapshot_notes_nothing_and_logs_nothing(journaled: tuple[Cloud, Journal, Path]) -> None:
    cloud, journal, _ = journaled
    settled(cloud)
    before = journal.appended
    desired = Snapshotter(cloud).take()
    assert desired.backends and desired.listeners and desired.edges  # it read the whole seed
    assert journal.appended == before and noted(cloud) == 0
    assert type(cloud.network.store.ports) is TrackedDict  # given back after the section


def test_a_change_behind_the_logs_back_in_a_read_only_section_raises(journaled: tuple[Cloud, Journal, Path]) -> None:
    cloud, journal, _ = journaled
    network_id = next(iter(cloud.network.store.networks))
    with cloud.lock.reading():
        network = cloud.network.store.networks[network_id]
        with pytest.raises(TypeError):
            network["name"] = "changed behind the log's back"
        with pytest.raises(ReadOnlyError):
            del cloud.network.store.networks[network_id]
    assert dict.__getitem__(cloud.network.store.networks, network_id)["name"] != "changed behind the log's back"
    assert journal.missed == []


def test_a_change_made_in_a_writing_block_inside_a_read_is_logged(journaled: tuple[Cloud, Journal, Path]) -> None:
    cloud, journal, path = journaled
    network_id = next(iter(cloud.network.store.networks))
    before = journal.appended
    with cloud.lock.reading():
        with cloud.lock.writing():
            cloud.network.store.networks[network_id]["description"] = "written inside a read"
        assert isinstance(cloud.network.store.networks[network_id], MappingProxyType)  # lent again after it
    assert journal.appended == before + 1 and journal.missed == []
    assert on_disk(path).network.store.networks[network_id]["description"] == "written inside a read"


def demo_call(cloud: Cloud, method: str, path: str, body: Any = None, service: str = "compute") -> Any:
    resp = cloud.call(service, method, path, body, context=cloud.identity.context_for("demo"),
                      headers={"OpenStack-API-Version": "compute 2.100"} if service == "compute" else None)
    assert resp.status < 300, resp.body
    return resp.body


def test_a_build_the_data_planes_read_ends_is_logged(journaled: tuple[Cloud, Journal, Path]) -> None:
    cloud, journal, path = journaled
    public = demo_call(cloud, "GET", "/v2.0/networks", service="network")["networks"]
    public_id = next(n["id"] for n in public if n["name"] == "public")
    image = demo_call(cloud, "GET", "/v2/images", service="image")["images"][0]["id"]
    server = demo_call(cloud, "POST", "/v2.1/servers", {"server": {
        "name": "built-by-a-read", "imageRef": image, "flavorRef": "1", "user_data": WEB,
        "networks": [{"uuid": public_id}]}})["server"]
    time.sleep(DELAY * 2)  # its BUILD is over, and nothing has read it since
    assert on_disk(path).compute.store.servers[server["id"]]["vm_state"] == "building"
    before = journal.appended
    desired = Snapshotter(cloud).take()
    assert server["id"] in desired.backends  # served: its BUILD ended as the snapshot read it
    assert journal.appended == before + 1 and journal.missed == []
    saved = on_disk(path).compute.store.servers[server["id"]]
    assert (saved["vm_state"], saved["task_state"]) == ("active", None)


def test_a_deletion_the_data_planes_read_completes_is_logged(journaled: tuple[Cloud, Journal, Path]) -> None:
    cloud, journal, path = journaled
    settled(cloud)
    octavia = "/v2/lbaas"
    (pool,) = [p for p in demo_call(cloud, "GET", f"{octavia}/pools", service="load-balancer")["pools"]
               if p["name"] == "web_pool"]
    member = pool["members"][0]["id"]
    demo_call(cloud, "DELETE", f"{octavia}/pools/{pool['id']}/members/{member}", service="load-balancer")
    time.sleep(DELAY * 2)  # PENDING_DELETE is over, and nothing has read it since
    assert member in on_disk(path).load_balancer.store.members
    before = journal.appended
    desired = Snapshotter(cloud).take()
    assert member not in desired.members
    assert journal.appended == before + 1 and journal.missed == []
    assert member not in on_disk(path).load_balancer.store.members


# --- the data plane of a process killed with SIGKILL ---------------------------------------------------
def test_a_build_the_data_plane_ended_by_reading_survives_kill_9(tmp_path: Path, processes: list[Process]) -> None:
    """Nothing but the data plane reads the new server: its BUILD ends there, logged, before the data plane
    lists the server's port as served; `kill -9` after that is seen, and the state on disk has the server ACTIVE."""
    path = tmp_path / "cloud.json"
    processes.append(Process(path, "--empty"))
    tenant = Tenant(processes[-1].base_url, rng=random.Random(3))
    image = tenant.call("GET", "/image/v2/images")["images"][0]["id"]
    server = tenant.call("POST", "/compute/v2.1/servers", {"server": {
        "name": "web", "imageRef": image, "flavorRef": "1", "user_data": WEB,
        "networks": [{"uuid": tenant.public()}]}})["server"]["id"]

    def served() -> bool:  # read from Neutron and the endpoint list: nothing of Nova's, so nothing else ends the BUILD
        ports = {p["id"] for p in tenant.call("GET", f"/networking/v2.0/ports?device_id={server}")["ports"]}
        listed = tenant.call("GET", "/democloud/endpoints")["endpoints"]
        return any(e["resource"] == "port" and e["id"] in ports for e in listed)

    wait_for(served, timeout=10, what="the data plane serving the server")
    processes[-1].kill()
    saved = on_disk(path).compute.store.servers[server]
    assert (saved["vm_state"], saved["task_state"]) == ("active", None)
