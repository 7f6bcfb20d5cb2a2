"""Subnet pools (subnet_allocation, default-subnetpools, subnetpool-prefix-ops): a subnet carved from a pool by
prefix length or CIDR, the pool's bounds and quota, its prefixes added and removed, and the refusals of
Neutron 29, whose allocator's own failures are 500s."""

from __future__ import annotations

import pytest

from netdash.democloud import DemoCloud

from .neutron_api import Neutron


@pytest.fixture(scope="module")
def api(module_cloud: DemoCloud) -> Neutron:
    return Neutron(module_cloud)


def test_openstacksdk_subnet_from_a_pool_by_prefix_length(module_cloud: DemoCloud) -> None:
    conn = module_cloud.connection("demo")
    pool = conn.network.create_subnet_pool(name="sdk-pool", prefixes=["10.100.0.0/16"], default_prefixlen=24)
    assert (pool.ip_version, pool.default_prefix_length, pool.minimum_prefix_length,
            pool.maximum_prefix_length) == (4, 24, 8, 32)
    net = conn.network.create_network(name="pool-net")
    first = conn.network.create_subnet(network_id=net.id, ip_version=4, subnetpool_id=pool.id, prefixlen=26)
    second = conn.network.create_subnet(network_id=net.id, ip_version=4, subnet_pool_id=pool.id)
    assert (first.cidr, first.gateway_ip, first.subnet_pool_id) == ("10.100.0.0/26", "10.100.0.1", pool.id)
    assert second.cidr == "10.100.1.0/24"  # the pool's default length, in the smallest free block that holds it
    with pytest.raises(Exception, match="existing allocations"):
        conn.network.delete_subnet_pool(pool)
    conn.network.delete_subnet(first)
    conn.network.delete_subnet(second)
    conn.network.delete_subnet_pool(pool)


def test_pool_views_bounds_and_allocation_errors(api: Neutron) -> None:
    pool = api.create("subnetpool", name="bounded", prefixes=["10.101.0.0/24", "10.101.1.0/24"], min_prefixlen=25,
                      max_prefixlen=28)
    assert pool["prefixes"] == ["10.101.0.0/23"]  # compacted
    assert (pool["min_prefixlen"], pool["max_prefixlen"], pool["default_prefixlen"]) == ("25", "28", "25")
    assert set(pool) >= {"address_scope_id", "default_quota", "is_default", "shared", "tags", "revision_number",
                         "tenant_id", "project_id", "description"}
    net = api.create("network", name="bounded-net")

    def subnet(**attrs: object) -> object:
        return api.call("POST", "/subnets", {"subnet": {"network_id": net["id"], "ip_version": 4,
                                                        "subnetpool_id": pool["id"], **attrs}})

    assert api.error(subnet(prefixlen=30), 400, "MaxPrefixSubnetAllocationError") == (
        "Unable to allocate subnet with prefix length 30, maximum allowed prefix is 28.")
    api.error(subnet(prefixlen=24), 400, "MinPrefixSubnetAllocationError")
    api.error(subnet(prefixlen=24, cidr="10.101.0.0/24"), 400, "BadRequest")
    specific = api.ok("POST", "/subnets", {"subnet": {"network_id": net["id"], "ip_version": 4,
                                                      "subnetpool_id": pool["id"], "cidr": "10.101.1.128/25"}})
    assert specific["subnet"]["cidr"] == "10.101.1.128/25"
    outside = subnet(cidr="192.168.0.0/25")
    assert api.error(outside, 500, "SubnetAllocationError") == (
        "Failed to allocate subnet: Cannot allocate requested subnet from the available set of prefixes.")
    for _ in range(3):
        assert api.ok("POST", "/subnets", {"subnet": {"network_id": net["id"], "ip_version": 4,
                                                      "subnetpool_id": pool["id"]}})
    full = subnet()
    assert api.error(full, 500, "SubnetAllocationError") == (
        "Failed to allocate subnet: Insufficient prefix space to allocate subnet size /25.")
    api.error(subnet(ip_version=6), 400, "BadRequest")
    no_pool = api.call("POST", "/subnets", {"subnet": {"network_id": net["id"], "ip_version": 4,
                                                       "use_default_subnetpool": True}})
    assert api.error(no_pool, 400, "BadRequest") == "Bad subnets request: No default subnetpool found for IPv4."


