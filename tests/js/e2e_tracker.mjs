#!/usr/bin/env node
// End-to-end test of the issue tracker (examples/tracker and examples/tracker_issue, one live
// session "tracker") in real headless Chromium with the unmodified official client: live
// patches, back and forward, live navigation between the two views, flash, redirects,
// keyboard shortcuts and live validation.
//
//   node tests/js/e2e_tracker.mjs <base_url>      e.g. http://127.0.0.1:4000
//
// Expects a server whose tracker map is fresh (the 8 seeded issues, nothing created yet), as
// the test suite's server is. The markup it reads:
//   list (main#tracker, /tracker?status=open|closed|all&q=..., /tracker/new):
//     #filters li#filter-<status> (class "active" on the current one) > a (patch link),
//     form#search input#search-q (phx-change), ul#issues > li#issue-<id> > a (navigate link),
//     #new-link > a, button#sign-out, section#new-issue > form#new-issue-form with
//     input#new-issue-title, #new-issue-title-error, textarea#new-issue-description,
//     button#new-issue-submit
//   detail (main#tracker-issue, /tracker/<id>, /tracker/<id>/edit):
//     #issue-title, #issue-status, #issue-description, #edit-link > a, button#toggle-status,
//     #back-link > a, section#edit-issue > form#edit-issue-form (#edit-issue-title, ...)
//   both: #flash-info / #flash-error with .flash-message and button#flash-<kind>-close
//
// Checks, each waiting up to 10 s for the whole state to match:
//   (a) a patch keeps the page (window.__marker survives, no new join) and updates the URL
//       and the list; the search form replaces the history entry;
//   (b) history.back() and forward() restore the filters in the URL, the list and the search
//       field;
//   (c) an issue link navigates to the detail view over the same socket (one new join, no
//       page load); Escape navigates back to the list;
//   (d) create: `n` opens the form, an invalid title shows its error and disables the submit
//       button, a valid one creates the issue: the detail view of #N with the flash
//       "Issue #N created"; its close control hides it and the server clears it (the
//       lv:clear-flash reply is ok and the next server render does not bring it back);
//   (e) edit on the detail view (`e`), with validation, "Issue #N saved"; close the issue;
//       the list shows the change (the views share the live session's map);
//   (h) an unknown issue: live navigation and a page load both end on the list with the
//       error flash "No issue #<id>";
//   (f) "Sign out" redirects: a new page (marker gone) at /;
//   (g) no console error or warning and no page error in the whole test.

import { E2EFailure, recordFrames, runE2E } from "./browser.mjs";

const baseUrl = process.argv[2];
if (process.argv.length !== 3 || !/^https?:\/\//.test(baseUrl)) {
  console.error("usage: node tests/js/e2e_tracker.mjs <base_url>   (e.g. http://127.0.0.1:4000)");
  process.exit(2);
}
const base = baseUrl.replace(/\/+$/, "");

// The seed: id -> [title, status].
const SEED = {
  1: ["Crash when saving an empty form", "open"],
  2: ["Search ignores accents", "open"],
  3: ["Dark mode colours are too dim", "closed"],
  4: ["Keyboard shortcut for a new issue", "open"],
  5: ["Login page shows a stack trace", "closed"],
  6: ["Export issues as CSV", "open"],
  7: ["Typo in the welcome email", "closed"],
  8: ["Slow list with 10,000 issues", "open"],
};

// ---------------------------------------------------------------------------
// Reading the page

