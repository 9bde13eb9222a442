"""Text output for people: one line per finding, a summary line at the end."""

from __future__ import annotations

from collections import Counter

from iacguard.engine import ScanResult
from iacguard.findings import Severity
from iacguard.model import ParseError

_COLOURS = {
    Severity.CRITICAL: "\033[1;31m",
    Severity.HIGH: "\033[31m",
    Severity.MEDIUM: "\033[33m",
    Severity.LOW: "\033[36m",
    Severity.INFO: "\033[2m",
}
_RESET = "\033[0m"
_BOLD = "\033[1m"


def render(result: ScanResult, *, colour: bool = False) -> str:
    lines = []
    shown = [f for f in result.findings if not f.suppressed]
    for finding in shown:
        loc = finding.location
        severity = finding.severity.value.upper()
        where = f"{loc.file}:{loc.line}:{loc.column}"
        if colour:
            severity = f"{_COLOURS[finding.severity]}{severity}{_RESET}"
            where = f"{_BOLD}{where}{_RESET}"
        lines.append(f"{where}  {severity}  {finding.rule_id} {finding.rule}  {finding.message}")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def summary(result: ScanResult) -> str:
    shown = [f for f in result.findings if not f.suppressed]
    files = len(result.scanned)
    scanned = f"{files} file{'s' if files != 1 else ''} scanned"
    if result.skipped:
        scanned += f", {len(result.skipped)} skipped"
    if shown:
        counts = Counter(f.severity for f in shown)
        by_severity = ", ".join(
            f"{counts[s]} {s.value}" for s in sorted(counts, key=lambda s: -s.rank)
        )
        head = f"{len(shown)} finding{'s' if len(shown) != 1 else ''} ({by_severity})"
    else:
        head = "No findings"
    tail = ""
    if result.errors:
        tail = f"; {len(result.errors)} error{'s' if len(result.errors) != 1 else ''}"
    return f"{head} in {scanned}{tail}."


def error_line(error: ParseError) -> str:
    """``file:line:col: error: message``, as stderr shows a file that could not be read."""
    where = (
        error.file
        + (f":{error.line}" if error.line else "")
        + (f":{error.column}" if error.column else "")
    )
    return f"{where}: error: {error.message}"
