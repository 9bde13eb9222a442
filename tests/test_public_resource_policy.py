"""IG013 public-resource-policy: every fixture case, and what a user sees of each finding."""

from __future__ import annotations

import pytest
from helpers import described, run

TF = "fixtures/terraform/public-resource-policy"
CFN = "fixtures/cloudformation/public-resource-policy"

CASES = {
    f"{TF}/negative_restricted": [],
    f"{TF}/positive_bucket_policy": [
        f"IG013 {TF}/positive_bucket_policy/main.tf:13:22 high aws_s3_bucket_policy.site: "
        f'Anyone ("*") can s3:GetObject on aws_s3_bucket.site (statement "PublicRead"): add an aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn condition, or name the principals',
        f"IG013 {TF}/positive_bucket_policy/main.tf:23:22 critical aws_s3_bucket_policy.site: "
        f'Anyone ("*") can s3:PutObject on aws_s3_bucket.site (statement "PublicUpload"): add an aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn condition, or name the principals',
    ],
    f"{TF}/positive_ecr_secret_domain": [
        f"IG013 {TF}/positive_ecr_secret_domain/main.tf:13:19 high aws_ecr_repository_policy.app: "
        f'Anyone ("*") can ecr:BatchGetImage, ecr:GetDownloadUrlForLayer on aws_ecr_repository.app (statement "PublicPull"): add an aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn condition, or name the principals',
        f"IG013 {TF}/positive_ecr_secret_domain/main.tf:30:27 high aws_secretsmanager_secret_policy.api: "
        f'Anyone ("*") can secretsmanager:GetSecretValue on aws_secretsmanager_secret.api (statement "AnyoneReads"): add an aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn condition, or name the principals',
        f"IG013 {TF}/positive_ecr_secret_domain/main.tf:44:27 critical aws_opensearch_domain.logs: "
        f'Anyone ("*") can es:ESHttp* on aws_opensearch_domain.logs (statement "Open"): add an aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn condition, or name the principals',
        f"IG002 {TF}/positive_ecr_secret_domain/main.tf:45:19 medium aws_opensearch_domain.logs: "
        f'Statement "Open" allows es:ESHttp* (grants 2 Read actions and 4 Write actions)',
    ],
    f"{TF}/positive_kms_key": [
        f"IG013 {TF}/positive_kms_key/main.tf:19:29 critical aws_kms_key.backups: "
        f'Anyone ("*") can kms:Decrypt, kms:DescribeKey on aws_kms_key.backups (statement "AnyoneDecrypts"): add an aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn condition, or name the principals',
    ],
    f"{TF}/positive_lambda_permission": [
        f"IG013 {TF}/positive_lambda_permission/main.tf:6:19 high aws_lambda_permission.uploads: "
        f"Any s3.amazonaws.com resource, in any account, can invoke aws_lambda_function.thumbnail: set source_arn and source_account",
        f"IG013 {TF}/positive_lambda_permission/main.tf:13:28 critical aws_lambda_permission.url: "
        f'Anyone ("*") can lambda:InvokeFunctionUrl on aws_lambda_function.thumbnail: set principal_org_id or source_arn',
    ],
    f"{TF}/positive_queue_and_topic": [
        f"IG013 {TF}/positive_queue_and_topic/main.tf:13:19 critical aws_sqs_queue_policy.orders: "
        f'Anyone ("*") can sqs:SendMessage on aws_sqs_queue.orders (statement "AnyoneSends"): add an aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn condition, or name the principals',
        f"IG013 {TF}/positive_queue_and_topic/main.tf:31:27 critical aws_sns_topic_policy.alerts: "
        f'Anyone ("*") can SNS:Subscribe, SNS:Receive on aws_sns_topic.alerts (statement "AnyoneSubscribes"): add an aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn condition, or name the principals',
    ],
    f"{CFN}/negative_restricted.yaml": [],
    f"{CFN}/positive_resource_policies.yaml": [
        f"IG013 {CFN}/positive_resource_policies.yaml:14:24 high SitePolicy: "
        f'Anyone ("*") can s3:GetObject on Site (statement "PublicRead"): add an aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn condition, or name the principals',
        f"IG013 {CFN}/positive_resource_policies.yaml:20:20 critical SitePolicy: "
        f'Anyone ("*") can s3:PutObject on Site (statement "PublicUpload"): add an aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn condition, or name the principals',
        f"IG013 {CFN}/positive_resource_policies.yaml:33:24 critical OrdersPolicy: "
        f'Anyone ("*") can sqs:SendMessage on Orders (statement "AnyoneSends"): add an aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn condition, or name the principals',
        f"IG013 {CFN}/positive_resource_policies.yaml:47:20 critical AlertsPolicy: "
        f'Anyone ("*") can SNS:Subscribe, SNS:Receive on Alerts (statement "AnyoneSubscribes"): add an aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn condition, or name the principals',
        f"IG013 {CFN}/positive_resource_policies.yaml:68:20 critical Backups: "
        f'Anyone ("*") can kms:Decrypt, kms:DescribeKey on Backups (statement "AnyoneDecrypts"): add an aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn condition, or name the principals',
        f"IG013 {CFN}/positive_resource_policies.yaml:78:24 high App: "
        f'Anyone ("*") can ecr:BatchGetImage, ecr:GetDownloadUrlForLayer on App (statement "PublicPull"): add an aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn condition, or name the principals',
        f"IG013 {CFN}/positive_resource_policies.yaml:91:20 high ApiKeyPolicy: "
        f'Anyone ("*") can secretsmanager:GetSecretValue on ApiKey (statement "AnyoneReads"): add an aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn condition, or name the principals',
        f"IG013 {CFN}/positive_resource_policies.yaml:102:20 critical Logs: "
        f'Anyone ("*") can es:ESHttp* on Logs (statement "Open"): add an aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn condition, or name the principals',
        f"IG002 {CFN}/positive_resource_policies.yaml:103:21 medium Logs: "
        f'Statement "Open" allows es:ESHttp* (grants 2 Read actions and 4 Write actions)',
        f"IG013 {CFN}/positive_resource_policies.yaml:110:18 high UploadsPermission: "
        f"Any s3.amazonaws.com resource, in any account, can invoke Thumbnail: set SourceArn and SourceAccount",
        f"IG013 {CFN}/positive_resource_policies.yaml:116:18 critical UrlPermission: "
        f'Anyone ("*") can lambda:InvokeFunctionUrl on Thumbnail: set PrincipalOrgID or SourceArn',
    ],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_case_reports_exactly_what_it_shows(case: str) -> None:
    result = run(case)
    assert described(result) == CASES[case]
    assert result.errors == []


def test_a_lambda_source_known_only_at_apply_counts_as_set(tmp_path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_lambda_permission" "bucket" {\n'
        '  function_name  = "thumbnail"\n'
        '  action         = "lambda:InvokeFunction"\n'
        '  principal      = "s3.amazonaws.com"\n'
        "  source_arn     = aws_s3_bucket.uploads.arn\n"
        "  source_account = data.aws_caller_identity.current.account_id\n"
        "}\n"
        'resource "aws_lambda_permission" "url" {\n'
        '  function_name          = "thumbnail"\n'
        '  action                 = "lambda:InvokeFunctionUrl"\n'
        '  principal              = "*"\n'
        "  principal_org_id       = var.organization\n"
        '  function_url_auth_type = "AWS_IAM"\n'
        "}\n"
        'resource "aws_s3_bucket" "uploads" {\n  bucket = "uploads"\n}\n'
        'data "aws_caller_identity" "current" {}\n'
    )
    result = run(tmp_path)
    assert described(result) == []
    assert result.unresolved == []


def test_an_open_statement_with_a_source_that_cannot_be_resolved_is_unresolved(
    tmp_path,
) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_sqs_queue_policy" "q" {\n'
        '  queue_url = "https://sqs.eu-west-1.amazonaws.com/111122223333/orders"\n'
        '  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = "*",\n'
        '    Action = "sqs:SendMessage",\n'
        '    Condition = { ArnEquals = { "aws:SourceArn" = aws_sns_topic.orders.arn } } }] })\n'
        "}\n"
        'resource "aws_sns_topic" "orders" {\n  name = "orders"\n}\n'
    )
    result = run(tmp_path)
    assert described(result) == []
    assert [(u.line, u.resource, u.expression) for u in result.unresolved] == [
        (5, "aws_sqs_queue_policy.q", "aws_sns_topic.orders.arn")
    ]


@pytest.mark.parametrize(
    ("action", "writes_"),
    [
        ("s3:GetObject", False),
        ("s3:List*", False),
        ("es:ESHttpGet", False),
        ("sqs:ReceiveMessage", False),  # Read in the catalog
        ("s3:PutObject", True),
        ("s3:Put*", True),
        ("iam:AttachRolePolicy", True),  # Permissions management
        ("*", True),
        ("s3:GetObjects", False),  # no such action: grants nothing
    ],
)
def test_write_access_is_read_from_the_action_catalog(action: str, writes_: bool) -> None:
    from iacguard.checks.role_access import writes

    assert writes(action) is writes_
