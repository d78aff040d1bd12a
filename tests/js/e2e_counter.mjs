#!/usr/bin/env node
// End-to-end test of the counter LiveView in real headless Chromium with the
// unmodified official client.
//
//   node tests/js/e2e_counter.mjs <base_url> [path]   e.g. http://127.0.0.1:4567 /counter-js
//
// Opens <base_url><path> (default /counter: the same test runs the counter of every guest
// language), waits for the LiveView to connect, then clicks
// #inc, #inc, #dec, #reset and checks #count after each click (10 s per step).
// Any console error, the "LiveView asset version mismatch" warning or an
// uncaught page error fails the test (see browser.mjs).

import { pageFromArgs, runE2E } from "./browser.mjs";

const { url, path } = pageFromArgs("e2e_counter.mjs", "/counter");

await runE2E(`e2e ${path}`, async (t) => {
  await t.step(`open ${url}`, () => t.goto(url));
  await t.step("LiveView connects", () => t.waitForConnected());
  await t.step("initial count is 0", async () => {
    // phx-connected is set after the join patch, so the DOM is up to date.
    const count = await t.text("#count");
    if (count !== "0") throw new Error(`#count reads ${JSON.stringify(count)}, expected "0"`);
  });

  const clicks = [
    ["#inc", "1"],
    ["#inc", "2"],
    ["#dec", "1"],
    ["#reset", "0"],
  ];
  for (const [button, expected] of clicks) {
    await t.step(`click ${button} -> ${expected}`, async (timeoutMs) => {
      await t.page.click(button, { timeout: timeoutMs });
      await t.waitForText("#count", expected, timeoutMs);
    });
  }
  await t.step("the title follows the count", async (timeoutMs) => {
    // The client sets the title on the next animation frame after the patch.
    try {
      await t.page.waitForFunction(() => document.title === "Count: 0", null, { timeout: timeoutMs, polling: "raf" });
    } catch (err) {
      throw new Error(`title is ${JSON.stringify(await t.page.title())}, expected "Count: 0"`);
    }
  });
});
