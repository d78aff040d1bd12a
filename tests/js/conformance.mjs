#!/usr/bin/env node
// Diff conformance check against the official LiveView client.
//
//   node tests/js/conformance.mjs <file.ndjson> [<file.ndjson> ...]
//
// Each file is one independent session of one LiveView: every file starts
// with a fresh document (empty <body>, a bare <title>) and a fresh client
// state. The client module and the jsdom instance are loaded once and reused
// across files (the client's bundled morphdom keeps a reference to the
// `document` it saw at load, so the document is emptied, never replaced);
// one process runs ~4000 steps in 100 files in about 10 s, most of it the
// client's own patching.
//
// Each line of a file is one step:
//   {"step": "<label>", "view_id": "<container id>", "diff": {...},
//    "html": "<expected inner HTML of the LiveView container>",
//    "title": "<optional: expected page title after this step>",
//    "prune": [<cid>, ...]}
// The first line's `diff` is the join reply's `rendered`; later lines are
// event-reply diffs or pushed diffs, applied in order. `html` is required on
// the first line; a later line may omit it when the test cannot know the
// state in between (a reply that precedes the pushes its handler caused, in
// an order only the server decides): its diff is merged and patched like any
// other, and the next line with `html` checks the result.
//
// `prune` (optional, not on the first line) is the server's reply to the
// client's `cids_destroyed` push, `{"cids": [...]}`: after the step's diff is
// applied, the client's `Rendered.pruneCIDs(cids)` drops those components
// from its cache, exactly as `View.maybePushComponentsDestroyed` does. A step
// that only prunes may omit `diff` (or give `{}`); such a step may also omit
// `html` (the DOM does not change; when `html` is given it is compared).
// A prune is rejected when the client could never have asked for it, i.e.
// for every cid that
//   * is on the page after the step's diff (the client re-checks the DOM and
//     never sends `cids_destroyed` for a component that is still or again
//     rendered; a server that renders a component after `cids_will_destroy`
//     must keep it), or
//   * was not removed from the page by a patch since the join or since it was
//     last pruned (the client sends `cids_will_destroy` / `cids_destroyed`
//     only for components whose elements a patch removed).
// After a prune, a diff that refers to the cid without re-sending the whole
// component (statics included) fails like it does in the browser ("missing
// component", or statics shared with `"s": -cid` that are gone).
//
// Output and exit status:
//   one file:     "conformance ok: N steps" and exit 0 on success;
//   several files: "conformance ok: N steps in F files" (N = total steps);
//   every failed step prints a report starting with
//   `conformance FAILED at step I/N "<label>" (<file> line L)`; the next
//   files still run, and with several files a last line
//   `conformance FAILED: K of F files failed` follows. Exit 1 when a step
//   failed, 2 when some input was unusable (bad JSON, missing fields, ...).
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
// Component destroy handshake: when a patch removes the elements of
// components that are then no longer on the page, the client immediately
// calls `Rendered.resetRender(cid)` (so that a component the server renders
// again is rendered in full, not as a skip shell) and pushes
// `cids_will_destroy`; the harness does the same reset. The later
// `cids_destroyed` round trip is the `prune` field above.
//
// After each step the container's inner HTML, minus the attributes the client
// itself injects (CLIENT_ATTRIBUTES), must equal the expected `html`. The
// expected HTML is parsed by the parser jsdom uses (parse5, as for
// `innerHTML =`) and both sides are written by the same serializer, with each
// element's attributes put in name order, so only differences a browser would
// show count (`<br/>` vs `<br>` or attribute order do not; text, whitespace,
// attribute values, elements do). Stream containers (phx-update="stream")
// are compared like everything else: the expected `html` must contain the
// stream items the DOM holds after the step, so the server's HTML model of a
// stream has to follow the client's rules (insert position `at`, `limit`
// trimming done by the client alone, deletes, reset, update_only).
// The one exception: whitespace-only text directly inside
// phx-update="stream" containers is ignored (see "Comparison helpers").
//
// A step fails when the HTML differs, when the client code throws (for
// example "Cannot continue render due to missing component"), or when the
// client reports an error (its `logError` / `console.error`, which the
// browser would print to the console). Debug checks that the client runs when
// debugging is enabled (duplicate DOM ids, stream containers without
// phx-update="stream") are turned on and count as errors too.
//
// Not modelled: nested LiveViews (each has its own channel), hooks, forms
// state and focus, and the timing of the destroy handshake (a prune is
// applied where the file puts it).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { JSDOM } from "jsdom";

