#!/usr/bin/env node
// Self-test of the conformance harness: runs conformance.mjs on every fixture
// in tests/js/fixtures/. Fixtures named `*.bad.ndjson` describe a server that
// is wrong (wrong values, missing components, stale skip shells, ...) and must
// be rejected (exit 1) at their LAST step: the steps before it are correct,
// so the harness has to accept them first and then catch the deliberate
// mistake. Every other `*.ndjson` must pass (exit 0).
//
//   node tests/js/selftest.mjs

import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const conformance = join(here, "conformance.mjs");
const fixturesDir = join(here, "fixtures");

const fixtures = readdirSync(fixturesDir)
  .filter((f) => f.endsWith(".ndjson"))
  .sort();
if (fixtures.length === 0) {
  console.error(`selftest: no fixtures in ${fixturesDir}`);
  process.exit(1);
}

let passed = 0;
let failed = 0;
for (const name of fixtures) {
  const expectBad = name.endsWith(".bad.ndjson");
  const res = spawnSync(process.execPath, [conformance, join(fixturesDir, name)], {
    encoding: "utf8",
    timeout: 60_000,
  });
  const output = `${res.stdout}${res.stderr}`.trim();
  // Exit 1 is "the server is wrong"; 2 (unusable input), crashes and timeouts
  // never count as a correct rejection.
  const failedAt = /conformance FAILED at step (\d+)\/(\d+)/.exec(output);
  const ok = expectBad
    ? res.status === 1 && failedAt !== null && failedAt[1] === failedAt[2]
    : res.status === 0 && /^conformance ok: \d+ steps$/m.test(output);
  if (ok) {
    passed++;
    const detail = expectBad ? output.split("\n").slice(0, 2).join(" | ") : output;
    console.log(`ok   ${name}: ${expectBad ? "rejected" : "passed"} (${detail})`);
  } else {
    failed++;
    console.log(`FAIL ${name}: expected ${expectBad ? "rejection at the last step (exit 1)" : "success (exit 0)"}, got exit ${res.status}${res.error ? ` (${res.error.message})` : ""}`);
    for (const line of output.split("\n")) console.log(`     ${line}`);
  }
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
