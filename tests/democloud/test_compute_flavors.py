"""Nova flavors: the catalogue, lookups the CLI makes, views by microversion, paging."""

from __future__ import annotations

from typing import Any

from netdash.democloud import DemoCloud

from .nova_api import Api, fault


def test_flavor_catalogue_through_the_sdk(conn: Any) -> None:
    flavors = {f.name: f for f in conn.compute.flavors()}
    assert {"m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge", "VC-4"} <= set(flavors)
    assert [flavors[f"m1.{n}"].id for n in ("tiny", "small", "medium", "large", "xlarge")] == list("12345")
    tiny = conn.compute.find_flavor("m1.tiny")
    assert (tiny.id, tiny.vcpus, tiny.ram, tiny.disk, tiny.is_public) == ("1", 1, 512, 1, True)
    vc4 = conn.compute.get_flavor(flavors["VC-4"].id)
    assert (vc4.vcpus, vc4.ram, vc4.disk) == (4, 4096, 10)


def test_flavor_views_lookups_and_errors(empty_cloud: DemoCloud) -> None:
    api = Api(empty_cloud)
    by_name = api.nova("GET", "/flavors/m1.tiny", version="2.61")
    assert (
        by_name.status_code == 404 and fault(by_name, "itemNotFound") == "Flavor m1.tiny could not be found."
    )
    detail = api.nova("GET", "/flavors/detail", version="2.61", params={"is_public": "None"}).json()[
        "flavors"
    ]
    tiny = next(f for f in detail if f["id"] == "1")
    assert tiny["swap"] == "" and tiny["OS-FLV-EXT-DATA:ephemeral"] == 0 and tiny["rxtx_factor"] == 1.0
    assert tiny["description"] is None and tiny["extra_specs"] == {}
    assert tiny["links"][0]["href"].endswith("/compute/v2.1/flavors/1")
    old = api.nova("GET", "/flavors/1", version="2.1").json()["flavor"]
    assert "description" not in old and "extra_specs" not in old
    summary = api.nova("GET", "/flavors").json()["flavors"]
    assert set(summary[0]) == {"id", "name", "links", "description"}
    assert api.nova("GET", "/flavors/1/os-extra_specs").json() == {"extra_specs": {}}
    assert (
        api.nova("GET", "/flavors/detail", params={"minRam": "8000"}).json()["flavors"][0]["name"]
        == "m1.large"
    )
    assert api.nova("GET", "/flavors/detail", params={"is_public": "maybe"}).status_code == 400


def test_flavor_pagination_follows_next_links(empty_cloud: DemoCloud) -> None:
    api = Api(empty_cloud)
    seen: list[str] = []
    page = api.nova("GET", "/flavors", params={"limit": "4"}).json()
    seen += [f["id"] for f in page["flavors"]]
    next_href = page["flavors_links"][0]["href"]
    assert f"marker={seen[-1]}" in next_href and "limit=4" in next_href
    rest = api.http.get(next_href, headers={"OpenStack-API-Version": "compute 2.100"}).json()
    seen += [f["id"] for f in rest["flavors"]]
    assert "flavors_links" not in rest and len(seen) == 6 == len(set(seen))
    bad = api.nova("GET", "/flavors", params={"marker": "nope"})
    assert bad.status_code == 400 and "marker [nope] not found" in fault(bad, "badRequest")
