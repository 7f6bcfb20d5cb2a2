"""List semantics of Neutron: filters on any attribute, `fields`, sorting, and limit/marker pagination.

Repeated filter keys are OR-ed (`?id=a&id=b`), booleans match "True"/"true"/"1", `fixed_ips=ip_address=X`
and `fixed_ips=subnet_id=Y` look inside the allocations, and tag filters follow the tag extension. An unknown
filter is a 400 because the `filter-validation` extension is advertised: silently ignoring it would answer a
whole collection to a query that asked for a few items. `changed_since` is one: Neutron 29's timestamp plugin
would filter on it, but no resource declares it a filter, so filter validation refuses it first
(`api_common.get_filters_from_dict`), as realstack answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..core import Request, Response, paginate, pick_fields
from .errors import bad_request, bad_resource, not_found

CONTROL = {"fields", "limit", "marker", "sort_key", "sort_dir", "page_reverse"}
TAG_FILTERS = {"tags", "tags-any", "not-tags", "not-tags-any"}
Predicate = Callable[[dict[str, Any]], bool]


def matches(value: Any, wanted: list[str]) -> bool:
    if isinstance(value, bool):
        return any(w.lower() in (("true", "1") if value else ("false", "0")) for w in wanted)
    if value is None:
        return "" in wanted
    if isinstance(value, list):
        return any(isinstance(v, str | int) and str(v) in wanted for v in value)
    if isinstance(value, dict):
        return False
    return str(value) in wanted


def fixed_ips_predicate(values: list[str]) -> Predicate:
    """`fixed_ips=ip_address=X&fixed_ips=subnet_id=Y`: each named key must match some allocation."""
    wanted: dict[str, list[str]] = {}
    for value in values:
        key, _, text = value.partition("=")
        wanted.setdefault(key, []).append(text)
    unknown = set(wanted) - {"ip_address", "subnet_id", "ip_address_substr"}
    if unknown:
        raise bad_request(f"{sorted(unknown)} is invalid attribute for filtering")

    def check(item: dict[str, Any]) -> bool:
        ips = item.get("fixed_ips") or []
        for key, texts in wanted.items():
            if key == "ip_address_substr":
                hit = any(t in ip["ip_address"] for ip in ips for t in texts)
            else:
                hit = any(ip[key] in texts for ip in ips)
            if not hit:
                return False
        return True

    return check


def tags_predicate(kind: str, values: list[str]) -> Predicate:
    wanted = {t for v in values for t in v.split(",") if t}

    def check(item: dict[str, Any]) -> bool:
        tags = set(item.get("tags") or [])
        if kind == "tags":
            return wanted <= tags
        if kind == "tags-any":
            return bool(wanted & tags)
        if kind == "not-tags":
            return not wanted <= tags
        return not wanted & tags

    return check


def predicates(req: Request, known: Iterable[str], handled: Iterable[str] = ()) -> list[Predicate]:
    """The item tests of the request's filters; `handled` are filters the caller applied itself."""
    allowed = set(known)
    done = set(handled)
    result: list[Predicate] = []
    for key, values in req.query.items():
        if key in CONTROL or key in done:
            continue
        if key in TAG_FILTERS:
            result.append(tags_predicate(key, values))
        elif key == "fixed_ips" and key in allowed:
            result.append(fixed_ips_predicate(values))
        elif key in allowed:
            result.append(lambda item, k=key, v=values: matches(item.get(k), v))
        else:
            raise bad_request(f"['{key}'] is invalid attribute for filtering")
    return result


def shown(req: Request, resource: str, view: dict[str, Any]) -> Response:
    """A show's answer: `fields=` picks keys as it does on a list (`GET /networks/{id}?fields=id&fields=name`)."""
    return Response(200, {resource: pick_fields([view], req.args("fields"))[0]})


def sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (2, "")
    if isinstance(value, bool | int | float):
        return (0, value)
    return (1, str(value))


def sort_items(items: list[dict[str, Any]], req: Request, known: Iterable[str]) -> list[dict[str, Any]]:
    keys = req.args("sort_key")
    dirs = req.args("sort_dir")
    if (req.arg("limit") or req.arg("marker")) and "id" not in keys:  # Neutron pages in id order
        keys, dirs = [*keys, "id"], [*dirs, *["asc"] * (len(keys) - len(dirs)), "asc"]
    if not keys:
        return items
    allowed = set(known)
    for key in keys:
        if key not in allowed:
            raise bad_request(f"{key} is invalid attribute for sort_key")
    for direction in dirs:
        if direction not in ("asc", "desc"):
            raise bad_request(f"{direction} is invalid value for sort_dir")
    # Stable sorts from the least significant key up give the multi-key order.
    ordered = list(items)
    for index in range(len(keys) - 1, -1, -1):
        reverse = (dirs[index] if index < len(dirs) else "asc") == "desc"
        if keys[index] == "id":  # always a string: no wrapper per item (a page of 5,000 ports sorts them all)
            ordered.sort(key=lambda item: item["id"], reverse=reverse)
        else:
            ordered.sort(key=lambda item, k=keys[index]: sort_key(item.get(k)), reverse=reverse)
    return ordered


def list_answer(
    req: Request, resource: str, collection: str, items: Iterable[dict[str, Any]], known: Iterable[str],
    *, view: Callable[[dict[str, Any]], dict[str, Any]] | None = None, handled: Iterable[str] = (),
) -> Response:
    """Filter, sort, page and project `items` (the caller's views, or its records and their `view`) into
    Neutron's list answer.

    With `view` and a plain paged listing (no filter, no sort key: what clients send page after page),
    the page is cut from the records and only its entries become views, not every record's for every page
    (bench/README.md has what that saved). `handled`: filters the caller applied already."""
    known = tuple(known)
    checks = predicates(req, known, handled)
    if view is not None:
        if not checks and not req.args("sort_key") and not req.arg("page_reverse"):
            return page_answer(req, resource, collection, sort_items(list(items), req, known), view)
        items = (view(record) for record in items)
    selected = [item for item in items if all(check(item) for check in checks)] if checks else list(items)
    selected = sort_items(selected, req, known)
    return page_answer(req, resource, collection, selected)


def page_answer(req: Request, resource: str, collection: str, selected: list[dict[str, Any]],
                view: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> Response:
    try:
        page, links = paginate(selected, req, collection)
    except LookupError:
        raise not_found(resource, req.arg("marker") or "") from None
    except ValueError:
        raise bad_resource(
            "limit", f"Limit must be an integer 0 or greater and not '{req.arg('limit')}'"
        ) from None
    if view is not None:
        page = [view(record) for record in page]
    body: dict[str, Any] = {collection: pick_fields(page, req.args("fields"))}
    if links:
        body[f"{collection}_links"] = links
    return Response(200, body)
