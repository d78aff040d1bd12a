import unittest

import _paths  # noqa: F401

from types import SimpleNamespace

from liveplug import (
    Broadcast,
    HostError,
    KeyValueError,
    PresenceDiff,
    PresenceError,
    PubSubError,
    Sent,
    TimerError,
    flash,
    keyvalue,
    log,
    navigation,
    page,
    presence,
    pubsub,
    timers,
)
from liveplug import host as capabilities
from liveplug.testing import Timer, host, reset_host


class NativeHostTest(unittest.TestCase):
    def setUp(self):
        reset_host()

    def test_no_bindings_outside_a_component(self):
        self.assertFalse(capabilities.in_component())

    def test_page_title_and_events(self):
        page.set_title("Hello")
        page.push_event("highlight", {"id": 3})
        page.push_event("ping", before_patch=True)
        self.assertEqual(host().title, "Hello")
        self.assertEqual(host().events, [("highlight", {"id": 3}, False), ("ping", {}, True)])

    def test_the_last_navigation_wins(self):
        navigation.push_patch("/items?page=2")
        self.assertEqual(host().navigation, ("patch", "/items?page=2", False))
        navigation.push_navigate("/other", replace=True)
        self.assertEqual(host().navigation, ("navigate", "/other", True))
        navigation.redirect("/login")
        self.assertEqual(host().navigation, ("redirect", "/login", False))
        navigation.redirect_external("https://example.org/")
        self.assertEqual(host().navigation, ("external", "https://example.org/", False))

    def test_flash(self):
        reset_host(flash={"info": "seeded"})
        self.assertEqual(flash.get("info"), "seeded")
        flash.put("error", "bad")
        self.assertEqual(flash.all(), [("error", "bad"), ("info", "seeded")])
        flash.clear("info")
        self.assertIsNone(flash.get("info"))
        flash.clear_all()
        self.assertEqual(flash.all(), [])

    def test_keyvalue(self):
        keyvalue.set("a/1", "x")
        keyvalue.set("a/2", "y")
        keyvalue.set("b", "z")
        self.assertEqual(keyvalue.get("a/1"), "x")
        self.assertEqual(keyvalue.keys("a/"), ["a/1", "a/2"])
        self.assertEqual(keyvalue.keys(), ["a/1", "a/2", "b"])
        self.assertTrue(keyvalue.delete("b"))
        self.assertFalse(keyvalue.delete("b"))
        self.assertIsNone(keyvalue.get("b"))
        reset_host(kv_limit=4)
        with self.assertRaises(KeyValueError):
            keyvalue.set("key", "value")

    def test_log_levels(self):
        log.info("one")
        log.warn("two")
        log.log("trace", "three")
        self.assertEqual(host().logs, [("info", "one"), ("warn", "two"), ("trace", "three")])
        with self.assertRaisesRegex(ValueError, "log level 'loud'"):
            log.log("loud", "x")


class NativePubSubTest(unittest.TestCase):
    def setUp(self):
        reset_host()

    def test_subscriptions(self):
        pubsub.subscribe("room:a")
        pubsub.subscribe("room:a")
        pubsub.subscribe("room:b")
        self.assertEqual(host().subscriptions, {"room:a", "room:b"})
        pubsub.unsubscribe("room:b")
        pubsub.unsubscribe("room:never")
        self.assertEqual(host().subscriptions, {"room:a"})

    def test_broadcasts_are_recorded_and_reach_this_session_when_subscribed_and_not_excluded(self):
        pubsub.subscribe("room:a")
        pubsub.broadcast("room:a", {"text": "é", "n": (1, 2)})
        pubsub.broadcast("room:a", {"text": "others"}, exclude_self=True)
        pubsub.broadcast("room:b", "elsewhere")
        self.assertEqual(
            host().broadcasts,
            [("room:a", {"text": "é", "n": [1, 2]}, False), ("room:a", {"text": "others"}, True), ("room:b", "elsewhere", False)],
        )
        self.assertEqual(host().outbox, [Broadcast("room:a", {"text": "é", "n": [1, 2]})])

    def test_refusals_raise_pubsub_errors_with_the_reason(self):
        with self.assertRaisesRegex(PubSubError, "invalid topic ''") as caught:
            pubsub.subscribe("")
        self.assertIsInstance(caught.exception, HostError)
        with self.assertRaises(PubSubError):
            pubsub.broadcast("x" * 257, {})
        reset_host(refuse={"pubsub.subscribe": "too many topics", "pubsub.broadcast": "too many broadcasts"})
        with self.assertRaises(PubSubError) as caught:
            pubsub.subscribe("room:a")
        self.assertEqual(caught.exception.reason, "too many topics")
        self.assertEqual(str(caught.exception), "too many topics")
        with self.assertRaisesRegex(PubSubError, "^too many broadcasts$"):
            pubsub.broadcast("room:a", {})
        self.assertEqual(host().subscriptions, set())
        self.assertEqual(host().broadcasts, [])

    def test_payloads_must_be_json(self):
        with self.assertRaisesRegex(TypeError, "not JSON"):
            pubsub.broadcast("room:a", object())
        with self.assertRaisesRegex(TypeError, "not JSON"):
            timers.send_self(float("nan"))


