"""The ``liveplug:view/types`` message types for native use (``liveplug.testing``): the same
class names and fields as the bindings componentize-py generates, so the harness hands
``handle_info`` what a component gets from the host (payloads as JSON strings)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass
class Broadcast:
    topic: str
    payload: str


@dataclass
class PresenceDiff:
    topic: str
    joins: str
    leaves: str


@dataclass
class Message_Sent:
    value: str


@dataclass
class Message_Broadcast:
    value: Broadcast


@dataclass
class Message_Presence:
    value: PresenceDiff


Message = Union[Message_Sent, Message_Broadcast, Message_Presence]
