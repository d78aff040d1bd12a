"""The host's capabilities (the WIT imports ``log``, ``page``, ``navigation``, ``flash``,
``keyvalue``, ``pubsub``, ``timers`` and ``presence``) as plain functions.

In a component they call the bindings componentize-py generates (``wit_world.imports``). In
plain CPython (unit tests of a view) there are no bindings, and the calls reach the in-process
stand-in ``liveplug.testing.host()`` instead, which records them: a view that sets titles,
navigates, reads flash and key-value data, subscribes, broadcasts, sets timers or tracks
presence is testable without a host.

A call the host refuses (a WIT ``result`` error) raises a ``HostError`` subclass whose
``str()`` (and ``reason``) is the host's reason: ``KeyValueError``, ``PubSubError``,
``TimerError``, ``PresenceError``. Raised in a handler, it ends the session as any exception
does (``handle_event "say": PubSubError: <reason>``) unless the view catches it.

The bindings are imported on the first call, never when this module is imported.
"""

from __future__ import annotations

import json
from typing import Any, Optional

__all__ = [
    "set_title",
    "push_event",
    "push_patch",
    "push_navigate",
    "redirect",
    "redirect_external",
    "flash_put",
    "flash_clear",
    "flash_clear_all",
    "flash_get",
    "flash_all",
    "kv_get",
    "kv_set",
    "kv_delete",
    "kv_keys",
    "subscribe",
    "unsubscribe",
    "broadcast",
    "send_self",
    "send_after",
    "interval",
    "cancel",
    "track",
    "untrack",
    "presence_list",
    "HostError",
    "KeyValueError",
    "PubSubError",
    "TimerError",
    "PresenceError",
    "log",
    "trace",
    "debug",
    "info",
    "warn",
    "error",
    "in_component",
]

_wit: Any = None  # the binding modules (a namespace), or False natively


def _imports() -> Any:
    """The generated binding modules, imported together on first use. A component has no
    filesystem at run time: ``liveplug._component`` calls this at build time (pre-init), so
    the modules are in the snapshot."""
    global _wit
    if _wit is None:
        try:
            from types import SimpleNamespace

            from componentize_py_types import Err  # type: ignore[import-not-found]
            from wit_world.imports import flash, keyvalue, navigation, page  # type: ignore[import-not-found]
            from wit_world.imports import log as wit_log  # type: ignore[import-not-found]
            from wit_world.imports import presence, pubsub, timers  # type: ignore[import-not-found]

            _wit = SimpleNamespace(
                flash=flash,
                keyvalue=keyvalue,
                navigation=navigation,
                page=page,
                log=wit_log,
                pubsub=pubsub,
                timers=timers,
                presence=presence,
                Err=Err,
            )
        except ImportError:
            _wit = False
    return _wit


def in_component() -> bool:
    """Whether the generated bindings are present (running inside a component)."""
    return bool(_imports())


def _native() -> Any:
    from . import testing

    return testing.host()


# --- page -------------------------------------------------------------------------------


def set_title(title: str) -> None:
    """Sets the document title (sent with the current handler's reply)."""
    wit = _imports()
    if wit:
        page = _imports().page
        page.set_title(str(title))
    else:
        _native().title = str(title)


def push_event(name: str, payload: Any = None, before_patch: bool = False) -> None:
    """Dispatches ``phx:<name>`` in the browser (and to hooks' ``handleEvent(name)``) with
    ``payload`` (any JSON value; ``None`` is ``{}``) as its detail."""
    text = json.dumps({} if payload is None else payload, separators=(",", ":"))
    wit = _imports()
    if wit:
        page = _imports().page
        page.push_event(name, text, before_patch)
    else:
        _native().events.append((name, json.loads(text), before_patch))


# --- navigation -------------------------------------------------------------------------


def _history(replace: bool) -> Any:
    navigation = _imports().navigation
    return navigation.History.REPLACE if replace else navigation.History.PUSH


def push_patch(to: str, replace: bool = False) -> None:
    """Changes the URL within this view without a page load: ``handle_params`` runs for
    ``to``, then the view re-renders. The handler's last navigation call wins."""
    if _imports():
        navigation = _imports().navigation
        navigation.push_patch(to, _history(replace))
    else:
        _native().navigation = ("patch", to, replace)


def push_navigate(to: str, replace: bool = False) -> None:
    """Mounts the view routed at ``to`` over the same socket when it is in this view's live
    session; otherwise the browser loads the page."""
    if _imports():
        navigation = _imports().navigation
        navigation.push_navigate(to, _history(replace))
    else:
        _native().navigation = ("navigate", to, replace)


def redirect(to: str) -> None:
    """Ends the view: the browser loads ``to``, a path on this host (flash goes along)."""
    if _imports():
        navigation = _imports().navigation
        navigation.redirect(navigation.Location_Path(to))
    else:
        _native().navigation = ("redirect", to, False)


