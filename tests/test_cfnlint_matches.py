"""What cfn-lint reports with the pack: ids, lines and messages, the same positions as
``iacguard check``, one engine run per template, SAM, and failures as one E9100 match."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_by_config
from cfnlint.decode import decode
from cfnlint.template import Template
from cfnlint_helpers import CFN, PACK, described, is_pack_rule, lint
from helpers import FIXTURES, run

import iacguard.engine
import iacguard.parsers.cloudformation
from iacguard.cfnlint.pack import RULE_IDS
from iacguard.checks.base import Check
from iacguard.checks.options import Settings
from iacguard.engine import Checked
from iacguard.formats.cloudformation import CloudFormation
from iacguard.model import Model
from iacguard.parsers import ParseResult


def test_each_core_check_is_reported_with_its_id_line_and_message() -> None:
    assert described(lint(f"{CFN}/one_finding_per_check.yaml")) == [
        "W9104 11:11 Managed policy arn:aws:iam::aws:policy/ReadOnlyAccess is attached "
        "directly to user Alice; attach it to a group",
        'W9101 13:11 Inline policy "read-reports" is embedded in user Alice; attach a '
        "managed policy to a group instead",
        'W9103 19:3 User "Bob" belongs to no IAM group; grant permissions through groups',
        'E9102 29:21 Statement "EveryEc2Action" allows ec2:* (every ec2 action)',
        'E9109 29:21 Statement "EveryEc2Action" allows ec2:GetPasswordData on any resource '
        '(Resource "*"): each returns credentials or secrets',
        'W9105 34:7 Role "DeployRole" allows sessions of 12 hours (43200 s); the limit is '
        "1 hour (3600 s)",
    ]


def _cloudformation_fixtures() -> list[Path]:
    """Every CloudFormation fixture, except those cfn-lint reads differently by design:
    its ``Metadata`` configuration (suppressions, rule options) is cfn-lint's alone, and
    it expands ``AWS::LanguageExtensions`` loops, which ``iacguard check`` does not. A
    cloud assembly's manifest stands for the assembly's templates, each a fixture here."""
    return sorted(
        path
        for path in (FIXTURES / "cloudformation").rglob("*")
        if path.suffix in CloudFormation.suffixes
        and path.name != "manifest.json"
        and not any(
            marker in path.read_text(encoding="utf-8")
            for marker in ("cfn-lint:", "AWS::LanguageExtensions")
        )
    )


@pytest.mark.parametrize(
    "path", _cloudformation_fixtures(), ids=lambda p: str(p.relative_to(FIXTURES))
)
def test_cfn_lint_reports_what_iacguard_check_reports_at_the_same_positions(path: Path) -> None:
    file = str(path.relative_to(FIXTURES.parent))
    expected = sorted(
        (
            RULE_IDS[f.rule_id],
            f.location.line,
            f.location.column,
            f.location.end_line,
            f.location.end_column,
            f.message,
        )
        for f in run(file).unsuppressed
    )
    reported = sorted(
        (m.rule.id, m.linenumber, m.columnnumber, m.linenumberend, m.columnnumberend, m.message)
        for m in lint(file, include_checks=["I"])  # cfn-lint leaves out I rules unless asked
        if is_pack_rule(m.rule.id) and m.rule.id != "E9100"
    )
    assert reported == expected


def test_policies_written_as_json_strings_are_reported_at_the_action_inside() -> None:
    assert described(lint(f"{CFN}/json_string_policy.yaml")) == [
        "E9102 12:54 Statement #1 allows iam:* (every iam action)",
        'E9108 12:54 Statement #1 allows iam:PassRole on every role (Resource "*") to any '
        "service (no iam:PassedToService condition)",
        "E9109 12:54 Statement #1 allows iam:CreateAccessKey, iam:UpdateAccessKey, "
        'iam:CreateLoginProfile and 3 more on any resource (Resource "*"): each returns '
        "credentials or secrets",
        "E9102 16:69 Statement #1 allows s3:* (every s3 action)",
    ]


def test_sam_function_policies_are_checked_as_written() -> None:
    assert described(lint(f"{CFN}/sam_function_policies.yaml")) == [
        'E9102 23:23 Statement "EveryTableAction" allows dynamodb:* (every dynamodb action)',
        'E9102 36:17 Statement "ReadQueues" allows sqs:Get* (grants 2 Read actions)',
    ]


def test_cfn_lint_does_not_transform_sam_so_nothing_is_reported_twice() -> None:
    """Since cfn-lint 1.54 (#4491) a SAM template reaches the rules as written, with only
    its Globals merged. Were the transform back, the generated function roles would carry
    the same policies and every finding would come twice: this test would say so."""
    path = f"{CFN}/sam_function_policies.yaml"
    decoded, problems = decode(path)
    assert not problems
    cfn = Template(path, decoded)
    assert cfn.transform() == []
    resources = cfn.template["Resources"]
    assert sorted(resources) == ["ReportsFunction", "SingleDocumentFunction"]
    assert resources["ReportsFunction"]["Type"] == "AWS::Serverless::Function"
    assert resources["ReportsFunction"]["Properties"]["Runtime"] == "python3.12"


def test_language_extensions_loops_are_checked_once_per_resource_they_create() -> None:
    """cfn-lint expands ``Fn::ForEach`` before its rules run: each role gets its own
    W9105 at the loop's body; the identical E9102 of both roles is one match."""
    assert described(lint(f"{CFN}/language_extensions.yaml")) == [
        'W9105 13:11 Role "AlphaRole" allows sessions of 12 hours (43200 s); the limit is '
        "1 hour (3600 s)",
        'W9105 13:11 Role "BetaRole" allows sessions of 12 hours (43200 s); the limit is '
        "1 hour (3600 s)",
        "E9102 18:25 Statement #1 allows sts:* (every sts action)",
    ]


def test_the_engine_runs_once_per_template_for_all_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    parse = iacguard.parsers.cloudformation.parse_template
    check = iacguard.engine.check_model

    def counting_parse(
        template: dict[str, Any], file: str, text: str | None, marks: Any = None
    ) -> ParseResult:
        calls.append(f"parse {file}")
        return parse(template, file, text, marks)

    def counting_check(
        model: Model, settings: Settings, checks: tuple[type[Check], ...]
    ) -> Checked:
        calls.append("check")
        return check(model, settings, checks)

    monkeypatch.setattr(iacguard.parsers.cloudformation, "parse_template", counting_parse)
    monkeypatch.setattr(iacguard.engine, "check_model", counting_check)
    first, second = f"{CFN}/one_finding_per_check.yaml", f"{CFN}/session_limits.yaml"
    matches = lint_by_config(ManualArgs(templates=[first, second], append_rules=[PACK]))

    assert calls == [f"parse {first}", "check", f"parse {second}", "check"]
    assert {m.rule.id for m in matches if m.filename == first and is_pack_rule(m.rule.id)} == {
        "W9101",
        "E9102",
        "W9103",
        "W9104",
        "W9105",
        "E9109",
    }


# Kept out of fixtures/ so that scanning the fixtures reports no errors.
UNREADABLE_POLICY = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: A policy iacguard cannot read (no Statement) next to one it can.
Resources:
  EmptyPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
  OpsPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Sid: EveryEc2Action
            Effect: Allow
            Action: ec2:*
            Resource: "*"
"""


@pytest.fixture
def unreadable_policy(tmp_path: Path) -> str:
    path = tmp_path / "unreadable_policy.yaml"
    path.write_text(UNREADABLE_POLICY)
    return str(path)


def test_an_engine_failure_is_one_clear_match_and_cfn_lint_goes_on(
    monkeypatch: pytest.MonkeyPatch, unreadable_policy: str
) -> None:
    def failing(model: Model, settings: Settings, checks: tuple[type[Check], ...]) -> Checked:
        raise RuntimeError("the model is inconsistent")

    monkeypatch.setattr(iacguard.engine, "check_model", failing)
    matches = lint(unreadable_policy)

    assert described(matches) == [
        "E9100 1:1 iacguard could not check this template: RuntimeError: the model is inconsistent"
    ]
    rule_ids = {m.rule.id for m in matches}
    assert "E3510" in rule_ids  # cfn-lint's own rules still ran
    assert "E0002" not in rule_ids  # and none of the pack's rules crashed


def test_a_check_failing_on_the_whole_model_is_one_match_at_the_top(
    monkeypatch: pytest.MonkeyPatch, unreadable_policy: str
) -> None:
    from iacguard.checks.user_not_in_group import UserNotInGroup

    def failing(self: Check, model: Model, ctx: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(UserNotInGroup, "model", failing)
    errors = [m for m in described(lint(unreadable_policy)) if m.startswith("E9100")]
    assert errors == [
        "E9100 1:1 iacguard skipped part of this template: internal error in IG003: "
        "RuntimeError: boom",
        "E9100 8:9 iacguard skipped part of this template: EmptyPolicy: the policy document "
        "has no Statement",
    ]


def test_a_policy_iacguard_cannot_read_is_one_match_and_the_rest_is_checked(
    unreadable_policy: str,
) -> None:
    assert described(lint(unreadable_policy)) == [
        "E9100 8:9 iacguard skipped part of this template: EmptyPolicy: the policy document "
        "has no Statement",
        'E9102 16:21 Statement "EveryEc2Action" allows ec2:* (every ec2 action)',
        'E9109 16:21 Statement "EveryEc2Action" allows ec2:GetPasswordData on any resource '
        '(Resource "*"): each returns credentials or secrets',
    ]


def test_suppressions_cover_resources_whose_last_value_is_a_short_form_tag(
    tmp_path: Path,
) -> None:
    path = FIXTURES / "cloudformation/suppressed_resource_ending_in_short_form.yaml"
    assert described(lint(str(path))) == []
    unsuppressed = tmp_path / "unsuppressed.yaml"
    text = path.read_text().replace("# iacguard:", "# was:").replace("iacguard:\n", "other:\n")
    unsuppressed.write_text(text)
    assert described(lint(str(unsuppressed))) == [
        "E9102 17:21 Statement #1 allows ec2:* (every ec2 action)",
        'E9109 17:21 Statement #1 allows ec2:GetPasswordData on any resource (Resource "*"): '
        "each returns credentials or secrets",
        "E9102 28:21 Statement #1 allows logs:* (every logs action)",
        "E9102 42:21 Statement #1 allows sqs:* (every sqs action)",
    ]
