"""The operator's catalogue: provider drivers and what they accept, flavors and availability zones with
their profiles.

As Octavia's `ProviderController`, `FlavorsController`, `FlavorProfileController`,
`AvailabilityZonesController` and `AvailabilityZoneProfileController`: profiles are the admin's alone;
flavors and availability zones are read by anyone and written by an admin; a profile's metadata is JSON the
provider validates against its schema (the amphora driver's `flavor_schema.py` and
`availability_zone_schema.py`, whose property descriptions are also its `flavor_capabilities` /
`availability_zone_capabilities`). A profile a flavor (zone) uses keeps its provider and metadata, and
neither can be deleted while used. A load balancer names a flavor by id and a zone by name
(`LoadBalancers.create` calls `provider_for`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..core import Request, Response, new_id
from ..validation import compile_schema, first_error
from . import listing
from .base import Resource
from .faults import fault, forbidden, invalid_option, not_found, validation
from .schema import BOOL, Body, Field, text
from .store import Record

PROVIDERS = {"amphora": "The Octavia Amphora driver.",
             "octavia": "Deprecated alias of the Octavia Amphora driver."}
#: the amphora driver's metadata schemas (octavia/api/drivers/amphora_driver/*_schema.py)
FLAVOR_METADATA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "properties": {
        "loadbalancer_topology": {"type": "string", "enum": ["ACTIVE_STANDBY", "SINGLE"], "description":
                                  "The load balancer topology. One of: SINGLE - One amphora per load balancer. "
                                  "ACTIVE_STANDBY - Two amphora per load balancer."},
        "compute_flavor": {"type": "string", "description": "The compute driver flavor ID."},
        "amp_image_tag": {"type": "string", "description": "The amphora image tag."},
        "sriov_vip": {"type": "boolean", "description": "When true, the VIP port will be created using an "
                                                        "SR-IOV VF port."},
        "allow_member_sriov": {"type": "boolean", "description": "When true, users can request a member port "
                                                                 "be SR-IOV enabled at member creation time."}}}
ZONE_METADATA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "properties": {
        "compute_zone": {"type": "string", "description": "The compute availability zone."},
        "volume_zone": {"type": "string", "description": "The volume availability zone."},
        "management_network": {"type": "string", "description": "The management network ID for the amphora."},
        "valid_vip_networks": {"type": "array", "description": "List of network IDs that are allowed for VIP "
                               "use. This overrides/replaces the list of allowed networks configured in "
                               "`octavia.conf`."}}}
NAME = text(mandatory=True)


@dataclass(frozen=True)
class Kind:
    """One catalogue resource: where it is served, how it is named and keyed, who reads it, its bodies."""

    path: str  # "/lbaas/flavors"
    key: str  # "flavor": the body's and the answer's root
    collection: str  # "flavors"
    links: str  # "flavors_links" (the profiles' are singular)
    title: str  # "Flavor": the not-found message
    table: str  # the store field holding the records
    fields: tuple[str, ...]  # the view, in Octavia's order
    create: Body
    update: Body
    ident: str = "id"  # an availability zone is named, not numbered
    public_read: bool = False  # flavors and zones: anyone reads; profiles: the admin only
    #: a profile: the key of its JSON metadata, and the compiled schema of what its provider accepts
    data: str = ""
    checker: Any = None
    #: a flavor or zone: the field naming its profile, and the profile kind's table and title
    profile_field: str = ""
    profile_table: str = ""
    profile_title: str = ""


def profile_kind(path: str, key: str, table: str, title: str, *, data: str, schema: dict[str, Any]) -> Kind:
    post = {"name": NAME, "provider_name": NAME, data: text(4096, mandatory=True)}
    put = {"name": text(), "provider_name": text(), data: text(4096)}
    return Kind(path, key, f"{key}s", f"{key}_links", title, table, ("id", "name", "provider_name", data),
                Body(key, f"{key}_", post), Body(key, f"{key}_", put), data=data, checker=compile_schema(schema))


FLAVOR_PROFILES = profile_kind("/lbaas/flavorprofiles", "flavorprofile", "flavor_profiles", "Flavor Profile",
                               data="flavor_data", schema=FLAVOR_METADATA)
ZONE_PROFILES = profile_kind("/lbaas/availabilityzoneprofiles", "availability_zone_profile",
                             "availability_zone_profiles", "Availability Zone Profile",
                             data="availability_zone_data", schema=ZONE_METADATA)
FLAVORS = Kind(
    "/lbaas/flavors", "flavor", "flavors", "flavors_links", "Flavor", "flavors",
    ("id", "name", "description", "enabled", "flavor_profile_id"),
    Body("flavor", "flavor_", {"name": NAME, "description": text(), "enabled": BOOL,
                               "flavor_profile_id": Field("uuid", mandatory=True)}),
    Body("flavor", "flavor_", {"name": text(), "description": text(), "enabled": BOOL}),
    public_read=True, profile_field="flavor_profile_id", profile_table="flavor_profiles",
    profile_title="flavor_profile_id")
ZONES = Kind(
    "/lbaas/availabilityzones", "availability_zone", "availability_zones", "availability_zones_links",
    "Availability Zone", "availability_zones",
    ("name", "description", "enabled", "availability_zone_profile_id"),
    Body("availability_zone", "availability_zone_", {
        "name": NAME, "description": text(), "enabled": BOOL, "availability_zone_profile_id": Field(
            "uuid", mandatory=True)}),
    Body("availability_zone", "availability_zone_", {"description": text(), "enabled": BOOL}),
    ident="name", public_read=True, profile_field="availability_zone_profile_id",
    profile_table="availability_zone_profiles", profile_title="availability_zone_profile_id")
KINDS = (FLAVOR_PROFILES, ZONE_PROFILES, FLAVORS, ZONES)


def enabled_provider(name: str) -> str:
    """Octavia's `driver_factory.get_driver`: only an enabled provider loads."""
    if name not in PROVIDERS:
        raise fault(400, f"Provider '{name}' is not enabled.")
    return name


