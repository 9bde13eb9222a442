"""What IG006-IG009 share: suppressions by id and slug, explain, unresolved values, the
catalog's age, and how resources and conditions are read."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from helpers import described, iacguard, run

from iacguard import catalog, grants
from iacguard.checks import unknown_action
from iacguard.model import Location, Unknown

TEMPLATE = """\
Resources:
  App:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: [dyanmodb:PutItem, s3:PutObject, iam:PassRole, kms:Decrypt]  {comment}
            Resource: "*"
"""


@pytest.mark.parametrize(
    "comment",
    [
        "# iacguard: ignore[IG006, IG007, IG008, IG009] reviewed",
        "# iacguard: ignore[unknown-action, write-on-any-resource, passrole-unscoped, "
        "credentials-exposure] reviewed",
    ],
)
def test_each_rule_is_suppressed_by_id_and_by_slug(tmp_path: Path, comment: str) -> None:
    (tmp_path / "t.yaml").write_text(TEMPLATE.format(comment=comment))
    result = run(tmp_path / "t.yaml")
    assert [
        (f.rule_id, f.suppression.kind if f.suppression else None) for f in result.findings
    ] == [
        ("IG006", "comment"),
        ("IG007", "comment"),
        ("IG008", "comment"),
        ("IG009", "comment"),
    ]


def test_unsuppressed_they_report_one_finding_each_at_the_action_list(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(TEMPLATE.format(comment=""))
    path = tmp_path / "t.yaml"
    assert described(run(path)) == [
        f"IG006 {path}:8:22 medium App: Statement #1 Action dyanmodb:PutItem matches no IAM "
        "action: it grants nothing (did you mean dynamodb:PutItem?)",
        f'IG007 {path}:8:40 medium App: Statement #1 grants 1 Write action on any resource (Resource "*") '
        "through s3:PutObject",
        f"IG008 {path}:8:54 high App: Statement #1 allows iam:PassRole on every role "
        '(Resource "*") to any service (no iam:PassedToService condition)',
        f"IG009 {path}:8:68 high App: Statement #1 allows kms:Decrypt on any resource "
        '(Resource "*"): each returns credentials or secrets',
    ]


@pytest.mark.parametrize(
    ("key", "heading"),
    [
        ("IG006", "IG006 unknown-action (high)"),
        ("write-on-any-resource", "IG007 write-on-any-resource (high)"),
        ("ig008", "IG008 passrole-unscoped (high)"),
        ("credentials-exposure", "IG009 credentials-exposure (high)"),
    ],
)
def test_explain_prints_each_rule(key: str, heading: str) -> None:
    done = iacguard("explain", key)
    assert done.returncode == 0
    assert done.stdout.startswith(heading + "\n")
    assert "\n## Use instead\n" in done.stdout


def test_an_old_catalog_says_so_in_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(unknown_action, "STALE_AFTER_DAYS", 0)
    (tmp_path / "t.yaml").write_text(TEMPLATE.format(comment=""))
    (first, *_) = run(tmp_path / "t.yaml").findings
    age = catalog.info().age_days(datetime.date.today())
    assert first.message.endswith(
        f"(did you mean dynamodb:PutItem?); the action catalog is {age} days old "
        "(2026-10-27): the action may be newer than it"
    )


def test_unresolved_actions_resources_and_conditions_are_listed_not_reported(
    tmp_path: Path,
) -> None:
    (tmp_path / "t.yaml").write_text(
        "Parameters:\n  Act: {Type: String}\n  Arn: {Type: String}\n  Team: {Type: String}\n"
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        "      PolicyDocument:\n        Statement:\n"
        "          - {Effect: Allow, Action: !Ref Act, Resource: '*'}\n"
        "          - {Effect: Allow, Action: iam:PassRole, Resource: !Ref Arn}\n"
        "          - Effect: Allow\n            Action: s3:PutObject\n            Resource: '*'\n"
        "            Condition: {StringEquals: {aws:ResourceTag/team: !Ref Team}}\n"
    )
    result = run(tmp_path / "t.yaml")
    assert described(result) == []
    assert sorted((u.line, u.expression) for u in result.unresolved) == [
        (11, "!Ref Act"),
        (12, "!Ref Arn"),
        (16, "!Ref Team"),
    ]


def _unknown(expression: str, names: str | None = None) -> Unknown:
    return Unknown(expression, "unresolved", Location("main.tf", 1), names=names)


@pytest.mark.parametrize(
    ("expression", "names", "names_one"),
    [
        ("!GetAtt Bucket.Arn", "Bucket", True),
        ('!Join ["", [{Fn::GetAtt: [Bucket, Arn]}, /*]]', "Bucket", True),
        # a GetAtt of a resource the template does not create: the reader names none
        ("!GetAtt Elsewhere.Arn", None, False),
        ("aws_s3_bucket.reports.arn", None, True),
        ("${aws_s3_bucket.reports.arn}/*", None, True),
        ("data.aws_iam_role.deploy.arn", None, True),
        ("var.resource_arn", None, False),
        ("module.bucket.arn", None, False),
        ("!Ref ResourceArn", None, False),
    ],
)
def test_a_resource_naming_one_resource_is_scoped_even_unresolved(
    expression: str, names: str | None, names_one: bool
) -> None:
    assert grants._one_resource(_unknown(expression, names)) is names_one


def test_service_condition_keys_with_placeholders_are_families() -> None:
    keys = grants.scoping_keys(catalog.get().expand("s3:PutObject"))
    assert keys[:4] == grants.RESOURCE_KEYS
    assert "s3:BucketTag/" in keys and "s3:RequestObjectTag/" in keys
    assert "s3:x-amz-acl" in keys
    assert all("${" not in key for key in keys)
