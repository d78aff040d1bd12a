#!/usr/bin/env node
// End-to-end test of the contacts LiveView in real headless Chromium with the
// unmodified official client.
//
//   node tests/js/e2e_contacts.mjs <base_url>      e.g. http://127.0.0.1:4000
//
// Opens <base_url>/contacts and exercises the page's markup contract:
//   #contact-count            number of contacts; page title "Contacts (<count>)"
//   form#add-contact          phx-submit="add"; input[name="contact[name]"],
//                             input[name="contact[email]"], button #add-button;
//                             inputs come back empty after an add
//   #sort-name, #sort-email   first click sorts ascending, clicking the same
//                             button again toggles; the active button's text
//                             ends with " ▲" (asc) or " ▼" (desc)
//   tbody#contact-rows > tr#contact-<id>
//                             a stateful component each (data-phx-component),
//                             with td.name, td.email, button.edit, button.delete;
//                             in edit mode the same tr holds form.edit-form with
//                             input[name="name"], input[name="email"],
//                             button.save (submit) and button.cancel
//   ul#activity               phx-update="stream", li#activity-<n>, newest
//                             first, at most 10
// Seed: 1 "Ada Lovelace" ada@example.com, 2 "Grace Hopper" grace@example.com,
// 3 "Alan Turing" alan@example.com; feed "3 contacts loaded". State is per
// session: a full reload starts over.
//
// Every check waits (10 s per step) for the whole visible state - rows in
// order, count, title, the complete activity feed, sort markers, edit mode -
// to match the model kept here, and reports the differences and the last
// state seen when it does not. Any console error, the "LiveView asset version
// mismatch" warning or an uncaught page error fails the test (browser.mjs).
// Deleting a row must also complete the component destroy handshake on the
// websocket (cids_will_destroy, then cids_destroyed answered with
// {"cids": [...]} containing the row's cid).

import { E2EFailure, recordFrames, runE2E } from "./browser.mjs";

const baseUrl = process.argv[2];
if (process.argv.length !== 3 || !/^https?:\/\//.test(baseUrl)) {
  console.error("usage: node tests/js/e2e_contacts.mjs <base_url>   (e.g. http://127.0.0.1:4000)");
  process.exit(2);
}
const url = `${baseUrl.replace(/\/+$/, "")}/contacts`;

const FEED_LIMIT = 10;
const SEED = [
  { id: 1, name: "Ada Lovelace", email: "ada@example.com" },
  { id: 2, name: "Grace Hopper", email: "grace@example.com" },
  { id: 3, name: "Alan Turing", email: "alan@example.com" },
];
const ADD_NAME = 'form#add-contact input[name="contact[name]"]';
const ADD_EMAIL = 'form#add-contact input[name="contact[email]"]';

// ---------------------------------------------------------------------------
// Reading the page

/** Runs in the page: everything the checks look at, as plain data. */
function pageSnapshot() {
  const q = (sel) => document.querySelector(sel);
  const text = (el) => (el ? el.textContent.trim() : null);
  const value = (el) => (el ? el.value : null);
  const tbody = q("tbody#contact-rows");
  const rows = tbody
    ? Array.from(tbody.children).map((tr) => {
        const form = tr.querySelector("form.edit-form");
        return {
          tag: tr.localName,
          id: tr.id,
          cid: tr.getAttribute("data-phx-component"),
          name: text(tr.querySelector("td.name")),
          email: text(tr.querySelector("td.email")),
          hasEdit: tr.querySelector("button.edit") !== null,
          hasDelete: tr.querySelector("button.delete") !== null,
          editing: form !== null,
          editName: form ? value(form.querySelector('input[name="name"]')) : null,
          editEmail: form ? value(form.querySelector('input[name="email"]')) : null,
          hasSave: form ? form.querySelector("button.save") !== null : false,
          hasCancel: form ? form.querySelector("button.cancel") !== null : false,
        };
      })
    : null;
  const feedEl = q("ul#activity");
  return {
    connected: q("[data-phx-main].phx-connected") !== null,
    count: text(q("#contact-count")),
    title: document.title,
    rows,
    feedUpdate: feedEl ? feedEl.getAttribute("phx-update") : null,
    feed: feedEl
      ? Array.from(feedEl.children).map((li) => ({ tag: li.localName, id: li.id, text: text(li) }))
      : null,
    sortName: text(q("#sort-name")),
    sortEmail: text(q("#sort-email")),
    addName: value(q('form#add-contact input[name="contact[name]"]')),
    addEmail: value(q('form#add-contact input[name="contact[email]"]')),
    addButton: q("form#add-contact #add-button") !== null,
  };
}

