// The host's capabilities (the WIT imports log, page, navigation, flash, keyvalue), as thin
// wrappers. In a component they reach the host (build.mjs binds them, see wit-host.js); in
// node they reach whatever `setHost` installed, such as the stand-in of `liveplug/testing`.

let host = null;

/**
 * Installs the bindings the wrappers call: an object with `log`, `page`, `navigation`, `flash`
 * and `keyvalue`, shaped as componentize-qjs maps the WIT interfaces (camelCase functions,
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
  const text = JSON.stringify(value === undefined ? null : value);
  if (text === undefined) throw new TypeError(`${what}: the payload cannot be written as JSON`);
  return text;
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
    try {
      bound("keyvalue").set(String(key), String(value));
    } catch (reason) {
      // componentize-qjs throws the `err` payload (a string) wrapped in an error with `payload`.
      const why = typeof reason?.payload === "string" ? reason.payload : reason instanceof Error ? reason.message : String(reason);
      throw new Error(`keyvalue.set ${key}: ${why}`);
    }
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
