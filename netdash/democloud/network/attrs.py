"""Request-body validation the way Neutron's API layer does it, before any plugin code runs.

Each resource declares its attributes once, in a table (kind, allowed in POST, allowed in PUT, required).
`Body` turns a table into two JSON Schemas (POST and PUT), compiled at import: an unknown attribute, a
read-only one, a missing required one or a value of the wrong type or shape fails the schema, and the first
error becomes the 400 Neutron answers, worded as neutron-lib words it, so no malformed body reaches the
handlers. A kind's `convert` is neutron-lib's `convert_to` (the string "true" becomes True), applied only to
values the schema accepted; what needs the store (a CIDR that must be free, an id that must exist) is the
rules' business.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..core import Context, MalformedBody, Request
from ..validation import ValidationError, compile_schema, first_error, reason
from .errors import NeutronError, bad_request, bad_resource, invalid_input, neutron_error

Converter = Callable[[Any], Any]


def keep(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Kind:
    """An attribute's type: the JSON Schema its values match, with neutron-lib's reason per failed keyword
    (`reasons`), and the conversion Neutron applies to a value that passed."""

    schema: dict[str, Any]
    convert: Converter = keep


@dataclass(frozen=True)
class Attr:
    kind: Kind
    post: bool = True
    put: bool = True
    required: bool = False


def literal(text: str) -> str:
    """A value spelled into a reason template, its braces kept as they are."""
    return text.replace("{", "{{").replace("}", "}}")


# --- kinds, after neutron-lib's validators and converters ----------------------------------------
# A converter (`convert_to`) that refuses a value raises InvalidInput (`Invalid input for operation: ...`);
# a validator's refusal is the API layer's HTTPBadRequest (`Invalid input for <attr>. Reason: ...`), as
# measured on Neutron 29. A schema's `converter` lists the keywords that stand for its converter.
ANYTHING = Kind({})


def _to_bool(value: Any) -> bool:
    return value.lower() in ("true", "1") if isinstance(value, str) else bool(value)


BOOLEAN = Kind({"anyOf": [{"type": "boolean"}, {"enum": [0, 1]},
                          {"type": "string", "pattern": r"^(?i:true|false|1|0)\Z"}],
                "converter": ["anyOf"], "reasons": {"anyOf": "'{value}' cannot be converted to boolean"}}, _to_bool)
#: what `convert_to_int` takes: anything `int()` does (a bool, a finite float, a string of digits)
_INTEGER = {"anyOf": [{"type": ["integer", "boolean"]}, {"type": "number", "finite": True},
                      {"type": "string", "pattern": r"^\s*[-+]?[0-9]+\s*\Z"}]}


def string(max_len: int = 255) -> Kind:
    return Kind({"type": "string", "maxLength": max_len,
                 "reasons": {"type": "'{value}' is not a valid string",
                             "maxLength": "'{value}' exceeds maximum length of {bound}"}})


def nullable(inner: Kind) -> Kind:
    return Kind({"unlessNull": inner.schema}, lambda value: None if value is None else inner.convert(value))


UUID = Kind({"type": "string", "format": "uuid",
             "reasons": {"type": "'{value}' is not a valid UUID", "format": "'{value}' is not a valid UUID"}})


def integer(low: int, high: int) -> Kind:
    """`convert_to_int` then `validate_range`."""
    out_of_range = f"'{{value}}' is not in range {low} through {high}"
    return Kind({**_INTEGER, "minimum": low, "maximum": high, "converter": ["anyOf"],
                 "reasons": {"anyOf": "'{value}' is not an integer", "minimum": out_of_range,
                             "maximum": out_of_range}}, int)


def one_of(*choices: Any) -> Kind:
    """`type:values` (shown without `valid_values_display`, as most attributes are)."""
    return Kind({"enum": list(choices), "reasons": {"enum": "{value} is not in valid_values"}})


def int_one_of(*choices: int) -> Kind:
    """`convert_to_int` then `type:values`: ip_version's `"4"` is 4."""
    return Kind({**_INTEGER, "intIn": list(choices), "converter": ["anyOf"],
                 "reasons": {"anyOf": "'{value}' is not an integer", "intIn": "{value} is not in valid_values"}},
                int)


IP_ADDRESS = Kind({"type": "string", "format": "ip-address",
                   "reasons": {"type": "'{value}' is not a valid IP address",
                               "format": "'{value}' is not a valid IP address"}},
                  lambda value: str(ipaddress.ip_address(value)))


def list_of(inner: Kind, *, unique: bool = False, not_a_list: str = "'{value}' is not a list",
            duplicates: str = "Duplicate items in the list: '{duplicates}'") -> Kind:
    schema: dict[str, Any] = {"type": "array", "items": inner.schema,
                              "reasons": {"type": not_a_list, "uniqueItems": duplicates}}
    if unique:
        schema["uniqueItems"] = True
    return Kind(schema, lambda value: [inner.convert(item) for item in value])


UNRECOGNIZED = "Unrecognized attribute(s) '{unrecognized}'"


