"""Liveplug views in Python. See guest-sdk/python/README.md.

Everything a view needs is here: ``LiveView``, ``LiveComponent``, ``ViewError``,
``unknown_event``, ``export``; templates (``Template``, ``raw``, ``attrs``, ``each``,
``component``); the messages ``handle_info`` receives (``Sent``, ``Broadcast``,
``PresenceDiff``); and the host's capabilities as submodule-like namespaces: ``page``,
``navigation``, ``flash``, ``keyvalue``, ``pubsub``, ``timers``, ``presence``, ``log``.

Nothing here imports the bindings componentize-py generates: they are imported on the first
capability call inside a component, so the SDK and views run in plain CPython for tests.
"""

from __future__ import annotations

from types import SimpleNamespace as _Namespace

from . import host as _host
from ._exports import export
from .messages import Broadcast, Message, PresenceDiff, Sent
from .stream import Stream
from .template import Attrs, ComponentRef, Keyed, Raw, Template, TemplateError, Tree, attrs, component, each, raw
from .view import LiveComponent, LiveView, ViewError, unknown_event

__version__ = "0.4.0"

#: ``page.set_title(title)``, ``page.push_event(name, payload=None, before_patch=False)``.
page = _Namespace(set_title=_host.set_title, push_event=_host.push_event)

#: ``push_patch(to, replace=False)``, ``push_navigate(to, replace=False)``, ``redirect(path)``,
#: ``redirect_external(url)``. The handler's last call wins.
navigation = _Namespace(
    push_patch=_host.push_patch,
    push_navigate=_host.push_navigate,
    redirect=_host.redirect,
    redirect_external=_host.redirect_external,
)

#: ``put(kind, message)``, ``get(kind)``, ``all()``, ``clear(kind)``, ``clear_all()``.
flash = _Namespace(
    put=_host.flash_put, get=_host.flash_get, all=_host.flash_all, clear=_host.flash_clear, clear_all=_host.flash_clear_all
)

#: ``get(key)``, ``set(key, value)`` (raises ``KeyValueError``), ``delete(key)``, ``keys(prefix="")``.
keyvalue = _Namespace(
    get=_host.kv_get, set=_host.kv_set, delete=_host.kv_delete, keys=_host.kv_keys, KeyValueError=_host.KeyValueError
)

#: ``subscribe(topic)``, ``unsubscribe(topic)``, ``broadcast(topic, payload, exclude_self=False)``
#: (raise ``PubSubError``). Messages arrive in ``handle_info`` as ``Broadcast(topic, payload)``.
pubsub = _Namespace(
    subscribe=_host.subscribe, unsubscribe=_host.unsubscribe, broadcast=_host.broadcast, PubSubError=_host.PubSubError
)

#: ``send_self(payload)``, ``send_after(payload, ms) -> id``, ``interval(payload, ms) -> id``,
#: ``cancel(id)`` (raise ``TimerError``). Messages arrive in ``handle_info`` as ``Sent(payload)``.
timers = _Namespace(
    send_self=_host.send_self,
    send_after=_host.send_after,
    interval=_host.interval,
    cancel=_host.cancel,
    TimerError=_host.TimerError,
)

#: ``track(topic, key, meta)`` (raises ``PresenceError``), ``untrack(topic, key)``,
#: ``list(topic) -> dict``. Changes arrive in ``handle_info`` as ``PresenceDiff(topic, joins, leaves)``.
presence = _Namespace(
    track=_host.track, untrack=_host.untrack, list=_host.presence_list, PresenceError=_host.PresenceError
)

#: ``log.info(message)`` etc., or ``log.log(level, message)``.
log = _Namespace(
    log=_host.log, trace=_host.trace, debug=_host.debug, info=_host.info, warn=_host.warn, error=_host.error
)

HostError = _host.HostError
KeyValueError = _host.KeyValueError
PubSubError = _host.PubSubError
TimerError = _host.TimerError
PresenceError = _host.PresenceError

__all__ = [
    "LiveView",
    "LiveComponent",
    "ViewError",
    "unknown_event",
    "export",
    "Template",
    "Tree",
    "Raw",
    "raw",
    "Attrs",
    "attrs",
    "Keyed",
    "each",
    "ComponentRef",
    "component",
    "Stream",
    "TemplateError",
    "page",
    "navigation",
    "flash",
    "keyvalue",
    "pubsub",
    "timers",
    "presence",
    "log",
    "Message",
    "Sent",
    "Broadcast",
    "PresenceDiff",
    "HostError",
    "KeyValueError",
    "PubSubError",
    "TimerError",
    "PresenceError",
]
