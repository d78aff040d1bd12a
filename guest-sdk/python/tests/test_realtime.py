"""The realtime test view (tests/guests/realtime-py, the spec every language implements) under
the stand-in host: pubsub, timers and presence, step by step, with the HTML the host would
write; and the built component in wasmtime, when it is there."""

import json
import os
import unittest

import _paths

from liveplug import Broadcast, PresenceDiff, Sent, ViewError
from liveplug.testing import Timer, ViewHarness, host, load_view, reset_host

try:
    import wasmtime  # noqa: F401

    import smoke
except ImportError:  # plain CPython without the venv
    smoke = None

realtime_app, Realtime = load_view(os.path.join(_paths.REPO, "tests", "guests", "realtime-py", "app.py"))


def page(ticks=0, online="", log=()):
    items = "".join(f"<li>{entry}</li>" for entry in log)
    return (
        f'<section id="realtime"><p id="ticks">ticks: {ticks}</p><p id="online">online: {online}</p>'
        f'<ul id="log">{items}</ul></section>'
    )


class OnlineOfTest(unittest.TestCase):
    def test_keys_by_code_point_with_counts(self):
        online_of = realtime_app.online_of
        self.assertEqual(online_of({}), "")
        metas = lambda n: {"metas": [{"phx_ref": str(i)} for i in range(n)]}  # noqa: E731
        self.assertEqual(online_of({"bob": metas(1), "Zoe": metas(3), "alice": metas(2), "émile": metas(1)}), "Zoe (3), alice (2), bob, émile")
        self.assertEqual(online_of({"ghost": metas(0)}), "ghost (0)")  # as the Rust reference writes it


