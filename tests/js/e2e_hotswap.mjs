#!/usr/bin/env node
// End-to-end test of hot swap in real headless Chromium with the unmodified client.
//
//   node tests/js/e2e_hotswap.mjs <base_url> <plugins_dir> <new_counter.wasm>
//
// Opens <base_url>/counter (served from <plugins_dir>/counter.wasm by a host that watches the
// directory), clicks + three times and puts a marker on `window`. Then it installs the new
// version of the view (<new_counter.wasm>: the same state, other markup) the way a deploy
// does, a temporary file renamed over counter.wasm, and checks that the page changes in place:
// the new heading appears with the count still 3, the marker survives (the page was not
// reloaded), the socket stayed connected, and the new code's own button works (+10 -> 13).

import { copyFileSync, renameSync } from "node:fs";
import { join } from "node:path";

import { runE2E } from "./browser.mjs";

const [baseUrl, pluginsDir, newWasm] = process.argv.slice(2);
if (!/^https?:\/\//.test(baseUrl ?? "") || !pluginsDir || !newWasm) {
  console.error("usage: node tests/js/e2e_hotswap.mjs <base_url> <plugins_dir> <new_counter.wasm>");
  process.exit(2);
}
const url = `${baseUrl.replace(/\/+$/, "")}/counter`;

await runE2E("e2e hot swap", async (t) => {
  await t.step(`open ${url}`, () => t.goto(url));
  await t.step("LiveView connects", () => t.waitForConnected());
  for (const expected of ["1", "2", "3"]) {
    await t.step(`click #inc -> ${expected}`, async (timeoutMs) => {
      await t.page.click("#inc", { timeout: timeoutMs });
      await t.waitForText("#count", expected, timeoutMs);
    });
  }
  await t.step("mark the page and remember its websocket", () =>
    t.page.evaluate(() => {
      window.__liveplugMarker = "before-swap";
      window.__liveplugConn = window.liveSocket.getSocket().conn;
    }),
  );
  await t.step("install the new version", () => {
    const part = join(pluginsDir, ".counter.wasm.part");
    copyFileSync(newWasm, part);
    renameSync(part, join(pluginsDir, "counter.wasm"));
  });
  await t.step(
    "the page changes in place with its count",
    async (timeoutMs) => {
      await t.page.waitForFunction(() => document.querySelector("h1")?.textContent.startsWith("Total:"), null, {
        timeout: timeoutMs,
        polling: 50,
      });
      await t.waitForText("#count", "3", timeoutMs);
    },
    30_000,
  );
  await t.step("it was not a reload and the socket stayed", async () => {
    const state = await t.page.evaluate(() => ({
      marker: window.__liveplugMarker,
      sameSocket: window.liveSocket.getSocket().conn === window.__liveplugConn,
      connected: document.querySelector("[data-phx-main]")?.classList.contains("phx-connected"),
    }));
    if (state.marker !== "before-swap") throw new Error(`the page reloaded: ${JSON.stringify(state)}`);
    if (!state.sameSocket) throw new Error(`the client opened a new websocket: ${JSON.stringify(state)}`);
    if (!state.connected) throw new Error(`the view is not connected: ${JSON.stringify(state)}`);
  });
  await t.step("the new code runs with the carried state: +10 -> 13", async (timeoutMs) => {
    await t.page.click("#inc10", { timeout: timeoutMs });
    await t.waitForText("#count", "13", timeoutMs);
  });
});
