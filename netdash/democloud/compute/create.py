"""`POST /servers`: validate everything first, then create the servers and their Neutron ports.

Ports are made the way Nova makes them: created in the caller's project through Neutron's REST API
(device_owner `compute:nova`, device_id = server id), then bound to the host with the service account,
because `binding:*` fields are admin-only. A failure from Neutron leaves the server in ERROR with a fault,
as a real build aborts, and rolls back the ports it touched.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from ..core import Context, Request, Response, Router, iso, new_id
from ..image import Image
from . import wire
from .flavors import flavor_from_ref
from .lifecycle import Lifecycle
from .plumbing import Plumbing
from .wire import bad, body_of, caller, checked_name, decode_user_data, invalid_input, mv

BASE_KEYS = {"name", "imageRef", "flavorRef", "adminPass", "metadata", "networks", "OS-DCF:diskConfig",
             "accessIPv4", "accessIPv6", "availability_zone", "block_device_mapping",
             "block_device_mapping_v2", "config_drive", "key_name", "min_count", "max_count",
             "return_reservation_id", "security_groups", "user_data"}
#: (key, first microversion accepting it, last one or None)
VERSIONED_KEYS = [("personality", (2, 1), (2, 56)), ("description", (2, 19), None), ("tags", (2, 52), None),
                  ("trusted_image_certificates", (2, 63), None), ("host", (2, 74), None),
                  ("hypervisor_hostname", (2, 74), None), ("hostname", (2, 90), None)]
HINT_KEYS = ("os:scheduler_hints", "OS-SCH-HNT:scheduler_hints")


class CreateController:
    def __init__(self, lifecycle: Lifecycle, plumbing: Plumbing, image: Image) -> None:
        self.store = lifecycle.store
        self.lifecycle = lifecycle
        self.plumbing = plumbing
        self.image = image

    def register(self, r: Router) -> None:
        r.add("POST", "/v2.1/servers", self.create_server)

    # --- request checks -------------------------------------------------------------------------
    def check_keys(self, req: Request, body: dict[str, Any], spec: dict[str, Any]) -> None:
        extra_top = sorted(set(body) - {"server", *HINT_KEYS})
        if extra_top:
            raise bad(f"Invalid input for field/attribute {extra_top[0]}. Additional properties are not "
                      f"allowed ('{extra_top[0]}' was unexpected)")
        allowed = set(BASE_KEYS)
        version = req.microversion or (2, 1)
        allowed |= {k for k, low, high in VERSIONED_KEYS
                    if low <= version and (high is None or version <= high)}
        extra = sorted(set(spec) - allowed)
        if extra:
            raise invalid_input("server", spec, "Additional properties are not allowed "
                                f"({', '.join(repr(k) for k in extra)} was unexpected)")
        required = ["name", "flavorRef"] + (["networks"] if mv(req, 2, 37) else [])
        for key in required:
            if key not in spec:
                raise invalid_input("server", spec, f"'{key}' is a required property")

    def count(self, spec: dict[str, Any], key: str) -> int:
        value = spec.get(key, 1)
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise invalid_input(key, value, f"{value!r} is not a positive integer")
        return value

    def boot_source(self, spec: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        """The image id ("" when booting from a volume) and the volumes to create from BDMs."""
        image_ref = spec.get("imageRef", "")
        if not isinstance(image_ref, str):
            raise invalid_input("imageRef", image_ref, f"{image_ref!r} is not of type 'string'")
        bdms = spec.get("block_device_mapping_v2", [])
        if not isinstance(bdms, list) or not all(isinstance(b, dict) for b in bdms):
            raise invalid_input("block_device_mapping_v2", bdms, "must be a list of objects")
        volumes: list[dict[str, Any]] = []
        boot_volume = False
        for bdm in bdms:
            source, destination = bdm.get("source_type"), bdm.get("destination_type", "volume")
            if (source not in ("image", "volume", "snapshot", "blank")
                    or destination not in ("local", "volume")):
                raise bad("Block Device Mapping is Invalid: Unrecognized source or destination type.")
            if source in ("volume", "snapshot"):
                raise bad(f"Block Device Mapping is Invalid: failed to get {source} {bdm.get('uuid')}.")
            if source == "image":
                self.image_or_400(str(bdm.get("uuid", "")))
            if destination == "volume":
                volumes.append({"delete_on_termination": bool(bdm.get("delete_on_termination"))})
                boot_volume = boot_volume or str(bdm.get("boot_index")) == "0"
        if boot_volume:
            return "", volumes
        if not image_ref:
            raise bad("Block Device Mapping is Invalid: Boot sequence for the instance and image/block "
                      "device mapping combination is not valid.")
        return self.image_or_400(image_ref.rstrip("/").rsplit("/", 1)[-1])["id"], volumes

    def image_or_400(self, image_id: str) -> dict[str, Any]:
        image = self.image.get_image(image_id)
        if image is None:
            raise bad(f"Image {image_id} could not be found.")
        if image.get("status") != "active":
            raise bad(f"Image {image_id} is not active.")
        return image

    # --- the handler ----------------------------------------------------------------------------
    def create_server(self, req: Request) -> Response:
        ctx = caller(req)
        body = req.json()
        spec = body_of(req, "server")
        self.check_keys(req, body, spec)
        name = checked_name("name", spec["name"])
        flavor_ref = spec["flavorRef"]
        flavor = flavor_from_ref(self.store, str(flavor_ref)) if isinstance(flavor_ref, str | int) else None
        if flavor is None:
            raise bad(f"Flavor {flavor_ref} could not be found.")
        image_id, volumes = self.boot_source(spec)
        key_name = spec.get("key_name")
        if key_name is not None and (ctx.user_id, key_name) not in self.store.keypairs:
            raise bad("Invalid key_name provided.")
        low, high = self.count(spec, "min_count"), self.count(spec, "max_count")
        if low > high:
            raise bad("min_count must be <= max_count")
        fields = self.plain_fields(spec)
        hints = next((body[k] for k in HINT_KEYS if k in body), {})
        if not isinstance(hints, dict):
            raise invalid_input("os:scheduler_hints", hints, f"{hints!r} is not of type 'object'")
        sg_names, sg_ids = self.plumbing.security_groups(ctx, spec.get("security_groups"))
        requests = self.plumbing.network_requests(ctx, spec.get("networks"), high)
        reservation = "r-" + "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(8))
        admin_pass = spec.get("adminPass") or "".join(
            secrets.choice(string.ascii_letters + string.digits) for _ in range(12))
        servers = []
        for index in range(high):
            server = self.lifecycle.new_server(ctx, f"{name}-{index + 1}" if high > 1 else name, index, fields)
            server.update({"image_id": image_id, "flavor": dict(flavor), "key_name": key_name,
                           "reservation_id": reservation, "security_groups": sg_names,
                           "scheduler_hints": dict(hints),
                           "volumes": [{**v, "id": new_id()} for v in volumes]})
            self.lifecycle.add(server)
            self.attach_networks(ctx, server, requests, sg_ids)
            servers.append(server)
        if spec.get("return_reservation_id") in (True, "True", "true"):
            return Response(202, {"reservation_id": reservation})
        first = servers[0]
        view = {"id": first["id"], "links": wire.links(req, "servers", first["id"]),
                "OS-DCF:diskConfig": first["disk_config"],
                "security_groups": [{"name": g["name"]} for g in spec.get("security_groups") or
                                    [{"name": "default"}]],
                "adminPass": admin_pass}
        return Response(202, {"server": view}, {"location": view["links"][0]["href"]})

    def attach_networks(self, ctx: Context, server: dict[str, Any], requests: list[dict[str, Any]],
                        sg_ids: list[str]) -> None:
        for request in requests:
            port_id, failure = self.plumbing.plug(ctx, server, request, sg_ids)
            if port_id is None:
                self.plumbing.release_ports(server)
                server.update({"vm_state": "error", "task_state": None, "task_until": None, "task_then": None,
                               "fault": {"code": 500, "created": iso(self.lifecycle.runtime.now()), "message": (
                                   f"Build of instance {server['id']} aborted: Failed to allocate the "
                                   f"network(s), not rescheduling. {failure}").strip()}})
                return

    def plain_fields(self, spec: dict[str, Any]) -> dict[str, Any]:
        """The simple per-server attributes of the request, validated."""
        metadata = spec.get("metadata", {})
        if not isinstance(metadata, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and 0 < len(k) <= 255 and len(v) <= 255
                for k, v in metadata.items()):
            raise invalid_input("metadata", metadata, "metadata must be an object of strings")
        user_data_b64 = spec.get("user_data")
        user_data = None
        if user_data_b64 is not None:
            raw = decode_user_data(user_data_b64) if isinstance(user_data_b64, str) else None
            if raw is None or len(user_data_b64) > 65535:
                raise bad("User data needs to be valid base 64.")
            user_data = raw.decode("utf-8", errors="replace")
        zone = spec.get("availability_zone")
        if zone is not None and zone != "nova":
            raise bad("The requested availability zone is not available")
        description = spec.get("description")
        if description is not None and (not isinstance(description, str) or len(description) > 255):
            raise invalid_input("description", description, "must be a string of at most 255 characters")
        tags = spec.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) and 0 < len(t) <= 60 for t in tags):
            raise invalid_input("tags", tags, "tags must be a list of strings")
        disk_config = spec.get("OS-DCF:diskConfig", "MANUAL")
        if disk_config not in ("AUTO", "MANUAL"):
            raise invalid_input("OS-DCF:diskConfig", disk_config, "'OS-DCF:diskConfig' is not one of "
                                                                   "['AUTO', 'MANUAL']")
        hostname = spec.get("hostname")
        if hostname is not None:
            hostname = checked_name("hostname", hostname)
        return {"metadata": dict(metadata), "user_data_b64": user_data_b64, "user_data": user_data,
                "availability_zone": zone or "nova", "pinned_availability_zone": zone,
                "config_drive": str(spec.get("config_drive", "")).lower() in ("true", "1", "yes"),
                "description": description, "tags": list(tags), "disk_config": disk_config,
                "access_ipv4": str(spec.get("accessIPv4") or ""),
                "access_ipv6": str(spec.get("accessIPv6") or ""),
                "trusted_image_certificates": spec.get("trusted_image_certificates"), "hostname": hostname}