class NativeTimersTest(unittest.TestCase):
    def setUp(self):
        reset_host()

    def test_send_self_queues_the_payload(self):
        timers.send_self({"note": "hi"})
        timers.send_self(None)
        self.assertEqual(host().sent, [{"note": "hi"}, None])
        self.assertEqual(host().outbox, [Sent({"note": "hi"}), Sent(None)])

    def test_timer_ids_are_ints_and_cancel_takes_them_back(self):
        later = timers.send_after({"note": "later"}, 1500)
        tick = timers.interval({"tick": True}, 50)
        self.assertIsInstance(later, int)
        self.assertNotEqual(later, tick)
        self.assertEqual(host().timers, {later: Timer("after", {"note": "later"}, 1500), tick: Timer("interval", {"tick": True}, 50)})
        timers.cancel(tick)
        timers.cancel(tick)  # already gone: nothing happens
        timers.cancel(12345)
        self.assertEqual(host().cancelled, [tick, tick, 12345])
        self.assertEqual(list(host().timers), [later])

    def test_bad_arguments_and_refusals(self):
        with self.assertRaisesRegex(TypeError, "send_after ms: an int, not str"):
            timers.send_after({}, "10")
        with self.assertRaisesRegex(ValueError, "out of range"):
            timers.interval({}, 2**32)
        with self.assertRaisesRegex(TypeError, "a timer id is an int"):
            timers.cancel("1")
        reset_host(refuse={"timers.interval": "too many timers", "timers.send_self": "payload too large"})
        with self.assertRaisesRegex(TimerError, "^too many timers$"):
            timers.interval({}, 100)
        with self.assertRaisesRegex(TimerError, "^payload too large$"):
            timers.send_self({})
        self.assertEqual(timers.send_after({}, 0), 1)


class NativePresenceTest(unittest.TestCase):
    def setUp(self):
        reset_host()

    def test_track_list_untrack(self):
        pubsub.subscribe("room:a")
        presence.track("room:a", "alice", {"name": "Alice"})
        bob = host().join("room:a", "bob", {"name": "Bob"})
        host().join("room:a", "alice", {"name": "Alice, other tab"})
        listed = presence.list("room:a")
        self.assertEqual(sorted(listed), ["alice", "bob"])
        self.assertEqual([m["name"] for m in listed["alice"]["metas"]], ["Alice", "Alice, other tab"])
        self.assertEqual(listed["bob"], {"metas": [{"name": "Bob", "phx_ref": bob}]})
        self.assertEqual(presence.list("room:empty"), {})
        presence.untrack("room:a", "alice")
        presence.untrack("room:a", "alice")  # not tracked any more: nothing happens
        self.assertEqual([m["name"] for m in presence.list("room:a")["alice"]["metas"]], ["Alice, other tab"])
        diffs = host().outbox
        self.assertTrue(all(isinstance(d, PresenceDiff) and d.topic == "room:a" for d in diffs))
        self.assertEqual([(sorted(d.joins), sorted(d.leaves)) for d in diffs], [(["alice"], []), (["bob"], []), (["alice"], []), ([], ["alice"])])
        self.assertEqual(diffs[-1].leaves["alice"]["metas"][0]["name"], "Alice")

    def test_tracking_again_replaces_this_sessions_meta(self):
        pubsub.subscribe("room:a")
        presence.track("room:a", "alice", {"status": "away"})
        presence.track("room:a", "alice", {"status": "here"})
        self.assertEqual([m["status"] for m in presence.list("room:a")["alice"]["metas"]], ["here"])
        diff = host().outbox[-1]
        self.assertEqual(diff.joins["alice"]["metas"][0]["status"], "here")
        self.assertEqual(diff.leaves["alice"]["metas"][0]["status"], "away")

    def test_diffs_reach_only_subscribed_sessions(self):
        presence.track("room:a", "alice", None)
        self.assertEqual(presence.list("room:a")["alice"]["metas"][0], {"phx_ref": "ref-1"})
        self.assertEqual(host().outbox, [])

    def test_refusals_raise_presence_errors(self):
        with self.assertRaisesRegex(PresenceError, "not a JSON object"):
            presence.track("room:a", "alice", [1])
        with self.assertRaisesRegex(PresenceError, "invalid topic"):
            presence.track("", "alice", {})
        reset_host(refuse={"presence.track": "meta too large"})
        with self.assertRaisesRegex(PresenceError, "^meta too large$"):
            presence.track("room:a", "alice", {})
        self.assertEqual(presence.list("room:a"), {})


