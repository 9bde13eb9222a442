"""Where each character of a template's string value is written.

A policy given as JSON text (``PolicyDocument: |``, a quoted one-liner, a JSON-escaped
string in a JSON template, an ``Fn::Sub``) is read with the position-keeping JSON reader
Terraform heredocs use; this gives it the map from offsets in the decoded string to
lines and columns of the template. The decoded value is aligned with its source text
(block indentation, quotes, escapes and folded line breaks are what differs); where
the two cannot be aligned the map is None and the whole string is the location.
"""

from __future__ import annotations

from bisect import bisect_right

from iacguard.model import Location
from iacguard.text_map import Anchor, TextMap


class SourceText:
    """A template's text with its line starts, to turn offsets into lines and columns."""

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.starts = [0]
        position = text.find("\n")
        while position != -1:
            self.starts.append(position + 1)
            position = text.find("\n", position + 1)

    def offset(self, line: int, column: int) -> int:
        """The offset of a 1-based line and column."""
        if not 1 <= line <= len(self.starts):
            return len(self.text)
        return min(self.starts[line - 1] + column - 1, len(self.text))

    def location(self, offset: int) -> Location:
        line = bisect_right(self.starts, offset)
        return Location(self.file, line, offset - self.starts[line - 1] + 1)

    def string_map(self, value: str, where: Location) -> TextMap | None:
        """The map of ``value``, a string scalar written at ``where`` (its whole span)."""
        text = self.text
        position = self.offset(where.line, where.column)
        stop = self.offset(where.end_line, where.end_column)
        if position < stop and text[position] in "|>":
            position = text.find("\n", position) + 1 or stop  # the block's header line
        elif position < stop and text[position] in "'\"":
            position += 1
        anchors: list[Anchor] = []
        previous = -2
        for index, char in enumerate(value):
            while position < stop and not _same(text[position], char):
                position += 1
            if position >= stop:
                return None
            if position != previous + 1:
                anchors.append(Anchor(index, self.location(position)))
            previous = position
            position += 1
        return TextMap(tuple(anchors)) if anchors else None


def _same(written: str, char: str) -> bool:
    """A decoded character and the source character it may come from: itself, or a
    line break that YAML folded into a space."""
    return written == char or (char == " " and written == "\n")
