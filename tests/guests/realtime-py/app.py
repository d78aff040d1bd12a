"""The `realtime` test view in Python (the Rust reference is tests/guests/realtime): pubsub,
timers (send_self, send_after, interval, cancel) and presence, with the same behaviour and
byte-identical HTML in every language. The host's integration test drives it over the
websocket at `/realtime-py?user=alice&room=lobby`. The whole state survives hibernation
through the SDK's default snapshots."""

from typing import Optional

from liveplug import Broadcast, LiveView, PresenceDiff, Sent, Template, export, presence, pubsub, timers

PAGE = Template(
    '<section id="realtime">'
    '<p id="ticks">ticks: {ticks}</p>'
    '<p id="online">online: {online}</p>'
    '<ul id="log">{items}</ul>'
    "</section>"
)
ITEM = Template("<li>{entry}</li>")

LOG_SIZE = 20


def online_of(entries: dict) -> str:
    """The keys of a presence list sorted by code point (UTF-8 byte order), each `key` with
    one meta and `key (n)` with n, joined with ", "."""
    out = []
    for key in sorted(entries):
        entry = entries[key]
        n = len(entry.get("metas", [])) if isinstance(entry, dict) else 0
        out.append(key if n == 1 else f"{key} ({n})")
    return ", ".join(out)


def text(value: object, name: str) -> str:
    """The string field `name` of a JSON object, or "" (as the Rust reference reads fields)."""
    field = value.get(name) if isinstance(value, dict) else None
    return field if isinstance(field, str) else ""


def millis(value: object) -> int:
    """The decimal string field `ms`, or 0; at most 2**32 - 1 (the Rust SDK saturates)."""
    ms = text(value, "ms")
    return min(int(ms), 2**32 - 1) if ms.isascii() and ms.isdigit() else 0


@export
class Realtime(LiveView):
    user: str
    topic: str
    ticks: int
    log: list[str]
    timer: Optional[int]
    online: str

    def __init__(self):
        self.user = "anon"
        self.topic = "room:lobby"
        self.ticks = 0
        self.log = []
        self.timer = None
        self.online = ""

    def mount(self, params, session, connected, connect_params):
        self.user = text(params, "user") or "anon"
        self.topic = "room:" + (text(params, "room") or "lobby")
        if connected:
            pubsub.subscribe(self.topic)
            presence.track(self.topic, self.user, {"name": self.user})
            self.online = online_of(presence.list(self.topic))

    def add(self, entry: str) -> None:
        self.log.append(entry)
        del self.log[:-LOG_SIZE]

    def handle_event(self, name, value, target):
        if name == "say":
            pubsub.broadcast(self.topic, {"from": self.user, "text": text(value, "text")}, exclude_self=False)
        elif name == "say-others":
            said = text(value, "text")
            pubsub.broadcast(self.topic, {"from": self.user, "text": said}, exclude_self=True)
            self.add("me: " + said)
        elif name == "tick":
            if self.timer is not None:
                timers.cancel(self.timer)
                self.timer = None
            self.timer = timers.interval({"tick": True}, millis(value))
        elif name == "stop":
            if self.timer is not None:
                timers.cancel(self.timer)
            self.timer = None
        elif name == "later":
            timers.send_after({"note": text(value, "text")}, millis(value))
        elif name == "self":
            timers.send_self({"note": text(value, "text")})
        elif name == "leave":
            presence.untrack(self.topic, self.user)
            pubsub.unsubscribe(self.topic)
            self.add("left")
            self.online = online_of(presence.list(self.topic))
        # Any other event is ignored. A failing import call raises: a view error.

    def handle_info(self, message):
        match message:
            case Sent(dict() as payload) if "tick" in payload:
                self.ticks += 1
            case Sent(dict() as payload) if "note" in payload:
                self.add("note: " + text(payload, "note"))
            case Broadcast(_, payload):
                self.add(text(payload, "from") + ": " + text(payload, "text"))
            case PresenceDiff(topic, _, _):
                self.online = online_of(presence.list(topic))

    def render(self):
        return PAGE(
            ticks=str(self.ticks),
            online=self.online,
            items=[ITEM(entry=entry) for entry in self.log],
        )
