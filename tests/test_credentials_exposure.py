"""IG009 credentials-exposure: every finding as a user sees it, in CloudFormation and Terraform."""

from __future__ import annotations

from pathlib import Path

from helpers import described, run

CFN = "fixtures/cloudformation/credentials-exposure"
TF = "fixtures/terraform/credentials-exposure"


def test_credential_actions_on_any_resource_are_reported_in_cloudformation() -> None:
    result = run(f"{CFN}/positive.yaml")
    assert described(result) == [
        f'IG009 {CFN}/positive.yaml:15:21 high AppPolicy: Statement "AllSecrets" allows secretsmanager:GetSecretValue on any resource (Resource "*"): each returns credentials or secrets',
        f'IG002 {CFN}/positive.yaml:19:22 low AppPolicy: Statement "AllParameters" allows ssm:GetParameter* (grants 4 Read actions)',
        f'IG009 {CFN}/positive.yaml:19:22 high AppPolicy: Statement "AllParameters" allows ssm:GetParameter, ssm:GetParameters, ssm:GetParametersByPath and 2 more on any resource (Resource "arn:aws:ssm:*:*:parameter/*", Resource "arn:aws:kms:${{AWS::Region}}:${{AWS::AccountId}}:key/*"): each returns credentials or secrets',
        f'IG009 {CFN}/positive.yaml:25:21 high AppPolicy: Statement "AnyRole" allows sts:AssumeRole on any resource (Resource "arn:aws:iam::*:role/*"): each returns credentials or secrets',
        f'IG009 {CFN}/positive.yaml:29:21 high AppPolicy: Statement "OtherTeams" allows secretsmanager:GetSecretValue on any resource (Resource "*"): each returns credentials or secrets',
        f'IG009 {CFN}/positive.yaml:35:21 high AppPolicy: Statement "AnyTeam" allows secretsmanager:GetSecretValue on any resource (Resource "*"): each returns credentials or secrets',
        f'IG009 {CFN}/positive.yaml:41:59 high AppPolicy: Statement "DebugOnly" allows ec2:GetPasswordData on any resource (Resource "*"): each returns credentials or secrets (only if condition IsProd is false)',
        f'IG009 {CFN}/positive.yaml:52:23 high Worker: Statement #1 allows iam:CreateAccessKey on any resource (Resource "*"): each returns credentials or secrets',
    ]


def test_credential_actions_on_any_resource_are_reported_in_terraform() -> None:
    result = run(f"{TF}/positive")
    assert described(result) == [
        f'IG009 {TF}/positive/main.tf:7:56 high aws_iam_policy.app: Statement "AllSecrets" allows secretsmanager:GetSecretValue on any resource (Resource "*"): each returns credentials or secrets',
        f'IG009 {TF}/positive/main.tf:11:21 high aws_iam_policy.app: Statement "OtherTeams" allows secretsmanager:GetSecretValue on any resource (Resource "*"): each returns credentials or secrets',
        f'IG002 {TF}/positive/main.tf:22:18 low data.aws_iam_policy_document.parameters: Statement "AllParameters" allows ssm:GetParameter* (grants 4 Read actions)',
        f'IG009 {TF}/positive/main.tf:22:18 high data.aws_iam_policy_document.parameters: Statement "AllParameters" allows ssm:GetParameter, ssm:GetParameters, ssm:GetParametersByPath and 2 more on any resource (Resource "arn:aws:ssm:*:*:parameter/*", Resource "arn:aws:kms:eu-west-1:111122223333:key/*"): each returns credentials or secrets',
        f'IG009 {TF}/positive/main.tf:27:18 high data.aws_iam_policy_document.parameters: Statement "AnyTeam" allows secretsmanager:GetSecretValue on any resource (Resource "*"): each returns credentials or secrets',
        f"IG014 {TF}/positive/main.tf:42:1 high aws_iam_role.worker: Role worker can escalate its privileges through another principal or service: CreateAccessKey (iam:CreateAccessKey); scope or remove this action",
        f'IG009 {TF}/positive/main.tf:60:57 high aws_iam_role_policy.worker: Statement "AnyRole" allows sts:AssumeRole on any resource (Resource "arn:aws:iam::*:role/*"): each returns credentials or secrets',
        f'IG009 {TF}/positive/main.tf:61:62 high aws_iam_role_policy.worker: Statement "AnyUsersKeys" allows iam:CreateAccessKey on any resource (Resource "*"): each returns credentials or secrets',
    ]


def test_scoped_secrets_ecr_tokens_denies_and_trust_policies_pass_in_cloudformation() -> None:
    result = run(f"{CFN}/negative.yaml")
    assert described(result) == []


def test_scoped_secrets_ecr_tokens_denies_and_trust_policies_pass_in_terraform() -> None:
    result = run(f"{TF}/negative")
    assert described(result) == []


def test_notaction_wildcard_prefixes_and_any_case_are_read_statements_on_other_services_not(
    tmp_path: Path,
) -> None:
    """The rule skips a statement only when every action names another service."""
    template = tmp_path / "t.yaml"
    template.write_text(
        "Resources:\n"
        "  Policy:\n"
        "    Type: AWS::IAM::ManagedPolicy\n"
        "    Properties:\n"
        "      PolicyDocument:\n"
        "        Statement:\n"
        "          - {Sid: AllButS3, Effect: Allow, NotAction: 's3:*', Resource: '*'}\n"
        "          - {Sid: Prefix, Effect: Allow, Action: 'secrets*:GetSecretValue', Resource: '*'}\n"
        "          - {Sid: Case, Effect: Allow, Action: ' SSM:GetParameter', Resource: '*'}\n"
        "          - {Sid: Storage, Effect: Allow, Action: [s3:GetObject, 'dynamodb:*'], Resource: '*'}\n"
    )
    found = [line.split(" allows ")[0] for line in described(run(template)) if "IG009" in line]
    where = f"IG009 {template.as_posix()}"
    assert found == [
        f'{where}:7:55 high Policy: Statement "AllButS3"',
        f'{where}:8:50 high Policy: Statement "Prefix"',
        f'{where}:9:48 high Policy: Statement "Case"',
    ]
