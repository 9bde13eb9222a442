"""GitHub Actions workflow commands: one annotation per finding, and nothing else that
the runner could take for a command.

Resource names, Sids and file names come from the pull request, so every value is
escaped the way the runner unescapes it (``%``, CR and LF in the message; also ``:``
and ``,`` in properties). Lines that are not our own commands are printed between
``::stop-commands::TOKEN`` and ``::TOKEN::`` with a random token: the runner does not
act on anything in between, including a ``##[`` anywhere in a line (its legacy
command syntax, which it looks for in the middle of lines too).

GitHub shows only 10 annotations of each level per step. The most severe come first;
the rest are counted in one closing notice that says where to see them.
"""

from __future__ import annotations

import secrets
from collections import Counter

from iacguard.errors import Error
from iacguard.findings import Finding, ScanResult, Severity
from iacguard.report import in_repository, printable, text

ANNOTATIONS_PER_LEVEL = 10
LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "warning",
    Severity.INFO: "notice",
}


def escape_data(value: str) -> str:
    """The runner's escapes, after every other control character (ESC, which the log
    viewer renders) is written out visibly."""
    return printable(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int | None) -> str:
    """``::name key=value,…::message`` with every value escaped; None values left out."""
    pairs = ",".join(
        f"{key}={escape_property(str(value))}"
        for key, value in properties.items()
        if value is not None
    )
    head = f"{name} {pairs}" if pairs else name
    return f"::{head}::{escape_data(message)}"


def render(
    result: ScanResult,
    *,
    per_level: int = ANNOTATIONS_PER_LEVEL,
    stop_token: str | None = None,
) -> str:
    annotations = [_error_annotation(e) for e in result.errors]
    shown = [f for f in result.findings if not f.suppressed]
    shown.sort(key=lambda f: (-f.severity.rank, *f.sort_key()))
    annotations += [_finding_annotation(f) for f in shown]

    lines = _within_limits(annotations, per_level)
    token = stop_token or secrets.token_hex(16)
    lines.append(command("group", text.summary(result)))
    lines.append(f"::stop-commands::{token}")
    lines.extend(_log(result))
    lines.append(f"::{token}::")
    lines.append("::endgroup::")
    return "\n".join(lines) + "\n"


def _within_limits(annotations: list[tuple[str, str]], per_level: int) -> list[str]:
    """The annotations GitHub will show, most severe first, and one notice for the rest
    (it takes one of the notice places, so that it is shown too)."""
    counts = Counter(level for level, _ in annotations)
    overflow = any(n > per_level for n in counts.values())
    room = {level: per_level for level in ("error", "warning", "notice")}
    if overflow:
        room["notice"] -= 1
    lines, hidden = [], 0
    for level, line in annotations:
        if room[level] > 0:
            room[level] -= 1
            lines.append(line)
        else:
            hidden += 1
    if hidden:
        noun = "finding is" if hidden == 1 else "findings are"
        lines.append(
            command(
                "notice",
                f"{hidden} more {noun} not shown as annotations (GitHub shows {per_level} "
                "of each level per step). The job summary, this step's log and the SARIF "
                "results list every finding; `iacguard check --format text` prints them too.",
                title="iacguard: more findings",
            )
        )
    return lines


def _finding_annotation(finding: Finding) -> tuple[str, str]:
    loc, message = in_repository(finding)
    if finding.construct_path is not None:
        # the logical id is a hash-suffixed name; the construct path is what the app wrote
        message = f"{message} (construct {finding.construct_path})"
    single_line = loc.end_line <= loc.line
    level = LEVELS[finding.severity]
    return level, command(
        level,
        message,
        file=loc.file,
        line=max(loc.line, 1),
        endLine=max(loc.end_line, loc.line, 1),
        # The runner drops columns on an annotation that spans several lines.
        col=max(loc.column, 1) if single_line else None,
        title=f"{finding.rule_id} {finding.rule} ({finding.severity.value})",
    )


def _error_annotation(error: Error) -> tuple[str, str]:
    if error.file is None:  # about the scan: an annotation on the run, not on a file
        return "error", command("error", error.message, title="iacguard")
    return "error", command(
        "error",
        error.message,
        file=error.file,
        line=error.line,
        col=error.column if error.line else None,
        title="iacguard could not check this file",
    )


def _log(result: ScanResult) -> list[str]:
    """Every finding and error in plain text, for the step log."""
    lines = [text.error_line(e) for e in result.errors]
    lines.extend(text.render(result).splitlines())
    return lines


def fatal(message: str) -> str:
    """A run-stopping error (bad diff base, unwritable output) as an error annotation."""
    return command("error", message, title="iacguard")
