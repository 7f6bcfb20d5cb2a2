"""Values the differential suite does not compare (it compares statuses, keys and error types), sent to the
embedded cloud and to realstack alike: the EUI-64 address a SLAAC port gets from its MAC, the CIDR and
gateway a subnet pool carves, the order tags come back in, and `shared` as the project a network is shared
with sees it (issue 19)."""

from __future__ import annotations

from pathlib import Path

import pytest

from netdash.democloud import DemoCloud, Settings

from .differential import Step, Target, run
from .support import endpoints
from .test_differential import REALSTACK_OTHER, embedded_target

N = "network"
STEPS = [
    Step("v6 network", "POST", N, "/v2.0/networks", {"network": {"name": "values-v6"}}, save={"net": "network.id"}),
    Step("slaac subnet", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{net}", "ip_version": 6, "cidr": "2001:db8:77::/64", "ipv6_ra_mode": "slaac",
        "ipv6_address_mode": "slaac"}}),
    Step("slaac port", "POST", N, "/v2.0/ports", {"port": {"network_id": "{net}", "mac_address": "fa:16:3e:77:00:01"}},
         save={"port": "port.id", "eui64": "port.fixed_ips.0.ip_address"}),
    Step("pool", "POST", N, "/v2.0/subnetpools", {"subnetpool": {"name": "values-pool", "prefixes": ["10.77.0.0/16"]}},
         save={"pool": "subnetpool.id", "default_prefixlen": "subnetpool.default_prefixlen"}),
    Step("subnet from the pool", "POST", N, "/v2.0/subnets", {"subnet": {
        "network_id": "{net}", "ip_version": 4, "subnetpool_id": "{pool}", "prefixlen": 27}},
        save={"carved": "subnet.id", "cidr": "subnet.cidr", "gateway": "subnet.gateway_ip"}),
    Step("tags", "PUT", N, "/v2.0/networks/{net}/tags", {"tags": ["zulu", "alpha", "mike"]}),
    Step("tags read", "GET", N, "/v2.0/networks/{net}", save={"tags": "network.tags"}),
    Step("other's network", "POST", N, "/v2.0/networks", {"network": {"name": "values-other"}},
         save={"other_net": "network.id", "other_project": "network.project_id"}, caller="other"),
    Step("share", "POST", N, "/v2.0/rbac-policies", {"rbac_policy": {
        "object_type": "network", "object_id": "{net}", "action": "access_as_shared",
        "target_tenant": "{other_project}"}}, save={"rbac": "rbac_policy.id"}),
    Step("as the other sees it", "GET", N, "/v2.0/networks/{net}", save={"shared_for_other": "network.shared"},
         caller="other"),
    Step("as the owner sees it", "GET", N, "/v2.0/networks/{net}", save={"shared_for_owner": "network.shared"}),
    Step("unshare", "DELETE", N, "/v2.0/rbac-policies/{rbac}"),
    Step("other's network gone", "DELETE", N, "/v2.0/networks/{other_net}", caller="other"),
    Step("port gone", "DELETE", N, "/v2.0/ports/{port}"),
    Step("carved gone", "DELETE", N, "/v2.0/subnets/{carved}"),
    Step("pool gone", "DELETE", N, "/v2.0/subnetpools/{pool}"),
    Step("network gone", "DELETE", N, "/v2.0/networks/{net}"),
]
COMPARED = ("eui64", "default_prefixlen", "cidr", "gateway", "tags", "shared_for_other", "shared_for_owner")


@pytest.fixture(scope="module")
def values(realstack: Path) -> tuple[dict[str, object], dict[str, object]]:
    with DemoCloud(seed=False, settings=Settings(provisioning_delay=0.5, build_delay=0.1)) as cloud:
        embedded = embedded_target(cloud)
        real = Target("realstack", endpoints(realstack), other=REALSTACK_OTHER)
        try:
            run(STEPS, embedded)
            run(STEPS, real)
            return ({k: embedded.saved[k] for k in COMPARED}, {k: real.saved[k] for k in COMPARED})
        finally:
            embedded.close()
            real.close()


@pytest.mark.parametrize("name", COMPARED)
def test_same_value_as_real_neutron(values: tuple[dict[str, object], dict[str, object]], name: str) -> None:
    embedded, real = values
    assert embedded[name] == real[name], f"{name}: embedded {embedded[name]!r}, realstack {real[name]!r}"
