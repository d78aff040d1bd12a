"""The built components (plugins/counter-py.wasm, plugins/todo-py.wasm) run in wasmtime, outside
the host, must answer exactly as the native tests say. Skipped when the wasmtime package
(requirements.txt) or the built plugin is missing: run with target/venv/bin/python after
build.py. LIVEPLUG_PY_PLUGINS names another folder of built plugins."""

import json
import os
import unittest

import _paths

from test_examples import counter_html, squash, todo_html

try:
    import wasmtime  # noqa: F401

    import smoke
except ImportError:  # plain CPython without the venv
    smoke = None

PLUGINS = os.environ.get("LIVEPLUG_PY_PLUGINS") or os.path.join(_paths.REPO, "plugins")


def plugin(name):
    path = os.path.join(PLUGINS, name)
    if smoke is None:
        raise unittest.SkipTest("the wasmtime package is not installed (use target/venv/bin/python)")
    if not os.path.exists(path):
        raise unittest.SkipTest(f"{path} is not built (guest-sdk/python/build.py)")
    return path


class CounterComponentTest(unittest.TestCase):
    def test_counter(self):
        path = plugin("counter-py.wasm")
        out = smoke.run(path, ["inc", "inc", "dec", "reset", "dec", "nope"])
        self.assertEqual(out["describe"], {"routes": [], "live_session": None})
        self.assertEqual(out["mount"], {"ok": None})
        self.assertEqual(out["renders"], [counter_html(n) for n in [0, 1, 2, 1, 0, -1, -1]])
        self.assertEqual([e["reply"] for e in out["events"]][-1], {"err": 'unknown event "nope"'})
        self.assertEqual(out["new_templates"], [1, 0, 0, 0, 0, 0, 0])
        self.assertEqual(out["snapshot"], '{"v":1,"state":{"count":-1}}')
        self.assertEqual(out["restore"], {"ok": None})
        self.assertEqual(out["restored_render"], counter_html(-1))
        titles = [c[1] for c in out["host_calls"] if c[0] == "title"]
        self.assertEqual(titles, ["Counter", "Count: 1", "Count: 2", "Count: 1", "Count: 0", "Count: -1"])


class TodoComponentTest(unittest.TestCase):
    def test_todo(self):
        events = [
            'validate={"todo":{"title":"  "}}',
            'add={"todo":{"title":" <Buy> milk "}}',
            'add={"todo":{"title":"b"}}',
            'toggle={"id":"1"}',
            'delete={"id":"2"}',
            "archive",
        ]
        path = plugin("todo-py.wasm")
        out = smoke.run(path, events)
        milk = "&lt;Buy&gt; milk"
        expected = [
            todo_html(),
            todo_html(title="  ", error="can&#39;t be blank"),
            todo_html(todos=[(1, milk, False)]),
            todo_html(todos=[(1, milk, False), (2, "b", False)]),
            todo_html(todos=[(1, milk, True), (2, "b", False)]),
            todo_html(todos=[(1, milk, True)], remaining=0),
            todo_html(todos=[(1, milk, True)], remaining=0),
        ]
        self.assertEqual([squash(h) for h in out["renders"]], expected)
        self.assertEqual(out["events"][-1]["reply"], {"err": 'unknown event "archive"'})
        self.assertEqual(
            json.loads(out["snapshot"]),
            {"v": 1, "state": {"title": "", "error": "", "todos": [{"id": 1, "title": "<Buy> milk", "done": True}], "next_id": 3}},
        )
        self.assertEqual(squash(out["restored_render"]), expected[-1])
        self.assertEqual({c[1] for c in out["host_calls"] if c[0] == "title"}, {"Todos"})


if __name__ == "__main__":
    unittest.main()
