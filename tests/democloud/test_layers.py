"""The embedded cloud's modules form layers: no import cycle anywhere in `netdash.democloud`.

grimp (what import-linter builds its graph with) sees every import, those under `TYPE_CHECKING` included,
so a module that only names another's type for an annotation counts: a cycle of annotations is still two
ideas that cannot be read, changed or tested apart.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import grimp
import pytest

PACKAGE = "netdash.democloud"


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the groups of modules that import each other, directly or not."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_no_import_cycle_in_the_embedded_cloud() -> None:
    graph = grimp.build_graph("netdash", cache_dir=None)
    modules = {m for m in graph.modules if m == PACKAGE or m.startswith(PACKAGE + ".")}
    imports = {m: set(graph.find_modules_directly_imported_by(m)) & modules for m in modules}
    cycles = strongly_connected(imports)
    described = []
    for group in cycles:
        first, *_ = group
        # one concrete loop through the group, for the message
        there = graph.find_shortest_chain(importer=first, imported=group[1]) or ()
        back = graph.find_shortest_chain(importer=group[1], imported=first) or ()
        described.append(" -> ".join([*there, *back[1:]]))
    assert cycles == [], "import cycles:\n" + "\n".join(described)


def test_the_cycle_finder_finds_cycles() -> None:
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("package", ["netdash.democloud.network", "netdash.democloud.compute"])
def test_no_class_of_neutron_or_nova_is_built_from_another_of_its_package(package: str) -> None:
    """Neutron and Nova are a store, rules and controllers composed by hand, not mixins over one base that
    call each other through `self` (a cycle no import tool sees): no class of the package inherits from
    another one (typed errors excepted: they are a hierarchy of refusals, not behaviour)."""
    root = importlib.import_module(package)
    modules = [root, *(importlib.import_module(info.name)
                       for info in pkgutil.walk_packages(root.__path__, package + "."))]
    classes = {cls for module in modules for _, cls in inspect.getmembers(module, inspect.isclass)
               if cls.__module__.startswith(package)}
    assert len(classes) > 5  # the controllers and rules were found
    mixed = {cls.__qualname__: [base.__qualname__ for base in cls.__mro__[1:] if base in classes]
             for cls in classes if not issubclass(cls, BaseException)}
    assert {name: bases for name, bases in mixed.items() if bases} == {}
