"""Reading a whole project's bodies in this process: every list, and the status trees that carry member health.

One GET per resource type (and one for the project's network quotas with their usage), all in flight at the
same time on a small thread pool (the SDK is synchronous), plus one status tree per load balancer that needs
reading (`cloud.status_trees`), each through the session's boundary, which counts it and holds it to the
request budget (`cloud.budget`). Bodies stay JSON: building a `Port` resource of the SDK for each of
thousands of ports costs far more than reading the same list as JSON (`bench/README.md`), and `cloud.deltas`
converts only what changed anyway.

Members: from the status trees, with what only `GET /pools/{id}/members` says (weight, admin state, backup,
subnet, monitor address) read when a tree is new, changed or watched (`status_trees`): an unchanged pool
costs no call of its own. A pool no listener points at (absent from every tree) gets a member-list call.

Failures, list by list: a list that fails (a 503 of one service, a timeout on `/ports`) is named in the
failures and left out, and every other list is returned as usual, so the caller keeps that one field's last
good data and shows the rest live (issue 14). The status trees and member lists count as one more field,
`members`: a failed tree, or a failed list the trees are planned from, keeps the last members. Only a fetch
in which nothing answered, or the credentials were refused, fails as a whole.

The dashboard's fetch process (`cloud.fetch_child`) runs this same reader on its side of the pipe.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from . import convert, status_trees
from .errors import ApiError, AuthError, CloudUnreachable, NetdashError, refresh_error
from .session import DEMOCLOUD, Session

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
    ("security_groups", "network", "/security-groups", "security_groups"),
    ("servers", "compute", "/servers/detail", "servers"),
    ("load_balancers", "load-balancer", "/lbaas/loadbalancers", "loadbalancers"),
    ("listeners", "load-balancer", "/lbaas/listeners", "listeners"),
    ("pools", "load-balancer", "/lbaas/pools", "pools"),
    ("health_monitors", "load-balancer", "/lbaas/healthmonitors", "healthmonitors"),
)
#: the lists whose operating statuses the status trees overwrite
STATUS_FIELDS = ("load_balancers", "listeners", "pools", "health_monitors")
#: the lists the choice of status trees is made from (`status_trees.signatures`), in its order
TREE_INPUTS = ("load_balancers", "listeners", "pools", "health_monitors")
#: the lists a fetch could not read (a Topology field, or `members` for the status trees), and why
Failures = dict[str, NetdashError]
WORKERS = 8
#: objects per page of a list (Octavia's and Nova's default maximum is 1,000)
PAGE = 500

T = TypeVar("T")


class InlineFetch:
    """The bodies of one project, read through `session`; `trees` says which status trees to read again."""

    def __init__(self, session: Session, services: frozenset[str], endpoints_url: str | None = None) -> None:
        self.session = session
        self.services = services
        #: the embedded cloud's endpoint list (None: a real cloud, whose addresses are what they say)
        self.endpoints_url = endpoints_url
        #: where it serves each floating IP and listener, as last read (kept while a read fails)
        self.served: dict[tuple[str, str], str] = {}
        #: status trees read so far; which to read again (`cloud.status_trees`)
        self.trees = status_trees.TreeCache()
        self._executor: ThreadPoolExecutor | None = None
        #: False once the network service said it has no quota details (404): not asked again
        self.quota_details = True

    def adopt_trees(self, trees: status_trees.TreeCache) -> None:
        """Start from another reader's status trees (the dashboard's, handed to its fetch process), so the
        first fetch does not read every tree again."""
        trees.watched = self.trees.watched
        self.trees = trees

    async def fetch_bodies(self) -> tuple[dict[str, list[Any]], Failures]:
        """(every list that answered, as the APIs' JSON, with the status trees' operating statuses written
        in and the members as one more list (`members`, each body with its `pool_id`); the lists that did
        not answer, by field, and why).

        A list that fails is left out and named in the failures, so that one failing service (or one
        failing list) costs only its own section: the caller keeps that field's last good data. Raises a
        NetdashError only when nothing answered, or the credentials were refused (nothing will). After a
        transport failure the session's pooled connections are dropped, so the next try opens fresh ones."""
        loop = asyncio.get_running_loop()
        if self._executor is None:
            self._executor = ThreadPoolExecutor(WORKERS, thread_name_prefix="netdash-fetch")
        try:
            bodies, failures = await self._bodies(loop, self._executor)
        except CloudUnreachable:
            self.session.reset_connections()  # a half-closed keep-alive socket would fail the retry too
            raise
        if any(isinstance(error, CloudUnreachable) for error in failures.values()):
            self.session.reset_connections()
        return bodies, failures

    async def _bodies(self, loop: asyncio.AbstractEventLoop,
                      executor: ThreadPoolExecutor) -> tuple[dict[str, list[Any]], Failures]:
        def run(fn: Callable[[], T]) -> Awaitable[T]:
            return loop.run_in_executor(executor, fn)

        def listing(service: str, path: str, collection: str) -> Callable[[], list[Any]]:
            return lambda: self._list(service, path, collection)

        def tree_of(lb_id: str) -> Callable[[], Any]:
            return lambda: self.session.get("load-balancer", f"/lbaas/loadbalancers/{lb_id}/status")

        async def member_lists(pool_ids: list[str]) -> dict[str, list[Any]]:
            """Each pool's member list that answered; a failure is the `members` field's."""
            found = await asyncio.gather(*(
                run(listing("load-balancer", f"/lbaas/pools/{i}/members", "members")) for i in pool_ids),
                return_exceptions=True)
            lists: dict[str, list[Any]] = {}
            for pool_id, listed in zip(pool_ids, found, strict=True):
                if isinstance(listed, Exception):
                    failures.setdefault("members", refresh_error(listed))
                elif isinstance(listed, BaseException):
                    raise listed
                else:
                    lists[pool_id] = listed
            return lists

        wanted = [entry for entry in LISTS if entry[1] in self.services]
        lists = {field: run(listing(service, path, collection)) for field, service, path, collection in wanted}
        if "network" in self.services and self.quota_details:
            lists["quotas"] = run(self._quotas)
        failures: Failures = {}

        async def trees() -> convert.StatusTree | None:
            """The status trees, or None when one of the lists they are planned from failed."""
            tree = convert.StatusTree()
            if "load_balancers" in lists:
                # the four lists are one service's: all of them are asked for, or none
                answers = await asyncio.gather(*(lists[f] for f in TREE_INPUTS), return_exceptions=True)
                related = [r for r in answers if not isinstance(r, BaseException)]
                if len(related) < len(answers):
                    return None  # the failed list is named on its own; the members are kept as they were
                current = status_trees.signatures(*related)
                to_read = self.trees.plan(current)
                bodies = await asyncio.gather(*(run(tree_of(i)) for i in to_read), return_exceptions=True)
                read, detailed = [], convert.StatusTree()
                for lb_id, body in zip(to_read, bodies, strict=True):
                    if isinstance(body, Exception):
                        failures.setdefault("members", refresh_error(body))
                        continue
                    if isinstance(body, BaseException):
                        raise body
                    if self.trees.store(lb_id, current[lb_id], body):
                        detailed.add(body)
                    tree.add(body)
                    read.append(lb_id)
                for body in self.trees.cached(read):
                    tree.add(body)
                self.trees.details.update(await member_lists(list(detailed.members)))
                tree.members = self.trees.with_details(tree.members)
            return tree

        # Every call is awaited to its end even when one fails, and every failure is retrieved (a failed
        # list also stops `trees`, which awaits it).
        reading_trees = asyncio.ensure_future(trees())  # under way beside the lists, not after them
        reading_served = run(self.read_served) if self.endpoints_url else None
        listed = await asyncio.gather(*lists.values(), return_exceptions=True)
        (tree,) = await asyncio.gather(reading_trees, return_exceptions=True)
        if reading_served is not None:
            (served,) = await asyncio.gather(reading_served, return_exceptions=True)
            if isinstance(served, dict):
                self.served = served  # a failed read keeps the last: it is no list of the project's
        results: dict[str, list[Any]] = {}
        for field, result in zip(lists, listed, strict=True):
            if isinstance(result, Exception):
                failures[field] = refresh_error(result)
            elif isinstance(result, BaseException):
                raise result  # cancelled, interrupted: not the cloud's doing
            else:
                results[field] = result
        convert.served_at(results, self.served)
        if isinstance(tree, BaseException):
            raise tree  # a bug of ours, not a failing list (those are in `failures`)
        whole = next((e for e in failures.values() if isinstance(e, AuthError)), None)
        if whole is not None or (lists and not results):
            raise whole or next(iter(failures.values()))
        if "load_balancers" not in lists:
            return results, failures
        if tree is None:
            failed = next(f for f in TREE_INPUTS if f in failures)
            failures.setdefault("members", failures[failed])
            return results, failures
        for field in STATUS_FIELDS:
            tree.apply(results.get(field, ()))
        if "members" in failures:  # a tree failed: the statuses of the ones read are in, the members kept
            return results, failures
        members = tree.members
        orphans = [d["id"] for d in results.get("pools", []) if isinstance(d, dict)
                   and isinstance(d.get("id"), str) and d["id"] not in members]
        for pool_id, found in (await member_lists(orphans)).items():
            members[pool_id] = convert.with_pool(found, pool_id)
        if "members" not in failures:
            results["members"] = [m for found in members.values() for m in found]
        return results, failures

    def answers(self) -> bool:
        """Whether the cloud answers one cheap request: the first list, one object of it. While refreshes
        fail as a whole and back off, the dashboard asks this every interval instead, and refreshes as soon
        as it is true, so a cloud that answers again is seen within one interval (issue 14)."""
        field = next((entry for entry in LISTS if entry[1] in self.services), None)
        if field is None:
            return False
        _, service, path, _ = field
        try:
            self.session.get(service, f"{path}{'&' if '?' in path else '?'}limit=1")
        except Exception:  # whatever it is, the cloud did not answer this
            return False
        return True

    def _quotas(self) -> list[Any]:
        """The project's network quotas with their usage, one body per resource (`convert.quota_items`).
        A cloud without Neutron's `quota_details` extension answers 404: then there are none to show, and
        the question is not asked again; any other failure is this field's, as for a list."""
        project_id = self.session.project_id()
        if project_id is None:  # no Keystone project (a cloud run without authentication)
            return []
        try:
            body = self.session.get("network", f"/quotas/{project_id}/details")
        except ApiError as error:
            if error.status != 404:
                raise
            self.quota_details = False
            return []
        return convert.quota_items(body)

    def read_served(self) -> dict[tuple[str, str], str]:
        """Where the embedded cloud serves its floating IPs, ports and listeners (`convert.endpoints`); empty
        on a cloud whose clouds.yaml entry names no endpoint list (a real one)."""
        if self.endpoints_url is None:
            return {}
        return convert.endpoints(self.session.get(DEMOCLOUD, self.endpoints_url))

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


def said(failures: Failures) -> dict[str, tuple[str, str]]:
    """Each failed field's error as (title, one line): what `Models.topology` keeps and the fetch process
    sends over its pipe (plain strings pickle whatever the error's class)."""
    return {field: (error.title, error.message) for field, error in failures.items()}
