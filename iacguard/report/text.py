"""Text output for people: one line per finding, a summary line at the end."""

from __future__ import annotations

import re
from collections import Counter

from iacguard.findings import ScanResult, Severity
from iacguard.model import OUTSIDE_MODULE, REMOTE_MODULE, ParseError
from iacguard.report import printable

_COLOURS = {
    Severity.CRITICAL: "\033[1;31m",
    Severity.HIGH: "\033[31m",
    Severity.MEDIUM: "\033[33m",
    Severity.LOW: "\033[36m",
    Severity.INFO: "\033[2m",
}
_RESET = "\033[0m"
# The module instance path of a resource address: module.a["k"].module.b[0]
_CALL = r'module\.[^.\[]+(?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?'
_MODULE_PATH = re.compile(rf"({_CALL}(?:\.{_CALL})*)\.")
_BOLD = "\033[1m"


def render(
    result: ScanResult,
    *,
    colour: bool = False,
    show_suppressed: bool = False,
    show_unresolved: bool = False,
) -> str:
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
        instance = _MODULE_PATH.match(finding.resource)
        if instance:  # a module called twice has the same lines: say which instance
            line += f"  [in {printable(instance.group(1))}]"
        if finding.suppression is not None:
            reason = finding.suppression.reason or "no reason given"
            line += f"  [suppressed by {finding.suppression.kind}: {printable(reason)}]"
        lines.append(line)
    lines.extend(map(printable, _warnings(result)))
    if show_unresolved:
        lines.extend(
            printable(f"{u.file}:{u.line}: unresolved: {u.resource}: {u.expression}: {u.why}")
            for u in result.unresolved
        )
    lines.append(summary(result))
    unchecked = not_checked(result)
    if unchecked:
        lines.append(unchecked)
    return "\n".join(lines) + "\n"


def not_checked(result: ScanResult) -> str:
    """One line saying what could not be checked, and where to see it; or nothing."""
    remote = sum(1 for u in result.unresolved if u.why == REMOTE_MODULE)
    values = len(result.unresolved) - remote
    parts = []
    if values:
        parts.append(f"{values} value{'s' if values != 1 else ''} could not be resolved")
    if remote:
        parts.append(f"{remote} module{'s are' if remote != 1 else ' is'} remote")
    if not parts:
        return ""
    return f"{', '.join(parts)}; see --format json or --show-unresolved."


def _warnings(result: ScanResult) -> list[str]:
    warnings = [f"{n.file}: warning: {n.why}" for n in result.not_read]
    warnings.extend(
        f"{u.file}:{u.line}: warning: {u.resource}: source {u.expression} is outside the "
        "scanned paths; not read"
        for u in result.unresolved
        if u.why == OUTSIDE_MODULE
    )
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
