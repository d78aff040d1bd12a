#!/usr/bin/env node
// Diff conformance check against the official LiveView client.
//
//   node tests/js/conformance.mjs <file.ndjson>
//
// Each line of the file is one step:
//   {"step": "<label>", "view_id": "<container id>", "diff": {...},
//    "html": "<expected inner HTML of the LiveView container>",
//    "title": "<optional: expected page title after this step>"}
// The first line's `diff` is the join reply's `rendered`; later lines are
// event-reply diffs or pushed diffs, applied in order.
//
// How the oracle works
// --------------------
// The harness drives the client's own code, unmodified, exactly as
// `View.onJoin` / `View.applyDiff` / `View.update` do:
//   * `Rendered.extract` strips `r`/`e`/`t` from the top level;
//   * the join builds `new Rendered(viewId, diff)`, renders it and patches an
//     empty container with the client's `DOMPatch` (a join patch);
//   * every later diff is `mergeDiff`-ed, then either patches the outermost
//     changed components (component-only diff, `View.componentPatch`) or
//     renders the whole view with `toString(cids)` and patches the container.
// The container lives in a jsdom document, so the client's `DOMPatch`
// (morphdom) resolves the `data-phx-skip` shells that `toString` emits for
// untouched single-root nodes and components against the DOM left by the
// previous step - just as in the browser. A shell with no element to keep
// stays in the DOM as an empty element and fails the comparison.
//
// After each step the container's inner HTML, minus the attributes the client
// itself injects (CLIENT_ATTRIBUTES), must equal the expected `html`. Both
// sides go through the same HTML parser and serializer, with each element's
// attributes put in name order, so only differences a browser would show
// count (`<br/>` vs `<br>` or attribute order do not; text, whitespace,
// attribute values, elements do). The one exception: whitespace-only text
// directly inside phx-update="stream" containers is ignored (see
// dropStreamWhitespace).
//
// A step fails when the HTML differs, when the client code throws (for
// example "Cannot continue render due to missing component"), or when the
// client reports an error (its `logError` / `console.error`, which the
// browser would print to the console). Debug checks that the client runs when
// debugging is enabled (duplicate DOM ids, stream containers without
// phx-update="stream") are turned on and count as errors too.
//
// Not modelled: nested LiveViews (each has its own channel), hooks, forms
// state and focus, and the component destroy handshake (cids removed from the
// DOM are reset like the client does, but never pruned from the cache).
//
// Exit status: 0 and "conformance ok: N steps" on success, 1 on a failed
// step, 2 on unusable input.

import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

// ---------------------------------------------------------------------------
// DOM environment. Installed before any client code runs: the client reads
// `window`, `document`, `Node`, `HTMLElement`, `CustomEvent`, ... as globals.

const dom = new JSDOM(
  "<!DOCTYPE html><html><head><title></title></head><body></body></html>",
  { url: "http://localhost/", pretendToBeVisual: true },
);
globalThis.window = dom.window;
globalThis.document = dom.window.document;
// DOM interfaces the client uses (`instanceof HTMLInputElement`,
// `new CustomEvent`, `Node.ELEMENT_NODE`, ...). jsdom's own `Event` classes
// must replace Node's built-in ones: jsdom rejects foreign event objects.
const DOM_GLOBAL = /^(?:HTML\w*|SVG\w*|Node|NodeList|NodeFilter|RadioNodeList|Element|Document|DocumentFragment|Text|Comment|CharacterData|Range|DOMParser|XMLSerializer|MutationObserver|\w*Event|EventTarget|File|FileList|FileReader|Blob|FormData)$/;
for (const name of Object.getOwnPropertyNames(dom.window)) {
  if (DOM_GLOBAL.test(name) && typeof dom.window[name] === "function") {
    globalThis[name] = dom.window[name];
  }
}

const { client } = await import("./rendered.mjs");
const { Rendered, DOMPatch, DOM, isEmpty } = client;

