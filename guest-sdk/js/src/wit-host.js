// Binds the capability wrappers of host.js to the component's WIT imports. Only the bundle that
// build.mjs makes imports this module: the `liveplug:view/*` specifiers exist in a component
// built by componentize-qjs, not in node.

import log from "liveplug:view/log@0.4.0";
import page from "liveplug:view/page@0.4.0";
import navigation from "liveplug:view/navigation@0.4.0";
import flash from "liveplug:view/flash@0.4.0";
import keyvalue from "liveplug:view/keyvalue@0.4.0";
import pubsub from "liveplug:view/pubsub@0.4.0";
import timers from "liveplug:view/timers@0.4.0";
import presence from "liveplug:view/presence@0.4.0";
import random from "wasi:random/random@0.2.12";
import { setHost } from "./host.js";
import { installRandom } from "./random.js";

setHost({ log, page, navigation, flash, keyvalue, pubsub, timers, presence });

// The engine was snapshotted at build time with its Math.random state: reseed per instance.
installRandom(globalThis, (n) => random.getRandomBytes(n));

// stdout and stderr are discarded by the host: console output goes to the host's log instead.
const line = (args) => args.map((a) => (typeof a === "string" ? a : safeJson(a))).join(" ");
function safeJson(value) {
  try {
    return value instanceof Error ? String(value.stack || value) : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}
globalThis.console = {
  log: (...args) => log.log("info", line(args)),
  info: (...args) => log.log("info", line(args)),
  debug: (...args) => log.log("debug", line(args)),
  trace: (...args) => log.log("trace", line(args)),
  warn: (...args) => log.log("warn", line(args)),
  error: (...args) => log.log("error", line(args)),
};
