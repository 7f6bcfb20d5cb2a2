"""The data plane re-reads the cloud under its lock after writes, but not so often that writes in a row each
wait for a whole re-read: one starts no sooner after the last than that one took."""

from __future__ import annotations

import itertools
import time

import httpx

from netdash.democloud import DemoCloud, Settings
from netdash.democloud.dataplane.desired import Desired

#: how long each re-read holds the lock here: a --scale 1000 cloud's, on a loaded host
READ = 0.2
WRITES = 10


def test_writes_in_a_row_are_not_each_held_up_by_a_re_read() -> None:
    with DemoCloud(seed=False, settings=Settings()) as cloud:
        snapshotter = cloud.dataplane.snapshotter if cloud.dataplane else None
        assert snapshotter is not None
        take = snapshotter.take
        reads: list[float] = []

        def slow_take() -> Desired:
            with cloud.cloud.lock:
                reads.append(time.monotonic())
                time.sleep(READ)
                return take()

        snapshotter.take = slow_take  # type: ignore[method-assign]
        token = cloud.connection().session.get_token()
        with httpx.Client(base_url=cloud.cloud.base_url, headers={"X-Auth-Token": token}, timeout=30) as http:
            started = time.monotonic()
            for index in range(WRITES):
                resp = http.post("/networking/v2.0/networks", json={"network": {"name": f"in-a-row-{index}"}})
                assert resp.status_code == 201
            elapsed = time.monotonic() - started
        # each waiting for the re-read the write before it woke would take WRITES * READ; a re-read at most
        # every 2 * READ lets most of them through
        assert elapsed < WRITES * READ / 2, (elapsed, len(reads))
        gaps = [later - earlier for earlier, later in itertools.pairwise(reads)]
        assert all(gap >= 2 * READ * 0.9 for gap in gaps), gaps