// Attributes the client adds to the rendered HTML or the DOM by itself; they
// are removed from the actual DOM before comparing. `data-phx-skip` is
// deliberately NOT in this list: a skip shell left in the DOM is a failure.
const CLIENT_ATTRIBUTES = [
  client.PHX_MAGIC_ID, // data-phx-id: magic id of single-root nodes and components
  client.PHX_COMPONENT, // data-phx-component: cid on component roots
  client.PHX_VIEW_REF, // data-phx-view: owning view id on component roots
  client.PHX_STREAM_REF, // data-phx-stream: stream ref on stream children
  client.PHX_ROOT_ID, // data-phx-root-id: on nested LiveView containers
];

const CONTAINER_TAG = "div";

// ---------------------------------------------------------------------------
// A minimal stand-in for `View` / `LiveSocket`: exactly what `DOMPatch` needs.

class HarnessView {
  constructor(el) {
    this.el = el;
    this.id = el.id;
    this.root = this;
    this.isDead = false;
    this.portalElementIds = new Set();
    this.errors = []; // client-reported errors, each one fails the step
    this.rendered = null;
    this.liveSocket = {
      binding: (kind) => `phx-${kind}`,
      getActiveElement: () => document.activeElement,
      time: (_name, fn) => fn(),
      // Enables DOMPatch's own checks (duplicate ids, invalid stream containers).
      isDebugEnabled: () => true,
      silenceEvents: (fn) => fn(),
      // phx-remove transitions complete at once.
      transitionRemoves: (_elements, _view, done) => done(),
      destroyViewByEl: () => {},
      unload: () => {},
      // LiveSocket.dispatchEvents: `[name, payload]` → window "phx:<name>" event.
      dispatchEvents: (events) =>
        events.forEach(([event, payload = {}]) =>
          DOM.dispatchEvent(window, `phx:${event}`, { detail: payload }),
        ),
    };
  }

  logError(code, message) {
    this.errors.push(`${code}: ${message}`);
  }

  // Same as View.ownsElement.
  ownsElement(el) {
    const parentViewEl = DOM.closestViewEl(el);
    return (
      el.getAttribute("data-phx-parent-id") === this.id ||
      (parentViewEl && parentViewEl.id === this.id) ||
      (!parentViewEl && this.isDead)
    );
  }

  pushPortalElementId(id) {
    this.portalElementIds.add(id);
  }

  dropPortalElementId(id) {
    this.portalElementIds.delete(id);
  }

  // View.renderContainer
  renderContainer(diff) {
    const cids = diff ? this.rendered.componentCIDs(diff) : null;
    const { buffer, streams } = this.rendered.toString(cids);
    return [`<${CONTAINER_TAG}>${buffer}</${CONTAINER_TAG}>`, streams];
  }

  // View.performPatch, minus hooks and JS commands. Components whose elements
  // were removed get `resetRender` as in View.maybePushComponentsDestroyed.
  performPatch(patch, pruneCids, isJoinPatch = false) {
    const removed = [];
    patch.afterDiscarded((el) => el.nodeType === Node.ELEMENT_NODE && removed.push(el));
    patch.afterTransitionsDiscarded((els) => removed.push(...els));
    patch.perform(isJoinPatch);
    if (pruneCids) {
      const cids = new Set();
      for (const parent of removed) {
        for (const el of [parent, ...DOM.all(parent, `[${client.PHX_COMPONENT}]`)]) {
          if (el.getAttribute(client.PHX_VIEW_REF) === this.id) {
            cids.add(parseInt(el.getAttribute(client.PHX_COMPONENT)));
          }
        }
      }
      for (const cid of cids) {
        if (DOM.findComponent(this.id, cid) === null) this.rendered.resetRender(cid);
      }
    }
  }

  // View.onJoin → applyDiff("mount") → applyJoinPatch
  join(diff) {
    this.rendered = new Rendered(this.id, diff);
    const [html, streams] = this.renderContainer(null);
    const patch = new DOMPatch(this, this.el, html, streams, null);
    patch.markPrunableContentForRemoval();
    this.performPatch(patch, false, true);
    return html;
  }

