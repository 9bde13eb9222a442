"""SAM policy templates are read as the statements SAM deploys, with their parameters."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import described, run

from iacguard.model import Scalar
from iacguard.parsers.cloudformation import parse_file
from iacguard.parsers.sam_policy_templates import TemplateProblem, definitions, expand

SAM = "fixtures/cloudformation/sam_policy_templates"


def test_templates_that_grant_wildcards_are_reported_at_their_entry() -> None:
    path = f"{SAM}/positive.yaml"
    assert described(run(path)) == [
        f"IG002 {path}:16:11 high OcrFunction: Statement #1 allows textract:* "
        "(every textract action)",
        f"IG002 {path}:17:11 medium OcrFunction: Statement #1 allows sqs:SendMessage* "
        "(grants 1 Write action)",
    ]


def test_templates_that_grant_named_actions_on_named_resources_pass() -> None:
    result = run(f"{SAM}/negative.yaml")
    assert described(result) == []
    assert result.errors == []


def test_parameters_reach_the_statements() -> None:
    model = parse_file(Path(f"{SAM}/negative.yaml"), "negative.yaml").model
    reader = next(p for p in model.policies if p.name and p.name.value == "S3ReadPolicy")
    (statement,) = reader.statements
    assert [a.value for a in statement.actions or () if isinstance(a, Scalar)] == [
        "s3:GetObject",
        "s3:ListBucket",
        "s3:GetBucketLocation",
        "s3:GetObjectVersion",
        "s3:GetLifecycleConfiguration",
    ]
    assert [r.value for r in statement.resources or () if isinstance(r, Scalar)] == [
        "arn:aws:s3:::reports",
        "arn:aws:s3:::reports/*",
    ]
    assert {(r.location.line, r.location.column) for r in statement.resources or ()} == {(25, 11)}


def test_a_missing_parameter_is_an_error_at_the_entry(tmp_path: Path) -> None:
    template = tmp_path / "sam.yaml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Policies:\n"
        "        - S3ReadPolicy: {}\n"
    )
    result = run(template)
    assert [(e.line, e.message) for e in result.errors] == [
        (7, "Fn: S3ReadPolicy needs the parameter BucketName")
    ]


def test_an_unknown_template_name_is_kept_by_name() -> None:
    assert expand("NoSuchPolicy", {}) is None


def test_a_template_given_a_scalar_is_refused() -> None:
    with pytest.raises(TemplateProblem, match="S3ReadPolicy takes a mapping"):
        expand("S3ReadPolicy", "reports")


def test_the_definitions_come_from_the_installed_sam_translator() -> None:
    assert {"S3CrudPolicy", "DynamoDBCrudPolicy", "SQSPollerPolicy", "LambdaInvokePolicy"} <= set(
        definitions()
    )