def dict_of(keys: dict[str, Kind], required: tuple[str, ...] = (), *, strict: bool = False,
            unknown: str = UNRECOGNIZED, not_a_dict: str = "'{value}' is not a dictionary") -> Kind:
    """A dict with known keys (`{"start", "end"}`). `strict`: neutron-lib's `_verify_dict_keys`, which
    words a missing and an unknown key alike."""
    expected = literal("{" + ", ".join(map(repr, required)) + "}")
    mismatch = f"Validation of dictionary's keys failed. Expected keys: {expected} Provided keys: {{provided}}"
    return Kind({"type": "object", "additionalProperties": False, "required": list(required),
                 "properties": {k: kind.schema for k, kind in keys.items()},
                 "reasons": {"type": not_a_dict, "additionalProperties": mismatch if strict else unknown,
                             "required": mismatch}},
                lambda value: {k: keys[k].convert(v) for k, v in value.items()})


def dict_or_nodata(keys: dict[str, Kind], required: tuple[str, ...] = (), **kw: Any) -> Kind:
    """`type:dict_or_nodata`: any empty value means none (None), anything else is `dict_of`."""
    inner = dict_of(keys, required, **kw)
    return Kind({"if": {"enum": [None, False, 0, "", [], {}]}, "else": inner.schema},
                lambda value: inner.convert(value) if value else None)


ANY_DICT = Kind({"type": "object", "reasons": {"type": "'{value}' is not a dictionary"}})


def non_negative() -> Kind:
    """`convert_to_int` then `type:non_negative` (a subnet's `prefixlen`, a subnet pool's bounds)."""
    return Kind({**_INTEGER, "minimum": 0, "converter": ["anyOf"],
                 "reasons": {"anyOf": "'{value}' is not an integer", "minimum": "'{value}' should be non-negative"}},
                int)


#: `type:subnet`: a CIDR written with its prefix length
SUBNET = Kind({"type": "string", "format": "cidr", "pattern": "/",
               "reasons": {kw: "'{value}' is not a valid IP subnet" for kw in ("type", "format", "pattern")}})


def raising(kind: Kind, status: int, error_type: str, template: str, *keywords: str) -> Kind:
    """`kind` whose failures are a converter's or validator's own exception rather than the API layer's
    wording: `SecurityGroupRuleInvalidProtocol`, a security group named `default` (409)..."""
    raises = {kw: [status, error_type, template] for kw in keywords}
    return Kind({**kind.schema, "raises": raises}, kind.convert)

NAME = Attr(string())
DESCRIPTION = Attr(string())
#: the tag extension's `tags`: shown, and set through `/{resource}/{id}/tags`, not in the resource's body
TAGS = Attr(ANYTHING, post=False, put=False)
#: except a port's, which a create may carry (neutron's `TAG_ATTRIBUTE_MAP_PORTS`)
PORT_TAGS = Attr(list_of(string(255), unique=True), put=False)
PROJECT = Attr(string(255), put=False)
#: what every resource shows and no request sets (`Attribute 'id' not allowed in POST`, `Cannot update
#: read-only attribute id`); each table adds its own (a network's `subnets`, a port's `binding:vif_type`)
READ_ONLY = Attr(ANYTHING, post=False, put=False)
STANDARD = dict.fromkeys(("id", "created_at", "updated_at", "revision_number"), READ_ONLY)


# --- who is asking, and what they ask for -----------------------------------------------------------
def caller(req: Request) -> Context:
    assert req.context is not None  # routes are not public: the dispatcher answered 401 already
    return req.context


def revised(req: Request, record: dict[str, Any]) -> dict[str, Any]:
    """revision-if-match: a change sent with `If-Match: revision_number=N` applies only to revision N
    (neutron's `check_request_for_revision_constraint`, enforced by its revision plugin with a 412)."""
    wanted = None
    for tag in (t.strip().removeprefix("W/").strip('"') for t in (req.header("if-match") or "").split(",")):
        if not tag.startswith("revision_number="):
            continue
        if wanted is not None:
            raise bad_resource("if-match", "Multiple revision_number etags are not supported.")
        try:
            wanted = int(tag.removeprefix("revision_number="))
        except ValueError:
            raise bad_resource("if-match", "Revision number etag must be in the format of "
                                           "revision_number=<int>") from None
    if wanted is not None and wanted != record["revision_number"]:
        raise neutron_error(412, "RevisionNumberConstraintFailed",
                            f"Constrained to {wanted}, but current revision is {record['revision_number']}")
    return record


# --- body parsing -------------------------------------------------------------------------------
def read_json(req: Request) -> Any:
    if not req.body:
        raise bad_request("Resource body required")
    try:
        return req.json()
    except MalformedBody:
        raise bad_request("Body contains invalid data") from None


#: the schema of an attribute the method does not take: its presence is the error
REFUSED: dict[str, Any] = {"not": {}}


