"""Nova discovery documents, microversion negotiation, headers and fault shapes."""

from __future__ import annotations

import httpx

from netdash.democloud import DemoCloud

from .nova_api import Api, fault


def test_root_lists_versions_without_a_token_or_api_headers(empty_cloud: DemoCloud) -> None:
    resp = httpx.get(f"{empty_cloud.cloud.base_url}/compute/")
    assert resp.status_code == 200
    versions = {v["id"]: v for v in resp.json()["versions"]}
    assert versions["v2.1"]["status"] == "CURRENT" and versions["v2.0"]["status"] == "DEPRECATED"
    assert (versions["v2.1"]["min_version"], versions["v2.1"]["version"]) == ("2.1", "2.100")
    assert "OpenStack-API-Version" not in resp.headers


def test_version_document_is_what_the_sdk_reads(empty_cloud: DemoCloud) -> None:
    base = f"{empty_cloud.cloud.base_url}/compute/v2.1"
    for url in (base, base + "/"):
        resp = httpx.get(url)
        assert resp.status_code == 200
        doc = resp.json()["version"]
        assert doc["id"] == "v2.1" and doc["version"] == "2.100" and doc["min_version"] == "2.1"
        assert doc["links"][0] == {"rel": "self", "href": base + "/"}
        assert resp.headers["OpenStack-API-Version"] == "compute 2.1"
        assert resp.headers["x-compute-request-id"] == resp.headers["x-openstack-request-id"]


def test_microversion_negotiation_and_headers(empty_cloud: DemoCloud) -> None:
    api = Api(empty_cloud)
    resp = api.nova("GET", "/servers", version="2.61")
    assert resp.headers["OpenStack-API-Version"] == "compute 2.61"
    assert resp.headers["X-OpenStack-Nova-API-Version"] == "2.61"
    assert "X-OpenStack-Nova-API-Version" in resp.headers["Vary"]
    assert resp.headers["x-compute-request-id"].startswith("req-")
    assert api.nova("GET", "/servers", version=None).headers["OpenStack-API-Version"] == "compute 2.1"
    assert api.nova("GET", "/servers", version="latest").headers["OpenStack-API-Version"] == "compute 2.100"
    legacy = api.http.get("/compute/v2.1/servers", headers={"X-OpenStack-Nova-API-Version": "2.47"})
    assert legacy.headers["X-OpenStack-Nova-API-Version"] == "2.47"
    too_new = api.nova("GET", "/servers", version="2.999")
    assert too_new.status_code == 406 and "maximum is 2.100" in fault(too_new, "computeFault")
    garbage = api.nova("GET", "/servers", version="two")
    assert garbage.status_code == 400 and "invalid format" in fault(garbage, "badRequest")


def test_auth_failures_and_unknown_paths(empty_cloud: DemoCloud) -> None:
    base = f"{empty_cloud.cloud.base_url}/compute/v2.1"
    for headers in ({}, {"X-Auth-Token": "bogus"}):
        resp = httpx.get(f"{base}/servers", headers=headers)
        assert resp.status_code == 401
        assert resp.json()["error"]["code"] == 401 and "WWW-Authenticate" in resp.headers
        assert "x-compute-request-id" in resp.headers
    api = Api(empty_cloud)
    missing = api.nova("GET", "/no-such-thing")
    assert missing.status_code == 404 and fault(missing, "itemNotFound")
    assert missing.headers["content-type"].startswith("application/json")
    assert api.nova("PATCH", "/servers").status_code == 405


def test_limits_and_availability_zones(empty_cloud: DemoCloud) -> None:
    api = Api(empty_cloud)
    zones = api.nova("GET", "/os-availability-zone").json()["availabilityZoneInfo"]
    assert zones == [{"zoneName": "nova", "zoneState": {"available": True}, "hosts": None}]
    absolute = api.nova("GET", "/limits").json()["limits"]["absolute"]
    assert absolute["totalInstancesUsed"] == 0 and absolute["maxTotalInstances"] > 0
