"""Request bodies checked against JSON Schemas with jsonschema, the library real Nova (and Keystone) validate
their bodies with, so that the type and shape of a body is a declaration, not code.

Every service declares its bodies as schemas (Nova's and Keystone's as they write them, Neutron's and
Octavia's generated from their attribute tables) and compiles each once, at import, with `compile_schema`.
`first_error` is the error jsonschema finds first — the one Nova's validator raises — and each service words
it as its own 400 (`error.schema["reasons"]`, where a schema gives them, holds the service's wording per
keyword). What is not a type or shape (a CIDR that must be free, an id that must exist) stays in the rules.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators

from .core import is_uuid

__all__ = ["COMPILED", "FORMATS", "InvalidName", "ValidationError", "compile_schema", "first_error", "reason"]


class InvalidName(ValueError):
    """Nova's `format: name`: the error carries Nova's own message (`InvalidName`), not jsonschema's."""


#: jsonschema's formats, with the ones the OpenStack services define themselves (each checks strings
#: only, as format keywords do: the type is the `type` keyword's business)
FORMATS = FormatChecker()


@FORMATS.checks("uuid")
def _uuid(instance: object) -> bool:
    """oslo's `is_uuid_like`, which Nova and Neutron use: dashes optional, any case."""
    return not isinstance(instance, str) or is_uuid(instance)


@FORMATS.checks("ip-address", raises=ValueError)
def _ip_address(instance: object) -> bool:
    return not isinstance(instance, str) or bool(ipaddress.ip_address(instance))


@FORMATS.checks("cidr", raises=ValueError)
def _cidr(instance: object) -> bool:
    return not isinstance(instance, str) or bool(ipaddress.ip_network(instance, strict=False))


@FORMATS.checks("base64", raises=(binascii.Error, ValueError))
def _base64(instance: object) -> bool:
    """Nova's: decodable once characters outside the alphabet are dropped (a strict decode is Nova's
    compute API's business, with its own message)."""
    return not isinstance(instance, str) or base64.b64decode(instance.encode()) is not None


@FORMATS.checks("description")
def _description(instance: object) -> bool:
    """Nova's `valid_description_regex`: printable characters only."""
    return not isinstance(instance, str) or instance.isprintable()


@FORMATS.checks("name", raises=InvalidName)
def _name(instance: object) -> bool:
    """Nova's `valid_name_regex`: printable characters, not starting or ending with whitespace."""
    if isinstance(instance, str) and instance.isprintable() and instance == instance.strip():
        return True
    raise InvalidName("An invalid 'name' value was provided. The name must be: printable characters. "
                      "Can not start or end with whitespace.")


def _as_number(instance: Any) -> Any:
    """Nova's `_number_from_str`: `"10"` is compared as 10 by minimum/maximum (None: not a number)."""
    if not isinstance(instance, str):
        return instance
    for kind in (int, float):
        try:
            return kind(instance)
        except (ValueError, OverflowError):
            continue
    return None


def _bound(keyword: str) -> Any:
    original = Draft202012Validator.VALIDATORS[keyword]

    def check(validator: Any, bound: Any, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
        number = _as_number(instance)
        if number is not None:
            yield from original(validator, bound, number, schema)

    return check


def _unless_null(validator: Any, schema: Any, instance: Any, parent: dict[str, Any]) -> Iterator[ValidationError]:
    """`{"unlessNull": S}`: null, or valid against S (whose errors come out as S's own). Neutron's
    `nullable` and WSME's unset value; `if`/`else` says the same at the cost of an error per value."""
    if instance is not None:
        yield from validator.descend(instance, schema)


def _not_null(validator: Any, flag: Any, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    """`{"notNull": true}`: a value that must be given is not given as null (WSME's mandatory fields)."""
    if flag and instance is None:
        yield ValidationError("None is not allowed")


def _finite(validator: Any, flag: Any, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    """`{"finite": true}`: no Infinity or NaN (Python's JSON reads them) where an integer is made of it."""
    if flag and isinstance(instance, float) and not math.isfinite(instance):
        yield ValidationError(f"cannot convert float {instance} to integer")


def _int_in(validator: Any, choices: list[int], instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    """`{"intIn": [4, 6]}`: once made an integer as `int()` makes it, one of these (neutron-lib's
    `convert_to_int` then `type:values`). Values `int()` refuses are the other keywords' business."""
    try:
        number = int(instance)
    except (TypeError, ValueError, OverflowError):
        return
    if number not in choices:
        yield ValidationError(f"{instance!r} is not one of {choices!r}")


#: Draft 2020-12 with Nova's one change (minimum/maximum also bound numbers written as strings) and keywords
#: of our own for what Neutron's and Octavia's tables say that JSON Schema does not: null as "not given",
#: and the integers their converters make of strings and floats
Validator = validators.extend(Draft202012Validator, {
    "minimum": _bound("minimum"), "maximum": _bound("maximum"), "unlessNull": _unless_null, "notNull": _not_null,
    "finite": _finite, "intIn": _int_in})

#: every validator compiled, so that a test checks each schema against the meta-schema once
COMPILED: list[Any] = []


def compile_schema(schema: dict[str, Any]) -> Any:
    validator = Validator(schema, format_checker=FORMATS)
    COMPILED.append(validator)
    return validator


#: how many errors of one body `first_error` ranks at most (a body of 100,000 bad items has as many)
MAX_RANKED = 1000


def first_error(validator: Any, instance: Any,
                rank: Callable[[ValidationError], tuple[int, ...]] | None = None) -> ValidationError | None:
    """None when `instance` passes. Otherwise the first error in schema order (what `validator.validate`
    raises, and what Nova answers), or with `rank` the error the service would meet first: Neutron and
    Octavia check attribute by attribute in their table's order, which one flat schema (one `properties`
    keyword, descended only for the attributes sent) does not follow; ranking the few errors of a failed
    body costs nothing on the bodies that pass."""
    errors = validator.iter_errors(instance)
    if rank is None:
        return next(errors, None)
    found = list(itertools.islice(errors, MAX_RANKED))
    return min(enumerate(found), key=lambda pair: (rank(pair[1]), pair[0]))[1] if found else None


def reason(error: ValidationError, default: str) -> str:
    """The service's own wording for the failed keyword, from the schema's `reasons`, filled in with
    `{value}` (the offending value) and `extras`; `default`, as it is, when the schema gives none."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    template = schema.get("reasons", {}).get(error.validator)
    return default if template is None else str(template).format(value=error.instance, **extras(error))


def extras(error: ValidationError) -> dict[str, Any]:
    """The values a few reasons quote besides the offending one."""
    instance, schema = error.instance, error.schema if isinstance(error.schema, dict) else {}
    out: dict[str, Any] = {"bound": error.validator_value}
    if isinstance(instance, dict):
        known = schema.get("properties", {})
        out["unrecognized"] = ", ".join(k for k in instance if k not in known)
        out["provided"] = "{" + ", ".join(map(repr, instance)) + "}"  # a set as Python shows it, in body order
    if isinstance(instance, list) and error.validator == "uniqueItems":
        counts = Counter(str(i) for i in instance)
        out["duplicates"] = ", ".join(sorted(i for i, n in counts.items() if n > 1))
    out["type_name"] = type(instance)
    out["type_short"] = type(instance).__name__
    return out
