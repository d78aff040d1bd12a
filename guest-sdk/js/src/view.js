// Views: `defineView` and the glue between its definition and the WIT exports of world
// `live-view` (view, describe, params, info, components, snapshot).

import { Renderer } from "./render.js";
import { collectionsIn } from "./component.js";
import { SnapshotError, decode, encode, merge } from "./snapshot.js";
import { log } from "./host.js";

/** Why a handler refused to continue: the host ends the session (the client rejoins) and logs the message. */
export class ViewError extends Error {
  constructor(message) {
    super(message);
    this.name = "ViewError";
  }
}

/** A browser event: its name, its value (decoded JSON) and the component it targets, if any. */
export class Event {
  constructor(name, value, target) {
    this.name = name;
    this.value = value;
    /** The component id, or `null` when the event is for the view. */
    this.target = target;
  }

  /** The error for an event the handler does not know: `throw event.unknown()`. */
  unknown() {
    return new ViewError(`unknown event ${JSON.stringify(this.name)}`);
  }
}

const VIEW = Symbol("liveplug.view");

const KNOWN = new Set([
  "state",
  "mount",
  "handleParams",
  "handleEvent",
  "handleInfo",
  "render",
  "componentsDestroyed",
  "routes",
  "liveSession",
  "snapshot",
]);

/**
 * Defines a view. Every handler receives the view's state (an object made by `state()`) and
 * changes it in place; `render(state)` returns its markup.
 *
 *     export default defineView({
 *       state: () => ({ count: 0 }),
 *       mount(state, { params, session, connected, connectParams }) {},
 *       handleParams(state, url, params) {},          // optional
 *       handleEvent(state, event) {},                  // event.name, event.value, event.target
 *       handleInfo(state, message) {},                 // optional: message.kind "sent", "broadcast" or "presence"
 *       componentsDestroyed(state, ids) {},            // optional
 *       render(state) { return html`...`; },
 *       routes: ["/counter"], liveSession: "main",    // optional
 *       snapshot: { version: 1, migrate(from, old) {} }, // or false; default: JSON of the state, version 1
 *     });
 */
export function defineView(definition) {
  if (definition === null || typeof definition !== "object") {
    throw new TypeError("defineView(definition): definition is an object with render(state) and the handlers");
  }
  for (const key of Object.keys(definition)) {
    if (!KNOWN.has(key)) {
      throw new TypeError(`defineView: unknown field ${JSON.stringify(key)} (known: ${[...KNOWN].join(", ")})`);
    }
  }
  if (typeof definition.render !== "function") throw new TypeError("defineView: render(state) is required");
  for (const key of ["state", "mount", "handleParams", "handleEvent", "handleInfo", "componentsDestroyed"]) {
    if (definition[key] !== undefined && typeof definition[key] !== "function") {
      throw new TypeError(`defineView: ${key} must be a function`);
    }
  }
  const routes = definition.routes ?? [];
  if (!Array.isArray(routes) || !routes.every((r) => typeof r === "string")) {
    throw new TypeError("defineView: routes is a list of paths such as \"/items/:id\"");
  }
  const liveSession = definition.liveSession ?? null;
  if (liveSession !== null && typeof liveSession !== "string") throw new TypeError("defineView: liveSession is a string");
  let snapshot = definition.snapshot ?? {};
  if (snapshot === true) snapshot = {};
  if (snapshot !== false) {
    if (typeof snapshot !== "object") throw new TypeError("defineView: snapshot is false or { version, migrate, save, load }");
    const version = snapshot.version ?? 1;
    if (!Number.isInteger(version) || version < 0 || version > 0xffffffff) {
      throw new TypeError("defineView: snapshot.version is a non-negative integer");
    }
    snapshot = { ...snapshot, version };
  }
  return Object.freeze({ ...definition, routes, liveSession, snapshot, [VIEW]: true });
}

/** Whether `value` came from `defineView`. */
export function isView(value) {
  return value !== null && typeof value === "object" && value[VIEW] === true;
}

/** A handler's result, refused when it is a promise: the component's calls are synchronous. */
function sync(result, what) {
  if (result !== null && (typeof result === "object" || typeof result === "function") && typeof result.then === "function") {
    throw new ViewError(`${what} returned a promise: handlers are synchronous (no async, no await)`);
  }
  return result;
}

function parse(json, what) {
  if (json === "" || json === null || json === undefined) return null;
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new ViewError(`${what} is not JSON: ${error.message}`);
  }
}

/**
 * The WIT `message` variant (`{ tag: "sent", val }`, `{ tag: "broadcast", val: { topic, payload } }`,
 * `{ tag: "presence", val: { topic, joins, leaves } }`) as handleInfo receives it, its JSON
 * decoded: `{ kind: "sent", payload }`, `{ kind: "broadcast", topic, payload }`,
 * `{ kind: "presence", topic, joins, leaves }`.
 */
