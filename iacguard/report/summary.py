"""The GitHub job summary: Markdown appended to ``$GITHUB_STEP_SUMMARY``.

Findings by rule, by file, then one row each. Every text that comes from a template
(names, messages, file names) is escaped, so it renders as text and never as a link,
a mention, HTML or a broken table. GitHub refuses a step summary over 1 MiB; rows that
do not fit are counted in a closing note instead.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from iacguard.findings import Finding, ScanResult, Severity
from iacguard.report import printable, text

STEP_SUMMARY_LIMIT = 1024 * 1024
# Room left for anything else the step writes to its summary.
BUDGET = STEP_SUMMARY_LIMIT - 64 * 1024

# Inline Markdown inside a table cell: emphasis, code, links and images (brackets),
# strikethrough, math, issue references, mentions, and the cell separator.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]|~$#@])")
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x85\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# What GitHub's Markdown turns into a link without any syntax (GFM's autolinks): a scheme
# followed by "://", "www.", and e-mail addresses. A zero-width space breaks each one.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z0-9])(?=:/)|(?<=www)(?=\.)|(?<=[a-z0-9._+-])(?=@)")
_NOTE_ROOM = 300


def cell(value: str) -> str:
    """Plain text made safe for a Markdown table cell: no HTML, no Markdown, no link,
    one line."""
    value = printable(_CONTROL.sub("", _LINE_BREAKS.sub(" ", value)))
    value = _AUTOLINK.sub("\u200b", value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", value)


def render(result: ScanResult, *, budget: int = BUDGET) -> str:
    shown = [f for f in result.findings if not f.suppressed]
    shown.sort(key=lambda f: (-f.severity.rank, *f.sort_key()))
    out = _Budget(budget)
    out.add(["## iacguard", "", cell(text.summary(result)), ""])
    if shown:
        out.table(
            "By rule",
            ["Rule", "Severity", "Findings"],
            [
                [f"{rule_id} `{rule}`", severities, str(count)]
                for rule_id, rule, severities, count in _by_rule(shown)
            ],
        )
        files = Counter(f.location.file for f in shown)
        out.table(
            "By file",
            ["File", "Findings"],
            [[cell(file), str(n)] for file, n in sorted(files.items())],
        )
        out.table(
            "Findings",
            ["Severity", "Rule", "Location", "Resource", "Message"],
            [_row(f) for f in shown],
        )
    if result.errors:
        out.table(
            "Files that could not be checked",
            ["File", "Line", "Error"],
            [[cell(e.file or ""), str(e.line or ""), cell(e.message)] for e in result.errors],
        )
    return out.text()


def append(result: ScanResult, path: str) -> None:
    """Append the summary to the step summary file, within what is left of its 1 MiB."""
    target = Path(path)
    used = target.stat().st_size if target.exists() else 0
    room = min(BUDGET, STEP_SUMMARY_LIMIT - used - 1024)
    if room < _NOTE_ROOM * 2:
        return
    with target.open("a", encoding="utf-8") as stream:
        stream.write(render(result, budget=room))


def _by_rule(findings: list[Finding]) -> list[tuple[str, str, str, int]]:
    rules: dict[tuple[str, str], Counter[Severity]] = {}
    for f in findings:
        rules.setdefault((f.rule_id, f.rule), Counter())[f.severity] += 1
    rows = []
    for (rule_id, rule), counts in sorted(rules.items()):
        severities = ", ".join(
            f"{counts[s]} {s.value}" for s in sorted(counts, key=lambda s: -s.rank)
        )
        rows.append((rule_id, rule, severities, sum(counts.values())))
    return rows


def _row(finding: Finding) -> list[str]:
    loc = finding.location
    return [
        finding.severity.value,
        f"{finding.rule_id} `{finding.rule}`",
        cell(f"{loc.file}:{loc.line}:{loc.column}"),
        cell(finding.resource_label),
        cell(finding.message),
    ]


class _Budget:
    """Markdown lines that stop growing at a byte budget, counting the rows left out."""

    def __init__(self, budget: int) -> None:
        self.budget = budget - _NOTE_ROOM
        self.used = 0
        self.lines: list[str] = []
        self.left_out = 0

    def add(self, lines: list[str]) -> bool:
        size = sum(len(line.encode("utf-8")) + 1 for line in lines)
        if self.left_out or self.used + size > self.budget:
            return False
        self.lines.extend(lines)
        self.used += size
        return True

    def table(self, title: str, header: list[str], rows: list[list[str]]) -> None:
        head = [f"### {title}", "", _cells(header), _cells(["---"] * len(header))]
        if not self.add(head):
            self.left_out += len(rows)
            return
        for i, row in enumerate(rows):
            if not self.add([_cells(row)]):
                self.left_out += len(rows) - i
                break
        self.add([""])

    def text(self) -> str:
        lines = list(self.lines)
        if self.left_out:
            lines += [
                "",
                f"_{self.left_out} more rows are not listed: a step summary must stay under "
                "1 MiB. The step log and the SARIF results have every finding._",
            ]
        return "\n".join(lines) + "\n"


def _cells(values: list[str]) -> str:
    return "| " + " | ".join(values) + " |"
