"""Runs a built Python view component outside the Liveplug host, in wasmtime (the ``wasmtime``
package of requirements.txt), to check that it instantiates and answers as the SDK's native
tests say it should.

    target/venv/bin/python guest-sdk/python/smoke.py plugins/counter-py.wasm [--params JSON] [--connected] [event ...]

Links WASI 0.2 and the ``liveplug:view`` imports (a recording stand-in written here), calls
``describe``, ``mount`` (the dead render, or the connected mount with ``--connected``; params
``{}`` unless ``--params``), ``render``, then each event given as ``name`` or ``name=JSON``
(``validate={"todo":{"title":"x"}}``), rendering after each, then ``snapshot``, ``restore`` in
a fresh instance and ``render``. Steps starting with ``!`` send ``handle-info`` instead:
``!deliver`` hands over what the stand-in queued for the session (``send-self`` payloads,
broadcasts and presence diffs on subscribed topics), ``!fire=ID`` fires a timer,
``!broadcast=TOPIC JSON`` is another session's broadcast. Prints the HTML the host would
write (through ``liveplug.testing``'s writer, which escapes as the host does) and timings. With ``--json``
prints one JSON object instead (for tests). The compiled component is cached under
``target/smoke-cache/``: the first run compiles it (tens of seconds for CPython).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import wasmtime  # noqa: E402
import wasmtime.component as wc  # noqa: E402

from liveplug import _parts  # noqa: E402
from liveplug.testing import _Writer  # noqa: E402

V = "0.4.0"


def _field(record: Any, name: str) -> Any:
    return getattr(record, name)


def to_parts(value: Any) -> Any:
    """A ``parts`` record from wasmtime's values into ``liveplug._parts`` classes."""
    templates = [_parts.Template(_field(t, "id"), list(_field(t, "statics"))) for t in _field(value, "new-templates")]
    nodes = [to_node(n) for n in _field(value, "nodes")]
    components = [_parts.ComponentRoot(_field(c, "id"), _field(c, "root")) for c in _field(value, "components")]
    return _parts.Parts(templates, nodes, _field(value, "root"), components)


def to_node(variant: Any) -> Any:
    tag, payload = variant.tag, variant.payload
    if tag == "text":
        return _parts.Node_Text(payload)
    if tag == "raw":
        return _parts.Node_Raw(payload)
    if tag == "attributes":
        return _parts.Node_Attributes([_parts.Attribute(_field(a, "name"), _field(a, "value")) for a in payload])
    if tag == "tree":
        return _parts.Node_Tree(_parts.TreeNode(_field(payload, "template"), list(_field(payload, "slots"))))
    if tag == "keyed":
        items = [_parts.Item(_field(i, "key"), None if _field(i, "slots") is None else list(_field(i, "slots"))) for i in _field(payload, "items")]
        return _parts.Node_Keyed(_parts.KeyedList(_field(payload, "template"), items))
    if tag == "stream":
        inserts = []
        for i in _field(payload, "inserts"):
            at = _field(i, "at")
            position = {"append": _parts.StreamPosition_Append, "prepend": _parts.StreamPosition_Prepend}.get(at.tag)
            position = position() if position else _parts.StreamPosition_Index(at.payload)
            limit = _field(i, "limit")
            if limit is not None:
                limit = (_parts.StreamLimit_First if limit.tag == "first" else _parts.StreamLimit_Last)(limit.payload)
            inserts.append(_parts.StreamInsert(_field(i, "dom-id"), position, limit, _field(i, "update-only"), list(_field(i, "slots"))))
        ops = _parts.StreamOps(_field(payload, "name"), _field(payload, "template"), inserts, list(_field(payload, "deletes")), _field(payload, "reset"))
        return _parts.Node_Stream(ops)
    if tag == "component":
        return _parts.Node_Component(payload)
    if tag == "unchanged":
        return _parts.Node_Unchanged()
    raise ValueError(f"node {tag} is not handled by smoke.py")


