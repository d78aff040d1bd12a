// A node module hook that resolves `liveplug` and `liveplug/testing` to this SDK, as build.mjs
// does when it bundles, so node can import the repository's example views in tests:
//
//   import { register } from "node:module";
//   register("../resolve-liveplug.mjs", import.meta.url);
//   const { default: view } = await import("../../../examples/counter-js/view.js");

const SDK = {
  liveplug: new URL("./src/index.js", import.meta.url).href,
  "liveplug/testing": new URL("./src/testing.js", import.meta.url).href,
};

export async function resolve(specifier, context, next) {
  if (Object.hasOwn(SDK, specifier)) return { url: SDK[specifier], shortCircuit: true };
  return next(specifier, context);
}
