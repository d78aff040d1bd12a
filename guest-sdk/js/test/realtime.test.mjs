// Pubsub, timers and presence: the wrappers against the WIT bindings, handleInfo's typed
// messages, and the stand-in host of liveplug/testing that records the calls and delivers messages.

import { test } from "node:test";
import assert from "node:assert/strict";
import { defineView, html, presence, pubsub, timers, ViewError } from "../src/index.js";
import { setHost } from "../src/host.js";
import { exportsFor, fromWitMessage } from "../src/view.js";
import { testHost, testView, toWitMessage } from "../src/testing.js";

/** Bindings shaped as componentize-qjs gives them, recording every call; `results` answers them. */
function spyHost(results = {}) {
  const calls = [];
  const fn = (name) => (...args) => {
    calls.push([name, ...args]);
    const result = results[name];
    return typeof result === "function" ? result(...args) : result;
  };
  setHost({
    pubsub: { subscribe: fn("pubsub.subscribe"), unsubscribe: fn("pubsub.unsubscribe"), broadcast: fn("pubsub.broadcast") },
    timers: { sendSelf: fn("timers.sendSelf"), sendAfter: fn("timers.sendAfter"), interval: fn("timers.interval"), cancel: fn("timers.cancel") },
    presence: { track: fn("presence.track"), untrack: fn("presence.untrack"), list: fn("presence.list") },
  });
  return calls;
}

/** What componentize-qjs throws for a `result` error: an Error with the string in `payload`. */
const refused = (reason) => () => {
  throw Object.assign(new Error(reason), { payload: reason });
};

test("pubsub reaches the bindings: topics as strings, payloads as JSON, excludeSelf as a boolean", () => {
  const calls = spyHost();
  pubsub.subscribe("room:1");
  pubsub.unsubscribe("room:1");
  pubsub.broadcast("room:1", { from: "a", text: "hi" });
  pubsub.broadcast("room:1", [1, "2"], { excludeSelf: true });
  pubsub.broadcast("room:1", "plain", { excludeSelf: false });
  pubsub.broadcast("room:1");
  assert.deepEqual(calls, [
    ["pubsub.subscribe", "room:1"],
    ["pubsub.unsubscribe", "room:1"],
    ["pubsub.broadcast", "room:1", '{"from":"a","text":"hi"}', false],
    ["pubsub.broadcast", "room:1", '[1,"2"]', true],
    ["pubsub.broadcast", "room:1", '"plain"', false],
    ["pubsub.broadcast", "room:1", "null", false],
  ]);
  assert.throws(() => pubsub.broadcast("t", { n: 1n }), (e) => e instanceof TypeError && /cannot be written as JSON/.test(e.message));
  assert.throws(() => pubsub.broadcast("t", () => 1), /cannot be written as JSON/);
  assert.equal(calls.length, 6, "nothing reaches the host for a payload that is not JSON");
});

test("a result error becomes a thrown Error with the host's reason", () => {
  spyHost({
    "pubsub.subscribe": refused("too many topics"),
    "pubsub.broadcast": () => {
      throw "a payload is at most 65536 bytes"; // a bare string, as the stand-in's keyvalue throws
    },
    "timers.sendSelf": refused("queue full"),
    "timers.sendAfter": refused("too many timers"),
    "timers.interval": refused("an interval is at least 10 ms, got 5"),
    "presence.track": refused("a presence meta is at most 65536 bytes"),
  });
  const check = (f, message, reason) =>
    assert.throws(f, (e) => e instanceof Error && e.message === message && e.reason === reason, message);
  check(() => pubsub.subscribe("room:x"), "pubsub.subscribe room:x: too many topics", "too many topics");
  check(() => pubsub.broadcast("room:x", {}), "pubsub.broadcast room:x: a payload is at most 65536 bytes", "a payload is at most 65536 bytes");
  check(() => timers.sendSelf({}), "timers.sendSelf: queue full", "queue full");
  check(() => timers.sendAfter({}, 5), "timers.sendAfter: too many timers", "too many timers");
  check(() => timers.interval({}, 5), "timers.interval: an interval is at least 10 ms, got 5", "an interval is at least 10 ms, got 5");
  check(() => presence.track("t", "k", {}), "presence.track t k: a presence meta is at most 65536 bytes", "a presence meta is at most 65536 bytes");
});

