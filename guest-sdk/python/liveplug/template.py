"""Templates: static markup split from its dynamic slots once, filled with values at render.

A ``Template`` is made once, at module level, from markup with ``{name}`` slots::

    COUNT = Template('<h1>Count: <span id="count">{count}</span></h1>')

    def render(self):
        return COUNT(count=self.count)

Making it splits the markup into its statics (the strings around the slots) and checks where
each slot sits: in content, in a quoted attribute value, or inside a tag (a slot for dynamic
attributes, ``<input{attrs}>``). Calling it returns a ``Tree``; nothing is escaped or joined
here: the render is sent to the host as an arena of nodes (``liveplug:view/parts``) and the
host escapes text. Values by kind (see ``_content``):

- ``str``, ``int``, ``float`` -> a text node (the host escapes it);
- ``None``, ``False``, ``True`` in content -> nothing (so ``cond and T(...)`` works);
- ``raw(markup)`` -> trusted markup, sent as is;
- a ``Tree`` (another template's call) -> a nested template instance;
- ``each(items, render, key=...)`` or a list -> a comprehension (``keyed`` node);
- ``component(id, obj)`` -> a stateful component;
- in a tag, a ``dict`` / ``attrs(...)`` -> an ``attributes`` node: ``True`` writes a bare
  attribute, ``False``/``None`` leave it out, anything else is its value (escaped by the host).

The bundled CPython 3.14 also has t-strings (PEP 750): a ``string.templatelib.Template``
(``t"<p>{x}</p>"``) is accepted wherever a ``Tree`` is; its statics are interned on first use.
"""

from __future__ import annotations

import string as _string
from typing import Any, Callable, Iterable, Optional

__all__ = [
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
    "TemplateError",
    "statics_of",
]


class TemplateError(ValueError):
    """Malformed template markup, or a value that cannot go where its slot is."""


# Where a slot sits in the markup.
CONTENT = "content"  # between tags (or in a comment)
VALUE = "value"  # inside a quoted attribute value: class="todo {x}"
TAG = "tag"  # inside a tag, between attributes: <input{x}>

# Interned statics -> template id, and id -> statics. Ids are sequential per instance (a
# component instance is one interpreter); a template keeps its id for the instance's life.
_IDS: dict[tuple[str, ...], int] = {}
_STATICS: list[tuple[str, ...]] = []


def _intern(statics: tuple[str, ...]) -> int:
    found = _IDS.get(statics)
    if found is None:
        found = len(_STATICS)
        _IDS[statics] = found
        _STATICS.append(statics)
    return found


def statics_of(template_id: int) -> tuple[str, ...]:
    """The statics bound to ``template_id``."""
    return _STATICS[template_id]


