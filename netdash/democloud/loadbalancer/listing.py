"""Octavia collection GETs: filters on any field, tag filters, `sort`, `limit`/`marker` paging, `fields`.

Filters match exactly (octaviaclient finds objects with `?name=X` / `?id=X` and trusts the count it gets);
unknown filter names are ignored, as Octavia ignores attributes its model does not have.
"""

from __future__ import annotations

from typing import Any

from ..core import Request, Response, paginate, pick_fields
from .faults import fault

PAGING = frozenset({"limit", "marker", "page_reverse", "sort", "sort_key", "sort_dir", "fields"})
TAG_FILTERS = frozenset({"tags", "tags-any", "not-tags", "not-tags-any"})


def matches(value: Any, wanted: str) -> bool:
    if isinstance(value, bool):
        return wanted.lower() in (("true", "1") if value else ("false", "0"))
    if value is None:
        return wanted in ("", "None", "null")
    if isinstance(value, list | dict):
        return False
    return str(value) == wanted


def tags_match(tags: list[str], query: Request) -> bool:
    def wanted(name: str) -> set[str]:
        return {t for value in query.args(name) for t in value.split(",") if t}

    have = set(tags or [])
    every, some = wanted("tags"), wanted("tags-any")
    none_of, not_all = wanted("not-tags"), wanted("not-tags-any")
    return ((not every or every <= have) and (not some or bool(some & have))
            and (not not_all or not (not_all & have)) and (not none_of or not none_of <= have))


def filtered(items: list[dict[str, Any]], req: Request,
             parents: list[dict[str, list[str]]] | None = None) -> list[dict[str, Any]]:
    """Items matching every filter; `parents` (one per item) are the ids of the objects it hangs from
    (`loadbalancer_id`, `listener_id`, `pool_id`), which Octavia filters on but does not show."""
    filters = [(k, v[-1]) for k, v in req.query.items() if k not in PAGING and k not in TAG_FILTERS and v]
    use_tags = any(k in req.query for k in TAG_FILTERS)
    out = []
    for index, item in enumerate(items):
        hidden = parents[index] if parents else {}
        if all(wanted in hidden[k] if k in hidden else k not in item or matches(item[k], wanted)
               for k, wanted in filters) and (not use_tags or tags_match(item.get("tags", []), req)):
            out.append(item)
    return out


def sort_keys(req: Request, known: dict[str, Any]) -> list[tuple[str, bool]]:
    """`sort=a:asc,b:desc` or `sort_key=a&sort_dir=desc`; (key, descending) pairs."""
    spec = req.arg("sort")
    pairs: list[tuple[str, str]] = []
    if spec:
        for part in spec.split(","):
            key, _, direction = part.strip().partition(":")
            pairs.append((key, direction or "asc"))
    else:
        keys = req.args("sort_key")
        dirs = req.args("sort_dir")
        pairs = [(k, dirs[i] if i < len(dirs) else "asc") for i, k in enumerate(keys)]
    out = []
    for key, direction in pairs:
        if key not in known:
            raise fault(400, f"Supplied sort key '{key}' is not valid.")
        if direction not in ("asc", "desc"):
            raise fault(400, f"Supplied sort direction '{direction}' is not valid.")
        out.append((key, direction == "desc"))
    return out


def ordered(items: list[dict[str, Any]], req: Request) -> list[dict[str, Any]]:
    if not items:
        return items
    for key, descending in reversed(sort_keys(req, items[0])):
        items = sorted(items, key=lambda i: (i.get(key) is not None, str(i.get(key))), reverse=descending)
    return items


def collection(req: Request, name: str, items: list[dict[str, Any]],
               parents: list[dict[str, list[str]]] | None = None, links_key: str = "") -> Response:
    """The `{name: [...], name_links: [...]}` answer for already visible, fully built views (`links_key`:
    the few collections whose links Octavia names otherwise, such as `flavorprofile_links`)."""
    items = ordered(filtered(items, req, parents), req)
    reverse = (req.arg("page_reverse") or "").lower() == "true"
    if reverse:
        items.reverse()
    try:
        page, links = paginate(items, req, name, style="octavia")
    except LookupError:
        raise fault(400, f"Supplied pagination marker '{req.arg('marker')}' is not valid.") from None
    except ValueError:
        raise fault(400, f"Supplied pagination limit '{req.arg('limit')}' is not valid.") from None
    if reverse:
        page.reverse()
    return Response(200, {name: pick_fields(page, fields_of(req)), links_key or f"{name}_links": links})


def fields_of(req: Request) -> list[str]:
    """`?fields=a&fields=b` or `?fields=a,b`: the keys an answer is limited to (none: every key)."""
    return [f for value in req.args("fields") for f in value.split(",")]


def only_fields(view: dict[str, Any], req: Request) -> dict[str, Any]:
    return pick_fields([view], fields_of(req))[0]
