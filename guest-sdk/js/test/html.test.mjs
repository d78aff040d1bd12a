// Template splitting: statics, slot kinds, the per-definition cache, errors.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Html, SlotKind, compile, html, templateOf, TemplateError } from "../src/html.js";

const kinds = (h) => h.template.slots.map((s) => (s.name ? `${s.kind}:${s.name}` : s.kind));

test("statics are the strings around the interpolations", () => {
  const h = html`<p class="${"a"}">${"b"}</p>`;
  assert.ok(h instanceof Html);
  assert.deepEqual(h.template.statics, ['<p class="', '">', "</p>"]);
  assert.deepEqual(kinds(h), [SlotKind.CONTENT, SlotKind.CONTENT]);
  assert.deepEqual(h.values, ["a", "b"]);
});

test("the split happens once per template definition", () => {
  const render = (x) => html`<b>${x}</b>`;
  const a = render(1);
  const b = render(2);
  assert.equal(a.template, b.template, "one call site, one Template object");
  assert.deepEqual([a.values, b.values], [[1], [2]]);
  // Another definition with other markup gets another id; the same markup shares one.
  const other = html`<i>${1}</i>`;
  assert.notEqual(other.template.id, a.template.id);
  const same = html`<b>${3}</b>`;
  assert.equal(same.template, a.template);
  // Strings that are not a call site's (no identity to cache) still map to the same template.
  assert.equal(html(["<b>", "</b>"], 4).template, a.template);
  assert.equal(templateOf(["<b>", "</b>"]), a.template);
});

test("ids are distinct per distinct markup", () => {
  const ids = new Set([html`<a>${1}</a>`, html`<a> ${1}</a>`, html`<a>${1}${2}</a>`, html`<a>`].map((h) => h.template.id));
  assert.equal(ids.size, 4);
});

test("leading and trailing whitespace of a template is dropped, inner whitespace kept", () => {
  const h = html`
    <ul>
      <li>${1}</li>
    </ul>
  `;
  assert.deepEqual(h.template.statics, ["<ul>\n      <li>", "</li>\n    </ul>"]);
  assert.deepEqual(html`  x  `.template.statics, ["x"]);
});

test("an interpolation between attributes is an attributes slot, without the space before it", () => {
  assert.deepEqual(html`<input  ${{}} ${{}} type="x">`.template.statics, ["<input", "", ' type="x">']);
  assert.deepEqual(kinds(html`<input ${{}}>`), [SlotKind.ATTRIBUTES]);
  assert.deepEqual(kinds(html`<input type="text"${{}}>`), [SlotKind.ATTRIBUTES]);
  assert.deepEqual(kinds(html`<input disabled ${{}}/>`), [SlotKind.ATTRIBUTES]);
  assert.deepEqual(kinds(html`<input a='1' ${{}} b=2 ${{}}>`), [SlotKind.ATTRIBUTES, SlotKind.ATTRIBUTES]);
});

test("an unquoted attribute value becomes a named attribute slot and leaves the statics", () => {
  const h = html`<input type="checkbox" checked=${true} class="x">`;
  assert.deepEqual(kinds(h), ["attribute:checked"]);
  assert.deepEqual(h.template.statics, ['<input type="checkbox"', ' class="x">']);
  const end = html`<option selected = ${false}/>`;
  assert.deepEqual(end.template.statics, ["<option", "/>"]);
  assert.deepEqual(kinds(end), ["attribute:selected"]);
});

test("quoted attribute values, comments and raw-text elements are content", () => {
  assert.deepEqual(kinds(html`<a href='${"/x"}' title="a ${1} b">`), [SlotKind.CONTENT, SlotKind.CONTENT]);
  assert.deepEqual(kinds(html`<!-- ${1} --><p ${{}}>`), [SlotKind.CONTENT, SlotKind.ATTRIBUTES]);
  // "<p" inside a script is not a tag, so the slot after it is content.
  assert.deepEqual(kinds(html`<script>let s = "<p ${1}";</script><p ${{}}>`), [SlotKind.CONTENT, SlotKind.ATTRIBUTES]);
  // A ">" inside a quoted value does not end the tag.
  assert.deepEqual(kinds(html`<a title="x>y" ${{}}>${1}`), [SlotKind.ATTRIBUTES, SlotKind.CONTENT]);
  // A lone "<" in text is text.
  assert.deepEqual(kinds(html`<p>1 < 2 ${1}</p>`), [SlotKind.CONTENT]);
  // After an end tag, content again.
  assert.deepEqual(kinds(html`<p></p>${1}`), [SlotKind.CONTENT]);
});

test("the state carries across statics", () => {
  // The second slot is still inside the tag opened before the first.
  assert.deepEqual(kinds(html`<div class="${1}" ${{}} id="${2}">${3}</div>`), [
    SlotKind.CONTENT,
    SlotKind.ATTRIBUTES,
    SlotKind.CONTENT,
    SlotKind.CONTENT,
  ]);
});

test("interpolations where no value can go are template errors", () => {
  assert.throws(() => compile(["<", ">"]), TemplateError);
  assert.throws(() => compile(["<di", ">"]), /tag name/);
  assert.throws(() => compile(["<div data-", ">"]), /attribute name cannot be interpolated/);
  assert.throws(() => compile(["<div id=x-", ">"]), /quote it/);
  assert.throws(() => compile(["<div id=", "-x>"]), /quote it/);
  assert.throws(() => compile(["</", ">"]), /tag name/);
  assert.throws(() => compile(["<!doctype ", ">"]), /declaration/);
  assert.throws(() => html`<x ${1}=${2}>`, /cannot be interpolated/);
  // A name after an attributes slot is fine.
  assert.deepEqual(kinds(html`<x ${{}}b=${2}>`), [SlotKind.ATTRIBUTES, "attribute:b"]);
  // The message shows where.
  assert.throws(() => compile(["<div data-", ">"]), /<div data-\$\{<here>\}>/);
});

test("html rejects being called as a function", () => {
  assert.throws(() => html("<p>"), /template tag/);
});
