"""Glance v2: version document, the public images, filters, paging, and Glance's own error shapes."""

from __future__ import annotations

from typing import Any

import httpx

from netdash.democloud import DemoCloud

from .nova_api import Api

NAMES = {"centos-8.2-2004", "cirros-0.3.3-x86_64-disk", "ubuntu-22.04"}


def test_versions_are_a_300_without_token(empty_cloud: DemoCloud) -> None:
    resp = httpx.get(f"{empty_cloud.cloud.base_url}/image/")
    assert resp.status_code == 300
    versions = resp.json()["versions"]
    assert [v["id"] for v in versions if v["status"] == "CURRENT"] == ["v2.17"]
    assert versions[0]["links"][0]["href"] == f"{empty_cloud.cloud.base_url}/image/v2/"


def test_images_through_the_sdk(conn: Any, alt_conn: Any) -> None:
    images = {i.name: i for i in conn.image.images()}
    assert set(images) == NAMES
    cirros = conn.image.find_image("cirros-0.3.3-x86_64-disk")
    assert cirros.id == images["cirros-0.3.3-x86_64-disk"].id
    fetched = conn.image.get_image(cirros.id)
    assert (fetched.status, fetched.visibility, fetched.disk_format) == ("active", "public", "qcow2")
    assert fetched.checksum and fetched.size > 0 and fetched.hash_algo == "sha512"
    assert {i.name for i in alt_conn.image.images()} == NAMES  # public images are everyone's


def test_filters_paging_and_errors(empty_cloud: DemoCloud) -> None:
    api = Api(empty_cloud)
    everything = api.glance("GET", "/v2/images").json()
    assert everything["first"] == "/v2/images" and everything["schema"] == "/v2/schemas/images"
    assert "next" not in everything
    image = everything["images"][0]
    assert image["self"] == f"/v2/images/{image['id']}" and image["schema"] == "/v2/schemas/image"
    assert api.glance("GET", f"/v2/images/{image['id']}").json() == image
    two = [i["id"] for i in everything["images"][:2]]
    by_ids = api.glance("GET", "/v2/images", params={"id": f"in:{','.join(two)}"}).json()
    assert {i["id"] for i in by_ids["images"]} == set(two) and by_ids["first"].startswith(
        "/v2/images?id=in%3A"
    )
    assert api.glance("GET", "/v2/images", params={"name": "ubuntu-22.04"}).json()["images"][0]["name"] == (
        "ubuntu-22.04"
    )
    assert api.glance("GET", "/v2/images", params={"status": "queued"}).json()["images"] == []
    assert len(api.glance("GET", "/v2/images", params={"visibility": "public"}).json()["images"]) == 3
    page = api.glance("GET", "/v2/images", params={"limit": "2"}).json()
    assert len(page["images"]) == 2 and page["next"].startswith("/v2/images?limit=2&marker=")
    rest = api.http.get("/image" + page["next"]).json()
    assert len(rest["images"]) == 1 and "next" not in rest
    by_name = api.glance("GET", "/v2/images/cirros-0.3.3-x86_64-disk")
    assert by_name.status_code == 404 and by_name.headers["content-type"].startswith("text/html")
    assert "No image found with ID cirros-0.3.3-x86_64-disk" in by_name.text
    for params in ({"limit": "x"}, {"marker": "ghost"}, {"sort_dir": "up"}, {"visibility": "secret"}):
        assert api.glance("GET", "/v2/images", params=params).status_code == 400
    unauthorized = httpx.get(f"{empty_cloud.cloud.base_url}/image/v2/images")
    assert unauthorized.status_code == 401 and unauthorized.json()["code"] == "401 Unauthorized"
    assert "x-openstack-request-id" not in unauthorized.headers
