// The view lifecycle through the same exports the component has.

import { test } from "node:test";
import assert from "node:assert/strict";
import { defineView, html, page, log, navigation, flash, keyvalue, ViewError } from "../src/index.js";
import { exportsFor } from "../src/view.js";
import { testHost, testView } from "../src/testing.js";

const probe = defineView({
  state: () => ({ calls: [] }),
  mount(state, ctx) {
    state.calls.push(["mount", ctx]);
    page.setTitle("Probe");
  },
  handleParams(state, url, params) {
    state.calls.push(["params", url, params]);
  },
  handleEvent(state, event) {
    state.calls.push(["event", event.name, event.value, event.target]);
    if (event.name === "ask") return { answer: 42 };
    if (event.name === "fail") throw new ViewError("refused");
    if (event.name === "bug") null.x;
    if (event.name !== "ok") throw event.unknown();
  },
  handleInfo(state, message) {
    state.calls.push(["info", message]);
  },
  render: (state) => html`<p>${state.calls.length}</p>`,
  routes: ["/probe", "/probe/:id"],
  liveSession: "probes",
});

test("mount receives decoded params, session and connect params", () => {
  const v = testView(probe).mount({ params: { id: "7" }, session: { user: 1 }, connected: true, connectParams: { tz: "UTC" } });
  v.event("ok");
  const state = v.exports.snapshot.snapshot();
  const { calls } = JSON.parse(state).state;
  assert.deepEqual(calls[0], ["mount", { params: { id: "7" }, session: { user: 1 }, connected: true, connectParams: { tz: "UTC" } }]);
  assert.equal(v.host.title, "Probe");
  // The dead render: no connect params, empty JSON strings read as empty objects.
  const exports = exportsFor(probe);
  exports.view.mount({ params: "", session: "{}", connected: false, connectParams: null });
  assert.deepEqual(JSON.parse(exports.snapshot.snapshot()).state.calls[0], [
    "mount",
    { params: {}, session: {}, connected: false, connectParams: null },
  ]);
});

test("events: decoded values, targets, replies as JSON, errors as view-errors", () => {
  const exports = exportsFor(probe);
  testHost();
  exports.view.mount({ params: "{}", session: "{}", connected: true, connectParams: null });
  assert.equal(exports.view.handleEvent("ok", '{"a":{"b":[1,"2"]}}', null), null);
  assert.equal(exports.view.handleEvent("ask", "{}", 3), '{"answer":42}');
  assert.throws(() => exports.view.handleEvent("fail", "{}", null), (e) => e.message === "refused" && !(e instanceof Error));
  assert.throws(() => exports.view.handleEvent("nope", "{}", null), { message: 'unknown event "nope"' });
  assert.throws(() => exports.view.handleEvent("bug", "{}", null), (e) => /^TypeError: /.test(e.message));
  assert.throws(() => exports.view.handleEvent("ok", "{not json", null), (e) => /is not JSON/.test(e.message));
  const calls = JSON.parse(exports.snapshot.snapshot()).state.calls;
  assert.deepEqual(calls[1], ["event", "ok", { a: { b: [1, "2"] } }, null]);
  assert.deepEqual(calls[2], ["event", "ask", {}, 3]);
});

test("handleParams, handleInfo and describe", () => {
  const v = testView(probe).mount();
  v.params("http://x/probe/2?q=1", { id: "2", q: "1" });
  v.info({ kind: "sent", payload: { tick: 1 } });
  assert.equal(v.html(), "<p>3</p>");
  assert.deepEqual(v.exports.describe.describe(), { routes: ["/probe", "/probe/:id"], liveSession: "probes" });
});

test("optional handlers have the documented defaults", () => {
  const bare = defineView({ render: () => html`<p>bare</p>` });
  const v = testView(bare).mount();
  assert.deepEqual(v.exports.describe.describe(), { routes: [], liveSession: null });
  v.params("http://x/bare", {}); // no handleParams: nothing happens
  v.info({ kind: "sent", payload: { dropped: true } }); // no handleInfo: dropped
  v.exports.components.componentsDestroyed([1, 2]);
  assert.throws(() => v.event("click"), /unknown event "click"/);
  assert.equal(v.html(), "<p>bare</p>");
  assert.equal(v.snapshot(), '{"v":1,"state":{}}');
});

