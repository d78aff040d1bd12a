"""The Python examples, driven as the host drives them: the markup every language must
produce, the events, the page title and snapshots."""

import json
import os
import re
import unittest

import _paths

from liveplug import ViewError
from liveplug import _parts as p
from liveplug.testing import ViewHarness, host, load_view, reset_host

_, Counter = load_view(os.path.join(_paths.EXAMPLES, "counter-py", "app.py"))
todo_app, Todos = load_view(os.path.join(_paths.EXAMPLES, "todo-py", "app.py"))


def counter_html(n):
    return (
        '<main class="counter"><h1>Count: <span id="count">'
        + str(n)
        + '</span></h1><button id="dec" phx-click="dec">-</button><button id="inc" phx-click="inc">+</button>'
        '<button id="reset" phx-click="reset">Reset</button></main>'
    )


def squash(html):
    """Whitespace between tags does not count (the brief allows any)."""
    return re.sub(r">\s+<", "><", html.strip())


class CounterTest(unittest.TestCase):
    def setUp(self):
        reset_host()

    def test_markup_title_and_events(self):
        h = ViewHarness(Counter).mount()
        self.assertEqual(host().title, "Counter")
        self.assertEqual(h.html(), counter_html(0))
        for name, expected in [("inc", 1), ("inc", 2), ("dec", 1), ("dec", 0), ("dec", -1), ("reset", 0), ("inc", 1)]:
            self.assertIsNone(h.event(name))
            self.assertEqual(host().title, f"Count: {expected}")
            self.assertEqual(h.html(), counter_html(expected))

    def test_the_count_is_a_text_node_in_one_template(self):
        h = ViewHarness(Counter).mount()
        parts = h.render()
        self.assertEqual(len(parts.new_templates), 1)
        self.assertEqual(parts.nodes[parts.root].value.slots, [0])
        self.assertEqual(parts.nodes[0], p.Node_Text("0"))

    def test_unknown_events_are_view_errors(self):
        h = ViewHarness(Counter).mount()
        with self.assertRaises(ViewError) as caught:
            h.event("explode")
        self.assertEqual(caught.exception.message, 'unknown event "explode"')

    def test_snapshots_carry_the_count(self):
        h = ViewHarness(Counter).mount()
        for _ in range(3):
            h.event("inc")
        text = h.snapshot()
        self.assertEqual(text, '{"v":1,"state":{"count":3}}')
        restored = h.restore(text)
        self.assertEqual(restored.html(), counter_html(3))
        restored.event("inc")
        self.assertEqual(restored.html(), counter_html(4))


def todo_html(title="", error="", todos=(), remaining=None):
    if remaining is None:
        remaining = sum(1 for t in todos if not t[2])
    items = "".join(
        f'<li id="todo-{i}" class="{"todo done" if done else "todo"}">'
        f'<input type="checkbox" class="toggle" phx-click="toggle" phx-value-id="{i}"{" checked" if done else ""}>'
        f'<span class="title">{t}</span>'
        f'<button class="delete" phx-click="delete" phx-value-id="{i}">Delete</button></li>'
        for i, t, done in todos
    )
    invalid = ' aria-invalid="true"' if error else ""
    return (
        '<main class="todo"><h1>Todos</h1><form id="new-todo" phx-change="validate" phx-submit="add">'
        f'<input id="title" type="text" name="todo[title]" value="{title}" autocomplete="off"{invalid}>'
        f'<p id="title-error" class="error">{error}</p><button id="add" type="submit">Add</button></form>'
        f'<ul id="todos">{items}</ul><p id="remaining">{remaining} left</p></main>'
    )


def form(title):
    return {"todo": {"title": title}}


