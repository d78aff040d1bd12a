"""The classes componentize-py binds to the world ``live-view``'s exports. Imported only in a
component build (by the entry module ``build.py`` generates): it needs the generated bindings.

Each forwards to ``liveplug._exports.runtime()`` and turns a ``ViewError`` into the WIT
``result``'s error. On the first call of an instance, ``sys.stdout`` and ``sys.stderr`` are
sent to the host's ``log`` (the host discards WASI stdout and stderr).
"""

from __future__ import annotations

import sys
import traceback
from typing import Any, Callable, List, Optional

from componentize_py_types import Err  # type: ignore[import-not-found]
from wit_world import exports as _wit_exports  # type: ignore[import-not-found]
from wit_world.imports import log as _log  # type: ignore[import-not-found]
from wit_world.imports import parts as _parts  # type: ignore[import-not-found]
from wit_world.imports import types as _types  # type: ignore[import-not-found]

from . import host as _host
from ._exports import exported, runtime
from .view import ViewError

if exported() is None:
    raise RuntimeError("no view exported: the view's module must call liveplug.export(YourView)")

# A component has no filesystem at run time: every module must be imported now, at build time
# (componentize-py snapshots the interpreter after this module ran). The capability wrappers
# import their bindings on first use, so make that use now.
if not _host.in_component():
    raise RuntimeError("liveplug._component needs the bindings componentize-py generates")

__all__ = ["View", "Describe", "Params", "Info", "Components", "Snapshot"]


class _LogWriter:
    """A text stream that logs each line at ``level``."""

    def __init__(self, level: Any):
        self.level = level
        self.pending = ""

    def write(self, text: str) -> int:
        self.pending += text
        while "\n" in self.pending:
            line, self.pending = self.pending.split("\n", 1)
            _log.log(self.level, line)
        return len(text)

    def flush(self) -> None:
        if self.pending:
            _log.log(self.level, self.pending)
            self.pending = ""

    def isatty(self) -> bool:
        return False


_io_ready = False


def _ready() -> None:
    global _io_ready
    if not _io_ready:
        _io_ready = True
        sys.stdout = _LogWriter(_log.Level.INFO)
        sys.stderr = _LogWriter(_log.Level.WARN)


def _call(call: Callable[[], Any]) -> Any:
    _ready()
    try:
        return call()
    except ViewError as error:
        raise Err(_types.ViewError(error.message)) from None


class View(_wit_exports.View):
    def mount(self, ctx: Any) -> None:
        _call(lambda: runtime().mount(ctx.params, ctx.session, ctx.connected, ctx.connect_params))

    def handle_event(self, name: str, value: str, target: Optional[int]) -> Optional[str]:
        return _call(lambda: runtime().handle_event(name, value, target))

    def render(self) -> Any:
        _ready()
        try:
            return runtime().render(_parts)
        except Exception:
            _log.log(_log.Level.ERROR, f"render raised:\n{traceback.format_exc()}")
            raise


class Describe(_wit_exports.Describe):
    def describe(self) -> Any:
        routes, live_session = runtime().describe()
        return _types.ViewInfo(routes, live_session)


class Params(_wit_exports.Params):
    def handle_params(self, url: str, params: str) -> None:
        _call(lambda: runtime().handle_params(url, params))


class Info(_wit_exports.Info):
    def handle_info(self, message: Any) -> None:
        _call(lambda: runtime().handle_info(message))


class Components(_wit_exports.Components):
    def components_destroyed(self, ids: List[int]) -> None:
        _ready()
        try:
            runtime().components_destroyed(ids)
        except ViewError as error:
            _log.log(_log.Level.WARN, f"components_destroyed: {error.message}")


class Snapshot(_wit_exports.Snapshot):
    def snapshot(self) -> Optional[str]:
        _ready()
        return runtime().snapshot()

    def restore(self, state: str) -> None:
        _call(lambda: runtime().restore(state))
