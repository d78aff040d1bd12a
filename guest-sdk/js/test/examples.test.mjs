// The repository's JavaScript examples (examples/counter-js, examples/todo-js) render the
// markup the shared test table expects, and behave as the shared brief says.

import { test } from "node:test";
import assert from "node:assert/strict";
import { register } from "node:module";
import { escapeHtml, testView } from "../src/testing.js";

register("../resolve-liveplug.mjs", import.meta.url);
const { default: counter } = await import("../../../examples/counter-js/view.js");
const todoModule = await import("../../../examples/todo-js/view.js");
const todo = todoModule.default;

/** The markup with whitespace between tags removed (the brief allows any). */
const compact = (html) => html.replace(/>\s+</g, "><").trim();

const counterHtml = (n) =>
  `<main class="counter"><h1>Count: <span id="count">${n}</span></h1><button id="dec" phx-click="dec">-</button><button id="inc" phx-click="inc">+</button><button id="reset" phx-click="reset">Reset</button></main>`;

test("counter: markup, events, title, unknown event, snapshot", () => {
  const v = testView(counter).mount({ connected: false });
  assert.equal(v.host.title, "Counter");
  assert.equal(compact(v.html()), counterHtml(0));
  v.event("inc");
  v.event("inc");
  assert.equal(v.host.title, "Count: 2");
  assert.equal(compact(v.html()), counterHtml(2));
  v.event("dec");
  v.event("dec");
  v.event("dec");
  assert.equal(compact(v.html()), counterHtml(-1));
  assert.equal(v.host.title, "Count: -1");
  v.event("reset");
  assert.equal(compact(v.html()), counterHtml(0));
  assert.equal(v.host.title, "Count: 0");
  assert.throws(() => v.event("boom"), /unknown event "boom"/);
  v.event("inc");
  const restored = v.restored(v.snapshot());
  assert.equal(v.snapshot(), '{"v":1,"state":{"count":1}}');
  assert.equal(compact(restored.html()), counterHtml(1));
  // The count is the only dynamic: one template, one text slot.
  const parts = testView(counter).mount().render();
  assert.equal(parts.newTemplates.length, 1);
  assert.deepEqual(parts.nodes, [{ tag: "text", val: "0" }, { tag: "tree", val: { template: parts.newTemplates[0].id, slots: [0] } }]);
});

const li = ({ id, title, done }) =>
  `<li id="todo-${id}" class="${done ? "todo done" : "todo"}"><input type="checkbox" class="toggle" phx-click="toggle" phx-value-id="${id}"${done ? " checked" : ""}><span class="title">${escapeHtml(title)}</span><button class="delete" phx-click="delete" phx-value-id="${id}">Delete</button></li>`;

const todoHtml = ({ title = "", error = "", todos = [] } = {}) =>
  `<main class="todo"><h1>Todos</h1><form id="new-todo" phx-change="validate" phx-submit="add"><input id="title" type="text" name="todo[title]" value="${escapeHtml(title)}" autocomplete="off"${error ? ' aria-invalid="true"' : ""}><p id="title-error" class="error">${escapeHtml(error)}</p><button id="add" type="submit">Add</button></form><ul id="todos">${todos.map(li).join("")}</ul><p id="remaining">${todos.filter((t) => !t.done).length} left</p></main>`;

const form = (title) => ({ todo: { title } });

test("todo: markup of an empty list", () => {
  const v = testView(todo).mount();
  assert.equal(v.host.title, "Todos");
  assert.equal(compact(v.html()), todoHtml());
});

test("todo: validate, add, toggle, delete", () => {
  const v = testView(todo).mount();
  v.event("validate", form("  "));
  assert.equal(compact(v.html()), todoHtml({ title: "  ", error: "can't be blank" }));
  v.event("validate", form("Milk"));
  assert.equal(compact(v.html()), todoHtml({ title: "Milk" }));
  v.event("add", form("  Milk "));
  v.event("add", form("<Eggs> & \"ham\""));
  const eggs = '<Eggs> & "ham"';
  assert.match(v.html(), /<span class="title">&lt;Eggs&gt; &amp; &quot;ham&quot;<\/span>/);
  assert.equal(compact(v.html()), todoHtml({ todos: [{ id: 1, title: "Milk" }, { id: 2, title: eggs }] }));
  v.event("add", form(""));
  assert.equal(
    compact(v.html()),
    todoHtml({ error: "can't be blank", todos: [{ id: 1, title: "Milk" }, { id: 2, title: eggs }] }),
  );
  v.event("toggle", { id: "1" });
  v.event("toggle", { id: "99" }); // unknown: ignored
  v.event("toggle", { id: "x" }); // not an id: ignored
  assert.equal(
    compact(v.html()),
    todoHtml({ error: "can't be blank", todos: [{ id: 1, title: "Milk", done: true }, { id: 2, title: eggs }] }),
  );
  v.event("delete", { id: "2" });
  v.event("validate", form("x"));
  assert.equal(compact(v.html()), todoHtml({ title: "x", todos: [{ id: 1, title: "Milk", done: true }] }));
  v.event("add", form("Bread"));
  assert.equal(
    compact(v.html()),
    todoHtml({ todos: [{ id: 1, title: "Milk", done: true }, { id: 3, title: "Bread" }] }),
    "ids are not reused",
  );
  assert.equal(v.host.title, "Todos");
  assert.throws(() => v.event("clear"), /unknown event "clear"/);
  // The list is keyed by todo id on the row template.
  const parts = v.render();
  const keyed = parts.nodes.find((n) => n.tag === "keyed");
  assert.deepEqual(keyed.val.items.map((i) => i.key), ["1", "3"]);
  const dynamic = parts.nodes.filter((n) => n.tag === "attributes").map((n) => n.val);
  assert.deepEqual(dynamic, [[], [{ name: "checked", value: null }], []], "aria-invalid absent, checked on the done row");
  // Snapshot: the whole state.
  assert.deepEqual(JSON.parse(v.snapshot()), {
    v: 1,
    state: {
      title: "",
      error: "",
      todos: [
        { id: 1, title: "Milk", done: true },
        { id: 3, title: "Bread", done: false },
      ],
      next_id: 4,
    },
  });
  const restored = v.restored(v.snapshot());
  assert.equal(compact(restored.html()), compact(v.html()));
  restored.event("add", form("Jam"));
  assert.match(restored.html(), /id="todo-4"/);
});

test("todo: the 80 code point limit and Unicode trimming", () => {
  const { validate, trim } = todoModule;
  assert.equal(validate("a".repeat(80)), "");
  assert.equal(validate("a".repeat(81)), "should be at most 80 characters");
  assert.equal(validate("😀".repeat(80)), "", "80 code points (160 UTF-16 units)");
  assert.equal(validate("😀".repeat(81)), "should be at most 80 characters");
  assert.equal(validate(` ${"a".repeat(80)}\u3000\n`), "", "spaces around do not count");
  assert.equal(validate("\u00a0\u2003\t"), "can't be blank");
  assert.equal(trim("\u0085x\u0085"), "x");
  assert.equal(trim("\ufeffx"), "\ufeffx");
  const v = testView(todo).mount();
  v.event("validate", form("b".repeat(81)));
  assert.match(compact(v.html()), /aria-invalid="true"><p id="title-error" class="error">should be at most 80 characters</);
});
