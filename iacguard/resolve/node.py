"""A located node of a decoded document, the unit every resolver works on."""

from __future__ import annotations

from typing import Any

from iacguard.errors import ErrorKind
from iacguard.model import Location
from iacguard.records import dataclass

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Node:
    """A value of a decoded document (mapping, list, string, number), the route to it
    from the document root, where it is written, and the condition it depends on."""

    value: Any
    path: Path
    location: Location
    when: str | None = None


def join_when(*parts: str | None) -> str | None:
    """The conditions a value depends on, each once (``A and B``), or None for none."""
    present = [p for p in parts if p]
    return " and ".join(dict.fromkeys(present)) if present else None


@dataclass(frozen=True, slots=True)
class Problem:
    """Malformed input met while resolving (``Action: [[x]]``, ``Fn::GetAtt: []``): unlike
    an unknown, no deploy could give it a value; the parser reports it as an error of
    ``kind`` (``limit``: input past one of the resolver's limits)."""

    message: str
    location: Location
    kind: ErrorKind = "value"
