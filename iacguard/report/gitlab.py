"""GitLab Code Quality report: a JSON array of issues, the subset of the Code Climate
format GitLab reads (``artifacts:reports:codequality``). Suppressed findings are left out,
as in SARIF; files that could not be checked are issues too, so they are not lost."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from iacguard.findings import Finding, ScanResult, Severity

# GitLab's five levels, from its own lowest (info) to highest (blocker).
_SEVERITY = {
    Severity.CRITICAL: "blocker",
    Severity.HIGH: "critical",
    Severity.MEDIUM: "major",
    Severity.LOW: "minor",
    Severity.INFO: "info",
}


def _issue(finding: Finding) -> dict[str, Any]:
    loc = finding.location
    return {
        "type": "issue",
        "check_name": f"{finding.rule_id} {finding.rule}",
        "description": f"{finding.resource_label}: {finding.message}",
        "categories": ["Security"],
        "severity": _SEVERITY[finding.severity],
        "fingerprint": finding.fingerprint,
        "location": {
            "path": loc.file,
            "lines": {"begin": loc.line, "end": max(loc.end_line, loc.line)},
        },
    }


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def render(result: ScanResult) -> str:
    issues = [_issue(f) for f in result.unsuppressed]
    for error in result.errors:
        path = error.file or "."  # no file: about the scan, so the directory it ran in
        key = "\x1f".join(("error", path, str(error.line), error.message))
        issues.append(
            {
                "type": "issue",
                "check_name": "iacguard error",
                "description": f"iacguard could not check this file: {error.message}",
                "categories": ["Bug Risk"],
                "severity": "critical",
                "fingerprint": _digest(key),
                "location": {"path": path, "lines": {"begin": error.line or 1}},
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