def _scan(statics: tuple[str, ...], where: str) -> tuple[str, ...]:
    """The context of each slot between ``statics``: a small HTML tokenizer that follows tags,
    quoted attribute values and comments. Raises ``TemplateError`` for a slot in an unquoted
    attribute value or in a tag name, and for markup that ends inside a tag."""
    # States: CONTENT, "comment", "open" (just after "<"), "name" (in a tag name), TAG
    # (between attributes), "eq" (after "name="), "unquoted", VALUE (quoted value).
    state = CONTENT
    quote = ""
    contexts: list[str] = []
    last = len(statics) - 1
    for index, chunk in enumerate(statics):
        i = 0
        n = len(chunk)
        while i < n:
            c = chunk[i]
            if state == CONTENT:
                if chunk.startswith("<!--", i):
                    state = "comment"
                    i += 4
                    continue
                if c == "<" and i + 1 < n and (chunk[i + 1].isalpha() or chunk[i + 1] in "/!"):
                    state = "open"
                elif c == "<" and i + 1 == n and index < last:
                    raise TemplateError(f"{where}: slot {index} is inside a tag name")
            elif state == "comment":
                if chunk.startswith("-->", i):
                    state = CONTENT
                    i += 3
                    continue
            elif state in ("open", "name"):
                if c == ">":
                    state = CONTENT
                elif c.isspace() or c == "/":
                    state = TAG
                else:
                    state = "name"
            elif state == TAG:
                if c == ">":
                    state = CONTENT
                elif c == "=":
                    state = "eq"
            elif state == "eq":
                if c in "\"'":
                    state = VALUE
                    quote = c
                elif c == ">":
                    state = CONTENT
                elif not c.isspace():
                    state = "unquoted"
            elif state == "unquoted":
                if c.isspace():
                    state = TAG
                elif c == ">":
                    state = CONTENT
            elif state == VALUE:
                if c == quote:
                    state = TAG
            i += 1
        if index == last:
            break
        if state in (CONTENT, "comment"):
            contexts.append(CONTENT)
        elif state == VALUE:
            contexts.append(VALUE)
        elif state in (TAG, "name"):
            # After a complete tag name (<input{attrs}>) or between attributes.
            contexts.append(TAG)
            state = TAG
        elif state in ("eq", "unquoted"):
            raise TemplateError(f"{where}: slot {index} is an unquoted attribute value; write name=\"{{...}}\"")
        else:
            raise TemplateError(f"{where}: slot {index} is inside a tag name")
    if state not in (CONTENT, "comment"):
        raise TemplateError(f"{where}: the markup ends inside a tag or an attribute value")
    return tuple(contexts)


class Template:
    """Markup with ``{name}`` slots (``{{`` and ``}}`` are literal braces), split once.

    ``Template(markup)`` parses and checks the markup; ``template(**values)`` is a ``Tree``.
    Every slot name must be passed, and nothing else. The same name may appear more than once.
    """

    __slots__ = ("id", "statics", "names", "contexts", "_order")

    def __init__(self, markup: str):
        if not isinstance(markup, str):
            raise TypeError("Template(markup): markup is a str")
        statics: list[str] = []
        names: list[str] = []
        current = ""
        try:
            pieces = list(_string.Formatter().parse(markup))
        except ValueError as error:
            raise TemplateError(f"template {_excerpt(markup)}: {error}") from None
        for literal, field, spec, conversion in pieces:
            current += literal
            if field is None:
                continue
            if not field.isidentifier():
                raise TemplateError(
                    f"template {_excerpt(markup)}: slot {{{field}}} is not a name; "
                    "compute the value in Python and pass it by name"
                )
            if spec or conversion:
                raise TemplateError(
                    f"template {_excerpt(markup)}: slot {{{field}}} has a format spec or conversion; "
                    "format the value in Python"
                )
            statics.append(current)
            current = ""
            names.append(field)
        statics.append(current)
        self.statics = tuple(statics)
        self.names = tuple(names)
        self.contexts = _scan(self.statics, f"template {_excerpt(markup)}")
        self.id = _intern(self.statics)
        unique = tuple(dict.fromkeys(names))
        self._order = unique

    def __call__(self, **values: Any) -> "Tree":
        if len(values) != len(self._order) or any(name not in values for name in self._order):
            missing = [n for n in self._order if n not in values]
            extra = [n for n in values if n not in self._order]
            problems = []
            if missing:
                problems.append("missing " + ", ".join(missing))
            if extra:
                problems.append("unknown " + ", ".join(extra))
            raise TypeError(f"template {_excerpt(''.join(self.statics))}: {'; '.join(problems)}")
        return Tree(self, tuple(values[name] for name in self.names))

    def __repr__(self) -> str:
        return f"Template({_excerpt('{}'.join(self.statics))})"


def _excerpt(markup: str, limit: int = 40) -> str:
    flat = " ".join(markup.split())
    return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")


class Tree:
    """A template instance: a template and one value per slot."""

    __slots__ = ("template", "values")

    def __init__(self, template: Template, values: tuple):
        self.template = template
        self.values = values

    def __repr__(self) -> str:
        return f"Tree({self.template!r}, {self.values!r})"


