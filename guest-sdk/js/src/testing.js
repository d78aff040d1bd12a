// Testing views in node, without a host: a stand-in for the host's capabilities, a reader of
// `parts` that checks the host's invariants and writes the HTML the browser would get, and a
// driver that runs a view through the same exports the component has.
//
//     import { testView } from "liveplug/testing";
//     const counter = testView(view);
//     counter.mount();
//     counter.event("inc");
//     assert.equal(counter.host.title, "Count: 1");
//     assert.match(counter.html(), /<span id="count">1<\/span>/);

import { setHost } from "./host.js";
import { exportsFor } from "./view.js";
import { validAttributeName } from "./html.js";

/** HTML-escapes text as the host does. */
export function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

const BINDINGS = Symbol("liveplug.testHost.bindings");

/** Host limits the stand-in checks, as the host does (host/src/pubsub). */
const MAX_TOPIC = 256;
const MAX_PAYLOAD = 64 * 1024;
const MIN_INTERVAL = 10;
const utf8 = (text) => new TextEncoder().encode(text).length;

/** What componentize-qjs throws for a `result` error: an Error with the reason in `payload`. */
function hostError(reason) {
  const error = new Error(reason);
  error.payload = reason;
  return error;
}

function checkTopic(topic) {
  const n = utf8(topic);
  if (n === 0 || n > MAX_TOPIC) throw hostError(`a topic is 1 to ${MAX_TOPIC} bytes, got ${n}`);
  if (/[\u0000-\u001f\u007f-\u009f]/.test(topic)) throw hostError(`a topic has no control characters, got ${JSON.stringify(topic)}`);
}

function checkPayload(payload) {
  if (utf8(payload) > MAX_PAYLOAD) throw hostError(`a payload is at most ${MAX_PAYLOAD} bytes, got ${utf8(payload)}`);
  try {
    return JSON.parse(payload);
  } catch (error) {
    throw hostError(`a payload is JSON: ${error.message}`);
  }
}

/**
 * Installs a stand-in for the host's capabilities and returns what handlers did to it:
 * `title`, `events` (pushed), `navigation` (the last one), `flash` and `keyvalue` (Maps, which a
 * test may seed) and `logs` (`[level, message]`). `keyvalueLimit` bounds the size of a value.
 *
 * Pubsub, timers and presence, for one session (this view's; `restored` instances share it, as
 * a hibernated session keeps its subscriptions and timers):
 * - `subscriptions` (a Set of topics), `broadcasts` (every `{ topic, payload, excludeSelf }`
 *   sent, payload decoded), `timers` (the live ones by id: `{ id, payload, ms, repeat, due }`),
 *   `cancelled` (ids, in order), `presence` (topic -> key -> metas, each with its `phx_ref`);
 * - `inbox`: messages for this view's `handleInfo`, in the shape it receives
 *   (`{ kind: "sent", payload }`...), queued by `sendSelf`, by broadcasts and presence changes on
 *   a subscribed topic, and by timers that fire; the driver of `testView` delivers them
 *   (`deliver()`, `advance(ms)`);
 * - `now`: the stand-in's clock in ms (timers are due at `now + ms`; `advance` moves it);
 * - `publish(topic, payload)`, `join(topic, key, meta)` and `leave(topic, key, ref?)`: what
 *   another session does (a broadcast, a presence arriving or leaving);
 * - `failures`: a Map from a call (`"pubsub.subscribe"`, `"timers.interval"`...) to the reason
 *   the host gives for refusing it, to test a view's error paths. Invalid topics, payloads and
 *   metas, and intervals under 10 ms, are refused as the host refuses them.
 */
