//! A todo list: a form validated as you type, and a keyed list with toggle and delete. The same
//! view exists in every SDK language (`examples/todo-js`, `todo-py`, `todo-c`) with the same
//! markup and behaviour, so one test table drives them all.

use liveplug_guest::{Assign, Event, List, LiveView, Mount, Node, Render, ViewError, html, page};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Titles longer than this (in characters) are refused.
const MAX_TITLE: usize = 80;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Todo {
    id: u64,
    title: String,
    done: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct Todos {
    /// What the form's input holds.
    title: Assign<String>,
    error: Assign<String>,
    todos: List<Todo>,
    next_id: u64,
}

/// Why `title` cannot be added, or `""`.
fn validate(title: &str) -> &'static str {
    let title = title.trim();
    if title.is_empty() {
        "can't be blank"
    } else if title.chars().count() > MAX_TITLE {
        "should be at most 80 characters"
    } else {
        ""
    }
}

/// The form's `todo[title]`.
fn form_title(event: &Event) -> String {
    event.value.pointer("/todo/title").and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// The `phx-value-id` of a row's button.
fn row_id(event: &Event) -> Option<u64> {
    event.value.get("id").and_then(Value::as_str).and_then(|id| id.parse().ok())
}

impl Todos {
    fn position(&self, id: u64) -> Option<usize> {
        self.todos.values().position(|todo| todo.id == id)
    }

    fn remaining(&self) -> usize {
        self.todos.values().filter(|todo| !todo.done).count()
    }
}

impl LiveView for Todos {
    fn mount(&mut self, _mount: Mount) -> Result<(), ViewError> {
        page::set_title("Todos");
        if self.next_id == 0 {
            self.next_id = 1;
        }
        Ok(())
    }

    fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
        match event.name.as_str() {
            "validate" => {
                let title = form_title(&event);
                self.error.set(validate(&title).to_owned());
                self.title.set(title);
            }
            "add" => {
                let title = form_title(&event);
                let error = validate(&title);
                if error.is_empty() {
                    let id = self.next_id.max(1);
                    self.todos.push(Todo { id, title: title.trim().to_owned(), done: false });
                    self.next_id = id + 1;
                    self.title.set(String::new());
                } else {
                    self.title.set(title);
                }
                self.error.set(error.to_owned());
            }
            "toggle" => {
                if let Some(todo) = row_id(&event).and_then(|id| self.position(id)).and_then(|i| self.todos.get_mut(i))
                {
                    todo.done = !todo.done;
                }
            }
            "delete" => {
                if let Some(index) = row_id(&event).and_then(|id| self.position(id)) {
                    self.todos.remove(index);
                }
            }
            _ => return Err(event.unknown()),
        }
        Ok(None)
    }

    fn render(&self, r: &mut Render) -> Node {
        html! {
            <main class="todo">
                <h1>"Todos"</h1>
                <form id="new-todo" phx-change="validate" phx-submit="add">
                    <input id="title" type="text" name="todo[title]" value={&*self.title} autocomplete="off"
                        aria-invalid={(!self.error.is_empty()).then_some("true")} />
                    <p id="title-error" class="error">{&*self.error}</p>
                    <button id="add" type="submit">"Add"</button>
                </form>
                <ul id="todos">
                    <li :for={todo in self.todos.iter()} :key={todo.id} id={format!("todo-{}", todo.id)}
                        class={if todo.done { "todo done" } else { "todo" }}>
                        <input type="checkbox" class="toggle" phx-click="toggle" phx-value-id={todo.id} checked={todo.done} />
                        <span class="title">{&todo.title}</span>
                        <button class="delete" phx-click="delete" phx-value-id={todo.id}>"Delete"</button>
                    </li>
                </ul>
                <p id="remaining">{self.remaining()} " left"</p>
            </main>
        }
        .render(r)
    }
}

liveplug_guest::export!(Todos, snapshot);
