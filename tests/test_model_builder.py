"""The model builder both readers add through: the same input gives the same model,
errors and unresolved values in CloudFormation and Terraform."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run

from iacguard.model import Location, PrincipalRef, Scalar, Unknown, Unresolved
from iacguard.parsers import ParseResult
from iacguard.parsers.model_builder import ModelBuilder

HERE = Location("t.yaml", 3, 5)


def test_a_reference_by_iam_name_finds_the_principal_so_named() -> None:
    builder = ModelBuilder(ParseResult(), "t.yaml")
    builder.principal("user", "Alice", "AWS::IAM::User", HERE, name=Scalar("alice", HERE))
    builder.known_as("user", "alice", "Alice")
    found = builder.named("user", Scalar("alice", HERE), HERE)
    other_kind = builder.named("group", Scalar("alice", HERE), HERE)
    assert found == PrincipalRef("user", HERE, "Alice", Scalar("alice", HERE), "t.yaml")
    assert (other_kind.target, other_kind.scope) == (None, "t.yaml")


def test_a_session_of_the_wrong_form_is_an_error_once_and_no_value() -> None:
    result = ParseResult()
    builder = ModelBuilder(result, "t.yaml")
    values = [Scalar("PT1H", HERE), Scalar("1h", HERE), Scalar("1h", HERE)]
    assert builder.sessions("Set", "SessionDuration", values, iso=True) == (Scalar(3600, HERE),)
    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (3, 5, "Set: SessionDuration must be an ISO 8601 duration such as PT1H")
    ]


def test_an_unresolved_value_is_recorded_once() -> None:
    result = ParseResult()
    builder = ModelBuilder(result, "t.yaml")
    unknown = Unknown("!GetAtt R.Arn", "known only after deploy", HERE)
    builder.unresolved(unknown, "P")
    builder.unresolved(unknown, "P")
    assert result.model.unresolved == [
        Unresolved("t.yaml", 3, "P", "!GetAtt R.Arn", "known only after deploy")
    ]


def test_a_reader_bug_on_one_resource_is_the_same_error_in_both_formats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from iacguard.parsers import cloudformation_resources, terraform_iam_resources

    def fail(*args: object) -> None:
        raise KeyError("boom")

    monkeypatch.setitem(cloudformation_resources.HANDLERS, "AWS::IAM::Group", fail)
    monkeypatch.setitem(terraform_iam_resources.HANDLERS, "aws_iam_group", fail)
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  G:\n    Type: AWS::IAM::Group\n  U:\n    Type: AWS::IAM::User\n"
    )
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_group" "g" {\n  name = "g"\n}\n'
        'resource "aws_iam_user" "u" {\n  name = "u"\n}\n'
    )
    result = run(tmp_path)
    assert sorted((Path(e.file).name, e.line, e.column, e.message) for e in result.errors) == [
        ("main.tf", 1, 1, "internal error while reading aws_iam_group.g: KeyError: 'boom'"),
        ("t.yaml", 2, 3, "internal error while reading G: KeyError: 'boom'"),
    ]
    assert sorted((f.rule_id, Path(f.location.file).name) for f in result.findings) == [
        ("IG003", "main.tf"),
        ("IG003", "t.yaml"),
    ]


MEMBERSHIP_TF = """\
variable "extra" {{
  default = {default}
}}
resource "aws_iam_user" "u" {{
  name = "u"
}}
resource "aws_iam_group" "g" {{
  name = "g"
}}
resource "aws_iam_group_membership" "m" {{
  name  = "m"
  group = aws_iam_group.g.name
  users = [var.extra]
}}
"""
MEMBERSHIP_CFN = """\
Parameters:
  Extra:
    Type: String
Resources:
  U:
    Type: AWS::IAM::User
  G:
    Type: AWS::IAM::Group
  M:
    Type: AWS::IAM::UserToGroupAddition
    Properties:
      GroupName: !Ref G
      Users:
        - {member}
"""


def test_an_optional_member_left_empty_is_no_member_in_both_formats(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MEMBERSHIP_TF.format(default="null"))
    (tmp_path / "t.yaml").write_text(MEMBERSHIP_CFN.format(member="!Ref AWS::NoValue"))
    result = run(tmp_path)
    assert sorted(
        (Path(f.location.file).name, f.location.line, f.rule_id, f.message) for f in result.findings
    ) == [
        (
            "main.tf",
            4,
            "IG003",
            'User "u" belongs to no IAM group; grant permissions through groups',
        ),
        (
            "t.yaml",
            5,
            "IG003",
            'User "U" belongs to no IAM group; grant permissions through groups',
        ),
    ]


def test_a_member_known_only_at_deploy_may_be_any_user_in_both_formats(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        MEMBERSHIP_TF.format(default="{}").replace(
            "users = [var.extra]", "users = [var.extra.name]"
        )
    )
    (tmp_path / "t.yaml").write_text(MEMBERSHIP_CFN.format(member="!Ref Extra"))
    result = run(tmp_path)
    assert result.findings == []
    assert sorted((Path(u.file).name, u.line, u.resource) for u in result.unresolved) == [
        ("main.tf", 13, "aws_iam_group_membership.m"),
        ("t.yaml", 14, "M"),
    ]