// The HTML parser jsdom itself uses (its dependency, resolved from jsdom's
// own location): parses the expected HTML without building a DOM.
const parse5 = await import(
  pathToFileURL(createRequire(fileURLToPath(import.meta.resolve("jsdom"))).resolve("parse5")).href
);

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
    // cids the client has sent `cids_will_destroy` for and not pruned since.
    this.willDestroy = new Set();
    this.everPruned = new Set(); // for error messages only
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
        // View.maybePushComponentsDestroyed: reset, then cids_will_destroy.
        if (DOM.findComponent(this.id, cid) === null) {
          this.rendered.resetRender(cid);
          this.willDestroy.add(cid);
        }
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

  // The cids_destroyed reply: View.maybePushComponentsDestroyed → pruneCIDs.
  // Returns the reasons the client could never have asked for this prune.
  prune(cids) {
    const problems = [];
    for (const cid of cids) {
      if (DOM.findComponent(this.id, cid) !== null) {
        problems.push(
          `prune of cid ${cid}: the component is on the page, the client never sends cids_destroyed for it (a component rendered again after cids_will_destroy must not be deleted)`,
        );
      } else if (!this.willDestroy.has(cid)) {
        problems.push(
          `prune of cid ${cid}: no patch removed this component from the page since ${this.everPruned.has(cid) ? "it was last pruned" : "the join"}, so the client never sent cids_will_destroy/cids_destroyed for it`,
        );
      }
    }
    if (problems.length > 0) return problems;
    for (const cid of cids) {
      this.willDestroy.delete(cid);
      this.everPruned.add(cid);
    }
    this.rendered.pruneCIDs(cids);
    return [];
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

// Both sides of the comparison are serialized by `canonicalHTML`, an HTML
// serializer (the HTML standard's fragment serialization algorithm, as
// `innerHTML` uses it) with two normalizations built in:
//
//  * Every element's attributes are written in name order. Attribute order
//    carries no meaning, and morphdom keeps an updated element's existing
//    attributes in place and appends new ones, so the DOM's order can differ
//    from a fresh render's.
//  * Whitespace-only text nodes directly inside phx-update="stream"
//    containers are dropped. Stream items live only in the DOM: the client
//    renders each item once and morphdom then re-syncs the container's text
//    nodes against a render without the old items, so the whitespace between
//    stream children never matches a fresh render, in the browser either.
//    Nothing else about whitespace is relaxed.
//
// It walks the live tree without copying or mutating it (the attributes the
// client injects are skipped on the actual side instead of being removed from
// a clone), which keeps the per-step cost well below the client's own patch.

const HTML_NS = "http://www.w3.org/1999/xhtml";
const SVG_NS = "http://www.w3.org/2000/svg";
const MATHML_NS = "http://www.w3.org/1998/Math/MathML";
const VOID_ELEMENTS = new Set([
  "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr",
  "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
]);
// Text inside these is written verbatim (jsdom runs with scripting disabled,
// so <noscript> is not among them).
const RAW_TEXT_ELEMENTS = new Set(["style", "script", "xmp", "iframe", "noembed", "noframes", "plaintext"]);

const escapeText = (s) =>
  s.replace(/&/g, "&amp;").replace(/\u00a0/g, "&nbsp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const escapeAttr = (s) =>
  s.replace(/&/g, "&amp;").replace(/\u00a0/g, "&nbsp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const byName = (a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function serializeChildren(parent, skipAttrs, out) {
  const isElement = parent.nodeType === Node.ELEMENT_NODE;
  const inStream = isElement && parent.getAttribute("phx-update") === "stream";
  const rawText = isElement && parent.namespaceURI === HTML_NS && RAW_TEXT_ELEMENTS.has(parent.localName);
  for (let node = parent.firstChild; node !== null; node = node.nextSibling) {
    switch (node.nodeType) {
      case Node.ELEMENT_NODE:
        serializeElement(node, skipAttrs, out);
        break;
      case Node.TEXT_NODE: {
        const data = node.data;
        if (inStream && data.trim() === "") break;
        out.push(rawText ? data : escapeText(data));
        break;
      }
      case Node.COMMENT_NODE:
        out.push(`<!--${node.data}-->`);
        break;
      case Node.PROCESSING_INSTRUCTION_NODE:
        out.push(`<?${node.target} ${node.data}>`);
        break;
      default:
        break;
    }
  }
}

function serializeElement(el, skipAttrs, out) {
  const ns = el.namespaceURI;
  const tag = ns === HTML_NS || ns === SVG_NS || ns === MATHML_NS ? el.localName : el.tagName;
  const attrs = [];
  const list = el.attributes;
  for (let i = 0; i < list.length; i++) {
    const attr = list[i];
    if (skipAttrs !== null && skipAttrs.has(attr.name)) continue;
    attrs.push([attr.name, attr.value]);
  }
  attrs.sort(byName);
  out.push(`<${tag}`);
  for (const [name, value] of attrs) out.push(` ${name}="${escapeAttr(value)}"`);
  out.push(">");
  if (ns === HTML_NS && VOID_ELEMENTS.has(tag)) return;
  serializeChildren(ns === HTML_NS && tag === "template" ? el.content : el, skipAttrs, out);
  out.push(`</${tag}>`);
}

/** Canonical inner HTML of `root`, leaving out the attribute names in `skipAttrs`. */
function canonicalHTML(root, skipAttrs = null) {
  const out = [];
  serializeChildren(root, skipAttrs, out);
  return out.join("");
}

const CLIENT_ATTRIBUTE_SET = new Set(CLIENT_ATTRIBUTES);

/** Inner HTML of the container as a user sees it: client-only attributes left out. */
function visibleHTML(container) {
  return canonicalHTML(container, CLIENT_ATTRIBUTE_SET);
}

// The expected side: `html` parsed as the inner HTML of a container element
// (the fragment parsing algorithm with a <div> context, what `innerHTML =`
// does in jsdom and in browsers) by parse5 into plain objects, and written by
// the same serializer rules as canonicalHTML. Same parser, same options as
// jsdom (scripting disabled), so the tree is the one `innerHTML =` would
// build, without the cost of building DOM nodes.
const PARSE_CONTEXT = parse5.parseFragment(`<${CONTAINER_TAG}></${CONTAINER_TAG}>`).childNodes[0];
const PARSE_OPTIONS = { scriptingEnabled: false };

function serializeParsedChildren(parent, out) {
  const isElement = typeof parent.tagName === "string";
  const inStream = isElement && parent.attrs.some((a) => a.name === "phx-update" && !a.prefix && a.value === "stream");
  const rawText = isElement && parent.namespaceURI === HTML_NS && RAW_TEXT_ELEMENTS.has(parent.tagName);
  for (const node of parent.childNodes) {
    switch (node.nodeName) {
      case "#text":
        if (inStream && node.value.trim() === "") break;
        out.push(rawText ? node.value : escapeText(node.value));
        break;
      case "#comment":
        out.push(`<!--${node.data}-->`);
        break;
      case "#documentType":
        break;
      default: {
        const attrs = node.attrs.map((a) => [a.prefix ? `${a.prefix}:${a.name}` : a.name, a.value]);
        attrs.sort(byName);
        out.push(`<${node.tagName}`);
        for (const [name, value] of attrs) out.push(` ${name}="${escapeAttr(value)}"`);
        out.push(">");
        if (node.namespaceURI === HTML_NS && VOID_ELEMENTS.has(node.tagName)) break;
        serializeParsedChildren(node.namespaceURI === HTML_NS && node.tagName === "template" ? node.content : node, out);
        out.push(`</${node.tagName}>`);
      }
    }
  }
}

/** `html` parsed inside a container element and serialized canonically. */
function normalizeHTML(html) {
  const out = [];
  serializeParsedChildren(parse5.parseFragment(PARSE_CONTEXT, html, PARSE_OPTIONS), out);
  return out.join("");
}

/** The same through jsdom's `innerHTML` (CONFORMANCE_CHECK_PARSER=1 compares the two). */
function normalizeHTMLWithDOM(html) {
  const el = document.createElement(CONTAINER_TAG);
  el.innerHTML = html;
  return canonicalHTML(el);
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

/** Unusable input (exit 2). */
class InputError extends Error {}

function readSteps(file) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new InputError(`cannot read ${file}: ${err.message}`);
  }
  const steps = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const bad = (what) => {
      throw new InputError(`${file}:${i + 1}: ${what}`);
    };
    let step;
    try {
      step = JSON.parse(line);
    } catch (err) {
      bad(`invalid JSON: ${err.message}`);
    }
    if (step === null || typeof step !== "object" || Array.isArray(step)) bad("not a JSON object");
    const first = steps.length === 0;
    if (typeof step.step !== "string") bad(`"step" must be a string`);
    if (typeof step.view_id !== "string" || step.view_id === "") bad(`"view_id" must be a non-empty string`);
    if ("prune" in step) {
      if (first) bad(`"prune" is not allowed on the first line (the join)`);
      if (!Array.isArray(step.prune) || !step.prune.every((c) => Number.isInteger(c) && c >= 0)) {
        bad(`"prune" must be an array of component ids (non-negative integers)`);
      }
    }
    const pruneOnly = "prune" in step && !("diff" in step);
    if (!pruneOnly && (step.diff === null || typeof step.diff !== "object" || Array.isArray(step.diff))) {
      bad(`"diff" must be an object${first ? "" : ` (it may be omitted only on a line with "prune")`}`);
    }
    if ((first || "html" in step) && typeof step.html !== "string") {
      bad(`"html" must be a string${first ? " on the first line" : ""}`);
    }
    if ("title" in step && typeof step.title !== "string") bad(`"title" must be a string`);
    if (!first && step.view_id !== steps[0].view_id) {
      bad(`view_id ${JSON.stringify(step.view_id)} differs from the first line's; one view per file`);
    }
    steps.push({ ...step, lineNo: i + 1 });
  });
  if (steps.length === 0) throw new InputError(`${file}: no steps`);
  return steps;
}

