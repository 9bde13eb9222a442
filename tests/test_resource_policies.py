"""Resource policies and principals in the model: every kind in both formats, attached to
the resource it governs, with every principal shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.model import OWN_ACCOUNT, Policy, Scalar, Value
from iacguard.parsers import cloudformation, terraform
from iacguard.parsers.cloudformation import may_hold_iam

TF = Path("fixtures/terraform/public-resource-policy")
CFN = Path("fixtures/cloudformation/public-resource-policy")


def tf_policies(directory: Path) -> list[Policy]:
    result = terraform.parse_modules({directory: sorted(directory.glob("*.tf"))})
    assert result.errors == []
    return result.model.policies


def cfn_policies(text: str, tmp_path: Path) -> list[Policy]:
    path = tmp_path / "template.yaml"
    path.write_text(text)
    result = cloudformation.parse_file(path, "template.yaml")
    assert result.errors == []
    return result.model.policies


def shown(values: tuple[Value, ...]) -> list[str]:
    return [str(v.value) if isinstance(v, Scalar) else f"?{v.expression}" for v in values]


def test_terraform_resource_policies_know_what_they_govern() -> None:
    found = sorted(
        (p.resource_type, p.address, p.governs or "", p.uses)
        for case in sorted(TF.iterdir())
        for p in tf_policies(case)
        if p.kind == "resource"
    )
    assert found == [
        (
            "aws_ecr_repository_policy",
            "aws_ecr_repository_policy.app",
            "aws_ecr_repository.app",
            (),
        ),
        ("aws_kms_key", "aws_kms_key.backups", "aws_kms_key.backups", ()),
        ("aws_kms_key", "aws_kms_key.ebs", "aws_kms_key.ebs", ()),
        ("aws_lambda_permission", "aws_lambda_permission.api", "thumbnail", ()),
        (
            "aws_lambda_permission",
            "aws_lambda_permission.topic",
            "aws_lambda_function.thumbnail",
            (),
        ),
        (
            "aws_lambda_permission",
            "aws_lambda_permission.uploads",
            "aws_lambda_function.thumbnail",
            (),
        ),
        ("aws_lambda_permission", "aws_lambda_permission.uploads", "thumbnail", ()),
        ("aws_lambda_permission", "aws_lambda_permission.url", "aws_lambda_function.thumbnail", ()),
        ("aws_opensearch_domain", "aws_opensearch_domain.logs", "aws_opensearch_domain.logs", ()),
        ("aws_s3_bucket_policy", "aws_s3_bucket_policy.artifacts", "aws_s3_bucket.artifacts", ()),
        (
            "aws_s3_bucket_policy",
            "aws_s3_bucket_policy.site",
            "aws_s3_bucket.site",
            ("data.aws_iam_policy_document.site",),
        ),
        (
            "aws_secretsmanager_secret_policy",
            "aws_secretsmanager_secret_policy.api",
            "aws_secretsmanager_secret.api",
            (),
        ),
        ("aws_sns_topic_policy", "aws_sns_topic_policy.alerts", "aws_sns_topic.alerts", ()),
        ("aws_sqs_queue_policy", "aws_sqs_queue_policy.orders", "aws_sqs_queue.orders", ()),
    ]


def test_cloudformation_resource_policies_know_what_they_govern(tmp_path: Path) -> None:
    path = CFN / "positive_resource_policies.yaml"
    result = cloudformation.parse_file(path, path.as_posix())
    assert result.errors == []
    found = [
        (p.resource_type, p.address, p.governs)
        for p in result.model.policies
        if p.kind == "resource"
    ]
    assert found == [
        ("AWS::S3::BucketPolicy", "SitePolicy", "Site"),
        ("AWS::SQS::QueuePolicy", "OrdersPolicy", "Orders"),
        ("AWS::SNS::TopicPolicy", "AlertsPolicy", "Alerts"),
        ("AWS::KMS::Key", "Backups", "Backups"),
        ("AWS::ECR::Repository", "App", "App"),
        ("AWS::SecretsManager::ResourcePolicy", "ApiKeyPolicy", "ApiKey"),
        ("AWS::OpenSearchService::Domain", "Logs", "Logs"),
        ("AWS::Lambda::Permission", "UploadsPermission", "Thumbnail"),
        ("AWS::Lambda::Permission", "UrlPermission", "Thumbnail"),
    ]


def test_a_lambda_permission_is_the_statement_aws_adds(tmp_path: Path) -> None:
    (policy,) = cfn_policies(
        "Resources:\n"
        "  P:\n"
        "    Type: AWS::Lambda::Permission\n"
        "    Properties:\n"
        "      FunctionName: thumbnail\n"
        "      Action: lambda:InvokeFunction\n"
        "      Principal: s3.amazonaws.com\n"
        "      SourceArn: arn:aws:s3:::uploads\n"
        '      SourceAccount: "111122223333"\n'
        "      PrincipalOrgID: o-a1b2c3d4e5\n",
        tmp_path,
    )
    (statement,) = policy.statements
    assert shown(statement.effect) == ["Allow"]
    assert shown(statement.actions or ()) == ["lambda:InvokeFunction"]
    assert {k: shown(v) for k, v in (statement.principals or {}).items()} == {
        "Service": ["s3.amazonaws.com"]
    }
    assert [
        (c.operator, c.key, shown(c.values), c.location.line) for c in statement.conditions
    ] == [
        ("ArnLike", "aws:SourceArn", ["arn:aws:s3:::uploads"], 8),
        ("StringEquals", "aws:SourceAccount", ["111122223333"], 9),
        ("StringEquals", "aws:PrincipalOrgID", ["o-a1b2c3d4e5"], 10),
    ]


def test_principal_shapes_in_cloudformation(tmp_path: Path) -> None:
    (policy,) = cfn_policies(
        "Conditions:\n"
        "  Shared: !Equals [!Ref AWS::StackName, shared]\n"
        "Resources:\n"
        "  R:\n"
        "    Type: AWS::IAM::Role\n"
        "    Properties:\n"
        "      AssumeRolePolicyDocument:\n"
        "        Statement:\n"
        "          - Effect: Allow\n"
        '            Principal: "*"\n'
        "          - Effect: Allow\n"
        "            Principal:\n"
        "              AWS: [arn:aws:iam::111122223333:root, !Ref AWS::AccountId]\n"
        "              Service: ec2.amazonaws.com\n"
        "          - Effect: Allow\n"
        "            Principal: !If [Shared, {AWS: '*'}, {Federated: cognito-identity.amazonaws.com}]\n"
        "          - Effect: Allow\n"
        "            NotPrincipal: {AWS: arn:aws:iam::111122223333:root}\n",
        tmp_path,
    )
    principals = [
        {k: shown(v) for k, v in (s.principals or s.not_principals or {}).items()}
        for s in policy.statements
    ]
    assert principals == [
        {"*": ["*"]},
        {"AWS": ["arn:aws:iam::111122223333:root", OWN_ACCOUNT], "Service": ["ec2.amazonaws.com"]},
        {"AWS": ["*"], "Federated": ["cognito-identity.amazonaws.com"]},
        {"AWS": ["arn:aws:iam::111122223333:root"]},
    ]
    assert [
        s.principal_location.line if s.principal_location else None for s in policy.statements
    ] == [
        10,
        13,
        16,
        18,
    ]
    when = [v.when for v in (policy.statements[2].principals or {})["AWS"]]
    assert when == ["condition Shared is true"]


def test_principal_blocks_of_one_type_add_up_in_terraform(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'data "aws_caller_identity" "me" {}\n'
        'data "aws_iam_policy_document" "d" {\n'
        "  statement {\n"
        '    actions = ["sts:AssumeRole"]\n'
        '    principals {\n      type = "AWS"\n      identifiers = ["111122223333"]\n    }\n'
        "    principals {\n"
        '      type = "AWS"\n'
        '      identifiers = ["arn:aws:iam::${data.aws_caller_identity.me.account_id}:root"]\n'
        "    }\n"
        '    condition {\n      test = "StringEquals"\n      variable = "sts:ExternalId"\n'
        '      values = ["a"]\n    }\n'
        '    condition {\n      test = "StringEquals"\n      variable = "sts:ExternalId"\n'
        '      values = ["b"]\n    }\n'
        "  }\n"
        "}\n"
    )
    (document,) = tf_policies(tmp_path)
    (statement,) = document.statements
    assert {k: shown(v) for k, v in (statement.principals or {}).items()} == {
        "AWS": ["111122223333", f"arn:aws:iam::{OWN_ACCOUNT}:root"]
    }
    assert [(c.key, shown(c.values)) for c in statement.conditions] == [
        ("sts:ExternalId", ["a", "b"])
    ]


def test_an_oidc_provider_arn_is_known_from_its_url(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_openid_connect_provider" "gh" {\n'
        '  url = "https://token.actions.githubusercontent.com"\n'
        "}\n"
        'resource "aws_iam_role" "r" {\n'
        '  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow",\n'
        "    Principal = { Federated = aws_iam_openid_connect_provider.gh.arn } }] })\n"
        "}\n"
    )
    (trust,) = tf_policies(tmp_path)
    assert shown((trust.statements[0].principals or {})["Federated"]) == [
        f"arn:aws:iam::{OWN_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    ]


@pytest.mark.parametrize(
    ("kind", "read"),
    [
        ("AWS::S3::BucketPolicy", True),
        ("AWS::SQS::QueuePolicy", True),
        ("AWS::SNS::TopicPolicy", True),
        ("AWS::KMS::Key", True),
        ("AWS::ECR::Repository", True),
        ("AWS::SecretsManager::ResourcePolicy", True),
        ("AWS::OpenSearchService::Domain", True),
        ("AWS::Elasticsearch::Domain", True),
        ("AWS::Lambda::Permission", True),
        ("AWS::S3::Bucket", False),
        ("AWS::Lambda::Function", False),
    ],
)
def test_the_cloudformation_type_prefilter_knows_resource_policies(kind: str, read: bool) -> None:
    assert may_hold_iam(f"Resources:\n  X:\n    Type: {kind}\n".encode()) is read


def test_domain_and_key_policies_written_beside_their_resource(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_elasticsearch_domain_policy" "logs" {\n'
        "  domain_name     = aws_elasticsearch_domain.logs.domain_name\n"
        '  access_policies = jsonencode({ Statement = [{ Effect = "Allow", Principal = "*",\n'
        '    Action = "es:ESHttpGet" }] })\n'
        "}\n"
        'resource "aws_elasticsearch_domain" "logs" {\n  domain_name = "logs"\n}\n'
        'resource "aws_kms_key_policy" "k" {\n'
        '  key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"\n'
        '  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = "*",\n'
        '    Action = "kms:Encrypt" }] })\n'
        "}\n"
    )
    found = [(p.address, p.governs, p.location.line) for p in tf_policies(tmp_path)]
    assert found == [
        ("aws_elasticsearch_domain_policy.logs", "aws_elasticsearch_domain.logs", 3),
        ("aws_kms_key_policy.k", "1234abcd-12ab-34cd-56ef-1234567890ab", 11),
    ]


def test_an_elasticsearch_domain_policy_in_cloudformation(tmp_path: Path) -> None:
    (policy,) = cfn_policies(
        "Resources:\n"
        "  Logs:\n"
        "    Type: AWS::Elasticsearch::Domain\n"
        "    Properties:\n"
        "      AccessPolicies:\n"
        "        Statement:\n"
        "          - Effect: Allow\n"
        '            Principal: {AWS: "*"}\n'
        "            Action: es:ESHttpGet\n",
        tmp_path,
    )
    assert (policy.kind, policy.address, policy.governs, policy.location.line) == (
        "resource",
        "Logs",
        "Logs",
        5,
    )