  // View.update (+ View.componentPatch). Returns the patch HTML(s) for reports.
  update(diff) {
    this.rendered.mergeDiff(diff);
    const patches = [];
    if (this.rendered.isComponentOnlyDiff(diff)) {
      const parentCids = DOM.findExistingParentCIDs(this.id, this.rendered.componentCIDs(diff));
      parentCids.forEach((cid) => {
        if (isEmpty(this.rendered.getComponent(diff, cid))) return;
        const { buffer, streams } = this.rendered.componentToString(cid);
        patches.push(buffer);
        this.performPatch(new DOMPatch(this, this.el, buffer, streams, cid), true);
      });
    } else if (!isEmpty(diff)) {
      const [html, streams] = this.renderContainer(diff);
      patches.push(html);
      this.performPatch(new DOMPatch(this, this.el, html, streams, null), true);
    }
    return patches.join("\n");
  }

  // View.applyDiff: extract r/e/t, dispatch events, apply title.
  applyDiff(rawDiff, isJoin) {
    const { diff, events, title } = Rendered.extract(rawDiff);
    // Same expression as the client, so malformed "e" values fail the same way.
    const { pre, post } = events.reduce(
      (acc, args) => {
        if (args.length === 3 && args[2] == true) acc.pre.push(args.slice(0, -1));
        else acc.post.push(args);
        return acc;
      },
      { pre: [], post: [] },
    );
    this.liveSocket.dispatchEvents(pre);
    const patchHTML = isJoin ? this.join(diff) : this.update(diff);
    this.liveSocket.dispatchEvents(post);
    if (typeof title === "string" || isJoin) DOM.putTitle(title);
    return patchHTML;
  }
}

// ---------------------------------------------------------------------------
// Comparison helpers

/**
 * Puts every element's attributes in name order. Attribute order carries no
 * meaning, and morphdom keeps an updated element's existing attributes in
 * place and appends new ones, so the DOM's order can differ from a fresh
 * render's.
 */
function sortAttributes(root) {
  for (const el of root.querySelectorAll("*")) {
    const attrs = Array.from(el.attributes, (a) => [a.namespaceURI, a.name, a.value]);
    attrs.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    for (const [ns, name] of attrs) el.removeAttributeNS(ns, name.split(":").pop());
    for (const [ns, name, value] of attrs) el.setAttributeNS(ns, name, value);
    if (el.localName === "template") sortAttributes(el.content);
  }
}

/**
 * Drops whitespace-only text nodes directly inside phx-update="stream"
 * containers. Stream items live only in the DOM: the client renders each
 * item once and morphdom then re-syncs the container's text nodes against a
 * render without the old items, so the whitespace between stream children
 * never matches a fresh render, in the browser either. Nothing else about
 * whitespace is relaxed.
 */
function dropStreamWhitespace(root) {
  for (const el of root.querySelectorAll('[phx-update="stream"]')) {
    for (const node of Array.from(el.childNodes)) {
      if (node.nodeType === Node.TEXT_NODE && node.data.trim() === "") node.remove();
    }
  }
}

/** Applies the comparison's normalizations to a parsed tree. */
function canonicalize(root) {
  sortAttributes(root);
  dropStreamWhitespace(root);
  return root.innerHTML;
}

/** Inner HTML of the container as a user sees it: client-only attributes removed. */
function visibleHTML(container) {
  const copy = container.cloneNode(true);
  for (const attr of CLIENT_ATTRIBUTES) {
    for (const el of copy.querySelectorAll(`[${attr}]`)) el.removeAttribute(attr);
  }
  return canonicalize(copy);
}

/** `html` parsed inside a container element and serialized again. */
function normalizeHTML(html) {
  const el = document.createElement(CONTAINER_TAG);
  el.innerHTML = html;
  return canonicalize(el);
}