// ---------------------------------------------------------------------------
// Main

/** A failed step; `lines` are the report's detail lines. */
class StepFailure extends Error {
  constructor(lines) {
    super(lines[0]);
    this.lines = lines;
  }
}

// CONFORMANCE_VERBOSE=1 prints the HTML the client patched with at each step.
const verbose = Boolean(process.env.CONFORMANCE_VERBOSE);
// CONFORMANCE_CHECK_PARSER=1 (selftest): also normalizes each expected HTML
// through jsdom's innerHTML and fails if that differs from the fast path.
const checkParser = Boolean(process.env.CONFORMANCE_CHECK_PARSER);

/** Gives every session the same blank page: no leftovers of the previous file. */
function resetDocument() {
  document.head.innerHTML = "<title></title>";
  document.body.replaceChildren();
  for (const attr of Array.from(document.body.attributes)) document.body.removeAttribute(attr.name);
}

/**
 * Calls `fn` with the client's `console.error` output captured: anything the
 * client prints as an error fails the step (the browser would show it in the
 * console). Returns [result, thrown error or null, captured messages].
 */
function captureConsoleErrors(fn) {
  const consoleErrors = [];
  const originalConsoleError = console.error;
  console.error = (...args) => consoleErrors.push(args.map(String).join(" "));
  try {
    return [fn(), null, consoleErrors];
  } catch (err) {
    return [undefined, err, consoleErrors];
  } finally {
    console.error = originalConsoleError;
  }
}

