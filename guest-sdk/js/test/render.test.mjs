// Arena building: node shapes, template bookkeeping, attributes, lists.

import { test } from "node:test";
import assert from "node:assert/strict";
import { attrs, each, html, raw } from "../src/html.js";
import { Renderer, WRAPPER } from "../src/render.js";
import { PartsReader, PartsError } from "../src/testing.js";

const node = (parts, index) => parts.nodes[index];
const rootSlots = (parts) => node(parts, parts.root).val.slots.map((i) => node(parts, i));

test("a template renders as a tree whose slots index the arena", () => {
  const parts = new Renderer().render(html`<p id="${"x"}">${"<b>&"}${7}</p>`);
  const root = node(parts, parts.root);
  assert.equal(root.tag, "tree");
  assert.equal(root.val.slots.length, 3);
  // Text is never escaped by the guest: the host does it.
  assert.deepEqual(rootSlots(parts), [
    { tag: "text", val: "x" },
    { tag: "text", val: "<b>&" },
    { tag: "text", val: "7" },
  ]);
  assert.deepEqual(parts.newTemplates, [{ id: root.val.template, statics: ['<p id="', '">', "", "</p>"] }]);
  assert.deepEqual(parts.components, []);
  assert.equal(new PartsReader().read(parts), '<p id="x">&lt;b&gt;&amp;7</p>');
});

test("statics are sent the first time an instance uses a template, and again after reset", () => {
  const r = new Renderer();
  const view = (n) => html`<div>${n}${html`<i>${n}</i>`}</div>`;
  const first = r.render(view(1));
  assert.equal(first.newTemplates.length, 2);
  const second = r.render(view(2));
  assert.deepEqual(second.newTemplates, [], "nothing new on the second render");
  assert.deepEqual(rootSlots(second)[0], { tag: "text", val: "2" });
  // Another instance has its own bookkeeping.
  assert.equal(new Renderer().render(view(3)).newTemplates.length, 2);
  // A template first used later is sent then, once.
  const third = r.render(html`<div>${html`<u>${1}</u>`}</div>`);
  assert.deepEqual(third.newTemplates.map((t) => t.statics).sort(), [["<div>", "</div>"], ["<u>", "</u>"]]);
  r.reset();
  assert.equal(r.render(view(4)).newTemplates.length, 2, "a reset instance sends again");
  // The reader, standing in for the host, accepts the sequence.
  const reader = new PartsReader();
  const r2 = new Renderer();
  for (let i = 0; i < 3; i++) assert.equal(reader.read(r2.render(view(i))), `<div>${i}<i>${i}</i></div>`);
});

test("the reader refuses a template that was never sent", () => {
  const r = new Renderer();
  r.render(html`<s>${1}</s>`);
  // A fresh host (reader) after a render that did not send the statics.
  assert.throws(() => new PartsReader().read(r.render(html`<s>${2}</s>`)), PartsError);
});

test("every node is reachable once, even a value used twice", () => {
  const inner = html`<b>x</b>`;
  const parts = new Renderer().render(html`<p>${inner}${inner}</p>`);
  const [a, b] = node(parts, parts.root).val.slots;
  assert.notEqual(a, b);
  assert.equal(new PartsReader().read(parts), "<p><b>x</b><b>x</b></p>");
});

test("null, undefined and false render nothing; true and numbers render as text", () => {
  const parts = new Renderer().render(html`<p>${null}${undefined}${false}${true}${0}${-1.5}${10n}</p>`);
  assert.deepEqual(rootSlots(parts).map((n) => n.val), ["", "", "", "true", "0", "-1.5", "10"]);
});

test("conditionals: a template or nothing", () => {
  const view = (on) => html`<div>${on ? html`<p>on</p>` : null}</div>`;
  const reader = new PartsReader();
  const r = new Renderer();
  assert.equal(reader.read(r.render(view(true))), "<div><p>on</p></div>");
  assert.equal(reader.read(r.render(view(false))), "<div></div>");
  assert.equal(reader.read(r.render(view(true))), "<div><p>on</p></div>");
});

