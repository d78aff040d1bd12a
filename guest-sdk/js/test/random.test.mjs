// The component's Math.random and crypto (installed by wit-host.js from wasi:random).

import { test } from "node:test";
import assert from "node:assert/strict";
import { floatFrom, installRandom, xoshiro128 } from "../src/random.js";

test("xoshiro128** matches its reference output", () => {
  // Reference: state {1, 2, 3, 4} gives 11520, 0, 5927040, 70819200, 2031721883 (xoshiro128starstar.c).
  const seed = new Uint8Array([1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0]);
  const next = xoshiro128(seed);
  assert.deepEqual([next(), next(), next(), next(), next()], [11520, 0, 5927040, 70819200, 2031721883]);
  // An all-zero seed still moves.
  const zero = xoshiro128(new Uint8Array(16));
  assert.notEqual(zero() + zero() + zero(), 0);
});

test("floats are in [0, 1) with 53 bits", () => {
  const random = floatFrom(xoshiro128(Uint8Array.from({ length: 16 }, (_, i) => i * 7 + 1)));
  const xs = Array.from({ length: 10000 }, random);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
  assert.ok(xs.some((x) => x * 2 ** 32 !== Math.floor(x * 2 ** 32)), "more than 32 bits");
  assert.equal(floatFrom(() => 0xffffffff)(), (2 ** 53 - 1) / 2 ** 53);
});

test("installRandom seeds lazily, per instance, from the host's bytes", () => {
  const calls = [];
  let counter = 0;
  const bytes = (n) => {
    calls.push(n);
    return Uint8Array.from({ length: n }, () => (counter++ * 37) & 0xff);
  };
  const a = { Math: {} };
  installRandom(a, bytes);
  assert.deepEqual(calls, [], "nothing drawn at install (the build's snapshot)");
  const first = a.Math.random();
  assert.deepEqual(calls, [16]);
  a.Math.random();
  assert.deepEqual(calls, [16], "seeded once");
  const b = { Math: {} };
  installRandom(b, bytes);
  assert.notEqual(b.Math.random(), first, "another seed, another sequence");
  // crypto from the same bytes.
  const arr = a.crypto.getRandomValues(new Uint32Array(2));
  assert.equal(calls.at(-1), 8);
  assert.ok(arr instanceof Uint32Array);
  assert.match(a.crypto.randomUUID(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.throws(() => a.crypto.getRandomValues(new Float64Array(1)), TypeError);
  // An existing crypto is kept.
  const existing = { Math: {}, crypto: { mine: true } };
  installRandom(existing, bytes);
  assert.deepEqual(existing.crypto, { mine: true });
});
