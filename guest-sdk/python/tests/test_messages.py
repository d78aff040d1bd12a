"""handle_info: the WIT message variant reaches the view as Sent / Broadcast / PresenceDiff
with its JSON parsed, and the harness delivers what the stand-in host queued."""

import unittest

import _paths  # noqa: F401

from liveplug import Broadcast, LiveView, PresenceDiff, Sent, Template, ViewError, presence, pubsub, timers
from liveplug import _types
from liveplug.messages import from_wit, to_wit
from liveplug.testing import ViewHarness, host, reset_host

BOX = Template('<div id="box">{seen}</div>')


class Inbox(LiveView):
    """Records every message, and reacts to a few with the capabilities."""

    def __init__(self):
        self.seen = []

    def handle_event(self, name, value, target):
        if name == "send":
            timers.send_self(value)
        elif name == "subscribe":
            pubsub.subscribe(value["topic"])
        elif name == "say":
            pubsub.broadcast(value["topic"], value["payload"], exclude_self=value.get("exclude_self", False))
        elif name == "later":
            return {"id": timers.send_after(value, 100)}
        elif name == "every":
            return {"id": timers.interval(value, 10)}
        elif name == "cancel":
            timers.cancel(value["id"])
        elif name == "join":
            presence.track(value["topic"], value["key"], {"name": value["key"]})

    def handle_info(self, message):
        self.seen.append(message)
        match message:
            case Sent({"again": n}) if n > 0:
                timers.send_self({"again": n - 1})
            case Sent({"fail": reason}):
                raise ViewError(reason)
            case Sent({"boom": _}):
                raise KeyError("boom")

    def render(self):
        return BOX(seen=str(len(self.seen)))


class FromWitTest(unittest.TestCase):
    def test_each_case_is_parsed(self):
        self.assertEqual(from_wit(_types.Message_Sent('{"tick":true}')), Sent({"tick": True}))
        self.assertEqual(from_wit(_types.Message_Sent("null")), Sent(None))
        self.assertEqual(
            from_wit(_types.Message_Broadcast(_types.Broadcast("room:a", '{"from":"bob","text":"<hi>"}'))),
            Broadcast("room:a", {"from": "bob", "text": "<hi>"}),
        )
        self.assertEqual(
            from_wit(_types.Message_Presence(_types.PresenceDiff("room:a", '{"bob":{"metas":[{"phx_ref":"1"}]}}', "{}"))),
            PresenceDiff("room:a", {"bob": {"metas": [{"phx_ref": "1"}]}}, {}),
        )

    def test_json_that_does_not_parse_is_a_view_error(self):
        with self.assertRaisesRegex(ViewError, "the sent payload is not JSON"):
            from_wit(_types.Message_Sent("{"))
        with self.assertRaisesRegex(ViewError, "broadcast on 'room:a' is not JSON"):
            from_wit(_types.Message_Broadcast(_types.Broadcast("room:a", "")))
        with self.assertRaisesRegex(ViewError, "leaves of the presence diff on 'room:a' is not a JSON object"):
            from_wit(_types.Message_Presence(_types.PresenceDiff("room:a", "{}", "[]")))
        with self.assertRaisesRegex(ViewError, "unknown message str"):
            from_wit("{}")

    def test_to_wit_is_the_inverse(self):
        for message in [Sent({"a": [1, "é"]}), Broadcast("t", "x"), PresenceDiff("t", {"k": {"metas": []}}, {})]:
            self.assertEqual(from_wit(to_wit(message, _types)), message)
        self.assertEqual(to_wit(Sent({"a": "é"}), _types), _types.Message_Sent('{"a":"é"}'))

    def test_messages_are_frozen_and_match_by_position(self):
        with self.assertRaises(AttributeError):
            Sent(1).payload = 2
        match Broadcast("room:a", {"text": "hi"}):
            case Broadcast(topic, {"text": text}):
                self.assertEqual((topic, text), ("room:a", "hi"))
            case _:
                self.fail("no match")
        self.assertEqual(PresenceDiff("t"), PresenceDiff("t", {}, {}))