class RealtimeViewTest(unittest.TestCase):
    def setUp(self):
        reset_host()

    def connected(self, **params):
        h = ViewHarness(Realtime).mount(params=params or {"user": "alice", "room": "lobby"}, connected=True)
        h.deliver()
        return h

    def test_the_dead_render_touches_nothing(self):
        h = ViewHarness(Realtime).mount(params={"user": "", "room": 3})
        self.assertEqual(h.html(), page())
        self.assertEqual((h.view.user, h.view.topic), ("anon", "room:lobby"))
        self.assertEqual((host().subscriptions, host().presence), (set(), {}))

    def test_mount_subscribes_tracks_and_lists(self):
        host().join("room:lobby", "bob", {"name": "bob"})
        host().join("room:lobby", "alice", {"name": "alice"})
        h = self.connected()
        self.assertEqual(host().subscriptions, {"room:lobby"})
        self.assertEqual(h.html(), page(online="alice (2), bob"))
        self.assertIsNone(host().title)
        h2 = ViewHarness(Realtime).mount(params={"room": "other"}, connected=True)
        self.assertEqual(h2.view.topic, "room:other")
        self.assertEqual(h2.html(), page(online="anon"))

    def test_say_reaches_everyone_and_say_others_everyone_else(self):
        h = self.connected()
        h.event("say", {"text": "<hi>"})
        self.assertEqual(h.html(), page(online="alice"))  # delivered after the handler
        h.deliver()
        self.assertEqual(h.html(), page(online="alice", log=["alice: &lt;hi&gt;"]))
        h.event("say-others", {"text": "psst"})
        self.assertEqual(h.deliver(), [])
        self.assertEqual(host().broadcasts[-1], ("room:lobby", {"from": "alice", "text": "psst"}, True))
        h.info(Broadcast("room:lobby", {"from": "bob", "text": "yo"}))
        self.assertEqual(h.html(), page(online="alice", log=["alice: &lt;hi&gt;", "me: psst", "bob: yo"]))

    def test_tick_stop_later_and_self(self):
        h = self.connected()
        h.event("tick", {"ms": "50"})
        first = h.view.timer
        self.assertEqual(host().timers, {first: Timer("interval", {"tick": True}, 50)})
        h.fire(first)
        h.fire(first)
        h.event("tick", {"ms": "20"})  # a new interval replaces the old one
        second = h.view.timer
        self.assertEqual(host().cancelled, [first])
        self.assertEqual(list(host().timers), [second])
        h.fire(second)
        self.assertEqual(h.html(), page(ticks=3, online="alice"))
        h.event("stop")
        h.event("stop")  # no timer: nothing to cancel
        self.assertEqual((host().cancelled, host().timers, h.view.timer), ([first, second], {}, None))
        h.event("later", {"ms": "100", "text": "later"})
        h.event("self", {"text": "now"})
        h.deliver()
        (later,) = host().timers
        h.fire(later)
        h.info(Sent({"other": 1}))  # neither tick nor note: ignored
        self.assertEqual(h.html(), page(ticks=3, online="alice", log=["note: now", "note: later"]))

    def test_presence_diffs_and_leave(self):
        h = self.connected()
        bob = host().join("room:lobby", "bob", {"name": "bob"})
        host().join("room:lobby", "bob", {"name": "bob"})
        h.deliver()
        self.assertEqual(h.html(), page(online="alice, bob (2)"))
        host().leave("room:lobby", "bob", bob)
        h.deliver()
        self.assertEqual(h.html(), page(online="alice, bob"))
        h.event("leave")
        self.assertEqual(host().subscriptions, set())
        self.assertEqual(h.html(), page(online="bob", log=["left"]))
        self.assertEqual([sorted(d.leaves) for d in h.deliver()], [["alice"]])  # untracked while subscribed
        self.assertEqual(h.html(), page(online="bob", log=["left"]))
        host().join("room:lobby", "carol")
        self.assertEqual(h.deliver(), [])  # no longer subscribed
        h.info(PresenceDiff("room:lobby", {"carol": {"metas": [{}]}}))
        self.assertEqual(h.html(), page(online="bob, carol", log=["left"]))

    def test_the_log_keeps_the_last_20(self):
        h = self.connected()
        for i in range(25):
            h.event("say-others", {"text": str(i)})
        self.assertEqual(h.html(), page(online="alice", log=[f"me: {i}" for i in range(5, 25)]))

    def test_other_events_are_ignored_and_failing_imports_are_view_errors(self):
        h = self.connected()
        self.assertIsNone(h.event("whatever", {"x": "1"}))
        # Fields that are missing or not strings read as "" (ms as 0), as in the Rust reference.
        h.event("say", {})
        h.event("say-others", {"text": 3})
        h.event("self", {"text": None})
        h.deliver()
        self.assertEqual(h.html(), page(online="alice", log=["me: ", "alice: ", "note: "]))
        self.assertEqual(h.event("later", {"ms": "soon"}), None)
        self.assertEqual([t.ms for t in host().timers.values()], [0])
        reset_host(refuse={"pubsub.broadcast": "too many broadcasts"})
        with self.assertRaisesRegex(ViewError, 'handle_event "say": PubSubError: too many broadcasts'):
            h.event("say", {"text": "x"})
        reset_host(refuse={"presence.track": "no"})
        with self.assertRaisesRegex(ViewError, "mount: PresenceError: no"):
            ViewHarness(Realtime).mount(params={}, connected=True)

    def test_the_state_survives_a_snapshot(self):
        h = self.connected()
        h.event("say-others", {"text": "x"})
        h.event("tick", {"ms": "50"})
        h.fire(h.view.timer)
        text = h.snapshot()
        self.assertEqual(
            json.loads(text),
            {
                "v": 1,
                "state": {"user": "alice", "topic": "room:lobby", "ticks": 1, "log": ["me: x"], "timer": h.view.timer, "online": "alice"},
            },
        )
        restored = h.restore(text)
        self.assertEqual(restored.html(), page(ticks=1, online="alice", log=["me: x"]))
        # The timer belongs to the session: it still fires, and the restored view cancels it.
        restored.fire(h.view.timer)
        restored.event("stop")
        self.assertEqual(restored.html(), page(ticks=2, online="alice", log=["me: x"]))
        self.assertEqual(host().timers, {})