function firstDifference(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

const clip = (s, max = 2000) => (s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s);
const around = (s, at) => JSON.stringify(s.slice(Math.max(0, at - 40), at + 40));

// ---------------------------------------------------------------------------
// Input

function fatal(message) {
  console.error(`conformance: ${message}`);
  process.exit(2);
}

function readSteps(file) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    fatal(`cannot read ${file}: ${err.message}`);
  }
  const steps = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let step;
    try {
      step = JSON.parse(line);
    } catch (err) {
      fatal(`${file}:${i + 1}: invalid JSON: ${err.message}`);
    }
    const bad = (what) => fatal(`${file}:${i + 1}: ${what}`);
    if (step === null || typeof step !== "object") bad("not a JSON object");
    if (typeof step.step !== "string") bad(`"step" must be a string`);
    if (typeof step.view_id !== "string" || step.view_id === "") bad(`"view_id" must be a non-empty string`);
    if (step.diff === null || typeof step.diff !== "object" || Array.isArray(step.diff)) bad(`"diff" must be an object`);
    if (typeof step.html !== "string") bad(`"html" must be a string`);
    if ("title" in step && typeof step.title !== "string") bad(`"title" must be a string`);
    if (steps.length > 0 && step.view_id !== steps[0].view_id) {
      bad(`view_id ${JSON.stringify(step.view_id)} differs from the first line's; one view per file`);
    }
    steps.push({ ...step, lineNo: i + 1 });
  });
  if (steps.length === 0) fatal(`${file}: no steps`);
  return steps;
}

// ---------------------------------------------------------------------------
// Main

function fail(step, index, total, lines) {
  console.error(`conformance FAILED at step ${index + 1}/${total} "${step.step}" (line ${step.lineNo})`);
  for (const line of lines) console.error(`  ${line}`);
  process.exit(1);
}

// CONFORMANCE_VERBOSE=1 prints the HTML the client patched with at each step.
const verbose = Boolean(process.env.CONFORMANCE_VERBOSE);

function run(file) {
  const steps = readSteps(file);
  const viewId = steps[0].view_id;
  const container = document.createElement(CONTAINER_TAG);
  container.id = viewId;
  container.setAttribute(client.PHX_SESSION, "");
  container.setAttribute("data-phx-main", "");
  document.body.appendChild(container);
  const view = new HarnessView(container);

  // Anything the client prints as an error fails the step (the browser
  // would show it in the console).
  const consoleErrors = [];
  const originalConsoleError = console.error;
  console.error = (...args) => consoleErrors.push(args.map(String).join(" "));

  steps.forEach((step, index) => {
    let patchHTML = "";
    try {
      // The client mutates diffs in place; give it its own copy.
      patchHTML = view.applyDiff(structuredClone(step.diff), index === 0);
    } catch (err) {
      console.error = originalConsoleError;
      const stack = (err.stack || "").split("\n").slice(1, 4).map((l) => l.trim());
      fail(step, index, steps.length, [
        `client threw: ${err.message}`,
        ...stack,
        ...consoleErrors.map((e) => `console.error: ${e}`),
      ]);
    }
    if (verbose) {
      console.log(`step ${index + 1} "${step.step}": patch ${JSON.stringify(patchHTML)}`);
    }
    const errors = [...view.errors, ...consoleErrors.map((e) => `console.error: ${e}`)];
    if (errors.length > 0) {
      console.error = originalConsoleError;
      fail(step, index, steps.length, ["client reported errors:", ...errors.map((e) => `  ${e}`)]);
    }

    const expected = normalizeHTML(step.html);
    const actual = visibleHTML(container);
    if (actual !== expected) {
      console.error = originalConsoleError;
      const at = firstDifference(expected, actual);
      fail(step, index, steps.length, [
        `HTML differs at offset ${at} (expected ${expected.length} chars, actual ${actual.length})`,
        `expected near: ${around(expected, at)}`,
        `actual near:   ${around(actual, at)}`,
        `expected: ${JSON.stringify(clip(expected))}`,
        `actual:   ${JSON.stringify(clip(actual))}`,
        `patch the client rendered: ${JSON.stringify(clip(patchHTML))}`,
      ]);
    }
    if ("title" in step && document.title !== step.title) {
      console.error = originalConsoleError;
      fail(step, index, steps.length, [
        `title differs: expected ${JSON.stringify(step.title)}, actual ${JSON.stringify(document.title)}`,
      ]);
    }
  });

  console.error = originalConsoleError;
  console.log(`conformance ok: ${steps.length} steps`);
}

if (process.argv.length !== 3) {
  fatal("usage: node tests/js/conformance.mjs <file.ndjson>");
}
run(process.argv[2]);