def redirect_external(url: str) -> None:
    """Ends the view: the browser loads ``url``, an absolute http(s) URL."""
    if _imports():
        navigation = _imports().navigation
        navigation.redirect(navigation.Location_External(url))
    else:
        _native().navigation = ("external", url, False)


# --- flash ------------------------------------------------------------------------------


def flash_put(kind: str, message: str) -> None:
    """Sets the flash message of ``kind`` (``info``, ``error``...)."""
    if _imports():
        flash = _imports().flash
        flash.put(kind, message)
    else:
        _native().flash[kind] = message


def flash_clear(kind: str) -> None:
    """Removes the flash message of ``kind``."""
    if _imports():
        flash = _imports().flash
        flash.clear(kind)
    else:
        _native().flash.pop(kind, None)


def flash_clear_all() -> None:
    """Removes every flash message."""
    if _imports():
        flash = _imports().flash
        flash.clear(None)
    else:
        _native().flash.clear()


def flash_get(kind: str) -> Optional[str]:
    """The flash message of ``kind``, if any."""
    if _imports():
        flash = _imports().flash
        return flash.get(kind)
    return _native().flash.get(kind)


def flash_all() -> list[tuple[str, str]]:
    """Every flash message as ``(kind, message)``, sorted by kind."""
    if _imports():
        flash = _imports().flash
        return [tuple(pair) for pair in flash.all()]  # type: ignore[misc]
    return sorted(_native().flash.items())


# --- keyvalue ---------------------------------------------------------------------------


class HostError(Exception):
    """A call the host refused (its WIT ``result`` was an error); ``str()`` and ``reason`` are
    the host's reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = str(reason)


class KeyValueError(HostError):
    """The host refused a ``kv_set`` (key, value or map over its limits); ``str()`` is why."""


def _refusable(error: type, call: Any) -> Any:
    """Runs a binding call whose WIT result may be an error; the error becomes ``error``."""
    Err = _imports().Err
    try:
        return call()
    except Err as refused:
        raise error(str(refused.value)) from None


def kv_get(key: str) -> Optional[str]:
    """The value of ``key`` in the live session's shared map, if set."""
    if _imports():
        keyvalue = _imports().keyvalue
        return keyvalue.get(key)
    return _native().kv.get(key)


def kv_set(key: str, value: str) -> None:
    """Sets ``key``; raises ``KeyValueError`` with the host's reason when refused."""
    if _imports():
        keyvalue = _imports().keyvalue
        _refusable(KeyValueError, lambda: keyvalue.set(key, value))
    else:
        host = _native()
        if host.kv_limit is not None and len(key) + len(value) > host.kv_limit:
            raise KeyValueError(f"{key!r}: over the stand-in's limit of {host.kv_limit} bytes")
        host.kv[key] = value


def kv_delete(key: str) -> bool:
    """Removes ``key``; whether it was set."""
    if _imports():
        keyvalue = _imports().keyvalue
        return keyvalue.delete(key)
    return _native().kv.pop(key, None) is not None


def kv_keys(prefix: str = "") -> list[str]:
    """The keys that start with ``prefix``, sorted."""
    if _imports():
        keyvalue = _imports().keyvalue
        return list(keyvalue.keys(prefix))
    return sorted(k for k in _native().kv if k.startswith(prefix))


# --- payloads -----------------------------------------------------------------------------


def _json(value: Any) -> str:
    """``value`` as compact JSON, converted as snapshots are (dataclasses, tuples, sets, enums,
    int dict keys); anything else is a ``TypeError``."""
    from .snapshot import to_json

    return json.dumps(to_json(value), separators=(",", ":"), ensure_ascii=False)


def _u32(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what}: an int, not {type(value).__name__}")
    if not 0 <= value < 2**32:
        raise ValueError(f"{what}: {value} is out of range (0 to 2**32 - 1)")
    return value


# --- pubsub -----------------------------------------------------------------------------


class PubSubError(HostError):
    """The host refused a ``subscribe`` or ``broadcast`` (an invalid topic, a payload over its
    limit, past its limit of topics per session or broadcasts per handler); ``str()`` is why."""


def subscribe(topic: str) -> None:
    """Subscribes this session to ``topic`` (twice is once): its broadcasts and presence
    diffs reach ``handle_info``. The subscription belongs to the session: it survives
    hibernation (the session is woken by its messages) and ends with the session. Raises
    ``PubSubError`` with the host's reason when refused."""
    if _imports():
        pubsub = _imports().pubsub
        _refusable(PubSubError, lambda: pubsub.subscribe(topic))
    else:
        _native().pubsub_subscribe(topic)


def unsubscribe(topic: str) -> None:
    """Ends this session's subscription to ``topic``, if any."""
    if _imports():
        pubsub = _imports().pubsub
        pubsub.unsubscribe(topic)
    else:
        _native().pubsub_unsubscribe(topic)