test("defineView checks its definition", () => {
  assert.throws(() => defineView({}), /render\(state\) is required/);
  assert.throws(() => defineView({ render() {}, handleEvents() {} }), /unknown field "handleEvents"/);
  assert.throws(() => defineView({ render() {}, mount: 1 }), /mount must be a function/);
  assert.throws(() => defineView({ render() {}, routes: "/x" }), /routes/);
  assert.throws(() => defineView({ render() {}, snapshot: { version: -1 } }), /version/);
  assert.throws(() => exportsFor({ render() {} }), /defineView/);
});

test("mount starts from a fresh state and sends every template again", () => {
  const counter = defineView({
    state: () => ({ n: 0 }),
    handleEvent(s) {
      s.n += 1;
    },
    render: (s) => html`<b>${s.n}</b>`,
  });
  const v = testView(counter).mount();
  v.event("inc");
  assert.equal(v.render().newTemplates.length, 1);
  assert.equal(v.render().newTemplates.length, 0);
  v.mount();
  const parts = v.render();
  assert.equal(parts.newTemplates.length, 1, "statics again after a mount");
  assert.equal(v.lastHtml, "<b>0</b>");
});

test("a render that throws is logged, then traps", () => {
  const broken = defineView({ render: () => html`<p>${{}}</p>` });
  const v = testView(broken).mount();
  assert.throws(() => v.render(), /plain object/);
  assert.equal(v.host.logs.length, 1);
  assert.match(v.host.logs[0][1], /^render failed: TypeError: cannot render a plain object/);
});

test("capability wrappers reach the host", () => {
  const host = testHost();
  host.flash.set("info", "seeded");
  host.keyvalue.set("a:1", "x");
  log.info("hello", 1);
  log.log("warn", "careful");
  page.setTitle(5);
  page.pushEvent("scroll", { to: 1 }, { beforePatch: true });
  page.pushEvent("ping");
  navigation.pushPatch("/items?page=2");
  assert.deepEqual(host.navigation, { kind: "patch", to: "/items?page=2", history: "push" });
  navigation.pushNavigate("/other", { replace: true });
  assert.deepEqual(host.navigation, { kind: "navigate", to: "/other", history: "replace" });
  navigation.redirect("/login");
  assert.deepEqual(host.navigation, { kind: "redirect", to: "/login" });
  navigation.redirectExternal("https://example.com/");
  assert.deepEqual(host.navigation, { kind: "redirect-external", to: "https://example.com/" });
  assert.equal(flash.get("info"), "seeded");
  assert.equal(flash.get("error"), undefined);
  flash.put("error", "bad");
  assert.deepEqual(flash.all(), [["error", "bad"], ["info", "seeded"]]);
  flash.clear("error");
  assert.deepEqual(flash.all(), [["info", "seeded"]]);
  flash.clearAll();
  assert.deepEqual(flash.all(), []);
  assert.equal(keyvalue.get("a:1"), "x");
  assert.equal(keyvalue.get("nope"), undefined);
  keyvalue.set("a:2", "y");
  assert.deepEqual(keyvalue.keys("a:"), ["a:1", "a:2"]);
  assert.deepEqual(keyvalue.keys(), ["a:1", "a:2"]);
  assert.equal(keyvalue.delete("a:1"), true);
  assert.equal(keyvalue.delete("a:1"), false);
  assert.throws(() => keyvalue.set("big", "x".repeat(70000)), /keyvalue.set big: the value of big is over/);
  assert.deepEqual(host.logs, [["info", "hello 1"], ["warn", "careful"]]);
  assert.equal(host.title, "5");
  assert.deepEqual(host.events, [
    { name: "scroll", payload: { to: 1 }, beforePatch: true },
    { name: "ping", payload: {}, beforePatch: false },
  ]);
});

test("handlers are synchronous: a promise is refused", () => {
  const asyncView = defineView({
    async mount() {},
    async handleEvent() {},
    render: () => html`<p></p>`,
  });
  const v = testView(asyncView);
  assert.throws(() => v.mount(), /mount returned a promise/);
  assert.throws(() => v.event("x"), /handleEvent returned a promise/);
});
