"""Where the characters of a string value are written in its file: a heredoc body line
by line, a quoted string around its escapes, a JSON file as it is. Terraform and
CloudFormation readers both use it (a CloudFormation scan never loads the Terraform
syntax tree classes)."""

from __future__ import annotations

from bisect import bisect_right

from iacguard.model import Location
from iacguard.records import dataclass, field


@dataclass(frozen=True, slots=True)
class Anchor:
    """From ``offset`` on, characters are written at ``location``: one column further
    per character when ``advances``, else all at ``location`` (an interpolated value)."""

    offset: int
    location: Location
    advances: bool = True


@dataclass(frozen=True, slots=True)
class TextMap:
    """Maps offsets in a string value back to the source: a heredoc body line by line,
    a quoted string around its escapes, a JSON file as it is."""

    anchors: tuple[Anchor, ...]
    offsets: tuple[int, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "offsets", tuple(a.offset for a in self.anchors))

    @staticmethod
    def fixed(location: Location) -> TextMap:
        return TextMap((Anchor(0, location, advances=False),))

    @staticmethod
    def of_text(file: str, text: str, line: int = 1, column: int = 1) -> TextMap:
        """A string written as is, starting at ``line``:``column``."""
        anchors = [Anchor(0, Location(file, line, column))]
        position = text.find("\n")
        while position != -1:
            line += 1
            anchors.append(Anchor(position + 1, Location(file, line, 1)))
            position = text.find("\n", position + 1)
        return TextMap(tuple(anchors))

    def shifted(self, by: int) -> TextMap:
        return TextMap(tuple(Anchor(a.offset + by, a.location, a.advances) for a in self.anchors))

    def sliced(self, start: int) -> TextMap:
        """The map of the substring that starts at ``start``."""
        index = max(bisect_right(self.offsets, start) - 1, 0)
        first = self.anchors[index]
        if first.advances:
            _, line, column = self.point(start)
            first = Anchor(0, Location(first.location.file, line, column))
        else:
            first = Anchor(0, first.location, advances=False)
        rest = (Anchor(a.offset - start, a.location, a.advances) for a in self.anchors[index + 1 :])
        return TextMap((first, *rest))

    def point(self, offset: int) -> tuple[Anchor, int, int]:
        anchor = self.anchors[max(bisect_right(self.offsets, offset) - 1, 0)]
        if not anchor.advances:
            return anchor, anchor.location.line, anchor.location.column
        return anchor, anchor.location.line, anchor.location.column + offset - anchor.offset

    def location(self, start: int, end: int) -> Location:
        """The source span of the characters ``start`` (inclusive) to ``end`` (exclusive)."""
        first, line, column = self.point(start)
        last, end_line, end_column = self.point(max(end - 1, start))
        if not first.advances and first is last:
            return first.location
        if last.advances:
            end_column += 1
        else:
            end_line, end_column = last.location.end_line, last.location.end_column
        return Location(first.location.file, line, column, end_line, end_column)


def join_maps(pieces: list[tuple[int, TextMap]]) -> TextMap:
    """The map of a string made of pieces, each starting at the given offset."""
    anchors: list[Anchor] = []
    for offset, text_map in pieces:
        anchors.extend(text_map.shifted(offset).anchors)
    return TextMap(tuple(anchors))