def test_pool_refusals(api: Neutron) -> None:
    for attrs, status, kind in (
        ({"prefixes": ["10.102.0.0/16"]}, 400, "HTTPBadRequest"),  # no name
        ({"name": "p", "prefixes": []}, 400, "EmptySubnetPoolPrefixList"),
        ({"name": "p", "prefixes": ["10.0.0.0/8", "fd00::/8"]}, 400, "PrefixVersionMismatch"),
        ({"name": "p", "prefixes": ["10.102.0.0/16"], "min_prefixlen": 24, "max_prefixlen": 20}, 400,
         "IllegalSubnetPoolPrefixBounds"),
        ({"name": "p", "prefixes": ["10.0.0.0"]}, 400, "HTTPBadRequest"),
        ({"name": "p", "prefixes": ["10.102.0.0/16"], "shared": True}, 403, "PolicyNotAuthorized"),
        ({"name": "p", "prefixes": ["10.102.0.0/16"], "ip_version": 4}, 400, "HTTPBadRequest"),
    ):
        api.error(api.call("POST", "/subnetpools", {"subnetpool": attrs}), status, kind)


def test_prefix_operations_and_updates(api: Neutron) -> None:
    pool = api.create("subnetpool", name="ops", prefixes=["10.103.0.0/24"])
    grown = api.ok("PUT", f"/subnetpools/{pool['id']}/add_prefixes", {"prefixes": ["10.103.1.0/24", "10.104.0.0/24"]})
    assert grown == {"prefixes": ["10.103.0.0/23", "10.104.0.0/24"]}
    net = api.create("network", name="ops-net")
    api.create("subnet", network_id=net["id"], ip_version=4, subnetpool_id=pool["id"], prefixlen=24)
    used = api.call("PUT", f"/subnetpools/{pool['id']}/remove_prefixes", {"prefixes": ["10.104.0.0/24"]})
    api.error(used, 400, "IllegalSubnetPoolPrefixUpdate")  # the /24 went to the smallest free block
    shrunk = api.ok("PUT", f"/subnetpools/{pool['id']}/remove_prefixes", {"prefixes": ["10.103.1.0/24"]})
    assert shrunk == {"prefixes": ["10.103.0.0/24", "10.104.0.0/24"]}
    api.error(api.call("PUT", f"/subnetpools/{pool['id']}", {"subnetpool": {"prefixes": ["10.104.0.0/24"]}}), 400,
              "IllegalSubnetPoolPrefixUpdate")
    renamed = api.ok("PUT", f"/subnetpools/{pool['id']}", {"subnetpool": {"name": "ops2", "default_prefixlen": 26}})
    # update_subnetpool answers the pool object's to_dict(), as realstack does: integer prefix lengths, and no
    # default_quota or address_scope_id while they are None; a show is `_make_subnetpool_dict`'s, as before
    assert list(renamed["subnetpool"]) == [
        "id", "project_id", "name", "ip_version", "default_prefixlen", "min_prefixlen", "max_prefixlen", "shared",
        "is_default", "revision_number", "description", "created_at", "updated_at", "tenant_id", "prefixes", "tags"]
    assert (renamed["subnetpool"]["name"], renamed["subnetpool"]["default_prefixlen"]) == ("ops2", 26)
    quota = api.ok("PUT", f"/subnetpools/{pool['id']}", {"subnetpool": {"default_quota": 512}})["subnetpool"]
    assert quota["default_quota"] == 512 and "address_scope_id" not in quota
    shown = api.ok("GET", f"/subnetpools/{pool['id']}")["subnetpool"]
    assert (shown["default_prefixlen"], shown["default_quota"], shown["address_scope_id"]) == ("26", 512, None)
    assert api.error(api.call("PUT", f"/subnetpools/{pool['id']}/add_prefixes", {"prefixes": []}), 400,
                     "HTTPBadRequest") == "Request body contains invalid data"


def test_the_default_pool_is_the_admins_and_one_per_version(module_cloud: DemoCloud, api: Neutron) -> None:
    admin = Neutron(module_cloud, "admin")
    default = admin.create("subnetpool", name="default-v6", prefixes=["fd10::/48"], is_default=True, shared=True)
    assert default["shared"] is True and default["ip_version"] == 6
    admin.error(admin.call("POST", "/subnetpools", {"subnetpool": {"name": "second", "prefixes": ["fd11::/48"],
                                                                   "is_default": True}}), 400, "InvalidInput")
    assert any(p["id"] == default["id"] for p in api.ok("GET", "/subnetpools")["subnetpools"])  # shared: seen
    net = api.create("network", name="v6-from-default")
    made = api.ok("POST", "/subnets", {"subnet": {"network_id": net["id"], "ip_version": 6,
                                                  "use_default_subnetpool": True}})["subnet"]
    assert (made["cidr"], made["subnetpool_id"]) == ("fd10::/64", default["id"])