class Host:
    """The recording stand-in for the liveplug imports, for one session: pubsub, timers and
    presence queue what the host would deliver to it (``outbox``, ``(tag, payload)`` of the
    WIT ``message``)."""

    def __init__(self) -> None:
        self.calls: list[Any] = []
        self.flash: dict[str, str] = {}
        self.kv: dict[str, str] = {}
        self.subscriptions: set[str] = set()
        self.timers: dict[int, tuple[str, str]] = {}  # id -> (kind, payload)
        self.next_timer = 1
        self.presence: dict[str, dict[str, list[dict]]] = {}  # topic -> key -> metas
        self.own: dict[tuple[str, str], str] = {}  # (topic, key) -> this session's phx_ref
        self.next_ref = 1
        self.outbox: list[tuple[str, Any]] = []

    @staticmethod
    def bad_topic(topic: str) -> Any:
        return None if 1 <= len(topic.encode()) <= 256 else f"invalid topic {topic!r}"

    def subscribe(self, topic: str) -> Any:
        self.calls.append(["subscribe", topic])
        if self.bad_topic(topic):
            return self.bad_topic(topic)
        self.subscriptions.add(topic)
        return None

    def broadcast(self, topic: str, payload: str, exclude_self: bool) -> Any:
        self.calls.append(["broadcast", topic, payload, exclude_self])
        if self.bad_topic(topic):
            return self.bad_topic(topic)
        if topic in self.subscriptions and not exclude_self:
            self.outbox.append(("broadcast", (topic, payload)))
        return None

    def send_self(self, payload: str) -> Any:
        self.calls.append(["send-self", payload])
        self.outbox.append(("sent", payload))
        return None

    def timer(self, kind: str, payload: str, ms: int) -> int:
        timer_id = self.next_timer
        self.next_timer += 1
        self.timers[timer_id] = (kind, payload)
        self.calls.append([kind, payload, ms, timer_id])
        return timer_id

    def cancel(self, timer_id: int) -> None:
        self.calls.append(["cancel", timer_id])
        self.timers.pop(timer_id, None)

    def diff(self, topic: str, joins: dict, leaves: dict) -> None:
        if topic in self.subscriptions:
            self.outbox.append(("presence", (topic, json.dumps(joins), json.dumps(leaves))))

    def untrack(self, topic: str, key: str, record: bool = True) -> Any:
        if record:
            self.calls.append(["untrack", topic, key])
        ref = self.own.pop((topic, key), None)
        metas = self.presence.get(topic, {}).get(key, [])
        left = [m for m in metas if m["phx_ref"] == ref]
        if left:
            metas.remove(left[0])
            if not metas:
                del self.presence[topic][key]
        return left[0] if left else None

    def track(self, topic: str, key: str, meta: str) -> Any:
        self.calls.append(["track", topic, key, meta])
        if self.bad_topic(topic):
            return self.bad_topic(topic)
        value = json.loads(meta)
        if not isinstance(value, dict):
            return "meta: not a JSON object"
        left = self.untrack(topic, key, record=False)
        entry = dict(value, phx_ref=f"ref-{self.next_ref}")
        self.next_ref += 1
        self.presence.setdefault(topic, {}).setdefault(key, []).append(entry)
        self.own[(topic, key)] = entry["phx_ref"]
        self.diff(topic, {key: {"metas": [entry]}}, {key: {"metas": [left]}} if left else {})
        return None

    def untracked(self, topic: str, key: str) -> None:
        left = self.untrack(topic, key)
        if left:
            self.diff(topic, {}, {key: {"metas": [left]}})

    def presence_list(self, topic: str) -> str:
        return json.dumps({key: {"metas": metas} for key, metas in self.presence.get(topic, {}).items()})

    def link(self, linker: Any) -> None:
        rec = self.calls.append
        with linker.root() as root:
            with root.add_instance(f"liveplug:view/log@{V}") as i:
                i.add_func("log", lambda s, level, msg: rec(["log", level, msg]))
            with root.add_instance(f"liveplug:view/page@{V}") as i:
                i.add_func("set-title", lambda s, t: rec(["title", t]))
                i.add_func("push-event", lambda s, n, p, b: rec(["push-event", n, p, b]))
            with root.add_instance(f"liveplug:view/navigation@{V}") as i:
                i.add_func("push-patch", lambda s, to, h: rec(["push-patch", to, h]))
                i.add_func("push-navigate", lambda s, to, h: rec(["push-navigate", to, h]))
                i.add_func("redirect", lambda s, to: rec(["redirect", to.tag, to.payload]))
            with root.add_instance(f"liveplug:view/flash@{V}") as i:
                i.add_func("put", lambda s, k, m: self.flash.__setitem__(k, m))
                i.add_func("clear", lambda s, k: self.flash.clear() if k is None else self.flash.pop(k, None) and None)
                i.add_func("get", lambda s, k: self.flash.get(k))
                i.add_func("all", lambda s: sorted(self.flash.items()))
            with root.add_instance(f"liveplug:view/keyvalue@{V}") as i:
                i.add_func("get", lambda s, k: self.kv.get(k))
                i.add_func("set", lambda s, k, v: self.kv.__setitem__(k, v))
                i.add_func("delete", lambda s, k: self.kv.pop(k, None) is not None)
                i.add_func("keys", lambda s, p: sorted(k for k in self.kv if k.startswith(p)))
            # wasmtime-py lowers result<_, string> untagged: None is ok, a str the error.
            with root.add_instance(f"liveplug:view/pubsub@{V}") as i:
                i.add_func("subscribe", lambda s, t: self.subscribe(t))
                i.add_func("unsubscribe", lambda s, t: rec(["unsubscribe", t]) or self.subscriptions.discard(t))
                i.add_func("broadcast", lambda s, t, p, x: self.broadcast(t, p, x))
            with root.add_instance(f"liveplug:view/timers@{V}") as i:
                i.add_func("send-self", lambda s, p: self.send_self(p))
                i.add_func("send-after", lambda s, p, ms: self.timer("send-after", p, ms))
                i.add_func("interval", lambda s, p, ms: self.timer("interval", p, ms))
                i.add_func("cancel", lambda s, t: self.cancel(t))
            with root.add_instance(f"liveplug:view/presence@{V}") as i:
                i.add_func("track", lambda s, t, k, m: self.track(t, k, m))
                i.add_func("untrack", lambda s, t, k: self.untracked(t, k))
                i.add_func("list", lambda s, t: self.presence_list(t))
            with root.add_instance(f"liveplug:view/parts@{V}"):
                pass
            with root.add_instance(f"liveplug:view/types@{V}"):
                pass


