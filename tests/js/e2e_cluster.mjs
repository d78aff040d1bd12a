#!/usr/bin/env node
// The chat example across two hosts that share topics over Redis, in real headless
// Chromium with the unmodified client: one page on each host.
//
//   node tests/js/e2e_cluster.mjs <host_a_url> <host_b_url> <host_b_pid>
//
// Ada joins the lobby on host A, Bob on host B. Each sees both online; Ada types and Bob sees
// "typing…"; each message appears on both pages, once, as a stream item; the message list
// keeps its earlier items (a push carries only the new one). Then host B is killed: Ada's
// page loses Bob from the online list once host A stops hearing from B (heartbeat
// timeout), and keeps working.

import { E2EFailure, TestContext, runE2E, watchPage } from "./browser.mjs";

const [aUrl, bUrl, bPid] = process.argv.slice(2);
if (!/^https?:\/\//.test(aUrl ?? "") || !/^https?:\/\//.test(bUrl ?? "") || !/^\d+$/.test(bPid ?? "")) {
  console.error("usage: node tests/js/e2e_cluster.mjs <host_a_url> <host_b_url> <host_b_pid>");
  process.exit(2);
}

/** The text of each `<li>` under `selector`, whitespace collapsed. */
async function items(t, selector) {
  return t.page.evaluate(
    (sel) => [...document.querySelectorAll(`${sel} li`)].map((li) => li.textContent.replace(/\s+/g, " ").trim()),
    selector,
  );
}

/** Waits until the items under `selector` are `expected`. */
async function waitForItems(t, selector, expected, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let seen;
  while (Date.now() < deadline) {
    seen = await items(t, selector);
    if (JSON.stringify(seen) === JSON.stringify(expected)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new E2EFailure(`${selector} reads ${JSON.stringify(seen)}, expected ${JSON.stringify(expected)}`);
}

/** The online list: names with their "(n tabs)" and "typing…" marks. */
const waitForOnline = (t, expected, ms) => waitForItems(t, "#online", expected, ms);
const waitForMessages = (t, expected, ms) => waitForItems(t, "#messages", expected, ms);

async function join(t, url, name) {
  await t.goto(url);
  await t.waitForConnected();
  await t.page.fill("#join input[name=name]", name);
  await t.page.click("#join button");
  await t.page.waitForSelector("#say input[name=text]", { timeout: 10_000 });
}

async function say(t, text) {
  const input = t.page.locator("#say input[name=text]");
  await input.fill(text);
  await t.page.click("#say button");
}

await runE2E("e2e chat across two hosts", async (ada) => {
  const page = await ada.page.context().browser().newPage();
  const bob = new TestContext(page, watchPage(page));

  await ada.step(`Ada joins on ${aUrl}`, () => join(ada, `${aUrl}/chat`, "Ada"));
  await ada.step(`Bob joins on ${bUrl}`, () => join(bob, `${bUrl}/chat`, "Bob"));
  await ada.step("each host's page shows both", async (ms) => {
    await waitForOnline(ada, ["Ada", "Bob"], ms);
    await waitForOnline(bob, ["Ada", "Bob"], ms);
  });
  await ada.step("Ada types; Bob sees it on the other host", async (ms) => {
    await ada.page.locator("#say input[name=text]").pressSequentially("hel", { delay: 20 });
    await waitForOnline(bob, ["Ada typing…", "Bob"], ms);
  });
  await ada.step("Ada's message reaches both pages once", async (ms) => {
    await say(ada, "hello from A");
    await waitForMessages(bob, ["Ada hello from A"], ms);
    await waitForMessages(ada, ["Ada hello from A"], ms);
    await waitForOnline(bob, ["Ada", "Bob"], ms);
  });
  await ada.step("Bob answers from host B; the earlier message stays", async (ms) => {
    await say(bob, "hi from <B>");
    await waitForMessages(ada, ["Ada hello from A", "Bob hi from <B>"], ms);
    await waitForMessages(bob, ["Ada hello from A", "Bob hi from <B>"], ms);
  });
  await ada.step("host B dies: Bob leaves Ada's list", async () => {
    // Killed, not stopped: Bob is never untracked, so only host A's heartbeat timeout can
    // remove him. (Bob's page then fails to reconnect, which is expected.)
    process.kill(Number(bPid), "SIGKILL");
    await waitForOnline(ada, ["Ada"], 15_000);
    await page.close();
  }, 20_000);
  await ada.step("Ada's page still works", async (ms) => {
    await say(ada, "still here");
    await waitForMessages(ada, ["Ada hello from A", "Bob hi from <B>", "Ada still here"], ms);
  });
});
