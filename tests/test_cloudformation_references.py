"""``Fn::GetAtt``, ``Ref`` and the strings ``Fn::Join``/``Fn::Sub`` build from them name a
resource the template creates: unknown as text until deploy, but scoped to that resource.
CDK output is made of them (``{"Fn::GetAtt": ["MyTable794EDED1", "Arn"]}``). A reference
to a resource the template does not create stays unresolved."""

from __future__ import annotations

from pathlib import Path

from helpers import described, run

from iacguard.model import Unknown
from iacguard.parsers.cloudformation import parse_text
from iacguard.resolve.cloudformation import PASSED_RESOURCE

WRITER = """\
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Table:
    Type: AWS::DynamoDB::Table
  Writer:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: [s3:PutObject, s3:DeleteObject]
            Resource: [!GetAtt Bucket.Arn, !Join ["", [!GetAtt Bucket.Arn, "/*"]]]
          - Effect: Allow
            Action: s3:PutObject
            Resource: !Join ["", ["arn:aws:s3:::", !Ref Bucket, "/*"]]
          - Effect: Allow
            Action: dynamodb:PutItem
            Resource: {"Fn::Join": ["", [{"Fn::GetAtt": [Table, Arn]}, "/index/*"]]}
          - Effect: Allow
            Action: dynamodb:PutItem
            Resource: !Sub "${Table.Arn}/index/*"
          - Effect: Allow
            Action: dynamodb:PutItem
            Resource: !Sub "${Elsewhere.Arn}/index/*"
          - Effect: Allow
            Action: s3:PutObject
            Resource: !GetAtt Elsewhere.Arn
"""


def test_the_values_name_the_resource_they_are_built_from() -> None:
    result = parse_text(WRITER, "t.yaml")
    resources = [
        [(v.expression, v.names) for v in s.resources or () if isinstance(v, Unknown)]
        for s in result.model.policies[0].statements
    ]
    assert resources == [
        [
            ("!GetAtt Bucket.Arn", "Bucket"),
            ("!Join [, [{Fn::GetAtt: [Bucket, Arn]}, /*]]", "Bucket"),
        ],
        [("!Join [, [arn:aws:s3:::, {Ref: Bucket}, /*]]", "Bucket")],
        [("!Join [, [{Fn::GetAtt: [Table, Arn]}, /index/*]]", "Table")],
        [("!Sub ${Table.Arn}/index/*", "Table")],
        [("!Sub ${Elsewhere.Arn}/index/*", None)],
        [("!GetAtt Elsewhere.Arn", None)],
    ]


def test_write_on_a_resource_of_the_template_is_scoped_not_unresolved(tmp_path: Path) -> None:
    """IG007 asks whether the resource is unscoped: for the template's bucket and table
    it is decided (scoped); before, every Join and Sub was recorded as unresolved."""
    (tmp_path / "t.yaml").write_text(WRITER)
    result = run(tmp_path / "t.yaml")
    assert described(result) == []
    assert [(u.line, u.resource, u.expression, u.why) for u in result.unresolved] == [
        (25, "Writer", "!Sub ${Elsewhere.Arn}/index/*", "Resource cannot be resolved"),
        (28, "Writer", "!GetAtt Elsewhere.Arn", "Resource cannot be resolved"),
    ]


ESCALATION = """\
Resources:
  Deployer:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
  Worker:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
  DeployerPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: deployer
      Roles: [!Ref Deployer]
      PolicyDocument:
        Statement:
          - {Effect: Allow, Action: iam:PutRolePolicy, Resource: !GetAtt Deployer.Arn}
  WorkerPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: worker
      Roles: [!Ref Worker]
      PolicyDocument:
        Statement:
          - {Effect: Allow, Action: [iam:PutRolePolicy], Resource: !GetAtt Deployer.Arn}
"""