def message(tag: str, payload: Any) -> Any:
    """A WIT ``message`` for wasmtime-py (a tagged variant: two cases are records)."""
    if tag == "sent":
        return wc.Variant("sent", payload)
    record = wc.Record()
    if tag == "broadcast":
        record.topic, record.payload = payload
    else:
        record.topic, record.joins, record.leaves = payload
    return wc.Variant(tag, record)


def compile_component(engine: Any, path: str) -> Any:
    with open(path, "rb") as f:
        data = f.read()
    from importlib.metadata import version

    key = hashlib.sha256(data + version("wasmtime").encode()).hexdigest()[:16]
    cache = os.path.join(REPO, "target", "smoke-cache")
    os.makedirs(cache, exist_ok=True)
    cached = os.path.join(cache, key + ".cwasm")
    if os.path.exists(cached):
        return wc.Component.deserialize_file(engine, cached)
    component = wc.Component.from_file(engine, path)
    with open(cached + ".tmp", "wb") as f:
        f.write(component.serialize())
    os.replace(cached + ".tmp", cached)
    return component


class Instance:
    def __init__(self, engine: Any, component: Any, host: Host):
        linker = wc.Linker(engine)
        linker.add_wasip2()
        host.link(linker)
        self.store = wasmtime.Store(engine)
        self.store.set_wasi(wasmtime.WasiConfig())
        started = time.monotonic()
        self.instance = linker.instantiate(self.store, component)
        self.instantiate_seconds = time.monotonic() - started
        self.templates: dict[int, list[str]] = {}
        self.component_nodes: dict[int, tuple] = {}
        self.streams: dict[str, list] = {}

    def call(self, interface: str, name: str, *args: Any) -> Any:
        index = self.instance.get_export_index(self.store, f"liveplug:view/{interface}@{V}")
        if index is None:
            raise LookupError(f"no export liveplug:view/{interface}")
        func = self.instance.get_func(self.store, self.instance.get_export_index(self.store, name, index))
        result = func(self.store, *args)
        func.post_return(self.store)
        return result

    def html(self) -> tuple[str, Any]:
        parts = to_parts(self.call("view", "render"))
        for template in parts.new_templates:
            self.templates[template.id] = template.statics
        components = {root.id: root.root for root in parts.components}
        html = _Writer(parts, self.templates, components, self.component_nodes, self.streams).node(parts.nodes, parts.root)
        for cid, root in components.items():
            self.component_nodes[cid] = (parts.nodes, root)
        return html, parts