def check_metadata(provider: str, checker: Any, data: Any) -> None:
    """The provider's `validate_flavor` / `validate_availability_zone`, as `call_provider` reports it."""
    error = first_error(checker, data)
    if error is not None:
        where = f"{error.relative_path[0]} " if error.relative_path else ""
        raise fault(501, f"Provider '{provider}' does not support a requested option: {where}{error.message}")


class Catalogue(Resource):
    """The controller of one `Kind`."""

    def __init__(self, service: Any, kind: Kind) -> None:
        super().__init__(service)
        self.spec = kind
        self.title = kind.title

    def register(self) -> None:
        add, path = self.service.route, self.spec.path
        add("GET", path, self.list)
        add("POST", path, self.create)
        add("GET", path + "/{ident}", self.show)
        add("PUT", path + "/{ident}", self.update)
        add("DELETE", path + "/{ident}", self.delete)

    @property
    def records(self) -> dict[str, Record]:
        table: dict[str, Record] = getattr(self.store, self.spec.table)
        return table

    def view(self, rec: Record) -> dict[str, Any]:
        return {k: rec[k] for k in self.spec.fields}

    def allow(self, req: Request, write: bool) -> None:
        if (write or not self.spec.public_read) and not self.context(req).is_admin:
            raise forbidden()

    def get(self, ident: str) -> Record:
        rec = self.records.get(ident)
        if rec is None:
            raise not_found(self.spec.title, ident)
        return rec

    # --- handlers ---------------------------------------------------------------------------------
    def list(self, req: Request) -> Response:
        self.allow(req, write=False)
        return listing.collection(req, self.spec.collection, [self.view(r) for r in self.records.values()],
                                  links_key=self.spec.links)

    def show(self, req: Request, ident: str) -> Response:
        self.allow(req, write=False)
        return self.shown(req, self.spec.key, self.view(self.get(ident)))

    def create(self, req: Request) -> Response:
        body = self.spec.create.parse(req)  # WSME reads the body before the controller checks the policy
        self.allow(req, write=True)
        spec = self.spec
        if spec.data:
            self.check_data(enabled_provider(body["provider_name"]), body[spec.data])
        if spec.profile_field and body[spec.profile_field] not in getattr(self.store, spec.profile_table):
            raise invalid_option(body[spec.profile_field], spec.profile_title)
        rec = {"id": new_id(), "description": "", "enabled": True,
               **{k: v for k, v in body.items() if v is not None}}
        if spec.ident == "name":
            rec.pop("id")
        if any(other["name"] == rec["name"] for other in self.records.values()):
            raise fault(409, f"A {spec.title.lower()} of {rec['name']} already exists.")
        self.records[rec[spec.ident]] = rec
        return self.created(spec.key, self.view(rec))

    def update(self, req: Request, ident: str) -> Response:
        body = self.spec.update.parse(req)
        self.allow(req, write=True)
        spec = self.spec
        for key in ("name", "provider_name", spec.data):
            if key in body and body[key] is None:
                raise invalid_option(None, key)
        rec = self.get(ident)
        if spec.data and (body.get(spec.data) is not None or body.get("provider_name") is not None):
            if self.users(rec):
                raise fault(409, f"{spec.title} {ident} is in use and cannot be modified.")
            provider = enabled_provider(body.get("provider_name") or rec["provider_name"])
            if body.get(spec.data) is not None:
                self.check_data(provider, body[spec.data])
        rec.update({k: (v if v is not None else ("" if k == "description" else rec[k])) for k, v in body.items()})
        return Response(200, {spec.key: self.view(rec)})

    def delete(self, req: Request, ident: str) -> Response:
        self.allow(req, write=True)
        rec = self.get(ident)
        if self.users(rec):
            raise fault(409, f"{self.spec.title} {ident} is in use and cannot be modified.")
        del self.records[ident]
        return Response(204)

    # --- rules ------------------------------------------------------------------------------------
    def check_data(self, provider: str, data: str) -> None:
        try:
            parsed = json.loads(data)
        except ValueError:
            raise invalid_option(data, self.spec.data) from None
        check_metadata(provider, self.spec.checker, parsed)

    def users(self, rec: Record) -> bool:
        """Whether anything refers to it: a profile's flavors (zones), a flavor's (zone's) load balancers."""
        store = self.store
        if self.spec is FLAVOR_PROFILES:
            return any(f["flavor_profile_id"] == rec["id"] for f in store.flavors.values())
        if self.spec is ZONE_PROFILES:
            return any(z["availability_zone_profile_id"] == rec["id"] for z in store.availability_zones.values())
        if self.spec is FLAVORS:
            return any(lb["flavor_id"] == rec["id"] for lb in store.lbs.values())
        return any(lb["availability_zone"] == rec["name"] for lb in store.lbs.values())


