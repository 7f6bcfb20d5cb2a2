"""Nova's request-body schemas, as Nova writes them (`nova/api/openstack/compute/schemas/` and
`nova/api/validation/parameter_types.py`), for the bodies the embedded Nova takes: server create, update and
the actions it runs, server metadata, server groups, `os-interface` and key pairs; each with the microversion
range it applies to, as Nova's `@validation.schema(schema, min, max)` decorators give it.

Two differences, both in what a failed check says, not in what passes: `format: name` and `format:
description` check Python's `isprintable()` where Nova builds a regex of every printable code point, and
the `base64` format only checks the alphabet (Nova's own check is as lax; the strict decode is the
controller's, worded as Nova's compute API words it).
"""

from __future__ import annotations

import copy
from typing import Any

from ..validation import compile_schema

Version = tuple[int, int]

# --- parameter_types --------------------------------------------------------------------------------
BOOLEAN = {"type": ["boolean", "string"],
           "enum": [True, "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes",
                    False, "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no"]}
NAME = {"type": "string", "format": "name", "minLength": 1, "maxLength": 255}
POSITIVE_INTEGER = {"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 1, "minLength": 1}
UUID = {"type": "string", "format": "uuid"}
IMAGE_ID_OR_EMPTY_STRING = {"oneOf": [{"type": "string", "format": "uuid"}, {"type": "string", "maxLength": 0}]}
FLAVOR_REF = {"type": ["string", "integer"], "minLength": 1}
ADMIN_PASSWORD = {"type": "string"}
METADATA = {"type": "object", "patternProperties": {"^[a-zA-Z0-9-_:. ]{1,255}$": {"type": "string", "maxLength": 255}},
            "additionalProperties": False}
IP_ADDRESS = {"type": "string", "oneOf": [{"format": "ipv4"}, {"format": "ipv6"}]}
DISK_CONFIG = {"type": "string", "enum": ["AUTO", "MANUAL"]}
ACCESS_IPV4 = {"type": "string", "format": "ipv4"}
ACCESS_IPV6 = {"type": "string", "format": "ipv6"}
PERSONALITY = {"type": "array", "items": {"type": "object", "properties": {
    "path": {"type": "string"}, "contents": {"type": "string", "format": "base64"}}, "additionalProperties": False}}
TAG = {"type": "string", "pattern": "^[^,/]*$", "minLength": 1, "maxLength": 60}
DESCRIPTION = {"type": ["string", "null"], "format": "description", "minLength": 0, "maxLength": 255}
TRUSTED_CERTS = {"type": ["array", "null"], "minItems": 1, "maxItems": 50, "uniqueItems": True,
                 "items": {"type": "string", "minLength": 1}}
HOSTNAME = {"type": "string", "pattern": "^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$", "minLength": 2, "maxLength": 63}
FQDN = {"type": "string", "pattern": "^[a-zA-Z0-9-._]*$", "minLength": 1, "maxLength": 255}
VOLUME_SIZE = {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1, "maximum": 0x7FFFFFFF}


def keypair_name(pattern: str) -> dict[str, Any]:
    return {"allOf": [NAME, {"type": "string", "pattern": pattern, "minLength": 1, "maxLength": 255}]}


# --- servers ------------------------------------------------------------------------------------------
_LEGACY_BDM = {"type": "object", "properties": {
    "virtual_name": {"type": "string", "maxLength": 255}, "volume_id": UUID, "snapshot_id": UUID,
    "volume_size": VOLUME_SIZE,
    "device_name": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[a-zA-Z0-9._/-]*$"},
    "delete_on_termination": BOOLEAN, "no_device": {},
    "connection_info": {"type": "string", "maxLength": 16777215}}, "additionalProperties": False}
_BDM_V2 = copy.deepcopy(_LEGACY_BDM)
_BDM_V2["properties"].update({
    "source_type": {"type": "string", "enum": ["volume", "image", "snapshot", "blank"]},
    "uuid": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[a-zA-Z0-9._-]*$"},
    "image_id": UUID, "destination_type": {"type": "string", "enum": ["local", "volume"]},
    "guest_format": {"type": "string", "maxLength": 255}, "device_type": {"type": "string", "maxLength": 255},
    "disk_bus": {"type": "string", "maxLength": 255},
    "boot_index": {"type": ["integer", "string", "null"], "pattern": "^-?[0-9]+$"}})
_HINTS = {"type": "object", "properties": {
    "group": {"oneOf": [{"type": "array", "items": UUID}, UUID]},
    "different_host": {"oneOf": [UUID, {"type": "array", "items": UUID}]},
    "same_host": {"type": ["string", "array"], "items": UUID},
    "query": {"type": ["string", "object"]}, "target_cell": NAME,
    "different_cell": {"type": ["string", "array"], "items": {"type": "string"}},
    "build_near_host_ip": IP_ADDRESS, "cidr": {"type": "string", "pattern": "^/[0-9a-f.:]+$"}},
    "additionalProperties": True}

create: dict[str, Any] = {"type": "object", "properties": {
    "server": {"type": "object", "properties": {
        "name": NAME, "imageRef": IMAGE_ID_OR_EMPTY_STRING, "flavorRef": FLAVOR_REF, "adminPass": ADMIN_PASSWORD,
        "metadata": METADATA,
        "networks": {"type": "array", "items": {"type": "object", "properties": {
            "fixed_ip": IP_ADDRESS, "port": {"type": ["string", "null"], "format": "uuid"},
            "uuid": {"type": "string"}}, "additionalProperties": False}},
        "OS-DCF:diskConfig": DISK_CONFIG, "accessIPv4": ACCESS_IPV4, "accessIPv6": ACCESS_IPV6,
        "personality": PERSONALITY, "availability_zone": NAME,
        "block_device_mapping": {"type": "array", "items": _LEGACY_BDM},
        "block_device_mapping_v2": {"type": "array", "items": _BDM_V2},
        "config_drive": BOOLEAN, "key_name": NAME, "min_count": POSITIVE_INTEGER, "max_count": POSITIVE_INTEGER,
        "return_reservation_id": BOOLEAN,
        "security_groups": {"type": "array", "items": {"type": "object", "properties": {"name": NAME},
                                                       "additionalProperties": False}},
        "user_data": {"type": "string", "format": "base64", "maxLength": 65535}},
        "required": ["name", "flavorRef"], "additionalProperties": False},
    "os:scheduler_hints": _HINTS, "OS-SCH-HNT:scheduler_hints": _HINTS},
    "required": ["server"], "additionalProperties": False}


def derive(base: dict[str, Any], wrapper: str = "server", **changes: Any) -> dict[str, Any]:
    """A copy of `base` with properties of its `wrapper` object set (None drops one), as Nova's
    `create_vXYZ = copy.deepcopy(...)` then edits."""
    schema = copy.deepcopy(base)
    properties = schema["properties"][wrapper]["properties"]
    for name, value in changes.items():
        if value is None:
            properties.pop(name)
        else:
            properties[name] = value
    return schema


def _networks(item_properties: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [{"type": "array", "items": {"type": "object", "properties": item_properties,
                                                  "additionalProperties": False}},
                      {"type": "string", "enum": ["none", "auto"]}]}


def _with_bdm_property(schema: dict[str, Any], key: str, value: dict[str, Any]) -> dict[str, Any]:
    schema["properties"]["server"]["properties"]["block_device_mapping_v2"]["items"]["properties"][key] = value
    return schema


def _with_network_tag(schema: dict[str, Any]) -> dict[str, Any]:
    schema["properties"]["server"]["properties"]["networks"]["items"]["properties"]["tag"] = TAG
    return schema


create_v219 = derive(create, description=DESCRIPTION)
create_v232 = _with_bdm_property(_with_network_tag(derive(create_v219)), "tag", TAG)
create_v233 = _with_network_tag(derive(create_v219))
_NETWORK_237 = {"fixed_ip": IP_ADDRESS, "port": {"type": ["string", "null"], "format": "uuid"}, "uuid": UUID}
create_v237 = derive(create_v233, networks=_networks(_NETWORK_237))
create_v237["properties"]["server"]["required"].append("networks")
create_v242 = _with_bdm_property(derive(create_v237, networks=_networks({**_NETWORK_237, "tag": TAG})), "tag", TAG)
create_v252 = derive(create_v242, tags={"type": "array", "items": TAG, "maxItems": 50})
create_v257 = derive(create_v252, personality=None)
create_v263 = derive(create_v257, trusted_image_certificates=TRUSTED_CERTS)
create_v267 = _with_bdm_property(derive(create_v263), "volume_type",
                                 {"type": ["string", "null"], "minLength": 0, "maxLength": 255})
create_v274 = derive(create_v267, host=FQDN, hypervisor_hostname=FQDN)
create_v290 = derive(create_v274, hostname=HOSTNAME)
create_v294 = derive(create_v290, hostname=FQDN)

update: dict[str, Any] = {"type": "object", "properties": {"server": {"type": "object", "properties": {
    "name": NAME, "OS-DCF:diskConfig": DISK_CONFIG, "accessIPv4": ACCESS_IPV4, "accessIPv6": ACCESS_IPV6},
    "additionalProperties": False}}, "required": ["server"], "additionalProperties": False}
update_v219 = derive(update, description=DESCRIPTION)
update_v290 = derive(update_v219, hostname=HOSTNAME)
update_v294 = derive(update_v290, hostname=FQDN)

_REBOOT_TYPES = ["HARD", "Hard", "hard", "SOFT", "Soft", "soft"]
reboot = {"type": "object", "properties": {"reboot": {
    "type": "object", "properties": {"type": {"type": "string", "enum": _REBOOT_TYPES}},
    "required": ["type"], "additionalProperties": False}}, "required": ["reboot"], "additionalProperties": False}
# Nova: "TODO(stephenfin): Restrict the value to 'null' in a future API version" -- any value passes today
start_server = {"type": "object", "properties": {"os-start": {}}, "required": ["os-start"],
                "additionalProperties": False}
stop_server = {"type": "object", "properties": {"os-stop": {}}, "required": ["os-stop"],
               "additionalProperties": False}

lock = {"type": "object", "properties": {"lock": {}}, "required": ["lock"], "additionalProperties": False}
lock_v273 = {"type": "object", "properties": {"lock": {
    "type": ["object", "null"], "properties": {"locked_reason": {"type": "string", "minLength": 1, "maxLength": 255}},
    "additionalProperties": False}}, "required": ["lock"], "additionalProperties": False}
unlock = {"type": "object", "properties": {"unlock": {}}, "required": ["unlock"], "additionalProperties": False}

rebuild: dict[str, Any] = {"type": "object", "properties": {"rebuild": {"type": "object", "properties": {
    "name": NAME, "imageRef": UUID, "adminPass": ADMIN_PASSWORD, "metadata": METADATA, "preserve_ephemeral": BOOLEAN,
    "OS-DCF:diskConfig": DISK_CONFIG, "accessIPv4": ACCESS_IPV4, "accessIPv6": ACCESS_IPV6,
    "personality": PERSONALITY}, "required": ["imageRef"], "additionalProperties": False}},
    "required": ["rebuild"], "additionalProperties": False}


rebuild_v219 = derive(rebuild, "rebuild", description=DESCRIPTION)
rebuild_v254 = derive(rebuild_v219, "rebuild", key_name={"oneOf": [
    {"type": "string", "minLength": 1, "maxLength": 255}, {"type": "null"}]})
rebuild_v257 = derive(rebuild_v254, "rebuild", personality=None,
                              user_data={"type": ["string", "null"], "format": "base64", "maxLength": 65535})
rebuild_v263 = derive(rebuild_v257, "rebuild", trusted_image_certificates=TRUSTED_CERTS)
rebuild_v290 = derive(rebuild_v263, "rebuild", hostname=HOSTNAME)
rebuild_v294 = derive(rebuild_v290, "rebuild", hostname=FQDN)

# Nova: "TODO(stephenfin): Remove additionalProperties in a future API version" -- other keys pass today
_SECURITY_GROUP = {"type": "object", "properties": {"name": {"type": "string", "minLength": 1}},
                   "required": ["name"], "additionalProperties": False}
add_security_group = {"type": "object", "properties": {"addSecurityGroup": _SECURITY_GROUP},
                      "required": ["addSecurityGroup"], "additionalProperties": True}
remove_security_group = {"type": "object", "properties": {"removeSecurityGroup": _SECURITY_GROUP},
                         "required": ["removeSecurityGroup"], "additionalProperties": True}

# --- server_metadata ---------------------------------------------------------------------------------
metadata_all = {"type": "object", "properties": {"metadata": METADATA}, "required": ["metadata"],
                "additionalProperties": False}
metadata_item = {"type": "object", "properties": {"meta": {**METADATA, "minProperties": 1, "maxProperties": 1}},
                 "required": ["meta"], "additionalProperties": False}

# --- server_groups -----------------------------------------------------------------------------------
_POLICIES = ["anti-affinity", "affinity"]


def _server_group(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": {"server_group": {
        "type": "object", "properties": {"name": NAME, **properties}, "required": ["name", *required],
        "additionalProperties": False}}, "required": ["server_group"], "additionalProperties": False}


