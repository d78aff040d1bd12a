import json
import unittest

import _paths  # noqa: F401

from liveplug import LiveView, Stream, Template, ViewError, unknown_event
from liveplug import _parts as p
from liveplug.testing import ViewHarness

MESSAGE = Template('<li id="{dom_id}">{text}</li>')
CHAT = Template('<h1>{topic}</h1><ul id="messages" phx-update="stream">{messages}</ul>')


def dom_id(m):
    return f"m-{m['id']}"


class Chat(LiveView):
    def __init__(self):
        self.topic = "py"
        self.messages = Stream("messages", MESSAGE, lambda m: MESSAGE(dom_id=dom_id(m), text=m["text"]), dom_id)

    def handle_event(self, name, value, target):
        if name == "post":
            self.messages.insert(value, at=value.get("at", "end"), limit=value.get("limit"))
        elif name == "edit":
            self.messages.update(value)
        elif name == "delete":
            self.messages.delete(dom_id(value))
        elif name == "reset":
            self.messages.reset(value["items"])
        else:
            raise unknown_event(name)

    def render(self):
        return CHAT(topic=self.topic, messages=self.messages)


class StreamTest(unittest.TestCase):
    def setUp(self):
        self.h = ViewHarness(Chat).mount()

    def html(self):
        return self.h.html()

    def test_inserts_are_sent_once_and_the_browser_keeps_them(self):
        self.assertEqual(self.html(), '<h1>py</h1><ul id="messages" phx-update="stream"></ul>')
        self.h.event("post", {"id": 1, "text": "a"})
        self.h.event("post", {"id": 2, "text": "b"})
        parts = self.h.render()
        ops = next(n.value for n in parts.nodes if isinstance(n, p.Node_Stream))
        self.assertEqual(ops.name, "messages")
        self.assertEqual(ops.template, MESSAGE.id)
        self.assertEqual([i.dom_id for i in ops.inserts], ["m-1", "m-2"])
        self.assertEqual([type(i.at).__name__ for i in ops.inserts], ["StreamPosition_Append"] * 2)
        # The next render has nothing to send.
        again = self.h.render()
        ops = next(n.value for n in again.nodes if isinstance(n, p.Node_Stream))
        self.assertEqual((ops.inserts, ops.deletes, ops.reset), ([], [], False))

    def test_positions_limits_updates_deletes_and_reset(self):
        self.h.event("post", {"id": 1, "text": "a"})
        self.h.event("post", {"id": 2, "text": "b", "at": "start"})
        self.h.event("post", {"id": 3, "text": "c", "at": 1})
        self.assertEqual(self.html(), '<h1>py</h1><ul id="messages" phx-update="stream"><li id="m-2">b</li><li id="m-3">c</li><li id="m-1">a</li></ul>')
        self.h.event("edit", {"id": 3, "text": "C"})
        self.h.event("edit", {"id": 9, "text": "never"})
        self.h.event("delete", {"id": 2})
        self.assertEqual(self.html(), '<h1>py</h1><ul id="messages" phx-update="stream"><li id="m-3">C</li><li id="m-1">a</li></ul>')
        self.h.event("post", {"id": 4, "text": "d", "limit": -2})
        self.assertEqual(self.html(), '<h1>py</h1><ul id="messages" phx-update="stream"><li id="m-1">a</li><li id="m-4">d</li></ul>')
        self.h.event("reset", {"items": [{"id": 7, "text": "g"}]})
        self.assertEqual(self.html(), '<h1>py</h1><ul id="messages" phx-update="stream"><li id="m-7">g</li></ul>')

    def test_limits_go_on_the_wire_as_first_and_last(self):
        self.h.event("post", {"id": 1, "text": "a", "limit": 10})
        self.h.event("post", {"id": 2, "text": "b", "limit": -3})
        parts = self.h.render()
        ops = next(n.value for n in parts.nodes if isinstance(n, p.Node_Stream))
        self.assertEqual([i.limit for i in ops.inserts], [p.StreamLimit_First(10), p.StreamLimit_Last(3)])

    def test_bad_arguments_and_wrong_templates_are_refused(self):
        with self.assertRaises(ViewError):
            self.h.event("post", {"id": 1, "text": "a", "at": "middle"})
        with self.assertRaises(ViewError):
            self.h.event("post", {"id": 1, "text": "a", "limit": 0})
        other = Template('<p id="{dom_id}">{text}</p>')
        view = self.h.view
        view.messages.render = lambda m: other(dom_id=dom_id(m), text="x")
        view.messages.insert({"id": 5, "text": "x"})
        with self.assertRaisesRegex(Exception, "must return a Template"):
            self.h.render()

    def test_streams_are_not_in_snapshots(self):
        self.h.event("post", {"id": 1, "text": "a"})
        self.h.html()
        text = self.h.snapshot()
        self.assertEqual(json.loads(text), {"v": 1, "state": {"topic": "py"}})
        restored = self.h.restore(text)
        self.assertIsInstance(restored.view.messages, Stream)
        self.assertFalse(restored.view.messages.pending)


if __name__ == "__main__":
    unittest.main()
