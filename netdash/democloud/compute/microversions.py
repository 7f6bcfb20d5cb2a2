"""Nova's microversion negotiation and version documents.

Clients read `GET /v2.1` to learn the supported range and then send `OpenStack-API-Version: compute X`
on every call; without a valid document openstacksdk silently falls back to 2.1, so this must be exact.
"""

from __future__ import annotations

import re
from typing import Any

from ..core import HttpError, Request

MIN_VERSION = (2, 1)
MAX_VERSION = (2, 100)
#: the date Nova's v2.1 API document has carried since it was introduced
V21_UPDATED = "2013-07-23T11:33:21Z"
V20_UPDATED = "2025-07-04T12:00:00Z"
_VERSION_RE = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")


def text(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def requested(req: Request) -> str | None:
    """The version string the client asked for, from the new header or the legacy one."""
    header = req.header("openstack-api-version")
    if header:
        for item in header.split(","):
            service, _, value = item.strip().partition(" ")
            if service.lower() == "compute" and value.strip():
                return value.strip()
    return req.header("x-openstack-nova-api-version")


def negotiate(req: Request) -> tuple[int, int]:
    """The microversion to serve this request at; 400 for a malformed one, 406 outside the range."""
    asked = requested(req)
    if asked is None:
        return MIN_VERSION
    if asked.lower() == "latest":
        return MAX_VERSION
    found = _VERSION_RE.match(asked)
    if not found:
        raise HttpError(400, {"badRequest": {"code": 400, "message": (
            f"API Version String {asked} is of invalid format. Must be of format MajorNum.MinorNum.")}},
            content_type="application/json; charset=UTF-8")
    version = (int(found.group(1)), int(found.group(2)))
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise HttpError(406, {"computeFault": {"code": 406, "message": (
            f"Version {asked} is not supported by the API. Minimum is {text(MIN_VERSION)} and maximum "
            f"is {text(MAX_VERSION)}.")}}, content_type="application/json; charset=UTF-8")
    return version


def v21_summary(root: str) -> dict[str, Any]:
    return {"id": "v2.1", "status": "CURRENT", "version": text(MAX_VERSION), "min_version": text(MIN_VERSION),
            "updated": V21_UPDATED, "links": [{"rel": "self", "href": f"{root}/v2.1/"}]}


def versions_doc(root: str) -> dict[str, Any]:
    """`GET /`: the legacy v2.0 entry (deprecated, no microversions) and v2.1."""
    legacy = {"id": "v2.0", "status": "DEPRECATED", "version": "", "min_version": "", "updated": V20_UPDATED,
              "links": [{"rel": "self", "href": f"{root}/v2/"}]}
    return {"versions": [legacy, v21_summary(root)]}


def version_doc(root: str) -> dict[str, Any]:
    """`GET /v2.1`: what openstacksdk's discovery reads to pick a microversion."""
    doc = v21_summary(root)
    doc["links"].append({"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"})
    doc["media-types"] = [{"base": "application/json",
                           "type": "application/vnd.openstack.compute+json;version=2.1"}]
    return {"version": doc}
