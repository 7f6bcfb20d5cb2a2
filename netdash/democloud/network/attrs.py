"""Request-body validation the way Neutron's API layer does it, before any plugin code runs.

Each resource declares its attributes (converter, allowed in POST, allowed in PUT, required); a body with an
unknown attribute, a read-only one, a missing required one or a value of the wrong type is a 400 whose
message is the one Neutron writes, so that no malformed body can reach the handlers.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..core import Context, MalformedBody, Request, is_uuid
from .errors import bad_request

Converter = Callable[[Any], Any]


class Invalid(ValueError):
    """A converter's reason, shown as `Invalid input for <attr>. Reason: <reason>.`"""


@dataclass(frozen=True)
class Attr:
    convert: Converter
    post: bool = True
    put: bool = True
    required: bool = False


# --- converters ---------------------------------------------------------------------------------
def anything(value: Any) -> Any:
    return value


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    raise Invalid(f"'{value}' cannot be converted to boolean")


def string(max_len: int = 255) -> Converter:
    def convert(value: Any) -> str:
        if not isinstance(value, str):
            raise Invalid(f"'{value}' is not a valid string")
        if len(value) > max_len:
            raise Invalid(f"'{value}' exceeds maximum length of {max_len}")
        return value

    return convert


def nullable(inner: Converter) -> Converter:
    def convert(value: Any) -> Any:
        return None if value is None else inner(value)

    return convert


def uuid(value: Any) -> str:
    if not isinstance(value, str) or not is_uuid(value):
        raise Invalid(f"'{value}' is not a valid UUID")
    return value


def integer(low: int, high: int) -> Converter:
    def convert(value: Any) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise Invalid(f"'{value}' is not an integer") from None
        if isinstance(value, bool) or (isinstance(value, float) and number != value):
            raise Invalid(f"'{value}' is not an integer")
        if not low <= number <= high:
            raise Invalid(f"'{number}' is not in range {low} through {high}")
        return number

    return convert


def one_of(*choices: Any) -> Converter:
    def convert(value: Any) -> Any:
        if value not in choices:
            raise Invalid(f"{value!r} is not in {list(choices)}")
        return value

    return convert


def ip_address(value: Any) -> str:
    try:
        return str(ipaddress.ip_address(value))
    except (TypeError, ValueError):
        raise Invalid(f"'{value}' is not a valid IP address") from None


def list_of(inner: Converter) -> Converter:
    def convert(value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise Invalid(f"'{value}' is not a list")
        return [inner(item) for item in value]

    return convert


def unique_list_of(inner: Converter) -> Converter:
    def convert(value: Any) -> list[Any]:
        items = list_of(inner)(value)
        duplicates = sorted({str(i) for i in items if items.count(i) > 1})
        if duplicates:
            raise Invalid(f"Duplicate items in the list: '{', '.join(duplicates)}'")
        return items

    return convert


def dict_of(keys: dict[str, Converter], required: tuple[str, ...] = ()) -> Converter:
    """A dict with known keys (`{"start", "end"}`): unknown or missing keys are invalid."""

    def convert(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise Invalid(f"'{value}' is not a dictionary")
        extra = sorted(set(value) - set(keys))
        if extra:
            raise Invalid(f"Unrecognized attribute(s) '{', '.join(extra)}'")
        missing = [k for k in required if k not in value]
        if missing:
            raise Invalid(
                f"Validation of dictionary's keys failed. Expected keys: {set(required)} "
                f"Provided keys: {set(value)}"
            )
        return {k: keys[k](v) for k, v in value.items()}

    return convert


def any_dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(f"'{value}' is not a dictionary")
    return value


NAME = Attr(string())
DESCRIPTION = Attr(string())
TAGS = Attr(unique_list_of(string(255)), put=False)
PROJECT = Attr(string(255), put=False)


# --- who is asking, and what they ask for -----------------------------------------------------------
def caller(req: Request) -> Context:
    assert req.context is not None  # routes are not public: the dispatcher answered 401 already
    return req.context


# --- body parsing -------------------------------------------------------------------------------
def read_json(req: Request) -> Any:
    if not req.body:
        raise bad_request("Resource body required")
    try:
        return req.json()
    except MalformedBody:
        raise bad_request("Body contains invalid data") from None


def parse(req: Request, resource: str, spec: dict[str, Attr], *, update: bool) -> dict[str, Any]:
    """The converted attributes of `{"<resource>": {...}}`, or the 400 Neutron answers."""
    body = read_json(req)
    if not isinstance(body, dict) or resource not in body:
        raise bad_request(f"Unable to find '{resource}' in request body")
    return check(body[resource], resource, spec, update=update)


def check(item: Any, resource: str, spec: dict[str, Attr], *, update: bool) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise bad_request(f"Unable to find '{resource}' in request body")
    unknown = [k for k in item if k not in spec]
    if unknown:
        raise bad_request(f"Unrecognized attribute(s) '{', '.join(unknown)}'")
    result: dict[str, Any] = {}
    for key, value in item.items():
        attr = spec[key]
        if update and not attr.put:
            raise bad_request(f"Cannot update read-only attribute {key}")
        if not update and not attr.post:
            raise bad_request(f"Attribute '{key}' not allowed in POST")
        try:
            result[key] = attr.convert(value)
        except Invalid as exc:
            raise bad_request(f"Invalid input for {key}. Reason: {exc}.") from None
    if not update:
        for key, attr in spec.items():
            if attr.required and key not in result:
                raise bad_request(f"Failed to parse request. Required attribute '{key}' not specified")
    return result
