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
        ("main.tf", 1, 1, "aws_iam_group.g: internal error while reading it: KeyError: 'boom'"),
        ("t.yaml", 2, 3, "G: internal error while reading it: KeyError: 'boom'"),
    ]
    assert sorted((f.rule_id, Path(f.location.file).name) for f in result.findings) == [
        ("IG003", "main.tf"),
        ("IG003", "t.yaml"),
    ]
