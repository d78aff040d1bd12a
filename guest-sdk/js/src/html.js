// Templates: the `html` tag, its values (`raw`, `attrs`, `each`), and the split of a template's
// markup into statics and slots, done once per template definition.
//
// A tagged template's `strings` array is created once per call site by the JavaScript engine
// and handed to the tag on every evaluation, so it identifies the template: `compile` runs on
// the first evaluation of each call site and its result (id, statics, what each slot is) is
// cached under that array. Templates with the same markup share one id.

/** Where a slot sits in its template's markup, which decides what its value may be. */
export const SlotKind = Object.freeze({
  /** Element content, a quoted attribute value, a comment: text, nested templates, lists... */
  CONTENT: "content",
  /** Inside a tag between attributes (`<input ${...}>`): an object of attributes. */
  ATTRIBUTES: "attributes",
  /** An unquoted attribute value (`checked=${done}`): one attribute, present or absent. */
  ATTRIBUTE: "attribute",
});

/** A compiled template: its id, its statics (n + 1 strings for n slots) and its slots. */
export class Template {
  constructor(id, statics, slots) {
    this.id = id;
    this.statics = statics;
    /** One `{ kind, name? }` per slot; `name` for `SlotKind.ATTRIBUTE`. */
    this.slots = slots;
    Object.freeze(this);
  }
}

/** A template instance: what `html` returns. */
export class Html {
  constructor(template, values) {
    this.template = template;
    this.values = values;
  }
}

/** Trusted markup, sent as is (`raw(markup)`). */
export class Raw {
  constructor(markup) {
    this.markup = String(markup);
  }
}

/** Dynamic attributes (`attrs({...})`). `list` holds `{ name, value }`, `value` null for a bare attribute. */
export class Attrs {
  constructor(list) {
    this.list = list;
  }
}

/** A comprehension (`each(items, key, render)`). */
export class Each {
  constructor(items, key, render) {
    this.items = items;
    this.key = key;
    this.render = render;
  }
}

let nextId = 1;
const byStrings = new WeakMap();
const byMarkup = new Map();

/** How many distinct templates this instance compiled (for tests and diagnostics). */
export function templateCount() {
  return byMarkup.size;
}

/**
 * The tag: html`<p class="${cls}">${text}</p>`. Returns an `Html` value; the markup is split
 * on the first evaluation of each template definition only.
 */
export function html(strings, ...values) {
  if (!Array.isArray(strings)) {
    throw new TypeError("html is a template tag: write html`<p>${value}</p>`");
  }
  let template = byStrings.get(strings);
  if (template === undefined) {
    template = templateOf(strings);
    if (Object.isFrozen(strings)) byStrings.set(strings, template);
  }
  if (values.length !== template.slots.length) {
    throw new TypeError(`html: ${values.length} values for a template with ${template.slots.length} slots`);
  }
  return new Html(template, values);
}

/** The template for these strings, shared by every definition with the same markup. */
export function templateOf(strings) {
  const key = strings.join("\u0000") + "\u0000" + strings.length;
  let template = byMarkup.get(key);
  if (template === undefined) {
    const { statics, slots } = compile(Array.from(strings));
    template = new Template(nextId++, Object.freeze(statics), Object.freeze(slots));
    byMarkup.set(key, template);
  }
  return template;
}

/** Markup the view built or sanitized itself, sent without escaping. */
export function raw(markup) {
  return new Raw(markup);
}

/**
 * Dynamic attributes from an object: `true` writes a bare attribute, `false`, `null` and
 * `undefined` leave it out, anything else is written as its string (escaped by the host).
 */
export function attrs(object) {
  if (object instanceof Attrs) return object;
  return new Attrs(attributeList(object));
}

/**
 * A comprehension: `each(items, key, item => html`...`)`, where `key` is a property name
 * (`"id"`) or a function `(item, index) => key` identifying an item across renders, or
 * `each(items, item => html`...`)` for items identified by their position.
 */
export function each(items, key, render) {
  if (render === undefined && typeof key === "function") {
    return new Each(items, null, key);
  }
  if (typeof render !== "function") {
    throw new TypeError("each(items, key, render): render must be a function returning html`...`");
  }
  if (key !== null && typeof key !== "function" && typeof key !== "string" && typeof key !== "number") {
    throw new TypeError("each(items, key, render): key must be a property name or a function");
  }
  return new Each(items, key, render);
}

