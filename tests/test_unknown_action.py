"""IG006 unknown-action: every finding as a user sees it, in CloudFormation and Terraform."""

from __future__ import annotations

from pathlib import Path

from helpers import described, run

CFN = "fixtures/cloudformation/unknown-action"
TF = "fixtures/terraform/unknown-action"


def test_misspelt_actions_are_reported_with_the_closest_real_one_in_cloudformation() -> None:
    result = run(f"{CFN}/positive.yaml")
    assert described(result) == [
        f'IG006 {CFN}/positive.yaml:16:17 medium TablePolicy: Statement "WriteOrders" Action dyanmodb:PutItem matches no IAM action: it grants nothing (did you mean dynamodb:PutItem?)',
        f'IG006 {CFN}/positive.yaml:17:17 medium TablePolicy: Statement "WriteOrders" Action s3:GetObjects matches no IAM action: it grants nothing (did you mean s3:GetObject?)',
        f'IG006 {CFN}/positive.yaml:21:21 high TablePolicy: Statement "NoBucketDeletion" Action s3:DeleteBuckett matches no IAM action: the Deny does not apply (did you mean s3:DeleteBucket?)',
        f'IG006 {CFN}/positive.yaml:25:34 medium TablePolicy: Statement "NothingMatches" Action s3:Gett* matches no IAM action: it grants nothing (did you mean s3:GetObject?) (only if condition IsProd is true)',
        f"IG006 {CFN}/positive.yaml:36:23 medium Worker: Statement #1 Action sqs:SendMesage matches no IAM action: it grants nothing (did you mean sqs:SendMessage?)",
    ]


def test_misspelt_actions_are_reported_with_the_closest_real_one_in_terraform() -> None:
    result = run(f"{TF}/positive")
    assert described(result) == [
        f'IG006 {TF}/positive/main.tf:9:19 medium aws_iam_policy.orders: Statement "WriteOrders" Action dyanmodb:PutItem matches no IAM action: it grants nothing (did you mean dynamodb:PutItem?)',
        f'IG006 {TF}/positive/main.tf:9:39 medium aws_iam_policy.orders: Statement "WriteOrders" Action s3:GetObjects matches no IAM action: it grants nothing (did you mean s3:GetObject?)',
        f'IG006 {TF}/positive/main.tf:19:18 high data.aws_iam_policy_document.guardrail: Statement "NoBucketDeletion" Action s3:DeleteBuckett matches no IAM action: the Deny does not apply (did you mean s3:DeleteBucket?)',
        f"IG006 {TF}/positive/main.tf:47:39 medium aws_iam_role_policy.worker: Statement #1 Action sqs:SendMesage matches no IAM action: it grants nothing (did you mean sqs:SendMessage?)",
    ]


def test_real_actions_matching_wildcards_and_unresolved_values_pass_in_cloudformation() -> None:
    result = run(f"{CFN}/negative.yaml")
    assert described(result) == [
        f"IG002 {CFN}/negative.yaml:21:17 low TablePolicy: Statement #1 allows logs:Describe* (grants 19 List actions), ec2:Describe?ags (grants 1 List action)",
    ]
    assert [(u.line, u.expression) for u in result.unresolved] == [(28, "!Ref ExtraAction")]


def test_real_actions_matching_wildcards_and_unresolved_values_pass_in_terraform() -> None:
    result = run(f"{TF}/negative")
    assert described(result) == [
        f"IG002 {TF}/negative/main.tf:12:55 low aws_iam_policy.orders: Statement #1 allows logs:Describe* (grants 19 List actions), ec2:Describe?ags (grants 1 List action)",
    ]
    assert [(u.line, u.expression) for u in result.unresolved] == [(12, "var.extra_action")]


def test_sns_receive_is_known_in_a_topic_policy_but_not_in_an_identity_policy(
    tmp_path: Path,
) -> None:
    """SNS topic policies grant SNS:Receive (AWS's own examples do); the service
    authorization reference does not list it, and an identity policy cannot use it."""
    (tmp_path / "t.yaml").write_text(
        "Resources:\n"
        "  Topic:\n    Type: AWS::SNS::Topic\n"
        "  TopicPolicy:\n    Type: AWS::SNS::TopicPolicy\n    Properties:\n"
        "      Topics: [!Ref Topic]\n      PolicyDocument:\n        Statement:\n"
        "          - {Effect: Allow, Principal: {AWS: arn:aws:iam::111122223333:root},"
        " Action: [SNS:Subscribe, SNS:Receive], Resource: !Ref Topic}\n"
        "  Reader:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        "      PolicyDocument:\n        Statement:\n"
        "          - {Effect: Allow, Action: SNS:Receive, Resource: !Ref Topic}\n"
    )
    result = run(tmp_path)
    assert [f for f in described(result) if f.startswith("IG006")] == [
        f"IG006 {tmp_path}/t.yaml:16:37 medium Reader: Statement #1 Action SNS:Receive "
        "matches no IAM action: it grants nothing"
    ]
