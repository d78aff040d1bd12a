"""What ``LiveView.handle_info`` receives: the WIT variant ``types.message`` as Python values,
with its JSON already parsed.

- ``Sent(payload)``: from ``timers.send_self``, ``send_after`` or ``interval``;
- ``Broadcast(topic, payload)``: from ``pubsub.broadcast`` on a subscribed topic;
- ``PresenceDiff(topic, joins, leaves)``: who arrived on and left a presence topic the session
  subscribes to (Phoenix.Presence diffs: ``{"<key>": {"metas": [{..., "phx_ref": ...}]}}``).

They are frozen dataclasses, so ``match`` takes them apart::

    match message:
        case Sent({"tick": _}):
            self.ticks += 1
        case Broadcast(topic, {"from": who, "text": text}):
            self.log.append(f"{who}: {text}")
        case PresenceDiff(topic, joins, leaves):
            self.online = sorted(presence.list(topic))

``from_wit`` turns the generated bindings' ``Message_Sent`` / ``Message_Broadcast`` /
``Message_Presence`` (or the native stand-ins in ``liveplug._types``) into these.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Union

from .view import ViewError

__all__ = ["Sent", "Broadcast", "PresenceDiff", "Message", "from_wit", "to_wit"]


@dataclass(frozen=True)
class Sent:
    """A message this session sent itself (``timers.send_self``, ``send_after``, ``interval``):
    the payload given there, decoded."""

    payload: Any


@dataclass(frozen=True)
class Broadcast:
    """A broadcast on a topic this session subscribes to: what the broadcaster sent, decoded."""

    topic: str
    payload: Any


@dataclass(frozen=True)
class PresenceDiff:
    """Who arrived on (``joins``) and left (``leaves``) presence ``topic``: dicts
    ``{"<key>": {"metas": [{...meta, "phx_ref": "<ref>"}]}}`` holding only the metas that
    changed (an updated meta leaves under its old ref and joins under a new one)."""

    topic: str
    joins: dict = field(default_factory=dict)
    leaves: dict = field(default_factory=dict)


Message = Union[Sent, Broadcast, PresenceDiff]


def _parse(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise ViewError(f"handle_info: the {what} is not JSON: {error}") from None


def _object(text: str, what: str) -> dict:
    value = _parse(text, what)
    if not isinstance(value, dict):
        raise ViewError(f"handle_info: the {what} is not a JSON object")
    return value


def from_wit(message: Any) -> Message:
    """The WIT ``message`` (binding classes, matched by name as elsewhere in the SDK) as a
    ``Sent``, ``Broadcast`` or ``PresenceDiff``; JSON that does not parse is a ``ViewError``."""
    kind = type(message).__name__
    if kind == "Message_Sent":
        return Sent(_parse(message.value, "sent payload"))
    if kind == "Message_Broadcast":
        value = message.value
        return Broadcast(value.topic, _parse(value.payload, f"payload of the broadcast on {value.topic!r}"))
    if kind == "Message_Presence":
        value = message.value
        return PresenceDiff(
            value.topic,
            _object(value.joins, f"joins of the presence diff on {value.topic!r}"),
            _object(value.leaves, f"leaves of the presence diff on {value.topic!r}"),
        )
    raise ViewError(f"handle_info: unknown message {kind}")


def _dumps(value: Any) -> str:
    from .snapshot import to_json

    return json.dumps(to_json(value), separators=(",", ":"), ensure_ascii=False)


def to_wit(message: Message, types: Any) -> Any:
    """``message`` in the shape of the WIT ``message``, built with the classes of ``types`` (the
    bindings' ``types`` module or ``liveplug._types``), payloads as JSON strings: what the host
    sends. For tests and tools."""
    if isinstance(message, Sent):
        return types.Message_Sent(_dumps(message.payload))
    if isinstance(message, Broadcast):
        return types.Message_Broadcast(types.Broadcast(message.topic, _dumps(message.payload)))
    if isinstance(message, PresenceDiff):
        return types.Message_Presence(types.PresenceDiff(message.topic, _dumps(message.joins), _dumps(message.leaves)))
    raise TypeError(f"{message!r} is not a Sent, Broadcast or PresenceDiff")
