// Stateful components: rendering, event routing, destruction, snapshots.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Components, defineComponent, defineView, each, html } from "../src/index.js";
import { collectionsIn } from "../src/component.js";
import { testView } from "../src/testing.js";

const Tag = defineComponent("tag", {
  render: (tag, id) => html`<b id="tag-${id}" phx-click="bump" phx-target="#tag-${id}">${tag.label} ${tag.clicks}</b>`,
  handleEvent(tag, event) {
    if (event.name !== "bump") throw event.unknown();
    tag.clicks += 1;
    return { clicks: tag.clicks };
  },
});

const tags = defineView({
  state: () => ({ tags: new Components(Tag).insert(10, { label: "ten", clicks: 0 }).insert(3, { label: "three", clicks: 0 }), viewEvents: 0 }),
  handleEvent(state, event) {
    state.viewEvents += 1;
    if (event.name === "add") state.tags.insert(event.value.id, { label: event.value.label, clicks: 0 });
  },
  componentsDestroyed(state, ids) {
    for (const id of ids) state.tags.remove(id);
  },
  render: (state) => html`<p>${each(state.tags.ids().sort((a, b) => a - b), String, (id) => html`<span>${state.tags.place(id)}</span>`)}${state.tags.place(99)}</p>`,
});

test("placed components render in parts.components and appear by id", () => {
  const v = testView(tags).mount();
  const parts = v.render();
  assert.deepEqual(parts.components.map((c) => c.id).sort(), [10, 3].sort());
  for (const c of parts.components) assert.equal(parts.nodes[c.root].tag, "tree");
  const placed = parts.nodes.filter((n) => n.tag === "component").map((n) => n.val);
  assert.deepEqual(placed, [3, 10]);
  // An id the collection does not hold places nothing.
  assert.equal(
    v.lastHtml,
    '<p><span><b id="tag-3" phx-click="bump" phx-target="#tag-3">three 0</b></span><span><b id="tag-10" phx-click="bump" phx-target="#tag-10">ten 0</b></span></p>',
  );
});

test("an event with a target goes to that component, without a target to the view", () => {
  const v = testView(tags).mount();
  v.render();
  assert.deepEqual(v.event("bump", {}, 10), { clicks: 1 });
  assert.deepEqual(v.event("bump", {}, 10), { clicks: 2 });
  assert.throws(() => v.event("other", {}, 3), /unknown event "other"/);
  v.event("add", { id: 5, label: "five" });
  // A target no collection holds reaches the view's handleEvent.
  v.event("add", { id: 6, label: "six" }, 1234);
  assert.match(v.html(), /ten 2/);
  assert.match(v.lastHtml, /five 0.*six 0/);
  assert.equal(JSON.parse(v.snapshot()).state.viewEvents, 2);
  // Before any render (a restored instance): found by walking the state.
  const restored = v.restored(v.snapshot());
  assert.deepEqual(restored.event("bump", {}, 5), { clicks: 1 });
});

test("components survive a snapshot by kind and id", () => {
  const v = testView(tags).mount();
  v.render();
  v.event("bump", {}, 3);
  const text = v.snapshot();
  assert.deepEqual(JSON.parse(text), {
    v: 1,
    state: {
      tags: { $components: "tag", items: { 3: { label: "three", clicks: 1 }, 10: { label: "ten", clicks: 0 } } },
      viewEvents: 0,
    },
  });
  const restored = v.restored(text);
  assert.equal(restored.html(), v.html());
  const bad = text.replace('"$components":"tag"', '"$components":"nope"');
  assert.throws(() => v.restored(bad), /kind "nope", which this view does not define/);
});

test("componentsDestroyed reaches the view", () => {
  const v = testView(tags).mount();
  v.render();
  v.exports.components.componentsDestroyed([10]);
  assert.doesNotMatch(v.html(), /tag-10/);
  assert.match(v.lastHtml, /tag-3/);
});

test("a component renders one template; ids are unique across collections", () => {
  const Bad = defineComponent("bad", { render: () => "text" });
  const badView = defineView({ state: () => ({ c: new Components(Bad).insert(1, {}) }), render: (s) => html`<p>${s.c.place(1)}</p>` });
  assert.throws(() => testView(badView).mount().render(), /single root element/);
  const twice = defineView({
    state: () => ({ a: new Components(Tag).insert(1, { label: "a", clicks: 0 }), b: new Components(Tag).insert(1, { label: "b", clicks: 0 }) }),
    render: (s) => html`<p>${s.a.place(1)}${s.b.place(1)}</p>`,
  });
  assert.throws(() => testView(twice).mount().render(), /placed by two collections/);
  assert.throws(() => new Components(Tag).insert(-1, {}), /component id/);
  assert.throws(() => new Components(Tag).insert(2 ** 32, {}), /component id/);
  assert.throws(() => new Components({}), /defineComponent/);
  assert.throws(() => defineComponent("tag", { render() {} }), /already defined/);
});

test("a component placed twice in one render is rendered once", () => {
  const both = defineView({
    state: () => ({ c: new Components(Tag).insert(1, { label: "x", clicks: 0 }) }),
    render: (s) => html`<p>${s.c.place(1)}${s.c.place(1)}</p>`,
  });
  const parts = testView(both).mount().render();
  assert.equal(parts.components.length, 1);
  assert.equal(parts.nodes.filter((n) => n.tag === "component").length, 2);
});

test("collectionsIn finds collections nested in objects, arrays, maps and components", () => {
  const Inner = defineComponent("inner", { render: (s, id) => html`<i id="i${id}">${s.kids ? s.kids.place(2) : ""}</i>` });
  const nested = new Components(Inner).insert(2, {});
  const outer = new Components(Inner).insert(1, { kids: nested });
  const extra = new Components(Tag);
  const state = { a: [{ b: new Map([["x", outer]]) }], extra };
  state.self = state; // cycles are fine
  const found = collectionsIn(state);
  assert.equal(found.length, 3);
  assert.ok(found.includes(nested) && found.includes(outer) && found.includes(extra));
});
