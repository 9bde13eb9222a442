"""JSON with positions: every value knows where it is written.

Used for policy text (heredocs, JSON strings, ``file("x.json")``), ``.tf.json`` and
``.tfvars.json``. Offsets map to the source through a ``TextMap``, so JSON inside a
heredoc points at lines of the ``.tf`` file. Unknown interpolations left in the text as
hole markers become ``Unknown`` values instead of making the whole document unreadable.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import TYPE_CHECKING, Any

from iacguard.model import Location, Unknown
from iacguard.parsers.source import MAX_NESTING, nested_too_deeply
from iacguard.resolve.terraform_values import HOLE_CLOSE, HOLE_OPEN, Located, TfValue, render_holes
from iacguard.text_map import Anchor, TextMap

MAX_DIGITS = 4000  # int() refuses longer numbers
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_HOLE = re.compile(f"{HOLE_OPEN}(\\d+){HOLE_CLOSE}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}

if TYPE_CHECKING:
    from iacguard.errors import ErrorKind


class JsonProblem(Exception):
    """Text that is not JSON (``parse``) or that ran into one of the reader's limits
    (``limit``: nesting, digits); ``location`` is where reading stopped."""

    def __init__(self, message: str, location: Location, kind: ErrorKind = "parse") -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.kind = kind

    def shown(self) -> str:
        """What a user reads: text past a limit is not invalid JSON, so it is not said to be."""
        return self.message if self.kind == "limit" else f"not valid JSON: {self.message}"


def decode(
    text: str, text_map: TextMap, holes: tuple[Unknown, ...] = (), *, unique_keys: bool = False
) -> TfValue:
    """``unique_keys``: a key written twice in one object is a problem (a policy read
    one way here and another way by AWS would hide what it grants)."""
    reader = _Reader(text, text_map, holes, unique_keys)
    value = reader.value(reader.skip(0), 0)
    end = reader.skip(reader.position)
    if end != len(text):
        raise reader.problem("extra data after the JSON value", end)
    return value


class _Reader:
    def __init__(
        self, text: str, text_map: TextMap, holes: tuple[Unknown, ...], unique_keys: bool
    ) -> None:
        self.unique_keys = unique_keys
        self.text = text
        self.map = text_map
        self.holes = holes
        self.position = 0

    def skip(self, position: int) -> int:
        match = _WHITESPACE.match(self.text, position)
        return match.end() if match else position

    def problem(self, message: str, position: int, kind: ErrorKind = "parse") -> JsonProblem:
        return JsonProblem(message, self.map.location(position, position + 1), kind)

    def located(self, value: Any, start: int, end: int) -> Located:
        self.position = end
        return Located(value, self.map.location(start, end))

    def value(self, position: int, depth: int) -> TfValue:
        if depth > MAX_NESTING:
            raise self.problem(nested_too_deeply(), position, "limit")
        text = self.text
        if position >= len(text):
            raise self.problem("unexpected end of JSON", max(position - 1, 0))
        char = text[position]
        if char == "{":
            return self.mapping(position, depth)
        if char == "[":
            return self.array(position, depth)
        if char == '"':
            return self.string(position)
        if char == HOLE_OPEN:
            match = _HOLE.match(text, position)
            if match and int(match.group(1)) < len(self.holes):
                self.position = match.end()
                return self.holes[int(match.group(1))]
        number = _NUMBER.match(text, position)
        if number and number.end() > position:
            literal = number.group()
            if len(literal) > MAX_DIGITS:
                message = f"a number with more than {MAX_DIGITS:,} digits"
                raise self.problem(message, position, "limit")
            value = float(literal) if number.group(1) or number.group(2) else int(literal)
            return self.located(value, position, number.end())
        for word, value in _LITERALS.items():
            if text.startswith(word, position):
                return self.located(value, position, position + len(word))
        raise self.problem(f"unexpected {_shown(char)}", position)

    def string(self, position: int) -> TfValue:
        try:
            value, end = scanstring(self.text, position + 1)
        except ValueError as exc:
            message = str(exc).split(":")[0].lower().removesuffix(" starting at")
            raise self.problem(message, position) from None
        if "\\u" in self.text[position:end]:
            value = _LONE_SURROGATE.sub("\ufffd", value)  # as Terraform (Go) decodes them
        if HOLE_OPEN in value and self.holes:
            self.position = end
            first = self.holes[0]
            return Unknown(
                render_holes(value, self.holes),
                first.why,
                self.map.location(position, end),
                first.when,
            )
        located = self.located(value, position, end)
        if "\\" in self.text[position:end]:
            return Located(value, located.location, text_map=self.escaped(position + 1, end - 1))
        return located

    def escaped(self, start: int, end: int) -> TextMap:
        """Where each character of a string with escapes is written."""
        anchors: list[Anchor] = []
        raw = self.text
        index, length = start, 0
        while index < end:
            anchors.append(Anchor(length, self.map.location(index, index + 1)))
            if raw[index] == "\\":
                width = 6 if raw[index + 1 : index + 2] == "u" else 2
                length += len(scanstring(f'"{raw[index : index + width]}"', 1)[0])
                index += width
            else:
                run = raw.find("\\", index, end)
                run = end if run == -1 else run
                length += run - index
                index = run
        return TextMap(tuple(anchors))

    def mapping(self, start: int, depth: int) -> Located:
        text = self.text
        entries: dict[str, TfValue] = {}
        position = self.skip(start + 1)
        if text.startswith("}", position):
            return self.located(entries, start, position + 1)
        while True:
            if not text.startswith('"', position):
                raise self.problem("expected a quoted key", position)
            key_start = position
            key = self.string(position)
            position = self.skip(self.position)
            if not text.startswith(":", position):
                raise self.problem("expected ':' after the key", position)
            name = _key(key)
            if self.unique_keys and name in entries:
                raise self.problem(f"duplicate key {json.dumps(name)}", key_start)
            entries[name] = self.value(self.skip(position + 1), depth + 1)
            position = self.skip(self.position)
            if text.startswith("}", position):
                return self.located(entries, start, position + 1)
            if not text.startswith(",", position):
                raise self.problem("expected ',' or '}'", position)
            position = self.skip(position + 1)

    def array(self, start: int, depth: int) -> Located:
        text = self.text
        values: list[TfValue] = []
        position = self.skip(start + 1)
        if text.startswith("]", position):
            return self.located(values, start, position + 1)
        while True:
            values.append(self.value(position, depth + 1))
            position = self.skip(self.position)
            if text.startswith("]", position):
                return self.located(values, start, position + 1)
            if not text.startswith(",", position):
                raise self.problem("expected ',' or ']'", position)
            position = self.skip(position + 1)


def _key(key: TfValue) -> str:
    return key.expression if isinstance(key, Unknown) else str(getattr(key, "value", ""))


def _shown(char: str) -> str:
    return "end of line" if char == "\n" else repr(char)
