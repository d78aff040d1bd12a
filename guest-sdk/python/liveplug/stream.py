"""Streams: large or endless collections whose items are sent once and then live only in the
browser's DOM (a ``phx-update="stream"`` container). Neither the view nor the host keeps them.

    MESSAGE = Template('<li id="{dom_id}">{text}</li>')
    CHAT = Template('<ul id="messages" phx-update="stream">{messages}</ul>')

    class Chat(LiveView):
        def __init__(self):
            self.messages = Stream("messages", MESSAGE,
                                   render=lambda m: MESSAGE(dom_id=f"m-{m['id']}", text=m["text"]),
                                   dom_id=lambda m: f"m-{m['id']}")

        def handle_event(self, name, value, target):
            self.messages.insert({"id": 1, "text": value["text"]}, at="start", limit=50)

        def render(self):
            return CHAT(messages=self.messages)

Operations queue until the next render, which sends them and forgets them. A stream is not
part of a snapshot (its items are in the browser): ``__init__`` makes it again, empty, and the
host snapshots a session only when no stream operation is pending.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Union

from .template import Template

__all__ = ["Stream"]


class Stream:
    """A named stream of items rendered with ``template``: ``render(item)`` is the item's
    ``Tree`` (of ``template``, whose root element carries the item's DOM id) and
    ``dom_id(item)`` that id."""

    def __init__(self, name: str, template: Template, render: Callable[[Any], Any], dom_id: Callable[[Any], str]):
        if not isinstance(template, Template):
            raise TypeError("Stream(name, template, render, dom_id): template is a Template")
        self.name = name
        self.template = template
        self.render = render
        self.dom_id = dom_id
        self._inserts: list[tuple[str, Any, Union[str, int], Optional[int], bool]] = []
        self._deletes: list[str] = []
        self._reset = False

    def insert(self, item: Any, at: Union[str, int] = "end", limit: Optional[int] = None) -> None:
        """Inserts ``item`` (or updates it in place when its DOM id is already there): ``at``
        is ``"end"``, ``"start"`` or a child index. ``limit`` keeps the first ``limit``
        children when positive, the last ``-limit`` when negative (as Phoenix's
        ``stream_insert``)."""
        if not (at in ("end", "start") or (isinstance(at, int) and not isinstance(at, bool) and at >= 0)):
            raise ValueError(f'stream {self.name!r}: at is "end", "start" or an index >= 0, not {at!r}')
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit == 0):
            raise ValueError(f"stream {self.name!r}: limit is a non-zero int or None, not {limit!r}")
        self._inserts.append((str(self.dom_id(item)), item, at, limit, False))

    def update(self, item: Any) -> None:
        """Updates ``item`` only if its element is already in the DOM; never inserts."""
        self._inserts.append((str(self.dom_id(item)), item, "end", None, True))

    def delete(self, item_or_dom_id: Any) -> None:
        """Removes the element of an item, or of a DOM id given as a str."""
        dom_id = item_or_dom_id if isinstance(item_or_dom_id, str) else self.dom_id(item_or_dom_id)
        self._deletes.append(str(dom_id))

    def reset(self, items: Any = ()) -> None:
        """Removes every element of the stream the next render does not insert again, then
        inserts ``items``. Forgets operations queued before."""
        self._inserts = []
        self._deletes = []
        self._reset = True
        for item in items:
            self.insert(item)

    @property
    def pending(self) -> bool:
        return bool(self._inserts or self._deletes or self._reset)

    def _drain(self) -> tuple[list, list[str], bool]:
        out = (self._inserts, self._deletes, self._reset)
        self._inserts, self._deletes, self._reset = [], [], False
        return out

    def __repr__(self) -> str:
        return f"Stream({self.name!r})"
