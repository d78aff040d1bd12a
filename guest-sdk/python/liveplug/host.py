"""The host's capabilities (the WIT imports ``log``, ``page``, ``navigation``, ``flash`` and
``keyvalue``) as plain functions.

In a component they call the bindings componentize-py generates (``wit_world.imports``). In
plain CPython (unit tests of a view) there are no bindings, and the calls reach the in-process
stand-in ``liveplug.testing.host()`` instead, which records them: a view that sets titles,
navigates or reads flash and key-value data is testable without a host.

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
    "KeyValueError",
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
            _wit = SimpleNamespace(flash=flash, keyvalue=keyvalue, navigation=navigation, page=page, log=wit_log, Err=Err)
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


class KeyValueError(Exception):
    """The host refused a ``kv_set`` (key, value or map over its limits); ``str()`` is why."""


def kv_get(key: str) -> Optional[str]:
    """The value of ``key`` in the live session's shared map, if set."""
    if _imports():
        keyvalue = _imports().keyvalue
        return keyvalue.get(key)
    return _native().kv.get(key)


def kv_set(key: str, value: str) -> None:
    """Sets ``key``; raises ``KeyValueError`` with the host's reason when refused."""
    if _imports():
        wit = _imports()
        keyvalue, Err = wit.keyvalue, wit.Err
        try:
            keyvalue.set(key, value)
        except Err as refused:
            raise KeyValueError(str(refused.value)) from None
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
