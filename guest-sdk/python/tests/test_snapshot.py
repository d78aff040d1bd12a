import enum
import json
import unittest
from dataclasses import dataclass, field
from typing import Optional

import _paths  # noqa: F401

from liveplug import LiveView, Template, ViewError
from liveplug.snapshot import decode, encode
from liveplug.testing import ViewHarness, host, reset_host

P = Template("<p>{x}</p>")


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclass
class Row:
    id: int
    name: str
    tags: set[str] = field(default_factory=set)
    color: Color = Color.RED


class Rich(LiveView):
    rows: list[Row]
    by_id: dict[int, Row]
    best: Optional[Row]
    pair: tuple[int, str]
    ratio: float

    def __init__(self):
        self.rows = []
        self.by_id = {}
        self.best = None
        self.pair = (0, "")
        self.ratio = 1.0
        self.added_later = "default"
        self._cache = "not saved"

    def render(self):
        return P(x=len(self.rows))


class Counter(LiveView):
    def __init__(self):
        self.count = 0

    def render(self):
        return P(x=self.count)


class CounterV2(LiveView):
    snapshot_version = 2

    def __init__(self):
        self.history = []

    @classmethod
    def migrate(cls, from_version, state):
        if from_version == 1:
            return {"history": [state["count"]]}
        raise ViewError(f"unknown version {from_version}")

    def render(self):
        return P(x=len(self.history))


class Unversioned(LiveView):
    snapshot_version = 3

    def __init__(self):
        self.count = 0

    def render(self):
        return P(x=self.count)


class NoSnapshots(LiveView):
    snapshot_version = None

    def render(self):
        return P(x="")


class Handle(LiveView):
    def __init__(self):
        self.handle = object()

    def render(self):
        return P(x="")


class SnapshotTest(unittest.TestCase):
    def setUp(self):
        reset_host()

    def test_the_envelope_is_compact_json_with_the_version(self):
        view = Counter()
        view.count = 3
        self.assertEqual(encode(view, 1), '{"v":1,"state":{"count":3}}')

    def test_dataclasses_sets_tuples_enums_and_int_keys_round_trip_by_annotations(self):
        view = Rich()
        a = Row(1, "ä<b>", {"x"}, Color.BLUE)
        b = Row(2, "b")
        view.rows = [a, b]
        view.by_id = {1: a, 2: b}
        view.best = b
        view.pair = (7, "seven")
        view.ratio = 2
        text = encode(view, 1)
        state = json.loads(text)["state"]
        self.assertNotIn("_cache", state)
        self.assertEqual(state["rows"][0], {"id": 1, "name": "ä<b>", "tags": ["x"], "color": "blue"})
        self.assertEqual(list(state["by_id"]), ["1", "2"])
        back = decode(Rich, text, 1)
        self.assertEqual(back.rows, [a, b])
        self.assertEqual(back.by_id, {1: a, 2: b})
        self.assertEqual(back.best, b)
        self.assertEqual(back.pair, (7, "seven"))
        self.assertIsInstance(back.ratio, float)
        self.assertEqual(back._cache, "not saved")

    def test_fields_missing_from_a_snapshot_keep_the_constructors_value(self):
        back = decode(Rich, '{"v":1,"state":{"rows":[{"id":5,"name":"n"}]}}', 1)
        self.assertEqual(back.rows, [Row(5, "n")])
        self.assertEqual(back.added_later, "default")

    def test_other_versions_go_through_migrate(self):
        back = decode(CounterV2, '{"v":1,"state":{"count":3}}', 2)
        self.assertEqual(back.history, [3])
        with self.assertRaises(ViewError) as caught:
            decode(CounterV2, '{"v":7,"state":{}}', 2)
        self.assertEqual(caught.exception.message, "cannot restore a version 7 snapshot into version 2: unknown version 7")
        with self.assertRaises(ViewError) as caught:
            decode(Unversioned, '{"v":1,"state":{"count":1}}', 3)
        self.assertEqual(
            caught.exception.message,
            "cannot restore a version 1 snapshot into version 3: this view does not migrate snapshots (implement LiveView.migrate)",
        )

    def test_bad_snapshots_are_view_errors(self):
        cases = {
            "not json": "invalid snapshot",
            "[]": "invalid snapshot: expected",
            '{"v":1}': "invalid snapshot: expected",
            '{"v":1,"state":{},"x":1}': "invalid snapshot: expected",
            '{"v":"1","state":{}}': "is not a number",
            '{"v":true,"state":{}}': "is not a number",
            '{"v":1,"state":[]}': "does not fit the view",
            '{"v":1,"state":{"rows":[{"id":"x","name":"n"}]}}': "does not fit the view",
            '{"v":1,"state":{"rows":{"id":1}}}': "does not fit the view",
        }
        for text, reason in cases.items():
            with self.subTest(text=text):
                with self.assertRaises(ViewError) as caught:
                    decode(Rich, text, 1)
                self.assertIn(reason, caught.exception.message)

    def test_state_that_is_not_json_snapshots_as_none_with_a_warning(self):
        h = ViewHarness(Handle).mount()
        self.assertIsNone(h.snapshot())
        self.assertEqual(host().logs[-1][0], "warn")
        self.assertIn("cannot snapshot the view: a value of type object is not JSON", host().logs[-1][1])

    def test_snapshots_can_be_turned_off(self):
        h = ViewHarness(NoSnapshots).mount()
        self.assertIsNone(h.snapshot())
        with self.assertRaisesRegex(ViewError, "does not restore snapshots"):
            h.restore('{"v":1,"state":{}}')

    def test_a_restored_view_renders_like_the_one_that_was_saved(self):
        h = ViewHarness(Counter).mount()
        h.view.count = 41
        before = h.html()
        restored = h.restore(h.snapshot())
        # A fresh instance: its first render sends the statics again.
        parts = restored.render()
        self.assertEqual(len(parts.new_templates), 1)
        self.assertEqual(ViewHarness(Counter).restore(h.snapshot()).html(), before)


if __name__ == "__main__":
    unittest.main()
