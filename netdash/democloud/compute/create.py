"""`POST /servers`: validate everything first, then create the servers and their Neutron ports.

Ports are made the way Nova makes them: created in the caller's project through Neutron's REST API
(device_owner `compute:nova`, device_id = server id), then bound to the host with the service account,
because `binding:*` fields are admin-only. A failure from Neutron leaves the server in ERROR with a fault,
as a real build aborts, and rolls back the ports it touched.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import string
from typing import Any

from ..core import Context, Request, Response, is_uuid, iso, new_id
from .base import HOST
from .flavors import FlavorApi
from .keypairs import KeypairApi
from .servers import ServerApi

BASE_KEYS = {"name", "imageRef", "flavorRef", "adminPass", "metadata", "networks", "OS-DCF:diskConfig",
             "accessIPv4", "accessIPv6", "availability_zone", "block_device_mapping",
             "block_device_mapping_v2", "config_drive", "key_name", "min_count", "max_count",
             "return_reservation_id", "security_groups", "user_data"}
#: (key, first microversion accepting it, last one or None)
VERSIONED_KEYS = [("personality", (2, 1), (2, 56)), ("description", (2, 19), None), ("tags", (2, 52), None),
                  ("trusted_image_certificates", (2, 63), None), ("host", (2, 74), None),
                  ("hypervisor_hostname", (2, 74), None), ("hostname", (2, 90), None)]
HINT_KEYS = ("os:scheduler_hints", "OS-SCH-HNT:scheduler_hints")


class CreateApi(ServerApi, FlavorApi, KeypairApi):
    def setup_create(self) -> None:
        self.router.add("POST", "/v2.1/servers", self.create_server)

    # --- request checks -------------------------------------------------------------------------
    def check_keys(self, req: Request, body: dict[str, Any], spec: dict[str, Any]) -> None:
        extra_top = sorted(set(body) - {"server", *HINT_KEYS})
        if extra_top:
            raise self.bad(f"Invalid input for field/attribute {extra_top[0]}. Additional properties are not "
                           f"allowed ('{extra_top[0]}' was unexpected)")
        allowed = set(BASE_KEYS)
        version = req.microversion or (2, 1)
        allowed |= {k for k, low, high in VERSIONED_KEYS
                    if low <= version and (high is None or version <= high)}
        extra = sorted(set(spec) - allowed)
        if extra:
            raise self.invalid_input("server", spec, "Additional properties are not allowed "
                                     f"({', '.join(repr(k) for k in extra)} was unexpected)")
        required = ["name", "flavorRef"] + (["networks"] if self.mv(req, 2, 37) else [])
        for key in required:
            if key not in spec:
                raise self.invalid_input("server", spec, f"'{key}' is a required property")

    def count(self, spec: dict[str, Any], key: str) -> int:
        value = spec.get(key, 1)
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise self.invalid_input(key, value, f"{value!r} is not a positive integer")
        return value

    def boot_source(self, spec: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        """The image id ("" when booting from a volume) and the volumes to create from BDMs."""
        image_ref = spec.get("imageRef", "")
        if not isinstance(image_ref, str):
            raise self.invalid_input("imageRef", image_ref, f"{image_ref!r} is not of type 'string'")
        bdms = spec.get("block_device_mapping_v2", [])
        if not isinstance(bdms, list) or not all(isinstance(b, dict) for b in bdms):
            raise self.invalid_input("block_device_mapping_v2", bdms, "must be a list of objects")
        volumes: list[dict[str, Any]] = []
        boot_volume = False
        for bdm in bdms:
            source, destination = bdm.get("source_type"), bdm.get("destination_type", "volume")
            if (source not in ("image", "volume", "snapshot", "blank")
                    or destination not in ("local", "volume")):
                raise self.bad("Block Device Mapping is Invalid: Unrecognized source or destination type.")
            if source in ("volume", "snapshot"):
                raise self.bad(f"Block Device Mapping is Invalid: failed to get {source} {bdm.get('uuid')}.")
            if source == "image":
                self.image_or_400(str(bdm.get("uuid", "")))
            if destination == "volume":
                volumes.append({"delete_on_termination": bool(bdm.get("delete_on_termination"))})
                boot_volume = boot_volume or str(bdm.get("boot_index")) == "0"
        if boot_volume:
            return "", volumes
        if not image_ref:
            raise self.bad("Block Device Mapping is Invalid: Boot sequence for the instance and image/block "
                           "device mapping combination is not valid.")
        return self.image_or_400(image_ref.rstrip("/").rsplit("/", 1)[-1])["id"], volumes

    def image_or_400(self, image_id: str) -> dict[str, Any]:
        image = self.image.get_image(image_id)
        if image is None:
            raise self.bad(f"Image {image_id} could not be found.")
        if image.get("status") != "active":
            raise self.bad(f"Image {image_id} is not active.")
        return image

    def security_groups(self, ctx: Context, requested: Any) -> tuple[list[str], list[str]]:
        """Requested groups (names or ids, as the CLI sends ids) -> (names for views, ids for ports)."""
        if requested is None:
            return ["default"], []
        if not isinstance(requested, list) or not all(
                isinstance(g, dict) and isinstance(g.get("name"), str) for g in requested):
            raise self.invalid_input("security_groups", requested, "must be a list of {'name': <string>}")
        resp = self.call_neutron("GET", "/v2.0/security-groups", context=ctx)
        groups = resp.body.get("security_groups", []) if resp.status == 200 else []
        names: list[str] = []
        ids: list[str] = []
        for wanted in (g["name"] for g in requested):
            found = [g for g in groups if g["id"] == wanted] or [g for g in groups if g["name"] == wanted]
            if not found:
                raise self.bad(f"Security group {wanted} not found.")
            if len(found) > 1:
                raise self.conflict(f"Multiple security groups found matching '{wanted}'. Use an ID to be "
                                    "more specific.")
            names.append(found[0]["name"])
            ids.append(found[0]["id"])
        return names, ids

    # --- networks -------------------------------------------------------------------------------
    def network_requests(self, ctx: Context, networks: Any, count: int) -> list[dict[str, Any]]:
        """`networks` -> [{"network_id", "fixed_ip"} | {"port_id"}], each checked against Neutron."""
        if networks == "none":
            return []
        if networks is None or networks == "auto":
            return [{"network_id": self.auto_network(ctx)}]
        if not isinstance(networks, list):
            raise self.invalid_input("networks", networks, f"{networks!r} is not valid under any of the "
                                                           "given schemas")
        out: list[dict[str, Any]] = []
        for item in networks:
            extra = sorted(set(item) - {"uuid", "port", "fixed_ip", "tag"}) if isinstance(item, dict) else []
            if not isinstance(item, dict) or extra:
                raise self.invalid_input("networks", networks, "Additional properties are not allowed "
                                         f"({', '.join(repr(k) for k in extra)} was unexpected)")
            if item.get("port"):
                out.append({"port_id": self.free_port(ctx, str(item["port"]), count)["id"]})
            elif item.get("uuid"):
                network_id = self.network_or_400(ctx, str(item["uuid"]))
                fixed = self.free_ip(network_id, item.get("fixed_ip"), count)
                out.append({"network_id": network_id, "fixed_ip": fixed})
            else:
                raise self.bad("Bad network format: missing 'uuid'")
        return out

    def auto_network(self, ctx: Context) -> str:
        """Nova's `networks: auto`: the one network the project can use (its own plus shared ones)."""
        resp = self.call_neutron("GET", "/v2.0/networks", context=ctx)
        nets = resp.body.get("networks", []) if resp.status == 200 else []
        usable = [n for n in nets if (n.get("project_id") == ctx.project_id and not n.get("shared"))
                  or n.get("shared")]
        if len(usable) > 1:
            raise self.conflict("Multiple possible networks found, use a Network ID to be more specific.")
        if not usable:
            raise self.bad(f"Unable to automatically allocate a network for project {ctx.project_id}")
        return str(usable[0]["id"])

    def network_or_400(self, ctx: Context, network_id: str) -> str:
        if not is_uuid(network_id):
            raise self.bad(f"Bad networks format: network uuid is not in proper format ({network_id})")
        if self.call_neutron("GET", f"/v2.0/networks/{network_id}", context=ctx).status != 200:
            raise self.bad(f"Network {network_id} could not be found.")
        return network_id

    def fixed_ip(self, value: Any, count: int) -> str | None:
        if value is None:
            return None
        try:
            ipaddress.ip_address(str(value))
        except ValueError:
            raise self.bad(f"Invalid fixed IP address ({value})") from None
        if count > 1:
            raise self.bad("max_count cannot be greater than 1 if an fixed_ip is specified.")
        return str(value)

    def free_ip(self, network_id: str, value: Any, count: int) -> str | None:
        """A requested fixed IP, refused up front (400, as Nova's API does) when a port already has it."""
        ip = self.fixed_ip(value, count)
        if ip is not None:
            holder = self.neutron().port_with_ip(ip, network_id=network_id)
            if holder is not None:
                raise self.bad(f"Fixed IP address {ip} is already in use on instance "
                               f"{holder.get('device_id')}.")
        return ip

    def free_port(self, ctx: Context, port_id: str, count: int) -> dict[str, Any]:
        resp = self.call_neutron("GET", f"/v2.0/ports/{port_id}", context=ctx)
        if resp.status != 200:
            raise self.bad(f"Port id {port_id} could not be found.")
        port = resp.body["port"]
        if port.get("device_id"):
            raise self.conflict(f"Port {port_id} is still in use.")
        if count > 1:
            raise self.bad("Unable to launch multiple instances with a single configured port ID. Please "
                           "launch your instance one by one with different ports.")
        return dict(port)

    def plug(self, ctx: Context, server: dict[str, Any], request: dict[str, Any],
             security_group_ids: list[str]) -> tuple[str | None, str]:
        """Create or claim one port for the server: (port id, "") or (None, Neutron's refusal)."""
        binding = {"device_id": server["id"], "device_owner": "compute:nova", "binding:host_id": HOST}
        if "port_id" in request:
            resp = self.call_neutron("PUT", f"/v2.0/ports/{request['port_id']}", {"port": binding},
                                     context=self.admin)
            return (request["port_id"], "") if resp.status < 400 else (None, self.neutron_message(resp))
        spec: dict[str, Any] = {"network_id": request["network_id"], "device_id": server["id"],
                                "device_owner": "compute:nova", "admin_state_up": True}
        if request.get("fixed_ip"):
            spec["fixed_ips"] = [{"ip_address": request["fixed_ip"]}]
        if security_group_ids:
            spec["security_groups"] = security_group_ids
        resp = self.call_neutron("POST", "/v2.0/ports", {"port": spec}, context=ctx)
        if resp.status >= 400:
            return None, self.neutron_message(resp)
        port_id = resp.body["port"]["id"]
        server["nova_ports"].add(port_id)
        self.call_neutron("PUT", f"/v2.0/ports/{port_id}", {"port": {"binding:host_id": HOST}},
                          context=self.admin)
        return port_id, ""

    # --- the handler ----------------------------------------------------------------------------
    def create_server(self, req: Request) -> Response:
        ctx = self.ctx(req)
        body = req.json()
        spec = self.body_of(req, "server")
        self.check_keys(req, body, spec)
        name = self.checked_name("name", spec["name"])
        flavor_ref = spec["flavorRef"]
        flavor = self.flavor_from_ref(str(flavor_ref)) if isinstance(flavor_ref, str | int) else None
        if flavor is None:
            raise self.bad(f"Flavor {flavor_ref} could not be found.")
        image_id, volumes = self.boot_source(spec)
        key_name = spec.get("key_name")
        if key_name is not None and (ctx.user_id, key_name) not in self.store.keypairs:
            raise self.bad("Invalid key_name provided.")
        low, high = self.count(spec, "min_count"), self.count(spec, "max_count")
        if low > high:
            raise self.bad("min_count must be <= max_count")
        fields = self.plain_fields(spec)
        hints = next((body[k] for k in HINT_KEYS if k in body), {})
        if not isinstance(hints, dict):
            raise self.invalid_input("os:scheduler_hints", hints, f"{hints!r} is not of type 'object'")
        sg_names, sg_ids = self.security_groups(ctx, spec.get("security_groups"))
        requests = self.network_requests(ctx, spec.get("networks"), high)
        reservation = "r-" + "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(8))
        admin_pass = spec.get("adminPass") or "".join(
            secrets.choice(string.ascii_letters + string.digits) for _ in range(12))
        servers = []
        for index in range(high):
            server = self.new_server(ctx, f"{name}-{index + 1}" if high > 1 else name, index, fields)
            server.update({"image_id": image_id, "flavor": dict(flavor), "key_name": key_name,
                           "reservation_id": reservation, "security_groups": sg_names,
                           "scheduler_hints": dict(hints),
                           "volumes": [{**v, "id": new_id()} for v in volumes]})
            self.store.servers[server["id"]] = server
            self.store.servers_by_project.setdefault(ctx.project_id, {})[server["id"]] = None
            self.attach_networks(ctx, server, requests, sg_ids)
            servers.append(server)
        if spec.get("return_reservation_id") in (True, "True", "true"):
            return Response(202, {"reservation_id": reservation})
        first = servers[0]
        view = {"id": first["id"], "links": self.links(req, "servers", first["id"]),
                "OS-DCF:diskConfig": first["disk_config"],
                "security_groups": [{"name": g["name"]} for g in spec.get("security_groups") or
                                    [{"name": "default"}]],
                "adminPass": admin_pass}
        return Response(202, {"server": view}, {"location": view["links"][0]["href"]})

    def attach_networks(self, ctx: Context, server: dict[str, Any], requests: list[dict[str, Any]],
                        sg_ids: list[str]) -> None:
        for request in requests:
            port_id, failure = self.plug(ctx, server, request, sg_ids)
            if port_id is None:
                self.release_ports(server)
                server.update({"vm_state": "error", "task_state": None, "task_until": None, "task_then": None,
                               "fault": {"code": 500, "created": iso(self.runtime.now()), "message": (
                                   f"Build of instance {server['id']} aborted: Failed to allocate the "
                                   f"network(s), not rescheduling. {failure}").strip()}})
                return

    def plain_fields(self, spec: dict[str, Any]) -> dict[str, Any]:
        """The simple per-server attributes of the request, validated."""
        metadata = spec.get("metadata", {})
        if not isinstance(metadata, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and 0 < len(k) <= 255 and len(v) <= 255
                for k, v in metadata.items()):
            raise self.invalid_input("metadata", metadata, "metadata must be an object of strings")
        user_data_b64 = spec.get("user_data")
        user_data = None
        if user_data_b64 is not None:
            raw = self.decode_user_data(user_data_b64) if isinstance(user_data_b64, str) else None
            if raw is None or len(user_data_b64) > 65535:
                raise self.bad("User data needs to be valid base 64.")
            user_data = raw.decode("utf-8", errors="replace")
        zone = spec.get("availability_zone")
        if zone is not None and zone != "nova":
            raise self.bad("The requested availability zone is not available")
        description = spec.get("description")
        if description is not None and (not isinstance(description, str) or len(description) > 255):
            raise self.invalid_input("description", description, "must be a string of at most 255 characters")
        tags = spec.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) and 0 < len(t) <= 60 for t in tags):
            raise self.invalid_input("tags", tags, "tags must be a list of strings")
        disk_config = spec.get("OS-DCF:diskConfig", "MANUAL")
        if disk_config not in ("AUTO", "MANUAL"):
            raise self.invalid_input("OS-DCF:diskConfig", disk_config, "'OS-DCF:diskConfig' is not one of "
                                                                        "['AUTO', 'MANUAL']")
        hostname = spec.get("hostname")
        if hostname is not None:
            hostname = self.checked_name("hostname", hostname)
        return {"metadata": dict(metadata), "user_data_b64": user_data_b64, "user_data": user_data,
                "availability_zone": zone or "nova", "pinned_availability_zone": zone,
                "config_drive": str(spec.get("config_drive", "")).lower() in ("true", "1", "yes"),
                "description": description, "tags": list(tags), "disk_config": disk_config,
                "access_ipv4": str(spec.get("accessIPv4") or ""),
                "access_ipv6": str(spec.get("accessIPv6") or ""),
                "trusted_image_certificates": spec.get("trusted_image_certificates"), "hostname": hostname}

    def new_server(self, ctx: Context, name: str, index: int, fields: dict[str, Any]) -> dict[str, Any]:
        now = self.runtime.now()
        self.store.instance_counter += 1
        server = {"id": new_id(), "name": name, "project_id": ctx.project_id, "user_id": ctx.user_id,
                  "created_at": now, "updated_at": now, "launched_at": None, "vm_state": "building",
                  "task_state": "scheduling", "task_until": now + self.runtime.settings.build_delay,
                  "task_then": "active", "launch_index": index, "number": self.store.instance_counter,
                  "locked": False, "nova_ports": set(), "fault": None, **fields}
        server["hostname"] = fields["hostname"] or hostname_for(name)
        return server


def hostname_for(name: str) -> str:
    """Nova's sanitisation of a display name into a host name."""
    text = re.sub(r"[^\w.-]+", "-", name.lower().replace("_", "-")).strip("-.")
    return text[:63] or "server"
