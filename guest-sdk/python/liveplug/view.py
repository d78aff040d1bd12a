"""The classes a view and its stateful components subclass."""

from __future__ import annotations

import json
from typing import Any, ClassVar, Optional

__all__ = ["ViewError", "unknown_event", "LiveView", "LiveComponent"]


class ViewError(Exception):
    """Why a handler refuses to go on. The host ends the session (the browser rejoins with a
    fresh mount, as Phoenix does when a LiveView raises) and logs ``message``."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = str(message)


def unknown_event(name: str) -> ViewError:
    """The error for an event this view does not handle: ``unknown event "name"``."""
    return ViewError(f"unknown event {json.dumps(name)}")


class LiveView:
    """A LiveView. Subclass it, give it a no-argument constructor that sets the initial
    state, and implement ``render`` (and the handlers it needs); export it with
    ``liveplug.export(ViewClass)``.

    Every handler has a default that does nothing, except ``handle_event``, whose default
    refuses the event (an unhandled event is a bug worth seeing).

    State for snapshots: by default every attribute whose name does not start with ``_`` is
    saved as JSON (``dump_state``) and set back on a fresh instance (``load_state``), guided by
    the class's annotations (``todos: list[Todo]`` brings dataclasses back).
    """

    #: The paths the view is served at (``"/items/:id"``: ``:id`` reaches ``params``). Empty:
    #: ``/<file stem>``.
    routes: ClassVar[list[str]] = []
    #: The live session (views of one navigate to each other over the socket). ``None``: the
    #: default one.
    live_session: ClassVar[Optional[str]] = None
    #: The snapshot format's version, written in the envelope ``{"v": N, "state": ...}``;
    #: ``None`` turns snapshots off (the host then keeps the session's instance alive).
    snapshot_version: ClassVar[Optional[int]] = 1

    def mount(self, params: Any, session: Any, connected: bool, connect_params: Any) -> None:
        """Called once per instance before anything else (unless restored from a snapshot).
        ``params``: path and query parameters (dict); ``session``: the signed session (dict);
        ``connected``: False for the HTTP dead render; ``connect_params``: the client's
        connect params on a connected mount, else None."""

    def handle_params(self, url: str, params: Any) -> None:
        """Called after mount and on every live patch with the full URL and its parameters."""

    def handle_event(self, name: str, value: Any, target: Optional[int]) -> Any:
        """A browser event: ``value`` is the decoded JSON (a dict for DOM events, form
        payloads already nested). ``target`` is a component id the SDK did not route to a
        placed ``LiveComponent``. Returns an optional reply (JSON-able) for a hook's
        ``pushEvent``."""
        raise unknown_event(name)

    def handle_info(self, message: Any) -> None:
        """A message for this session: ``Sent(payload)`` from ``timers``,
        ``Broadcast(topic, payload)`` from ``pubsub``, ``PresenceDiff(topic, joins, leaves)``
        from ``presence`` (``liveplug.messages``; payloads decoded). The host pushes the
        changed render afterwards. Default: nothing."""

    def render(self) -> Any:
        """The markup for the current state: a ``Tree`` (a ``Template`` call) normally."""
        raise NotImplementedError(f"{type(self).__name__}.render")

    def components_destroyed(self, ids: list[int]) -> None:
        """The browser removed these stateful components; their state may go."""

    def dump_state(self) -> Any:
        """The state to snapshot (JSON-able after the SDK's conversion of dataclasses, sets,
        tuples and int dict keys). Default: every public attribute but streams (their items
        live in the browser; ``__init__`` makes them again, empty)."""
        from .stream import Stream

        return {k: v for k, v in vars(self).items() if not k.startswith("_") and not isinstance(v, Stream)}

    def load_state(self, state: Any) -> None:
        """Sets the state from ``dump_state``'s JSON on a freshly constructed instance.
        Default: each key becomes the attribute, converted by the class's annotations; keys
        absent from the snapshot keep the constructor's value."""
        from .snapshot import load_object

        load_object(self, state)

    @classmethod
    def migrate(cls, from_version: int, state: Any) -> Any:
        """Upgrades the state of a snapshot taken by version ``from_version`` of the view to
        the current shape. Called by restore only when the versions differ; the default
        refuses (the host then mounts the view anew)."""
        raise ViewError("this view does not migrate snapshots (implement LiveView.migrate)")


class LiveComponent:
    """A stateful component: own state, one root element, own events. Place it in a render
    with ``component(id, obj)``; events whose ``phx-target`` is an element of its markup
    (``phx-target="#<its root id>"``) reach its ``handle_event``. Keep components in the
    view's state (a dataclass subclassing this snapshots by the view's annotations)."""

    def render(self, id: int) -> Any:
        """The component's markup: a ``Tree`` whose template has one root element."""
        raise NotImplementedError(f"{type(self).__name__}.render")

    def handle_event(self, name: str, value: Any) -> Any:
        """An event aimed at this component; returns an optional reply."""
        raise unknown_event(name)