class Raw:
    """Trusted markup, sent as is (never for text that came from a user)."""

    __slots__ = ("markup",)

    def __init__(self, markup: str):
        self.markup = str(markup)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Raw) and other.markup == self.markup

    def __repr__(self) -> str:
        return f"raw({self.markup!r})"


def raw(markup: str) -> Raw:
    """Markup the view built or sanitized itself, sent without escaping."""
    return Raw(markup)


class Attrs:
    """Dynamic attributes for a slot inside a tag. ``True`` -> bare attribute, ``False`` and
    ``None`` -> left out, anything else -> ``name="value"`` (the host escapes the value)."""

    __slots__ = ("items",)

    def __init__(self, items: Iterable[tuple[str, Any]]):
        self.items = tuple(items)

    def __repr__(self) -> str:
        return f"Attrs({self.items!r})"


def attrs(mapping: Optional[dict] = None, /, **named: Any) -> Attrs:
    """Attributes from a dict (any names) and keywords (``aria_invalid=`` -> ``aria-invalid``,
    a trailing ``_`` is dropped: ``class_=``)."""
    items = list((mapping or {}).items())
    for name, value in named.items():
        if name.endswith("_"):
            name = name[:-1]
        items.append((name.replace("_", "-"), value))
    return Attrs(items)


class Keyed:
    """A comprehension: ``(key, renderable)`` pairs; ``key`` ``None`` is positional."""

    __slots__ = ("items",)

    def __init__(self, items: list[tuple[Optional[str], Any]]):
        self.items = items

    def __repr__(self) -> str:
        return f"Keyed({self.items!r})"


def each(items: Iterable[Any], render: Callable[[Any], Any], key: Optional[Callable[[Any], Any]] = None) -> Keyed:
    """A comprehension over ``items``: ``render(item)`` for each (a ``Tree`` normally), and
    ``key(item)`` to identify it across renders (moves are then sent as moves). Keys are
    compared as strings and must be unique."""
    if key is None:
        return Keyed([(None, render(item)) for item in items])
    return Keyed([(str(key(item)), render(item)) for item in items])


class ComponentRef:
    """A stateful component placed in a slot (see ``liveplug.LiveComponent``)."""

    __slots__ = ("id", "component")

    def __init__(self, id: int, component: Any):
        if not isinstance(id, int) or isinstance(id, bool) or not 0 <= id < 2**32:
            raise TypeError(f"component id {id!r}: an int in 0..2**32")
        self.id = id
        self.component = component

    def __repr__(self) -> str:
        return f"component({self.id}, {self.component!r})"


def component(id: int, obj: Any) -> ComponentRef:
    """Places stateful component ``obj`` (a ``LiveComponent``) with the view's ``id`` for it."""
    return ComponentRef(id, obj)


# t-strings (PEP 750, CPython 3.14): converted to Trees, statics interned per distinct strings.
_TSTRING_TEMPLATES: dict[tuple[str, ...], Template] = {}


def _is_tstring(value: Any) -> bool:
    cls = type(value)
    return cls.__name__ == "Template" and cls.__module__ == "string.templatelib"


def _from_tstring(value: Any) -> Tree:
    strings = tuple(value.strings)
    template = _TSTRING_TEMPLATES.get(strings)
    if template is None:
        template = Template.__new__(Template)
        template.statics = strings
        template.names = tuple(f"_{i}" for i in range(len(strings) - 1))
        template._order = template.names
        template.contexts = _scan(strings, f"t-string {_excerpt('{}'.join(strings))}")
        template.id = _intern(strings)
        _TSTRING_TEMPLATES[strings] = template
    values = []
    for interpolation in value.interpolations:
        v = interpolation.value
        if interpolation.conversion == "r":
            v = repr(v)
        elif interpolation.conversion == "s":
            v = str(v)
        elif interpolation.conversion == "a":
            v = ascii(v)
        if interpolation.format_spec:
            v = format(v, interpolation.format_spec)
        values.append(v)
    return Tree(template, tuple(values))


# Attribute names the host refuses (a guest fault): checked here for a clear Python error.
_BAD_NAME_CHARS = frozenset(" \t\n\r\f\"'<>/=")


