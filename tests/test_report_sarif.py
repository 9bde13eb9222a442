"""SARIF: valid against the schema GitHub's upload uses, and shaped the way code scanning
reads it (relative URIs under a base id, rules with help and security-severity,
fingerprints, a category)."""

from __future__ import annotations

import json
from typing import Any

from helpers import ROOT, run
from report_helpers import validate_sarif

from iacguard import __version__
from iacguard.checks import CHECKS
from iacguard.checks.base import DOC_SECTIONS
from iacguard.errors import Error
from iacguard.findings import Finding, Related, ScanResult, Severity, Suppression
from iacguard.model import Location
from iacguard.report import sarif
from iacguard.report.json import render as render_json

REPORT_FIXTURES = "fixtures/cloudformation/report"


def render(result: ScanResult) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(sarif.render(result))
    validate_sarif(log)
    return log


def finding(file: str = "a.yaml", **changes: Any) -> Finding:
    values: dict[str, Any] = {
        "rule_id": "IG002",
        "rule": "wildcard-action",
        "severity": Severity.HIGH,
        "message": "Statement allows ec2:*",
        "location": Location(file, 4, 9, 4, 15),
        "resource": "Ops",
        "resource_type": "AWS::IAM::ManagedPolicy",
        "element": "ec2:*",
    }
    values.update(changes)
    return Finding(**values)


def test_the_report_fixtures_give_a_valid_log_with_one_result_per_finding() -> None:
    result = run(REPORT_FIXTURES)
    log = render(result)
    (sarif_run,) = log["runs"]
    assert [
        (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in sarif_run["results"]
    ] == [(f.rule_id, f.location.line) for f in result.findings]


def test_locations_are_relative_to_srcroot_and_one_based() -> None:
    (sarif_run,) = render(run(REPORT_FIXTURES))["runs"]
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == ROOT.as_uri() + "/"
    first = sarif_run["results"][0]["locations"][0]["physicalLocation"]
    assert first == {
        "artifactLocation": {
            "uri": "fixtures/cloudformation/report/roles.yaml",
            "uriBaseId": "%SRCROOT%",
        },
        "region": {"startLine": 12, "startColumn": 21, "endLine": 12, "endColumn": 24},
    }


def test_a_file_name_is_percent_encoded_in_its_uri() -> None:
    result = ScanResult(findings=[finding("odd dir/50% a#b?.yaml")])
    (sarif_run,) = render(result)["runs"]
    location = sarif_run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "odd%20dir/50%25%20a%23b%3F.yaml", "uriBaseId": "%SRCROOT%"}


def test_one_rule_per_check_with_help_from_its_docstring_and_security_severity() -> None:
    (sarif_run,) = render(ScanResult())["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [c.id for c in CHECKS]
    wildcard = next(r for r in rules if r["id"] == "IG002")
    assert wildcard["name"] == "wildcard-action"
    assert wildcard["shortDescription"]["text"] == "An Allow statement grants actions by wildcard"
    assert wildcard["fullDescription"]["text"].startswith("Reports every `Allow` statement")
    markdown = wildcard["help"]["markdown"]
    for heading in ("What it does", "Why is this bad?", "Example", "Use instead", "References"):
        assert f"## {heading}\n" in markdown
        assert f"{heading}\n" in wildcard["help"]["text"]
    assert "Action: ec2:*" in markdown
    for check, described in zip(CHECKS, rules, strict=True):
        doc = check.documentation()
        assert described["help"]["markdown"] == "\n\n".join(
            f"## {heading}\n\n{doc[heading]}" for heading in DOC_SECTIONS
        )
        assert described["fullDescription"]["text"] == " ".join(doc["What it does"].split())
    assert wildcard["properties"]["security-severity"] == "8.0"
    assert "security" in wildcard["properties"]["tags"]
    assert [r["properties"]["security-severity"] for r in rules] == [
        sarif.SECURITY_SEVERITY[c.severity] for c in CHECKS
    ]
    assert [r["helpUri"] for r in rules] == [
        f"https://github.com/your-org/iacguard/blob/v{__version__}/docs/rules.md#{c.slug}"
        for c in CHECKS
    ]


def test_severities_map_to_levels_and_security_severity_scores() -> None:
    assert sarif.SECURITY_SEVERITY == {
        Severity.CRITICAL: "9.5",
        Severity.HIGH: "8.0",
        Severity.MEDIUM: "5.5",
        Severity.LOW: "3.0",
        Severity.INFO: "1.0",
    }
    findings = [finding(severity=s, element=s.value) for s in Severity]
    (sarif_run,) = render(ScanResult(findings=findings))["runs"]
    assert [r["level"] for r in sarif_run["results"]] == [
        "note",
        "warning",
        "warning",
        "error",
        "error",
    ]


def test_results_carry_the_fingerprint_the_resource_and_the_category() -> None:
    found = finding()
    (sarif_run,) = render(ScanResult(findings=[found]))["runs"]
    (result,) = sarif_run["results"]
    assert result["partialFingerprints"] == {"iacguard/v1": found.fingerprint}
    assert result["locations"][0]["logicalLocations"] == [
        {"fullyQualifiedName": "Ops", "kind": "resource"}
    ]
    assert result["ruleIndex"] == 1
    assert sarif_run["automationDetails"] == {"id": "iacguard/"}


def test_suppressed_findings_are_left_out() -> None:
    kept = finding(element="kept")
    hidden = finding(element="hidden", suppression=Suppression("comment", "reviewed"))
    (sarif_run,) = render(ScanResult(findings=[kept, hidden]))["runs"]
    assert [r["partialFingerprints"]["iacguard/v1"] for r in sarif_run["results"]] == [
        kept.fingerprint
    ]


def test_related_locations_are_listed_with_their_messages() -> None:
    related = (
        Related(Location("b.yaml", 30, 5, 30, 20), "grants iam:PassRole"),
        Related(Location("c.yaml", 2), "called from module.a"),
    )
    (sarif_run,) = render(ScanResult(findings=[finding(related=related)]))["runs"]
    (result,) = sarif_run["results"]
    assert [
        (
            r["id"],
            r["physicalLocation"]["artifactLocation"]["uri"],
            r["physicalLocation"]["region"],
            r["message"]["text"],
        )
        for r in result["relatedLocations"]
    ] == [
        (
            1,
            "b.yaml",
            {"startLine": 30, "startColumn": 5, "endLine": 30, "endColumn": 20},
            "grants iam:PassRole",
        ),
        (2, "c.yaml", {"startLine": 2, "startColumn": 1}, "called from module.a"),
    ]


def test_json_lists_related_locations_with_their_messages() -> None:
    related = (Related(Location("b.yaml", 30, 5, 30, 20), "grants iam:PassRole"),)
    document = json.loads(render_json(ScanResult(findings=[finding(related=related)])))
    (entry,) = document["findings"]
    assert entry["related"] == [
        {"file": "b.yaml", "line": 30, "column": 5, "message": "grants iam:PassRole"}
    ]
    plain = json.loads(render_json(ScanResult(findings=[finding()])))
    assert "related" not in plain["findings"][0]


def test_files_that_could_not_be_read_are_tool_notifications() -> None:
    errors = [Error("parse", "mapping values are not allowed here", "broken.yaml", 3, 7)]
    (sarif_run,) = render(ScanResult(errors=errors))["runs"]
    (invocation,) = sarif_run["invocations"]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["message"]["text"] == "mapping values are not allowed here"
    assert notification["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3,
        "startColumn": 7,
    }