/** Runs in the page: everything the checks look at, as plain data. */
function pageSnapshot() {
  const q = (sel) => document.querySelector(sel);
  const text = (sel) => {
    const el = q(sel);
    return el ? el.textContent.trim() : null;
  };
  const value = (sel) => {
    const el = q(sel);
    return el ? el.value : null;
  };
  const disabled = (sel) => {
    const el = q(sel);
    return el ? el.disabled : null;
  };
  const flash = (kind) => {
    const el = q(`#flash-${kind}`);
    if (!el) return null;
    const message = el.querySelector(".flash-message");
    return {
      text: message ? message.textContent.trim() : null,
      visible: getComputedStyle(el).display !== "none",
      close: q(`#flash-${kind}-close`) !== null,
    };
  };
  const list = q("ul#issues");
  const ids = Array.from(document.querySelectorAll("[id]")).map((el) => el.id);
  const link = (sel) => {
    const a = q(sel);
    return a ? [a.getAttribute("data-phx-link"), a.getAttribute("data-phx-link-state")].join("/") : null;
  };
  return {
    url: location.pathname + location.search,
    marker: window.__marker === undefined ? null : window.__marker,
    connected: q("[data-phx-main].phx-connected") !== null,
    view: q("[data-phx-main] > main") ? q("[data-phx-main] > main").id : null,
    title: document.title,
    duplicateIds: ids.filter((id, i) => ids.indexOf(id) !== i),
    historyLength: history.length,
    // list
    rows: list
      ? Array.from(list.children).map((li) => ({
          id: li.id,
          title: li.querySelector("a") ? li.querySelector("a").textContent.trim() : null,
          status: li.querySelector(".issue-status") ? li.querySelector(".issue-status").textContent.trim() : null,
          href: li.querySelector("a") ? li.querySelector("a").getAttribute("href") : null,
        }))
      : null,
    rowLink: link("ul#issues li a"),
    activeFilter: q("#filters li.active") ? q("#filters li.active").id : null,
    search: value("#search-q"),
    creating: q("#new-issue-form") !== null,
    newTitle: value("#new-issue-title"),
    newError: text("#new-issue-title-error"),
    newDisabled: disabled("#new-issue-submit"),
    // detail
    issueTitle: text("#issue-title"),
    issueStatus: text("#issue-status"),
    toggle: text("#toggle-status"),
    editing: q("#edit-issue-form") !== null,
    editTitle: value("#edit-issue-title"),
    editError: text("#edit-issue-title-error"),
    editDisabled: disabled("#edit-issue-submit"),
    // both
    flashInfo: flash("info"),
    flashError: flash("error"),
    indexHeading: q("h1") && !q("[data-phx-main]") ? q("h1").textContent.trim() : null,
  };
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** The differences between a snapshot and the expected fields of `want`. */
function differences(snap, want) {
  const out = [];
  if (snap.duplicateIds.length > 0) out.push(`duplicate DOM ids: ${snap.duplicateIds.join(", ")}`);
  for (const [key, expected] of Object.entries(want)) {
    if (!same(snap[key], expected)) {
      out.push(`${key} is ${JSON.stringify(snap[key])}, expected ${JSON.stringify(expected)}`);
    }
  }
  return out;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the page until it shows every field of `want`. */
async function waitForState(page, want, timeoutMs) {
  const deadline = Date.now() + timeoutMs - 300;
  for (;;) {
    let snap;
    try {
      snap = await page.evaluate(pageSnapshot);
    } catch (err) {
      // A page load in progress destroys the execution context: try again.
      if (Date.now() > deadline) throw err;
      await sleep(50);
      continue;
    }
    const diffs = differences(snap, want);
    if (diffs.length === 0) return snap;
    if (Date.now() > deadline) {
      throw new E2EFailure(`${diffs.join("; ")}\n    last state seen: ${JSON.stringify(snap)}`);
    }
    await sleep(50);
  }
}

/** The expected rows of a list of issue ids, titles from `issues`. */
function rows(ids) {
  return ids.map((id) => ({
    id: `issue-${id}`,
    title: issues[id][0],
    status: issues[id][1],
    href: `/tracker/${id}`,
  }));
}

/** The issues as the server should hold them: id -> [title, status]. */
const issues = { ...SEED };

/** Ids of the issues of `status` ("open", "closed", "all"), newest first. */
function idsOf(status) {
  return Object.keys(issues)
    .map(Number)
    .filter((id) => status === "all" || issues[id][1] === status)
    .sort((a, b) => b - a);
}

// ---------------------------------------------------------------------------
// Websocket frames (recorded by browser.mjs's recordFrames)

const joinsSince = (frames, from) => frames.sent.slice(from).filter((m) => m[3] === "phx_join");

// ---------------------------------------------------------------------------
// The test

await runE2E("e2e tracker", async (t) => {
  const { page } = t;
  const frames = recordFrames(page);

  // (g) browser.mjs fails on console errors and page errors; warnings count here too.
  const warnings = [];
  page.on("console", (msg) => {
    if (msg.type() === "warning" || msg.type() === "error") warnings.push(`[${msg.type()}] ${msg.text()}`);
  });
  const step = (name, fn) =>
    t.step(name, async (ms) => {
      const result = await fn(ms);
      if (warnings.length > 0) throw new E2EFailure(`console: ${warnings.join("; ")}`);
      return result;
    });

  const blur = () => page.evaluate(() => document.activeElement && document.activeElement.blur());
  const press = async (key) => {
    await blur();
    await page.keyboard.press(key);
  };
  /** The state on the list view at `url` with the rows of `ids`. */
  const onList = (url, filter, ids, extra = {}) => ({
    url,
    view: "tracker",
    connected: true,
    activeFilter: `filter-${filter}`,
    rows: rows(ids),
    ...extra,
  });

  await step(`open ${base}/tracker`, (ms) => t.goto(`${base}/tracker`, ms));
  await step("LiveView connects; the open issues, newest first", async (ms) => {
    await t.waitForConnected(ms);
    await page.evaluate(() => {
      window.__marker = 1;
    });
    const snap = await waitForState(
      page,
      onList("/tracker", "open", idsOf("open"), {
        marker: 1,
        search: "",
        creating: false,
        flashInfo: null,
        title: "Open issues (5) · Tracker",
      }),
      ms,
    );
    if (snap.rowLink !== "redirect/push") throw new E2EFailure(`issue links carry ${snap.rowLink}, expected data-phx-link redirect/push`);
  });

  // (a) patches
  let joins = frames.sent.length;
  let historyLength;
  await step("(a) the Closed tab patches: URL and list change, same page, no new join", async (ms) => {
    await page.click("#filter-closed a", { timeout: ms });
    const snap = await waitForState(page, onList("/tracker?status=closed", "closed", idsOf("closed"), { marker: 1 }), ms);
    historyLength = snap.historyLength;
    if (joinsSince(frames, joins).length > 0) throw new E2EFailure("a patch joined again");
  });
  // Typed key by key: the "n" must not reach the window's shortcut (which would open the
  // create form), since the field has a phx-keydown of its own.
  await step('(a) typing "login" patches the URL (replacing the history entry) and filters', async (ms) => {
    await page.type("#search-q", "login", { timeout: ms });
    await waitForState(
      page,
      onList("/tracker?status=closed&q=login", "closed", [5], {
        marker: 1,
        historyLength,
        creating: false,
        title: "Closed issues (1) · Tracker",
      }),
      ms,
    );
    if (joinsSince(frames, joins).length > 0) throw new E2EFailure("a patch joined again");
  });

  // (b) back and forward
  await step("(b) history.back() restores the open list", async (ms) => {
    await blur();
    await page.evaluate(() => history.back());
    await waitForState(page, onList("/tracker", "open", idsOf("open"), { marker: 1, search: "" }), ms);
  });
  await step("(b) history.forward() restores the closed tab and the search", async (ms) => {
    await page.evaluate(() => history.forward());
    await waitForState(page, onList("/tracker?status=closed&q=login", "closed", [5], { marker: 1, search: "login" }), ms);
    if (joinsSince(frames, joins).length > 0) throw new E2EFailure("back or forward joined again");
  });

  // (c) live navigation
  await step("(c) an issue link navigates to its detail view over the same socket", async (ms) => {
    joins = frames.sent.length;
    await page.click("#issue-5 a", { timeout: ms });
    await waitForState(
      page,
      {
        url: "/tracker/5",
        view: "tracker-issue",
        connected: true,
        marker: 1,
        issueTitle: SEED[5][0],
        issueStatus: "closed",
        toggle: "Reopen issue",
        editing: false,
        title: `#5 ${SEED[5][0]} · Tracker`,
      },
      ms,
    );
    const newJoins = joinsSince(frames, joins);
    if (newJoins.length !== 1 || !newJoins[0][4].redirect) {
      throw new E2EFailure(`expected one join with "redirect", saw ${JSON.stringify(newJoins)}`);
    }
    if (frames.sockets !== 1) throw new E2EFailure(`${frames.sockets} websockets were opened, expected 1`);
  });
  await step("(c) Escape navigates back to the list", async (ms) => {
    await press("Escape");
    await waitForState(page, onList("/tracker", "open", idsOf("open"), { marker: 1, search: "" }), ms);
    if (frames.sockets !== 1) throw new E2EFailure(`${frames.sockets} websockets were opened, expected 1`);
  });

  // (d) create
  await step("(d) n opens the create form (a patch to /tracker/new)", async (ms) => {
    await press("n");
    await waitForState(
      page,
      onList("/tracker/new?status=open", "open", idsOf("open"), {
        marker: 1,
        creating: true,
        newTitle: "",
        newError: "",
        newDisabled: true,
        title: "New issue · Tracker",
      }),
      ms,
    );
  });
  await step("(d) a short title shows its error and keeps the submit button disabled", async (ms) => {
    await page.fill("#new-issue-title", "ab", { timeout: ms });
    await waitForState(page, { creating: true, newError: "Title must be at least 3 characters", newDisabled: true }, ms);
    await page.fill("#new-issue-title", "   ", { timeout: ms });
    await waitForState(page, { creating: true, newError: "Title is required", newDisabled: true }, ms);
  });
  const created = "Search box loses focus on typing";
  let newId;
  await step("(d) a valid title clears the error and enables the submit button", async (ms) => {
    await page.fill("#new-issue-title", "", { timeout: ms });
    await page.type("#new-issue-title", created, { timeout: ms });
    await page.fill("#new-issue-description", "Found while writing the tracker example.", { timeout: ms });
    await waitForState(page, { url: "/tracker/new?status=open", creating: true, newTitle: created, newError: "", newDisabled: false }, ms);
  });
  await step("(d) submit: the detail view of the new issue with the flash", async (ms) => {
    joins = frames.sent.length;
    await page.click("#new-issue-submit", { timeout: ms });
    const deadline = Date.now() + ms - 500;
    let snap;
    for (;;) {
      snap = await page.evaluate(pageSnapshot);
      if (/^\/tracker\/\d+$/.test(snap.url) && snap.view === "tracker-issue") break;
      if (Date.now() > deadline) throw new E2EFailure(`no navigation to the new issue\n    last state seen: ${JSON.stringify(snap)}`);
      await sleep(50);
    }
    newId = Number(snap.url.split("/").pop());
    if (newId in SEED) throw new E2EFailure(`the new issue got the id of a seeded one: ${newId}`);
    issues[newId] = [created, "open"];
    await waitForState(
      page,
      {
        url: `/tracker/${newId}`,
        view: "tracker-issue",
        connected: true,
        marker: 1,
        issueTitle: created,
        issueStatus: "open",
        flashInfo: { text: `Issue #${newId} created`, visible: true, close: true },
        flashError: null,
      },
      Math.max(1000, deadline - Date.now() + 500),
    );
    if (joinsSince(frames, joins).length !== 1) throw new E2EFailure("push_navigate should join once");
  });
  await step("(d) the flash's close control hides it and the server clears it", async (ms) => {
    const sentBefore = frames.sent.length;
    await page.click("#flash-info-close", { timeout: ms });
    await waitForState(page, { flashInfo: null, issueTitle: created }, ms);
    const push = frames.sent.slice(sentBefore).find((m) => m[3] === "event" && m[4].event === "lv:clear-flash");
    if (!push || !push[4].value || push[4].value.key !== "info") {
      throw new E2EFailure(`no lv:clear-flash event with key "info" was sent: ${JSON.stringify(frames.sent.slice(sentBefore))}`);
    }
    const deadline = Date.now() + ms - 300;
    let reply;
    while (!(reply = frames.received.find((m) => m[1] === push[1] && m[3] === "phx_reply"))) {
      if (Date.now() > deadline) throw new E2EFailure("no reply to lv:clear-flash");
      await sleep(20);
    }
    if (reply[4].status !== "ok") throw new E2EFailure(`lv:clear-flash answered ${JSON.stringify(reply[4])}`);
  });

  // (e) edit
  await step("(e) e opens the edit form; the cleared flash does not come back", async (ms) => {
    await press("e");
    await waitForState(
      page,
      {
        url: `/tracker/${newId}/edit`,
        view: "tracker-issue",
        marker: 1,
        editing: true,
        editTitle: created,
        editError: "",
        editDisabled: false,
        flashInfo: null,
        title: `Edit #${newId} · Tracker`,
      },
      ms,
    );
  });
  const edited = "Search box loses focus while typing";
  await step("(e) live validation on the edit form", async (ms) => {
    await page.fill("#edit-issue-title", "", { timeout: ms });
    await waitForState(page, { editing: true, editError: "Title is required", editDisabled: true }, ms);
    await page.fill("#edit-issue-title", "x".repeat(81), { timeout: ms });
    await waitForState(page, { editing: true, editError: "Title must be at most 80 characters", editDisabled: true }, ms);
    await page.fill("#edit-issue-title", edited, { timeout: ms });
    await waitForState(page, { editing: true, editError: "", editDisabled: false }, ms);
  });
  await step('(e) save: back on the detail, "Issue #N saved"', async (ms) => {
    await page.click("#edit-issue-submit", { timeout: ms });
    issues[newId] = [edited, "open"];
    await waitForState(
      page,
      {
        url: `/tracker/${newId}`,
        view: "tracker-issue",
        marker: 1,
        editing: false,
        issueTitle: edited,
        flashInfo: { text: `Issue #${newId} saved`, visible: true, close: true },
      },
      ms,
    );
  });
  await step('(e) close the issue: "Issue #N closed"', async (ms) => {
    await page.click("#toggle-status", { timeout: ms });
    issues[newId] = [edited, "closed"];
    await waitForState(
      page,
      { issueStatus: "closed", toggle: "Reopen issue", flashInfo: { text: `Issue #${newId} closed`, visible: true, close: true } },
      ms,
    );
  });
  await step("(e) back to the list: the closed issue left the open tab", async (ms) => {
    joins = frames.sent.length;
    await page.click("#back-link a", { timeout: ms });
    await waitForState(page, onList("/tracker", "open", idsOf("open"), { marker: 1, flashInfo: null }), ms);
    if (joinsSince(frames, joins).length !== 1) throw new E2EFailure("the back link should join once");
  });
  await step("(e) the Closed tab lists it with its new title", async (ms) => {
    await page.click("#filter-closed a", { timeout: ms });
    await waitForState(page, onList("/tracker?status=closed", "closed", idsOf("closed"), { marker: 1 }), ms);
    if (idsOf("closed")[0] !== newId) throw new Error("test bug: the new issue should be the newest closed one");
  });

  // (h) unknown issues
  await step("(h) live navigation to an unknown issue ends on the list with an error flash", async (ms) => {
    await page.evaluate(() =>
      window.liveSocket.execJS(document.getElementById("heading"), '[["navigate",{"href":"/tracker/999","replace":false}]]'),
    );
    await waitForState(
      page,
      onList("/tracker", "open", idsOf("open"), {
        marker: 1,
        flashError: { text: "No issue #999", visible: true, close: true },
      }),
      ms,
    );
  });
  await step("(h) the error flash closes", async (ms) => {
    await page.click("#flash-error-close", { timeout: ms });
    await waitForState(page, { flashError: null, view: "tracker" }, ms);
  });
  await step("(h) a page load of an unknown issue redirects to the list with the error flash", async (ms) => {
    await t.goto(`${base}/tracker/998`, ms);
    await t.waitForConnected(ms);
    await waitForState(
      page,
      onList("/tracker", "open", idsOf("open"), { marker: null, flashError: { text: "No issue #998", visible: true, close: true } }),
      ms,
    );
    await page.evaluate(() => {
      window.__marker = 2;
    });
  });

  // (f) redirect to a non-live page (the index, which like every page declares its icon,
  // so Chromium requests no /favicon.ico and logs no 404).
  await step("(f) Sign out redirects: a new page at /", async (ms) => {
    await page.click("#sign-out", { timeout: ms });
    await page.waitForURL(`${base}/`, { timeout: ms });
    await waitForState(page, { url: "/", marker: null, indexHeading: "Liveplug views" }, ms);
  });

  // (g)
  await step("(g) no console errors or warnings", async () => {
    await sleep(300);
  });
});
