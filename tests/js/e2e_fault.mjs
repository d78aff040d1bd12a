#!/usr/bin/env node
// A guest fault in real Chromium: the `hostile` test view traps (and, separately, runs past
// its time budget) on a click. The host must end only that session with phx_error; the stock
// client then shows the error state, rejoins on its own, and the view works again from a
// fresh mount. Uncaught page errors fail the test; the client's own reports of the crash are
// expected and allowed.
//
//   node tests/js/e2e_fault.mjs <base_url>

import { launchBrowser } from "./browser.mjs";

const baseUrl = process.argv[2];
if (process.argv.length !== 3 || !/^https?:\/\//.test(baseUrl)) {
  console.error("usage: node tests/js/e2e_fault.mjs <base_url>");
  process.exit(2);
}

const STEP_MS = 15_000;
const browser = await launchBrowser();
const log = [];
let failure = null;
try {
  const page = await browser.newPage();
  page.on("console", (msg) => log.push(`[${msg.type()}] ${msg.text()}`));
  page.on("pageerror", (err) => {
    failure = failure || new Error(`uncaught page error: ${err.message}`);
  });
  const frames = [];
  page.on("websocket", (ws) => ws.on("framereceived", (f) => frames.push(String(f.payload))));
  const main = "[data-phx-main]";
  const text = () => page.textContent("#oks");

  await page.goto(`${baseUrl.replace(/\/+$/, "")}/hostile`);
  await page.waitForSelector(`${main}.phx-connected`, { timeout: STEP_MS });
  await page.click("#ok");
  await page.waitForFunction(() => document.querySelector("#oks").textContent === "1", null, { timeout: STEP_MS });

  for (const fault of ["#trap", "#spin"]) {
    await page.click(fault);
    // The crash is reported on the view's channel...
    await page.waitForFunction(
      () => document.querySelector("[data-phx-main]").classList.contains("phx-error"),
      null,
      { timeout: STEP_MS },
    );
    if (!frames.some((f) => f.includes('"phx_error"'))) throw new Error(`${fault}: no phx_error frame`);
    // ...and the client rejoins to a fresh mount that works.
    await page.waitForSelector(`${main}.phx-connected`, { timeout: STEP_MS });
    if ((await text()) !== "0") throw new Error(`${fault}: expected a fresh mount, #oks is ${await text()}`);
    await page.click("#ok");
    await page.waitForFunction(() => document.querySelector("#oks").textContent === "1", null, { timeout: STEP_MS });
  }
  if (failure) throw failure;
  console.log("e2e fault ok");
} catch (err) {
  console.error(`e2e fault FAILED: ${err.message}`);
  console.error(log.slice(-30).join("\n"));
  await browser.close();
  process.exit(1);
}
await browser.close();
process.exit(0);
