"""The tag API of every taggable Neutron resource, through openstacksdk's tag calls and raw HTTP, and the
tag filters of the lists (tags, tags-any, not-tags, not-tags-any), as Neutron 29 answers them."""

from __future__ import annotations

from typing import Any

import openstack.exceptions
import pytest

from netdash.democloud import DemoCloud

from .neutron_api import Neutron


@pytest.fixture(scope="module")
def api(module_cloud: DemoCloud) -> Neutron:
    return Neutron(module_cloud)


def test_openstacksdk_tag_calls_on_a_network(module_cloud: DemoCloud) -> None:
    conn = module_cloud.connection("demo")
    net = conn.network.create_network(name="tagged-sdk")
    conn.network.set_tags(net, ["red", "blue"])
    assert conn.network.get_network(net.id).tags == ["blue", "red"]  # a set, answered sorted
    conn.network.add_tag(net, "green")
    conn.network.check_tag(net, "green")
    conn.network.remove_tag(net, "red")
    with pytest.raises(openstack.exceptions.NotFoundException):
        conn.network.check_tag(net, "red")
    assert conn.network.get_network(net.id).tags == ["blue", "green"]
    conn.network.remove_all_tags(net)
    assert conn.network.get_network(net.id).tags == []


def test_the_tag_api_of_each_taggable_resource(api: Neutron) -> None:
    net = api.create("network", name="tagged-each")
    subnet = api.create("subnet", network_id=net["id"], cidr="10.80.0.0/24", ip_version=4)
    port = api.create("port", network_id=net["id"])
    router = api.create("router", name="tagged-router")
    sg = api.create("security_group", name="tagged-sg")
    admin = Neutron(api.cloud, "admin")
    pool = admin.create("subnetpool", name="tagged-pool", prefixes=["10.81.0.0/16"])
    for collection, ident, who in (("networks", net["id"], api), ("subnets", subnet["id"], api),
                                   ("ports", port["id"], api), ("routers", router["id"], api),
                                   ("security-groups", sg["id"], api), ("subnetpools", pool["id"], admin)):
        base = f"/{collection}/{ident}/tags"
        before = who.ok("GET", f"/{collection}/{ident}")
        assert who.ok("PUT", base, {"tags": ["b", "a"]}) == {"tags": ["b", "a"]}
        assert who.ok("GET", base) == {"tags": ["a", "b"]}
        put_one = who.call("PUT", f"{base}/c")
        assert put_one.status_code == 201 and not put_one.content
        assert who.ok("POST", base, {"tags": ["c", "d"]}) == {"tags": ["c", "d"]}  # tag-creation: added
        assert who.call("GET", f"{base}/d").status_code == 204
        assert who.call("DELETE", f"{base}/a").status_code == 204
        who.error(who.call("DELETE", f"{base}/a"), 404, "TagNotFound")
        who.error(who.call("GET", f"{base}/a"), 404, "TagNotFound")
        shown = who.ok("GET", f"/{collection}/{ident}")
        resource = next(iter(shown))
        assert shown[resource]["tags"] == ["b", "c", "d"]
        assert shown[resource]["revision_number"] > before[resource]["revision_number"]
        assert who.call("DELETE", base).status_code == 204
        assert who.ok("GET", base) == {"tags": []}


def test_tag_bodies_and_limits_are_refused_in_neutrons_words(api: Neutron) -> None:
    net = api.create("network", name="tagged-errors")
    base = f"/networks/{net['id']}/tags"
    for body, message in (
        ({"tag": ["a"]}, "Invalid input for operation: Invalid tags body."),
        ({"tags": "a"}, "Invalid input for operation: 'a' is not a list."),
        ({"tags": ["a", "a"]}, "Invalid input for operation: Duplicate items in the list: 'a'."),
        ({"tags": ["a", 1]}, "Invalid input for operation: '1' is not a valid string."),
        ({"tags": ["x" * 256]}, f"Invalid input for operation: '{'x' * 256}' exceeds maximum length of 255."),
    ):
        assert api.error(api.call("PUT", base, body), 400, "InvalidInput") == message
    too_many = api.call("PUT", base, {"tags": [f"t{i}" for i in range(51)]})
    assert api.error(too_many, 400, "BadRequest") == (
        "Bad networks request: The number of tags exceed the per-resource limit of 50.")
    api.error(api.call("GET", "/networks/6d1e3f0a-5b7c-4e2d-9a8b-0c1d2e3f4a5b/tags"), 404, "TagResourceNotFound")


def test_tags_cannot_be_set_in_a_create_but_a_ports(api: Neutron) -> None:
    refused = api.call("POST", "/networks", {"network": {"name": "x", "tags": ["a"]}})
    assert api.error(refused, 400, "HTTPBadRequest") == "Attribute 'tags' not allowed in POST"
    net = api.create("network", name="tagged-port-net")
    assert api.create("port", network_id=net["id"], tags=["a"])["tags"] == ["a"]
    update = api.call("PUT", f"/networks/{net['id']}", {"network": {"tags": ["a"]}})
    assert api.error(update, 400, "HTTPBadRequest") == "Cannot update read-only attribute tags"


def test_another_projects_tags_are_not_the_callers(api: Neutron) -> None:
    net = api.create("network", name="tagged-private")
    other = Neutron(api.cloud, "alt_demo")
    assert other.error(other.call("GET", f"/networks/{net['id']}/tags"), 403, "PolicyNotAuthorized") == (
        "Policy doesn't allow get_network:tags to be performed.")
    public = api.public()
    refused = api.call("PUT", f"/networks/{public['id']}/tags/mine")  # visible (shared), not the caller's
    assert api.error(refused, 403, "PolicyNotAuthorized") == "Policy doesn't allow update_network:tags to be performed."


@pytest.mark.parametrize(("query", "expected"), [
    ({"tags": "red"}, {"red", "red-blue"}),
    ({"tags": "red,blue"}, {"red-blue"}),
    ([("tags", "red"), ("tags", "blue")], {"red-blue"}),
    ({"tags-any": "red,blue"}, {"red", "blue", "red-blue"}),
    ({"not-tags": "red,blue"}, {"red", "blue", "none"}),
    ({"not-tags-any": "red,blue"}, {"none"}),
    ({"tags": "red", "not-tags": "blue"}, {"red"}),
])
def test_tag_filters(api: Neutron, query: Any, expected: set[str]) -> None:
    names = {"red": ["red"], "blue": ["blue"], "red-blue": ["red", "blue"], "none": []}
    existing = {n["name"] for n in api.ok("GET", "/networks", params={"name": list(names)})["networks"]}
    for name, tags in names.items():
        if name not in existing:
            net = api.create("network", name=name)
            api.ok("PUT", f"/networks/{net['id']}/tags", {"tags": tags})
    found = api.ok("GET", "/networks", params=query)["networks"]
    assert {n["name"] for n in found} & set(names) == expected
