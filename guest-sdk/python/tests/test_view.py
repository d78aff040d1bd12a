import json
import unittest
from dataclasses import dataclass

import _paths  # noqa: F401

from liveplug import LiveComponent, LiveView, Sent, Template, ViewError, component, export, unknown_event
from liveplug import _exports
from liveplug.testing import ViewHarness, host, reset_host

BOX = Template('<div id="box">{seen}</div>')
CARD = Template('<section id="card-{id}">{label}: {clicks}</section>')
BOARD = Template("<main>{cards}</main>")


class Recorder(LiveView):
    routes = ["/rec", "/rec/:id"]
    live_session = "demo"

    def __init__(self):
        self.seen = []

    def mount(self, params, session, connected, connect_params):
        self.seen.append(["mount", params, session, connected, connect_params])

    def handle_params(self, url, params):
        self.seen.append(["params", url, params])

    def handle_event(self, name, value, target):
        if name == "echo":
            return {"got": value, "target": target}
        if name == "boom":
            raise KeyError("nope")
        if name == "refuse":
            raise ViewError("refused")
        if name == "bad-reply":
            return object()
        raise unknown_event(name)

    def handle_info(self, message):
        self.seen.append(["info", message])

    def components_destroyed(self, ids):
        self.seen.append(["destroyed", ids])

    def render(self):
        return BOX(seen=json.dumps(self.seen))


class Plain(LiveView):
    def render(self):
        return BOX(seen="plain")


@dataclass
class Card(LiveComponent):
    label: str
    clicks: int = 0

    def render(self, id):
        return CARD(id=id, label=self.label, clicks=self.clicks)

    def handle_event(self, name, value):
        if name != "click":
            raise unknown_event(name)
        self.clicks += value.get("by", 1)
        return {"clicks": self.clicks}


class Board(LiveView):
    cards: dict[int, Card]

    def __init__(self):
        self.cards = {1: Card("one"), 2: Card("two")}

    def handle_event(self, name, value, target):
        if name == "add":
            self.cards[len(self.cards) + 1] = Card(value["label"])
            return None
        raise unknown_event(name)

    def components_destroyed(self, ids):
        for cid in ids:
            self.cards.pop(cid, None)

    def render(self):
        return BOARD(cards=[component(cid, card) for cid, card in sorted(self.cards.items())])


class LifecycleTest(unittest.TestCase):
    def setUp(self):
        reset_host()

    def test_mount_params_and_info_receive_decoded_json(self):
        h = ViewHarness(Recorder)
        h.mount(params={"id": "7"}, session={"user": 1}, connected=True, connect_params={"tz": "UTC"})
        h.handle_params("http://x/rec/7?a=1", {"id": "7", "a": "1"})
        h.info({"tick": 1})
        self.assertEqual(
            h.view.seen,
            [
                ["mount", {"id": "7"}, {"user": 1}, True, {"tz": "UTC"}],
                ["params", "http://x/rec/7?a=1", {"id": "7", "a": "1"}],
                ["info", Sent({"tick": 1})],
            ],
        )
        h2 = ViewHarness(Recorder).mount()
        self.assertEqual(h2.view.seen, [["mount", {}, {}, False, None]])

    def test_describe_has_routes_and_live_session_with_defaults(self):
        self.assertEqual(ViewHarness(Recorder).describe(), (["/rec", "/rec/:id"], "demo"))
        self.assertEqual(ViewHarness(Plain).describe(), ([], None))

    def test_optional_exports_default_to_doing_nothing(self):
        h = ViewHarness(Plain).mount()
        h.handle_params("http://x/plain", {})
        h.info({"x": 1})
        h.components_destroyed([1, 2])
        self.assertEqual(h.html(), '<div id="box">plain</div>')

    def test_events_reply_with_json_and_unknown_events_are_view_errors(self):
        h = ViewHarness(Recorder).mount()
        self.assertEqual(h.event("echo", {"a": [1, "x"]}), {"got": {"a": [1, "x"]}, "target": None})
        self.assertEqual(h.event("echo", {"a": 1}, target=9), {"got": {"a": 1}, "target": 9})
        with self.assertRaises(ViewError) as caught:
            h.event("nope")
        self.assertEqual(caught.exception.message, 'unknown event "nope"')
        with self.assertRaises(ViewError) as caught:
            h.event("refuse")
        self.assertEqual(caught.exception.message, "refused")
        with self.assertRaisesRegex(ViewError, "reply is not JSON"):
            h.event("bad-reply")
        with self.assertRaisesRegex(ViewError, 'unknown event "x"'):
            ViewHarness(Plain).mount().event("x")

    def test_other_exceptions_become_view_errors_with_the_traceback_logged(self):
        h = ViewHarness(Recorder).mount()
        with self.assertRaises(ViewError) as caught:
            h.event("boom")
        self.assertEqual(caught.exception.message, "handle_event \"boom\": KeyError: 'nope'")
        level, message = host().logs[-1]
        self.assertEqual(level, "error")
        self.assertIn("Traceback", message)
        self.assertIn('raise KeyError("nope")', message)

    def test_invalid_json_from_the_host_is_a_view_error(self):
        h = ViewHarness(Recorder)
        with self.assertRaisesRegex(ViewError, "invalid JSON"):
            h.runtime.mount("{", "{}", False, None)
        # An empty value is null, as in the Rust SDK.
        h.runtime.mount("{}", "{}", False, None)
        self.assertEqual(h.runtime.handle_event("echo", "", None), '{"got":null,"target":null}')

    def test_render_sends_each_template_once(self):
        h = ViewHarness(Plain).mount()
        first = h.render()
        second = h.render()
        self.assertEqual([t.statics for t in first.new_templates], [['<div id="box">', "</div>"]])
        self.assertEqual(second.new_templates, [])


