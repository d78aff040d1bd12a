"""Testing views in plain CPython, without a component or a host.

- ``host()`` is the stand-in the capability functions of ``liveplug.host`` reach natively: it
  records the title, pushed events, the last navigation, flash, key-value data, log lines,
  subscriptions, broadcasts, timers and presence, and queues the messages the host would
  deliver to the session (``outbox``); ``reset_host()`` empties (or seeds) it.
- ``ViewHarness(ViewClass)`` drives a view through the same glue the component exports use
  (JSON strings in, a ``parts`` arena out), keeps the templates and component renders the
  host would keep, checks the arena's invariants as the host does, and writes the HTML the
  host would (``html()``), escaping text nodes and attribute values. ``info(message)``
  delivers a message, ``deliver()`` the stand-in's queued ones, ``fire(id)`` a timer.
- ``render_html(value)`` is the HTML of one template value (a ``Tree``...) on its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional

from . import _parts, _types
from . import host as _capabilities
from ._exports import Runtime
from .messages import Broadcast, Message, PresenceDiff, Sent, to_wit
from .template import Builder
from .view import LiveView

__all__ = ["HostState", "Timer", "host", "reset_host", "ViewHarness", "render_html", "escape", "ArenaError", "load_view"]


@dataclass
class HostState:
    title: Optional[str] = None
    events: list = field(default_factory=list)  # (name, payload, before_patch)
    navigation: Optional[tuple] = None  # (kind, to, replace): patch, navigate, redirect, external
    flash: dict = field(default_factory=dict)
    kv: dict = field(default_factory=dict)
    logs: list = field(default_factory=list)  # (level, message)
    kv_limit: Optional[int] = None  # refuse kv_set when len(key) + len(value) exceeds it
    subscriptions: set = field(default_factory=set)  # the topics this session subscribes to
    broadcasts: list = field(default_factory=list)  # (topic, payload, exclude_self), every one made
    sent: list = field(default_factory=list)  # the payload of every timers.send_self
    timers: dict = field(default_factory=dict)  # id -> Timer, the ones running
    cancelled: list = field(default_factory=list)  # the ids given to timers.cancel
    # topic -> {key: [meta, ...]}: everyone on the topic (this session and others), each meta
    # with its "phx_ref"; presence.list(topic) answers from it.
    presence: dict = field(default_factory=dict)
    # The messages the host would deliver to this session after the current handler, in order:
    # send_self payloads, broadcasts and presence diffs on subscribed topics. ViewHarness.deliver()
    # hands them to handle_info.
    outbox: list = field(default_factory=list)
    # Calls to refuse, by name ("pubsub.subscribe", "pubsub.broadcast", "timers.send_self",
    # "timers.send_after", "timers.interval", "presence.track"), with the reason the host gives.
    refuse: dict = field(default_factory=dict)
    tracked: dict = field(default_factory=dict)  # (topic, key) -> phx_ref of this session's meta
    next_timer_id: int = 1
    next_ref: int = 1

    # --- the capabilities (liveplug.host calls these natively) ----------------------------

    def _check(self, call: str, error: type, topic: Optional[str] = None) -> None:
        reason = self.refuse.get(call)
        if reason is not None:
            raise error(reason)
        if topic is not None and not (isinstance(topic, str) and 1 <= len(topic.encode()) <= 256):
            raise error(f"invalid topic {topic!r}: 1 to 256 bytes")

    def pubsub_subscribe(self, topic: str) -> None:
        self._check("pubsub.subscribe", _capabilities.PubSubError, topic)
        self.subscriptions.add(topic)

    def pubsub_unsubscribe(self, topic: str) -> None:
        self.subscriptions.discard(topic)

    def pubsub_broadcast(self, topic: str, payload: str, exclude_self: bool) -> None:
        self._check("pubsub.broadcast", _capabilities.PubSubError, topic)
        value = json.loads(payload)
        self.broadcasts.append((topic, value, exclude_self))
        if topic in self.subscriptions and not exclude_self:
            self.outbox.append(Broadcast(topic, json.loads(payload)))

    def timers_send_self(self, payload: str) -> None:
        self._check("timers.send_self", _capabilities.TimerError)
        self.sent.append(json.loads(payload))
        self.outbox.append(Sent(json.loads(payload)))

    def timers_start(self, kind: str, payload: str, ms: int) -> int:
        self._check("timers.send_after" if kind == "after" else "timers.interval", _capabilities.TimerError)
        timer_id = self.next_timer_id
        self.next_timer_id += 1
        self.timers[timer_id] = Timer(kind, json.loads(payload), ms)
        return timer_id

    def timers_cancel(self, timer_id: int) -> None:
        self.timers.pop(timer_id, None)
        self.cancelled.append(timer_id)

    def _ref(self) -> str:
        ref = f"ref-{self.next_ref}"
        self.next_ref += 1
        return ref

    def _diff(self, topic: str, joins: dict, leaves: dict) -> None:
        if topic in self.subscriptions:
            self.outbox.append(PresenceDiff(topic, json.loads(json.dumps(joins)), json.loads(json.dumps(leaves))))

    def _remove(self, topic: str, key: str, ref: str) -> Optional[dict]:
        metas = self.presence.get(topic, {}).get(key, [])
        found = next((m for m in metas if m.get("phx_ref") == ref), None)
        if found is not None:
            metas.remove(found)
            if not metas:
                del self.presence[topic][key]
                if not self.presence[topic]:
                    del self.presence[topic]
        return found

    def presence_track(self, topic: str, key: str, meta: str) -> None:
        self._check("presence.track", _capabilities.PresenceError, topic)
        value = json.loads(meta)
        if not isinstance(value, dict):
            raise _capabilities.PresenceError("meta: not a JSON object")
        old = self.tracked.get((topic, key))
        left = None if old is None else self._remove(topic, key, old)
        self.tracked[(topic, key)] = self.join(topic, key, value, diff=False)
        joined = self.presence[topic][key][-1]
        self._diff(topic, {key: {"metas": [joined]}}, {} if left is None else {key: {"metas": [left]}})

    def presence_untrack(self, topic: str, key: str) -> None:
        ref = self.tracked.pop((topic, key), None)
        left = None if ref is None else self._remove(topic, key, ref)
        if left is not None:
            self._diff(topic, {}, {key: {"metas": [left]}})

    def presence_list(self, topic: str) -> str:
        return json.dumps({key: {"metas": metas} for key, metas in self.presence.get(topic, {}).items()})

    # --- other sessions (for tests) -------------------------------------------------------

    def join(self, topic: str, key: str, meta: Optional[dict] = None, diff: bool = True) -> str:
        """Another session tracks ``key`` on ``topic``: adds its meta (with a new
        ``phx_ref``, returned) and, when this session subscribes to ``topic``, queues the
        ``PresenceDiff``."""
        ref = self._ref()
        entry = dict(meta or {}, phx_ref=ref)
        self.presence.setdefault(topic, {}).setdefault(key, []).append(entry)
        if diff:
            self._diff(topic, {key: {"metas": [entry]}}, {})
        return ref

    def leave(self, topic: str, key: str, ref: Optional[str] = None) -> None:
        """Another session untracks ``key`` on ``topic`` (the meta with ``ref``, or every
        meta of ``key`` that is not this session's), queueing the ``PresenceDiff``."""
        own = self.tracked.get((topic, key))
        metas = self.presence.get(topic, {}).get(key, [])
        refs = [ref] if ref is not None else [m.get("phx_ref") for m in metas if m.get("phx_ref") != own]
        left = [m for m in (self._remove(topic, key, r) for r in refs) if m is not None]
        if left:
            self._diff(topic, {}, {key: {"metas": left}})


@dataclass
class Timer:
    """A running timer of the stand-in: ``kind`` is ``"after"`` (``send_after``) or
    ``"interval"``; ``payload`` decoded; ``ms`` the delay or period."""

    kind: str
    payload: Any
    ms: int


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
        """Delivers ``message`` to ``handle_info`` as the host does (payloads cross as JSON):
        a ``Sent``, ``Broadcast`` or ``PresenceDiff``, or any other JSON value as
        ``Sent(value)``."""
        if not isinstance(message, (Sent, Broadcast, PresenceDiff)):
            message = Sent(message)
        self.runtime.handle_info(to_wit(message, _types))

    def deliver(self, limit: int = 100) -> list:
        """Delivers what the host would deliver to this session after the handlers run so
        far: the stand-in's ``outbox`` (``send_self`` payloads, broadcasts and presence diffs
        on subscribed topics), in order, including what the deliveries queue, until it is
        empty. Returns the delivered messages. More than ``limit`` is an ``AssertionError``
        (a view that keeps sending itself messages)."""
        delivered: list[Message] = []
        state = host()
        while state.outbox:
            if len(delivered) >= limit:
                raise AssertionError(f"more than {limit} messages delivered: the view keeps sending itself messages")
            message = state.outbox.pop(0)
            delivered.append(message)
            self.info(message)
        return delivered

    def fire(self, timer_id: int) -> Message:
        """Fires a running timer of the stand-in: delivers its ``Sent(payload)`` (a
        ``send_after`` timer is gone afterwards, an ``interval`` keeps running). An unknown,
        cancelled or fired timer is a ``KeyError``. Returns the message."""
        timer = host().timers.get(timer_id)
        if timer is None:
            raise KeyError(f"timer {timer_id} is not running")
        if timer.kind == "after":
            del host().timers[timer_id]
        message = Sent(timer.payload)
        self.info(message)
        return message

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
