// Pubsub, timers and presence in JavaScript: the `realtime` test view, served at /realtime-js
// (`?user=alice&room=lobby`). The twin of the Rust view in tests/guests/realtime; the host's
// integration test drives every language through the same steps over the websocket and
// requires the same HTML after every step.

import { defineView, each, html, presence, pubsub, timers } from "liveplug";

/** The log keeps the last LOG entries. */
const LOG = 20;

const text = (value) => (typeof value === "string" ? value : "");
const nonEmpty = (value, fallback) => (typeof value === "string" && value !== "" ? value : fallback);

/** Orders strings by code point (the byte order of their UTF-8), not by UTF-16 unit. */
export function byCodePoint(a, b) {
  const x = a[Symbol.iterator]();
  const y = b[Symbol.iterator]();
  for (;;) {
    const p = x.next();
    const q = y.next();
    if (p.done || q.done) return p.done === q.done ? 0 : p.done ? -1 : 1;
    const d = p.value.codePointAt(0) - q.value.codePointAt(0);
    if (d !== 0) return d;
  }
}

/** Who is online, from a presence list: `alice, bob (2)`. */
export function onlineOf(list) {
  return Object.keys(list)
    .sort(byCodePoint)
    .map((key) => {
      const n = list[key]?.metas?.length ?? 0;
      return n === 1 ? key : `${key} (${n})`;
    })
    .join(", ");
}

function append(state, entry) {
  state.log.push(entry);
  while (state.log.length > LOG) state.log.shift();
}

/**
 * Milliseconds from a decimal string, as the Rust twin reads them: what does not parse as a u64
 * is 0, and more than 2^32 - 1 (the WIT's u32) is 2^32 - 1.
 */
export function millis(value) {
  if (typeof value !== "string" || !/^\+?[0-9]+$/.test(value)) return 0;
  const n = BigInt(value.replace(/^\+/, ""));
  if (n > 0xffffffffffffffffn) return 0;
  return n > 0xffffffffn ? 0xffffffff : Number(n);
}

export default defineView({
  state: () => ({ user: "anon", topic: "room:lobby", ticks: 0, log: [], timer: null, online: "" }),

  mount(state, { params, connected }) {
    state.user = nonEmpty(params.user, "anon");
    state.topic = `room:${nonEmpty(params.room, "lobby")}`;
    state.ticks = 0;
    state.log = [];
    state.timer = null;
    state.online = "";
    if (connected) {
      pubsub.subscribe(state.topic);
      presence.track(state.topic, state.user, { name: state.user });
      state.online = onlineOf(presence.list(state.topic));
    }
  },

  handleEvent(state, { name, value }) {
    const v = value !== null && typeof value === "object" ? value : {};
    switch (name) {
      case "say":
        pubsub.broadcast(state.topic, { from: state.user, text: text(v.text) }, { excludeSelf: false });
        break;
      case "say-others":
        pubsub.broadcast(state.topic, { from: state.user, text: text(v.text) }, { excludeSelf: true });
        append(state, `me: ${text(v.text)}`);
        break;
      case "tick": {
        const ms = millis(v.ms);
        if (state.timer !== null) timers.cancel(state.timer);
        state.timer = null;
        state.timer = timers.interval({ tick: true }, ms);
        break;
      }
      case "stop":
        if (state.timer !== null) timers.cancel(state.timer);
        state.timer = null;
        break;
      case "later":
        timers.sendAfter({ note: text(v.text) }, millis(v.ms));
        break;
      case "self":
        timers.sendSelf({ note: text(v.text) });
        break;
      case "leave":
        presence.untrack(state.topic, state.user);
        pubsub.unsubscribe(state.topic);
        append(state, "left");
        state.online = onlineOf(presence.list(state.topic));
        break;
      default:
        // Other events are ignored.
        break;
    }
  },

  handleInfo(state, message) {
    switch (message.kind) {
      case "sent": {
        const payload = message.payload;
        if (payload !== null && typeof payload === "object") {
          if (Object.hasOwn(payload, "tick")) state.ticks += 1;
          else if (Object.hasOwn(payload, "note")) append(state, `note: ${text(payload.note)}`);
        }
        break;
      }
      case "broadcast":
        append(state, `${text(message.payload?.from)}: ${text(message.payload?.text)}`);
        break;
      case "presence":
        state.online = onlineOf(presence.list(message.topic));
        break;
    }
  },

  render: ({ ticks, online, log }) =>
    html`<section id="realtime"><p id="ticks">ticks: ${ticks}</p><p id="online">online: ${online}</p><ul id="log">${each(log, (entry) => html`<li>${entry}</li>`)}</ul></section>`,
});
