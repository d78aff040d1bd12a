// The host's capabilities (the WIT imports log, page, navigation, flash, keyvalue, pubsub,
// timers, presence), as thin wrappers. In a component they reach the host (build.mjs binds them, see wit-host.js); in
// node they reach whatever `setHost` installed, such as the stand-in of `liveplug/testing`.

let host = null;

/**
 * Installs the bindings the wrappers call: an object with `log`, `page`, `navigation`, `flash`,
 * `keyvalue`, `pubsub`, `timers` and `presence`, shaped as componentize-qjs maps the WIT interfaces (camelCase functions,
 * `option` as `null`, `result` errors thrown). Returns the previous bindings.
 */
export function setHost(bindings) {
  const previous = host;
  host = bindings;
  return previous;
}

function bound(name) {
  if (host === null) {
    throw new Error(
      `liveplug: ${name} reaches the host, and none is bound (in node, install one: import { testHost } from "liveplug/testing")`,
    );
  }
  return host[name];
}

function json(value, what) {
  let text;
  try {
    text = JSON.stringify(value === undefined ? null : value);
  } catch (error) {
    throw new TypeError(`${what}: the payload cannot be written as JSON (${error.message})`);
  }
  if (text === undefined) throw new TypeError(`${what}: the payload cannot be written as JSON`);
  return text;
}

/** The reason in what a host call's `result` error threw (componentize-qjs: an Error whose `payload` is the string). */
function reasonOf(thrown) {
  if (typeof thrown === "string") return thrown;
  if (typeof thrown?.payload === "string") return thrown.payload;
  return thrown instanceof Error ? thrown.message : String(thrown);
}

/**
 * Calls `call(bindings of iface)`, a host function whose WIT result is `result<T, string>`: its value, or an Error
 * `"<what>: <the host's reason>"` with the reason in `error.reason`.
 */
function fallible(what, iface, call) {
  const h = bound(iface);
  try {
    return call(h);
  } catch (thrown) {
    const reason = reasonOf(thrown);
    const error = new Error(`${what}: ${reason}`);
    error.reason = reason;
    throw error;
  }
}