def broadcast(topic: str, payload: Any, exclude_self: bool = False) -> None:
    """Sends ``payload`` (any JSON-able value, serialized here) to every session subscribed to
    ``topic`` on every host (this session's own copy after the current handler); each receives
    ``Broadcast(topic, payload)``. With ``exclude_self`` this session does not. Raises
    ``PubSubError`` with the host's reason when refused."""
    text = _json(payload)
    exclude_self = bool(exclude_self)
    if _imports():
        pubsub = _imports().pubsub
        _refusable(PubSubError, lambda: pubsub.broadcast(topic, text, exclude_self))
    else:
        _native().pubsub_broadcast(topic, text, exclude_self)


# --- timers -----------------------------------------------------------------------------


class TimerError(HostError):
    """The host refused a timer (a payload over its limit, too many timers); ``str()`` is why."""


def send_self(payload: Any) -> None:
    """Delivers ``Sent(payload)`` to this view's ``handle_info`` right after the current
    handler (Phoenix's ``send(self(), message)``). Raises ``TimerError`` when refused."""
    text = _json(payload)
    if _imports():
        timers = _imports().timers
        _refusable(TimerError, lambda: timers.send_self(text))
    else:
        _native().timers_send_self(text)


def send_after(payload: Any, ms: int) -> int:
    """Delivers ``Sent(payload)`` once, after ``ms`` milliseconds; returns the timer's id (an
    int) for ``cancel``. Raises ``TimerError`` when refused."""
    text, delay = _json(payload), _u32(ms, "send_after ms")
    if _imports():
        timers = _imports().timers
        return int(_refusable(TimerError, lambda: timers.send_after(text, delay)))
    return _native().timers_start("after", text, delay)


def interval(payload: Any, ms: int) -> int:
    """Delivers ``Sent(payload)`` every ``ms`` milliseconds (the host's minimum is 10) until
    cancelled; a session that cannot keep up skips ticks. Returns the timer's id (an int).
    Raises ``TimerError`` when refused."""
    text, period = _json(payload), _u32(ms, "interval ms")
    if _imports():
        timers = _imports().timers
        return int(_refusable(TimerError, lambda: timers.interval(text, period)))
    return _native().timers_start("interval", text, period)


def cancel(timer_id: int) -> None:
    """Stops a timer of this session (an id from ``send_after`` or ``interval``); nothing
    happens for an unknown or fired one."""
    if isinstance(timer_id, bool) or not isinstance(timer_id, int):
        raise TypeError(f"cancel: a timer id is an int, not {type(timer_id).__name__}")
    if not 0 <= timer_id < 2**64:
        return  # no timer has that id
    if _imports():
        timers = _imports().timers
        timers.cancel(timer_id)
    else:
        _native().timers_cancel(timer_id)


# --- presence ---------------------------------------------------------------------------


class PresenceError(HostError):
    """The host refused a ``track`` (an invalid topic or key, a meta that is not a JSON object
    or over its limit); ``str()`` is why."""


def track(topic: str, key: str, meta: Any = None) -> None:
    """Tracks this session on ``topic`` under ``key`` (a user id, say) with ``meta`` (a dict,
    serialized here; ``None`` is ``{}``). Several sessions under one key are one presence with
    one meta each; tracking the same key again replaces this session's meta. Sessions
    subscribed to ``topic`` get a ``PresenceDiff``. Raises ``PresenceError`` when refused."""
    text = _json({} if meta is None else meta)
    if _imports():
        presence = _imports().presence
        _refusable(PresenceError, lambda: presence.track(topic, key, text))
    else:
        _native().presence_track(topic, key, text)


def untrack(topic: str, key: str) -> None:
    """Stops tracking this session under ``key`` on ``topic``."""
    if _imports():
        presence = _imports().presence
        presence.untrack(topic, key)
    else:
        _native().presence_untrack(topic, key)


def presence_list(topic: str) -> dict:
    """Everyone on ``topic`` as the host knows it now, decoded:
    ``{"<key>": {"metas": [{...meta, "phx_ref": "<ref>"}]}}``."""
    if _imports():
        presence = _imports().presence
        text = presence.list(topic)
    else:
        text = _native().presence_list(topic)
    value = json.loads(text)
    if not isinstance(value, dict):
        raise PresenceError(f"presence.list({topic!r}): the host's answer is not a JSON object")
    return value


# --- log --------------------------------------------------------------------------------

_LEVELS = ("trace", "debug", "info", "warn", "error")


def log(level: str, message: str) -> None:
    """Logs ``message`` at ``level`` (``trace``, ``debug``, ``info``, ``warn``, ``error``)."""
    if level not in _LEVELS:
        raise ValueError(f"log level {level!r}: one of {', '.join(_LEVELS)}")
    if _imports():
        wit_log = _imports().log
        wit_log.log(getattr(wit_log.Level, level.upper()), str(message))
    else:
        _native().logs.append((level, str(message)))


def trace(message: str) -> None:
    log("trace", message)


def debug(message: str) -> None:
    log("debug", message)


def info(message: str) -> None:
    log("info", message)


def warn(message: str) -> None:
    log("warn", message)


def error(message: str) -> None:
    log("error", message)
