#!/usr/bin/env node
// End-to-end test of the escape views (tests/guests/escape in Rust, escape-js, escape-py and
// escape-c: one page in every guest language) in real headless Chromium with the unmodified
// official client.
//
//   node tests/js/e2e_escape.mjs <base_url> [path]     e.g. http://127.0.0.1:4740 /escape-py
//
// Types hostile strings into the form and submits each with Enter. The view shows what was said
// through every path it has for text: a text node (#text), a text node inside a quoted attribute
// value (#attr's title), an attributes node (#attrs: title plus a bare data-on), and next to them
// trusted raw markup (#trusted). The host escapes text and attribute values, so each string must
// come back exactly as typed and nothing in it may become markup, attributes or script; the raw
// path must still render its markup. Any console error or page error fails the test.

import { pageFromArgs, runE2E } from "./browser.mjs";

const { url, path } = pageFromArgs("e2e_escape.mjs", "/escape");

/** Strings that would run script or change the markup if any path forgot to escape them. */
const HOSTILE = [
  `<img src=x onerror="window.__pwned=1">`,
  `"><script>window.__pwned=2</script>`,
  `' onmouseover='window.__pwned=3' x='`,
  // Entities must not be decoded (nor double-decoded), non-ASCII must survive, and a backslash
  // escape must stay six characters (no NUL: a browser input cannot hold one).
  String.raw`&amp; &lt; &#x27; é 😀 \u0000-free`,
  `</p><p id="injected">`,
];

/** The attributes each element of the page has, by id: anything else was injected. */
const ATTRIBUTES = {
  text: ["id"],
  attr: ["id", "title"],
  attrs: ["data-on", "id", "title"],
  raw: ["id"],
  trusted: ["class", "id"],
};

/** Waits until `predicate(arg)` is true in the page. */
async function until(t, timeoutMs, predicate, arg, what) {
  try {
    await t.page.waitForFunction(predicate, arg, { timeout: timeoutMs, polling: "raf" });
  } catch (err) {
    const html = await t.page.evaluate(() => document.querySelector("#escape")?.outerHTML ?? "(no #escape)");
    throw new Error(`${what}; the page holds ${html} (${err.message.split("\n")[0]})`);
  }
}

/** What the checks look at, read in the page. */
function inspect() {
  const main = document.querySelector("#escape");
  const attrsOf = (id) => {
    const el = document.getElementById(id);
    return el ? [...el.attributes].map((a) => a.name).sort() : null;
  };
  const trusted = document.querySelector("#trusted");
  return {
    elements: main ? main.querySelectorAll("*").length : -1,
    tags: main ? [...main.querySelectorAll("*")].map((el) => el.tagName.toLowerCase()).join(" ") : "",
    handlers: main
      ? [...main.querySelectorAll("*")].flatMap((el) =>
        [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${el.id || el.tagName}: ${a.name}`))
      : [],
    attributes: Object.fromEntries(["text", "attr", "attrs", "raw", "trusted"].map((id) => [id, attrsOf(id)])),
    text: document.querySelector("#text")?.textContent ?? null,
    attrTitle: document.querySelector("#attr")?.getAttribute("title") ?? null,
    attrsTitle: document.querySelector("#attrs")?.getAttribute("title") ?? null,
    attrsDataOn: document.querySelector("#attrs")?.hasAttribute("data-on") ?? false,
    injected: document.querySelector("#injected") !== null,
    scripts: document.querySelectorAll("#escape script, #escape img").length,
    pwned: window.__pwned === undefined ? "undefined" : String(window.__pwned),
    trustedClass: trusted ? trusted.getAttribute("class") : null,
    trustedText: trusted ? trusted.textContent : null,
    trustedParent: trusted ? trusted.parentElement.id : null,
  };
}

/** Throws with every way the page differs from a safe rendering of `said`. */
function check(seen, said, baseline) {
  const problems = [];
  const eq = (what, got, want) => {
    if (got !== want) problems.push(`${what} is ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  };
  eq("#text's textContent", seen.text, said);
  eq("#attr's title", seen.attrTitle, said);
  eq("#attrs's title", seen.attrsTitle, said);
  eq("#attrs has data-on", seen.attrsDataOn, true);
  eq("the number of elements under #escape", seen.elements, baseline.elements);
  eq("the elements under #escape", seen.tags, baseline.tags);
  eq("document.querySelector('#injected') !== null", seen.injected, false);
  eq("script and img elements under #escape", seen.scripts, 0);
  eq("window.__pwned", seen.pwned, "undefined");
  eq("event handler attributes", seen.handlers.join(", "), "");
  for (const [id, want] of Object.entries(ATTRIBUTES)) {
    eq(`the attributes of #${id}`, JSON.stringify(seen.attributes[id]), JSON.stringify(want));
  }
  eq("#trusted's class", seen.trustedClass, "raw");
  eq("#trusted's text", seen.trustedText, "trusted markup");
  eq("#trusted's parent", seen.trustedParent, "raw");
  if (problems.length > 0) throw new Error(problems.join("; "));
}

await runE2E(`e2e ${path}`, async (t) => {
  let baseline;
  await t.step(`open ${url}`, () => t.goto(url));
  await t.step("LiveView connects", () => t.waitForConnected());
  await t.step("the page as mounted", async () => {
    const title = await t.page.title();
    if (title !== "Escape") throw new Error(`title is ${JSON.stringify(title)}`);
    baseline = await t.page.evaluate(inspect);
    if (baseline.tags !== "p p b div em form input button") {
      throw new Error(`the page's elements are ${JSON.stringify(baseline.tags)}`);
    }
    check(baseline, "nothing yet", baseline);
  });

  for (const [i, said] of HOSTILE.entries()) {
    await t.step(`hostile string ${i + 1} ${JSON.stringify(said)} comes back as text`, async (ms) => {
      await t.page.fill("#words", said, { timeout: ms });
      await t.page.press("#words", "Enter", { timeout: ms });
      await until(t, ms, (want) => document.querySelector("#text")?.textContent === want, said,
        `#text should read ${JSON.stringify(said)}`);
      // Give injected handlers their chance: hover where an attribute would have landed, and let
      // an injected image fail to load.
      for (const sel of ["#text", "#attr", "#attrs", "#raw"]) await t.page.hover(sel, { timeout: ms });
      await t.page.waitForTimeout(150);
      check(await t.page.evaluate(inspect), said, baseline);
    });
  }
});
