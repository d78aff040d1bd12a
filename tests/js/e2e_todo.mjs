#!/usr/bin/env node
// End-to-end test of the todo list LiveView (every guest language has one with the same
// markup) in real headless Chromium with the unmodified official client.
//
//   node tests/js/e2e_todo.mjs <base_url> [path]     e.g. http://127.0.0.1:4567 /todo-py
//
// Types into the form (live validation on phx-change), submits with Enter and with the
// button, toggles and deletes rows, and checks that a hostile title is shown as text: the
// host escapes it, so its markup never runs. Any console error or page error fails the test.

import { pageFromArgs, runE2E } from "./browser.mjs";

const { url, path } = pageFromArgs("e2e_todo.mjs", "/todo");
const HOSTILE = `<img src=x onerror="window.__pwned=1"> & 'quotes' "too"`;

/** Waits until `predicate(arg)` is true in the page. */
async function until(t, timeoutMs, predicate, arg, what) {
  try {
    await t.page.waitForFunction(predicate, arg, { timeout: timeoutMs, polling: "raf" });
  } catch (err) {
    const html = await t.page.evaluate(() => document.querySelector("main")?.outerHTML ?? "(no main)");
    throw new Error(`${what}; the page holds ${html} (${err.message.split("\n")[0]})`);
  }
}

await runE2E(`e2e ${path}`, async (t) => {
  await t.step(`open ${url}`, () => t.goto(url));
  await t.step("LiveView connects", () => t.waitForConnected());
  await t.step("an empty list", async (ms) => {
    await t.waitForText("#remaining", "0 left", ms);
    const title = await t.page.title();
    if (title !== "Todos") throw new Error(`title is ${JSON.stringify(title)}`);
  });

  await t.step("a blank title is refused while typing", async (ms) => {
    await t.page.fill("#title", "   ", { timeout: ms });
    await t.waitForText("#title-error", "can't be blank", ms);
    await until(t, ms, () => document.querySelector("#title")?.getAttribute("aria-invalid") === "true", null,
      "#title should be aria-invalid");
  });

  await t.step("a hostile title validates", async (ms) => {
    await t.page.fill("#title", HOSTILE, { timeout: ms });
    await t.waitForText("#title-error", "", ms);
    await until(t, ms, () => !document.querySelector("#title")?.hasAttribute("aria-invalid"), null,
      "aria-invalid should be gone");
  });

  await t.step("Enter adds it, shown as text", async (ms) => {
    await t.page.press("#title", "Enter", { timeout: ms });
    await until(t, ms, (want) => document.querySelector("#todo-1 .title")?.textContent === want, HOSTILE,
      "#todo-1 should show the title as typed");
    await t.waitForText("#remaining", "1 left", ms);
    const pwned = await t.page.evaluate(() => window.__pwned);
    if (pwned !== undefined) throw new Error("the title's markup ran");
    const images = await t.page.evaluate(() => document.querySelectorAll("#todos img").length);
    if (images !== 0) throw new Error("the title's markup became elements");
  });

  await t.step("the Add button adds a second one", async (ms) => {
    await t.page.fill("#title", "Walk the dog", { timeout: ms });
    await t.waitForText("#title-error", "", ms);
    await t.page.click("#add", { timeout: ms });
    await t.waitForText("#todo-2 .title", "Walk the dog", ms);
    await t.waitForText("#remaining", "2 left", ms);
  });

  await t.step("toggling marks it done", async (ms) => {
    await t.page.click("#todo-1 .toggle", { timeout: ms });
    await until(t, ms, () => document.querySelector("#todo-1")?.className === "todo done", null,
      "#todo-1 should be done");
    await t.waitForText("#remaining", "1 left", ms);
    const checked = await t.page.evaluate(() => document.querySelector("#todo-1 .toggle").checked);
    if (!checked) throw new Error("the checkbox of #todo-1 is not checked");
  });

  await t.step("deleting removes the row", async (ms) => {
    await t.page.click("#todo-2 .delete", { timeout: ms });
    await until(t, ms, () => document.querySelector("#todo-2") === null, null, "#todo-2 should be gone");
    await t.waitForText("#remaining", "0 left", ms);
    const rows = await t.page.evaluate(() => [...document.querySelectorAll("#todos li")].map((li) => li.id));
    if (rows.join() !== "todo-1") throw new Error(`rows are ${rows.join()}`);
  });
});
