"""Snapshots: the view's state as JSON in a versioned envelope, ``{"v":1,"state":{...}}``.

The host snapshots an idle session (hibernation) or a session across a new build of the view
(hot swap): it calls ``snapshot``, drops the instance, and later hands the text to ``restore``
in a fresh instance, which then renders as if it had mounted with that state.

``encode`` writes ``view.dump_state()`` (by default every public attribute) as JSON, with
dataclasses as objects of their fields, tuples and sets as arrays and int/float dict keys as
strings. ``decode`` checks the envelope (exactly ``v`` and ``state``), runs
``migrate(v, state)`` when ``v`` is another version, constructs the view with no arguments
and calls ``load_state``, which converts values back by the class's annotations
(``list[Todo]``, ``dict[int, Card]``, ``Optional[...]``, dataclasses, enums). Every failure is a
``ViewError`` (the host then mounts the view anew), never another exception.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import types as _types
import typing
from typing import Any, Optional

from .view import ViewError

__all__ = ["encode", "decode", "to_json", "from_json", "load_object"]


def to_json(value: Any) -> Any:
    """``value`` as plain JSON values (dicts with str keys, lists, scalars)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise TypeError(f"{value!r} is not JSON")
        return value
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if isinstance(k, str):
                key = k
            elif isinstance(k, (int, float)) and not isinstance(k, bool):
                key = str(k)
            else:
                raise TypeError(f"dict key {k!r}: only str, int and float keys are JSON")
            out[key] = to_json(v)
        return out
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return [to_json(v) for v in value]
    from .view import LiveComponent

    if isinstance(value, LiveComponent):
        return {k: to_json(v) for k, v in vars(value).items() if not k.startswith("_")}
    raise TypeError(f"a value of type {type(value).__name__} is not JSON (override dump_state and load_state)")


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    found = _HINTS.get(cls)
    if found is None:
        try:
            found = typing.get_type_hints(cls)
        except Exception:  # unresolvable forward references: convert nothing
            found = {}
        found = {k: v for k, v in found.items() if typing.get_origin(v) is not typing.ClassVar and v is not typing.ClassVar}
        _HINTS[cls] = found
    return found


def from_json(value: Any, hint: Any) -> Any:
    """``value`` (plain JSON) converted to the type ``hint`` describes, where it says more than
    JSON does; anything it does not describe is returned as is."""
    if hint is None or hint is Any or value is None and hint is type(None):
        return value
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union or origin is _types.UnionType:
        if value is None and type(None) in args:
            return None
        for arg in args:
            if arg is not type(None):
                return from_json(value, arg)
        return value
    if origin is typing.Annotated:
        return from_json(value, args[0])
    if origin in (list, tuple, set, frozenset) or hint in (list, tuple, set, frozenset):
        if not isinstance(value, list):
            raise TypeError(f"expected an array for {hint}, got {type(value).__name__}")
        container = origin or hint
        if container is tuple:
            if len(args) == 2 and args[1] is Ellipsis:
                return tuple(from_json(v, args[0]) for v in value)
            if args:
                if len(args) != len(value):
                    raise TypeError(f"expected {len(args)} items for {hint}, got {len(value)}")
                return tuple(from_json(v, a) for v, a in zip(value, args))
            return tuple(value)
        item = args[0] if args else None
        return container(from_json(v, item) for v in value)
    if origin is dict or hint is dict:
        if not isinstance(value, dict):
            raise TypeError(f"expected an object for {hint}, got {type(value).__name__}")
        key_hint, value_hint = args if len(args) == 2 else (None, None)
        return {_key(k, key_hint): from_json(v, value_hint) for k, v in value.items()}
    if isinstance(hint, type):
        if hint is bool:
            if not isinstance(value, bool):
                raise TypeError(f"expected a bool, got {value!r}")
            return value
        if hint is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"expected an int, got {value!r}")
            return value
        if hint is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"expected a number, got {value!r}")
            return float(value)
        if hint is str:
            if not isinstance(value, str):
                raise TypeError(f"expected a str, got {value!r}")
            return value
        if issubclass(hint, enum.Enum):
            return hint(value)
        if dataclasses.is_dataclass(hint):
            if not isinstance(value, dict):
                raise TypeError(f"expected an object for {hint.__name__}, got {type(value).__name__}")
            hints = _hints(hint)
            kwargs = {}
            for f in dataclasses.fields(hint):
                if f.name in value and f.init:
                    kwargs[f.name] = from_json(value[f.name], hints.get(f.name))
            return hint(**kwargs)
        from .view import LiveComponent

        if issubclass(hint, LiveComponent):
            obj = hint()
            load_object(obj, value)
            return obj
    return value


def _key(key: str, hint: Any) -> Any:
    if hint is int:
        return int(key)
    if hint is float:
        return float(key)
    return key


def load_object(obj: Any, state: Any) -> None:
    """Sets ``obj``'s public attributes from ``state`` (a JSON object), converted by the
    annotations of ``obj``'s class."""
    if not isinstance(state, dict):
        raise TypeError(f"expected an object, got {type(state).__name__}")
    hints = _hints(type(obj))
    for key, value in state.items():
        if key.startswith("_"):
            continue
        setattr(obj, key, from_json(value, hints.get(key)))


def encode(view: Any, version: int) -> str:
    """The snapshot of ``view`` at ``version``: ``{"v":<version>,"state":<state>}``."""
    try:
        state = to_json(view.dump_state())
        return json.dumps({"v": version, "state": state}, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ViewError(f"cannot snapshot the view: {error}") from None


def decode(cls: type, text: str, version: int) -> Any:
    """A new ``cls`` holding the state saved in ``text`` by ``encode``, for a view now at
    ``version``: a snapshot of another version goes through ``cls.migrate`` first."""
    try:
        stored = json.loads(text)
    except ValueError as error:
        raise ViewError(f"invalid snapshot: {error}") from None
    if not isinstance(stored, dict) or set(stored) != {"v", "state"}:
        raise ViewError('invalid snapshot: expected {"v": <version>, "state": <state>}')
    v = stored["v"]
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise ViewError(f"invalid snapshot: version {v!r} is not a number")
    state = stored["state"]
    if v != version:
        try:
            state = cls.migrate(v, state)
        except ViewError as error:
            raise ViewError(f"cannot restore a version {v} snapshot into version {version}: {error.message}") from None
    view = cls()
    try:
        view.load_state(state)
    except ViewError:
        raise
    except Exception as error:
        raise ViewError(f"the snapshot's state does not fit the view (version {version}): {error}") from None
    return view


def optional_encode(view: Any, version: Optional[int]) -> Optional[str]:
    """``encode``, or ``None`` (with a warning logged) when the view cannot be snapshotted."""
    if version is None:
        return None
    try:
        return encode(view, version)
    except ViewError as error:
        from . import host

        host.warn(error.message)
        return None
