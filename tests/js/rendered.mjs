// Exposes the official LiveView client's internals (the `Rendered` diff
// engine, `DOMPatch`, the `DOM` helpers, ...) to the test harness.
//
// The npm package `phoenix_live_view` bundles them into
// `priv/static/phoenix_live_view.esm.js` but exports only the public API
// (`LiveSocket`, `ViewHook`, ...). We never copy or patch the package:
// at run time we read the pinned bundle, rewrite its trailing `export {...}`
// statement so that it also exports the internals listed in `INTERNALS`,
// write the result to a temporary module under os.tmpdir() and import that.
// Everything else in the bundle is byte for byte what the browser runs.
//
// Usage:
//   import { Rendered } from "./rendered.mjs";            // plain Node
//   import { loadClient } from "./rendered.mjs";
//   const { Rendered, DOMPatch, DOM } = await loadClient(); // everything
//
// The bundle has no imports and touches no DOM at module load; `Rendered`
// only needs a `window` global (for its error diagnostics), which is set to
// `globalThis` below unless the caller installed a DOM (jsdom) first.
// Everything the client touches is looked up at call time, so a caller may
// install jsdom globals before or after importing this module.

import { createHash } from "node:crypto";
import { readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Absolute path of the pinned ESM bundle of the LiveView client. */
export const BUNDLE_PATH = fileURLToPath(import.meta.resolve("phoenix_live_view"));

// Bundle-internal bindings re-exported in addition to the public API.
// Left: name inside the bundle; right: exported name.
const INTERNALS = {
  Rendered: "Rendered", // rendered.js: merges diffs, renders HTML
  modifyRoot: "modifyRoot", // rendered/modify_root.ts: root-tag rewriting
  DOMPatch: "DOMPatch", // dom_patch.ts: morphdom-based patching
  dom_default: "DOM", // dom.ts: DOM helpers
  View: "View", // view.ts (not used yet; handy for future harnesses)
  isEmpty: "isEmpty", // utils.ts: what View.update uses to skip empty diffs
  // constants.ts: attributes the client itself writes into the DOM
  PHX_MAGIC_ID: "PHX_MAGIC_ID", // data-phx-id
  PHX_SKIP: "PHX_SKIP", // data-phx-skip
  PHX_COMPONENT: "PHX_COMPONENT", // data-phx-component
  PHX_VIEW_REF: "PHX_VIEW_REF", // data-phx-view
  PHX_STREAM_REF: "PHX_STREAM_REF", // data-phx-stream
  PHX_ROOT_ID: "PHX_ROOT_ID", // data-phx-root-id
  PHX_SESSION: "PHX_SESSION", // data-phx-session
};

// The bundle ends with `export {\n  A,\n  B\n};` followed by a source map
// comment. Match that last statement only.
const EXPORT_RE = /\nexport\s*\{([^}]*)\};?\s*(?:\/\/# sourceMappingURL=\S*\s*)?$/;

/** Returns the text of a module exporting the bundle's public API plus INTERNALS. */
export function rewriteBundle(source) {
  const match = EXPORT_RE.exec(source);
  if (!match) {
    throw new Error(`${BUNDLE_PATH}: trailing "export {...}" statement not found`);
  }
  const publicNames = match[1]
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const extra = [];
  for (const [inner, exported] of Object.entries(INTERNALS)) {
    // Fail loudly if the pinned bundle ever stops defining a binding we rely on.
    const defined = new RegExp(`^(?:var|let|const|function|class)\\s+${inner}\\b`, "m");
    if (!defined.test(source)) {
      throw new Error(`${BUNDLE_PATH}: internal binding "${inner}" not found`);
    }
    extra.push(inner === exported ? inner : `${inner} as ${exported}`);
  }
  const exportLine = `\nexport {\n  ${[...publicNames, ...extra].join(",\n  ")}\n};\n`;
  return source.slice(0, match.index) + exportLine;
}

let clientPromise = null;

/**
 * Imports the rewritten bundle (once per process) and returns its module
 * namespace: the public API plus the internals listed in INTERNALS.
 */
export function loadClient() {
  if (!clientPromise) {
    clientPromise = (async () => {
      if (typeof globalThis.window === "undefined") {
        globalThis.window = globalThis;
      }
      const text = rewriteBundle(readFileSync(BUNDLE_PATH, "utf8"));
      // Content-addressed name: concurrent runs share the file safely, and a
      // different bundle version never picks up a stale copy.
      const hash = createHash("sha256").update(text).digest("hex").slice(0, 16);
      const file = join(tmpdir(), `liveplug-phoenix_live_view-${hash}.mjs`);
      if (!existsSync(file)) {
        const partial = `${file}.${process.pid}.tmp`;
        writeFileSync(partial, text);
        renameSync(partial, file); // atomic: never import a half-written file
      }
      return import(pathToFileURL(file).href);
    })();
  }
  return clientPromise;
}

/** The client module namespace (public API + internals). */
export const client = await loadClient();

/** The client's own diff engine (`rendered.js`). */
export const Rendered = client.Rendered;
