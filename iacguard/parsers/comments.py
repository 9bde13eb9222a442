"""Suppression comments, ``# iacguard: ignore[IG002, user-not-in-group] reason``, found
in the text of any format: each parser says which comment markers its format has."""

from __future__ import annotations

import re
from functools import cache

from iacguard.model import Directive, Location


@cache
def _pattern(markers: tuple[str, ...]) -> re.Pattern[str]:
    starts = "|".join(re.escape(m) for m in markers)
    # Bounded, so that a hostile line (``# iacguard: ignore[x`` many times over) costs
    # linear time rather than a rescan to the end of the line from every start.
    return re.compile(rf"(?:{starts})\s*iacguard:\s*ignore\[([^\]\n]{{0,500}})\]\s*[-:]?(.*)$")


def comment_directives(text: str, file: str, markers: tuple[str, ...]) -> list[Directive]:
    """Every suppression comment in ``text``; ``markers`` are the format's comment starts
    (``("#",)`` for YAML, ``("#", "//", "/*")`` for HCL). Most files have none, so a
    substring test comes first."""
    if "iacguard:" not in text:
        return []
    pattern = _pattern(markers)
    directives = []
    for number, line in enumerate(text.splitlines(), start=1):
        if "iacguard:" not in line:
            continue
        match = pattern.search(line)
        if match is None:
            continue
        rules = tuple(r.strip() for r in match.group(1).split(",") if r.strip())
        reason = match.group(2).strip().removesuffix("*/").strip()
        location = Location(file, number, match.start() + 1, number, len(line) + 1)
        directives.append(Directive("comment", rules, reason or None, location))
    return directives
