// A todo list: a form validated as you type (phx-change) and submitted with phx-submit, a keyed
// list whose rows toggle and delete, and dynamic attributes (aria-invalid, checked). The whole
// state is plain JSON, so the view snapshots.

import { defineView, each, html, page } from "liveplug";

// Unicode White_Space, the set Rust's str::trim uses (JavaScript's trim differs at U+0085 and U+FEFF).
const SPACE = "[\\u0009-\\u000D\\u0020\\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]";
const EDGES = new RegExp(`^${SPACE}+|${SPACE}+$`, "gu");

export const trim = (s) => s.replace(EDGES, "");

export function validate(title) {
  const t = trim(title);
  if (t === "") return "can't be blank";
  if ([...t].length > 80) return "should be at most 80 characters";
  return "";
}

/** The title typed in the form, from `{"todo": {"title": "..."}}`. */
function typed(value) {
  const title = value?.todo?.title;
  return typeof title === "string" ? title : "";
}

/** The todo id of a `phx-value-id` (a string), or null. */
function idOf(value) {
  const id = value?.id;
  if (typeof id === "number") return id;
  return typeof id === "string" && /^[+-]?\d+$/.test(id) ? Number(id) : null;
}

export default defineView({
  state: () => ({ title: "", error: "", todos: [], next_id: 1 }),

  mount() {
    page.setTitle("Todos");
  },

  handleEvent(state, event) {
    switch (event.name) {
      case "validate":
        state.title = typed(event.value);
        state.error = validate(state.title);
        break;
      case "add":
        state.title = typed(event.value);
        state.error = validate(state.title);
        if (state.error === "") {
          state.todos.push({ id: state.next_id, title: trim(state.title), done: false });
          state.next_id += 1;
          state.title = "";
        }
        break;
      case "toggle": {
        const todo = state.todos.find((t) => t.id === idOf(event.value));
        if (todo) todo.done = !todo.done;
        break;
      }
      case "delete": {
        const id = idOf(event.value);
        state.todos = state.todos.filter((t) => t.id !== id);
        break;
      }
      default:
        throw event.unknown();
    }
    page.setTitle("Todos");
  },

  render: ({ title, error, todos }) => html`
    <main class="todo">
      <h1>Todos</h1>
      <form id="new-todo" phx-change="validate" phx-submit="add">
        <input id="title" type="text" name="todo[title]" value="${title}" autocomplete="off" aria-invalid=${error !== "" && "true"}>
        <p id="title-error" class="error">${error}</p>
        <button id="add" type="submit">Add</button>
      </form>
      <ul id="todos">
        ${each(todos, "id", (todo) => html`
          <li id="todo-${todo.id}" class="${todo.done ? "todo done" : "todo"}">
            <input type="checkbox" class="toggle" phx-click="toggle" phx-value-id="${todo.id}" checked=${todo.done}>
            <span class="title">${todo.title}</span>
            <button class="delete" phx-click="delete" phx-value-id="${todo.id}">Delete</button>
          </li>`)}
      </ul>
      <p id="remaining">${todos.filter((t) => !t.done).length} left</p>
    </main>`,
});