class HandleInfoTest(unittest.TestCase):
    def setUp(self):
        reset_host()
        self.h = ViewHarness(Inbox).mount()

    def test_the_view_gets_typed_messages_with_parsed_payloads(self):
        self.h.info(Sent({"n": 1}))
        self.h.info(Broadcast("room:a", ["x", 2]))
        self.h.info(PresenceDiff("room:a", {"bob": {"metas": [{"phx_ref": "1"}]}}))
        self.h.info({"plain": "json"})  # shorthand for Sent
        self.assertEqual(
            self.h.view.seen,
            [
                Sent({"n": 1}),
                Broadcast("room:a", ["x", 2]),
                PresenceDiff("room:a", {"bob": {"metas": [{"phx_ref": "1"}]}}, {}),
                Sent({"plain": "json"}),
            ],
        )
        self.assertEqual(self.h.html(), '<div id="box">4</div>')

    def test_errors_in_handle_info_are_view_errors(self):
        with self.assertRaises(ViewError) as caught:
            self.h.info(Sent({"fail": "refused"}))
        self.assertEqual(caught.exception.message, "refused")
        with self.assertRaises(ViewError) as caught:
            self.h.info(Sent({"boom": 1}))
        self.assertEqual(caught.exception.message, "handle_info: KeyError: 'boom'")
        with self.assertRaisesRegex(ViewError, "not JSON"):
            self.h.runtime.handle_info(_types.Message_Sent("nope"))

    def test_deliver_hands_over_send_self_and_what_it_queues(self):
        self.h.event("send", {"again": 2})
        self.assertEqual(self.h.view.seen, [])  # after the handler, not during it
        delivered = self.h.deliver()
        self.assertEqual(delivered, [Sent({"again": 2}), Sent({"again": 1}), Sent({"again": 0})])
        self.assertEqual(self.h.view.seen, delivered)
        self.assertEqual(self.h.deliver(), [])

    def test_deliver_stops_a_view_that_keeps_sending_itself_messages(self):
        self.h.event("send", {"again": 1000})
        with self.assertRaisesRegex(AssertionError, "more than 5 messages"):
            self.h.deliver(limit=5)

    def test_broadcasts_reach_the_session_unless_excluded(self):
        self.h.event("say", {"topic": "room:a", "payload": "not subscribed"})
        self.h.event("subscribe", {"topic": "room:a"})
        self.h.event("say", {"topic": "room:a", "payload": {"text": "mine"}})
        self.h.event("say", {"topic": "room:a", "payload": {"text": "others"}, "exclude_self": True})
        self.assertEqual(self.h.deliver(), [Broadcast("room:a", {"text": "mine"})])
        self.assertEqual([b[2] for b in host().broadcasts], [False, False, True])

    def test_presence_diffs_reach_subscribed_sessions(self):
        self.h.event("subscribe", {"topic": "room:a"})
        self.h.event("join", {"topic": "room:a", "key": "alice"})
        host().join("room:a", "bob")
        host().leave("room:a", "bob")
        host().leave("room:a", "alice")  # only this session holds alice: nothing leaves
        diffs = self.h.deliver()
        self.assertEqual([(sorted(d.joins), sorted(d.leaves)) for d in diffs], [(["alice"], []), (["bob"], []), ([], ["bob"])])
        self.assertEqual(list(presence.list("room:a")), ["alice"])

    def test_timer_ids_round_trip_to_cancel_and_fire(self):
        later = self.h.event("later", {"note": "x"})["id"]
        every = self.h.event("every", {"tick": True})["id"]
        self.assertEqual(self.h.fire(every), Sent({"tick": True}))
        self.h.fire(every)
        self.h.fire(later)
        with self.assertRaisesRegex(KeyError, f"timer {later} is not running"):
            self.h.fire(later)  # a send_after timer fires once
        self.h.event("cancel", {"id": every})
        self.assertEqual(host().cancelled, [every])
        with self.assertRaises(KeyError):
            self.h.fire(every)
        self.assertEqual(self.h.view.seen, [Sent({"tick": True}), Sent({"tick": True}), Sent({"note": "x"})])

    def test_host_refusals_in_handlers_end_the_session_with_the_reason(self):
        reset_host(refuse={"pubsub.subscribe": "too many topics"})
        with self.assertRaises(ViewError) as caught:
            self.h.event("subscribe", {"topic": "room:a"})
        self.assertEqual(caught.exception.message, 'handle_event "subscribe": PubSubError: too many topics')

    def test_the_default_handle_info_does_nothing(self):
        class Quiet(LiveView):
            def render(self):
                return BOX(seen="quiet")

        h = ViewHarness(Quiet).mount()
        h.info(Broadcast("t", 1))
        self.assertEqual(h.html(), '<div id="box">quiet</div>')


if __name__ == "__main__":
    unittest.main()