export function testHost({ keyvalueLimit = 64 * 1024 } = {}) {
  let nextTimer = 1;
  let nextRef = 1;
  const state = {
    title: null,
    events: [],
    navigation: null,
    flash: new Map(),
    keyvalue: new Map(),
    logs: [],
    subscriptions: new Set(),
    broadcasts: [],
    timers: new Map(),
    cancelled: [],
    presence: new Map(),
    inbox: [],
    now: 0,
    failures: new Map(),
    publish(topic, payload) {
      if (state.subscriptions.has(topic)) state.inbox.push({ kind: "broadcast", topic, payload: structuredClone(payload) });
    },
    join(topic, key, meta = {}) {
      return addMeta(topic, key, meta);
    },
    leave(topic, key, ref = undefined) {
      const metas = state.presence.get(topic)?.get(key) ?? [];
      const leaves = removeMetas(topic, key, metas.filter((m) => ref === undefined || m.phx_ref === ref));
      if (Object.keys(leaves).length > 0) diff(topic, {}, leaves);
    },
  };
  // This session's refs, by topic and key.
  const own = new Map();
  const ownKey = (topic, key) => `${topic}\u0000${key}`;
  const fail = (call) => {
    if (state.failures.has(call)) throw hostError(state.failures.get(call));
  };
  const diff = (topic, joins, leaves) => {
    if (state.subscriptions.has(topic)) state.inbox.push({ kind: "presence", topic, joins, leaves });
  };
  const addMeta = (topic, key, meta, leaves = {}) => {
    const entry = { ...structuredClone(meta), phx_ref: `ref-${nextRef++}` };
    if (!state.presence.has(topic)) state.presence.set(topic, new Map());
    const keys = state.presence.get(topic);
    if (!keys.has(key)) keys.set(key, []);
    keys.get(key).push(entry);
    diff(topic, { [key]: { metas: [entry] } }, leaves);
    return entry.phx_ref;
  };
  const removeMetas = (topic, key, gone) => {
    if (gone.length === 0) return {};
    const keys = state.presence.get(topic);
    const left = keys.get(key).filter((m) => !gone.includes(m));
    if (left.length === 0) keys.delete(key);
    else keys.set(key, left);
    if (keys.size === 0) state.presence.delete(topic);
    return { [key]: { metas: gone } };
  };
  const timer = (payload, ms, repeat) => {
    const decoded = checkPayload(payload);
    const id = nextTimer++;
    state.timers.set(id, { id, payload: decoded, ms, repeat, due: state.now + ms });
    return id;
  };
  const bindings = {
    log: {
      log(level, message) {
        state.logs.push([level, message]);
      },
    },
    page: {
      setTitle(title) {
        state.title = title;
      },
      pushEvent(name, payload, beforePatch) {
        state.events.push({ name, payload: JSON.parse(payload), beforePatch });
      },
    },
    navigation: {
      pushPatch(to, history) {
        state.navigation = { kind: "patch", to, history };
      },
      pushNavigate(to, history) {
        state.navigation = { kind: "navigate", to, history };
      },
      redirect(location) {
        state.navigation = { kind: location.tag === "external" ? "redirect-external" : "redirect", to: location.val };
      },
    },
    flash: {
      put(kind, message) {
        state.flash.set(kind, message);
      },
      clear(kind) {
        if (kind === null) state.flash.clear();
        else state.flash.delete(kind);
      },
      get(kind) {
        return state.flash.get(kind) ?? null;
      },
      all() {
        return [...state.flash.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      },
    },
    keyvalue: {
      get(key) {
        return state.keyvalue.get(key) ?? null;
      },
      set(key, value) {
        if (value.length > keyvalueLimit) throw `the value of ${key} is over ${keyvalueLimit} bytes`;
        state.keyvalue.set(key, value);
      },
      delete(key) {
        return state.keyvalue.delete(key);
      },
      keys(prefix) {
        return [...state.keyvalue.keys()].filter((k) => k.startsWith(prefix)).sort();
      },
    },
    pubsub: {
      subscribe(topic) {
        fail("pubsub.subscribe");
        checkTopic(topic);
        state.subscriptions.add(topic);
      },
      unsubscribe(topic) {
        state.subscriptions.delete(topic);
      },
      broadcast(topic, payload, excludeSelf) {
        fail("pubsub.broadcast");
        checkTopic(topic);
        const decoded = checkPayload(payload);
        state.broadcasts.push({ topic, payload: decoded, excludeSelf });
        if (!excludeSelf) state.publish(topic, decoded);
      },
    },
    timers: {
      sendSelf(payload) {
        fail("timers.sendSelf");
        state.inbox.push({ kind: "sent", payload: checkPayload(payload) });
      },
      sendAfter(payload, delayMs) {
        fail("timers.sendAfter");
        return timer(payload, delayMs, false);
      },
      interval(payload, periodMs) {
        fail("timers.interval");
        if (periodMs < MIN_INTERVAL) throw hostError(`an interval is at least ${MIN_INTERVAL} ms, got ${periodMs}`);
        return timer(payload, periodMs, true);
      },
      cancel(id) {
        if (typeof id !== "number") throw new TypeError(`timers.cancel took a ${typeof id}: the component would trap`);
        state.cancelled.push(id);
        state.timers.delete(id);
      },
    },
    presence: {
      track(topic, key, meta) {
        fail("presence.track");
        checkTopic(topic);
        if (utf8(meta) > MAX_PAYLOAD) throw hostError(`a presence meta is at most ${MAX_PAYLOAD} bytes, got ${utf8(meta)}`);
        let decoded;
        try {
          decoded = JSON.parse(meta);
        } catch (error) {
          throw hostError(`a presence meta is a JSON object: ${error.message}`);
        }
        if (decoded === null || typeof decoded !== "object" || Array.isArray(decoded)) {
          throw hostError("a presence meta is a JSON object");
        }
        // Tracking the key again replaces this session's meta: it leaves under its old ref.
        const previous = own.get(ownKey(topic, key));
        const mine = (state.presence.get(topic)?.get(key) ?? []).filter((m) => m.phx_ref === previous);
        const leaves = removeMetas(topic, key, mine);
        own.set(ownKey(topic, key), addMeta(topic, key, decoded, leaves));
      },
      untrack(topic, key) {
        const ref = own.get(ownKey(topic, key));
        if (ref === undefined) return;
        own.delete(ownKey(topic, key));
        const mine = (state.presence.get(topic)?.get(key) ?? []).filter((m) => m.phx_ref === ref);
        const leaves = removeMetas(topic, key, mine);
        if (Object.keys(leaves).length > 0) diff(topic, {}, leaves);
      },
      list(topic) {
        const out = {};
        for (const [key, metas] of state.presence.get(topic) ?? []) out[key] = { metas: structuredClone(metas) };
        return JSON.stringify(out);
      },
    },
  };
  Object.defineProperty(state, BINDINGS, { value: bindings });
  setHost(bindings);
  return state;
}

/** A message in the shape handleInfo receives (`{ kind, ... }`) as the WIT `message` variant. */
export function toWitMessage(message) {
  const text = (value, what) => {
    const t = JSON.stringify(value === undefined ? null : value);
    if (t === undefined) throw new TypeError(`${what} cannot be written as JSON`);
    return t;
  };
  switch (message?.kind) {
    case "sent":
      return { tag: "sent", val: text(message.payload, "the payload") };
    case "broadcast":
      return { tag: "broadcast", val: { topic: String(message.topic), payload: text(message.payload, "the payload") } };
    case "presence":
      return {
        tag: "presence",
        val: { topic: String(message.topic), joins: text(message.joins ?? {}, "joins"), leaves: text(message.leaves ?? {}, "leaves") },
      };
    default:
      throw new TypeError(
        `a message is { kind: "sent", payload }, { kind: "broadcast", topic, payload } or { kind: "presence", topic, joins, leaves }, not ${JSON.stringify(message)}`,
      );
  }
}

/** Raised by the reader for parts the host would refuse (a guest fault). */
export class PartsError extends Error {
  constructor(message) {
    super(message);
    this.name = "PartsError";
  }
}

/**
 * Reads the `parts` of successive renders of one instance, as the host does: remembers the
 * templates sent, checks every invariant, and writes the HTML.
 */
export class PartsReader {
  constructor() {
    this.templates = new Map();
    this.components = new Map();
  }

  /** The HTML of `parts` (components in place); throws `PartsError` for a fault. */
  read(parts) {
    for (const t of parts.newTemplates) {
      if (!Number.isInteger(t.id) || t.id < 0 || t.id > 0xffffffff) throw new PartsError(`template id ${t.id}`);
      if (!Array.isArray(t.statics) || t.statics.length < 1 || !t.statics.every((s) => typeof s === "string")) {
        throw new PartsError(`template ${t.id}: statics must be one or more strings`);
      }
      const known = this.templates.get(t.id);
      if (known !== undefined && known.join("\u0000") !== t.statics.join("\u0000")) {
        throw new PartsError(`template ${t.id} was sent with other statics before`);
      }
      this.templates.set(t.id, t.statics.slice());
    }
    const seen = new Set();
    const reach = (index) => {
      if (!Number.isInteger(index) || index < 0 || index >= parts.nodes.length) {
        throw new PartsError(`node index ${index} is outside the arena (${parts.nodes.length} nodes)`);
      }
      if (seen.has(index)) throw new PartsError(`node ${index} is reachable twice`);
      seen.add(index);
      return parts.nodes[index];
    };
    const statics = (id, slots) => {
      const s = this.templates.get(id);
      if (s === undefined) throw new PartsError(`template ${id} was never sent`);
      if (slots.length !== s.length - 1) {
        throw new PartsError(`template ${id} has ${s.length - 1} slots, the node gives ${slots.length}`);
      }
      return s;
    };
    const fill = (id, slots) => {
      const s = statics(id, slots);
      let out = s[0];
      for (let i = 0; i < slots.length; i++) out += write(slots[i]) + s[i + 1];
      return out;
    };
    const rendered = new Map();
    for (const c of parts.components) {
      if (rendered.has(c.id)) throw new PartsError(`component ${c.id} is rendered twice`);
      rendered.set(c.id, c.root);
    }
    const write = (index) => {
      const node = reach(index);
      switch (node.tag) {
        case "text":
          return escapeHtml(node.val);
        case "raw":
          return node.val;
        case "attributes":
          return node.val
            .map(({ name, value }) => {
              if (!validAttributeName(name)) throw new PartsError(`attribute name ${JSON.stringify(name)}`);
              return value === null ? ` ${name}` : ` ${name}="${escapeHtml(value)}"`;
            })
            .join("");
        case "tree":
          return fill(node.val.template, node.val.slots);
        case "keyed": {
          const keys = new Set();
          return node.val.items
            .map((item) => {
              if (item.key !== null) {
                if (keys.has(item.key)) throw new PartsError(`duplicate key ${JSON.stringify(item.key)}`);
                keys.add(item.key);
              }
              if (item.slots === null) throw new PartsError("this reader needs every item's slots");
              return fill(node.val.template, item.slots);
            })
            .join("");
        }
        case "stream":
          return node.val.inserts.map((insert) => fill(node.val.template, insert.slots)).join("");
        case "component": {
          const id = node.val;
          if (rendered.has(id)) {
            const root = rendered.get(id);
            rendered.delete(id);
            const rootNode = parts.nodes[root];
            if (rootNode?.tag !== "tree") throw new PartsError(`component ${id}: its root is not a tree`);
            this.components.set(id, write(root));
          }
          if (!this.components.has(id)) throw new PartsError(`component ${id} was never rendered`);
          return this.components.get(id);
        }
        case "unchanged":
          throw new PartsError("this reader needs complete renders (no unchanged)");
        default:
          throw new PartsError(`unknown node ${JSON.stringify(node.tag)}`);
      }
    };
    const html = write(parts.root);
    if (rendered.size > 0) throw new PartsError(`components rendered but not placed: ${[...rendered.keys()].join(", ")}`);
    return html;
  }
}

function rethrow(error) {
  if (error instanceof Error) throw error;
  const wrapped = new Error(error?.message ?? String(error));
  wrapped.viewError = error;
  throw wrapped;
}

/**
 * Runs a view (from `defineView`) through the exports its component has, with `testHost()`
 * installed. A handler's view-error is thrown as an Error with that message.
 */
export function testView(view, { host = testHost() } = {}) {
  const exports = exportsFor(view);
  const reader = new PartsReader();
  const call = (f) => {
    // The host of this view, also when a test drives several views (each with its own host).
    if (host[BINDINGS]) setHost(host[BINDINGS]);
    try {
      return f();
    } catch (error) {
      return rethrow(error);
    }
  };
  const driver = {
    exports,
    host,
    reader,
    mount({ params = {}, session = {}, connected = true, connectParams = null } = {}) {
      call(() =>
        exports.view.mount({
          params: JSON.stringify(params),
          session: JSON.stringify(session),
          connected,
          connectParams: connectParams === null ? null : JSON.stringify(connectParams),
        }),
      );
      return driver;
    },
    params(url, params = {}) {
      call(() => exports.params.handleParams(url, JSON.stringify(params)));
      return driver;
    },
    /** Sends an event; returns the reply (decoded) or null. */
    event(name, value = {}, target = null) {
      const reply = call(() => exports.view.handleEvent(name, JSON.stringify(value), target));
      return reply === null ? null : JSON.parse(reply);
    },
    /**
     * Delivers one message to handleInfo, in the shape it receives: `{ kind: "sent", payload }`,
     * `{ kind: "broadcast", topic, payload }` or `{ kind: "presence", topic, joins, leaves }`.
     */
    info(message) {
      const wit = toWitMessage(message);
      call(() => exports.info.handleInfo(wit));
      return driver;
    },
    /**
     * Delivers the messages queued in `host.inbox` (self-sends, broadcasts, presence diffs), in
     * order, with those their handling queues, as the host does after a handler. Returns how
     * many it delivered; more than `limit` is an error (a view that messages itself forever).
     */
    deliver({ limit = 1000 } = {}) {
      let delivered = 0;
      while (host.inbox.length > 0) {
        if (delivered === limit) throw new Error(`deliver: more than ${limit} messages (does the view message itself on every message?)`);
        driver.info(host.inbox.shift());
        delivered += 1;
      }
      return delivered;
    },
    /**
     * Moves the host's clock `ms` forward: every timer due by then fires in order (an interval
     * once per period), each message delivered with what it queues. Returns the messages delivered.
     */
    advance(ms) {
      const until = host.now + ms;
      let delivered = driver.deliver();
      for (;;) {
        let next = null;
        for (const t of host.timers.values()) {
          if (t.due <= until && (next === null || t.due < next.due || (t.due === next.due && t.id < next.id))) next = t;
        }
        if (next === null) break;
        host.now = next.due;
        if (next.repeat) next.due += next.ms;
        else host.timers.delete(next.id);
        host.inbox.push({ kind: "sent", payload: structuredClone(next.payload) });
        delivered += driver.deliver();
      }
      host.now = until;
      return delivered;
    },
    /** The parts of a render (checked by the reader). */
    render() {
      const parts = exports.view.render();
      driver.lastHtml = reader.read(parts);
      return parts;
    },
    /** Renders and returns the HTML. */
    html() {
      driver.render();
      return driver.lastHtml;
    },
    snapshot() {
      return exports.snapshot.snapshot();
    },
    /** A fresh instance restored from `text` (as the host does after hibernation). */
    restored(text) {
      const fresh = testView(view, { host });
      call(() => fresh.exports.snapshot.restore(text));
      return fresh;
    },
  };
  return driver;
}