export function fromWitMessage(message) {
  switch (message?.tag) {
    case "sent":
      return { kind: "sent", payload: parse(message.val, "the message's payload") };
    case "broadcast": {
      const { topic, payload } = message.val;
      return { kind: "broadcast", topic, payload: parse(payload, `the payload of the broadcast on ${topic}`) };
    }
    case "presence": {
      const { topic, joins, leaves } = message.val;
      return {
        kind: "presence",
        topic,
        joins: parse(joins, `the joins on ${topic}`) ?? {},
        leaves: parse(leaves, `the leaves on ${topic}`) ?? {},
      };
    }
    default:
      throw new ViewError(`unknown message ${JSON.stringify(message?.tag ?? message)}`);
  }
}

/** The WIT `view-error` for anything a handler threw. */
export function toViewError(error) {
  if (error instanceof ViewError || error instanceof SnapshotError) return { message: error.message };
  if (error instanceof Error) {
    return { message: `${error.name}: ${error.message}${error.stack ? "\n" + error.stack : ""}` };
  }
  return { message: `uncaught ${typeof error === "string" ? error : JSON.stringify(error) ?? String(error)}` };
}

/**
 * The exports of world `live-view` for a view made by `defineView`, as componentize-qjs expects
 * them (one object per WIT interface, camelCase functions, `result` errors thrown). Each call
 * makes an independent instance (its own state and sent templates).
 */
export function exportsFor(view) {
  if (!isView(view)) {
    throw new TypeError("the view module's default export must be defineView({...})");
  }
  const renderer = new Renderer();
  let state;
  let started = false;

  const initial = () => (view.state ? view.state() : {});
  const current = () => {
    if (!started) {
      state = initial();
      started = true;
    }
    return state;
  };
  // Runs a handler; whatever it throws becomes the WIT view-error.
  const guarded = (f) => {
    try {
      return f();
    } catch (error) {
      throw toViewError(error);
    }
  };

  const viewExports = {
    mount(ctx) {
      guarded(() => {
        renderer.reset();
        state = initial();
        started = true;
        const mount = {
          params: parse(ctx.params, "the mount params") ?? {},
          session: parse(ctx.session, "the session") ?? {},
          connected: Boolean(ctx.connected),
          connectParams: ctx.connectParams == null ? null : parse(ctx.connectParams, "the connect params"),
        };
        if (view.mount) sync(view.mount(state, mount), "mount");
      });
    },

    handleEvent(name, value, target) {
      return guarded(() => {
        const event = new Event(name, parse(value, `the value of event ${JSON.stringify(name)}`), target ?? null);
        const s = current();
        let reply;
        const collection = event.target === null ? undefined : ownerOf(s, event.target);
        if (collection !== undefined) {
          reply = sync(collection.handleEvent(event.target, event), `the component's handleEvent`);
        } else if (view.handleEvent) {
          reply = sync(view.handleEvent(s, event), "handleEvent");
        } else {
          throw event.unknown();
        }
        if (reply === undefined || reply === null) return null;
        const text = JSON.stringify(reply);
        if (text === undefined) throw new ViewError(`the reply to event ${JSON.stringify(name)} cannot be written as JSON`);
        return text;
      });
    },

    render() {
      try {
        return renderer.render(sync(view.render(current()), "render"));
      } catch (error) {
        // render has no error result: the host sees a trap. Say why first.
        try {
          log.error(`render failed: ${toViewError(error).message}`);
        } catch {
          // no host bound
        }
        throw error;
      }
    },
  };

  // The collection holding component `id`: the one that placed it last, or any in the state.
  function ownerOf(s, id) {
    const placed = renderer.placed.get(id);
    if (placed !== undefined && placed.has(id)) return placed;
    return collectionsIn(s).find((c) => c.has(id));
  }

  return {
    view: viewExports,
    describe: {
      describe() {
        return { routes: view.routes.slice(), liveSession: view.liveSession };
      },
    },
    params: {
      handleParams(url, params) {
        guarded(() => {
          if (view.handleParams) sync(view.handleParams(current(), url, parse(params, "the params") ?? {}), "handleParams");
        });
      },
    },
    info: {
      handleInfo(message) {
        guarded(() => {
          if (view.handleInfo) sync(view.handleInfo(current(), fromWitMessage(message)), "handleInfo");
        });
      },
    },
    components: {
      componentsDestroyed(ids) {
        if (view.componentsDestroyed) {
          try {
            view.componentsDestroyed(current(), Array.from(ids));
          } catch (error) {
            log.warn(`componentsDestroyed failed: ${toViewError(error).message}`);
          }
        }
      },
    },
    snapshot: {
      snapshot() {
        if (view.snapshot === false) return null;
        try {
          const s = current();
          return encode(view.snapshot.save ? view.snapshot.save(s) : s, view.snapshot.version);
        } catch (error) {
          try {
            log.warn(`cannot snapshot the view: ${toViewError(error).message}`);
          } catch {
            // no host bound
          }
          return null;
        }
      },
      restore(text) {
        guarded(() => {
          if (view.snapshot === false) throw new ViewError("this view does not restore snapshots (snapshot: false)");
          const { version, migrate, load } = view.snapshot;
          const saved = decode(text, version, migrate);
          const restored = load ? load(saved) : merge(initial(), saved);
          renderer.reset();
          state = restored;
          started = true;
        });
      },
    },
  };
}
