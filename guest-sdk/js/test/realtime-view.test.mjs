// The realtime test view (tests/guests/realtime-js) under the stand-in host: the markup the
// shared spec fixes, after each step of pubsub, timers and presence.

import { test } from "node:test";
import assert from "node:assert/strict";
import { register } from "node:module";
import { escapeHtml, testView } from "../src/testing.js";

register("../resolve-liveplug.mjs", import.meta.url);
const realtimeModule = await import("../../../tests/guests/realtime-js/view.js");
const realtime = realtimeModule.default;
const { onlineOf, millis } = realtimeModule;

const page = ({ ticks = 0, online = "", log = [] } = {}) =>
  `<section id="realtime"><p id="ticks">ticks: ${ticks}</p><p id="online">online: ${escapeHtml(online)}</p><ul id="log">${log
    .map((e) => `<li>${escapeHtml(e)}</li>`)
    .join("")}</ul></section>`;

test("realtime: the dead render subscribes to nothing", () => {
  const v = testView(realtime).mount({ params: { user: "alice", room: "lobby" }, connected: false });
  assert.equal(v.html(), page());
  assert.equal(v.host.subscriptions.size, 0);
  assert.equal(v.host.presence.size, 0);
  assert.equal(v.host.title, null, "no title");
  const anon = testView(realtime).mount({ params: { user: "", room: 3 }, connected: true });
  assert.deepEqual([...anon.host.subscriptions], ["room:lobby"]);
  assert.equal(anon.html(), page({ online: "anon" }));
});

test("realtime: pubsub, presence and timers, step by step", () => {
  const v = testView(realtime).mount({ params: { user: "alice", room: "lobby" } });
  const host = v.host;
  const log = [];
  const expect = (fields, what) => assert.equal(v.html(), page({ log, ...fields }), what);
  assert.deepEqual([...host.subscriptions], ["room:lobby"]);
  expect({ online: "alice" }, "mounted: subscribed and tracked");
  assert.equal(v.deliver(), 1, "its own join");
  expect({ online: "alice" });

  v.event("say", { text: "hi <all>" });
  assert.deepEqual(host.broadcasts.at(-1), { topic: "room:lobby", payload: { from: "alice", text: "hi <all>" }, excludeSelf: false });
  expect({ online: "alice" }, "a broadcast arrives after the handler");
  v.deliver();
  log.push("alice: hi <all>");
  expect({ online: "alice" });

  v.event("say-others", { text: "psst" });
  assert.equal(host.broadcasts.at(-1).excludeSelf, true);
  assert.equal(v.deliver(), 0);
  log.push("me: psst");
  expect({ online: "alice" });

  host.join("room:lobby", "bob", { name: "bob" });
  host.join("room:lobby", "bob", { name: "bob" });
  host.join("room:lobby", "Zed", { name: "Zed" });
  v.deliver();
  expect({ online: "Zed, alice, bob (2)" }, "sorted by code point, n metas as (n)");
  host.publish("room:lobby", { from: "bob", text: "hey" });
  v.deliver();
  log.push("bob: hey");
  expect({ online: "Zed, alice, bob (2)" });

  v.event("tick", { ms: "100" });
  const first = [...host.timers.keys()][0];
  v.advance(250);
  expect({ ticks: 2, online: "Zed, alice, bob (2)" });
  v.event("tick", { ms: "50" }); // restarts the interval
  assert.deepEqual(host.cancelled, [first]);
  assert.equal(host.timers.size, 1);
  v.advance(100);
  expect({ ticks: 4, online: "Zed, alice, bob (2)" });

  // Hibernation: the state (timer id included) and the session's timers survive.
  const restored = v.restored(v.snapshot());
  assert.equal(restored.html(), v.html());
  restored.advance(50);
  assert.equal(restored.html(), page({ ticks: 5, online: "Zed, alice, bob (2)", log }));
  const second = [...host.timers.keys()][0];
  restored.event("stop");
  assert.deepEqual(host.cancelled, [first, second], "stop cancels the id kept in the state");
  restored.advance(500);
  restored.event("stop"); // no timer: nothing to cancel
  assert.equal(host.cancelled.length, 2);

  restored.event("later", { ms: "30", text: "soon" });
  restored.event("self", { text: "now" });
  restored.advance(30);
  log.push("note: now", "note: soon");
  assert.equal(restored.html(), page({ ticks: 5, online: "Zed, alice, bob (2)", log }));

  restored.event("whatever", { x: "1" }); // ignored
  restored.event("leave");
  log.push("left");
  assert.equal(host.subscriptions.size, 0);
  assert.equal(restored.html(), page({ ticks: 5, online: "Zed, bob (2)", log }), "online without alice at once");
  // The stand-in queued its own leave while still subscribed; either way the list is the same.
  restored.deliver();
  assert.equal(restored.html(), page({ ticks: 5, online: "Zed, bob (2)", log }));
  host.publish("room:lobby", { from: "bob", text: "gone?" });
  assert.equal(restored.deliver(), 0);
});

test("realtime: the log keeps the last 20 entries", () => {
  const v = testView(realtime).mount({ params: { user: "u" } });
  for (let i = 1; i <= 25; i++) v.event("say-others", { text: String(i) });
  const log = Array.from({ length: 20 }, (_, i) => `me: ${i + 6}`);
  assert.equal(v.html(), page({ online: "u", log }));
  assert.equal(JSON.parse(v.snapshot()).state.log.length, 20);
});

test("realtime: a refused import call is a view error", () => {
  const v = testView(realtime);
  v.host.failures.set("pubsub.subscribe", "too many topics");
  assert.throws(() => v.mount(), /pubsub.subscribe room:lobby: too many topics/);
  const w = testView(realtime).mount();
  assert.throws(() => w.event("tick", { ms: "5" }), /an interval is at least 10 ms/);
  assert.throws(() => w.event("tick", { ms: "soon" }), /an interval is at least 10 ms, got 0/, "ms that do not parse are 0");
  w.host.failures.set("pubsub.broadcast", "too many broadcasts");
  assert.throws(() => w.event("say", { text: "x" }), /too many broadcasts/);
});

test("realtime: online_of sorts by code point", () => {
  assert.equal(onlineOf({}), "");
  const one = { metas: [{}] };
  const two = { metas: [{}, {}] };
  // U+FFFD sorts before U+1F600 by code point (and in UTF-8), after it by UTF-16 unit.
  assert.equal(onlineOf({ "\u{1F600}": one, "\uFFFD": two, b: one, B: one, ab: one, a: one }), "B, a, ab, b, \uFFFD (2), \u{1F600}");
  assert.equal(onlineOf({ x: { metas: [] } }), "x (0)", "as the Rust twin: `key` for exactly one meta");
});

test("realtime: ms are read as the Rust twin reads them", () => {
  assert.equal(millis("250"), 250);
  assert.equal(millis("+7"), 7);
  assert.equal(millis("007"), 7);
  for (const bad of ["", "-1", "1.5", " 1", "1e3", "soon", undefined, 12]) assert.equal(millis(bad), 0, String(bad));
  assert.equal(millis("4294967295"), 0xffffffff);
  assert.equal(millis("4294967296"), 0xffffffff, "saturates at the WIT's u32");
  assert.equal(millis("18446744073709551615"), 0xffffffff);
  assert.equal(millis("18446744073709551616"), 0, "over a u64 does not parse");
});
