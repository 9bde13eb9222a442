"""Building strings from located values: template interpolation and JSON rendering.

The result keeps a ``TextMap``, so policy JSON assembled from pieces
(``<<EOF {"Statement": ${jsonencode(local.statements)}} EOF``) still points at the
piece each part came from, and unknown parts stay holes rather than spoiling the text.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

from iacguard.model import Location, Unknown
from iacguard.resolve.hcl import Expr
from iacguard.resolve.limits import check_string
from iacguard.resolve.node import join_when
from iacguard.resolve.terraform_values import (
    Choice,
    DocumentRef,
    Located,
    TfValue,
    choice,
    hole_marker,
    options,
    renumber_holes,
    when_of,
)
from iacguard.text_map import Anchor, TextMap, join_maps

Charge = Callable[[int], None]  # counts what is built against the evaluation's budget


class _Builder:
    def __init__(self, charge: Charge) -> None:
        self.charge = charge
        self.parts: list[str] = []
        self.pieces: list[tuple[int, TextMap]] = []
        self.holes: list[Unknown] = []
        self.length = 0

    def add(self, text: str, text_map: TextMap) -> None:
        check_string(self.length + len(text))
        self.charge(len(text) + len(text_map.anchors))
        self.pieces.append((self.length, text_map))
        self.parts.append(text)
        self.length += len(text)

    def hole(self, unknown: Unknown) -> None:
        self.add(hole_marker(len(self.holes)), TextMap.fixed(unknown.location))
        self.holes.append(unknown)

    def string(self, value: Located) -> None:
        text = renumber_holes(str(value.value), len(self.holes))
        self.holes.extend(value.holes)
        self.add(text, value.text_map or TextMap.fixed(value.location))

    def json(self, value: TfValue) -> None:
        """``value`` as JSON text, each part mapped to where it is written."""
        if isinstance(value, (Unknown, DocumentRef, Choice)):
            self.hole(_as_unknown(value))
            return
        data = value.value
        fixed = TextMap((Anchor(0, value.location, advances=False),))
        if isinstance(data, dict):
            self.add("{", fixed)
            for index, (key, item) in enumerate(data.items()):
                self.add(("," if index else "") + json.dumps(key, ensure_ascii=False) + ":", fixed)
                self.json(item)
            self.add("}", fixed)
        elif isinstance(data, list):
            self.add("[", fixed)
            for index, item in enumerate(data):
                if index:
                    self.add(",", fixed)
                self.json(item)
            self.add("]", fixed)
        elif isinstance(data, str):
            text = renumber_holes(json.dumps(data, ensure_ascii=False), len(self.holes))
            self.holes.extend(value.holes)
            self.add(text, fixed)
        else:
            self.add(json.dumps(data), fixed)

    def result(self, location: Location, when: str | None) -> Located:
        return Located(
            "".join(self.parts), location, when, join_maps(self.pieces), tuple(self.holes)
        )


def concatenate(parts: list[TfValue], expr: Expr, limit: int, charge: Charge) -> TfValue:
    """The string a template makes of its parts; one option per combination of the
    parts' alternatives."""
    alternatives = [list(options(p)) for p in parts]
    results: list[TfValue] = []
    for combo in itertools.islice(itertools.product(*alternatives), limit):
        builder = _Builder(charge)
        when: str | None = None
        for value in combo:
            when = join_when(when, when_of(value))
            _append(builder, value)
        results.append(builder.result(expr.location, when))
    return choice(results, expr.location)


def to_json_text(value: TfValue, location: Location, charge: Charge) -> Located:
    """``jsonencode`` of a value that must become a string."""
    builder = _Builder(charge)
    builder.json(value)
    return builder.result(location, when_of(value))


def _append(builder: _Builder, value: TfValue) -> None:
    if isinstance(value, (Unknown, DocumentRef, Choice)):
        builder.hole(_as_unknown(value))
        return
    data = value.value
    if isinstance(data, str):
        builder.string(value)
    elif isinstance(data, (list, dict)):
        builder.json(value)
    else:
        builder.add(_scalar_text(data), TextMap.fixed(value.location))


def _scalar_text(data: Any) -> str:
    if data is None:
        return ""
    if isinstance(data, bool):
        return "true" if data else "false"
    if isinstance(data, float) and data.is_integer():
        return str(int(data))
    return str(data)


def _as_unknown(value: TfValue) -> Unknown:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, DocumentRef):
        return Unknown(f"{value.address}.json", "a policy document", value.location, value.when)
    return Unknown("…", "depends on a condition", value.location)