test("timers: ids are Numbers from the host and go back to cancel unchanged", () => {
  let next = 41;
  const calls = spyHost({ "timers.sendAfter": () => ++next, "timers.interval": () => ++next });
  const once = timers.sendAfter({ note: "x" }, 1500);
  const every = timers.interval({ tick: true }, 10);
  assert.equal(once, 42);
  assert.equal(every, 43);
  timers.cancel(every);
  timers.cancel(once);
  timers.cancel(7n); // a BigInt is taken too, as a Number
  timers.sendSelf({ hello: "me" });
  timers.sendSelf();
  assert.deepEqual(calls, [
    ["timers.sendAfter", '{"note":"x"}', 1500],
    ["timers.interval", '{"tick":true}', 10],
    ["timers.cancel", 43],
    ["timers.cancel", 42],
    ["timers.cancel", 7],
    ["timers.sendSelf", '{"hello":"me"}'],
    ["timers.sendSelf", "null"],
  ]);
  for (const bad of [-1, 1.5, 2 ** 32, "10", NaN]) {
    assert.throws(() => timers.sendAfter({}, bad), TypeError, `sendAfter ${bad}`);
    assert.throws(() => timers.interval({}, bad), TypeError, `interval ${bad}`);
  }
  for (const bad of [-1, 0.5, "42", null, undefined, 2 ** 53, -1n]) {
    assert.throws(() => timers.cancel(bad), /timers.cancel: a timer id/, `cancel ${String(bad)}`);
  }
  assert.equal(calls.length, 7, "nothing invalid reaches the host");
});

test("presence: meta as a JSON object, list decoded", () => {
  const list = { alice: { metas: [{ name: "Alice", phx_ref: "r1" }] } };
  const calls = spyHost({ "presence.list": () => JSON.stringify(list) });
  presence.track("room:1", "alice", { name: "Alice" });
  presence.track("room:1", 7);
  presence.untrack("room:1", "alice");
  assert.deepEqual(presence.list("room:1"), list);
  assert.deepEqual(calls, [
    ["presence.track", "room:1", "alice", '{"name":"Alice"}'],
    ["presence.track", "room:1", "7", "{}"],
    ["presence.untrack", "room:1", "alice"],
    ["presence.list", "room:1"],
  ]);
  for (const bad of [null, [1], "x", 3]) assert.throws(() => presence.track("t", "k", bad), /meta is an object/);
});

test("without a host, the wrappers say how to install one", () => {
  const previous = setHost(null);
  try {
    assert.throws(() => pubsub.subscribe("t"), /pubsub reaches the host, and none is bound/);
    assert.throws(() => timers.sendAfter({}, 1), /timers reaches the host/);
    assert.throws(() => presence.list("t"), /presence reaches the host/);
  } finally {
    setHost(previous);
  }
});

const inbox = defineView({
  state: () => ({ got: [] }),
  handleInfo(state, message) {
    if (message.kind === "sent" && message.payload?.fail) throw new ViewError("refused");
    state.got.push(message);
  },
  render: (s) => html`<p>${s.got.length}</p>`,
});

