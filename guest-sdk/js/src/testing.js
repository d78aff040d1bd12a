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

/**
 * Installs a stand-in for the host's capabilities and returns what handlers did to it:
 * `title`, `events` (pushed), `navigation` (the last one), `flash` and `keyvalue` (Maps, which a
 * test may seed) and `logs` (`[level, message]`). `keyvalueLimit` bounds the size of a value.
 */
export function testHost({ keyvalueLimit = 64 * 1024 } = {}) {
  const state = {
    title: null,
    events: [],
    navigation: null,
    flash: new Map(),
    keyvalue: new Map(),
    logs: [],
  };
  setHost({
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
  });
  return state;
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
    info(message) {
      call(() => exports.info.handleInfo(JSON.stringify(message)));
      return driver;
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