test("raw markup is sent as is", () => {
  const parts = new Renderer().render(html`<div>${raw("<em>hi</em>")}</div>`);
  assert.deepEqual(rootSlots(parts), [{ tag: "raw", val: "<em>hi</em>" }]);
  assert.equal(new PartsReader().read(parts), "<div><em>hi</em></div>");
});

test("objects in a tag are attributes: true bare, false/null/undefined absent, the rest strings", () => {
  const parts = new Renderer().render(
    html`<input ${{ a: "1", b: true, c: false, d: null, e: undefined, f: 0, "phx-value-id": 3 }}>`,
  );
  assert.deepEqual(rootSlots(parts), [
    {
      tag: "attributes",
      val: [
        { name: "a", value: "1" },
        { name: "b", value: null },
        { name: "f", value: "0" },
        { name: "phx-value-id", value: "3" },
      ],
    },
  ]);
  assert.equal(new PartsReader().read(parts), '<input a="1" b f="0" phx-value-id="3">');
});

test("attrs(), arrays of pairs and nothing in a tag", () => {
  const r = new Renderer();
  const read = (h) => new PartsReader().read(r.render(h));
  r.reset();
  assert.equal(read(html`<a ${attrs({ href: '/x?a="1"' })}>`), '<a href="/x?a=&quot;1&quot;">');
  r.reset();
  assert.equal(read(html`<a ${[["x", "1"], ["y", true], ["z", false]]}>`), '<a x="1" y>');
  r.reset();
  assert.equal(read(html`<a ${null}>`), "<a>");
  r.reset();
  assert.deepEqual(rootSlots(r.render(html`<a ${false}>`)), [{ tag: "attributes", val: [] }]);
});

test("an unquoted attribute slot is one attribute, present or absent", () => {
  const r = new Renderer();
  const view = (v) => html`<input type="checkbox" checked=${v}>`;
  const reader = new PartsReader();
  assert.equal(reader.read(r.render(view(true))), '<input type="checkbox" checked>');
  assert.equal(reader.read(r.render(view(false))), '<input type="checkbox">');
  assert.equal(reader.read(r.render(view(null))), '<input type="checkbox">');
  assert.equal(reader.read(r.render(view("yes"))), '<input type="checkbox" checked="yes">');
  assert.equal(reader.read(r.render(view(2))), '<input type="checkbox" checked="2">');
  assert.deepEqual(rootSlots(r.render(view(true))), [{ tag: "attributes", val: [{ name: "checked", value: null }] }]);
});

test("attribute values are checked", () => {
  const r = new Renderer();
  assert.throws(() => r.render(html`<a ${"onclick=alert(1)"}>`), /object of attributes/);
  assert.throws(() => r.render(html`<a ${{ 'x"y': 1 }}>`), /invalid attribute name/);
  assert.throws(() => r.render(html`<a ${{ "": 1 }}>`), /invalid attribute name/);
  assert.throws(() => r.render(html`<a ${{ x: { y: 1 } }}>`), /string, a number or a boolean/);
  assert.throws(() => r.render(html`<a x=${[1]}>`), /string, a number or a boolean/);
});

test("content refuses plain objects and functions", () => {
  const r = new Renderer();
  assert.throws(() => r.render(html`<p>${{ a: 1 }}</p>`), /plain object/);
  assert.throws(() => r.render(html`<p>${() => 1}</p>`), /call it/);
  // Objects with their own toString render as it.
  const date = new Date(0);
  assert.deepEqual(rootSlots(r.render(html`<p>${date}</p>`)), [{ tag: "text", val: String(date) }]);
});

