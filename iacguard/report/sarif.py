"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF consumer).

What GitHub needs beyond the schema: artifact URIs relative to a ``uriBaseId``, 1-based
regions, one rule per check with help text and ``security-severity`` (a rule tagged
``security``), ``partialFingerprints`` so alerts survive line moves, and
``automationDetails.id`` naming the analysis. Suppressed findings are left out.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from iacguard import __version__
from iacguard.catalog import info
from iacguard.checks import CHECKS
from iacguard.checks.base import DOC_SECTIONS, Check
from iacguard.errors import Error
from iacguard.findings import Finding, ScanResult, Severity
from iacguard.model import Location
from iacguard.report import dump_json, in_repository

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "iacguard/v1"
AUTOMATION_ID = "iacguard/"

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "warning",
    Severity.INFO: "note",
}
# GitHub maps >= 9.0 to critical, >= 7.0 high, >= 4.0 medium, > 0 low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}


def render(result: ScanResult, *, root: Path | None = None) -> str:
    """The SARIF log of a scan; ``root`` is what relative paths are relative to (the
    current directory by default), recorded as ``%SRCROOT%``."""
    base = (root or Path.cwd()).resolve()
    rule_index = {check.id: i for i, check in enumerate(CHECKS)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "iacguard",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [rule(check) for check in CHECKS],
                "properties": {"catalog": info().as_dict()},
            }
        },
        "automationDetails": {"id": AUTOMATION_ID},
        "originalUriBaseIds": {SRCROOT: {"uri": base.as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": [
            _result(f, rule_index.get(f.rule_id)) for f in result.findings if not f.suppressed
        ],
        "invocations": [_invocation(result)],
    }
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return dump_json(log)


def rule(check: type[Check]) -> dict[str, Any]:
    """A reportingDescriptor: the check's metadata and its docstring as help."""
    doc = check.documentation()
    sections = [(h, doc[h]) for h in DOC_SECTIONS if doc.get(h)]
    text = "\n\n".join(f"{heading}\n{body}" for heading, body in sections)
    markdown = "\n\n".join(f"## {heading}\n\n{body}" for heading, body in sections)
    return {
        "id": check.id,
        "name": check.slug,
        "shortDescription": {"text": check.summary},
        "fullDescription": {"text": " ".join(doc.get("What it does", check.summary).split())},
        "help": {"text": text or check.summary, "markdown": markdown or check.summary},
        "helpUri": check.help_uri(),
        "defaultConfiguration": {"level": LEVELS[check.severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[check.severity],
            "precision": "high",
            "tags": ["security", "iam", *check.frameworks],
        },
    }


def _result(finding: Finding, index: int | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"ruleId": finding.rule_id}
    if index is not None:
        entry["ruleIndex"] = index
    shown, message = in_repository(finding)
    related = [(r.location, r.message) for r in finding.related]
    if shown != finding.location:  # the module's own place stays one click away
        related.insert(0, (finding.location, f"{finding.resource} is here"))
    entry.update(
        {
            "level": LEVELS[finding.severity],
            "message": {"text": message_text(message)},
            "locations": [
                {
                    "physicalLocation": physical_location(shown),
                    "logicalLocations": [_logical_location(finding)],
                }
            ],
            "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
            "properties": {
                "severity": finding.severity.value,
                "resource": finding.resource,
                "resourceType": finding.resource_type,
                **({"constructPath": finding.construct_path} if finding.construct_path else {}),
            },
        }
    )
    if related:
        entry["relatedLocations"] = [
            {
                "id": i,
                "physicalLocation": physical_location(location),
                "message": {"text": message_text(text)},
            }
            for i, (location, text) in enumerate(related, start=1)
        ]
    return entry


def _logical_location(finding: Finding) -> dict[str, str]:
    """The resource: its address, or, for a resource a CDK app defined, its address as
    the name and its construct path as the fully qualified name."""
    if finding.construct_path is None:
        return {"fullyQualifiedName": finding.resource, "kind": "resource"}
    return {
        "name": finding.resource,
        "fullyQualifiedName": finding.construct_path,
        "kind": "resource",
    }


def message_text(text: str) -> str:
    """A message as SARIF plain text: brackets escaped (SARIF 3.11.6), so a name from a
    template such as ``[docs](https://evil.example)`` is never an embedded link."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def physical_location(location: Location) -> dict[str, Any]:
    region: dict[str, int] = {
        "startLine": max(location.line, 1),
        "startColumn": max(location.column, 1),
    }
    if location.end_line > location.line or location.end_column > location.column:
        region["endLine"] = max(location.end_line, region["startLine"])
        # SARIF endColumn is the column after the region, as Location's is.
        region["endColumn"] = max(location.end_column, 1)
    return {"artifactLocation": artifact_location(location.file), "region": region}


def artifact_location(file: str) -> dict[str, str]:
    """Paths below the current directory (as findings carry them) become URIs under
    ``%SRCROOT%``; any other file (absolute, or ``../`` relative) an absolute ``file:``
    URI, since code scanning cannot place a path that leaves the checkout. A name that
    is not valid UTF-8 is percent-encoded byte for byte."""
    if Path(file).is_absolute() or file == ".." or file.startswith("../"):
        # abspath, not resolve: the name as written, without following links
        return {"uri": Path(os.path.abspath(file)).as_uri()}  # noqa: PTH100
    return {"uri": quote(os.fsencode(file), safe="/"), "uriBaseId": SRCROOT}


def _invocation(result: ScanResult) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": not result.errors}
    if result.errors:
        invocation["toolExecutionNotifications"] = [_notification(e) for e in result.errors]
    return invocation


def _notification(error: Error) -> dict[str, Any]:
    notification: dict[str, Any] = {
        "level": "error",
        "message": {"text": message_text(error.message)},
        "properties": {"kind": error.kind},
    }
    if error.file is not None:  # else about the scan: no physical location
        region = {"startLine": max(error.line or 1, 1), "startColumn": max(error.column or 1, 1)}
        notification["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": artifact_location(error.file),
                    "region": region,
                }
            }
        ]
    return notification