const NAME_FORBIDDEN = /[\s"'<>/=\u0000-\u001f\u007f]/;

/** Whether `name` is an attribute name the host accepts. */
export function validAttributeName(name) {
  return typeof name === "string" && name.length > 0 && !NAME_FORBIDDEN.test(name);
}

const checkedNames = new Set();

function checkedName(name) {
  if (checkedNames.has(name)) return name;
  if (!validAttributeName(name)) {
    throw new TypeError(`invalid attribute name ${JSON.stringify(name)}`);
  }
  if (checkedNames.size < 10000) checkedNames.add(name);
  return name;
}

/** One attribute's entries: none when absent, bare when `true`. */
export function attributeEntries(name, value) {
  if (value === false || value === null || value === undefined) return [];
  if (value === true) return [{ name: checkedName(name), value: null }];
  if (typeof value === "object" || typeof value === "function" || typeof value === "symbol") {
    throw new TypeError(`attribute ${name}: a value must be a string, a number or a boolean, not ${describe(value)}`);
  }
  return [{ name: checkedName(name), value: String(value) }];
}

/** The attribute list for a value in attribute position. */
export function attributeList(value) {
  if (value === false || value === null || value === undefined) return [];
  if (value instanceof Attrs) return value.list;
  if (Array.isArray(value)) {
    // [[name, value], ...] or a list of attrs(...) / objects.
    return value.flatMap((entry) =>
      Array.isArray(entry) ? attributeEntries(entry[0], entry[1]) : attributeList(entry),
    );
  }
  if (typeof value === "object" && !(value instanceof Html) && !(value instanceof Raw)) {
    return Object.entries(value).flatMap(([name, v]) => attributeEntries(name, v));
  }
  throw new TypeError(
    `an interpolation inside a tag takes an object of attributes (or attrs({...})), not ${describe(value)}`,
  );
}

function describe(value) {
  if (value instanceof Html) return "an html`...` template";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "..." : value)}`;
  return typeof value;
}

// ---------------------------------------------------------------------------------------------
// The split: a small HTML tokenizer that finds where each slot sits.

const S = {
  DATA: 0,
  TAG_OPEN: 1, // after "<"
  TAG_NAME: 2,
  END_TAG: 3, // inside "</...>"
  BEFORE_ATTR: 4, // in a tag, between attributes
  ATTR_NAME: 5,
  AFTER_ATTR_NAME: 6,
  BEFORE_VALUE: 7, // after "="
  VALUE_DQ: 8,
  VALUE_SQ: 9,
  VALUE_UNQ: 10,
  COMMENT: 11, // "<!-- ... -->"
  DECLARATION: 12, // "<!doctype ...>", "<?...>"
  RAWTEXT: 13, // content of script, style, textarea, title
};

const RAWTEXT_ELEMENTS = new Set(["script", "style", "textarea", "title"]);

/** Raised for a template whose markup has an interpolation where no value can go. */
export class TemplateError extends Error {
  constructor(message, strings, slot) {
    const shown = strings
      .map((s, i) => (i < strings.length - 1 ? s + (i === slot ? "${<here>}" : "${...}") : s))
      .join("");
    super(`html: ${message}\n  in: ${shown.length > 300 ? shown.slice(0, 300) + "..." : shown}`);
    this.name = "TemplateError";
  }
}

/**
 * Splits a template's strings into statics and slot descriptions. Statics are the strings
 * themselves, except that the template's leading and trailing whitespace is dropped, that the
 * whitespace before an attributes slot is dropped (the node writes ` name="value"`), and that
 * around an unquoted attribute value (`checked=${on}`) the ` name=` moves into the slot: the
 * slot becomes an attributes node that writes ` checked` or nothing.
 */
export function compile(strings) {
  const statics = strings.slice();
  const slots = [];
  let state = S.DATA;
  let tagName = "";
  let rawEnd = null; // the closing tag that ends RAWTEXT, such as "</script"
  for (let i = 0; i < statics.length; i++) {
    const s = statics[i];
    if (i > 0 && slots[i - 1].kind === SlotKind.ATTRIBUTE) {
      // The unquoted value ended at the slot: a space, ">" or "/>" must follow.
      if (s.length > 0 && !/^[\s>]|^\/>/.test(s)) {
        throw new TemplateError(
          "an unquoted attribute value must be the interpolation alone: quote it (name=\"x-${value}\")",
          strings,
          i - 1,
        );
      }
      state = S.BEFORE_ATTR;
    }
    for (let j = 0; j < s.length; j++) {
      const c = s[j];
      switch (state) {
        case S.DATA:
          if (c === "<") state = S.TAG_OPEN;
          break;
        case S.TAG_OPEN:
          if (/[A-Za-z]/.test(c)) {
            state = S.TAG_NAME;
            tagName = c.toLowerCase();
          } else if (c === "/") {
            state = S.END_TAG;
          } else if (c === "!") {
            if (s.startsWith("!--", j)) {
              state = S.COMMENT;
              j += 2;
            } else {
              state = S.DECLARATION;
            }
          } else if (c === "?") {
            state = S.DECLARATION;
          } else {
            state = S.DATA; // a lone "<" is text
            j--;
          }
          break;
        case S.TAG_NAME:
          if (/\s/.test(c)) state = S.BEFORE_ATTR;
          else if (c === ">") state = afterTag();
          else if (c === "/") state = S.BEFORE_ATTR;
          else tagName += c.toLowerCase();
          break;
        case S.END_TAG:
          if (c === ">") state = S.DATA;
          break;
        case S.BEFORE_ATTR:
          if (c === ">") state = afterTag();
          else if (/\s/.test(c) || c === "/") state = S.BEFORE_ATTR;
          else state = S.ATTR_NAME;
          break;
        case S.ATTR_NAME:
          if (c === "=") state = S.BEFORE_VALUE;
          else if (c === ">") state = afterTag();
          else if (/\s/.test(c)) state = S.AFTER_ATTR_NAME;
          else if (c === "/") state = S.BEFORE_ATTR;
          break;
        case S.AFTER_ATTR_NAME:
          if (c === "=") state = S.BEFORE_VALUE;
          else if (c === ">") state = afterTag();
          else if (c === "/") state = S.BEFORE_ATTR;
          else if (!/\s/.test(c)) state = S.ATTR_NAME;
          break;
        case S.BEFORE_VALUE:
          if (c === '"') state = S.VALUE_DQ;
          else if (c === "'") state = S.VALUE_SQ;
          else if (c === ">") state = afterTag();
          else if (!/\s/.test(c)) state = S.VALUE_UNQ;
          break;
        case S.VALUE_DQ:
          if (c === '"') state = S.BEFORE_ATTR;
          break;
        case S.VALUE_SQ:
          if (c === "'") state = S.BEFORE_ATTR;
          break;
        case S.VALUE_UNQ:
          if (/\s/.test(c)) state = S.BEFORE_ATTR;
          else if (c === ">") state = afterTag();
          break;
        case S.COMMENT:
          if (s.startsWith("-->", j)) {
            state = S.DATA;
            j += 2;
          }
          break;
        case S.DECLARATION:
          if (c === ">") state = S.DATA;
          break;
        case S.RAWTEXT:
          if (c === "<" && s.slice(j, j + rawEnd.length).toLowerCase() === rawEnd) {
            state = S.END_TAG;
            j += rawEnd.length - 1;
            rawEnd = null;
          }
          break;
      }
    }
    if (i === statics.length - 1) break;
    // The slot after statics[i].
    switch (state) {
      case S.DATA:
      case S.COMMENT:
      case S.RAWTEXT:
      case S.VALUE_DQ:
      case S.VALUE_SQ:
        slots.push({ kind: SlotKind.CONTENT });
        break;
      case S.BEFORE_ATTR:
      case S.AFTER_ATTR_NAME:
        // The attributes node writes each attribute with its leading space.
        statics[i] = s.trimEnd();
        slots.push({ kind: SlotKind.ATTRIBUTES });
        break;
      case S.BEFORE_VALUE: {
        const m = /\s*([^\s"'<>/=]+)\s*=\s*$/.exec(s);
        if (m === null) {
          throw new TemplateError("an attribute value needs its name before the =", strings, i);
        }
        statics[i] = s.slice(0, m.index);
        slots.push({ kind: SlotKind.ATTRIBUTE, name: m[1] });
        break;
      }
      case S.TAG_OPEN:
      case S.TAG_NAME:
      case S.END_TAG:
        throw new TemplateError("a tag name cannot be interpolated", strings, i);
      case S.ATTR_NAME:
        throw new TemplateError(
          "an attribute name cannot be interpolated: put a space before the interpolation (<input ${attrs}>)",
          strings,
          i,
        );
      case S.VALUE_UNQ:
        throw new TemplateError("an unquoted attribute value must be the interpolation alone: quote it", strings, i);
      case S.DECLARATION:
        throw new TemplateError("a declaration cannot be interpolated", strings, i);
    }
  }
  // As HEEx does, a template's leading and trailing whitespace is not markup.
  statics[0] = statics[0].trimStart();
  statics[statics.length - 1] = statics[statics.length - 1].trimEnd();
  return { statics, slots };

  function afterTag() {
    if (RAWTEXT_ELEMENTS.has(tagName)) {
      rawEnd = "</" + tagName;
      return S.RAWTEXT;
    }
    return S.DATA;
  }
}