def _policies(allowed: list[str]) -> dict[str, Any]:
    return {"type": "array", "prefixItems": [{"type": "string", "enum": allowed}], "uniqueItems": True,
            "minItems": 1, "maxItems": 1}


server_group_create = _server_group({"policies": _policies(_POLICIES)}, ["policies"])
_SOFT = [*_POLICIES, "soft-anti-affinity", "soft-affinity"]
server_group_create_v215 = _server_group({"policies": _policies(_SOFT)}, ["policies"])
server_group_create_v264 = _server_group({
    "policy": {"type": "string", "enum": _SOFT},
    "rules": {"type": "object", "properties": {"max_server_per_host": POSITIVE_INTEGER},
              "additionalProperties": False}}, ["policy"])

# --- attach_interfaces ------------------------------------------------------------------------------
attach_interface: dict[str, Any] = {"type": "object", "properties": {"interfaceAttachment": {
    "type": "object", "properties": {
        "net_id": UUID, "port_id": UUID,
        "fixed_ips": {"type": "array", "minItems": 1, "maxItems": 1, "items": {
            "type": "object", "properties": {"ip_address": IP_ADDRESS}, "required": ["ip_address"],
            "additionalProperties": False}}},
    "additionalProperties": False}}, "additionalProperties": False}
attach_interface_v249 = copy.deepcopy(attach_interface)
attach_interface_v249["properties"]["interfaceAttachment"]["properties"]["tag"] = TAG

