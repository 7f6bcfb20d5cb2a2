"""Neutron basics: version documents, extensions, networks and subnets (IPAM), malformed requests."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from netdash.democloud import DemoCloud

from .neutron_api import Neutron


@pytest.fixture
def api(empty_cloud: DemoCloud) -> Neutron:
    return Neutron(empty_cloud)


def test_version_documents_need_no_token(empty_cloud: DemoCloud) -> None:
    root = httpx.get(f"{empty_cloud.cloud.base_url}/networking/")
    assert root.status_code == 200
    version = root.json()["versions"][0]
    assert (version["id"], version["status"]) == ("v2.0", "CURRENT")
    assert version["links"][0]["href"].endswith("/networking/v2.0/")
    resources = httpx.get(f"{empty_cloud.cloud.base_url}/networking/v2.0").json()["resources"]
    assert {"networks", "ports", "floatingips", "security-groups"} <= {r["collection"] for r in resources}
    denied = httpx.get(f"{empty_cloud.cloud.base_url}/networking/v2.0/networks")
    assert denied.status_code == 401
    assert "WWW-Authenticate" in denied.headers


def test_extensions_list_and_the_two_the_cli_needs_absent(api: Neutron) -> None:
    aliases = {e["alias"] for e in api.ok("GET", "/extensions")["extensions"]}
    assert {
        "router",
        "external-net",
        "extraroute",
        "binding",
        "security-group",
        "fip-port-details",
        "pagination",
        "sorting",
        "standard-attr-tag",
    } <= aliases
    for alias in ("external-gateway-multihoming", "tag-ports-during-bulk-creation"):
        assert alias not in aliases
        resp = api.call("GET", f"/extensions/{alias}")
        assert resp.status_code == 404
        assert resp.headers["content-type"].startswith("text/html")
        assert f"Extension with alias {alias} does not exist" in resp.text
    assert api.ok("GET", "/extensions/router")["extension"]["name"] == "Neutron L3 Router"


def test_network_crud_and_fields(conn: Any, api: Neutron) -> None:
    net = conn.network.create_network(name="worker_network")
    raw = api.ok("GET", f"/networks/{net.id}")["network"]
    assert raw["mtu"] == 1450 and raw["status"] == "ACTIVE" and raw["subnets"] == []
    assert raw["router:external"] is False and raw["shared"] is False
    assert raw["provider:network_type"] == "vxlan" and raw["provider:segmentation_id"]
    assert raw["revision_number"] == 1 and raw["tags"] == [] and raw["description"] == ""
    assert raw["created_at"].endswith("Z") and raw["tenant_id"] == raw["project_id"]
    updated = conn.network.update_network(net, name="renamed", description="d")
    assert updated.name == "renamed" and updated.revision_number == 2
    public = api.public()
    assert public["router:external"] is True and public["is_default"] is False
    conn.network.delete_network(net)
    assert (
        api.error(api.call("GET", f"/networks/{net.id}"), 404, "NetworkNotFound")
        == f"Network {net.id} could not be found."
    )
    assert (
        api.error(api.call("GET", "/networks/worker_network"), 404, "NetworkNotFound")
        == "Network worker_network could not be found."
    )


def test_only_admin_makes_external_or_shared_networks(api: Neutron, empty_cloud: DemoCloud) -> None:
    resp = api.call("POST", "/networks", {"network": {"name": "x", "router:external": True}})
    assert api.error(resp, 403, "PolicyNotAuthorized").startswith("Policy doesn't allow")
    admin = Neutron(empty_cloud, "admin")
    provider = {"provider:network_type", "provider:physical_network", "provider:segmentation_id"}
    # Neutron 29's policy shows provider attributes to admins only: a member's create answer has none (as
    # realstack answers it); the embedded cloud's show and list keep them for every reader (seed documents)
    mine = api.create("network", name="member-net")
    assert not provider & set(mine) and mine["is_default"] is False
    assert provider <= set(api.ok("GET", f"/networks/{mine['id']}")["network"])
    (bulk,) = api.ok("POST", "/networks", {"networks": [{"name": "member-bulk"}]})["networks"]
    assert not provider & set(bulk)
    assert provider <= set(admin.create("network", name="admin-net"))
    shared = admin.create("network", name="shared", shared=True)
    assert shared["id"] in {n["id"] for n in api.ok("GET", "/networks")["networks"]}
    api.error(
        api.call("PUT", f"/networks/{shared['id']}", {"network": {"name": "mine"}}),
        403,
        "PolicyNotAuthorized",
    )


def test_subnet_ipam_defaults_and_explicit_values(conn: Any, api: Neutron) -> None:
    net = conn.network.create_network(name="n")
    plain = conn.network.create_subnet(network_id=net.id, cidr="10.0.1.0/24", ip_version=4, name="plain")
    assert plain.gateway_ip == "10.0.1.1"
    assert plain.allocation_pools == [{"start": "10.0.1.2", "end": "10.0.1.254"}]
    assert plain.is_dhcp_enabled is True and plain.dns_nameservers == [] and plain.host_routes == []
    net2 = conn.network.create_network(name="n2")
    custom = conn.network.create_subnet(
        network_id=net2.id,
        cidr="10.0.0.0/24",
        ip_version=4,
        gateway_ip="10.0.0.1",
        dns_nameservers=["8.8.8.8"],
        allocation_pools=[{"start": "10.0.0.10", "end": "10.0.0.200"}],
        host_routes=[{"destination": "192.168.0.0/16", "nexthop": "10.0.0.5"}],
        is_dhcp_enabled=False,
    )
    assert custom.allocation_pools == [{"start": "10.0.0.10", "end": "10.0.0.200"}]
    assert custom.dns_nameservers == ["8.8.8.8"] and custom.is_dhcp_enabled is False
    assert custom.host_routes == [{"destination": "192.168.0.0/16", "nexthop": "10.0.0.5"}]
    middle = conn.network.create_subnet(
        network_id=net.id, cidr="10.0.9.0/29", ip_version=4, gateway_ip="10.0.9.3"
    )
    assert middle.allocation_pools == [
        {"start": "10.0.9.1", "end": "10.0.9.2"},
        {"start": "10.0.9.4", "end": "10.0.9.6"},
    ]
    nogw = conn.network.create_subnet(network_id=net.id, cidr="10.0.8.0/30", ip_version=4, gateway_ip=None)
    assert nogw.gateway_ip is None and nogw.allocation_pools == [{"start": "10.0.8.1", "end": "10.0.8.2"}]
    v6 = conn.network.create_subnet(network_id=net.id, cidr="fd00::/64", ip_version=6)
    assert v6.gateway_ip == "fd00::1" and v6.allocation_pools[0]["start"] == "fd00::2"
    assert set(conn.network.get_network(net.id).subnet_ids) == {plain.id, middle.id, nogw.id, v6.id}
    assert api.ok("GET", f"/subnets/{plain.id}")["subnet"]["router:external"] is False
    updated = conn.network.update_subnet(plain, name="p2", dns_nameservers=["1.1.1.1"])
    assert updated.name == "p2" and updated.dns_nameservers == ["1.1.1.1"]
    conn.network.delete_subnet(middle)
    assert middle.id not in conn.network.get_network(net.id).subnet_ids


SUBNET_ERRORS: list[tuple[dict[str, Any], int, str, str | None]] = [
    (
        {"ip_version": 4},
        400,
        "BadRequest",
        "Bad subnets request: a subnetpool must be specified in the absence of a cidr.",
    ),
    (
        {"cidr": "10.1.0.0/24"},
        400,
        "HTTPBadRequest",
        "Failed to parse request. Required attribute 'ip_version' not specified",
    ),
    (
        {"cidr": "10.1.0.0/33", "ip_version": 4},
        400,
        "InvalidInput",
        "Invalid input for operation: 10.1.0.0/33 is not in a CIDR format.",
    ),
    ({"cidr": "10.0.0.128/25", "ip_version": 4}, 400, "InvalidInput", None),
    (
        {
            "cidr": "10.1.0.0/24",
            "ip_version": 4,
            "allocation_pools": [{"start": "10.1.0.1", "end": "10.1.0.9"}],
        },
        409,
        "GatewayConflictWithAllocationPools",
        None,
    ),
    (
        {
            "cidr": "10.1.0.0/24",
            "ip_version": 4,
            "allocation_pools": [{"start": "10.1.0.10", "end": "10.2.0.9"}],
        },
        400,
        "OutOfBoundsAllocationPool",
        None,
    ),
    (
        {
            "cidr": "10.1.0.0/24",
            "ip_version": 4,
            "allocation_pools": [
                {"start": "10.1.0.10", "end": "10.1.0.20"},
                {"start": "10.1.0.15", "end": "10.1.0.30"},
            ],
        },
        409,
        "OverlappingAllocationPools",
        None,
    ),
    ({"cidr": "fd00::/64", "ip_version": 4}, 400, "InvalidInput",
     "Invalid input for operation: cidr 'fd00::/64' does not match the ip_version '4'."),
    ({"cidr": "10.1.0.0/24", "ip_version": 5}, 400, "HTTPBadRequest", None),
    (
        {"cidr": "10.1.0.0/24", "ip_version": 4, "dns_nameservers": ["8.8.8.8", "8.8.8.8"]},
        400,
        "HTTPBadRequest",
        None,
    ),
]


def test_subnet_errors(api: Neutron) -> None:
    net = api.create("network", name="n")
    api.create("subnet", network_id=net["id"], cidr="10.0.0.0/24", ip_version=4)
    for attrs, status, kind, message in SUBNET_ERRORS:
        got = api.error(
            api.call("POST", "/subnets", {"subnet": {"network_id": net["id"], **attrs}}), status, kind
        )
        assert message is None or got == message, attrs


def test_subnet_in_use_and_network_in_use(api: Neutron) -> None:
    net = api.create("network", name="n")
    subnet = api.create("subnet", network_id=net["id"], cidr="10.0.0.0/24", ip_version=4)
    port = api.create("port", network_id=net["id"])
    assert (
        api.error(api.call("DELETE", f"/subnets/{subnet['id']}"), 409, "SubnetInUse")
        == f"Unable to complete operation on subnet {subnet['id']}: One or more ports have an IP allocation "
        "from this subnet."
    )
    assert (
        api.error(api.call("DELETE", f"/networks/{net['id']}"), 409, "NetworkInUse")
        == f"Unable to complete operation on network {net['id']}. There are one or more ports still in use "
        f"on the network, id for these ports is: {port['id']}."
    )
    api.ok("DELETE", f"/ports/{port['id']}")
    api.ok("DELETE", f"/networks/{net['id']}")
    api.error(api.call("GET", f"/subnets/{subnet['id']}"), 404, "SubnetNotFound")


def test_network_with_only_dhcp_ports_is_deleted_with_them(empty_cloud: DemoCloud) -> None:
    admin = Neutron(empty_cloud, "admin")
    net = admin.create("network", name="n")
    admin.create("subnet", network_id=net["id"], cidr="10.0.0.0/24", ip_version=4)
    dhcp = admin.create("port", network_id=net["id"], device_owner="network:dhcp", device_id="dhcp-x")
    admin.ok("DELETE", f"/networks/{net['id']}")
    admin.error(admin.call("GET", f"/ports/{dhcp['id']}"), 404, "PortNotFound")


#: as real Neutron 29 answers each (measured on realstack): a converter's refusal (convert_to_boolean) is
#: an InvalidInput, a validator's or the API layer's an HTTPBadRequest
MALFORMED = [
    (b'{"network": {"name": "oops",', "HTTPBadRequest", "Body contains invalid data"),
    (b'{"net": {"name": "x"}}', "HTTPBadRequest", "Unable to find 'network' in request body"),
    (b"{}", "HTTPBadRequest", "Unable to find 'network' in request body"),
    (b'{"network": {"name": "x", "colour": "blue"}}', "HTTPBadRequest", "Unrecognized attribute(s) 'colour'"),
    (b'{"network": {"admin_state_up": "maybe"}}', "InvalidInput",
     "Invalid input for operation: 'maybe' cannot be converted to boolean."),
    (b'{"network": {"name": 5}}', "HTTPBadRequest", "Invalid input for name. Reason: '5' is not a valid string."),
    (b'{"network": {"status": "DOWN"}}', "HTTPBadRequest", "Attribute 'status' not allowed in POST"),
    (b"[1, 2]", "HTTPBadRequest", "Body contains invalid data"),
    (b"null", "HTTPBadRequest", "Body contains invalid data"),
    (b'{"network": "x"}', "HTTPBadRequest", "Object 'network' contains invalid data"),
    (b'{"network": null}', "HTTPBadRequest", "Unable to find 'network' in request body"),
    (b"", "HTTPBadRequest", "Resource body required"),
]


def test_malformed_bodies_are_400(api: Neutron) -> None:
    for raw, kind, message in MALFORMED:
        assert api.error(api.call("POST", "/networks", raw=raw), 400, kind) == message, raw
    net = api.create("network", name="n")
    for path, body in (
        (f"/networks/{net['id']}", b"{"),
        ("/ports", b'{"port": {"network_id": 5}}'),
        ("/routers", b'{"router": {"routes": "x"}}'),
        ("/floatingips", b'{"floatingip": []}'),
        ("/security-groups", b'{"security_group": {"name": ["x"]}}'),
        ("/subnets", b'{"subnet": {"network_id": "x", "ip_version": 4, "cidr": "1"}}'),
    ):
        method = "PUT" if path.startswith("/networks/") else "POST"
        assert api.call(method, path, raw=body).status_code == 400, path


def test_read_only_attribute_and_missing_required(api: Neutron) -> None:
    net = api.create("network", name="n")
    resp = api.call("PUT", f"/networks/{net['id']}", {"network": {"provider:network_type": "flat"}})
    assert api.error(resp, 400, "HTTPBadRequest") == "Cannot update read-only attribute provider:network_type"
    resp = api.call("POST", "/ports", {"port": {"name": "x"}})
    assert (
        api.error(resp, 400, "HTTPBadRequest")
        == "Failed to parse request. Required attribute 'network_id' not specified"
    )
    assert api.call("PATCH", "/networks").status_code == 405
    assert api.call("GET", "/nothing-here").status_code == 404


def test_point_to_point_subnets_as_real_neutron_answers(api: Neutron) -> None:
    """Measured on Neutron 29: a /31 or /32 needs DHCP off; a /31's default gateway (its second address) is
    its broadcast address, refused by IPAM (409); without a gateway both addresses are allocatable (RFC
    3021); a /32's default gateway is the address after it, outside the subnet, and its one address is
    the pool."""
    net = api.create("network", name="p2p")

    def subnet(cidr: str, **attrs: Any) -> Any:
        return api.call("POST", "/subnets", {"subnet": {"network_id": net["id"], "cidr": cidr, "ip_version": 4,
                                                        **attrs}})

    assert "incompatible with DHCP" in api.error(subnet("10.9.0.0/31"), 400, "InvalidInput")
    assert api.error(subnet("10.9.0.0/31", enable_dhcp=False), 409, "IpamValueInvalid") == \
        "Gateway IP 10.9.0.1 cannot be the network or broadcast IP address 10.9.0.0/31"
    assert api.error(subnet("10.9.0.0/31", enable_dhcp=False, gateway_ip="10.9.0.0"), 400, "InvalidInput") == \
        "Invalid input for operation: Gateway is not valid on subnet."
    p2p = subnet("10.9.0.0/31", enable_dhcp=False, gateway_ip=None).json()["subnet"]
    assert p2p["gateway_ip"] is None and p2p["allocation_pools"] == [{"start": "10.9.0.0", "end": "10.9.0.1"}]
    ports = [api.create("port", network_id=net["id"], fixed_ips=[{"subnet_id": p2p["id"]}]) for _ in range(2)]
    assert sorted(p["fixed_ips"][0]["ip_address"] for p in ports) == ["10.9.0.0", "10.9.0.1"]
    host = subnet("10.9.1.0/32", enable_dhcp=False).json()["subnet"]
    assert host["gateway_ip"] == "10.9.1.1" and host["allocation_pools"] == [{"start": "10.9.1.0", "end": "10.9.1.0"}]
