"""Testing views in plain CPython, without a component or a host.

- ``host()`` is the stand-in the capability functions of ``liveplug.host`` reach natively: it
  records the title, pushed events, the last navigation, flash, key-value data and log lines;
  ``reset_host()`` empties (or seeds) it.
- ``ViewHarness(ViewClass)`` drives a view through the same glue the component exports use
  (JSON strings in, a ``parts`` arena out), keeps the templates and component renders the
  host would keep, checks the arena's invariants as the host does, and writes the HTML the
  host would (``html()``), escaping text nodes and attribute values.
- ``render_html(value)`` is the HTML of one template value (a ``Tree``...) on its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional

from . import _parts
from ._exports import Runtime
from .template import Builder
from .view import LiveView

__all__ = ["HostState", "host", "reset_host", "ViewHarness", "render_html", "escape", "ArenaError", "load_view"]


@dataclass
class HostState:
    title: Optional[str] = None
    events: list = field(default_factory=list)  # (name, payload, before_patch)
    navigation: Optional[tuple] = None  # (kind, to, replace): patch, navigate, redirect, external
    flash: dict = field(default_factory=dict)
    kv: dict = field(default_factory=dict)
    logs: list = field(default_factory=list)  # (level, message)
    kv_limit: Optional[int] = None  # refuse kv_set when len(key) + len(value) exceeds it


_HOST = HostState()


def host() -> HostState:
    """The native stand-in for the host's capabilities."""
    return _HOST


def reset_host(**seed: Any) -> HostState:
    """Empties the stand-in, then sets the given fields (``flash={...}``, ``kv={...}``...)."""
    global _HOST
    _HOST = HostState(**seed)
    return _HOST


def escape(text: str) -> str:
    """The host's escaping of text and attribute values."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")
    )


class ArenaError(AssertionError):
    """A render that breaks an invariant the host checks (a guest fault there)."""


class _Writer:
    def __init__(
        self,
        parts: Any,
        templates: dict[int, list[str]],
        components: dict[int, int],
        component_nodes: dict[int, tuple],
        streams: Optional[dict[str, list]] = None,
    ):
        self.parts = parts
        self.streams = {} if streams is None else streams  # name -> [(dom id, html)] in the DOM
        self.templates = templates
        self.components = components  # component id -> root node index, in this render
        self.component_nodes = component_nodes  # id -> (nodes, root) kept from earlier renders
        self.visited: set[int] = set()

    def node(self, nodes: list, index: int) -> str:
        if not 0 <= index < len(nodes):
            raise ArenaError(f"node index {index} out of range ({len(nodes)} nodes)")
        if nodes is self.parts.nodes:
            if index in self.visited:
                raise ArenaError(f"node {index} is reachable twice")
            self.visited.add(index)
        node = nodes[index]
        kind = type(node).__name__
        if kind == "Node_Text":
            return escape(node.value)
        if kind == "Node_Raw":
            return node.value
        if kind == "Node_Attributes":
            out = []
            for attribute in node.value:
                if attribute.value is None:
                    out.append(f" {attribute.name}")
                else:
                    out.append(f' {attribute.name}="{escape(attribute.value)}"')
            return "".join(out)
        if kind == "Node_Tree":
            return self.tree(nodes, node.value.template, node.value.slots)
        if kind == "Node_Keyed":
            out = []
            for item in node.value.items:
                if item.slots is None:
                    raise ArenaError("the harness does not keep unchanged keyed items")
                out.append(self.tree(nodes, node.value.template, item.slots))
            return "".join(out)
        if kind == "Node_Stream":
            return self.stream(nodes, node.value)
        if kind == "Node_Component":
            cid = node.value
            if cid in self.components:
                return self.node(nodes, self.components[cid])
            if cid in self.component_nodes:
                old_nodes, root = self.component_nodes[cid]
                return _Writer(_parts.Parts([], old_nodes, root, []), self.templates, {}, self.component_nodes).node(old_nodes, root)
            raise ArenaError(f"component {cid} was never rendered")
        raise ArenaError(f"the harness cannot write a {kind}")

    def stream(self, nodes: list, ops: Any) -> str:
        """Applies the operations to the stream's children, as the browser does."""
        children = [] if ops.reset else list(self.streams.get(ops.name, []))
        children = [c for c in children if c[0] not in set(ops.deletes)]
        for insert in ops.inserts:
            html = self.tree(nodes, ops.template, insert.slots)
            if f'id="{insert.dom_id}"' not in html:
                raise ArenaError(f"stream {ops.name!r}: the item's root does not carry id={insert.dom_id!r}")
            at = next((i for i, c in enumerate(children) if c[0] == insert.dom_id), None)
            if at is not None:
                children[at] = (insert.dom_id, html)
            elif not insert.update_only:
                kind = type(insert.at).__name__
                if kind == "StreamPosition_Append":
                    children.append((insert.dom_id, html))
                elif kind == "StreamPosition_Prepend":
                    children.insert(0, (insert.dom_id, html))
                else:
                    children.insert(insert.at.value, (insert.dom_id, html))
            if insert.limit is not None:
                n = insert.limit.value
                children = children[:n] if type(insert.limit).__name__ == "StreamLimit_First" else children[-n:] if n else []
        self.streams[ops.name] = children
        return "".join(html for _, html in children)

    def tree(self, nodes: list, template: int, slots: list) -> str:
        statics = self.templates.get(template)
        if statics is None:
            raise ArenaError(f"template {template} was never sent")
        if len(slots) != len(statics) - 1:
            raise ArenaError(f"template {template} has {len(statics) - 1} slots, the tree {len(slots)}")
        out = [statics[0]]
        for slot, static in zip(slots, statics[1:]):
            out.append(self.node(nodes, slot))
            out.append(static)
        return "".join(out)


