"""A todo list: a form with live validation, a keyed list, boolean attributes. The same markup
and behaviour as every language's todo example (one shared test table drives them all)."""

from dataclasses import dataclass

from liveplug import LiveView, Template, attrs, each, export, page, unknown_event

PAGE = Template(
    """<main class="todo">
  <h1>Todos</h1>
  <form id="new-todo" phx-change="validate" phx-submit="add">
    <input id="title" type="text" name="todo[title]" value="{title}" autocomplete="off"{invalid}>
    <p id="title-error" class="error">{error}</p>
    <button id="add" type="submit">Add</button>
  </form>
  <ul id="todos">{todos}</ul>
  <p id="remaining">{remaining} left</p>
</main>"""
)

ITEM = Template(
    """
    <li id="todo-{id}" class="{cls}">
      <input type="checkbox" class="toggle" phx-click="toggle" phx-value-id="{id}"{checked}>
      <span class="title">{title}</span>
      <button class="delete" phx-click="delete" phx-value-id="{id}">Delete</button>
    </li>"""
)

MAX_TITLE = 80


def validate(title: str) -> str:
    """The error for a todo title, or ""."""
    trimmed = title.strip()
    if not trimmed:
        return "can't be blank"
    if len(trimmed) > MAX_TITLE:  # len counts code points
        return f"should be at most {MAX_TITLE} characters"
    return ""


@dataclass
class Todo:
    id: int
    title: str
    done: bool = False


@export
class Todos(LiveView):
    todos: list[Todo]  # so a snapshot's todos come back as Todo objects

    def __init__(self):
        self.title = ""
        self.error = ""
        self.todos = []
        self.next_id = 1

    def mount(self, params, session, connected, connect_params):
        page.set_title("Todos")

    def handle_event(self, name, value, target):
        if name == "validate":
            self.title = form_title(value)
            self.error = validate(self.title)
        elif name == "add":
            self.title = form_title(value)
            self.error = validate(self.title)
            if not self.error:
                self.todos.append(Todo(self.next_id, self.title.strip()))
                self.next_id += 1
                self.title = ""
        elif name == "toggle":
            todo = self.find(value)
            if todo is not None:
                todo.done = not todo.done
        elif name == "delete":
            todo = self.find(value)
            if todo is not None:
                self.todos.remove(todo)
        else:
            raise unknown_event(name)
        page.set_title("Todos")

    def find(self, value):
        wanted = str(value.get("id", "")) if isinstance(value, dict) else ""
        return next((todo for todo in self.todos if str(todo.id) == wanted), None)

    def render(self):
        return PAGE(
            title=self.title,
            invalid={"aria-invalid": "true" if self.error else None},
            error=self.error,
            todos=each(self.todos, render_todo, key=lambda todo: todo.id),
            remaining=sum(1 for todo in self.todos if not todo.done),
        )


def render_todo(todo: Todo):
    return ITEM(
        id=todo.id,
        cls="todo done" if todo.done else "todo",
        checked={"checked": todo.done},
        title=todo.title,
    )


def form_title(value) -> str:
    """The title in a form event's value, {"todo": {"title": "..."}}."""
    form = value.get("todo") if isinstance(value, dict) else None
    title = form.get("title") if isinstance(form, dict) else None
    return title if isinstance(title, str) else ""
