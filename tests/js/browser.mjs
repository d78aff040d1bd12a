// Shared plumbing for the browser end-to-end tests: launches headless
// Chromium through playwright-core and watches the page for problems.
//
//   import { runE2E } from "./browser.mjs";
//   await runE2E("e2e counter", `${baseUrl}/counter`, async (t) => {
//     await t.step("connected", () => t.waitForConnected());
//     await t.step("click #inc", () => t.page.click("#inc"));
//   });
//
// A problem is any console message of type "error", the client's warning
// "LiveView asset version mismatch", or an uncaught page error. The first
// problem aborts the running step at once; the test fails with the problem,
// the console log so far, and a non-zero exit status.
//
// Environment:
//   CHROMIUM_PATH  browser executable (default /usr/bin/chromium, Debian's
//                  `chromium` package; playwright's own browsers are never
//                  downloaded)
//   E2E_HEADED=1   show the browser window (needs a display)

import { existsSync } from "node:fs";
import { chromium } from "playwright-core";

export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

/** Per-step timeout in milliseconds. */
export const STEP_TIMEOUT_MS = 10_000;

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox", // we run as root in a container
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking", // no traffic except to the server under test
  "--disable-component-update",
  "--disable-sync",
];

/** Console warnings that count as failures (substring match). */
const FATAL_WARNINGS = ["LiveView asset version mismatch"];

/** Raised for a failed test; `runE2E` prints it without a stack trace. */
export class E2EFailure extends Error {}

/**
 * Launches Chromium. playwright's `launch` uses a fresh temporary profile
 * (user-data-dir) and removes it on close.
 */
