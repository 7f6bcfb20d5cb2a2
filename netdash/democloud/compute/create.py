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

from ..core import Context, Request, Response, Router, iso, new_id, request_id
from ..image import Image
from . import schemas, wire
from .flavors import flavor_from_ref
from .instance_actions import InstanceActions
from .lifecycle import Lifecycle, access_ip
from .metadata import check_quota
from .plumbing import Plumbing
from .server_groups import ServerGroups
from .wire import bad, caller, decode_user_data, request_headers, validated

HINT_KEYS = ("os:scheduler_hints", "OS-SCH-HNT:scheduler_hints")


class CreateController:
    def __init__(self, lifecycle: Lifecycle, plumbing: Plumbing, image: Image, groups: ServerGroups,
                 actions: InstanceActions) -> None:
        self.store = lifecycle.store
        self.lifecycle = lifecycle
        self.plumbing = plumbing
        self.image = image
        self.groups = groups
        self.actions = actions

    def register(self, r: Router) -> None:
        r.add("POST", "/v2.1/servers", self.create_server)

    # --- request checks (the body's types and shape are schemas.CREATE's) ------------------------
    def boot_source(self, spec: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        """The image id ("" when booting from a volume) and the volumes to create from BDMs."""
        image_ref = spec.get("imageRef", "")
        bdms = spec.get("block_device_mapping_v2", [])
        volumes: list[dict[str, Any]] = []
        boot_volume = False
        for bdm in bdms:
            source, destination = bdm.get("source_type"), bdm.get("destination_type", "volume")
            if source is None:  # the schema knows the types; Nova's BDM code wants one given
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
        body = validated(req, schemas.CREATE)
        spec = body["server"]
        name = spec["name"]
        flavor_ref = spec["flavorRef"]
        flavor = flavor_from_ref(self.store, str(flavor_ref))
        if flavor is None:
            raise bad(f"Flavor {flavor_ref} could not be found.")
        image_id, volumes = self.boot_source(spec)
        key_name = spec.get("key_name")
        if key_name is not None and (ctx.user_id, key_name) not in self.store.keypairs:
            raise bad("Invalid key_name provided.")
        low = int(spec.get("min_count", 1))
        high = int(spec.get("max_count", low))  # Nova: max_count defaults to min_count
        if low > high:
            raise bad("min_count must be <= max_count")
        fields = self.plain_fields(spec)
        hints = next((body[k] for k in HINT_KEYS if k in body), {})
        group = self.groups.for_boot(ctx, hints, high)
        sg_ids = self.plumbing.security_groups(ctx, spec.get("security_groups"))
        requests = self.plumbing.network_requests(ctx, spec.get("networks"), high)
        reservation = "r-" + "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(8))
        admin_pass = spec.get("adminPass") or "".join(
            secrets.choice(string.ascii_letters + string.digits) for _ in range(12))
        servers = []
        rid = request_id()
        for index in range(high):
            server = self.lifecycle.new_server(ctx, f"{name}-{index + 1}" if high > 1 else name, index, fields)
            server.update({"image_id": image_id, "flavor": dict(flavor), "key_name": key_name,
                           "reservation_id": reservation, "scheduler_hints": dict(hints),
                           "volumes": [{**v, "id": new_id()} for v in volumes]})
            self.lifecycle.add(server)
            refusal = self.groups.join(group, server) if group is not None else None
            if refusal is not None:  # the scheduler's: no port is ever made
                self.fail(server, refusal)
                self.actions.record(ctx, server, "create", [], rid=rid)
            else:
                self.attach_networks(ctx, server, requests, sg_ids)
                self.actions.record(ctx, server, "create", [("compute__do_build_and_run_instance",
                                                             server["task_until"] or self.lifecycle.runtime.now())],
                                    failed=server["vm_state"] == "error", rid=rid)
            servers.append(server)
        if spec.get("return_reservation_id") in (True, "True", "true"):
            return Response(202, {"reservation_id": reservation}, request_headers(rid))
        first = servers[0]
        view = {"id": first["id"], "links": wire.links(req, "servers", first["id"]),
                "OS-DCF:diskConfig": first["disk_config"],
                "security_groups": [{"name": g["name"]} for g in spec.get("security_groups") or
                                    [{"name": "default"}]],
                "adminPass": admin_pass}
        return Response(202, {"server": view}, {"location": view["links"][0]["href"], **request_headers(rid)})

    def attach_networks(self, ctx: Context, server: dict[str, Any], requests: list[dict[str, Any]],
                        sg_ids: list[str]) -> None:
        for request in requests:
            port_id, failure = self.plumbing.plug(ctx, server, request, sg_ids)
            if port_id is None:
                self.plumbing.release_ports(server)
                self.fail(server, f"Build of instance {server['id']} aborted: Failed to allocate the network(s), "
                                  f"not rescheduling. {failure}".strip())
                return

    def fail(self, server: dict[str, Any], message: str) -> None:
        """The build ends in ERROR with Nova's fault (code 500, as both a failed build and NoValidHost give)."""
        server.update({"vm_state": "error", "task_state": None, "task_until": None, "task_then": None,
                       "fault": {"code": 500, "created": iso(self.lifecycle.runtime.now()), "message": message}})

    def plain_fields(self, spec: dict[str, Any]) -> dict[str, Any]:
        """The simple per-server attributes of the request, validated."""
        metadata = spec.get("metadata", {})
        check_quota(metadata)
        user_data_b64 = spec.get("user_data")
        user_data = None
        if user_data_b64 is not None:
            raw = decode_user_data(user_data_b64)
            if raw is None:
                raise bad("User data needs to be valid base 64.")
            user_data = raw.decode("utf-8", errors="replace")
        zone = spec.get("availability_zone")
        if zone is not None and zone != "nova":
            raise bad("The requested availability zone is not available")
        description = spec.get("description")
        tags = spec.get("tags", [])
        disk_config = spec.get("OS-DCF:diskConfig", "MANUAL")
        hostname = spec.get("hostname")
        return {"metadata": dict(metadata), "user_data_b64": user_data_b64, "user_data": user_data,
                "availability_zone": zone or "nova", "pinned_availability_zone": zone,
                "config_drive": str(spec.get("config_drive", "")).lower() in ("true", "1", "yes"),
                "description": description, "tags": list(tags), "disk_config": disk_config,
                "access_ipv4": access_ip(spec.get("accessIPv4"), 4),
                "access_ipv6": access_ip(spec.get("accessIPv6"), 6),
                "trusted_image_certificates": spec.get("trusted_image_certificates"), "hostname": hostname}
