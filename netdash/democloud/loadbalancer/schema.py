"""Request body validation the way WSME does it for Octavia: types, ranges, enums, mandatory fields.

Each resource declares its POST and PUT attributes once, as `Field`s; `Body` turns such a table into a JSON
Schema, compiled once at import, and `Body.parse` turns a request body into a dict of the attributes the
client sent (converted), or raises the 400 a real Octavia answers: the schema's first error, worded as WSME
words it (`Invalid input for field/attribute X. Value: 'Y'. ...`; the wording per keyword lives in the
schema's `reasons`). Only attributes the client sent are returned: defaults are applied by the caller, so a
PUT never resets what it did not name. What needs other objects (a subnet that must exist) is the
controllers' business.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..core import HttpError, Request
from ..validation import FORMATS, ValidationError, compile_schema, first_error, reason
from .faults import fault, invalid_input, unknown_attributes

TRUE_WORDS = ("true", "t", "yes", "y", "on", "1")
FALSE_WORDS = ("false", "f", "no", "n", "off", "0")
MAX_TIMEOUT = 24 * 60 * 60 * 1000
MISSING = "Mandatory field missing."
NOT_JSON = "Request is not in valid JSON format"


@dataclass(frozen=True)
class Field:
    """One attribute; `kind` names its schema in `KINDS` (str, int, bool, uuid, enum, ip, obj...)."""

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


# --- a table as a JSON Schema ---------------------------------------------------------------------
# WSME reports two kinds of failure differently, as measured on Octavia 19: a value it cannot convert (a
# string that is no boolean or integer, a list or dict that is not one) fails the whole argument (the field
# is the argument's name, the value the whole body); a converted value that fails its type's validation (a
# string type, a range, an enum) names the field, and for an item of a list or a value of a dict the whole
# list or dict. A schema's `argumentLevel` lists the keywords of the first kind.
def only(*keywords: str) -> Callable[[str], dict[str, str]]:
    return lambda message: dict.fromkeys(keywords, message)


def string_schema(spec: Field) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "reasons": {
        "type": "Value should be string",
        "minLength": "Value should have a minimum character requirement of {bound}",
        "maxLength": "Value should have a maximum character requirement of {bound}",
        "pattern": "Value should match the pattern {bound}"}}
    for keyword, value in (("minLength", spec.min_length), ("maxLength", spec.max_length),
                           ("pattern", spec.pattern)):
        if value is not None:
            schema[keyword] = value
    return schema


def int_schema(spec: Field) -> dict[str, Any]:
    """WSME's IntegerType: whatever `int()` takes (a bool, a float, a string of digits), then the range."""
    schema: dict[str, Any] = {
        "type": ["integer", "number", "boolean", "string"], "finite": True, "pattern": r"^\s*[-+]?[0-9]+\s*\Z",
        "argumentLevel": ["type", "finite", "pattern"], "reasons": {
            "type": "int() argument must be a string, a bytes-like object or a real number, not '{type_short}'",
            "pattern": "invalid literal for int() with base 10: '{value}'",
            "minimum": "Value should be greater or equal to {bound}",
            "maximum": "Value should be lower or equal to {bound}"}}
    if spec.minimum is not None:
        schema["minimum"] = spec.minimum
    if spec.maximum is not None:
        schema["maximum"] = spec.maximum
    return schema


def bool_schema(spec: Field) -> dict[str, Any]:
    words = "|".join((*TRUE_WORDS, *FALSE_WORDS))
    return {"anyOf": [{"type": ["boolean", "integer"]}, {"type": "string", "pattern": f"^(?i:{words})\\Z"}],
            "argumentLevel": ["anyOf"], "reasons": {"anyOf": "Value not an unambiguous boolean: {value}"}}


def uuid_schema(spec: Field) -> dict[str, Any]:
    return {"type": "string", "format": "uuid", "reasons": only("type", "format")("Value should be UUID format")}