# --- keypairs ---------------------------------------------------------------------------------------
_KEYPAIR_NAME = keypair_name(r"^[_\- a-zA-Z0-9]+$")


def _keypair(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": {"keypair": {
        "type": "object", "properties": properties, "required": required, "additionalProperties": False}},
        "required": ["keypair"], "additionalProperties": False}


keypair_create = _keypair({"name": _KEYPAIR_NAME, "public_key": {"type": "string"}}, ["name"])
_KEY_TYPE = {"type": "string", "enum": ["ssh", "x509"]}
keypair_create_v22 = _keypair({"name": _KEYPAIR_NAME, "type": _KEY_TYPE, "public_key": {"type": "string"}},
                              ["name"])
keypair_create_v210 = _keypair({"name": _KEYPAIR_NAME, "type": _KEY_TYPE, "public_key": {"type": "string"},
                                "user_id": {"type": "string"}}, ["name"])
keypair_create_v292 = _keypair({"name": keypair_name(r"^[_\-\@\. a-zA-Z0-9]+$"), "type": _KEY_TYPE,
                                "public_key": {"type": "string"}, "user_id": {"type": "string"}},
                               ["name", "public_key"])


# --- compiled, by microversion ----------------------------------------------------------------------
class Versioned:
    """The schemas of one body over microversion ranges (Nova's stacked `@validation.schema`), compiled."""

    def __init__(self, *ranges: tuple[dict[str, Any], Version, Version | None]) -> None:
        self.ranges = [(compile_schema(schema), low, high) for schema, low, high in ranges]

    def at(self, version: Version) -> Any:
        for validator, low, high in self.ranges:
            if low <= version and (high is None or version <= high):
                return validator
        raise LookupError(version)


