"""A Terraform plan's text → the parts of it that are read.

Positions matter only where a finding can point: the IAM resources of ``planned_values``
and ``prior_state``, and the ``configuration``. Those are read by the position-keeping
JSON reader (``located_json``); the rest — most resources of a real plan, and
``resource_changes``, which holds every value twice more (before and after) — by the
``json`` module, many times faster, each value located where its resource starts.
Whatever is not read (``variables``, ``output_changes`` …) is only checked to be JSON.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable
from typing import Any

from iacguard.model import Location
from iacguard.parsers.located_json import decode
from iacguard.resolve.terraform_values import Located, TfValue
from iacguard.text_map import TextMap

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()

Span = tuple[int, int]


def decode_plan(text: str, file: str, located_types: frozenset[str]) -> TfValue:
    """The plan's parts that are read; resources of ``located_types`` (handler keys:
    ``aws_iam_role``, ``data.aws_iam_policy_document``) with every value's position, the
    others with their values as plain Python under ``values``. Raises JsonProblem where
    the text is not JSON."""
    try:
        found = _members(text, _skip(text, 0))
        if found is not None and _skip(text, found[1]) != len(text):
            found = None
    except (ValueError, RecursionError):
        found = None
    if found is None:  # raises where the text stops being JSON; else reads it all
        return decode(text, TextMap.of_text(file, text))
    return _Reader(text, file, located_types).plan(found[0], (0, len(text)))


class _Reader:
    def __init__(self, text: str, file: str, located_types: frozenset[str]) -> None:
        self.text = text
        self.file = file
        self.located_types = located_types
        # where each line starts: a map of every line of a large plan costs more than
        # the parts that are read
        self.lines = [0] + [m.end() for m in re.finditer("\n", text)]

    def plan(self, members: dict[str, Span], span: Span) -> Located:
        entries: dict[str, TfValue] = {}
        for key, part in members.items():
            if key == "configuration":
                entries[key] = self.located(part)
            elif key == "planned_values":
                entries[key] = self.object(part, {"root_module": self.module})
            elif key == "prior_state":
                entries[key] = self.object(part, {"values": self.state})
            elif key == "resource_changes":  # only its after_unknown marks are read
                entries[key] = Located(self.plain(part), self.where(part))
        return Located(entries, self.where(span))

    def point(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.lines, offset)
        return line, offset - self.lines[line - 1] + 1

    def where(self, span: Span) -> Location:
        return Location(self.file, *self.point(span[0]))

    def located(self, span: Span) -> TfValue:
        start, end = span
        part = self.text[start:end]
        return decode(part, TextMap.of_text(self.file, part, *self.point(start)))

    def plain(self, span: Span) -> Any:
        return json.loads(self.text[span[0] : span[1]])

    def object(self, span: Span, children: dict[str, Callable[[Span], TfValue]]) -> TfValue:
        """An object of which only ``children`` are read, each its own way; a value that
        is not an object is read with its position, for the error that says so."""
        found = _members(self.text, span[0])
        if found is None:
            return self.located(span)
        members = found[0]
        entries = {key: read(members[key]) for key, read in children.items() if key in members}
        return Located(entries, self.where(span))

    def state(self, span: Span) -> TfValue:
        return self.object(span, {"root_module": self.module})

    def module(self, span: Span) -> TfValue:
        return self.object(
            span,
            {
                "address": self.located,
                "resources": lambda s: self.array(s, self.resource),
                "child_modules": lambda s: self.array(s, self.module),
            },
        )

    def array(self, span: Span, read: Callable[[Span], TfValue]) -> TfValue:
        found = _elements(self.text, span[0])
        if found is None:
            return self.located(span)
        return Located([read(element) for element in found[0]], self.where(span))

    def resource(self, span: Span) -> TfValue:
        value = self.plain(span)
        if isinstance(value, dict):
            kind = value.get("type")
            key = f"data.{kind}" if value.get("mode") == "data" else kind
            if key in self.located_types:
                return self.located(span)
        return _wrapped(value, self.where(span))


def _wrapped(value: Any, location: Location) -> Located:
    """A resource read without positions, at ``location``: its fields located there,
    the value of each (its ``values`` …) as plain Python."""
    if isinstance(value, dict):
        return Located({k: Located(v, location) for k, v in value.items()}, location)
    return Located(value, location)


def _members(text: str, start: int) -> tuple[dict[str, Span], int] | None:
    """Where each value of the object at ``start`` is, and where the object ends; None
    when there is no object at ``start`` (ValueError when it is not JSON)."""
    from json.decoder import scanstring  # type: ignore[attr-defined]

    if text[start : start + 1] != "{":
        return None
    members: dict[str, Span] = {}
    position = _skip(text, start + 1)
    if text[position : position + 1] == "}":
        return members, position + 1
    while True:
        if text[position : position + 1] != '"':
            raise ValueError("expected a key")
        key, position = scanstring(text, position + 1)
        position = _skip(text, position)
        if text[position : position + 1] != ":":
            raise ValueError("expected ':'")
        value = _skip(text, position + 1)
        _, end = _DECODER.raw_decode(text, value)
        members[key] = (value, end)
        position = _skip(text, end)
        if text[position : position + 1] == "}":
            return members, position + 1
        if text[position : position + 1] != ",":
            raise ValueError("expected ',' or '}'")
        position = _skip(text, position + 1)


def _elements(text: str, start: int) -> tuple[list[Span], int] | None:
    """Where each element of the array at ``start`` is; None when there is none."""
    if text[start : start + 1] != "[":
        return None
    elements: list[Span] = []
    position = _skip(text, start + 1)
    if text[position : position + 1] == "]":
        return elements, position + 1
    while True:
        _, end = _DECODER.raw_decode(text, position)
        elements.append((position, end))
        position = _skip(text, end)
        if text[position : position + 1] == "]":
            return elements, position + 1
        if text[position : position + 1] != ",":
            raise ValueError("expected ',' or ']'")
        position = _skip(text, position + 1)


def _skip(text: str, position: int) -> int:
    match = _WHITESPACE.match(text, position)
    return match.end() if match else position
