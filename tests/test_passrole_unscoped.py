"""IG008 passrole-unscoped: every finding as a user sees it, in CloudFormation and Terraform."""

from __future__ import annotations

from helpers import described, run

CFN = "fixtures/cloudformation/passrole-unscoped"
TF = "fixtures/terraform/passrole-unscoped"


def test_passrole_on_every_role_is_high_or_medium_with_passed_to_service_in_cloudformation() -> (
    None
):
    result = run(f"{CFN}/positive.yaml")
    assert described(result) == [
        f'IG008 {CFN}/positive.yaml:15:21 high DeployPolicy: Statement "PassAnyRole" allows iam:PassRole on every role (Resource "*") to any service (no iam:PassedToService condition)',
        f'IG002 {CFN}/positive.yaml:19:21 medium DeployPolicy: Statement "PassAnyAccountRole" allows iam:Pass* (grants 1 Write action)',
        f'IG008 {CFN}/positive.yaml:19:21 high DeployPolicy: Statement "PassAnyAccountRole" allows iam:PassRole on every role (Resource "arn:aws:iam::${{AWS::AccountId}}:role/*") to any service (no iam:PassedToService condition)',
        f'IG008 {CFN}/positive.yaml:23:21 medium DeployPolicy: Statement "LambdaOnly" allows iam:PassRole on every role (Resource "arn:aws:iam::*:role/*") only to the services iam:PassedToService names',
        f'IG008 {CFN}/positive.yaml:29:21 high DeployPolicy: Statement "AnyServiceBut" allows iam:PassRole on every role (Resource "*") to any service (no iam:PassedToService condition)',
        f'IG008 {CFN}/positive.yaml:35:21 high DeployPolicy: Statement "ServiceIfPresent" allows iam:PassRole on every role (Resource "*") to any service (no iam:PassedToService condition)',
        f'IG008 {CFN}/positive.yaml:41:21 high DeployPolicy: Statement "EveryService" allows iam:PassRole on every role (Resource "*") to any service (no iam:PassedToService condition)',
        f'IG008 {CFN}/positive.yaml:47:49 high DeployPolicy: Statement "DebugOnly" allows iam:PassRole on every role (Resource "*") to any service (no iam:PassedToService condition) (only if condition IsProd is false)',
        f"IG002 {CFN}/positive.yaml:58:26 high Deployer: Statement #1 allows every action except s3:*, ec2:*, sts:*, kms:*, ssm:*, secretsmanager:*, iam:Create*, iam:Update*, iam:Reset*, iam:Attach*, iam:Put*, iam:Tag* (NotAction)",
        f'IG007 {CFN}/positive.yaml:58:26 high Deployer: Statement #1 grants 8215 Write actions, 255 Permissions management actions and 658 Tagging actions on any resource (Resource "*") through NotAction',
        f'IG008 {CFN}/positive.yaml:58:26 high Deployer: Statement #1 allows iam:PassRole on every role (Resource "*") to any service (no iam:PassedToService condition)',
        f'IG009 {CFN}/positive.yaml:58:26 high Deployer: Statement #1 allows redshift:GetClusterCredentials, redshift:GetClusterCredentialsWithIAM, redshift-serverless:GetCredentials and 5 more on any resource (Resource "*"): each returns credentials or secrets',
    ]


def test_passrole_on_every_role_is_high_or_medium_with_passed_to_service_in_terraform() -> None:
    result = run(f"{TF}/positive")
    assert described(result) == [
        f'IG008 {TF}/positive/main.tf:9:57 high aws_iam_policy.deploy: Statement "PassAnyRole" allows iam:PassRole on every role (Resource "*") to any service (no iam:PassedToService condition)',
        f'IG008 {TF}/positive/main.tf:13:21 high aws_iam_policy.deploy: Statement "AnyServiceBut" allows iam:PassRole on every role (Resource "*") to any service (no iam:PassedToService condition)',
        f'IG002 {TF}/positive/main.tf:24:18 medium data.aws_iam_policy_document.pass: Statement "PassAnyAccountRole" allows iam:Pass* (grants 1 Write action)',
        f'IG008 {TF}/positive/main.tf:24:18 high data.aws_iam_policy_document.pass: Statement "PassAnyAccountRole" allows iam:PassRole on every role (Resource "arn:aws:iam::${{AWS::AccountId}}:role/*") to any service (no iam:PassedToService condition)',
        f'IG008 {TF}/positive/main.tf:29:18 medium data.aws_iam_policy_document.pass: Statement "LambdaOnly" allows iam:PassRole on every role (Resource "arn:aws:iam::*:role/*") only to the services iam:PassedToService names',
        f'IG008 {TF}/positive/main.tf:62:66 high aws_iam_role_policy.deployer: Statement "ServiceIfPresent" allows iam:PassRole on every role (Resource "*") to any service (no iam:PassedToService condition)',
    ]


def test_named_roles_denies_and_excluded_passrole_pass_in_cloudformation() -> None:
    result = run(f"{CFN}/negative.yaml")
    assert described(result) == [
        f"IG002 {CFN}/negative.yaml:34:26 high Deployer: Statement #1 allows every action except iam:*, s3:*, ec2:*, sts:*, kms:*, ssm:*, secretsmanager:* (NotAction)",
    ]


def test_named_roles_denies_and_excluded_passrole_pass_in_terraform() -> None:
    result = run(f"{TF}/negative")
    assert described(result) == []