def body_schema(resource: str, spec: dict[str, Attr], *, update: bool) -> dict[str, Any]:
    """`{"<resource>": {...}}`: unknown attributes, what the method refuses (REFUSED) or requires, each
    value's kind. `Body.rank` puts the errors in neutron-lib's order."""
    allowed = {k: (a.put if update else a.post) for k, a in spec.items()}
    required = [] if update else [k for k, a in spec.items() if a.required]
    item = {"type": "object", "additionalProperties": False,
            "properties": {k: a.kind.schema if allowed[k] else REFUSED for k, a in spec.items()}}
    if required:
        item["allOf"] = [{"required": [key]} for key in required]  # one each: the error names its key
    return {"type": "object", "required": [resource], "properties": {resource: item}}


class Body:
    """One resource's request body, POST and PUT, compiled once."""

    def __init__(self, resource: str, spec: dict[str, Attr]) -> None:
        self.resource = resource
        self.spec = spec
        self.validators = {update: compile_schema(body_schema(resource, spec, update=update))
                           for update in (False, True)}
        self.order = {key: index for index, key in enumerate(spec)}

    def rank(self, error: ValidationError) -> tuple[int, ...]:
        """neutron-lib's order (`prepare_request_body`): the body's shape, unknown attributes, then attribute
        by attribute in the table's order what the method allows and requires, then each value."""
        path = error.absolute_path
        if len(path) < 2:
            return (0,) if error.validator != "required" or not path else (2, self.order[error.validator_value[0]])
        if len(path) == 2 and error.schema is REFUSED:
            return (2, self.order[str(path[1])])
        return (3, self.order[str(path[1])])

    def parse(self, req: Request, *, update: bool) -> dict[str, Any]:
        """The converted attributes of `{"<resource>": {...}}`, or the 400 Neutron answers."""
        return self.parse_body(read_json(req), update=update)

    def parse_body(self, body: Any, *, update: bool) -> dict[str, Any]:
        error = first_error(self.validators[update], body, self.rank)
        if error is not None:
            raise self.refusal(error, update=update)
        return {key: self.spec[key].kind.convert(value) for key, value in body[self.resource].items()}

    def creations(self, req: Request) -> tuple[list[dict[str, Any]], bool]:
        """What a POST creates: one item, or the items of a bulk create (`{"<resource>s": [...]}`, each item
        bare or wrapped in its resource key), each checked as a single create is (`prepare_request_body`);
        and whether it was a bulk create."""
        body = read_json(req)
        collection = self.resource + "s"  # as Neutron spells every collection here, even `rbac_policys`
        if not isinstance(body, dict) or collection not in body:
            return [self.parse_body(body, update=False)], False
        items = body[collection]
        if not items:
            raise bad_request("Resources required")
        if isinstance(items, dict):  # Neutron iterates what it is given: a dict's keys
            items = list(items)
        if not isinstance(items, list | str):
            raise bad_request("Body contains invalid data")
        return [self.parse_body(item if isinstance(item, dict) and self.resource in item else {self.resource: item},
                                update=False) for item in items], True

    def refusal(self, error: ValidationError, *, update: bool) -> NeutronError:
        path = list(error.absolute_path)
        if not path and error.validator == "type":
            return bad_request("Body contains invalid data")
        if not path or (len(path) == 1 and error.instance is None):
            return bad_request(f"Unable to find '{self.resource}' in request body")
        if len(path) == 1 and error.validator == "type":
            return bad_request(f"Object '{self.resource}' contains invalid data")
        if len(path) == 1 and error.validator == "additionalProperties":
            unknown = [key for key in error.instance if key not in self.spec]
            return bad_request(f"Unrecognized attribute(s) '{', '.join(unknown)}'")
        if len(path) == 1 and error.validator == "required":
            return bad_request(f"Failed to parse request. Required attribute '{error.validator_value[0]}' "
                               "not specified")
        key = str(path[1])
        if len(path) == 2 and error.schema is REFUSED:
            return bad_request(f"Cannot update read-only attribute {key}" if update else
                               f"Attribute '{key}' not allowed in POST")
        return refused_value(key, error)


def refused_value(key: str, error: ValidationError) -> NeutronError:
    """A value's refusal: its converter's InvalidInput, or its validator's HTTPBadRequest."""
    why = reason(error, error.message)
    schema = error.schema if isinstance(error.schema, dict) else {}
    raised = schema.get("raises", {}).get(error.validator)
    if raised is not None:
        status, error_type, template = raised
        return neutron_error(status, error_type, template.format(value=error.instance))
    if error.validator in schema.get("converter", ()):
        return invalid_input(f"{why}.")
    return bad_request(f"Invalid input for {key}. Reason: {why}.")


@dataclass
class Fields:
    """A bare object of known keys (no resource key around it, unknown keys ignored), as the router
    interface actions take: `{"subnet_id": ...}`."""

    kinds: dict[str, Kind]
    validator: Any = field(init=False)

    def __post_init__(self) -> None:
        self.validator = compile_schema({
            "type": "object", "properties": {k: kind.schema for k, kind in self.kinds.items()}})

    def parse(self, req: Request) -> dict[str, Any]:
        body = read_json(req)
        error = first_error(self.validator, body)
        if error is not None:
            if not error.absolute_path:
                raise bad_request("Body contains invalid data")
            raise refused_value(str(error.absolute_path[0]), error)
        return {k: self.kinds[k].convert(v) for k, v in body.items() if k in self.kinds}