def result_value(value: Any) -> Any:
    """A WIT result as ``{"ok": ...}`` or ``{"err": ...}``, whatever wasmtime-py lifts it to."""
    # wasmtime-py lifts result<T, view-error> untagged: the ok payload, or the error record.
    if isinstance(value, wc.Record) and hasattr(value, "message"):
        return {"err": value.message}
    return {"ok": value}


def run(path: str, events: list[str], params: str = "{}", connected: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"file": path}
    engine = wasmtime.Engine()
    started = time.monotonic()
    component = compile_component(engine, path)
    out["load_seconds"] = round(time.monotonic() - started, 2)
    host = Host()
    first = Instance(engine, component, host)
    out["instantiate_seconds"] = round(first.instantiate_seconds, 3)
    info = first.call("describe", "describe")
    out["describe"] = {"routes": list(_field(info, "routes")), "live_session": _field(info, "live-session")}
    ctx = wc.Record()
    setattr(ctx, "params", params)
    setattr(ctx, "session", "{}")
    setattr(ctx, "connected", connected)
    setattr(ctx, "connect-params", "{}" if connected else None)
    started = time.monotonic()
    out["mount"] = result_value(first.call("view", "mount", ctx))
    html, parts = first.html()
    out["first_render_seconds"] = round(time.monotonic() - started, 3)
    out["renders"] = [html]
    out["new_templates"] = [len(parts.new_templates)]
    out["events"] = []
    for spec in events:
        name, _, value = spec.partition("=")
        started = time.monotonic()
        if name.startswith("!"):
            reply = send_info(first, host, name, value)
        else:
            reply = result_value(first.call("view", "handle-event", name, value or "{}", None))
        html, parts = first.html()
        out["events"].append({"event": name, "reply": reply, "seconds": round(time.monotonic() - started, 4)})
        out["renders"].append(html)
        out["new_templates"].append(len(parts.new_templates))
    snapshot = first.call("snapshot", "snapshot")
    out["snapshot"] = snapshot
    if snapshot is not None:
        fresh = Instance(engine, component, host)
        out["restore"] = result_value(fresh.call("snapshot", "restore", snapshot))
        out["restored_render"] = fresh.html()[0]
    out["host_calls"] = host.calls
    return out


def send_info(instance: Instance, host: Host, name: str, value: str) -> Any:
    """Sends ``handle-info`` for a ``!`` step; the result of the last call (or of none)."""
    reply: Any = {"ok": None}
    if name == "!deliver":
        delivered = 0
        while host.outbox and "err" not in reply:
            delivered += 1
            if delivered > 100:
                raise SystemExit("more than 100 messages delivered: the view keeps sending itself messages")
            tag, payload = host.outbox.pop(0)
            reply = result_value(instance.call("info", "handle-info", message(tag, payload)))
        return reply
    if name == "!fire":
        kind, payload = host.timers[int(value)]
        if kind == "send-after":
            del host.timers[int(value)]
        messages = [("sent", payload)]
    elif name == "!broadcast":
        topic, _, payload = value.partition(" ")
        messages = [("broadcast", (topic, payload))] if topic in host.subscriptions else []
    else:
        raise SystemExit(f"unknown step {name} (!deliver, !fire=ID, !broadcast=TOPIC JSON)")
    for tag, payload in messages:
        reply = result_value(instance.call("info", "handle-info", message(tag, payload)))
        if "err" in reply:
            break
    return reply


def main(argv: list[str]) -> int:
    args, params, connected = [], "{}", False
    rest = iter(argv)
    for a in rest:
        if a == "--params":
            params = next(rest)
        elif a == "--connected":
            connected = True
        elif a != "--json":
            args.append(a)
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    result = run(args[0], args[1:], params=params, connected=connected)
    if "--json" in argv:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(f"{result['file']}: compiled/loaded in {result['load_seconds']} s, instantiated in {result['instantiate_seconds']} s")
    print(f"describe: {result['describe']}")
    print(f"mount: {result['mount']} (mount + first render {result['first_render_seconds']} s)")
    print(f"render: {result['renders'][0]}")
    for event, html in zip(result["events"], result["renders"][1:]):
        print(f"event {event['event']}: {event['reply']} ({event['seconds']} s) -> {html}")
    print(f"snapshot: {result['snapshot']}")
    if "restore" in result:
        print(f"restore: {result['restore']} -> {result['restored_render']}")
    print(f"host calls: {result['host_calls']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