class FakeErr(Exception):
    def __init__(self, value):
        super().__init__(value)
        self.value = value


class BindingsTest(unittest.TestCase):
    """The component branch of the wrappers, against stand-ins for the generated bindings
    (their functions raise ``componentize_py_types.Err(reason)`` for a WIT result's error)."""

    def setUp(self):
        self.calls = []
        self.refuse = {}
        self.saved = capabilities._wit
        capabilities._wit = SimpleNamespace(
            pubsub=self.module("pubsub", subscribe=None, unsubscribe=None, broadcast=None),
            timers=self.module("timers", send_self=None, send_after=2**64 - 1, interval=7, cancel=None),
            presence=self.module("presence", track=None, untrack=None, list='{"a":{"metas":[{"phx_ref":"r"}]}}'),
            keyvalue=self.module("keyvalue", set=None),
            Err=FakeErr,
        )

    def tearDown(self):
        capabilities._wit = self.saved

    def module(self, name, **answers):
        def function(fname, answer):
            def call(*args):
                self.calls.append((f"{name}.{fname}", *args))
                reason = self.refuse.get(f"{name}.{fname}")
                if reason is not None:
                    raise FakeErr(reason)
                return answer

            return call

        return SimpleNamespace(**{fname: function(fname, answer) for fname, answer in answers.items()})

    def test_arguments_reach_the_bindings_as_the_wit_has_them(self):
        self.assertTrue(capabilities.in_component())
        pubsub.subscribe("room:a")
        pubsub.broadcast("room:a", {"from": "ä", "text": "hi"})
        pubsub.broadcast("room:a", [1], exclude_self=True)
        pubsub.unsubscribe("room:a")
        timers.send_self({"note": "x"})
        later = timers.send_after({"note": "y"}, 250)
        tick = timers.interval({"tick": True}, 50)
        timers.cancel(later)
        timers.cancel(tick)
        presence.track("room:a", "alice", {"name": "alice"})
        presence.untrack("room:a", "alice")
        self.assertEqual(presence.list("room:a"), {"a": {"metas": [{"phx_ref": "r"}]}})
        self.assertEqual((later, tick), (2**64 - 1, 7))
        self.assertEqual(
            self.calls,
            [
                ("pubsub.subscribe", "room:a"),
                ("pubsub.broadcast", "room:a", '{"from":"ä","text":"hi"}', False),
                ("pubsub.broadcast", "room:a", "[1]", True),
                ("pubsub.unsubscribe", "room:a"),
                ("timers.send_self", '{"note":"x"}'),
                ("timers.send_after", '{"note":"y"}', 250),
                ("timers.interval", '{"tick":true}', 50),
                ("timers.cancel", 2**64 - 1),
                ("timers.cancel", 7),
                ("presence.track", "room:a", "alice", '{"name":"alice"}'),
                ("presence.untrack", "room:a", "alice"),
                ("presence.list", "room:a"),
            ],
        )

    def test_a_result_error_is_raised_with_the_hosts_reason(self):
        cases = [
            ("pubsub.subscribe", PubSubError, lambda: pubsub.subscribe("t")),
            ("pubsub.broadcast", PubSubError, lambda: pubsub.broadcast("t", {}, exclude_self=True)),
            ("timers.send_self", TimerError, lambda: timers.send_self({})),
            ("timers.send_after", TimerError, lambda: timers.send_after({}, 1)),
            ("timers.interval", TimerError, lambda: timers.interval({}, 10)),
            ("presence.track", PresenceError, lambda: presence.track("t", "k", {})),
            ("keyvalue.set", KeyValueError, lambda: keyvalue.set("k", "v")),
        ]
        for call, error, run in cases:
            with self.subTest(call):
                self.refuse[call] = f"{call} refused"
                with self.assertRaises(error) as caught:
                    run()
                self.assertEqual(caught.exception.reason, f"{call} refused")
                self.assertEqual(str(caught.exception), f"{call} refused")
                self.assertIsInstance(caught.exception, HostError)
                self.assertIsNone(caught.exception.__cause__)


if __name__ == "__main__":
    unittest.main()
