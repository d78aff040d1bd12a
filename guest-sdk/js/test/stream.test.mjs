// Streams: pending operations sent once with the next render.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Stream, html } from "../src/index.js";
import { Renderer, WRAPPER } from "../src/render.js";
import { PartsReader } from "../src/testing.js";

const view = (s) => html`<ul id="msgs" phx-update="stream">${s.place((m) => html`<li id="m-${m.id}">${m.text}</li>`)}</ul>`;
const streamNode = (parts) => parts.nodes[parts.nodes[parts.root].val.slots[0]].val;

test("inserts, deletes and reset go out with one render, then are forgotten", () => {
  const s = new Stream("msgs", (m) => `m-${m.id}`);
  s.insert({ id: 1, text: "a" });
  s.insert({ id: 2, text: "b" }, { at: "start", limit: -10 });
  s.insert({ id: 3, text: "c" }, { at: 1, limit: 5 });
  s.update({ id: 1, text: "A" });
  s.delete("m-9");
  s.delete({ id: 8 });
  const r = new Renderer();
  const reader = new PartsReader();
  const parts = r.render(view(s));
  const ops = streamNode(parts);
  assert.equal(ops.name, "msgs");
  assert.notEqual(ops.template, WRAPPER.id);
  assert.deepEqual(
    ops.inserts.map(({ domId, at, limit, updateOnly }) => ({ domId, at, limit, updateOnly })),
    [
      { domId: "m-1", at: { tag: "append" }, limit: null, updateOnly: false },
      { domId: "m-2", at: { tag: "prepend" }, limit: { tag: "last", val: 10 }, updateOnly: false },
      { domId: "m-3", at: { tag: "index", val: 1 }, limit: { tag: "first", val: 5 }, updateOnly: false },
      { domId: "m-1", at: { tag: "append" }, limit: null, updateOnly: true },
    ],
  );
  assert.deepEqual(ops.deletes, ["m-9", "m-8"]);
  assert.equal(ops.reset, false);
  assert.equal(
    reader.read(parts),
    '<ul id="msgs" phx-update="stream"><li id="m-1">a</li><li id="m-2">b</li><li id="m-3">c</li><li id="m-1">A</li></ul>',
  );
  const next = streamNode(r.render(view(s)));
  assert.deepEqual([next.inserts, next.deletes, next.reset], [[], [], false]);
  s.reset([{ id: 4, text: "d" }]);
  const reset = streamNode(r.render(view(s)));
  assert.equal(reset.reset, true);
  assert.deepEqual(reset.inserts.map((i) => i.domId), ["m-4"]);
});

test("stream arguments are checked", () => {
  assert.throws(() => new Stream("", String), /name/);
  assert.throws(() => new Stream("x"), /domId/);
  const s = new Stream("x", String);
  assert.throws(() => s.insert(1, { at: "middle" }), /at is/);
  assert.throws(() => s.insert(1, { limit: 0 }), /limit/);
  s.insert(1).insert(2);
  const mixed = html`<ul>${s.place((n) => (n === 1 ? html`<li id="${n}">a</li>` : html`<p id="${n}">b</p>`))}</ul>`;
  assert.throws(() => new Renderer().render(mixed), /same template/);
  assert.equal(JSON.stringify({ s }), "{}", "a stream is not saved");
});
