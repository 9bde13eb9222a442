"""JSON output, version 1 (the contract in rules.md)."""

from __future__ import annotations

from typing import Any

from iacguard import __version__
from iacguard.catalog import info
from iacguard.findings import Finding, ScanResult
from iacguard.report import dump_json

VERSION = 1


def finding_dict(finding: Finding) -> dict[str, Any]:
    loc = finding.location
    entry: dict[str, Any] = {
        "rule_id": finding.rule_id,
        "rule": finding.rule,
        "severity": finding.severity.value,
        "file": loc.file,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "resource": finding.resource,
        "resource_type": finding.resource_type,
        "message": finding.message,
        "suppressed": finding.suppressed,
        "fingerprint": finding.fingerprint,
    }
    if finding.construct_path is not None:
        entry["construct_path"] = finding.construct_path
    if finding.related:
        entry["related"] = [
            {
                "file": r.location.file,
                "line": r.location.line,
                "column": r.location.column,
                "message": r.message,
            }
            for r in finding.related
        ]
    if finding.suppression is not None:
        entry["suppression"] = {
            "kind": finding.suppression.kind,
            "reason": finding.suppression.reason,
        }
    return entry


def render(result: ScanResult) -> str:
    document = {
        "version": VERSION,
        "tool": {"name": "iacguard", "version": __version__, "catalog": info().as_dict()},
        "findings": [finding_dict(f) for f in result.findings],
        "errors": [
            {
                "file": e.file,
                "line": e.line,
                "column": e.column,
                "message": e.message,
                "kind": e.kind,
            }
            for e in result.errors
        ],
        "unresolved": [
            {
                "file": u.file,
                "line": u.line,
                "resource": u.resource,
                "expression": u.expression,
                "why": u.why,
            }
            for u in result.unresolved
        ],
        "not_read": [{"file": n.file, "why": n.why} for n in result.not_read],
        "unused_suppressions": [
            {
                "kind": u.kind,
                "file": u.file,
                "line": u.line,
                "rules": list(u.rules),
                "message": u.message,
            }
            for u in result.unused_suppressions
        ],
        "summary": {
            "files_scanned": len(result.scanned),
            "files_skipped": len(result.skipped),
            "resources": result.resources,
            "findings": len(result.unsuppressed),
            "suppressed": len(result.findings) - len(result.unsuppressed),
            "errors": len(result.errors),
        },
    }
    return dump_json(document)
