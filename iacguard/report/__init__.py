"""Reporters: each renders a finished scan in one format. They see only findings."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iacguard.findings import ScanResult

FORMATS = ("text", "json", "sarif", "github")


def render(
    fmt: str, result: ScanResult, *, colour: bool = False, show_suppressed: bool = False
) -> str:
    """The scan in one of FORMATS; each reporter is imported only when it is used.
    ``colour`` and ``show_suppressed`` concern the text format only."""
    if fmt == "text":
        from iacguard.report import text

        return text.render(result, colour=colour, show_suppressed=show_suppressed)
    if fmt == "json":
        from iacguard.report import json

        return json.render(result)
    if fmt == "sarif":
        from iacguard.report import sarif

        return sarif.render(result)
    if fmt == "github":
        from iacguard.report import github

        return github.render(result)
    raise ValueError(f"unknown format {fmt!r}")