CREATE = Versioned((create, (2, 1), (2, 18)), (create_v219, (2, 19), (2, 31)), (create_v232, (2, 32), (2, 32)),
                   (create_v233, (2, 33), (2, 36)), (create_v237, (2, 37), (2, 41)),
                   (create_v242, (2, 42), (2, 51)), (create_v252, (2, 52), (2, 56)),
                   (create_v257, (2, 57), (2, 62)), (create_v263, (2, 63), (2, 66)),
                   (create_v267, (2, 67), (2, 73)), (create_v274, (2, 74), (2, 89)),
                   (create_v290, (2, 90), (2, 93)), (create_v294, (2, 94), None))
UPDATE = Versioned((update, (2, 1), (2, 18)), (update_v219, (2, 19), (2, 89)), (update_v290, (2, 90), (2, 93)),
                   (update_v294, (2, 94), None))
REBUILD = Versioned((rebuild, (2, 1), (2, 18)), (rebuild_v219, (2, 19), (2, 53)),
                    (rebuild_v254, (2, 54), (2, 56)), (rebuild_v257, (2, 57), (2, 62)),
                    (rebuild_v263, (2, 63), (2, 89)), (rebuild_v290, (2, 90), (2, 93)), (rebuild_v294, (2, 94), None))
ACTIONS = {"reboot": Versioned((reboot, (2, 1), None)), "os-start": Versioned((start_server, (2, 1), None)),
           "os-stop": Versioned((stop_server, (2, 1), None)),
           "lock": Versioned((lock, (2, 1), (2, 72)), (lock_v273, (2, 73), None)),
           "unlock": Versioned((unlock, (2, 1), None)), "rebuild": REBUILD,
           "addSecurityGroup": Versioned((add_security_group, (2, 1), None)),
           "removeSecurityGroup": Versioned((remove_security_group, (2, 1), None))}
METADATA_ALL = Versioned((metadata_all, (2, 1), None))
METADATA_ITEM = Versioned((metadata_item, (2, 1), None))
SERVER_GROUP = Versioned((server_group_create, (2, 1), (2, 14)), (server_group_create_v215, (2, 15), (2, 63)),
                         (server_group_create_v264, (2, 64), None))
ATTACH_INTERFACE = Versioned((attach_interface, (2, 1), (2, 48)), (attach_interface_v249, (2, 49), None))
CREATE_KEYPAIR = Versioned((keypair_create, (2, 1), (2, 1)), (keypair_create_v22, (2, 2), (2, 9)),
                           (keypair_create_v210, (2, 10), (2, 91)), (keypair_create_v292, (2, 92), None))
