"""IG007 write-on-any-resource: every finding as a user sees it, in CloudFormation and Terraform."""

from __future__ import annotations

from helpers import described, run

CFN = "fixtures/cloudformation/write-on-any-resource"
TF = "fixtures/terraform/write-on-any-resource"


def test_writes_on_unscoped_resources_are_graded_by_access_level_in_cloudformation() -> None:
    result = run(f"{CFN}/positive.yaml")
    assert described(result) == [
        f'IG007 {CFN}/positive.yaml:15:22 medium DeployPolicy: Statement "Uploads" grants 2 Write actions on any resource (Resource "*") through s3:PutObject, s3:DeleteObject',
        f'IG007 {CFN}/positive.yaml:19:21 high DeployPolicy: Statement "AttachAnyRole" grants 1 Permissions management action on any resource (Resource "arn:aws:iam::*:role/*") through iam:AttachRolePolicy',
        f'IG007 {CFN}/positive.yaml:23:21 low DeployPolicy: Statement "TagInstances" grants 1 Tagging action on any resource (Resource "arn:aws:ec2:*:*:instance/*") through ec2:CreateTags',
        f'IG007 {CFN}/positive.yaml:27:21 medium DeployPolicy: Statement "EveryQueueButOne" grants 1 Write action on any resource (NotResource) through sqs:SendMessage',
        f'IG007 {CFN}/positive.yaml:31:21 medium DeployPolicy: Statement "NotTagged" grants 1 Write action on any resource (Resource "*") through ssm:PutParameter',
        f'IG007 {CFN}/positive.yaml:37:21 medium DeployPolicy: Statement "TagIfPresent" grants 1 Write action on any resource (Resource "*") through ssm:DeleteParameter',
        f'IG007 {CFN}/positive.yaml:43:21 medium DeployPolicy: Statement "AnyAccount" grants 1 Write action on any resource (Resource "*") through sns:Publish',
        f'IG007 {CFN}/positive.yaml:49:21 medium DeployPolicy: Statement "EmptyTag" grants 1 Write action on any resource (Resource "*") through sns:DeleteTopic',
        f'IG007 {CFN}/positive.yaml:55:34 medium DeployPolicy: Statement "ProdOnly" grants 1 Write action on any resource (Resource "*") through lambda:UpdateFunctionCode (only if condition IsProd is true)',
        f'IG007 {CFN}/positive.yaml:66:23 medium Worker: Statement #1 grants 1 Write action on any resource (Resource "arn:aws:dynamodb:${{AWS::Region}}:${{AWS::AccountId}}:table/*") through dynamodb:PutItem',
    ]


def test_writes_on_unscoped_resources_are_graded_by_access_level_in_terraform() -> None:
    result = run(f"{TF}/positive")
    assert described(result) == [
        f'IG007 {TF}/positive/main.tf:10:21 medium aws_iam_policy.deploy: Statement "Uploads" grants 2 Write actions on any resource (Resource "*") through s3:PutObject, s3:DeleteObject',
        f'IG007 {TF}/positive/main.tf:16:21 medium aws_iam_policy.deploy: Statement "NotTagged" grants 1 Write action on any resource (Resource "*") through ssm:PutParameter',
        f'IG007 {TF}/positive/main.tf:27:18 high data.aws_iam_policy_document.admin: Statement "AttachAnyRole" grants 1 Permissions management action on any resource (Resource "arn:aws:iam::*:role/*") through iam:AttachRolePolicy',
        f'IG007 {TF}/positive/main.tf:32:18 medium data.aws_iam_policy_document.admin: Statement "TagIfPresent" grants 1 Write action on any resource (Resource "*") through ssm:DeleteParameter',
        f'IG007 {TF}/positive/main.tf:65:62 low aws_iam_role_policy.worker: Statement "TagInstances" grants 1 Tagging action on any resource (Resource "arn:aws:ec2:*:*:instance/*") through ec2:CreateTags',
        f'IG007 {TF}/positive/main.tf:66:66 medium aws_iam_role_policy.worker: Statement "EveryQueueButOne" grants 1 Write action on any resource (NotResource) through sqs:SendMessage',
    ]


def test_scoped_writes_unscopable_actions_reads_and_denies_pass_in_cloudformation() -> None:
    result = run(f"{CFN}/negative.yaml")
    assert described(result) == [
        f"IG002 {CFN}/negative.yaml:36:21 high DeployPolicy: Statement #7 allows sqs:* (every sqs action)",
    ]


def test_scoped_writes_unscopable_actions_reads_and_denies_pass_in_terraform() -> None:
    result = run(f"{TF}/negative")
    assert described(result) == [
        f"IG002 {TF}/negative/main.tf:12:36 high aws_iam_policy.deploy: Statement #5 allows sqs:* (every sqs action)",
    ]