const ARROWS = { asc: " ▲", desc: " ▼" };

/** Sort marker of a sort button's text: "asc", "desc" or null. */
function sortMarker(buttonText) {
  if (buttonText === null) return undefined;
  if (buttonText.endsWith(ARROWS.asc)) return "asc";
  if (buttonText.endsWith(ARROWS.desc)) return "desc";
  return null;
}

/**
 * Differences between a snapshot and the expected state `want`:
 *   rows:     [{id, name, email}] in order (rows not in edit mode), or with
 *             {editing: true, editName, editEmail} for a row in edit mode
 *   count, title, feed (texts, newest first), sort ({name, email}: "asc" |
 *   "desc" | null), addEmpty (add-form inputs empty), cids ({rowId: cid}:
 *   rows keep their component).
 * Invariants checked every time: connected, every row is a tr with a unique
 * id and a data-phx-component, every feed item is an li with a unique id
 * "activity-<n>", at most FEED_LIMIT feed items, the feed is a stream.
 */
function differences(snap, want) {
  const out = [];
  const eq = (what, actual, expected) => {
    if (actual !== expected) out.push(`${what} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  };
  if (!snap.connected) out.push("the LiveView is not connected (no [data-phx-main].phx-connected)");
  if (snap.rows === null) out.push("no tbody#contact-rows");
  if (snap.feed === null) out.push("no ul#activity");
  if (out.length > 0) return out;

  // Invariants.
  const rowIds = new Set();
  snap.rows.forEach((r, i) => {
    if (r.tag !== "tr") out.push(`row ${i + 1} is a <${r.tag}>, expected <tr>`);
    if (!/^contact-\d+$/.test(r.id)) out.push(`row ${i + 1} has id ${JSON.stringify(r.id)}, expected contact-<id>`);
    if (rowIds.has(r.id)) out.push(`duplicate row id ${r.id}`);
    rowIds.add(r.id);
    if (r.cid === null) out.push(`row ${r.id} has no data-phx-component (not a stateful component)`);
    if (!r.editing && (!r.hasEdit || !r.hasDelete)) out.push(`row ${r.id} lacks button.edit or button.delete`);
    if (r.editing && (!r.hasSave || !r.hasCancel)) out.push(`row ${r.id} in edit mode lacks button.save or button.cancel`);
  });
  eq("ul#activity phx-update", snap.feedUpdate, "stream");
  const feedIds = new Set();
  snap.feed.forEach((f, i) => {
    if (f.tag !== "li") out.push(`feed item ${i + 1} is a <${f.tag}>, expected <li>`);
    if (!/^activity-\d+$/.test(f.id)) out.push(`feed item ${i + 1} has id ${JSON.stringify(f.id)}, expected activity-<n>`);
    if (feedIds.has(f.id)) out.push(`duplicate feed item id ${f.id}`);
    feedIds.add(f.id);
  });
  if (snap.feed.length > FEED_LIMIT) out.push(`the feed holds ${snap.feed.length} items, at most ${FEED_LIMIT} allowed`);

  if (want.rows) {
    const describe = (r) => (r.editing ? `${r.id}[editing ${r.editName} <${r.editEmail}>]` : `${r.id}[${r.name} <${r.email}>]`);
    const actual = snap.rows.map(describe).join(", ");
    const expected = want.rows.map((r) => describe({ editing: false, ...r })).join(", ");
    if (actual !== expected) out.push(`rows are ${actual}; expected ${expected}`);
  }
  if ("count" in want) eq("#contact-count", snap.count, want.count);
  if ("title" in want) eq("the page title", snap.title, want.title);
  if (want.feed) {
    const actual = snap.feed.map((f) => f.text);
    if (JSON.stringify(actual) !== JSON.stringify(want.feed)) {
      out.push(`the feed (newest first) is ${JSON.stringify(actual)}; expected ${JSON.stringify(want.feed)}`);
    }
  }
  if (want.sort) {
    const name = sortMarker(snap.sortName);
    const email = sortMarker(snap.sortEmail);
    if (name === undefined) out.push("no #sort-name");
    else if (name !== want.sort.name) out.push(`#sort-name reads ${JSON.stringify(snap.sortName)}, expected ${want.sort.name ? `to end with "${ARROWS[want.sort.name]}"` : "no sort marker"}`);
    if (email === undefined) out.push("no #sort-email");
    else if (email !== want.sort.email) out.push(`#sort-email reads ${JSON.stringify(snap.sortEmail)}, expected ${want.sort.email ? `to end with "${ARROWS[want.sort.email]}"` : "no sort marker"}`);
  }
  if (want.addEmpty) {
    if (!snap.addButton) out.push("no #add-button in form#add-contact");
    if (snap.addName !== "" || snap.addEmail !== "") {
      out.push(`the add form's inputs hold ${JSON.stringify([snap.addName, snap.addEmail])}, expected them empty`);
    }
  }
  if (want.cids) {
    for (const [rowId, cid] of Object.entries(want.cids)) {
      const row = snap.rows.find((r) => r.id === rowId);
      if (row && row.cid !== cid) out.push(`row ${rowId} changed component: data-phx-component ${row.cid}, was ${cid}`);
    }
  }
  return out;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls the page until `differences(snapshot, want)` is empty; with
 * `settleMs`, the state must then still hold after that long (to check that
 * nothing more happens, e.g. no feed item after a cancel).
 */
async function waitForState(page, want, timeoutMs, { settleMs = 0 } = {}) {
  const deadline = Date.now() + timeoutMs - 300 - settleMs;
  let snap;
  let diffs;
  for (;;) {
    snap = await page.evaluate(pageSnapshot);
    diffs = differences(snap, want);
    if (diffs.length === 0) break;
    if (Date.now() > deadline) {
      throw new E2EFailure(`${diffs.join("; ")}\n    last state seen: ${JSON.stringify(snap)}`);
    }
    await sleep(50);
  }
  if (settleMs > 0) {
    await sleep(settleMs);
    snap = await page.evaluate(pageSnapshot);
    diffs = differences(snap, want);
    if (diffs.length > 0) {
      throw new E2EFailure(`the state changed again: ${diffs.join("; ")}\n    last state seen: ${JSON.stringify(snap)}`);
    }
  }
  return snap;
}

// ---------------------------------------------------------------------------
// Websocket frames (for the component destroy handshake)

/** The reply to a pushed message: [status, response] or null while none arrived. */
function replyTo(frames, [, ref, topic]) {
  const reply = frames.received.find((m) => m[1] === ref && m[2] === topic && m[3] === "phx_reply");
  return reply ? [reply[4] && reply[4].status, reply[4] && reply[4].response] : null;
}

/**
 * Waits until the client pushed cids_will_destroy and cids_destroyed for
 * `cid` (pushes sent after `sentBefore` frames) and the server answered both
 * with ok, the latter with {"cids": [...]} containing `cid`.
 */
async function waitForDestroyHandshake(frames, cid, sentBefore, timeoutMs) {
  const deadline = Date.now() + timeoutMs - 300;
  const hasCid = (m) => m[4] && Array.isArray(m[4].cids) && m[4].cids.map(String).includes(String(cid));
  let state = "";
  for (;;) {
    const recent = frames.sent.slice(sentBefore);
    const will = recent.find((m) => m[3] === "cids_will_destroy" && hasCid(m));
    const destroyed = recent.find((m) => m[3] === "cids_destroyed" && hasCid(m));
    const willReply = will && replyTo(frames, will);
    const destroyedReply = destroyed && replyTo(frames, destroyed);
    if (willReply && willReply[0] !== "ok") {
      throw new E2EFailure(`cids_will_destroy ${JSON.stringify(will[4])} answered ${JSON.stringify(willReply)}`);
    }
    if (destroyedReply) {
      const [status, response] = destroyedReply;
      if (status !== "ok" || !response || !Array.isArray(response.cids)) {
        throw new E2EFailure(`cids_destroyed ${JSON.stringify(destroyed[4])} answered ${JSON.stringify(destroyedReply)}, expected ok with {"cids": [...]}`);
      }
      if (!response.cids.map(String).includes(String(cid))) {
        throw new E2EFailure(`cids_destroyed for cid ${cid} answered ${JSON.stringify(response)}: the server did not delete it`);
      }
      return;
    }
    state = !will
      ? `the client sent no cids_will_destroy for cid ${cid}`
      : !willReply
        ? `no reply to cids_will_destroy ${JSON.stringify(will[4])}`
        : !destroyed
          ? `the client sent no cids_destroyed for cid ${cid}`
          : `no reply to cids_destroyed ${JSON.stringify(destroyed[4])}`;
    if (Date.now() > deadline) {
      const events = recent.map((m) => m[3]).join(", ");
      throw new E2EFailure(`${state} (pushes since the delete: ${events || "none"})`);
    }
    await sleep(50);
  }
}

// ---------------------------------------------------------------------------
// The model of the page

const model = {
  contacts: SEED.map((c) => ({ ...c })),
  feed: ["3 contacts loaded"], // newest first, everything ever added
  sort: { by: null, dir: null },
  cids: {}, // rowId -> data-phx-component seen first
};

const rowId = (c) => `contact-${c.id}`;

function sortedContacts() {
  const list = [...model.contacts];
  if (model.sort.by) {
    const key = model.sort.by;
    list.sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0));
    if (model.sort.dir === "desc") list.reverse();
  }
  return list;
}