test("each() with keys is one keyed node on the items' own template", () => {
  const rows = [
    { id: 3, name: "c" },
    { id: 1, name: "a & b" },
  ];
  const parts = new Renderer().render(html`<ul>${each(rows, "id", (row) => html`<li id="r-${row.id}">${row.name}</li>`)}</ul>`);
  const [list] = rootSlots(parts);
  assert.equal(list.tag, "keyed");
  const rowTemplate = parts.newTemplates.find((t) => t.statics[0] === '<li id="r-');
  assert.ok(rowTemplate, "the row template is sent");
  assert.equal(list.val.template, rowTemplate.id);
  assert.deepEqual(list.val.items.map((i) => i.key), ["3", "1"]);
  assert.deepEqual(
    list.val.items.map((i) => i.slots.map((s) => node(parts, s).val)),
    [["3", "c"], ["1", "a & b"]],
  );
  assert.equal(new PartsReader().read(parts), '<ul><li id="r-3">c</li><li id="r-1">a &amp; b</li></ul>');
});

test("each() keys: functions, positions, duplicates, missing", () => {
  const r = new Renderer();
  const items = ["x", "y"];
  const byFn = rootSlots(r.render(html`<p>${each(items, (s, i) => `${s}${i}`, (s) => html`<b>${s}</b>`)}</p>`))[0];
  assert.deepEqual(byFn.val.items.map((i) => i.key), ["x0", "y1"]);
  const positional = rootSlots(r.render(html`<p>${each(items, (s) => html`<b>${s}</b>`)}</p>`))[0];
  assert.deepEqual(positional.val.items.map((i) => i.key), [null, null]);
  assert.throws(() => r.render(html`<p>${each([{ id: 1 }, { id: 1 }], "id", () => html`<b></b>`)}</p>`), /two items have the key "1"/);
  assert.throws(() => r.render(html`<p>${each([{}], "id", () => html`<b></b>`)}</p>`), /no key/);
  assert.throws(() => each([], "id"), /render must be a function/);
  // Any iterable.
  const fromSet = rootSlots(r.render(html`<p>${each(new Set([5, 6]), String, (n) => html`<b>${n}</b>`)}</p>`))[0];
  assert.deepEqual(fromSet.val.items.map((i) => i.key), ["5", "6"]);
});

test("lists of mixed items or plain values use the wrapper template", () => {
  const r = new Renderer();
  const reader = new PartsReader();
  const mixed = r.render(html`<p>${[html`<b>1</b>`, html`<i>2</i>`, "3"]}</p>`);
  const [list] = rootSlots(mixed);
  assert.equal(list.val.template, WRAPPER.id);
  assert.equal(list.val.items.length, 3);
  assert.ok(list.val.items.every((i) => i.slots.length === 1 && i.key === null));
  assert.equal(reader.read(mixed), "<p><b>1</b><i>2</i>3</p>");
  // An empty list too.
  const empty = r.render(html`<p>${each([], "id", () => html`<b></b>`)}</p>`);
  assert.deepEqual(rootSlots(empty)[0].val, { template: WRAPPER.id, items: [] });
  assert.equal(reader.read(empty), "<p></p>");
  // An array of one template's instances is that template's comprehension.
  const same = r.render(html`<p>${[1, 2].map((n) => html`<b>${n}</b>`)}</p>`);
  assert.notEqual(rootSlots(same)[0].val.template, WRAPPER.id);
  assert.equal(reader.read(same), "<p><b>1</b><b>2</b></p>");
});

test("nested lists and templates", () => {
  const groups = [
    { name: "g1", items: ["a", "b"] },
    { name: "g2", items: [] },
  ];
  const view = html`<div>${each(groups, "name", (g) => html`<section><h2>${g.name}</h2>${each(g.items, String, (i) => html`<p>${i}</p>`)}</section>`)}</div>`;
  assert.equal(
    new PartsReader().read(new Renderer().render(view)),
    "<div><section><h2>g1</h2><p>a</p><p>b</p></section><section><h2>g2</h2></section></div>",
  );
});

test("a root that is not a template is wrapped", () => {
  const parts = new Renderer().render("just text");
  assert.equal(node(parts, parts.root).val.template, WRAPPER.id);
  assert.equal(new PartsReader().read(parts), "just text");
});
