// The arena: turns what a view's `render` returned (html`...` values and what they hold) into
// the flat `parts` record of the WIT, sending each template's statics the first time this
// instance uses it.

import { Attrs, Each, Html, Raw, SlotKind, attributeEntries, attributeList, templateOf } from "./html.js";
import { PlacedComponent } from "./component.js";
import { PlacedStream } from "./stream.js";

/** The template around a value that is not an html`...` (a root string, a list item). */
export const WRAPPER = templateOf(["", ""]);

/** Renders for one instance: remembers which templates' statics it sent. */
export class Renderer {
  constructor() {
    this.sent = new Set();
    /** Component id -> the collection that placed it in the last render (for event routing). */
    this.placed = new Map();
  }

  /** Forgets what was sent: the next render sends every template it uses (after a mount or restore). */
  reset() {
    this.sent.clear();
    this.placed = new Map();
  }

  /** The `parts` of a render whose root is `value`. */
  render(value) {
    const build = new Build(this.sent);
    const root = build.root(value);
    this.placed = build.placed;
    return {
      newTemplates: build.newTemplates,
      nodes: build.nodes,
      root,
      components: build.components,
    };
  }
}

class Build {
  constructor(sent) {
    this.sent = sent;
    this.nodes = [];
    this.newTemplates = [];
    this.components = [];
    this.placed = new Map();
  }

  push(node) {
    this.nodes.push(node);
    return this.nodes.length - 1;
  }

  use(template) {
    if (!this.sent.has(template.id)) {
      this.sent.add(template.id);
      this.newTemplates.push({ id: template.id, statics: template.statics.slice() });
    }
    return template.id;
  }

  root(value) {
    if (value instanceof Html) return this.tree(value);
    return this.push({ tag: "tree", val: { template: this.use(WRAPPER), slots: [this.content(value)] } });
  }

  tree(h) {
    const slots = this.slots(h);
    return this.push({ tag: "tree", val: { template: this.use(h.template), slots } });
  }

  slots(h) {
    const { slots } = h.template;
    const out = new Array(slots.length);
    const nodes = this.nodes;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      const value = h.values[i];
      if (slot.kind === SlotKind.CONTENT) {
        // The common case inline: text.
        const type = typeof value;
        if (type === "string") out[i] = nodes.push({ tag: "text", val: value }) - 1;
        else if (type === "number") out[i] = nodes.push({ tag: "text", val: String(value) }) - 1;
        else out[i] = this.content(value);
      } else if (slot.kind === SlotKind.ATTRIBUTES) {
        out[i] = this.push({ tag: "attributes", val: attributeList(value) });
      } else {
        out[i] = this.push({ tag: "attributes", val: attributeEntries(slot.name, value) });
      }
    }
    return out;
  }

  content(value) {
    if (value === null || value === undefined || value === false) return this.text("");
    switch (typeof value) {
      case "string":
        return this.text(value);
      case "number":
      case "bigint":
      case "boolean":
        return this.text(String(value));
      case "function":
      case "symbol":
        throw new TypeError(`cannot render a ${typeof value}${typeof value === "function" ? " (call it?)" : ""}`);
    }
    if (value instanceof Html) return this.tree(value);
    if (value instanceof Raw) return this.push({ tag: "raw", val: value.markup });
    if (value instanceof Each) return this.each(value);
    if (Array.isArray(value)) return this.list(value.map((v) => [null, v]));
    if (value instanceof PlacedComponent) return this.component(value);
    if (value instanceof PlacedStream) return this.stream(value);
    if (value instanceof Attrs) return this.push({ tag: "attributes", val: value.list });
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      throw new TypeError(
        "cannot render a plain object in content (an object of attributes goes inside a tag: <input ${{...}}>)",
      );
    }
    return this.text(String(value));
  }

  text(s) {
    return this.push({ tag: "text", val: s });
  }

  each(e) {
    const entries = [];
    const keys = new Set();
    let index = 0;
    for (const item of e.items) {
      let key = null;
      if (e.key !== null) {
        const k = typeof e.key === "function" ? e.key(item, index) : item?.[e.key];
        if (k === null || k === undefined) {
          throw new TypeError(`each: item ${index} has no key (${typeof e.key === "function" ? "the key function returned" : `its ${e.key} is`} ${String(k)})`);
        }
        key = String(k);
        if (keys.has(key)) throw new TypeError(`each: two items have the key ${JSON.stringify(key)}`);
        keys.add(key);
      }
      entries.push([key, e.render(item, index)]);
      index++;
    }
    return this.list(entries);
  }

  /** A comprehension of `[key, value]` entries: the items' own template when they share one. */
  list(entries) {
    const first = entries.length > 0 ? entries[0][1] : undefined;
    const shared =
      first instanceof Html && entries.every(([, v]) => v instanceof Html && v.template === first.template)
        ? first.template
        : null;
    const items = new Array(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const [key, value] = entries[i];
      items[i] = { key, slots: shared !== null ? this.slots(value) : [this.content(value)] };
    }
    const template = this.use(shared ?? WRAPPER);
    return this.push({ tag: "keyed", val: { template, items } });
  }

  component(placed) {
    const { collection, id } = placed;
    if (!collection.has(id)) return this.text("");
    const owner = this.placed.get(id);
    if (owner !== undefined && owner !== collection) {
      throw new TypeError(`component id ${id} is placed by two collections: ids are unique across the view`);
    }
    if (owner === undefined) {
      this.placed.set(id, collection);
      const h = collection.type.render(collection.get(id), id);
      if (!(h instanceof Html)) {
        throw new TypeError(`component ${collection.type.name} ${id}: render returns one html\`...\` with a single root element`);
      }
      this.components.push({ id, root: this.tree(h) });
    }
    return this.push({ tag: "component", val: id });
  }

  stream(placed) {
    const { stream, render } = placed;
    const pending = stream.drain();
    let template = null;
    const inserts = pending.inserts.map((insert) => {
      const h = render(insert.item);
      if (!(h instanceof Html)) throw new TypeError(`stream ${stream.name}: an item renders as one html\`...\``);
      if (template !== null && h.template !== template) {
        throw new TypeError(`stream ${stream.name}: every item renders the same template`);
      }
      template = h.template;
      return {
        domId: insert.domId,
        at:
          insert.at === "end"
            ? { tag: "append" }
            : insert.at === "start"
              ? { tag: "prepend" }
              : { tag: "index", val: insert.at },
        limit:
          insert.limit === null
            ? null
            : insert.limit > 0
              ? { tag: "first", val: insert.limit }
              : { tag: "last", val: -insert.limit },
        updateOnly: insert.updateOnly,
        slots: this.slots(h),
      };
    });
    return this.push({
      tag: "stream",
      val: {
        name: stream.name,
        template: this.use(template ?? WRAPPER),
        inserts,
        deletes: pending.deletes,
        reset: pending.reset,
      },
    });
  }
}
