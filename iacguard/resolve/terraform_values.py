"""Values of evaluated Terraform expressions, and how a policy document reads them.

A value keeps where each of its parts is written: ``jsonencode({...})`` evaluates to a
tree whose every string knows its line and column; a heredoc or ``file()`` string keeps
a ``TextMap`` so that JSON decoded from it points into the body or the file. A value the
resolver cannot know is an ``Unknown``; a conditional it cannot decide is a ``Choice``
whose options carry the condition (``when``) under which they apply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from iacguard.model import Location, Scalar, Unknown, Value
from iacguard.records import dataclass, field, replace
from iacguard.resolve.node import Node, Problem, join_when
from iacguard.text_map import TextMap

# An interpolation that cannot be resolved leaves a marker in the string, so that JSON
# decoded from it can still be read around the hole (see ``Located.holes``).
HOLE_OPEN, HOLE_CLOSE = "\ue000", "\ue001"
_HOLE = re.compile(f"{HOLE_OPEN}(\\d+){HOLE_CLOSE}")


def hole_marker(index: int) -> str:
    """The marker of hole ``index``; fixed width, so renumbering keeps text offsets."""
    return f"{HOLE_OPEN}{index:04d}{HOLE_CLOSE}"


def renumber_holes(text: str, by: int) -> str:
    if not by or HOLE_OPEN not in text:
        return text
    return _HOLE.sub(lambda m: hole_marker(int(m.group(1)) + by), text)


MAX_TEXT = 120  # how long a value is shown in a message


@dataclass(frozen=True, slots=True)
class Located:
    """A known value: a scalar, a list of values or a mapping of string keys to values.

    Strings may carry a ``text_map`` (where each character is written) and ``holes``:
    unknown interpolations, marked in the text by ``HOLE_OPEN n HOLE_CLOSE``. ``size``
    counts the values inside, so that a value built by doubling (``[local.a, local.a]``
    thirty times over) is refused before anything walks it.
    """

    value: Any
    location: Location
    when: str | None = None
    text_map: TextMap | None = None
    holes: tuple[Unknown, ...] = ()
    size: int = field(default=1, compare=False, repr=False)

    def __post_init__(self) -> None:
        inner = self.value
        if isinstance(inner, (list, dict)):
            children = inner.values() if isinstance(inner, dict) else inner
            object.__setattr__(self, "size", 1 + sum(size_of(c) for c in children))


@dataclass(frozen=True, slots=True)
class Choice:
    """The options of a value that depends on something unknown, each with its ``when``."""

    options: tuple[TfValue, ...]
    location: Location


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """A reference to a document (a policy document data source's ``json``): the
    document is reported where it is written, so a policy that uses it refers to it
    instead of copying its statements."""

    address: str
    location: Location
    when: str | None = None


TfValue = Located | Choice | DocumentRef | Unknown


def size_of(value: TfValue) -> int:
    if isinstance(value, Located):
        return value.size
    if isinstance(value, Choice):
        return sum(size_of(o) for o in value.options)
    return 1


def when_of(value: TfValue) -> str | None:
    return None if isinstance(value, Choice) else value.when


def with_when(value: TfValue, when: str | None) -> TfValue:
    """``value`` that applies only ``when``."""
    if when is None:
        return value
    if isinstance(value, Choice):
        return Choice(tuple(with_when(o, when) for o in value.options), value.location)
    return replace(value, when=join_when(when, value.when))


def relocate(value: TfValue, location: Location, when: str | None = None) -> TfValue:
    """``value`` as written at ``location`` (a ``var.x`` written there), every part of it."""
    if isinstance(value, Choice):
        return Choice(tuple(relocate(o, location, when) for o in value.options), location)
    if isinstance(value, DocumentRef):
        return with_when(value, when)
    if isinstance(value, Unknown):
        return Unknown(value.expression, value.why, location, join_when(when, value.when))
    inner = value.value
    if isinstance(inner, list):
        inner = [relocate(v, location) for v in inner]
    elif isinstance(inner, dict):
        inner = {k: relocate(v, location) for k, v in inner.items()}
    text_map = TextMap.fixed(location) if value.text_map is not None else None
    holes = tuple(Unknown(h.expression, h.why, location, h.when) for h in value.holes)
    return Located(inner, location, join_when(when, value.when), text_map, holes)


def choice(options: list[TfValue], location: Location) -> TfValue:
    """One value if all options are the same, else a ``Choice`` (nested ones flattened)."""
    flat: list[TfValue] = []
    for option in options:
        flat.extend(option.options if isinstance(option, Choice) else (option,))
    if not flat:
        return Unknown("", "no value", location)
    first = plain(flat[0])
    if first is not _NOT_PLAIN and all(plain(o) == first for o in flat[1:]):
        return flat[0] if all(when_of(o) == when_of(flat[0]) for o in flat) else _untagged(flat[0])
    return flat[0] if len(flat) == 1 else Choice(tuple(flat), location)


def _untagged(value: TfValue) -> TfValue:
    return value if isinstance(value, Choice) else replace(value, when=None)


_NOT_PLAIN: Any = object()


def plain(value: TfValue) -> Any:
    """The value as plain Python (for comparison and rendering), or ``_NOT_PLAIN``."""
    if not isinstance(value, Located) or value.holes:
        return _NOT_PLAIN
    inner = value.value
    if isinstance(inner, list):
        items = [plain(v) for v in inner]
        return _NOT_PLAIN if any(i is _NOT_PLAIN for i in items) else items
    if isinstance(inner, dict):
        entries = {k: plain(v) for k, v in inner.items()}
        return _NOT_PLAIN if any(e is _NOT_PLAIN for e in entries.values()) else entries
    return inner


def is_plain(value: TfValue) -> bool:
    return plain(value) is not _NOT_PLAIN


def text_of(value: TfValue) -> str:
    """How a message or an unknown's expression shows a value."""
    if isinstance(value, Unknown):
        return value.expression
    if isinstance(value, DocumentRef):
        return f"{value.address}.json"
    if isinstance(value, Choice):
        return " | ".join(text_of(o) for o in value.options)
    if isinstance(value.value, str):
        return render_holes(value.value, value.holes)
    data = plain(value)
    if data is _NOT_PLAIN:
        return "{…}" if isinstance(value.value, dict) else "[…]"
    return _shorten(json.dumps(data, separators=(",", ":")))


def render_holes(text: str, holes: tuple[Unknown, ...]) -> str:
    """A string with its unknown parts shown as the ``${…}`` that was written."""
    if not holes:
        return text

    def expression(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return "${" + holes[index].expression + "}" if index < len(holes) else "${…}"

    return _HOLE.sub(expression, text)


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def unknown_string(value: Located) -> Unknown:
    """A string with unknown parts, as one unknown."""
    first = value.holes[0]
    return Unknown(
        _shorten(render_holes(str(value.value), value.holes)),
        first.why,
        value.location,
        join_when(value.when, first.when),
    )


# -- scalars out of values ----------------------------------------------------------------


def scalars(value: TfValue, when: str | None = None) -> list[Value]:
    """The alternatives of a value that should be a single scalar."""
    when = join_when(when, when_of(value))
    if isinstance(value, Choice):
        return [s for o in value.options for s in scalars(o, when)]
    if isinstance(value, Unknown):
        return [replace(value, when=when)]
    if isinstance(value, DocumentRef):
        return [Unknown(f"{value.address}.json", "a policy document", value.location, when)]
    if value.holes:
        return [replace(unknown_string(value), when=when)]
    if isinstance(value.value, (list, dict)):
        return [Unknown(text_of(value), "expected a single value here", value.location, when)]
    if value.value is None:
        return []
    return [Scalar(value.value, value.location, when)]


def elements(value: TfValue, when: str | None = None) -> list[Value]:
    """The scalar elements of a value that should be a list (a single value counts as a
    one-element list, as IAM allows for Action, Resource …)."""
    when = join_when(when, when_of(value))
    if isinstance(value, Choice):
        return [s for o in value.options for s in elements(o, when)]
    if isinstance(value, Located) and isinstance(value.value, list):
        return [s for item in value.value for s in scalars(item, when)]
    return scalars(replace(value, when=None) if not isinstance(value, Unknown) else value, when)


def options(value: TfValue) -> Iterator[Located | DocumentRef | Unknown]:
    """The alternatives of a value, nested choices flattened."""
    if isinstance(value, Choice):
        for option in value.options:
            yield from options(option)
    else:
        yield value


# -- policy documents -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatementNode(Node):
    """A statement: its ``when`` applies to the whole statement, so its parts start afresh
    (a message says the condition once, not again at every action)."""


class ValueResolver:
    """The ``policy_document.Resolver`` over located values.

    Statements that are unknown (``Statement = [var.extra]``) cannot be read; they are
    collected in ``unknowns`` so the caller can record them, and the rest is read.
    """

    def __init__(self, names: dict[str, str] | None = None) -> None:
        self.unknowns: list[Unknown] = []
        self.problems: list[Problem] = []
        self.names = names or {}  # how the configuration spells a key (Action: actions)

    @staticmethod
    def node(value: TfValue, path: tuple[str | int, ...] = (), when: str | None = None) -> Node:
        when = join_when(when, when_of(value))
        if isinstance(value, Located):
            if value.holes:
                return Node(unknown_string(value), path, value.location, when)
            return Node(value.value, path, value.location, when)
        return Node(value, path, value.location, when)

    def child(self, parent: Node, key: str | int) -> Node | None:
        container = parent.value
        inherited = None if isinstance(parent, StatementNode) else parent.when
        if isinstance(key, str) and isinstance(container, dict):
            value = container.get(key)
        elif isinstance(key, int) and isinstance(container, list) and 0 <= key < len(container):
            value = container[key]
        else:
            value = None
        if value is None:
            return None
        if isinstance(value, Located) and value.value is None:
            return None
        return self.node(value, (*parent.path, key), inherited)

    def branches(self, node: Node) -> Iterator[Node]:
        if isinstance(node.value, Choice):
            for option in node.value.options:
                yield from self.branches(self.node(option, node.path, node.when))
        else:
            yield node

    def items(self, node: Node) -> Iterator[Node]:
        """The statements of a ``Statement`` value."""
        for shape in self.branches(node):
            if isinstance(shape.value, list):
                for index in range(len(shape.value)):
                    element = self.child(shape, index)
                    if element is not None:
                        yield from self._statements(element)
            else:
                yield from self._statements(shape)

    def _statements(self, node: Node) -> Iterator[Node]:
        for shape in self.branches(node):
            if isinstance(shape.value, (Unknown, DocumentRef)):
                self.unknowns.append(self._as_unknown(shape))
            else:
                yield StatementNode(shape.value, shape.path, shape.location, shape.when)

    def elements(self, node: Node) -> list[Value]:
        values: list[Value] = []
        for shape in self.branches(node):
            if isinstance(shape.value, list):
                for index in range(len(shape.value)):
                    element = self.child(shape, index)
                    if element is not None:
                        values.extend(
                            v for b in self.branches(element) for v in self._scalar(b, listed=True)
                        )
            else:
                values.extend(self._scalar(shape, listed=True))
        return values

    def alternatives(self, node: Node) -> list[Value]:
        return [v for shape in self.branches(node) for v in self._scalar(shape)]

    def _scalar(self, node: Node, *, listed: bool = False) -> list[Value]:
        value = node.value
        if isinstance(value, (str, int, float, bool)):
            return [Scalar(value, node.location, node.when)]
        if value is None:
            return []
        if isinstance(value, (list, dict)):
            key = next((k for k in reversed(node.path) if isinstance(k, str)), "the value")
            shown = self.names.get(key, key)
            kind = "a list" if isinstance(value, list) else "a mapping"
            message = (
                f"{shown} must be a string or a list of strings"
                if listed
                else f"{shown} must be a single value, not {kind}"
            )
            return self.problem(node, message)
        return [self._as_unknown(node)]

    def problem(self, node: Node, message: str) -> list[Value]:
        self.problems.append(Problem(message, node.location))
        return []

    def _as_unknown(self, node: Node) -> Unknown:
        value = node.value
        if isinstance(value, Unknown):
            return replace(value, when=node.when)
        if isinstance(value, DocumentRef):
            return Unknown(f"{value.address}.json", "a policy document", node.location, node.when)
        return self.unknown(node, "expected a single value here")

    def unknown(self, node: Node, why: str) -> Unknown:
        data = node.value
        text = data if isinstance(data, str) else text_of(Located(data, node.location))
        return Unknown(text, why, node.location, node.when)


def is_null(value: TfValue) -> bool:
    return isinstance(value, Located) and value.value is None