/** The full expected state; `editing` maps a row id to its edit inputs. */
function expected(editing = {}) {
  return {
    rows: sortedContacts().map((c) =>
      editing[rowId(c)]
        ? { id: rowId(c), editing: true, editName: editing[rowId(c)].name, editEmail: editing[rowId(c)].email }
        : { id: rowId(c), name: c.name, email: c.email },
    ),
    count: String(model.contacts.length),
    title: `Contacts (${model.contacts.length})`,
    feed: model.feed.slice(0, FEED_LIMIT),
    sort: {
      name: model.sort.by === "name" ? model.sort.dir : null,
      email: model.sort.by === "email" ? model.sort.dir : null,
    },
    cids: model.cids,
  };
}

function rememberCids(snap) {
  for (const r of snap.rows) if (!(r.id in model.cids)) model.cids[r.id] = r.cid;
}

function contactNamed(name) {
  const c = model.contacts.find((x) => x.name === name);
  if (!c) throw new Error(`test bug: no contact named ${name}`);
  return c;
}

// ---------------------------------------------------------------------------
// The test

await runE2E("e2e contacts", async (t) => {
  const { page } = t;
  const frames = recordFrames(page);

  await t.step(`open ${url}`, (ms) => t.goto(url, ms));
  await t.step("LiveView connects", (ms) => t.waitForConnected(ms));
  await t.step("3 seeded rows in seed order, initial feed item", async (ms) => {
    const snap = await waitForState(page, { ...expected(), addEmpty: true }, ms);
    rememberCids(snap);
  });

  await t.step('add "Zed Zulu" zed@example.com', async (ms) => {
    await page.fill(ADD_NAME, "Zed Zulu", { timeout: ms });
    await page.fill(ADD_EMAIL, "zed@example.com", { timeout: ms });
    await page.click("#add-button", { timeout: ms });
    // The new row's id is the server's choice: find it, then check everything.
    const deadline = Date.now() + ms - 500;
    let row;
    while (!row) {
      const snap = await page.evaluate(pageSnapshot);
      row = (snap.rows || []).find((r) => r.name === "Zed Zulu" && !SEED.some((s) => rowId(s) === r.id));
      if (!row && Date.now() > deadline) {
        throw new E2EFailure(`no row for Zed Zulu appeared\n    last state seen: ${JSON.stringify(snap)}`);
      }
      if (!row) await sleep(50);
    }
    const id = Number(row.id.replace(/^contact-/, ""));
    if (!Number.isInteger(id)) throw new E2EFailure(`the new row has id ${JSON.stringify(row.id)}`);
    model.contacts.push({ id, name: "Zed Zulu", email: "zed@example.com" });
    model.feed.unshift("Added Zed Zulu");
    const snap = await waitForState(page, { ...expected(), addEmpty: true }, Math.max(1000, deadline - Date.now() + 500));
    rememberCids(snap);
  });

  /** Clicks a sort button and checks the order, the marker and the feed. */
  const sortBy = async (by, ms) => {
    model.sort = model.sort.by === by ? { by, dir: model.sort.dir === "asc" ? "desc" : "asc" } : { by, dir: "asc" };
    model.feed.unshift(`Sorted by ${by} ${model.sort.dir === "asc" ? "ascending" : "descending"}`);
    await page.click(`#sort-${by}`, { timeout: ms });
    await waitForState(page, expected(), ms);
  };

  await t.step("sort by name -> Ada, Alan, Grace, Zed", async (ms) => {
    await sortBy("name", ms);
    const names = sortedContacts().map((c) => c.name.split(" ")[0]).join(", ");
    if (names !== "Ada, Alan, Grace, Zed") throw new Error(`test bug: model order ${names}`);
  });
  await t.step("sort by name again -> Zed, Grace, Alan, Ada", (ms) => sortBy("name", ms));
  await t.step("sort by email -> ada, alan, grace, zed", (ms) => sortBy("email", ms));

  await t.step("edit Grace: the row switches to edit mode", async (ms) => {
    const grace = contactNamed("Grace Hopper");
    await page.click(`tr#${rowId(grace)} button.edit`, { timeout: ms });
    await waitForState(page, expected({ [rowId(grace)]: grace }), ms);
  });
  await t.step('rename Grace to "Grace B. Hopper" and save', async (ms) => {
    const grace = contactNamed("Grace Hopper");
    const form = `tr#${rowId(grace)} form.edit-form`;
    await page.fill(`${form} input[name="name"]`, "Grace B. Hopper", { timeout: ms });
    await page.click(`${form} button.save`, { timeout: ms });
    grace.name = "Grace B. Hopper";
    model.feed.unshift("Renamed Grace Hopper to Grace B. Hopper");
    await waitForState(page, expected(), ms);
  });

  await t.step("edit Alan: the row switches to edit mode", async (ms) => {
    const alan = contactNamed("Alan Turing");
    await page.click(`tr#${rowId(alan)} button.edit`, { timeout: ms });
    await waitForState(page, expected({ [rowId(alan)]: alan }), ms);
  });
  await t.step("type into Alan's form, then cancel: nothing changes", async (ms) => {
    const alan = contactNamed("Alan Turing");
    const form = `tr#${rowId(alan)} form.edit-form`;
    await page.fill(`${form} input[name="name"]`, "Alan M. Turing", { timeout: ms });
    await page.click(`${form} button.cancel`, { timeout: ms });
    // No feed item, no rename: the state must hold for a while.
    await waitForState(page, expected(), ms, { settleMs: 500 });
  });

  await t.step("delete Ada: 3 rows, destroy handshake completes", async (ms) => {
    const ada = contactNamed("Ada Lovelace");
    const cid = model.cids[rowId(ada)];
    const sentBefore = frames.sent.length;
    await page.click(`tr#${rowId(ada)} button.delete`, { timeout: ms });
    model.contacts = model.contacts.filter((c) => c !== ada);
    model.feed.unshift("Deleted Ada Lovelace");
    await waitForState(page, expected(), ms);
    if (frames.sockets === 0) {
      console.log("note: no websocket seen (long-poll transport?), destroy handshake not checked");
    } else {
      await waitForDestroyHandshake(frames, cid, sentBefore, ms);
    }
  });

  // The feed holds 7 items now; every sort adds one. Sort until more than
  // FEED_LIMIT items have been added, plus a couple.
  const sorts = ["name", "name", "email", "email", "name", "email"];
  if (model.feed.length + sorts.length <= FEED_LIMIT + 1) throw new Error("test bug: too few sorts");
  for (const [i, by] of sorts.entries()) {
    await t.step(`sort ${i + 1}/${sorts.length}: by ${by} (feed ${Math.min(model.feed.length + 1, FEED_LIMIT)} items)`, (ms) =>
      sortBy(by, ms),
    );
  }
  await t.step(`the feed holds exactly ${FEED_LIMIT} items, newest first`, async (ms) => {
    if (model.feed.length <= FEED_LIMIT) throw new Error("test bug: the feed never overflowed");
    const snap = await waitForState(page, expected(), ms, { settleMs: 300 });
    if (snap.feed.length !== FEED_LIMIT) throw new E2EFailure(`the feed holds ${snap.feed.length} items`);
  });

  await t.step("full reload", async (ms) => {
    const response = await page.reload({ timeout: ms, waitUntil: "load" });
    if (!response || !response.ok()) {
      throw new E2EFailure(`reload answered ${response ? response.status() : "nothing"}`);
    }
  });
  await t.step("LiveView connects again", (ms) => t.waitForConnected(ms));
  await t.step("a fresh session: 3 seeded rows, initial feed only", async (ms) => {
    model.contacts = SEED.map((c) => ({ ...c }));
    model.feed = ["3 contacts loaded"];
    model.sort = { by: null, dir: null };
    model.cids = {};
    await waitForState(page, { ...expected(), addEmpty: true }, ms);
  });
});