class TodoTest(unittest.TestCase):
    def setUp(self):
        reset_host()
        self.h = ViewHarness(Todos).mount()

    def html(self):
        return squash(self.h.html())

    def test_empty_list(self):
        self.assertEqual(host().title, "Todos")
        self.assertEqual(self.html(), todo_html())

    def test_validate_keeps_the_title_verbatim_and_sets_the_error(self):
        self.h.event("validate", form("  "))
        self.assertEqual(self.html(), todo_html(title="  ", error="can&#39;t be blank"))
        self.h.event("validate", form("x" * 81))
        self.assertEqual(self.html(), todo_html(title="x" * 81, error="should be at most 80 characters"))
        # 80 code points (not bytes, not UTF-16 units) is fine, and trimming comes first.
        self.h.event("validate", form(" " + "é" * 79 + "😀 "))
        self.assertEqual(self.html(), todo_html(title=" " + "é" * 79 + "😀 "))
        self.assertEqual(host().title, "Todos")

    def test_add_toggle_delete(self):
        self.h.event("add", form("  Buy <milk> "))
        self.h.event("add", form("Walk"))
        self.assertEqual(self.html(), todo_html(todos=[(1, "Buy &lt;milk&gt;", False), (2, "Walk", False)]))
        self.h.event("toggle", {"id": "1"})
        self.assertEqual(self.html(), todo_html(todos=[(1, "Buy &lt;milk&gt;", True), (2, "Walk", False)]))
        self.h.event("toggle", {"id": "42"})  # unknown id: ignored
        self.h.event("delete", {"id": "2"})
        self.assertEqual(self.html(), todo_html(todos=[(1, "Buy &lt;milk&gt;", True)], remaining=0))
        self.h.event("delete", {"id": "2"})
        self.h.event("add", form("Again"))
        self.assertEqual(self.html(), todo_html(todos=[(1, "Buy &lt;milk&gt;", True), (3, "Again", False)]))

    def test_a_refused_add_keeps_the_title_and_adds_nothing(self):
        self.h.event("add", form(" "))
        self.assertEqual(self.html(), todo_html(title=" ", error="can&#39;t be blank"))
        self.h.event("add", form("ok"))
        self.assertEqual(self.html(), todo_html(todos=[(1, "ok", False)]))

    def test_nodes_attributes_and_keys(self):
        self.h.event("add", form("a"))
        self.h.event("add", form("b"))
        self.h.event("toggle", {"id": "2"})
        self.h.event("validate", form(""))
        parts = self.h.render()
        attributes = [n.value for n in parts.nodes if isinstance(n, p.Node_Attributes)]
        self.assertEqual(
            attributes,
            [[p.Attribute("aria-invalid", "true")], [], [p.Attribute("checked", None)]],
        )
        keyed = [n.value for n in parts.nodes if isinstance(n, p.Node_Keyed)]
        self.assertEqual(len(keyed), 1)
        self.assertEqual([item.key for item in keyed[0].items], ["1", "2"])
        texts = [n.value for n in parts.nodes if isinstance(n, p.Node_Text)]
        self.assertIn("todo done", texts)
        self.assertIn("1", texts)  # remaining

    def test_unknown_events_are_view_errors(self):
        with self.assertRaisesRegex(ViewError, 'unknown event "archive"'):
            self.h.event("archive", {})

    def test_snapshot_is_the_whole_state_as_json(self):
        self.h.event("add", form("a"))
        self.h.event("add", form("b"))
        self.h.event("toggle", {"id": "1"})
        self.h.event("validate", form("typing"))
        text = self.h.snapshot()
        self.assertEqual(
            json.loads(text),
            {
                "v": 1,
                "state": {
                    "title": "typing",
                    "error": "",
                    "todos": [{"id": 1, "title": "a", "done": True}, {"id": 2, "title": "b", "done": False}],
                    "next_id": 3,
                },
            },
        )
        restored = self.h.restore(text)
        self.assertIsInstance(restored.view.todos[0], todo_app.Todo)
        self.assertEqual(squash(restored.html()), self.html())
        restored.event("add", form("c"))
        self.assertEqual(restored.view.todos[-1], todo_app.Todo(3, "c"))


if __name__ == "__main__":
    unittest.main()
