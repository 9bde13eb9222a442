"""Where the values of a decoded template are written.

The CLI's reader (``iacguard.parsers.template_reader``) gives plain Python values and
keeps their places in a table beside them; cfn-lint's decoder, which the rule pack runs
on, hangs them on its own node types. The resolver asks either through ``Marks``.
A span is 0-based ``(line, column, end_line, end_column)``; values that cfn-lint gives
no place (numbers, booleans, the arguments of a short-form tag) have none in either.
"""

from __future__ import annotations

from typing import Any, Protocol

Span = tuple[int, int, int, int]
Key = str | int


class Marks(Protocol):
    def node(self, value: Any) -> Span | None:
        """The span of a mapping or list."""

    def value(self, container: Any, key: Key) -> Span | None:
        """The span of ``container[key]``."""

    def key(self, mapping: Any, key: Key) -> Span | None:
        """The span of the key ``key`` of a mapping."""


class MarkTable:
    """Spans kept beside plain values, by the identity of their container (a scalar has
    no identity of its own: equal strings may be one object)."""

    def __init__(self) -> None:
        self.nodes: dict[int, Span] = {}
        self.values: dict[tuple[int, Key], Span] = {}
        self.keys: dict[tuple[int, Key], Span] = {}

    def node(self, value: Any) -> Span | None:
        return self.nodes.get(id(value)) if isinstance(value, (dict, list)) else None

    def value(self, container: Any, key: Key) -> Span | None:
        child = container[key]
        if isinstance(child, (dict, list)):
            return self.nodes.get(id(child))
        return self.values.get((id(container), key))

    def key(self, mapping: Any, key: Key) -> Span | None:
        return self.keys.get((id(mapping), key))


class NodeMarks:
    """Spans on cfn-lint's node types (``start_mark``/``end_mark`` attributes)."""

    def node(self, value: Any) -> Span | None:
        return _span(value)

    def value(self, container: Any, key: Key) -> Span | None:
        return _span(container[key])

    def key(self, mapping: Any, key: Key) -> Span | None:
        for candidate in mapping:
            if candidate == key:
                return _span(candidate)
        return None


def _span(node: Any) -> Span | None:
    start = getattr(node, "start_mark", None)
    end = getattr(node, "end_mark", None)
    if start is None or end is None or not hasattr(start, "line"):
        return None
    return start.line, start.column, end.line, end.column