def built_realtime():
    """The built component: $LIVEPLUG_PY_PLUGINS/realtime-py.wasm, else where
    `cargo xtask build-plugins` puts it (target/polyglot/)."""
    if smoke is None:
        raise unittest.SkipTest("the wasmtime package is not installed (use target/venv/bin/python)")
    folder = os.environ.get("LIVEPLUG_PY_PLUGINS") or os.path.join(_paths.REPO, "target", "polyglot")
    path = os.path.join(folder, "realtime-py.wasm")
    if not os.path.exists(path):
        raise unittest.SkipTest(f"{path} is not built (guest-sdk/python/build.py tests/guests/realtime-py {path})")
    return path


class RealtimeComponentTest(unittest.TestCase):
    def test_the_component_answers_as_the_native_view(self):
        steps = [
            "!deliver",
            'say={"text":"<hi>"}',
            "!deliver",
            'say-others={"text":"x"}',
            'tick={"ms":"50"}',
            "!fire=1",
            "!fire=1",
            'later={"ms":"10","text":"l"}',
            'self={"text":"s"}',
            "!deliver",
            "!fire=2",
            "stop",
            '!broadcast=room:lobby {"from":"bob","text":"yo"}',
            "leave",
            "!deliver",
            "unknown",
        ]
        path = built_realtime()
        out = smoke.run(path, steps, params='{"user":"alice","room":"lobby"}', connected=True)
        log = ["alice: &lt;hi&gt;", "me: x", "note: s", "note: l", "bob: yo", "left"]
        expected = [
            page(online="alice"),
            page(online="alice"),
            page(online="alice"),
            page(online="alice", log=log[:1]),
            page(online="alice", log=log[:2]),
            page(online="alice", log=log[:2]),
            page(ticks=1, online="alice", log=log[:2]),
            page(ticks=2, online="alice", log=log[:2]),
            page(ticks=2, online="alice", log=log[:2]),
            page(ticks=2, online="alice", log=log[:2]),
            page(ticks=2, online="alice", log=log[:3]),
            page(ticks=2, online="alice", log=log[:4]),
            page(ticks=2, online="alice", log=log[:4]),
            page(ticks=2, online="alice", log=log[:5]),
            page(ticks=2, online="", log=log),
            page(ticks=2, online="", log=log),
            page(ticks=2, online="", log=log),
        ]
        self.assertEqual(out["mount"], {"ok": None})
        self.assertEqual(out["renders"], expected)
        self.assertEqual([e["reply"] for e in out["events"]], [{"ok": None}] * len(steps))
        self.assertEqual(out["restored_render"], expected[-1])
        calls = [c for c in out["host_calls"] if c[0] != "log"]
        self.assertEqual(
            calls,
            [
                ["subscribe", "room:lobby"],
                ["track", "room:lobby", "alice", '{"name":"alice"}'],
                ["broadcast", "room:lobby", '{"from":"alice","text":"<hi>"}', False],
                ["broadcast", "room:lobby", '{"from":"alice","text":"x"}', True],
                ["interval", '{"tick":true}', 50, 1],
                ["send-after", '{"note":"l"}', 10, 2],
                ["send-self", '{"note":"s"}'],
                ["cancel", 1],
                ["untrack", "room:lobby", "alice"],
                ["unsubscribe", "room:lobby"],
            ],
        )

    def test_a_refused_subscription_fails_the_mount_with_the_reason(self):
        path = built_realtime()
        out = smoke.run(path, [], params=json.dumps({"room": "x" * 300}), connected=True)
        self.assertEqual(out["mount"], {"err": f"mount: PubSubError: invalid topic {'room:' + 'x' * 300!r}"})


if __name__ == "__main__":
    unittest.main()