class ComponentTest(unittest.TestCase):
    def test_targeted_events_reach_the_placed_component(self):
        h = ViewHarness(Board).mount()
        self.assertEqual(h.html(), '<main><section id="card-1">one: 0</section><section id="card-2">two: 0</section></main>')
        self.assertEqual(h.event("click", {"by": 2}, target=2), {"clicks": 2})
        self.assertEqual(h.html(), '<main><section id="card-1">one: 0</section><section id="card-2">two: 2</section></main>')
        parts = h.last
        self.assertEqual(sorted(c.id for c in parts.components), [1, 2])
        with self.assertRaisesRegex(ViewError, 'unknown event "zap"'):
            h.event("zap", target=1)
        # An id no component holds goes to the view.
        with self.assertRaisesRegex(ViewError, 'unknown event "click"'):
            h.event("click", target=99)

    def test_a_restored_instance_routes_events_before_its_first_render(self):
        h = ViewHarness(Board).mount()
        h.html()
        h.event("click", {}, target=1)
        text = h.snapshot()
        self.assertEqual(json.loads(text), {"v": 1, "state": {"cards": {"1": {"label": "one", "clicks": 1}, "2": {"label": "two", "clicks": 0}}}})
        restored = h.restore(text)
        self.assertEqual(restored.view.cards[1], Card("one", 1))
        self.assertEqual(restored.event("click", {"by": 5}, target=1), {"clicks": 6})
        self.assertEqual(restored.html(), '<main><section id="card-1">one: 6</section><section id="card-2">two: 0</section></main>')

    def test_components_destroyed_reaches_the_view(self):
        h = ViewHarness(Board).mount()
        h.html()
        h.components_destroyed([2])
        self.assertEqual(h.html(), '<main><section id="card-1">one: 0</section></main>')


class ExportTest(unittest.TestCase):
    def tearDown(self):
        _exports._EXPORTED, _exports._RUNTIME = None, None

    def test_one_view_per_component(self):
        _exports._EXPORTED = None
        self.assertIs(export(Plain), Plain)
        self.assertIs(export(Plain), Plain)
        with self.assertRaisesRegex(TypeError, "already exported"):
            export(Recorder)
        with self.assertRaisesRegex(TypeError, "not a LiveView"):
            export(int)
        self.assertIs(_exports.runtime().cls, Plain)


if __name__ == "__main__":
    unittest.main()
