"""Reading a whole project's bodies in this process: every list, and the status trees that carry member health.

One GET per resource type, all in flight at the same time on a small thread pool (the SDK is synchronous),
plus one status tree per load balancer that needs reading (`cloud.status_trees`), each through the
session's boundary, which counts it and holds it to the request budget (`cloud.budget`). Bodies stay JSON:
building a `Port` resource of the SDK for each of thousands of ports costs far more than reading the
same list as JSON (`bench/README.md`), and `cloud.deltas` converts only what changed anyway.

Members: from the status trees, not from `GET /pools/{id}/members`. A tree already carries each member's
id, name, address, port and both statuses, so a pool costs no call of its own. What a tree lacks (weight,
backup, subnet, admin state) stays at the model's defaults; only a pool no listener points at (absent from
every tree) gets a member-list call.

The dashboard's fetch process (`cloud.fetch_child`) runs this same reader on its side of the pipe.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from . import convert, status_trees
from .errors import ApiError, CloudUnreachable
from .session import Session

#: what `convert.port` reads: Neutron's `fields=` leaves out the rest (bindings, DHCP options, address
#: pairs, timestamps), which at thousands of ports is most of what the cloud encodes and the client decodes
PORT_FIELDS = ("id", "name", "network_id", "mac_address", "fixed_ips", "device_id", "device_owner", "status",
               "admin_state_up", "project_id", "tenant_id", "security_groups")
#: (Topology field, service type, path under the service root, collection key of the answer)
LISTS: tuple[tuple[str, str, str, str], ...] = (
    ("networks", "network", "/networks", "networks"),
    ("subnets", "network", "/subnets", "subnets"),
    ("ports", "network", "/ports?" + "&".join(f"fields={f}" for f in PORT_FIELDS), "ports"),
    ("routers", "network", "/routers", "routers"),
    ("floating_ips", "network", "/floatingips", "floatingips"),
    ("servers", "compute", "/servers/detail", "servers"),
    ("load_balancers", "load-balancer", "/lbaas/loadbalancers", "loadbalancers"),
    ("listeners", "load-balancer", "/lbaas/listeners", "listeners"),
    ("pools", "load-balancer", "/lbaas/pools", "pools"),
    ("health_monitors", "load-balancer", "/lbaas/healthmonitors", "healthmonitors"),
)
#: the lists whose operating statuses the status trees overwrite
STATUS_FIELDS = ("load_balancers", "listeners", "pools", "health_monitors")
WORKERS = 8
#: objects per page of a list (Octavia's and Nova's default maximum is 1,000)
PAGE = 500

T = TypeVar("T")


class InlineFetch:
    """The bodies of one project, read through `session`; `trees` says which status trees to read again."""

    def __init__(self, session: Session, services: frozenset[str]) -> None:
        self.session = session
        self.services = services
        #: status trees read so far; which to read again (`cloud.status_trees`)
        self.trees = status_trees.TreeCache()
        self._executor: ThreadPoolExecutor | None = None

    def adopt_trees(self, trees: status_trees.TreeCache) -> None:
        """Start from another reader's status trees (the dashboard's, handed to its fetch process), so the
        first fetch does not read every tree again."""
        trees.watched = self.trees.watched
        self.trees = trees

    async def fetch_bodies(self) -> dict[str, list[Any]]:
        """Every list, as the APIs' JSON, with the status trees' operating statuses written in and the
        members as one more list (`members`, each body with its `pool_id`). Raises a NetdashError; after
        a transport failure the session's pooled connections are dropped, so the next try opens fresh ones."""
        loop = asyncio.get_running_loop()
        if self._executor is None:
            self._executor = ThreadPoolExecutor(WORKERS, thread_name_prefix="netdash-fetch")
        try:
            return await self._bodies(loop, self._executor)
        except CloudUnreachable:
            self.session.reset_connections()  # a half-closed keep-alive socket would fail the retry too
            raise

    async def _bodies(self, loop: asyncio.AbstractEventLoop, executor: ThreadPoolExecutor) -> dict[str, list[Any]]:
        def run(fn: Callable[[], T]) -> Awaitable[T]:
            return loop.run_in_executor(executor, fn)

        def listing(service: str, path: str, collection: str) -> Callable[[], list[Any]]:
            return lambda: self._list(service, path, collection)

        def tree_of(lb_id: str) -> Callable[[], Any]:
            return lambda: self.session.get("load-balancer", f"/lbaas/loadbalancers/{lb_id}/status")

        wanted = [entry for entry in LISTS if entry[1] in self.services]
        lists = {field: run(listing(service, path, collection)) for field, service, path, collection in wanted}

        async def trees() -> convert.StatusTree:
            tree = convert.StatusTree()
            if "load_balancers" in lists:
                related = [await lists[f] if f in lists else [] for f in
                           ("load_balancers", "listeners", "pools", "health_monitors")]
                current = status_trees.signatures(*related)
                to_read = self.trees.plan(current)
                bodies = await asyncio.gather(*(run(tree_of(i)) for i in to_read))
                for lb_id, body in zip(to_read, bodies, strict=True):
                    self.trees.store(lb_id, current[lb_id], body)
                    tree.add(body)
                for body in self.trees.cached(to_read):
                    tree.add(body)
            return tree

        # Every call is awaited to its end even when one fails, and every failure is retrieved (a failed
        # list also fails `trees`, which awaits it); the first one is what the caller sees.
        reading_trees = asyncio.ensure_future(trees())  # under way beside the lists, not after them
        listed = await asyncio.gather(*lists.values(), return_exceptions=True)
        (tree,) = await asyncio.gather(reading_trees, return_exceptions=True)
        failure = next((r for r in [*listed, tree] if isinstance(r, BaseException)), None)
        if failure is not None:
            raise failure
        assert not isinstance(tree, BaseException)
        results: dict[str, list[Any]] = {f: r for f, r in zip(lists, listed, strict=True)
                                         if not isinstance(r, BaseException)}
        for field in STATUS_FIELDS:
            tree.apply(results.get(field, ()))
        if "load_balancers" not in results:
            return results
        members = tree.members
        orphans = [d["id"] for d in results.get("pools", []) if isinstance(d, dict)
                   and isinstance(d.get("id"), str) and d["id"] not in members]
        orphan_lists = await asyncio.gather(*(
            run(listing("load-balancer", f"/lbaas/pools/{i}/members", "members")) for i in orphans))
        for pool_id, found in zip(orphans, orphan_lists, strict=True):
            members[pool_id] = convert.with_pool(found, pool_id)
        results["members"] = [m for found in members.values() for m in found]
        return results

    def _list(self, service: str, path: str, collection: str) -> list[Any]:
        """Every page of a collection: clients follow `<collection>_links` rel=next, as the SDK does.

        In pages of `PAGE`: `json.loads` holds the GIL for a whole body, and one body of thousands of ports
        would hold it long enough for the dashboard to miss a key (`bench/README.md`)."""
        items: list[Any] = []
        url: str | None = f"{path}{'&' if '?' in path else '?'}limit={PAGE}"
        while url:
            body = self.session.get(service, url)
            page = body.get(collection) if isinstance(body, dict) else None
            if not isinstance(page, list):
                raise ApiError(f"{service} {path}: answer has no {collection!r} list")
            items.extend(page)
            links = body.get(f"{collection}_links")
            url = next((link.get("href") for link in links or () if isinstance(link, dict)
                        and link.get("rel") == "next"), None) if page else None
        return items

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
