"""Flavors: the fixed catalogue of a small cloud (`m1.*` with their classic ids, and `VC-4`)."""

from __future__ import annotations

from typing import Any

from ..core import Request, Response, Router, new_id
from . import wire
from .store import Store
from .wire import bad, mv, not_found, param

#: name, flavor id (None: generated), vcpus, ram MiB, disk GiB; m1.* keep the ids DevStack gives them
CATALOGUE: list[tuple[str, str | None, int, int, int]] = [
    ("m1.tiny", "1", 1, 512, 1),
    ("m1.small", "2", 1, 2048, 20),
    ("m1.medium", "3", 2, 4096, 40),
    ("m1.large", "4", 4, 8192, 80),
    ("m1.xlarge", "5", 8, 16384, 160),
    ("VC-4", None, 4, 4096, 10),
]


def add_catalogue(store: Store) -> None:
    """The flavors every cloud starts with."""
    for name, flavor_id, vcpus, ram, disk in CATALOGUE:
        fid = flavor_id or new_id()
        store.flavors[fid] = {"id": fid, "name": name, "vcpus": vcpus, "ram": ram, "disk": disk,
                              "ephemeral": 0, "swap": 0, "rxtx_factor": 1.0, "is_public": True,
                              "disabled": False, "description": None, "extra_specs": {}}


def flavor_from_ref(store: Store, ref: str) -> dict[str, Any] | None:
    """`flavorRef` is an id or a URL ending in one."""
    return store.flavors.get(ref.rstrip("/").rsplit("/", 1)[-1])


class FlavorsController:
    def __init__(self, store: Store) -> None:
        self.store = store

    def register(self, r: Router) -> None:
        r.add("GET", "/v2.1/flavors", self.list_flavors)
        r.add("GET", "/v2.1/flavors/detail", self.list_flavors_detail)
        r.add("GET", "/v2.1/flavors/{flavor_id}", self.get_flavor)
        r.add("GET", "/v2.1/flavors/{flavor_id}/os-extra_specs", self.get_extra_specs)
        r.add("GET", "/v2.1/flavors/{flavor_id}/os-extra_specs/{key}", self.get_extra_spec)

    # --- lookups --------------------------------------------------------------------------------
    def find_flavor(self, flavor_id: str) -> dict[str, Any]:
        flavor = self.store.flavors.get(param(flavor_id))
        if flavor is None:
            raise not_found(f"Flavor {param(flavor_id)} could not be found.")
        return flavor

    # --- views ----------------------------------------------------------------------------------
    def flavor_summary(self, req: Request, flavor: dict[str, Any]) -> dict[str, Any]:
        view: dict[str, Any] = {"id": flavor["id"], "name": flavor["name"],
                                "links": wire.links(req, "flavors", flavor["id"])}
        if mv(req, 2, 55):
            view["description"] = flavor["description"]
        return view

    def flavor_view(self, req: Request, flavor: dict[str, Any]) -> dict[str, Any]:
        view: dict[str, Any] = {
            "id": flavor["id"], "name": flavor["name"], "ram": flavor["ram"], "disk": flavor["disk"],
            "swap": flavor["swap"] or "", "OS-FLV-EXT-DATA:ephemeral": flavor["ephemeral"],
            "OS-FLV-DISABLED:disabled": flavor["disabled"], "vcpus": flavor["vcpus"],
            "os-flavor-access:is_public": flavor["is_public"], "rxtx_factor": flavor["rxtx_factor"],
            "links": wire.links(req, "flavors", flavor["id"]),
        }
        if mv(req, 2, 55):
            view["description"] = flavor["description"]
        if mv(req, 2, 61):
            view["extra_specs"] = dict(flavor["extra_specs"])
        return view

    # --- handlers -------------------------------------------------------------------------------
    def filtered_flavors(self, req: Request) -> list[dict[str, Any]]:
        flavors = list(self.store.flavors.values())
        public = (req.arg("is_public") or "true").lower()
        if public in ("true", "t", "1", "yes", "y", "on"):
            flavors = [f for f in flavors if f["is_public"]]
        elif public in ("false", "f", "0", "no", "n", "off"):
            flavors = [f for f in flavors if not f["is_public"]]
        elif public not in ("none", "all"):
            raise bad(f"Invalid is_public filter [{req.arg('is_public')}]")
        for arg, field in (("minRam", "ram"), ("minDisk", "disk")):
            value = req.arg(arg)
            if value is not None:
                if not value.isdigit():
                    raise bad(f"Invalid {arg} filter [{value}]")
                flavors = [f for f in flavors if f[field] >= int(value)]
        key = req.arg("sort_key") or "flavorid"
        fields = {"flavorid": "id", "id": "id", "name": "name", "memory_mb": "ram", "ram": "ram",
                  "vcpus": "vcpus", "root_gb": "disk", "disk": "disk"}
        if key not in fields:
            raise bad(f"Invalid sort_key provided: {key}")
        direction = req.arg("sort_dir") or "asc"
        if direction not in ("asc", "desc"):
            raise bad(f"Invalid sort_dir provided: {direction}")
        flavors.sort(key=lambda f: (f[fields[key]], f["id"]), reverse=direction == "desc")
        return flavors

    def flavor_page(self, req: Request, detail: bool) -> Response:
        page, links = wire.page(req, self.filtered_flavors(req), "flavors" + ("/detail" if detail else ""))
        view = self.flavor_view if detail else self.flavor_summary
        body: dict[str, Any] = {"flavors": [view(req, f) for f in page]}
        if links:
            body["flavors_links"] = links
        return Response(200, body)

    def list_flavors(self, req: Request) -> Response:
        return self.flavor_page(req, False)

    def list_flavors_detail(self, req: Request) -> Response:
        return self.flavor_page(req, True)

    def get_flavor(self, req: Request, flavor_id: str) -> Response:
        return Response(200, {"flavor": self.flavor_view(req, self.find_flavor(flavor_id))})

    def get_extra_specs(self, req: Request, flavor_id: str) -> Response:
        return Response(200, {"extra_specs": dict(self.find_flavor(flavor_id)["extra_specs"])})

    def get_extra_spec(self, req: Request, flavor_id: str, key: str) -> Response:
        specs = self.find_flavor(flavor_id)["extra_specs"]
        if param(key) not in specs:
            raise not_found(f"Flavor {flavor_id} has no extra specs with key {param(key)}.")
        return Response(200, {param(key): specs[param(key)]})
