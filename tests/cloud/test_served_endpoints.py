"""Where the embedded cloud serves its addresses reaches the model from its endpoint list, and only when the
cloud's clouds.yaml entry names that list: a real cloud's entry does not, and its addresses are used as
they are (no request to a path it does not have)."""

from __future__ import annotations

from typing import Any

from netdash.cloud.client import ENDPOINTS_KEY, CloudClient
from netdash.democloud import DemoCloud


class Entry:
    """A clouds.yaml entry handed to `CloudClient.for_demo`, as a real cloud's would be: without the key."""

    def __init__(self, entry: dict[str, Any]) -> None:
        self.entry = entry

    def cloud_config(self, user: str) -> dict[str, Any]:
        return dict(self.entry)


def test_served_endpoints_only_from_a_cloud_that_lists_them(seeded_cloud: DemoCloud) -> None:
    entry = seeded_cloud.cloud_config("demo")
    listed = CloudClient.for_demo(seeded_cloud, max_rps=1000)
    unlisted = CloudClient.for_demo(Entry({k: v for k, v in entry.items() if k != ENDPOINTS_KEY}), max_rps=1000)
    try:
        served = listed.fetch_topology_sync()
        plain = unlisted.fetch_topology_sync()
        lb_fip = next(f for f in served.floating_ips.values() if served.load_balancer_of_port(f.port_id or ""))
        assert lb_fip.endpoint and lb_fip.endpoint.startswith(lb_fip.floating_ip_address)
        assert all(li.endpoint and li.endpoint.startswith("127.0.0.1:") for li in served.listeners.values())
        assert all(f.endpoint is None for f in plain.floating_ips.values())
        assert all(li.endpoint is None for li in plain.listeners.values())
        assert unlisted.fetcher.inline.endpoints_url is None  # never asked for
    finally:
        listed.close()
        unlisted.close()
