"""The topology tree: one Tree whose roots are the sections (Networks, Routers, Servers, Floating IPs,
Load balancers), updated in place from each new snapshot.

A refresh reconciles the nodes that exist with what `widgets.nodes.children` says should exist, key by
key: gone nodes are removed, new ones inserted, changed labels relabelled, and nothing else is touched,
so the expansion state and the cursor survive every refresh (as `DirectoryTree._reload` does). Children
are built only when a node is first expanded, so 5,000 ports are 5,000 nodes only if someone opens them;
sections start open unless they are large (`LARGE_SECTION`). Top-level children come from a `Memo`, so a
refresh that changed nothing rebuilds no label and touches no node.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from netdash.cloud.model import Resource, Topology
from netdash.widgets.nodes import SECTIONS, STARTS_CLOSED, Memo, NodeData, children, resource_of

#: a section holding more objects than this starts collapsed, its children unbuilt until it is opened, so
#: a large project opens on the nodes of its small sections only
LARGE_SECTION = 200
#: appended to the label of a node an action is changing
PENDING = Text("  pending…", style="bold yellow")
#: how a tour marks the objects of the step it played
STEP = Text("  ◂ this step", style="bold yellow")


class TopologyTree(Tree[NodeData]):
    """The project's objects, by section; `update(topology)` applies a new snapshot in place."""

    BINDINGS = [
        Binding("right", "expand_node", "Expand", show=False, tooltip="Expand the highlighted node",
                id="tree.expand"),
        Binding("left", "collapse_node", "Collapse", show=False,
                tooltip="Collapse the highlighted node, or go to its parent", id="tree.collapse"),
    ]

    class ObjectHighlighted(Message):
        """The cursor is on another object (None: a section, or nothing)."""

        def __init__(self, kind: str, resource_id: str, resource: Resource | None) -> None:
            self.kind = kind
            self.resource_id = resource_id
            self.resource = resource
            super().__init__()

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("project", NodeData("root", "root", "root", Text("project"), loaded=True),
                         id=id, classes=classes)
        self.show_root = False
        self.guide_depth = 3
        self.topology = Topology()
        self.filter_text = ""
        #: nodes added, relabelled and removed by the last update (tests and benchmarks read it)
        self.last_changes = 0
        self._memo = Memo()
        #: ((kind, id, resource) of the last ObjectHighlighted, a section's label then)
        self._announced: tuple[tuple[str, str, Resource | None], object] | None = None
        #: nodes labelled "pending…" by `set_pending`
        self._pending: list[TreeNode[NodeData]] = []
        #: whether nodes a filter took away were open (by their path of keys): put back as they were
        self._was_open: dict[tuple[str, ...], bool] = {}
        #: which sections were open before a filter opened them all
        self._sections_open: dict[str, bool] | None = None

    # --- attributes down ------------------------------------------------------------------------------
    def update(self, topology: Topology) -> None:
        """Apply a new snapshot: touch only the nodes whose object appeared, vanished or changed."""
        self.topology = topology
        self.last_changes = 0
        self._memo.roll()
        self._reconcile(self.root)
        # A refresh that changed neither the tree nor the object under the cursor says nothing: each
        # announcement redraws the details and the footer, and with frequent refreshes and a busy probe
        # those redraws were most of what kept key presses waiting.
        self._announce_cursor(quiet_if_same=self.last_changes == 0)

    def set_filter(self, text: str) -> None:
        """Show only top-level objects whose name, address or id (or those of their children) match. Every
        node keeps its expansion: the objects a filter hides come back open or closed as they were, and the
        sections it opened close again."""
        self.filter_text = text.strip()
        if self.filter_text and self._sections_open is None:
            self._sections_open = {s.data.key: s.is_expanded for s in self.root.children if s.data is not None}
        self._reconcile(self.root)
        if self.filter_text:
            for section in self.root.children:
                if section.data is not None and not section.data.loaded:  # a large section: build the matches
                    section.data.loaded = True
                    self._reconcile(section)
                section.expand()
        elif self._sections_open is not None:
            for section in self.root.children:
                if section.data is not None and not self._sections_open.get(section.data.key, True):
                    section.collapse()
            self._sections_open = None
            self._was_open.clear()  # what is still remembered went away while hidden
        self._announce_cursor()

    @property
    def selected(self) -> tuple[str, str] | None:
        """(kind, id) of the object under the cursor, None on a section or nothing."""
        node = self.cursor_node
        if node is None or node.data is None or node.data.kind in ("root", "section"):
            return None
        return node.data.kind, node.data.id

    def find(self, kind: str, resource_id: str) -> TreeNode[NodeData] | None:
        """The first built node standing for an object (children not yet built are not searched)."""
        stack = list(self.root.children)
        while stack:
            node = stack.pop(0)
            if node.data is not None and node.data.kind == kind and node.data.id == resource_id:
                return node
            stack[0:0] = node.children
        return None

    def reveal(self, path: Iterable[str], open_it: bool = False) -> TreeNode[NodeData] | None:
        """Open the nodes along `path` (keys from a section down, `nodes.path_to`), building children not
        built yet, and put the cursor on the last one (`open_it`: opened too); None (and the cursor left
        alone) when a key is not there (an object the filter hides, or one gone since the path was made)."""
        node = self.root
        for key in path:
            if node is not self.root:
                self._open(node)
            found = next((c for c in node.children if c.data is not None and c.data.key == key), None)
            if found is None:
                return None
            node = found
        if open_it and node.allow_expand:
            self._open(node)
        _ = self.last_line  # the lines the new nodes take, counted now: the cursor goes by line
        self.move_cursor(node)
        return node

    def _open(self, node: TreeNode[NodeData]) -> None:
        if node.data is not None and not node.data.loaded:
            node.data.loaded = True
            self._reconcile(node)
        node.expand()

    def section(self, key: str) -> TreeNode[NodeData]:
        return next(node for node in self.root.children if node.data is not None and node.data.id == key)

    def set_pending(self, touched: Iterable[tuple[str, str]], note: Text = PENDING) -> None:
        """Mark every built node of these objects ((kind, id); ("section", key) for a section's title) as
        pending while an action changes them; `clear_pending` puts their labels back. `note`: what the mark
        says (a tour marks what its step changed, which is not pending any more)."""
        wanted = {(kind, resource_id) for kind, resource_id in touched if resource_id}
        stack = list(self.root.children)
        while stack:
            node = stack.pop()
            data = node.data
            if data is not None and (data.kind, data.id) in wanted:
                node.set_label(Text.assemble(data.label, note))
                self._pending.append(node)
            stack.extend(node.children)
        self.set_class(note is PENDING, "-pending")  # the border says an action is under way: not a tour's step

    def clear_pending(self) -> None:
        for node in self._pending:
            if node.data is not None:
                node.set_label(node.data.label)
        self._pending.clear()
        self.remove_class("-pending")

    # --- reconciliation -------------------------------------------------------------------------------
    def _reconcile(self, node: TreeNode[NodeData]) -> None:
        assert node.data is not None
        wanted = children(self.topology, node.data, self.filter_text, self._memo)
        existing = {child.data.key: child for child in node.children if child.data is not None}
        keys = {child.key for child in wanted}
        for key, child in existing.items():
            if key not in keys:
                if self.filter_text:  # hidden by the filter, not gone: it comes back as it is now
                    self._remember_open(child)
                child.remove()
                self.last_changes += 1
        previous: TreeNode[NodeData] | None = None
        for spec in wanted:
            child = existing.get(spec.key)
            if child is None:
                data = NodeData(spec.kind, spec.id, spec.key, spec.label, spec.via)
                child = node.add(spec.label, data, after=previous, allow_expand=spec.expandable) if previous \
                    else node.add(spec.label, data, before=0, allow_expand=spec.expandable)
                self.last_changes += 1
                was_open = self._was_open.pop(self._path(child), None) if self._was_open else None
                if (node.data.kind == "root" and self._small(spec.id)) or was_open:  # sections start open
                    data.loaded = True
                    child.expand()
                    self._reconcile(child)
            else:
                assert child.data is not None
                if child.data.label is not spec.label and child.data.label != spec.label:
                    child.data.label = spec.label
                    child.set_label(spec.label)
                    self.last_changes += 1
                if child.allow_expand != spec.expandable:
                    child.allow_expand = spec.expandable
                if child.data.loaded:
                    self._reconcile(child)
            previous = child

    @staticmethod
    def _path(node: TreeNode[NodeData]) -> tuple[str, ...]:
        path: list[str] = []
        while node.data is not None and node.data.kind != "root":
            path.append(node.data.key)
            if node.parent is None:
                break
            node = node.parent
        return tuple(reversed(path))

    def _remember_open(self, node: TreeNode[NodeData]) -> None:
        """Note which nodes of this subtree are open (only those: a closed one is the default)."""
        stack = [node]
        while stack:
            current = stack.pop()
            if current.is_expanded:
                self._was_open[self._path(current)] = True
                stack.extend(current.children)

    def _small(self, section: str) -> bool:
        if section in STARTS_CLOSED and not self.filter_text:
            return False
        attribute = next((attr for key, _, attr in SECTIONS if key == section), "")
        return len(getattr(self.topology, attribute, ())) <= LARGE_SECTION or bool(self.filter_text)

    def _on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeData]) -> None:
        data = event.node.data
        if data is not None and not data.loaded:
            data.loaded = True
            self._reconcile(event.node)

    def _on_tree_node_highlighted(self, event: Tree.NodeHighlighted[NodeData]) -> None:
        self._announce_cursor()

    def announce(self) -> None:
        """Say again what is under the cursor: the App's selection came from elsewhere meanwhile (the map)."""
        self._announced = None
        self._announce_cursor()

    def _announce_cursor(self, quiet_if_same: bool = False) -> None:
        node = self.cursor_node
        data = node.data if node is not None else None
        if data is None or data.kind in ("root", "section"):
            said = (data.kind if data else "", data.id if data else "", None)
            # a section's label says what of it could not be read: a change to that is news to the details
            seen: object = data.label if data is not None and data.kind == "section" else None
        else:
            said = (data.kind, data.id, resource_of(self.topology, data.kind, data.id))
            seen = None
        if quiet_if_same and (said, seen) == self._announced:
            return
        self._announced = (said, seen)
        self.post_message(self.ObjectHighlighted(*said))

    # --- keys -----------------------------------------------------------------------------------------
    def action_expand_node(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand:
            node.expand()

    def action_collapse_node(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded:
            node.collapse()
        elif node.parent is not None and not node.parent.is_root:
            self.move_cursor(node.parent)
