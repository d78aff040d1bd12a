"""The ``liveplug:view/parts`` types for native use (unit tests, ``liveplug.testing``): the same
class names and fields as the bindings componentize-py generates, so the SDK builds a render the
same way in and out of a component."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Union


@dataclass
class Template:
    id: int
    statics: List[str]


@dataclass
class TreeNode:
    template: int
    slots: List[int]


@dataclass
class Item:
    key: Optional[str]
    slots: Optional[List[int]]


@dataclass
class KeyedList:
    template: int
    items: List[Item]


@dataclass
class Attribute:
    name: str
    value: Optional[str]


@dataclass
class Node_Text:
    value: str


@dataclass
class Node_Raw:
    value: str


@dataclass
class Node_Attributes:
    value: List[Attribute]


@dataclass
class Node_Tree:
    value: TreeNode


@dataclass
class Node_Keyed:
    value: KeyedList


@dataclass
class Node_Component:
    value: int


@dataclass
class Node_Unchanged:
    pass


Node = Union[Node_Text, Node_Raw, Node_Attributes, Node_Tree, Node_Keyed, Node_Component, Node_Unchanged]


@dataclass
class ComponentRoot:
    id: int
    root: int


@dataclass
class Parts:
    new_templates: List[Template]
    nodes: List[Node]
    root: int
    components: List[ComponentRoot]


@dataclass
class StreamPosition_Append:
    pass


@dataclass
class StreamPosition_Prepend:
    pass


@dataclass
class StreamPosition_Index:
    value: int


@dataclass
class StreamLimit_First:
    value: int


@dataclass
class StreamLimit_Last:
    value: int


@dataclass
class StreamInsert:
    dom_id: str
    at: Union[StreamPosition_Append, StreamPosition_Prepend, StreamPosition_Index]
    limit: Optional[Union[StreamLimit_First, StreamLimit_Last]]
    update_only: bool
    slots: List[int]


@dataclass
class StreamOps:
    name: str
    template: int
    inserts: List[StreamInsert]
    deletes: List[str]
    reset: bool


@dataclass
class Node_Stream:
    value: StreamOps