def enum_schema(spec: Field) -> dict[str, Any]:
    listed = ", ".join(map(str, spec.choices)).replace("{", "{{").replace("}", "}}")
    return {"enum": list(spec.choices), "reasons": {"enum": f"Value should be one of: {listed}"}}


#: Octavia's `validate.url`: control characters and spaces refused first (they would reach haproxy's
#: configuration), then rfc3986's checks of an http(s) URL with a host
BAD_URL_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f]")
HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+,;=]+)(:[0-9]*)?$")


@FORMATS.checks("octavia-url")
def _url(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    if BAD_URL_CHARS.search(instance):
        return False
    parts = urlsplit(instance)
    authority = parts.netloc.rpartition("@")[2]
    return parts.scheme.lower() in ("http", "https") and bool(HOST.match(authority))


def url_schema(spec: Field) -> dict[str, Any]:
    return {"type": "string", "format": "octavia-url", "reasons": {
        "type": "Value should be string", "format": "Value must be a valid URL string"}}


def ip_schema(spec: Field) -> dict[str, Any]:
    return {"type": "string", "format": "ip-address",
            "reasons": only("type", "format")("Value should be IPv4 or IPv6 format")}


def array_of(items: dict[str, Any] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "argumentLevel": ["type"],
                              "reasons": {"type": "Value not a valid list: {value}"}}
    if items is not None:
        schema["items"] = items
    return schema


def object_schema(fields: dict[str, Field]) -> dict[str, Any]:
    """An object of `fields`: no unknown attribute, the mandatory ones there and not null, each value of
    its kind (null is "not sent" for the others). `rank` puts the errors in WSME's order."""
    properties = {name: {**PRESENT, "unlessNull": field_schema(spec)} if spec.mandatory else
                  {"unlessNull": field_schema(spec)} for name, spec in fields.items()}
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": properties,
                              "reasons": {"type": "Value should be an object"}}
    mandatory = [name for name, spec in fields.items() if spec.mandatory]
    if mandatory:
        schema["allOf"] = [{"required": [name]} for name in mandatory]  # one each: the error names its field
    return schema


#: a mandatory field sent as null is as missing as one not sent
PRESENT: dict[str, Any] = {"notNull": True, "reasons": {"notNull": MISSING}}

KINDS: dict[str, Callable[[Field], dict[str, Any]]] = {
    "str": string_schema, "int": int_schema, "bool": bool_schema, "uuid": uuid_schema, "enum": enum_schema,
    "float_enum": enum_schema, "ip": ip_schema, "url": url_schema,
    "cidrs": lambda spec: array_of({"type": "string", "format": "cidr", "reasons": only(
        "type", "format")("Value should be IPv4 or IPv6 CIDR format")}),
    "strs": lambda spec: array_of(string_schema(spec)),
    "uuids": lambda spec: array_of(uuid_schema(spec)),
    "headers": lambda spec: {"type": "object", "additionalProperties": string_schema(spec),
                             "argumentLevel": ["type"], "reasons": {"type": "Value not a valid dict: {value}"}},
    "obj": lambda spec: object_schema(spec.fields),
    "list": lambda spec: array_of(),
    "objs": lambda spec: array_of(object_schema(spec.fields)),
}


def field_schema(spec: Field) -> dict[str, Any]:
    return KINDS[spec.kind](spec)


# --- converting what passed -----------------------------------------------------------------------
def to_bool(value: Any) -> bool:
    return value.lower() in TRUE_WORDS if isinstance(value, str) else bool(value)


#: An address (`ip`) stays as sent: Octavia's IPAddressType validates and returns the string unchanged, so
#: `2001:db8:0:0:0:0:0:1` is stored and answered so (a CIDR is normalised: CidrType returns `with_prefixlen`).
CONVERTERS: dict[str, Callable[[Any, Field], Any]] = {
    "int": lambda value, spec: int(value),
    "bool": lambda value, spec: to_bool(value),
    "cidrs": lambda value, spec: [str(ipaddress.ip_network(item, strict=False)) for item in value],
    "obj": lambda value, spec: convert(value, spec.fields),
    "objs": lambda value, spec: [convert(item, spec.fields) for item in value],
}


