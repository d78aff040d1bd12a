// Snapshots: the envelope, versions, migration, restoring into a fresh instance.

import { test } from "node:test";
import assert from "node:assert/strict";
import { defineView, html, Stream } from "../src/index.js";
import { decode, encode, merge, SnapshotError } from "../src/snapshot.js";
import { testView } from "../src/testing.js";

test("the envelope is {v, state}", () => {
  assert.equal(encode({ count: 3 }), '{"v":1,"state":{"count":3}}');
  assert.equal(encode({ count: 3 }, 7), '{"v":7,"state":{"count":3}}');
  assert.deepEqual(decode('{"v":1,"state":{"count":3}}'), { count: 3 });
  assert.deepEqual(decode('{"state":[1],"v":2}', 2), [1]);
});

test("bad texts are refused with a reason", () => {
  assert.throws(() => decode("nope"), (e) => e instanceof SnapshotError && /invalid snapshot/.test(e.message));
  assert.throws(() => decode("[]"), /not an object/);
  assert.throws(() => decode('{"v":1}'), /expected the fields v and state, found v/);
  assert.throws(() => decode('{"v":1,"state":{},"x":1}'), /found state,v,x/);
  assert.throws(() => decode('{"v":"1","state":{}}'), /version "1"/);
});

test("another version goes through migrate, or is refused", () => {
  assert.throws(
    () => decode('{"v":1,"state":{}}', 2),
    /cannot restore a version 1 snapshot into version 2: this view does not migrate snapshots/,
  );
  const migrate = (from, old) => {
    if (from !== 1) throw new Error(`unknown version ${from}`);
    return { total: old.count };
  };
  assert.deepEqual(decode('{"v":1,"state":{"count":4}}', 2, migrate), { total: 4 });
  assert.throws(() => decode('{"v":0,"state":{}}', 2, migrate), /version 0 snapshot into version 2: unknown version 0/);
});

test("merge fills fields added since the snapshot", () => {
  assert.deepEqual(merge({ a: 1, b: 2 }, { a: 5 }), { a: 5, b: 2 });
  assert.deepEqual(merge({ a: 1 }, [1]), [1]);
  assert.equal(merge(0, 3), 3);
});

const counter = (options = {}) =>
  defineView({
    state: () => ({ count: 0, added: "default", feed: new Stream("feed", (m) => `m-${m}`) }),
    handleEvent(state) {
      state.count += 1;
    },
    render: (s) => html`<p>${s.count} ${s.added}</p>`,
    ...options,
  });

test("a view snapshots its state by default and restores into a fresh instance", () => {
  const v = testView(counter()).mount();
  v.event("inc");
  v.event("inc");
  const text = v.snapshot();
  // The stream is left out.
  assert.equal(text, '{"v":1,"state":{"count":2,"added":"default"}}');
  const restored = v.restored(text);
  // The restored instance sends every template again (a fresh reader accepts it).
  assert.equal(restored.html(), "<p>2 default</p>");
  restored.event("inc");
  assert.equal(restored.html(), "<p>3 default</p>");
  // Fields missing in an older snapshot take their initial values; the stream is a fresh one.
  const older = v.restored('{"v":1,"state":{"count":9}}');
  assert.equal(older.html(), "<p>9 default</p>");
  assert.ok(JSON.parse(older.snapshot()).state.added === "default");
});

test("restore errors are view-errors (the host mounts anew)", () => {
  const exports = testView(counter()).exports;
  assert.throws(() => exports.snapshot.restore("{"), (e) => /invalid snapshot/.test(e.message) && !(e instanceof Error));
  assert.throws(() => exports.snapshot.restore('{"v":3,"state":{}}'), { message: /version 3 snapshot into version 1/ });
});

test("versions, migrate, save and load", () => {
  const v2 = counter({
    snapshot: {
      version: 2,
      migrate: (from, old) => ({ count: old.n }),
    },
  });
  const restored = testView(v2).restored('{"v":1,"state":{"n":41}}');
  restored.event("inc");
  assert.equal(restored.html(), "<p>42 default</p>");
  assert.equal(restored.snapshot(), '{"v":2,"state":{"count":42,"added":"default"}}');

  const custom = counter({
    snapshot: { save: (s) => [s.count], load: (saved) => ({ count: saved[0], added: "loaded" }) },
  });
  const c = testView(custom).mount();
  c.event("inc");
  assert.equal(c.snapshot(), '{"v":1,"state":[1]}');
  assert.equal(c.restored(c.snapshot()).html(), "<p>1 loaded</p>");
});

test("snapshot: false opts out; an unserializable state snapshots as none", () => {
  const off = testView(counter({ snapshot: false })).mount();
  assert.equal(off.snapshot(), null);
  assert.throws(() => off.exports.snapshot.restore('{"v":1,"state":{}}'), { message: /does not restore snapshots/ });
  const big = testView(counter({ state: () => ({ count: 1n }) })).mount();
  assert.equal(big.snapshot(), null);
  assert.match(big.host.logs[0][1], /cannot snapshot the view/);
});
