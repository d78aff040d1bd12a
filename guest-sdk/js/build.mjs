#!/usr/bin/env node
// Builds a JavaScript view into a Liveplug component.
//
//   node guest-sdk/js/build.mjs <view-dir | view.js> <out.wasm> [--world live-view|minimal-view] [--minify] [--opt-size]
//
// 1. esbuild bundles the view module (its default export is `defineView({...})`) with the SDK
//    (`import ... from "liveplug"`) and any npm packages it imports into one ES module, next to
//    an entry that turns the view into the WIT exports and binds the host's imports;
// 2. componentize-qjs embeds that module in the QuickJS runtime (non-async component ABI) and
//    snapshots the initialized engine, against the WIT at <repo>/wit, world `live-view` (plus
//    `wasi:random/random`, granted by the host, to seed Math.random per instance: see witFor).
//    `--opt-size` embeds the runtime built for size (about 0.5 MB smaller, slower).
//
// A view directory holds `view.js` (or `view.ts`, or the file its package.json `main` names).
// The bundle is kept in <repo>/target/liveplug-js/<name>.bundle.js for reading stack traces.

import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

const SDK = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(SDK, "..", "..");
const WIT = join(REPO, "wit");
const EXPORTS = {
  "live-view": ["view", "describe", "params", "info", "components", "snapshot"],
  "minimal-view": ["view"],
};

function usage(message) {
  if (message) console.error(`build.mjs: ${message}`);
  console.error(
    "usage: node guest-sdk/js/build.mjs <view-dir | view.js> <out.wasm> [--world live-view|minimal-view] [--minify] [--opt-size]",
  );
  process.exit(2);
}

/** The view module of a directory or file argument. */
export function viewEntry(path) {
  const target = resolve(path);
  if (!existsSync(target)) usage(`${path} does not exist`);
  if (statSync(target).isFile()) return target;
  const manifest = join(target, "package.json");
  if (existsSync(manifest)) {
    const main = JSON.parse(readFileSync(manifest, "utf8")).main;
    if (main) return resolve(target, main);
  }
  for (const name of ["view.js", "view.mjs", "view.ts", "index.js"]) {
    if (existsSync(join(target, name))) return join(target, name);
  }
  usage(`${path} has no view.js (or view.ts, index.js, package.json main)`);
}

/**
 * The WIT the component is built against, in `dir`: the contract (<repo>/wit) as a dependency,
 * and a world that is the contract's world plus `wasi:random/random`, which the host grants.
 * QuickJS's own Math.random is seeded when componentize-qjs snapshots the engine at build time,
 * so every instance would draw the same numbers; wit-host.js reseeds it from this import.
 */
export function witFor(world, dir) {
  const contract = join(dir, "deps", "liveplug-view");
  const random = join(dir, "deps", "wasi-random");
  mkdirSync(contract, { recursive: true });
  mkdirSync(random, { recursive: true });
  for (const file of readdirSync(WIT).filter((f) => f.endsWith(".wit"))) {
    copyFileSync(join(WIT, file), join(contract, file));
  }
  // The two functions the SDK calls, of WASI 0.2's wasi:random/random (the version QuickJS's
  // runtime imports its other WASI interfaces at).
  writeFileSync(
    join(random, "random.wit"),
    [
      "package wasi:random@0.2.12;",
      "",
      "interface random {",
      "    get-random-bytes: func(len: u64) -> list<u8>;",
      "    get-random-u64: func() -> u64;",
      "}",
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "world.wit"),
    [
      "package liveplug:js-guest;",
      "",
      `world js-${world} {`,
      `    include liveplug:view/${world}@0.4.0;`,
      "    import wasi:random/random@0.2.12;",
      "}",
      "",
    ].join("\n"),
  );
  return { witPath: dir, world: `js-${world}` };
}

/** The ES module that componentize-qjs embeds: the view, the SDK and the export glue. */
export async function bundle(entry, { world = "live-view", minify = false } = {}) {
  const esbuild = await import("esbuild");
  const names = EXPORTS[world];
  if (!names) usage(`unknown world ${world}`);
  const glue = [
    `import ${JSON.stringify(join(SDK, "src", "wit-host.js"))};`,
    `import definition from ${JSON.stringify(entry)};`,
    `import { exportsFor } from ${JSON.stringify(join(SDK, "src", "view.js"))};`,
    `const exported = exportsFor(definition);`,
    ...names.map((name) => `export const ${name} = exported.${name};`),
  ].join("\n");
  const liveplug = {
    name: "liveplug",
    setup(build) {
      // `liveplug` and `liveplug/testing` are this SDK; `liveplug:view/*` and `wasi:*` are WIT imports.
      build.onResolve({ filter: /^liveplug(\/testing)?$/ }, (args) => ({
        path: join(SDK, "src", args.path === "liveplug" ? "index.js" : "testing.js"),
      }));
      build.onResolve({ filter: /^(liveplug|wasi):/ }, (args) => ({ path: args.path, external: true }));
    },
  };
  const result = await esbuild.build({
    stdin: { contents: glue, resolveDir: dirname(entry), sourcefile: "liveplug-entry.js", loader: "js" },
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2023",
    minify,
    legalComments: "none",
    write: false,
    plugins: [liveplug],
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

async function main() {
  const args = process.argv.slice(2);
  let world = "live-view";
  let minify = false;
  let optSize = false;
  const positional = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--world") world = args[++i];
    else if (args[i] === "--minify") minify = true;
    else if (args[i] === "--opt-size") optSize = true;
    else if (args[i].startsWith("--")) usage(`unknown option ${args[i]}`);
    else positional.push(args[i]);
  }
  if (positional.length !== 2) usage();
  const [source, out] = positional;
  const entry = viewEntry(source);
  const name = basename(statSync(resolve(source)).isFile() ? dirname(entry) : resolve(source));
  const started = performance.now();

  let js;
  try {
    js = await bundle(entry, { world, minify });
  } catch (error) {
    const messages = error.errors?.map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ""}${e.text}`);
    console.error(`build.mjs: bundling ${entry} failed:\n  ${messages ? messages.join("\n  ") : error.message}`);
    process.exit(1);
  }
  const work = join(REPO, "target", "liveplug-js");
  mkdirSync(work, { recursive: true });
  const bundlePath = join(work, `${name}.bundle.js`);
  writeFileSync(bundlePath, js);

  const witDir = join(work, `${name}.wit`);
  rmSync(witDir, { recursive: true, force: true });
  const wit = witFor(world, witDir);
  const { componentize } = await import("componentize-qjs");
  let component;
  try {
    ({ component } = await componentize({ ...wit, jsSource: js, jsPath: bundlePath, sync: true, optSize }));
  } catch (error) {
    console.error(`build.mjs: componentize-qjs failed for ${bundlePath}:\n  ${error.message ?? error}`);
    process.exit(1);
  }
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, component);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${out}: ${(component.length / 1024 / 1024).toFixed(2)} MiB, world ${world}, ${seconds} s (bundle ${bundlePath}, ${js.length} bytes)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