def _check_attribute_name(name: Any) -> str:
    if not isinstance(name, str) or not name or any(c in _BAD_NAME_CHARS or ord(c) < 0x20 or c == "\x7f" for c in name):
        raise TemplateError(f"invalid attribute name {name!r}")
    return name


# The one-slot template that wraps list items of mixed kinds.
_ITEM = ("", "")


class Builder:
    """Builds one render's arena with the node classes of ``parts`` (the generated bindings in
    a component, ``liveplug._parts`` natively). ``sent`` holds the template ids whose statics
    this instance already sent; it is updated."""

    def __init__(self, parts: Any, sent: set[int]):
        self.p = parts
        self.sent = sent
        self.nodes: list[Any] = []
        self.new_templates: list[Any] = []
        self.components: list[Any] = []
        self.placed: dict[int, Any] = {}

    def finish(self, value: Any) -> Any:
        root = self.node(value)
        return self.p.Parts(self.new_templates, self.nodes, root, self.components)

    def _push(self, node: Any) -> int:
        self.nodes.append(node)
        return len(self.nodes) - 1

    def _use(self, template_id: int) -> int:
        if template_id not in self.sent:
            self.sent.add(template_id)
            self.new_templates.append(self.p.Template(template_id, list(_STATICS[template_id])))
        return template_id

    def _slots(self, tree: Tree) -> list[int]:
        template = tree.template
        out = []
        for context, value in zip(template.contexts, tree.values):
            if context == CONTENT:
                out.append(self.node(value))
            elif context == VALUE:
                out.append(self._value(value, template))
            else:
                out.append(self._attributes(value, template))
        return out

    def node(self, value: Any) -> int:
        """The node index for ``value`` in content position."""
        p = self.p
        if isinstance(value, str):
            return self._push(p.Node_Text(value))
        if value is None or value is True or value is False:
            return self._push(p.Node_Text(""))
        if isinstance(value, (int, float)):
            return self._push(p.Node_Text(str(value)))
        if isinstance(value, Tree):
            return self._tree(value)
        if _is_tstring(value):
            return self._tree(_from_tstring(value))
        if isinstance(value, Raw):
            return self._push(p.Node_Raw(value.markup))
        if isinstance(value, Keyed):
            return self._keyed(value.items)
        if isinstance(value, (list, tuple)):
            return self._keyed([(None, item) for item in value])
        if isinstance(value, ComponentRef):
            return self._component(value)
        if type(value).__name__ == "Stream" and hasattr(value, "_drain"):
            return self._stream(value)
        if isinstance(value, (dict, Attrs)):
            raise TemplateError("attributes (a dict or attrs(...)) go in a slot inside a tag: <input{attrs}>")
        raise TemplateError(f"cannot render a {type(value).__name__} ({value!r}); pass a str, a number, a template, raw(...), each(...) or component(...)")

    def _tree(self, tree: Tree) -> int:
        slots = self._slots(tree)
        return self._push(self.p.Node_Tree(self.p.TreeNode(self._use(tree.template.id), slots)))

    def _value(self, value: Any, template: Template) -> int:
        p = self.p
        if isinstance(value, str):
            return self._push(p.Node_Text(value))
        if value is None:
            return self._push(p.Node_Text(""))
        if isinstance(value, bool):
            return self._push(p.Node_Text("true" if value else "false"))
        if isinstance(value, (int, float)):
            return self._push(p.Node_Text(str(value)))
        if isinstance(value, Raw):
            return self._push(p.Node_Raw(value.markup))
        if isinstance(value, Tree):
            return self._tree(value)
        if _is_tstring(value):
            return self._tree(_from_tstring(value))
        raise TemplateError(f"{template!r}: an attribute value is text, not a {type(value).__name__}")

    def _attributes(self, value: Any, template: Template) -> int:
        p = self.p
        if value is None or value is False:
            items: Iterable[tuple[str, Any]] = ()
        elif isinstance(value, Attrs):
            items = value.items
        elif isinstance(value, dict):
            items = value.items()
        else:
            raise TemplateError(f"{template!r}: a slot inside a tag takes attributes (a dict or attrs(...)), not a {type(value).__name__}")
        out = []
        for name, v in items:
            _check_attribute_name(name)
            if v is None or v is False:
                continue
            if v is True:
                out.append(p.Attribute(name, None))
            elif isinstance(v, str):
                out.append(p.Attribute(name, v))
            elif isinstance(v, (int, float)):
                out.append(p.Attribute(name, str(v)))
            else:
                raise TemplateError(f"attribute {name!r}: a value is a str, a number, True, False or None, not a {type(v).__name__}")
        return self._push(p.Node_Attributes(out))

    def _keyed(self, items: list[tuple[Optional[str], Any]]) -> int:
        p = self.p
        trees = [_from_tstring(v) if _is_tstring(v) else v for _, v in items]
        uniform = bool(trees) and all(isinstance(t, Tree) for t in trees) and len({t.template.id for t in trees}) == 1
        seen: set[str] = set()
        for key, _ in items:
            if key is not None:
                if key in seen:
                    raise TemplateError(f"duplicate key {key!r} in a comprehension")
                seen.add(key)
        out = []
        if uniform:
            template_id = trees[0].template.id
            for (key, _), tree in zip(items, trees):
                out.append(p.Item(key, self._slots(tree)))
        else:
            template_id = _intern(_ITEM)
            for (key, _), value in zip(items, trees):
                out.append(p.Item(key, [self.node(value)]))
        return self._push(p.Node_Keyed(p.KeyedList(self._use(template_id), out)))

    def _stream(self, stream: Any) -> int:
        p = self.p
        inserts, deletes, reset = stream._drain()
        template_id = self._use(stream.template.id)
        out = []
        for dom_id, item, at, limit, update_only in inserts:
            tree = stream.render(item)
            if _is_tstring(tree):
                tree = _from_tstring(tree)
            if not isinstance(tree, Tree) or tree.template.id != stream.template.id:
                raise TemplateError(f"stream {stream.name!r}: render(item) must return a {stream.template!r} instance")
            if at == "end":
                position: Any = p.StreamPosition_Append()
            elif at == "start":
                position = p.StreamPosition_Prepend()
            else:
                position = p.StreamPosition_Index(at)
            bound = None if limit is None else (p.StreamLimit_First(limit) if limit > 0 else p.StreamLimit_Last(-limit))
            out.append(p.StreamInsert(dom_id, position, bound, update_only, self._slots(tree)))
        return self._push(p.Node_Stream(p.StreamOps(stream.name, template_id, out, list(deletes), reset)))

    def _component(self, ref: ComponentRef) -> int:
        if ref.id in self.placed:
            raise TemplateError(f"component {ref.id} is placed twice in one render")
        self.placed[ref.id] = ref.component
        tree = ref.component.render(ref.id)
        if _is_tstring(tree):
            tree = _from_tstring(tree)
        if not isinstance(tree, Tree):
            raise TemplateError(f"component {ref.id}: render returns a template instance with one root element, not a {type(tree).__name__}")
        root = self._tree(tree)
        self.components.append(self.p.ComponentRoot(ref.id, root))
        return self._push(self.p.Node_Component(ref.id))


def collect_components(value: Any, found: dict[int, Any]) -> None:
    """The stateful components placed in ``value`` (a render's result), without building
    anything: how a restored instance routes a targeted event before its first render."""
    if isinstance(value, ComponentRef):
        found[value.id] = value.component
        collect_components(value.component.render(value.id), found)
    elif _is_tstring(value):
        collect_components(_from_tstring(value), found)
    elif isinstance(value, Tree):
        for v in value.values:
            collect_components(v, found)
    elif isinstance(value, Keyed):
        for _, v in value.items:
            collect_components(v, found)
    elif isinstance(value, (list, tuple)):
        for v in value:
            collect_components(v, found)
