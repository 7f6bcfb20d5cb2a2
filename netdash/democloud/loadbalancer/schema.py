"""Request body validation the way WSME does it for Octavia: types, ranges, enums, mandatory fields.

Each resource declares its POST and PUT attributes as `Field`s; `parse` turns a request body into a dict of
the attributes the client sent (converted), or raises the 400 a real Octavia answers. Only attributes the
client sent are returned: defaults are applied by the caller, so a PUT never resets what it did not name.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..core import Request, is_uuid
from .faults import fault, invalid_input, unknown_attributes

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "on", "1"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "off", "0"})
MAX_TIMEOUT = 24 * 60 * 60 * 1000


@dataclass(frozen=True)
class Field:
    """One attribute; `kind` names its converter in `CONVERTERS` (str, int, bool, uuid, enum, ip, obj...)."""

    kind: str
    mandatory: bool = False
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    min_length: int | None = None
    pattern: str | None = None
    choices: tuple[Any, ...] = ()
    #: attributes of a nested object (`obj`), or of each element of a list of objects (`objs`)
    fields: dict[str, Field] = field(default_factory=dict)


def text(max_length: int | None = 255, **kw: Any) -> Field:
    return Field("str", max_length=max_length, **kw)


def integer(minimum: int | None = None, maximum: int | None = None, **kw: Any) -> Field:
    return Field("int", minimum=minimum, maximum=maximum, **kw)


def enum(*choices: Any, **kw: Any) -> Field:
    return Field("enum", choices=choices, **kw)


BOOL = Field("bool")
UUID = Field("uuid")
TAGS = Field("strs", max_length=255)


def body_of(req: Request, root: str, argument: str, fields: dict[str, Field]) -> dict[str, Any]:
    """The `{root: {...}}` body of a POST/PUT, validated against `fields`."""
    data = req.json()
    if not isinstance(data, dict):
        raise fault(400, "Request is not in valid JSON format")
    extra = [k for k in data if k != root]
    if extra:
        raise unknown_attributes(argument, extra)
    inner = data.get(root)
    if inner is None:
        raise invalid_input(root, None, "Mandatory field missing.")
    if not isinstance(inner, dict):
        raise invalid_input(root, inner, "Value should be an object")
    return parse(inner, fields, argument)


def parse(data: dict[str, Any], fields: dict[str, Field], argument: str) -> dict[str, Any]:
    unknown = [k for k in data if k not in fields]
    if unknown:
        raise unknown_attributes(argument, unknown)
    out: dict[str, Any] = {}
    for name, spec in fields.items():
        if name not in data or (data[name] is None and spec.mandatory):
            if spec.mandatory:
                raise invalid_input(name, None, "Mandatory field missing.")
            continue
        out[name] = None if data[name] is None else convert(name, data[name], spec)
    return out


def convert(name: str, value: Any, spec: Field) -> Any:
    return CONVERTERS[spec.kind](name, value, spec)


def wrong_type(name: str, value: Any, expected: str) -> Exception:
    return invalid_input(name, value, f"Wrong type. Expected '{expected}', got '{type(value)}'")


def to_str(name: str, value: Any, spec: Field) -> str:
    if not isinstance(value, str):
        raise wrong_type(name, value, "<class 'str'>")
    if spec.min_length is not None and len(value) < spec.min_length:
        raise invalid_input(name, value, f"Value should have a minimum character requirement of "
                                         f"{spec.min_length}")
    if spec.max_length is not None and len(value) > spec.max_length:
        raise invalid_input(name, value, f"Value should have a maximum character requirement of "
                                         f"{spec.max_length}")
    if spec.pattern is not None and not re.match(spec.pattern, value):
        raise invalid_input(name, value, f"Value should match the pattern {spec.pattern}")
    return value


def to_int(name: str, value: Any, spec: Field) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise wrong_type(name, value, "<class 'int'>")
    try:
        number = int(value)
    except ValueError:
        raise invalid_input(name, value, f"invalid literal for int() with base 10: '{value}'") from None
    if spec.minimum is not None and number < spec.minimum:
        raise invalid_input(name, value, f"Value should be greater or equal to {spec.minimum}")
    if spec.maximum is not None and number > spec.maximum:
        raise invalid_input(name, value, f"Value should be lower or equal to {spec.maximum}")
    return number


def to_bool(name: str, value: Any, spec: Field) -> bool:
    if isinstance(value, bool | int):
        return bool(value)
    if isinstance(value, str) and value.lower() in TRUE_WORDS:
        return True
    if isinstance(value, str) and value.lower() in FALSE_WORDS:
        return False
    raise invalid_input(name, value, f"Value not an unambiguous boolean: {value}")


def to_uuid(name: str, value: Any, spec: Field) -> str:
    if not isinstance(value, str) or not is_uuid(value):
        raise invalid_input(name, value, "Value should be UUID format")
    return value


def to_enum(name: str, value: Any, spec: Field) -> Any:
    if value not in spec.choices or isinstance(value, bool):
        raise invalid_input(name, value, f"Value should be one of: {', '.join(map(str, spec.choices))}")
    return value


def to_ip(name: str, value: Any, spec: Field) -> str:
    if not isinstance(value, str):  # ip_address() takes an int too: 5 would be stored as 0.0.0.5
        raise invalid_input(name, value, "Value should be IPv4 or IPv6 format")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise invalid_input(name, value, "Value should be IPv4 or IPv6 format") from None


def to_cidrs(name: str, value: Any, spec: Field) -> list[str]:
    if not isinstance(value, list):
        raise wrong_type(name, value, "[CidrType]")
    try:
        return [str(ipaddress.ip_network(item, strict=False)) for item in value]
    except (ValueError, TypeError):
        raise invalid_input(name, value, "Value should be IPv4 or IPv6 CIDR format") from None


def to_strs(name: str, value: Any, spec: Field) -> list[str]:
    if not isinstance(value, list):
        raise wrong_type(name, value, "[str]")
    return [to_str(name, item, spec) for item in value]


def to_uuids(name: str, value: Any, spec: Field) -> list[str]:
    if not isinstance(value, list):
        raise wrong_type(name, value, "[UuidType]")
    return [to_uuid(name, item, spec) for item in value]


def to_headers(name: str, value: Any, spec: Field) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise wrong_type(name, value, "{str: str}")
    return {str(k): to_str(name, v, spec) for k, v in value.items()}


def to_obj(name: str, value: Any, spec: Field) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid_input(name, value, "Value should be an object")
    return parse(value, spec.fields, name)


def to_list(name: str, value: Any, spec: Field) -> list[Any]:
    if not isinstance(value, list):
        raise wrong_type(name, value, "[object]")
    return value


def to_objs(name: str, value: Any, spec: Field) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise wrong_type(name, value, "[object]")
    return [to_obj(name, item, spec) for item in value]


CONVERTERS: dict[str, Callable[[str, Any, Field], Any]] = {
    "str": to_str, "int": to_int, "bool": to_bool, "uuid": to_uuid, "enum": to_enum, "float_enum": to_enum,
    "ip": to_ip, "cidrs": to_cidrs, "strs": to_strs, "uuids": to_uuids, "headers": to_headers,
    "obj": to_obj, "objs": to_objs, "list": to_list,
}
