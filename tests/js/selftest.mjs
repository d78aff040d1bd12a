#!/usr/bin/env node
// Self-test of the conformance harness: runs conformance.mjs on the fixtures
// in tests/js/fixtures/ (and its subdirectory multi/). Fixtures named
// `*.bad.ndjson` describe a server that is wrong (wrong values, missing
// components, stale skip shells, impossible prunes, ...) and must be rejected
// (exit 1) at their LAST step: the steps before it are correct, so the
// harness has to accept them first and then catch the deliberate mistake.
// Every other `*.ndjson` must pass (exit 0).
//
// Runs:
//   1. every fixture on its own (`conformance.mjs <file>`);
//   2. multi-file mode, one process per group (the top-level fixtures, and
//      multi/, whose files only pass if every file is a fresh session):
//      the good files of the group together must print
//      "conformance ok: <total steps> steps in <F> files"; all files of the
//      group together must fail exactly the bad ones, each at its last step,
//      and still run every good file (the good-files run also checks, with
//      CONFORMANCE_CHECK_PARSER=1, that the harness's fast parse of the
//      expected HTML agrees with jsdom's innerHTML);
//   3. a speed check: ~4000 generated steps in 100 files (a contacts-like
//      page: component rows re-ordered and edited, a stream feed with a
//      limit, title changes) in one process. Prints the time; fails only
//      beyond SPEED_LIMIT_MS.
//
//   node tests/js/selftest.mjs

import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const conformance = join(here, "conformance.mjs");
const fixturesDir = join(here, "fixtures");
const SPEED_LIMIT_MS = 60_000;

const ndjsonIn = (dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".ndjson"))
    .sort()
    .map((f) => join(dir, f));
const groups = [
  ["fixtures", ndjsonIn(fixturesDir)],
  ["fixtures/multi", ndjsonIn(join(fixturesDir, "multi"))],
];
const allFixtures = groups.flatMap(([, files]) => files);
if (allFixtures.length === 0) {
  console.error(`selftest: no fixtures in ${fixturesDir}`);
  process.exit(1);
}

const isBad = (file) => file.endsWith(".bad.ndjson");
const stepCount = (file) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "").length;
const label = (file) => relative(fixturesDir, file);

/** Runs conformance.mjs on `files` in a child process: {res: {status, error}, ms, output}. */
function runConformance(files, timeout = 60_000, env = {}) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [conformance, ...files], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    let error = null;
    const timer = setTimeout(() => {
      error = new Error(`timed out after ${timeout} ms`);
      child.kill("SIGKILL");
    }, timeout);
    child.on("error", (err) => (error = err));
    child.on("close", (status) => {
      clearTimeout(timer);
      const ms = Math.round(performance.now() - started);
      resolve({ res: { status: error ? null : status, error }, ms, output: `${stdout}${stderr}`.trim() });
    });
  });
}