def convert(data: dict[str, Any], fields: dict[str, Field]) -> dict[str, Any]:
    """The attributes sent, converted to what WSME hands the controller (`"5"` to 5, `"yes"` to True)."""
    out: dict[str, Any] = {}
    for name, value in data.items():
        spec = fields[name]
        change = CONVERTERS.get(spec.kind)
        out[name] = value if value is None or change is None else change(value, spec)
    return out


# --- the error -----------------------------------------------------------------------------------
def rank(order: dict[str, int]) -> Callable[[ValidationError], tuple[int, ...]]:
    """WSME's order: the body's shape and unknown attributes, then field by field in the table's order
    (a mandatory one missing, or its value)."""

    def key(error: ValidationError) -> tuple[int, ...]:
        path = error.absolute_path
        if len(path) >= 2 and isinstance(path[1], str):
            return (1, order.get(path[1], 0))
        if len(path) == 1 and error.validator == "required":
            return (1, order.get(error.validator_value[0], 0))
        return (0,)

    return key


def refusal(error: ValidationError, argument: str, data: Any) -> HttpError:
    """WSME's answer to the first error of `data` (the whole body), in the two kinds described above; an
    unknown attribute names the argument's path down to the object that has it."""
    path = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if not path and error.validator == "type":
        return fault(400, NOT_JSON)
    if error.validator == "additionalProperties" and schema.get("additionalProperties") is False:
        known = schema.get("properties", {})
        return unknown_attributes(".".join([argument, *map(str, path)]),
                                  [k for k in error.instance if k not in known])
    if error.validator == "required":
        return invalid_input(error.validator_value[0], None, MISSING)
    why = reason(error, error.message)
    if error.validator in schema.get("argumentLevel", ()):
        return invalid_input(argument, data, why)
    value = error.instance
    in_container = len(error.absolute_schema_path) > 1 and error.absolute_schema_path[-2] in (
        "items", "additionalProperties")
    if in_container:  # an item of a list, a value of a dict: WSME shows the list or the dict
        path, value = path[:-1], at(data, path[:-1])
    names = [p for p in path if isinstance(p, str)]
    return invalid_input(names[-1] if names else argument, value, why)


def at(data: Any, path: list[Any]) -> Any:
    for step in path:
        data = data[step]
    return data


class Body:
    """`{root: {...}}`, the body of a POST or PUT, against a table of `fields`; compiled once."""

    def __init__(self, root: str, argument: str, fields: dict[str, Field]) -> None:
        self.root = root
        self.argument = argument
        self.fields = fields
        self.validator = compile_schema({
            "type": "object", "additionalProperties": False, "required": [root],
            "properties": {root: {**PRESENT, "unlessNull": object_schema(fields)}}})
        self.rank = rank({name: index for index, name in enumerate(fields)})

    def parse(self, req: Request) -> dict[str, Any]:
        data = req.json()
        error = first_error(self.validator, data, self.rank)
        if error is not None:
            raise refusal(error, self.argument, data)
        return convert(data[self.root], self.fields)


class Batch:
    """`{"members": [{...}, ...]}`: a list of `fields` objects under one key (the member batch update)."""

    def __init__(self, root: str, fields: dict[str, Field]) -> None:
        self.root = root
        self.fields = fields
        self.validator = compile_schema({
            "type": "object", "additionalProperties": False, "required": [root],
            "properties": {root: {"type": "array", "items": object_schema(fields)}}})

    def parse(self, req: Request) -> list[dict[str, Any]]:
        data = req.json()
        error = first_error(self.validator, data)
        if error is not None:
            if len(error.absolute_path) <= 1:  # not {root: [...]}
                raise invalid_input(self.root, None, MISSING)
            raise refusal(error, self.root, data)
        return [convert(item, self.fields) for item in data[self.root]]
