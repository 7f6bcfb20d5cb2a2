"""Creates, one or in bulk: `POST /v2.0/networks` with `{"networks": [...]}` makes every item or none.

ML2 creates a bulk in one transaction (`_create_bulk_ml2`) and the API layer emulates the same for the
plugins that cannot (`_emulated_bulk_creator`: create each, delete what was made when one fails), so a
client sees one answer either way: 201 with all of them, or the first item's refusal and nothing made. Here
the items are made in order by the same rule a single create calls, and on a refusal the ones made are
undone in reverse order before the refusal is answered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...core import Context, Request, Response
from ..attrs import Body
from ..rules.quotas import Quotas
from ..store import Record

Make = Callable[[dict[str, Any]], Record]
Undo = Callable[[Record], None]
View = Callable[[Record], dict[str, Any]]


def created(req: Request, body: Body, make: Make, undo: Undo, view: View, *,
            check: Callable[[list[dict[str, Any]]], None] | None = None) -> Response:
    """201 with the one record made, or with all of a bulk's (`{"<resource>s": [...]}`), whose items
    `check` may look at together first."""
    items, bulk = body.creations(req)
    if bulk and check is not None:
        check(items)
    if not bulk:
        return Response(201, {body.resource: view(make(items[0]))})
    made: list[Record] = []
    try:
        for attrs in items:
            made.append(make(attrs))
    except Exception:
        for record in reversed(made):
            undo(record)
        raise
    return Response(201, {body.resource + "s": [view(record) for record in made]})


def admitted(quotas: Quotas, ctx: Context, resource: str,
             create: Callable[[Context, dict[str, Any]], Record]) -> Make:
    """A rule's create behind the project's quota, which each item of a bulk passes in turn (so a bulk past
    the limit is refused as a whole, as Neutron's reservation of all its items refuses it)."""
    def make(attrs: dict[str, Any]) -> Record:
        quotas.admit(ctx, attrs, resource)
        return create(ctx, attrs)

    return make
