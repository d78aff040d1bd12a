// liveplug: write Liveplug views in JavaScript. See ../README.md.

export { html, raw, attrs, each, TemplateError } from "./html.js";
export { defineView, ViewError, Event } from "./view.js";
export { defineComponent, Components } from "./component.js";
export { Stream } from "./stream.js";
export { log, page, navigation, flash, keyvalue, pubsub, timers, presence } from "./host.js";
