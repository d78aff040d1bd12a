#!/usr/bin/env node
// The dashboard example in real headless Chromium: an interval timer of the session pushes
// a new reading every 250 ms; pause stops it, resume starts it again.
//
//   node tests/js/e2e_dashboard.mjs <base_url>

import { pageFromArgs, runE2E } from "./browser.mjs";

const { url } = pageFromArgs("e2e_dashboard.mjs", "/dashboard");

const ticks = async (t) => Number(await t.text("#ticks"));

async function waitForTicks(t, atLeast, timeoutMs) {
  await t.page.waitForFunction((n) => Number(document.querySelector("#ticks")?.textContent) >= n, atLeast, {
    timeout: timeoutMs,
    polling: 50,
  });
}

await runE2E("e2e dashboard", async (t) => {
  await t.step(`open ${url}`, () => t.goto(url));
  await t.step("LiveView connects", () => t.waitForConnected());
  await t.step("the fastest pace", async (ms) => {
    await t.page.click("button.pace[phx-value-ms='250']", { timeout: ms });
    await t.page.waitForSelector("button.pace.active[phx-value-ms='250']", { timeout: ms });
  });
  await t.step("readings arrive by themselves", async (ms) => {
    const start = await ticks(t);
    await waitForTicks(t, start + 3, ms);
    const bars = await t.page.locator("#chart .bar").count();
    if (bars < 3) throw new Error(`the chart has ${bars} bars`);
  });
  await t.step("one tab watching", () => t.waitForText("#watching", "1"));
  await t.step("pause stops the timer", async (ms) => {
    await t.page.click("#pause", { timeout: ms });
    await t.page.waitForSelector("#resume", { timeout: ms });
    const paused = await ticks(t);
    await new Promise((r) => setTimeout(r, 800));
    const later = await ticks(t);
    if (later > paused + 1) throw new Error(`readings went on while paused: ${paused} -> ${later}`);
  });
  await t.step("resume starts it again", async (ms) => {
    const paused = await ticks(t);
    await t.page.click("#resume", { timeout: ms });
    await waitForTicks(t, paused + 2, ms);
  });
});