test("handleInfo receives the WIT message as { kind, ... } with its JSON decoded", () => {
  testHost();
  const exports = exportsFor(inbox);
  exports.view.mount({ params: "{}", session: "{}", connected: true, connectParams: null });
  exports.info.handleInfo({ tag: "sent", val: '{"tick":true}' });
  exports.info.handleInfo({ tag: "sent", val: '"just text"' });
  exports.info.handleInfo({ tag: "broadcast", val: { topic: "room:1", payload: '{"from":"bob","text":"hi"}' } });
  exports.info.handleInfo({
    tag: "presence",
    val: {
      topic: "room:1",
      joins: '{"bob":{"metas":[{"name":"Bob","phx_ref":"r2"}]}}',
      leaves: '{"ann":{"metas":[{"phx_ref":"r1"}]}}',
    },
  });
  assert.deepEqual(JSON.parse(exports.snapshot.snapshot()).state.got, [
    { kind: "sent", payload: { tick: true } },
    { kind: "sent", payload: "just text" },
    { kind: "broadcast", topic: "room:1", payload: { from: "bob", text: "hi" } },
    {
      kind: "presence",
      topic: "room:1",
      joins: { bob: { metas: [{ name: "Bob", phx_ref: "r2" }] } },
      leaves: { ann: { metas: [{ phx_ref: "r1" }] } },
    },
  ]);
  // Errors are view-errors (thrown records with a message), not exceptions of the host's types.
  assert.throws(() => exports.info.handleInfo({ tag: "sent", val: '{"fail":true}' }), (e) => e.message === "refused" && !(e instanceof Error));
  assert.throws(() => exports.info.handleInfo({ tag: "sent", val: "{nope" }), (e) => /the message's payload is not JSON/.test(e.message));
  assert.throws(
    () => exports.info.handleInfo({ tag: "broadcast", val: { topic: "t", payload: "[" } }),
    (e) => /the payload of the broadcast on t is not JSON/.test(e.message),
  );
  assert.throws(() => exports.info.handleInfo({ tag: "gossip", val: "{}" }), (e) => /unknown message "gossip"/.test(e.message));
  assert.deepEqual(fromWitMessage({ tag: "presence", val: { topic: "t", joins: "{}", leaves: "{}" } }), {
    kind: "presence",
    topic: "t",
    joins: {},
    leaves: {},
  });
  // The stand-in's encoder is the inverse.
  for (const m of JSON.parse(exports.snapshot.snapshot()).state.got) assert.deepEqual(fromWitMessage(toWitMessage(m)), m);
  assert.throws(() => toWitMessage({ tick: 1 }), /a message is \{ kind: "sent", payload \}/);
  // Without handleInfo, messages are dropped (and not even decoded).
  const bare = exportsFor(defineView({ render: () => html`<p></p>` }));
  bare.info.handleInfo({ tag: "sent", val: "{not json" });
});

test("the stand-in host: subscriptions, broadcasts to self unless excluded, self-sends, limits", () => {
  const v = testView(inbox).mount();
  const host = v.host;
  pubsub.subscribe("room:1");
  pubsub.subscribe("room:1");
  assert.deepEqual([...host.subscriptions], ["room:1"]);
  pubsub.broadcast("room:1", { n: 1 });
  pubsub.broadcast("room:1", { n: 2 }, { excludeSelf: true });
  pubsub.broadcast("room:2", { n: 3 }); // not subscribed: recorded, not delivered
  host.publish("room:1", { n: 4 }); // another session
  host.publish("room:9", { n: 5 });
  timers.sendSelf({ me: true });
  assert.deepEqual(host.broadcasts, [
    { topic: "room:1", payload: { n: 1 }, excludeSelf: false },
    { topic: "room:1", payload: { n: 2 }, excludeSelf: true },
    { topic: "room:2", payload: { n: 3 }, excludeSelf: false },
  ]);
  assert.equal(v.deliver(), 3);
  assert.equal(v.deliver(), 0);
  assert.deepEqual(JSON.parse(v.snapshot()).state.got, [
    { kind: "broadcast", topic: "room:1", payload: { n: 1 } },
    { kind: "broadcast", topic: "room:1", payload: { n: 4 } },
    { kind: "sent", payload: { me: true } },
  ]);
  pubsub.unsubscribe("room:1");
  pubsub.broadcast("room:1", { n: 6 });
  assert.equal(v.deliver(), 0);
  // The host's checks, and refusals a test asks for.
  assert.throws(() => pubsub.subscribe(""), /pubsub.subscribe : a topic is 1 to 256 bytes, got 0/);
  assert.throws(() => pubsub.subscribe("é".repeat(129)), /got 258/);
  assert.throws(() => pubsub.subscribe("a\nb"), /no control characters/);
  assert.throws(() => pubsub.broadcast("t", "x".repeat(70000)), /a payload is at most 65536 bytes/);
  assert.throws(() => timers.interval({}, 9), (e) => e.reason === "an interval is at least 10 ms, got 9");
  host.failures.set("pubsub.subscribe", "too many topics");
  assert.throws(() => pubsub.subscribe("room:2"), (e) => e.message === "pubsub.subscribe room:2: too many topics");
  host.failures.clear();
  pubsub.subscribe("room:2");
});

test("the stand-in host: timers fire on its clock, intervals until cancelled, ids round-trip", () => {
  const v = testView(inbox).mount();
  const host = v.host;
  const once = timers.sendAfter({ once: true }, 100);
  const every = timers.interval({ every: true }, 40);
  assert.equal(typeof once, "number");
  assert.notEqual(once, every);
  assert.deepEqual([...host.timers.keys()], [once, every]);
  assert.equal(v.advance(99), 2, "ticks at 40 and 80");
  assert.equal(host.now, 99);
  assert.equal(v.advance(1), 1, "the one-shot at 100");
  assert.equal(host.timers.has(once), false, "a fired one-shot is gone");
  assert.equal(v.advance(100), 3, "ticks at 120, 160, 200");
  timers.cancel(every);
  timers.cancel(once); // fired: nothing happens
  assert.deepEqual(host.cancelled, [every, once]);
  assert.equal(v.advance(1000), 0);
  const got = JSON.parse(v.snapshot()).state.got.map((m) => m.payload);
  assert.deepEqual(got, [{ every: true }, { every: true }, { once: true }, { every: true }, { every: true }, { every: true }]);
  // A timer id kept in the state survives the snapshot and cancels after a restore.
  const keeper = defineView({
    state: () => ({ timer: null, ticks: 0 }),
    handleEvent(s, e) {
      if (e.name === "start") s.timer = timers.interval({ tick: 1 }, 10);
      if (e.name === "stop") timers.cancel(s.timer);
    },
    handleInfo(s) {
      s.ticks += 1;
    },
    render: (s) => html`<p>${s.ticks}</p>`,
  });
  const k = testView(keeper).mount();
  k.event("start");
  k.advance(25);
  const restored = k.restored(k.snapshot());
  assert.equal(restored.host, k.host, "the session's host, timers and all");
  restored.advance(10);
  assert.equal(restored.html(), "<p>3</p>");
  const id = JSON.parse(k.snapshot()).state.timer;
  restored.event("stop");
  assert.deepEqual(k.host.cancelled, [id]);
  assert.equal(k.host.timers.size, 0);
});

test("the stand-in host: presence of this session and others, diffs on subscribed topics", () => {
  const v = testView(inbox).mount();
  const host = v.host;
  presence.track("room:1", "ann", { name: "Ann" }); // not subscribed yet: no diff
  assert.equal(v.deliver(), 0);
  pubsub.subscribe("room:1");
  const bobRef = host.join("room:1", "bob", { name: "Bob" });
  host.join("room:1", "bob", { name: "Bob", tab: 2 });
  presence.track("room:1", "ann", { name: "Ann", away: true }); // replaces this session's meta
  const list = presence.list("room:1");
  assert.deepEqual(Object.keys(list).sort(), ["ann", "bob"]);
  assert.equal(list.ann.metas.length, 1);
  assert.equal(list.ann.metas[0].away, true);
  assert.equal(list.bob.metas.length, 2);
  host.leave("room:1", "bob", bobRef);
  presence.untrack("room:1", "ann");
  presence.untrack("room:1", "nobody");
  assert.deepEqual(Object.keys(presence.list("room:1")), ["bob"]);
  assert.deepEqual(presence.list("room:9"), {});
  assert.equal(v.deliver(), 5);
  const diffs = JSON.parse(v.snapshot()).state.got.map(({ kind, topic, joins, leaves }) => [
    kind,
    topic,
    Object.fromEntries(Object.entries(joins).map(([k, { metas }]) => [k, metas.map((m) => m.name ?? m.phx_ref)])),
    Object.fromEntries(Object.entries(leaves).map(([k, { metas }]) => [k, metas.length])),
  ]);
  assert.deepEqual(diffs, [
    ["presence", "room:1", { bob: ["Bob"] }, {}],
    ["presence", "room:1", { bob: ["Bob"] }, {}],
    ["presence", "room:1", { ann: ["Ann"] }, { ann: 1 }],
    ["presence", "room:1", {}, { bob: 1 }],
    ["presence", "room:1", {}, { ann: 1 }],
  ]);
  assert.throws(() => presence.track("", "k", {}), /presence.track  k: a topic is 1 to 256 bytes/);
});

test("each driver talks to its own host, also with several views at once", () => {
  const subscriber = defineView({
    mount() {
      pubsub.subscribe("room:1");
    },
    handleEvent(_s, e) {
      pubsub.broadcast("room:1", e.value);
    },
    render: () => html`<p></p>`,
  });
  const a = testView(subscriber).mount();
  const b = testView(subscriber).mount(); // installs b's host globally
  a.event("say", { from: "a" }); // still reaches a's host
  assert.notEqual(a.host, b.host);
  assert.deepEqual(a.host.broadcasts, [{ topic: "room:1", payload: { from: "a" }, excludeSelf: false }]);
  assert.deepEqual(b.host.broadcasts, []);
  assert.equal(a.host.inbox.length, 1);
  assert.equal(b.host.inbox.length, 0);
  // A view that messages itself on every message is stopped.
  const echo = defineView({
    mount() {
      timers.sendSelf({});
    },
    handleInfo() {
      timers.sendSelf({});
    },
    render: () => html`<p></p>`,
  });
  assert.throws(() => testView(echo).mount().deliver({ limit: 50 }), /more than 50 messages/);
});