function runStep(view, container, step, index) {
  let patchHTML = "";
  if ("diff" in step) {
    // The client mutates diffs in place; give it its own copy.
    const [html, err, consoleErrors] = captureConsoleErrors(() =>
      view.applyDiff(structuredClone(step.diff), index === 0),
    );
    if (err) {
      const stack = (err.stack || "").split("\n").slice(1, 4).map((l) => l.trim());
      throw new StepFailure([
        `client threw: ${err.message}`,
        ...stack,
        ...consoleErrors.map((e) => `console.error: ${e}`),
      ]);
    }
    patchHTML = html;
    if (verbose) {
      console.log(`step ${index + 1} "${step.step}": patch ${JSON.stringify(patchHTML)}`);
    }
    const errors = [...view.errors, ...consoleErrors.map((e) => `console.error: ${e}`)];
    if (errors.length > 0) {
      throw new StepFailure(["client reported errors:", ...errors.map((e) => `  ${e}`)]);
    }
  }

  if ("prune" in step) {
    const problems = view.prune(step.prune);
    if (problems.length > 0) throw new StepFailure(problems);
    if (verbose) console.log(`step ${index + 1} "${step.step}": pruned ${JSON.stringify(step.prune)}`);
  }

  if ("html" in step) {
    const expected = normalizeHTML(step.html);
    if (checkParser) {
      const viaDOM = normalizeHTMLWithDOM(step.html);
      if (viaDOM !== expected) {
        throw new StepFailure([
          "harness: parse5 and jsdom normalize the expected HTML differently",
          `parse5: ${JSON.stringify(clip(expected))}`,
          `jsdom:  ${JSON.stringify(clip(viaDOM))}`,
        ]);
      }
    }
    const actual = visibleHTML(container);
    if (actual !== expected) {
      const at = firstDifference(expected, actual);
      throw new StepFailure([
        `HTML differs at offset ${at} (expected ${expected.length} chars, actual ${actual.length})`,
        `expected near: ${around(expected, at)}`,
        `actual near:   ${around(actual, at)}`,
        `expected: ${JSON.stringify(clip(expected))}`,
        `actual:   ${JSON.stringify(clip(actual))}`,
        `patch the client rendered: ${JSON.stringify(clip(patchHTML))}`,
      ]);
    }
  }
  if ("title" in step && document.title !== step.title) {
    throw new StepFailure([
      `title differs: expected ${JSON.stringify(step.title)}, actual ${JSON.stringify(document.title)}`,
    ]);
  }
}