export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
  if (!existsSync(executablePath)) {
    throw new E2EFailure(
      `Chromium not found at ${executablePath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
  const headed = Boolean(process.env.E2E_HEADED);
  return chromium.launch({
    executablePath,
    headless: !headed,
    args: headed ? CHROMIUM_ARGS.filter((a) => a !== "--headless") : CHROMIUM_ARGS,
    timeout: 30_000,
  });
}

/**
 * Records the page's console and errors. `failed` is a promise that rejects
 * with the first problem, so that a step can race against it.
 */
export function watchPage(page) {
  const log = [];
  const problems = [];
  let reject;
  const failed = new Promise((_resolve, rej) => {
    reject = rej;
  });
  failed.catch(() => {}); // observed through `problems` when nobody races it
  const problem = (text) => {
    problems.push(text);
    reject(new E2EFailure(text));
  };
  page.on("console", (msg) => {
    const loc = msg.location();
    const where = loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : "";
    const line = `[${msg.type()}] ${msg.text()}${where}`;
    log.push(line);
    if (msg.type() === "error") {
      problem(`console error: ${msg.text()}${where}`);
    } else if (msg.type() === "warning" && FATAL_WARNINGS.some((w) => msg.text().includes(w))) {
      problem(`console warning: ${msg.text()}${where}`);
    }
  });
  page.on("pageerror", (err) => {
    log.push(`[pageerror] ${err.message}`);
    problem(`uncaught page error: ${err.stack || err.message}`);
  });
  page.on("crash", () => problem("page crashed"));
  return { log, problems, failed };
}

/**
 * One-paragraph description of an error: our own failures and playwright's
 * errors (navigation, timeouts) by message, bugs in test code with a stack.
 */
function describeError(err) {
  if (err instanceof E2EFailure) return err.message;
  if (err instanceof TypeError || err instanceof ReferenceError || err instanceof SyntaxError) {
    return err.stack || String(err);
  }
  // Playwright messages carry ANSI colour codes and a "Call log:" section.
  return String(err && err.message ? err.message : err).replace(/\u001b\[[0-9;]*m/g, "").trim();
}

/**
 * The page a script tests, from its command line `<base_url> [path]`: the URL and the path.
 * Exits with a usage message (status 2) on anything else.
 */
export function pageFromArgs(script, defaultPath) {
  const [baseUrl, path = defaultPath] = process.argv.slice(2);
  if (process.argv.length > 4 || !/^https?:\/\//.test(baseUrl ?? "") || !path.startsWith("/")) {
    console.error(`usage: node tests/js/${script} <base_url> [path]   (e.g. http://127.0.0.1:4567 ${defaultPath})`);
    process.exit(2);
  }
  return { url: `${baseUrl.replace(/\/+$/, "")}${path}`, path };
}

/** The handle an e2e test body receives. */
export class TestContext {
  constructor(page, watcher) {
    this.page = page;
    this.watcher = watcher;
    this.currentStep = null;
  }

  /**
   * Runs one step with a timeout; aborts it on the first page problem.
   * `fn` receives the step's time budget in milliseconds and should pass it
   * to the playwright calls it makes: their own timeout errors say more than
   * the step's backstop timer, which fires only after a short grace period.
   */
  async step(name, fn, timeoutMs = STEP_TIMEOUT_MS) {
    this.currentStep = name;
    let timer;
    const timeout = new Promise((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new E2EFailure(`timed out after ${timeoutMs} ms`)),
        timeoutMs + 1_000,
      );
    });
    try {
      return await Promise.race([fn(timeoutMs), timeout, this.watcher.failed]);
    } catch (err) {
      throw new E2EFailure(`step "${name}": ${describeError(err)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Navigates to `url`; fails on a non-2xx response. */
  async goto(url, timeoutMs = STEP_TIMEOUT_MS) {
    const response = await this.page.goto(url, { timeout: timeoutMs, waitUntil: "load" });
    if (!response || !response.ok()) {
      throw new E2EFailure(`GET ${url} answered ${response ? response.status() : "nothing"}`);
    }
    return response;
  }

  /** Waits until the main LiveView container has joined (class phx-connected). */
  async waitForConnected(timeoutMs = STEP_TIMEOUT_MS) {
    await this.page.waitForSelector("[data-phx-main].phx-connected", {
      state: "attached",
      timeout: timeoutMs,
    });
  }

  /** Trimmed text of the first element matching `selector`, or null. */
  async text(selector) {
    return this.page.evaluate((sel) => {
      const el = document.querySelector(sel);
      return el ? el.textContent.trim() : null;
    }, selector);
  }

  /** Waits until the trimmed text of `selector` equals `expected`. */
  async waitForText(selector, expected, timeoutMs = STEP_TIMEOUT_MS) {
    try {
      await this.page.waitForFunction(
        ([sel, want]) => {
          const el = document.querySelector(sel);
          return el !== null && el.textContent.trim() === want;
        },
        [selector, expected],
        { timeout: timeoutMs, polling: "raf" },
      );
    } catch (err) {
      const seen = await this.text(selector).catch(() => "?");
      throw new E2EFailure(
        `${selector} should read ${JSON.stringify(expected)}, still ${JSON.stringify(seen)} (${err.message.split("\n")[0]})`,
      );
    }
  }
}

/**
 * Runs an e2e test: launches Chromium, opens a page with problem watching,
 * calls `body(t)` and exits the process (0 and "<name> ok" on success,
 * 1 with a report on failure).
 */
export async function runE2E(name, body) {
  let browser;
  let watcher;
  let t;
  try {
    browser = await launchBrowser();
    const page = await browser.newPage();
    watcher = watchPage(page);
    t = new TestContext(page, watcher);
    await body(t);
    // Let late errors (e.g. from a patch after the last check) surface.
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (watcher.problems.length > 0) {
      throw new E2EFailure(`after the last step: ${watcher.problems[0]}`);
    }
    console.log(`${name} ok`);
    await browser.close();
    process.exit(0);
  } catch (err) {
    console.error(`${name} FAILED: ${describeError(err)}`);
    if (watcher && watcher.problems.length > 1) {
      console.error("all problems:");
      for (const p of watcher.problems) console.error(`  ${p}`);
    }
    if (watcher && watcher.log.length > 0) {
      console.error("browser console:");
      for (const line of watcher.log.slice(-50)) console.error(`  ${line}`);
    }
    if (browser) await browser.close().catch(() => {});
    process.exit(1);
  }
}

/** Records the LiveView websocket frames of `page`, decoded ([join_ref, ref, topic, event, payload]). */
export function recordFrames(page) {
  const frames = { sent: [], received: [], sockets: 0 };
  const decode = (payload) => {
    if (typeof payload !== "string") return null; // binary frames (uploads) are not needed here
    try {
      const msg = JSON.parse(payload);
      return Array.isArray(msg) && msg.length === 5 ? msg : null;
    } catch {
      return null;
    }
  };
  page.on("websocket", (ws) => {
    frames.sockets++;
    ws.on("framesent", ({ payload }) => {
      const msg = decode(payload);
      if (msg) frames.sent.push(msg);
    });
    ws.on("framereceived", ({ payload }) => {
      const msg = decode(payload);
      if (msg) frames.received.push(msg);
    });
  });
  return frames;
}
