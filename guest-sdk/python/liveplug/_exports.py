"""The glue between the WIT exports and a ``LiveView``, in plain Python: JSON strings (and the
WIT ``message`` variant) in, a ``parts`` arena out, ``ViewError`` for refusals.
``liveplug._component`` wraps it in the classes componentize-py binds to the exports;
``liveplug.testing`` drives it natively."""

from __future__ import annotations

import json
import traceback
from typing import Any, Callable, Optional

from . import host, messages as _messages, snapshot as _snapshot
from .template import Builder, collect_components
from .view import LiveView, ViewError

__all__ = ["Runtime", "export", "exported", "runtime"]

_EXPORTED: Optional[type] = None
_RUNTIME: Optional["Runtime"] = None


def export(cls: type) -> type:
    """Makes ``cls`` (a ``LiveView`` subclass) the view this component exports. Usable as a
    class decorator. One per component."""
    global _EXPORTED, _RUNTIME
    if not (isinstance(cls, type) and issubclass(cls, LiveView)):
        raise TypeError(f"liveplug.export: {cls!r} is not a LiveView subclass")
    if _EXPORTED is not None and _EXPORTED is not cls:
        raise TypeError(f"liveplug.export: {_EXPORTED.__name__} is already exported; one view per component")
    _EXPORTED = cls
    _RUNTIME = None
    return cls


def exported() -> Optional[type]:
    return _EXPORTED


def runtime() -> "Runtime":
    """The runtime of the exported view (one per component instance)."""
    global _RUNTIME
    if _RUNTIME is None:
        if _EXPORTED is None:
            raise RuntimeError("no view exported: call liveplug.export(YourView) in the view's module")
        _RUNTIME = Runtime(_EXPORTED)
    return _RUNTIME


def _parse(text: str) -> Any:
    if text == "":
        return None
    try:
        return json.loads(text)
    except ValueError as error:
        raise ViewError(f"invalid JSON: {error}") from None


def _guard(what: str, call: Callable[[], Any]) -> Any:
    """Runs a handler: a ``ViewError`` passes, any other exception becomes one (its
    traceback logged), so a bug ends the session cleanly instead of trapping."""
    try:
        return call()
    except ViewError:
        raise
    except Exception as error:
        host.error(f"{what} raised:\n{traceback.format_exc()}")
        raise ViewError(f"{what}: {type(error).__name__}: {error}") from None


class Runtime:
    """One instance of the exported view and what the SDK keeps beside it: the template ids
    whose statics were sent, and the components placed by the last render."""

    def __init__(self, cls: type):
        self.cls = cls
        self.view: Optional[LiveView] = None
        self.sent: set[int] = set()
        # id -> component placed by the last render (None: not known since the instance
        # started or was restored).
        self.placed: Optional[dict[int, Any]] = None

    def _view(self) -> LiveView:
        if self.view is None:
            self.view = _guard(f"{self.cls.__name__}()", self.cls)
        return self.view

    def describe(self) -> tuple[list[str], Optional[str]]:
        routes = list(self.cls.routes)
        if not all(isinstance(route, str) for route in routes):
            raise TypeError(f"{self.cls.__name__}.routes: a list of str")
        return routes, self.cls.live_session

    def mount(self, params: str, session: str, connected: bool, connect_params: Optional[str]) -> None:
        view = self._view()
        args = (_parse(params), _parse(session), connected, None if connect_params is None else _parse(connect_params))
        _guard("mount", lambda: view.mount(*args))

    def handle_params(self, url: str, params: str) -> None:
        view = self._view()
        value = _parse(params)
        _guard("handle_params", lambda: view.handle_params(url, value))

    def handle_event(self, name: str, value: str, target: Optional[int]) -> Optional[str]:
        view = self._view()
        decoded = _parse(value)
        handler: Callable[[], Any]
        owner = self._component(target) if target is not None else None
        if owner is not None:
            handler = lambda: owner.handle_event(name, decoded)  # noqa: E731
        else:
            handler = lambda: view.handle_event(name, decoded, target)  # noqa: E731
        reply = _guard(f"handle_event {json.dumps(name)}", handler)
        if reply is None:
            return None
        try:
            return json.dumps(_snapshot.to_json(reply), separators=(",", ":"), ensure_ascii=False)
        except (TypeError, ValueError) as error:
            raise ViewError(f"handle_event {json.dumps(name)}: the reply is not JSON: {error}") from None

    def _component(self, target: int) -> Any:
        if self.placed is None:
            # A restored instance gets events before it renders: find the components the
            # next render would place (render is a function of the state).
            found: dict[int, Any] = {}
            collect_components(_guard("render", self._view().render), found)
            self.placed = found
        return self.placed.get(target)

    def handle_info(self, message: Any) -> None:
        """``message``: the WIT ``message`` (the bindings' classes or ``liveplug._types``),
        handed to the view as a ``Sent``, ``Broadcast`` or ``PresenceDiff``."""
        view = self._view()
        value = _messages.from_wit(message)
        _guard("handle_info", lambda: view.handle_info(value))

    def render(self, parts: Any) -> Any:
        view = self._view()
        builder = Builder(parts, self.sent)
        out = builder.finish(view.render())
        self.placed = builder.placed
        return out

    def components_destroyed(self, ids: list[int]) -> None:
        view = self._view()
        _guard("components_destroyed", lambda: view.components_destroyed(list(ids)))

    def snapshot(self) -> Optional[str]:
        return _snapshot.optional_encode(self._view(), self.cls.snapshot_version)

    def restore(self, state: str) -> None:
        version = self.cls.snapshot_version
        if version is None:
            raise ViewError(f"{self.cls.__name__} does not restore snapshots (snapshot_version is None)")
        self.view = _guard("restore", lambda: _snapshot.decode(self.cls, state, version))
        self.placed = None