/**
 * Runs one file as a fresh session. Returns {status: "ok", steps},
 * {status: "failed"} (report printed) or {status: "unusable"} (printed).
 */
function runFile(file) {
  let steps;
  try {
    steps = readSteps(file);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    console.error(`conformance: ${err.message}`);
    return { status: "unusable" };
  }
  resetDocument();
  const container = document.createElement(CONTAINER_TAG);
  container.id = steps[0].view_id;
  container.setAttribute(client.PHX_SESSION, "");
  container.setAttribute("data-phx-main", "");
  document.body.appendChild(container);
  const view = new HarnessView(container);

  for (const [index, step] of steps.entries()) {
    try {
      runStep(view, container, step, index);
    } catch (err) {
      const lines = err instanceof StepFailure ? err.lines : [`harness error: ${err.stack || err}`];
      console.error(`conformance FAILED at step ${index + 1}/${steps.length} "${step.step}" (${file} line ${step.lineNo})`);
      for (const line of lines) console.error(`  ${line}`);
      resetDocument();
      return { status: "failed" };
    }
  }
  resetDocument();
  return { status: "ok", steps: steps.length };
}

function main(files) {
  if (files.length === 0) {
    console.error("usage: node tests/js/conformance.mjs <file.ndjson> [<file.ndjson> ...]");
    process.exit(2);
  }
  const started = performance.now();
  let totalSteps = 0;
  const failed = [];
  const unusable = [];
  for (const file of files) {
    const result = runFile(file);
    if (result.status === "ok") totalSteps += result.steps;
    else if (result.status === "failed") failed.push(file);
    else unusable.push(file);
  }
  const elapsed = `${Math.round(performance.now() - started)} ms`;
  if (failed.length === 0 && unusable.length === 0) {
    if (files.length === 1) console.log(`conformance ok: ${totalSteps} steps`);
    else console.log(`conformance ok: ${totalSteps} steps in ${files.length} files`);
    return 0;
  }
  if (files.length > 1) {
    const parts = [];
    if (failed.length > 0) parts.push(`${failed.length} of ${files.length} files failed`);
    if (unusable.length > 0) parts.push(`${unusable.length} of ${files.length} files unusable`);
    console.error(`conformance FAILED: ${parts.join(", ")} (${totalSteps} steps ok in the other files, ${elapsed})`);
  }
  return unusable.length > 0 ? 2 : 1;
}

process.exitCode = main(process.argv.slice(2));