/** Runs `jobs` (functions returning promises) at most `limit` at a time, results in order. */
async function pool(jobs, limit) {
  const results = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

/** {file → [failed step, total steps]} from the FAILED report lines. */
function failures(output) {
  const found = new Map();
  for (const m of output.matchAll(/^conformance FAILED at step (\d+)\/(\d+) .* \((.+) line \d+\)$/gm)) {
    found.set(m[3], [Number(m[1]), Number(m[2])]);
  }
  return found;
}

let passed = 0;
let failed = 0;
function report(ok, name, okText, badText, output) {
  if (ok) {
    passed++;
    console.log(`ok   ${name}: ${okText}`);
  } else {
    failed++;
    console.log(`FAIL ${name}: ${badText}`);
    for (const line of output.split("\n")) console.log(`     ${line}`);
  }
}

// 1. Each fixture on its own (several processes at a time).
const single = await pool(
  allFixtures.map((file) => () => runConformance([file])),
  Math.max(1, Math.min(8, availableParallelism())),
);
for (const [i, file] of allFixtures.entries()) {
  const expectBad = isBad(file);
  const { res, output } = single[i];
  // Exit 1 is "the server is wrong"; 2 (unusable input), crashes and timeouts
  // never count as a correct rejection.
  const failedAt = /conformance FAILED at step (\d+)\/(\d+)/.exec(output);
  const ok = expectBad
    ? res.status === 1 && failedAt !== null && failedAt[1] === failedAt[2]
    : res.status === 0 && /^conformance ok: \d+ steps$/m.test(output) && output.includes(`conformance ok: ${stepCount(file)} steps`);
  const detail = expectBad ? output.split("\n").slice(0, 2).join(" | ") : output;
  report(
    ok,
    label(file),
    `${expectBad ? "rejected" : "passed"} (${detail})`,
    `expected ${expectBad ? "rejection at the last step (exit 1)" : "success (exit 0)"}, got exit ${res.status}${res.error ? ` (${res.error.message})` : ""}`,
    output,
  );
}

// 2. Multi-file mode.
for (const [name, files] of groups) {
  const good = files.filter((f) => !isBad(f));
  const bad = files.filter(isBad);
  if (good.length >= 2) {
    // Also checks that the fast parse of the expected HTML matches jsdom's.
    const { res, ms, output } = await runConformance(good, 60_000, { CONFORMANCE_CHECK_PARSER: "1" });
    const steps = good.reduce((n, f) => n + stepCount(f), 0);
    const want = `conformance ok: ${steps} steps in ${good.length} files`;
    report(
      res.status === 0 && output.split("\n").includes(want),
      `${name} good files together`,
      `${want} (${ms} ms with process start)`,
      `expected exit 0 and "${want}", got exit ${res.status}`,
      output,
    );
  }
  if (bad.length >= 1 && good.length >= 1) {
    const { res, ms, output } = await runConformance(files);
    const found = failures(output);
    const problems = [];
    for (const f of bad) {
      const at = found.get(f);
      if (!at) problems.push(`${label(f)} was not reported`);
      else if (at[0] !== at[1]) problems.push(`${label(f)} failed at step ${at[0]}/${at[1]}, not at its last step`);
    }
    for (const f of good) if (found.has(f)) problems.push(`${label(f)} failed, but it is a good fixture`);
    const want = `conformance FAILED: ${bad.length} of ${files.length} files failed`;
    if (!output.includes(want)) problems.push(`no line "${want}"`);
    if (res.status !== 1) problems.push(`exit ${res.status}, expected 1`);
    report(
      problems.length === 0,
      `${name} all files together`,
      `exactly the ${bad.length} bad of ${files.length} files rejected, each at its last step (${ms} ms)`,
      problems.join("; "),
      output,
    );
  }
}

// 3. Speed: a generated contacts-like workload.
function generateSession(seed) {
  const rows = 12;
  const names = Array.from({ length: rows }, (_, i) => `Person ${seed}-${i}`);
  const cids = Array.from({ length: rows }, (_, i) => i + 1);
  const row = (cid) =>
    `<tr id="row-${cid}"><td class="name">${names[cid - 1]}</td><td class="email">p${cid}@example.com</td><td><button class="edit" phx-click="edit" phx-target="${cid}">Edit</button></td></tr>`;
  let feed = [];
  const feedHTML = () => feed.map((n) => `<li id="activity-${n}">event ${n}</li>`).join("");
  const html = (order) =>
    `<h1 id="count">${rows}</h1><table><tbody id="rows">${order.map(row).join("")}</tbody></table><ul id="activity" phx-update="stream">${feedHTML()}</ul>`;
  const statics = ['<h1 id="count">', '</h1><table><tbody id="rows">', '</tbody></table><ul id="activity" phx-update="stream">', "</ul>"];
  const rowStatics = ['<tr id="row-', '"><td class="name">', '</td><td class="email">', '</td><td><button class="edit" phx-click="edit" phx-target="', '">Edit</button></td></tr>'];
  const comp = (cid) => ({ 0: String(cid), 1: names[cid - 1], 2: `p${cid}@example.com`, 3: String(cid) });
  const keyed = (order) => {
    const k = { kc: order.length };
    order.forEach((cid, i) => (k[i] = { 0: cid }));
    return k;
  };
  const streamInsert = (n) => ({ k: { 0: { 0: `activity-${n}`, 1: `event ${n}` }, kc: 1 }, stream: ["a", [[`activity-${n}`, 0, 10, false]], []] });
  const addFeed = (n) => (feed = [n, ...feed].slice(0, 10));

  const steps = [];
  let order = [...cids];
  addFeed(0);
  const c = {};
  cids.forEach((cid, i) => (c[cid] = { ...comp(cid), r: 1, s: i === 0 ? rowStatics : 1 }));
  steps.push({
    step: "join",
    view_id: "phx-speed",
    diff: {
      0: String(rows),
      1: { k: keyed(order), s: ["", ""] },
      2: { s: ['<li id="', '">', "</li>"], ...streamInsert(0) },
      s: statics,
      c,
      t: `Speed ${seed}`,
    },
    html: html(order),
    title: `Speed ${seed}`,
  });
  for (let n = 1; n < 40; n++) {
    addFeed(n);
    if (n % 2 === 0) {
      order = n % 4 === 0 ? [...order].reverse() : [...order.slice(1), order[0]];
      steps.push({ step: `reorder ${n}`, view_id: "phx-speed", diff: { 1: { k: keyed(order) }, 2: streamInsert(n), t: `Speed ${seed} ${n}` }, html: html(order), title: `Speed ${seed} ${n}` });
    } else {
      const cid = order[n % rows];
      names[cid - 1] = `Renamed ${seed}-${n}`;
      steps.push({ step: `rename ${n}`, view_id: "phx-speed", diff: { 2: streamInsert(n), c: { [cid]: { 1: names[cid - 1] } } }, html: html(order) });
    }
  }
  return steps;
}

{
  const dir = mkdtempSync(join(tmpdir(), "liveplug-selftest-"));
  try {
    const files = [];
    let total = 0;
    for (let i = 0; i < 100; i++) {
      const steps = generateSession(i);
      total += steps.length;
      const file = join(dir, `session-${String(i).padStart(3, "0")}.ndjson`);
      writeFileSync(file, steps.map((s) => JSON.stringify(s)).join("\n") + "\n");
      files.push(file);
    }
    const { res, ms, output } = await runConformance(files, SPEED_LIMIT_MS + 10_000);
    const want = `conformance ok: ${total} steps in ${files.length} files`;
    report(
      res.status === 0 && output.split("\n").includes(want) && ms <= SPEED_LIMIT_MS,
      "speed (generated sessions)",
      `${want} in ${ms} ms with process start`,
      `expected "${want}" within ${SPEED_LIMIT_MS} ms, got exit ${res.status} after ${ms} ms`,
      output.split("\n").slice(0, 40).join("\n"),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
