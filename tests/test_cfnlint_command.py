"""The cfn-lint command with the pack: its output formats, flags, .cfnlintrc and exit codes."""

from __future__ import annotations

import json

import jsonschema
import pytest
from cfnlint_helpers import CFN, PACK, cfn_lint_command, is_pack_rule
from helpers import ROOT

# each runs the cfn-lint command, which builds its 574 built-in rules (seconds each)
pytestmark = pytest.mark.slow
SARIF_SCHEMA = ROOT / "tests" / "schemas" / "sarif-2.1.0.json"
TEMPLATE = f"{CFN}/one_finding_per_check.yaml"
# cfn-lint's exit code is a bit field: 2 for errors, 4 for warnings, 8 for informational
ERRORS, WARNINGS = 2, 4


def test_json_output_carries_the_pack_matches_with_their_rule_and_path() -> None:
    result = cfn_lint_command(TEMPLATE, "-a", PACK, "--format", "json")
    assert result.returncode == ERRORS | WARNINGS, result.stderr
    matches = [m for m in json.loads(result.stdout) if is_pack_rule(m["Rule"]["Id"])]
    wildcard = next(m for m in matches if m["Rule"]["Id"] == "E9102")
    assert wildcard["Level"] == "Error"
    assert wildcard["Filename"] == TEMPLATE
    assert wildcard["Message"] == 'Statement "EveryEc2Action" allows ec2:* (every ec2 action)'
    assert wildcard["Location"] == {
        "Start": {"LineNumber": 29, "ColumnNumber": 21},
        "End": {"LineNumber": 29, "ColumnNumber": 26},
        "Path": [
            "Resources",
            "OpsPolicy",
            "Properties",
            "PolicyDocument",
            "Statement",
            0,
            "Action",
        ],
    }
    assert wildcard["Rule"]["ShortDescription"] == "An Allow statement grants actions by wildcard"
    assert wildcard["Rule"]["Source"].startswith("https://docs.aws.amazon.com/IAM/")
    assert [
        (m["Rule"]["Id"], m["Level"], m["Location"]["Start"]["LineNumber"]) for m in matches
    ] == [
        ("W9104", "Warning", 11),
        ("W9101", "Warning", 13),
        ("W9103", "Warning", 19),
        ("E9102", "Error", 29),
        ("E9109", "Error", 29),
        ("W9105", "Warning", 34),
    ]


def test_sarif_output_is_valid_and_describes_the_pack_rules() -> None:
    result = cfn_lint_command(TEMPLATE, "-a", PACK, "--format", "sarif")
    assert result.returncode == ERRORS | WARNINGS, result.stderr
    log = json.loads(result.stdout)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(log)

    run = log["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["W9105"]["shortDescription"]["text"] == (
        "A role's maximum session lasts longer than the limit"
    )
    assert rules["W9105"]["helpUri"].startswith("https://docs.aws.amazon.com/IAM/")
    levels = {r["ruleId"]: r.get("level", "warning (the SARIF default)") for r in run["results"]}
    assert levels["E9102"] == "error"
    assert levels["W9105"] == "warning (the SARIF default)"
    session = next(r for r in run["results"] if r["ruleId"] == "W9105")
    assert session["message"]["text"] == (
        'Role "DeployRole" allows sessions of 12 hours (43200 s); the limit is 1 hour (3600 s)'
    )
    location = session["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == TEMPLATE
    assert location["region"] == {"startLine": 34, "startColumn": 7, "endLine": 34, "endColumn": 25}


def test_ignore_checks_and_configure_rule_on_the_command_line() -> None:
    result = cfn_lint_command(
        f"{CFN}/session_limits.yaml",
        TEMPLATE,
        "-a",
        PACK,
        "--format",
        "parseable",
        "--ignore-checks",
        "W9101",
        "W9103",
        "W9104",
        "E9102",
        "E9109",
        "--configure-rule",
        "W9105:max_session_seconds=7200,W9105:require_explicit_session_limit=true",
    )
    assert result.returncode == WARNINGS, result.stderr
    assert [line for line in result.stdout.splitlines() if ":W91" in line] == [
        f'{CFN}/one_finding_per_check.yaml:34:7:34:25:W9105:Role "DeployRole" allows sessions '
        "of 12 hours (43200 s); the limit is 2 hours (7200 s)",
        f'{CFN}/session_limits.yaml:7:7:7:25:W9105:Role "LongRole" allows sessions of 12 hours '
        "(43200 s); the limit is 2 hours (7200 s)",
        f'{CFN}/session_limits.yaml:22:3:29:35:W9105:Role "UnsetRole" does not set its maximum '
        "session duration; set it to at most 2 hours (7200 s)",
    ]


def test_a_cfnlintrc_appends_the_pack_and_configures_it() -> None:
    project = ROOT / CFN / "project"
    result = cfn_lint_command("--format", "parseable", cwd=project)
    assert result.returncode == WARNINGS, result.stderr
    assert result.stdout.splitlines() == [
        'roles.yaml:16:7:16:25:W9105:Role "NightRole" allows sessions of 12 hours (43200 s); '
        "the limit is 8 hours (28800 s)",
    ]


def test_a_clean_template_exits_zero() -> None:
    result = cfn_lint_command(
        "fixtures/cloudformation/wildcard-action/negative_named_actions_and_deny.yaml", "-a", PACK
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