def test_a_role_that_may_put_a_policy_on_itself_by_getatt_escalates(tmp_path: Path) -> None:
    """IG014 went unresolved on both ``!GetAtt Deployer.Arn``: now the Deployer's own
    role is its target (self-escalation), and the Worker's is another role (no path)."""
    (tmp_path / "t.yaml").write_text(ESCALATION)
    result = run(tmp_path / "t.yaml")
    assert [f for f in described(result) if f.startswith("IG014")] == [
        f"IG014 {tmp_path}/t.yaml:2:3 critical Deployer: Role Deployer can escalate its "
        "privileges on itself: PutRolePolicy (iam:PutRolePolicy); scope or remove this action"
    ]
    assert result.unresolved == []


PRINCIPALS = """\
Resources:
  Worker:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
  Admin:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {AWS: !GetAtt Worker.Arn}, Action: sts:AssumeRole}
          - {Effect: Allow, Principal: {AWS: !GetAtt Elsewhere.Arn}, Action: sts:AssumeRole}
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Statement:
          - {Effect: Allow, Principal: {AWS: !GetAtt Worker.Arn}, Action: kms:Decrypt, Resource: "*"}
"""


def test_a_principal_the_template_creates_is_neither_anyone_nor_another_account(
    tmp_path: Path,
) -> None:
    """IG010, IG012 and IG013 recorded ``!GetAtt Worker.Arn`` as unresolved: it is one
    role of this stack's account. ``Elsewhere`` is not in the template: still unresolved."""
    (tmp_path / "t.yaml").write_text(PRINCIPALS)
    result = run(tmp_path / "t.yaml")
    assert described(result) == []
    assert sorted({(u.line, u.resource, u.expression) for u in result.unresolved}) == [
        (14, "Admin", "!GetAtt Elsewhere.Arn")
    ]


NESTED = """\
Parameters:
  BucketArn: {Type: String}
  Prefix: {Type: String}
  Queues: {Type: CommaDelimitedList}
Resources:
  Reader:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: s3:PutObject
            Resource: [!Sub "${BucketArn}/*", !Sub "arn:aws:s3:::${Prefix}*"]
          - Effect: Allow
            Action: sqs:SendMessage
            Resource: !Ref Queues
"""


def test_a_parameter_the_parent_stack_fills_with_its_resource_names_it() -> None:
    """CDK hands a nested stack every reference to its parent's resources as a parameter;
    the cloud assembly reader passes those as PASSED_RESOURCE."""
    passed = {"BucketArn": PASSED_RESOURCE, "Queues": PASSED_RESOURCE}
    statements = parse_text(NESTED, "n.json", passed).model.policies[0].statements
    assert [
        (v.expression, v.why, v.names)
        for statement in statements
        for v in statement.resources or ()
        if isinstance(v, Unknown)
    ] == [
        (
            "!Sub ${BucketArn}/*",
            "parameter BucketArn is a resource the parent stack passes",
            "BucketArn",
        ),
        ("!Sub arn:aws:s3:::${Prefix}*", "parameter Prefix has no Default", None),
        ("!Ref Queues", "parameter Queues is a resource the parent stack passes", "Queues"),
    ]


SUBSCRIPTION = """\
Parameters:
  OtherTopic: {Type: String}
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Queue:
    Type: AWS::SQS::Queue
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Queue]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: sqs:SendMessage
            Resource: !GetAtt Queue.Arn
            Condition: {ArnEquals: {aws:SourceArn: !Ref Topic}}
          - Effect: Allow
            Principal: "*"
            Action: sqs:SendMessage
            Resource: !GetAtt Queue.Arn
            Condition: {ArnEquals: {aws:SourceArn: !Ref OtherTopic}}
"""


def test_a_condition_on_a_resource_of_the_template_restricts(tmp_path: Path) -> None:
    """IG013 recorded ``aws:SourceArn: !Ref Topic`` as unresolved: it is that topic's ARN,
    a concrete value. A parameter without a default stays unresolved."""
    (tmp_path / "t.yaml").write_text(SUBSCRIPTION)
    result = run(tmp_path / "t.yaml")
    assert described(result) == []
    assert [(u.line, u.resource, u.expression) for u in result.unresolved] == [
        (23, "QueuePolicy", "!Ref OtherTopic")
    ]