class ViewHarness:
    """A view instance driven as the host drives a component. Arguments are Python values;
    they cross as JSON strings, as from the host."""

    def __init__(self, cls: type):
        if not (isinstance(cls, type) and issubclass(cls, LiveView)):
            raise TypeError(f"{cls!r} is not a LiveView subclass")
        self.cls = cls
        self.runtime = Runtime(cls)
        self.templates: dict[int, list[str]] = {}
        self.component_nodes: dict[int, tuple] = {}
        self.streams: dict[str, list] = {}
        self.last: Optional[Any] = None

    @property
    def view(self) -> Any:
        return self.runtime._view()

    def describe(self) -> tuple[list[str], Optional[str]]:
        return self.runtime.describe()

    def mount(self, params: Any = None, session: Any = None, connected: bool = False, connect_params: Any = None) -> "ViewHarness":
        self.runtime.mount(
            json.dumps({} if params is None else params),
            json.dumps({} if session is None else session),
            connected,
            None if connect_params is None else json.dumps(connect_params),
        )
        return self

    def handle_params(self, url: str, params: Any = None) -> None:
        self.runtime.handle_params(url, json.dumps({} if params is None else params))

    def event(self, name: str, value: Any = None, target: Optional[int] = None) -> Any:
        """Sends an event; returns the decoded reply (or None)."""
        reply = self.runtime.handle_event(name, json.dumps({} if value is None else value), target)
        return None if reply is None else json.loads(reply)

    def info(self, message: Any) -> None:
        self.runtime.handle_info(json.dumps(message))

    def components_destroyed(self, ids: list[int]) -> None:
        self.runtime.components_destroyed(ids)
        for cid in ids:
            self.component_nodes.pop(cid, None)

    def render(self) -> Any:
        """One render: the ``parts`` arena (native classes), with the host's checks applied."""
        parts = self.runtime.render(_parts)
        for template in parts.new_templates:
            known = self.templates.get(template.id)
            if known is not None and known != template.statics:
                raise ArenaError(f"template {template.id} was rebound to other statics")
            self.templates[template.id] = list(template.statics)
        self.last = parts
        return parts

    def html(self) -> str:
        """Renders, and returns the HTML the host would write for it."""
        parts = self.render()
        components = {}
        for root in parts.components:
            if root.id in components:
                raise ArenaError(f"component {root.id} rendered twice")
            components[root.id] = root.root
        writer = _Writer(parts, self.templates, components, self.component_nodes, self.streams)
        html = writer.node(parts.nodes, parts.root)
        for cid, root in components.items():
            self.component_nodes[cid] = (parts.nodes, root)
        return html

    def snapshot(self) -> Optional[str]:
        return self.runtime.snapshot()

    def restore(self, text: str) -> "ViewHarness":
        """A fresh instance (new harness) restored from ``text``; the host keeps what the
        browser holds, so nothing of this harness's templates carries over."""
        fresh = ViewHarness(self.cls)
        fresh.runtime.restore(text)
        return fresh


def render_html(value: Any) -> str:
    """The HTML of one template value, as the host would write it."""
    parts = Builder(_parts, set()).finish(value)
    templates = {t.id: list(t.statics) for t in parts.new_templates}
    components = {root.id: root.root for root in parts.components}
    return _Writer(parts, templates, components, {}).node(parts.nodes, parts.root)


def load_view(path: str, name: Optional[str] = None) -> tuple[Any, type]:
    """Imports the view module at ``path`` (an ``app.py``) under ``name`` (default: derived
    from the path, so that several examples' ``app.py`` load side by side) and returns the
    module and the class it exported with ``liveplug.export``."""
    import importlib.util
    import os
    import sys

    from . import _exports

    path = os.path.abspath(path)
    if name is None:
        name = "liveplug_view_" + "".join(c if c.isalnum() else "_" for c in os.path.relpath(path, os.sep))
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    saved = (_exports._EXPORTED, _exports._RUNTIME)
    _exports._EXPORTED, _exports._RUNTIME = None, None
    try:
        sys.modules[name] = module
        spec.loader.exec_module(module)
        cls = _exports._EXPORTED
    finally:
        _exports._EXPORTED, _exports._RUNTIME = saved
    if cls is None:
        raise ImportError(f"{path} does not call liveplug.export(...)")
    return module, cls