/** A JSON text from the host, decoded. */
function decoded(text, what) {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what}: the host sent text that is not JSON (${error.message})`);
  }
}

/** A `u32` of milliseconds. */
function millis(ms, what) {
  if (typeof ms !== "number" || !Number.isInteger(ms) || ms < 0 || ms > 0xffffffff) {
    throw new TypeError(`${what}: milliseconds are an integer from 0 to 2^32-1, not ${String(ms)}`);
  }
  return ms;
}

/** A timer id (a `u64`, a Number in JavaScript) as the host takes it. */
function timerId(id) {
  if (typeof id === "bigint" && id >= 0n && id <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(id);
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0) {
    throw new TypeError(`timers.cancel: a timer id is what sendAfter or interval returned (a non-negative integer), not ${String(id)}`);
  }
  return id;
}

/** Log lines, in the host's log with the view's name. */
export const log = Object.freeze({
  /** `level` is "trace", "debug", "info", "warn" or "error". */
  log(level, ...message) {
    bound("log").log(level, message.map(String).join(" "));
  },
  trace: (...message) => log.log("trace", ...message),
  debug: (...message) => log.log("debug", ...message),
  info: (...message) => log.log("info", ...message),
  warn: (...message) => log.log("warn", ...message),
  error: (...message) => log.log("error", ...message),
});

/** Page-level effects of the current handler. */
export const page = Object.freeze({
  /** Sets the document title. */
  setTitle(title) {
    bound("page").setTitle(String(title));
  },
  /**
   * Dispatches `phx:<name>` in the browser with `payload` (any JSON value) as its detail, and
   * to hooks' `handleEvent(name)`. `{ beforePatch: true }` dispatches it before the DOM patch.
   */
  pushEvent(name, payload = {}, { beforePatch = false } = {}) {
    bound("page").pushEvent(String(name), json(payload, `pushEvent ${name}`), Boolean(beforePatch));
  },
});

const history = (replace) => (replace ? "replace" : "push");

/** Where the browser goes next; the last call of a handler wins. */
export const navigation = Object.freeze({
  /** Changes the URL within this view (handleParams runs): `pushPatch("/items?page=2")`. */
  pushPatch(to, { replace = false } = {}) {
    bound("navigation").pushPatch(String(to), history(replace));
  },
  /** Mounts the view routed at `to`, over the socket within this live session. */
  pushNavigate(to, { replace = false } = {}) {
    bound("navigation").pushNavigate(String(to), history(replace));
  },
  /** Ends the view: the browser loads `path` (a path on this host, such as "/login"). */
  redirect(path) {
    bound("navigation").redirect({ tag: "path", val: String(path) });
  },
  /** Ends the view: the browser loads `url`, an absolute http(s) URL. */
  redirectExternal(url) {
    bound("navigation").redirect({ tag: "external", val: String(url) });
  },
});

/** Flash messages by kind ("info", "error"...), kept by the host for the session. */
export const flash = Object.freeze({
  put(kind, message) {
    bound("flash").put(String(kind), String(message));
  },
  /** Removes the message of `kind`. */
  clear(kind) {
    bound("flash").clear(String(kind));
  },
  clearAll() {
    bound("flash").clear(null);
  },
  /** The message of `kind`, or `undefined`. */
  get(kind) {
    return bound("flash").get(String(kind)) ?? undefined;
  },
  /** Every message, as `[kind, message]` pairs sorted by kind. */
  all() {
    return bound("flash").all();
  },
});

/** A small in-memory key-value map shared by the views of one live session. Values are strings. */
export const keyvalue = Object.freeze({
  /** The value of `key`, or `undefined`. */
  get(key) {
    return bound("keyvalue").get(String(key)) ?? undefined;
  },
  /** Sets `key`; throws an Error with the host's reason when a limit would be exceeded. */
  set(key, value) {
    // componentize-qjs throws the `err` payload (a string) wrapped in an error with `payload`.
    fallible(`keyvalue.set ${key}`, "keyvalue", (h) => h.set(String(key), String(value)));
  },
  /** Removes `key`; whether it was set. */
  delete(key) {
    return bound("keyvalue").delete(String(key));
  },
  /** The keys that start with `prefix`, sorted. */
  keys(prefix = "") {
    return bound("keyvalue").keys(String(prefix));
  },
});

/**
 * Topics shared by every session on every host. Subscriptions belong to the session: they
 * survive hibernation and end with it. Messages arrive in the view's `handleInfo` as
 * `{ kind: "broadcast", topic, payload }`.
 */
export const pubsub = Object.freeze({
  /** Subscribes this session to `topic` (twice is once); throws an Error with the host's reason. */
  subscribe(topic) {
    const t = String(topic);
    fallible(`pubsub.subscribe ${t}`, "pubsub", (h) => h.subscribe(t));
  },
  /** Ends this session's subscription to `topic`, if any. */
  unsubscribe(topic) {
    bound("pubsub").unsubscribe(String(topic));
  },
  /**
   * Sends `payload` (any JSON value) to every session subscribed to `topic`, on every host, once
   * at once (this session's own copy after the current handler); `{ excludeSelf: true }` leaves this session out. Throws an Error
   * with the host's reason (invalid topic, payload too large, too many broadcasts).
   */
  broadcast(topic, payload = null, { excludeSelf = false } = {}) {
    const t = String(topic);
    const text = json(payload, `pubsub.broadcast ${t}`);
    fallible(`pubsub.broadcast ${t}`, "pubsub", (h) => h.broadcast(t, text, Boolean(excludeSelf)));
  },
});

/**
 * Messages to this view, now or later: they arrive in `handleInfo` as `{ kind: "sent", payload }`.
 * Timers belong to the session: they survive hibernation (keep their ids in the state) and end
 * with it. A timer id is a Number (the WIT `u64`, as componentize-qjs maps it).
 */
export const timers = Object.freeze({
  /** Delivers `payload` (any JSON value) to `handleInfo` right after the current handler. */
  sendSelf(payload = null) {
    const text = json(payload, "timers.sendSelf");
    fallible("timers.sendSelf", "timers", (h) => h.sendSelf(text));
  },
  /** Delivers `payload` once, after `ms` milliseconds; returns the timer's id (a Number), for `cancel`. */
  sendAfter(payload, ms) {
    const delay = millis(ms, "timers.sendAfter");
    const text = json(payload, "timers.sendAfter");
    return fallible("timers.sendAfter", "timers", (h) => h.sendAfter(text, delay));
  },
  /** Delivers `payload` every `ms` milliseconds (at least 10) until cancelled; returns the timer's id. */
  interval(payload, ms) {
    const period = millis(ms, "timers.interval");
    const text = json(payload, "timers.interval");
    return fallible("timers.interval", "timers", (h) => h.interval(text, period));
  },
  /** Stops a timer of this session (an id from `sendAfter` or `interval`); an unknown or fired one is ignored. */
  cancel(id) {
    bound("timers").cancel(timerId(id));
  },
});

/**
 * Who is on a topic, across hosts (Phoenix.Presence). Sessions subscribed to the topic get each
 * change in `handleInfo` as `{ kind: "presence", topic, joins, leaves }`.
 */
export const presence = Object.freeze({
  /**
   * Tracks this session on `topic` under `key` with `meta` (a plain object); tracking the key
   * again replaces this session's meta. Throws an Error with the host's reason.
   */
  track(topic, key, meta = {}) {
    const t = String(topic);
    const k = String(key);
    if (meta === null || typeof meta !== "object" || Array.isArray(meta)) {
      throw new TypeError(`presence.track ${t} ${k}: meta is an object`);
    }
    const text = json(meta, `presence.track ${t} ${k}`);
    fallible(`presence.track ${t} ${k}`, "presence", (h) => h.track(t, k, text));
  },
  /** Stops tracking this session under `key` on `topic`. */
  untrack(topic, key) {
    bound("presence").untrack(String(topic), String(key));
  },
  /** Everyone on `topic` now: `{ [key]: { metas: [{ ...meta, phx_ref }] } }`. */
  list(topic) {
    const t = String(topic);
    return decoded(bound("presence").list(t), `presence.list ${t}`);
  },
});
