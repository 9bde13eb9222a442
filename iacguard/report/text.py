"""Text output for people: one line per finding, a summary line at the end."""

from __future__ import annotations

from collections import Counter

from iacguard.errors import Error
from iacguard.findings import Finding, ScanResult, Severity
from iacguard.model import OUTSIDE_MODULE, REMOTE_MODULE
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


GROUPS = ("rule", "file")


def render(
    result: ScanResult,
    *,
    colour: bool = False,
    show_suppressed: bool = False,
    show_unresolved: bool = False,
    quiet: bool = False,
    group_by: str | None = None,
) -> str:
    """``file:line:col  SEVERITY  IG002  resource  message`` per finding (the resource
    address names the module instance; two root modules calling one module under one name
    print the same line but for the root module added),
    where to read about each rule that fired, warnings, and the summary; ``quiet``: the
    summary alone.
    ``group_by`` (rule or file) puts the findings under a heading each, without repeating
    what the heading says."""
    if quiet:
        return summary(result) + "\n"
    shown = [f for f in result.findings if f.suppression is None or show_suppressed]
    lines: list[str] = []
    if group_by is None:
        lines.extend(_lines(shown, colour))
    else:
        key = (lambda f: f"{f.rule_id} {f.rule}") if group_by == "rule" else _file
        groups: dict[str, list[Finding]] = {}
        for finding in sorted(shown, key=key) if group_by == "rule" else shown:
            groups.setdefault(key(finding), []).append(finding)
        for name, findings in groups.items():
            heading = printable(name)
            count = f"{len(findings)} finding{'s' if len(findings) != 1 else ''}"
            lines.append(
                f"{_BOLD}{heading}{_RESET}  ({count})" if colour else f"{heading}  ({count})"
            )
            lines.extend("  " + line for line in _lines(findings, colour, leave_out=group_by))
    lines.extend(_pointers(shown))
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


def _file(finding: Finding) -> str:
    return finding.location.file


def _lines(findings: list[Finding], colour: bool, leave_out: str | None = None) -> list[str]:
    """One line per finding; lines that would read alike say which root module each is."""
    plain = [_line(f, False, leave_out) for f in findings]
    scopes: dict[str, set[str]] = {}
    for f, line in zip(findings, plain, strict=True):
        scopes.setdefault(line, set()).add(f.scope)
    return [
        _line(f, colour, leave_out)
        + (f"  (in root module {printable(f.scope)})" if len(scopes[line]) > 1 else "")
        for f, line in zip(findings, plain, strict=True)
    ]


def _line(finding: Finding, colour: bool, leave_out: str | None = None) -> str:
    loc = finding.location
    severity = finding.severity.value.upper()
    # names, Sids and file names come from the scanned files: escaped, so that they
    # cannot move the cursor, clear the screen or forge a line
    where = printable(
        f"{loc.line}:{loc.column}" if leave_out == "file" else f"{loc.file}:{loc.line}:{loc.column}"
    )
    if colour:
        severity = f"{_COLOURS[finding.severity]}{severity}{_RESET}"
        where = f"{_BOLD}{where}{_RESET}"
    parts = [where, severity]
    if leave_out != "rule":
        parts.append(finding.rule_id)
    parts += [printable(finding.resource_label), printable(finding.message)]
    line = "  ".join(parts)
    if finding.suppression is not None:
        reason = finding.suppression.reason or "no reason given"
        line += f"  [suppressed by {finding.suppression.kind}: {printable(reason)}]"
    return line


def _pointers(findings: list[Finding]) -> list[str]:
    """One line per rule that fired: what it is, and where to read how to fix it."""
    from iacguard.checks import find_check

    lines = []
    for rule_id in sorted({f.rule_id for f in findings}):
        check = find_check(rule_id)
        if check is not None:
            lines.append(
                f"{check.id} {check.slug}: how to fix: iacguard explain {check.id}, "
                f"{check.help_uri()}"
            )
    return lines


def not_checked(result: ScanResult) -> str:
    """One line saying what could not be checked, and where to see it; or nothing."""
    remote = sum(1 for u in result.unresolved if u.why == REMOTE_MODULE)
    values = len(result.unresolved) - remote
    parts = []
    if values:
        parts.append(f"{values} value{'s' if values != 1 else ''} could not be resolved")
    if remote:  # no modules.json, or one older than the call
        parts.append(
            f"run `terraform init` to check {remote} remote module{'s' if remote != 1 else ''}"
        )
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


def error_line(error: Error) -> str:
    """``file:line:col: error: message``, as stderr shows a file that could not be read;
    ``iacguard: error: message`` for an error about no one file."""
    where = error.file or "iacguard"
    if error.file and error.line:
        where += f":{error.line}" + (f":{error.column}" if error.column else "")
    return printable(f"{where}: error: {error.message}")