class Providers(Resource):
    """`/lbaas/providers` and each provider's `flavor_capabilities` / `availability_zone_capabilities`."""

    def register(self) -> None:
        add = self.service.route
        add("GET", "/lbaas/providers", self.list)
        add("GET", "/lbaas/providers/{provider}/flavor_capabilities",
            lambda req, provider: self.capabilities(req, provider, "flavor_capabilities", FLAVOR_METADATA))
        add("GET", "/lbaas/providers/{provider}/availability_zone_capabilities",
            lambda req, provider: self.capabilities(req, provider, "availability_zone_capabilities",
                                                    ZONE_METADATA))

    def list(self, req: Request) -> Response:
        found = [{"name": n, "description": d} for n, d in PROVIDERS.items()]
        return Response(200, {"providers": [listing.only_fields(p, req) for p in found]})

    def capabilities(self, req: Request, provider: str, key: str, schema: dict[str, Any]) -> Response:
        if not self.context(req).is_admin:
            raise forbidden()
        enabled_provider(provider)
        found = [{"name": name, "description": prop.get("description", "")}
                 for name, prop in schema["properties"].items()
                 if req.arg("name") in (None, name) and req.arg("description") in (None, prop.get("description"))]
        return Response(200, {key: [listing.only_fields(c, req) for c in found]})


def chosen(table: dict[str, Record], key: str, option: str, missing: str) -> Record:
    """The flavor (zone) a load balancer names: it exists (else `missing`) and is enabled (`DisabledOption`)."""
    found = table.get(key)
    if found is None:
        raise validation(missing)
    if not found["enabled"]:
        raise fault(400, f"The selected {option} is not allowed in this deployment: {key}")
    return found


def provider_for(store: Any, body: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """A new load balancer's provider, flavor and availability zone, checked as Octavia's load balancer
    controller checks them (`_validate_flavor`, `_validate_availability_zone`, `_get_provider`)."""
    flavor_id, zone = body.get("flavor_id"), body.get("availability_zone")
    provider = None
    if flavor_id:
        flavor = chosen(store.flavors, flavor_id, "flavor", "Invalid flavor_id.")
        provider = store.flavor_profiles[flavor["flavor_profile_id"]]["provider_name"]
    if zone:
        chosen(store.availability_zones, zone, "availability_zone", "Invalid availability zone.")
    asked = body.get("provider")
    if asked and provider and asked != provider:
        raise fault(400, f"Flavor '{flavor_id}' is not compatible with provider '{asked}'")
    return enabled_provider(asked or provider or "amphora"), flavor_id, zone
