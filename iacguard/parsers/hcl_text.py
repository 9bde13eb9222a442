"""Strings of the Terraform language: escapes, and templates (``${…}`` found in text).

Quoted strings come from python-hcl2 with their interpolations parsed; heredoc bodies,
``.tf.json`` strings and ``templatefile`` files come as text, and are scanned here. Each
piece keeps a ``TextMap``, so a JSON document built from them points at its source.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from iacguard.model import Location
from iacguard.resolve.hcl import Expr, Literal, Opaque, Template
from iacguard.text_map import Anchor, TextMap, join_maps

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_TEMPLATE_START = re.compile(r"\$\$\{|%%\{|\$\{|%\{")

# Parses the source of one ``${…}`` that starts at an offset of a mapped text.
Snippet = Callable[[str, TextMap, int], Expr]


def unescape(raw: str, file: str, line: int, column: int) -> tuple[str, TextMap]:
    """Resolve HCL escapes in a run of string characters, mapping each output character
    back to its column."""
    if "\\" not in raw:
        return raw, TextMap((Anchor(0, Location(file, line, column)),))
    out: list[str] = []
    anchors: list[Anchor] = [Anchor(0, Location(file, line, column))]
    length = 0
    index = 0
    while index < len(raw):
        slash = raw.find("\\", index)
        if slash == -1:
            out.append(raw[index:])
            break
        out.append(raw[index:slash])
        length += slash - index
        char, width = _escape(raw, slash)
        anchors.append(
            Anchor(length, Location(file, line, column + slash, line, column + slash + width))
        )
        out.append(char)
        length += len(char)
        index = slash + width
        anchors.append(Anchor(length, Location(file, line, column + index)))
    return "".join(out), TextMap(tuple(anchors))


def _escape(raw: str, slash: int) -> tuple[str, int]:
    """The character an escape at ``slash`` stands for, and the escape's width."""
    marker = raw[slash + 1 : slash + 2]
    if marker in _ESCAPES:
        return _ESCAPES[marker], 2
    if marker in ("u", "U"):
        width = 4 if marker == "u" else 8
        digits = raw[slash + 2 : slash + 2 + width]
        if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
            code = int(digits, 16)
            if code <= 0x10FFFF and not 0xD800 <= code < 0xE000:
                return chr(code), 2 + width
    return raw[slash : slash + 2], max(len(raw[slash : slash + 2]), 1)


def joined(parts: list[Expr], location: Location, source: str) -> Expr:
    """Adjacent literal pieces become one; no interpolation left means a literal."""
    merged: list[Expr] = []
    for part in parts:
        previous = merged[-1] if merged else None
        if isinstance(part, Literal) and isinstance(previous, Literal):
            text = str(previous.value) + str(part.value)
            pieces = [(0, previous.text_map), (len(str(previous.value)), part.text_map)]
            text_map = join_maps([(o, m) for o, m in pieces if m is not None])
            merged[-1] = Literal(previous.location, previous.text + part.text, text, text_map)
        else:
            merged.append(part)
    if not merged:
        return Literal(location, source, "", TextMap.fixed(location))
    if len(merged) == 1:
        only = merged[0]
        if isinstance(only, Literal):
            return Literal(location, source, only.value, only.text_map)
        return only  # "${x}" is x itself, list or object as it is
    return Template(location, source, tuple(merged))


def scan_template(
    text: str, text_map: TextMap, location: Location, source: str, snippet: Snippet
) -> Expr:
    """A template: literal pieces and ``${…}`` expressions (``$${`` is a literal ``${``)."""
    parts: list[Expr] = []
    position = 0
    for match in _TEMPLATE_START.finditer(text):
        if match.start() < position:
            continue
        token = match.group()
        if token == "%{":
            return Opaque(location, source, "template directives (%{…}) are not evaluated")
        if position < match.start():
            parts.append(_piece(text, text_map, position, match.start()))
        if token in ("$${", "%%{"):
            parts.append(_piece(text, text_map, match.start() + 1, match.end()))
            position = match.end()
            continue
        end = _interpolation_end(text, match.end())
        if end is None:
            return Opaque(location, source, "an interpolation is not closed")
        parts.append(snippet(text[match.end() : end], text_map, match.end()))
        position = end + 1
    if position < len(text):
        parts.append(_piece(text, text_map, position, len(text)))
    return joined(parts, location, source)


def _piece(text: str, text_map: TextMap, start: int, end: int) -> Literal:
    piece = text[start:end]
    return Literal(text_map.location(start, end), piece, piece, text_map.sliced(start))


def _interpolation_end(text: str, start: int) -> int | None:
    """The offset of the ``}`` that closes an interpolation opened before ``start``."""
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char == '"':
            index += 1
            while index < len(text) and text[index] != '"':
                index += 2 if text[index] == "\\" else 1
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return index
            depth -= 1
        index += 1
    return None
