"""Text output for people: one line per finding, a summary line at the end."""

from __future__ import annotations

from collections import Counter

from iacguard.findings import ScanResult, Severity
from iacguard.model import ParseError
from iacguard.report import printable

_COLOURS = {
    Severity.CRITICAL: "\033[1;31m",
    Severity.HIGH: "\033[31m",
    Severity.MEDIUM: "\033[33m",
    Severity.LOW: "\033[36m",
    Severity.INFO: "\033[2m",
}
_RESET = "\033[0m"
_BOLD = "\033[1m"


def render(result: ScanResult, *, colour: bool = False, show_suppressed: bool = False) -> str:
    lines = []
    for finding in result.findings:
        if finding.suppression is not None and not show_suppressed:
            continue
        loc = finding.location
        severity = finding.severity.value.upper()
        # names, Sids and file names come from the scanned files: escaped, so that
        # they cannot move the cursor, clear the screen or forge a line
        where = printable(f"{loc.file}:{loc.line}:{loc.column}")
        if colour:
            severity = f"{_COLOURS[finding.severity]}{severity}{_RESET}"
            where = f"{_BOLD}{where}{_RESET}"
        message = printable(finding.message)
        line = f"{where}  {severity}  {finding.rule_id} {finding.rule}  {message}"
        if finding.suppression is not None:
            reason = finding.suppression.reason or "no reason given"
            line += f"  [suppressed by {finding.suppression.kind}: {printable(reason)}]"
        lines.append(line)
    lines.extend(map(printable, _warnings(result)))
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def _warnings(result: ScanResult) -> list[str]:
    warnings = [f"{n.file}: warning: {n.why}" for n in result.not_read]
    without_reason = {
        f.suppression.written
        for f in result.findings
        if f.suppression is not None
        and f.suppression.written is not None
        and not f.suppression.reason
    }
    for written in sorted(without_reason, key=lambda w: (w.file, w.line)):
        warnings.append(
            f"{written.file}:{written.line}: warning: suppression without a reason; "
            "say why after ignore[...]"
        )
    for unused in result.unused_suppressions:
        where = unused.file + (f":{unused.line}" if unused.line else "")
        rules = ", ".join(unused.rules)
        warnings.append(
            f"{where}: warning: unused suppression ({unused.kind}, {rules}): {unused.message}"
        )
    return warnings


def summary(result: ScanResult) -> str:
    shown = result.unsuppressed
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
    suppressed = len(result.findings) - len(shown)
    if suppressed:
        tail += f"; {suppressed} suppressed"
    if result.errors:
        tail += f"; {len(result.errors)} error{'s' if len(result.errors) != 1 else ''}"
    return f"{head} in {scanned}{tail}."


def error_line(error: ParseError) -> str:
    """``file:line:col: error: message``, as stderr shows a file that could not be read."""
    where = error.file + (f":{error.line}" if error.line else "")
    where += f":{error.column}" if error.line and error.column else ""
    return printable(f"{where}: error: {error.message}")
