"""Tags of the resources with standard attributes, as Neutron 29's tag plugin keeps them
(neutron/services/tag/tag_plugin.py, neutron/extensions/tagging.py).

A resource's tags are a set; they are kept sorted, as its database answers them (the tags table's key is
the resource's and the tag's). At most 50 a resource; a tag is a string of at most 255 characters. Adding a
tag it has is no change, removing one it has not is `TagNotFound`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import bad_resource, neutron_error
from ..store import Record, Store

MAX_TAGS = 50


class Tags:
    def __init__(self, store: Store, clock: Callable[[], float]) -> None:
        self.store = store
        self.clock = clock

    def replace(self, record: Record, collection: str, tags: list[str]) -> None:
        """`PUT /tags`: exactly these."""
        self.check_count(collection, set(tags))
        self.write(record, set(tags))

    def add_one(self, record: Record, collection: str, tag: str) -> None:
        """`PUT /tags/{tag}`: counted with the ones it has."""
        self.check_count(collection, {*record["tags"], tag})
        self.write(record, {*record["tags"], tag})

    def add_many(self, record: Record, collection: str, tags: list[str]) -> None:
        """`POST /tags` (tag-creation): the new ones alone are counted, as Neutron counts them."""
        self.check_count(collection, set(tags))
        self.write(record, {*record["tags"], *tags})

    def remove(self, record: Record, tag: str) -> None:
        if tag not in record["tags"]:
            raise neutron_error(404, "TagNotFound", f"Tag {tag} could not be found.")
        self.write(record, set(record["tags"]) - {tag})

    def clear(self, record: Record) -> None:
        self.write(record, set())

    def has(self, record: Record, tag: str) -> None:
        if tag not in record["tags"]:
            raise neutron_error(404, "TagNotFound", f"Tag {tag} could not be found.")

    @staticmethod
    def check_count(collection: str, tags: set[str]) -> None:
        """`validate_tags_limit`, whose words name the collection (`Bad networks request: ...`)."""
        if len(tags) > MAX_TAGS:
            raise bad_resource(collection, f"The number of tags exceed the per-resource limit of {MAX_TAGS}")

    def write(self, record: Record, tags: set[str]) -> None:
        ordered = sorted(tags)
        if ordered != record["tags"]:
            record["tags"] = ordered
            self.store.touch(record, self.clock())
