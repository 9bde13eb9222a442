"""Values built with intrinsic functions are resolved before the checks judge them."""

from helpers import CORE_ONLY, described, run

CFN = "fixtures/cloudformation"


def test_fn_if_wildcards_in_the_false_branch_are_reported_with_the_condition() -> None:
    path = f"{CFN}/intrinsic_if_wildcard_in_false_branch.yaml"
    assert described(run(path, config=CORE_ONLY)) == [
        f'IG005 {path}:13:27 medium AppRole: Role "AppRole" allows sessions of 8 hours (28800 s) if condition IsProd is false; the limit is 1 hour (3600 s)',
        f'IG002 {path}:25:58 high AppRole: Statement "Data" allows dynamodb:* (every dynamodb action) if condition IsProd is false',
        f'IG002 {path}:32:27 critical AppRole: Statement "DebugEverything" allows * on every resource (full administrator access) (only if condition IsProd is false)',
    ]


def test_parameter_defaults_are_resolved_plain_and_as_lists() -> None:
    path = f"{CFN}/intrinsic_parameter_default_wildcard.yaml"
    assert described(run(path)) == [
        f'IG002 {path}:20:21 high QueuePolicy: Statement "FromParameter" allows * (every action)',
        f'IG002 {path}:24:21 high QueuePolicy: Statement "FromListParameter" allows sqs:* (every sqs action)',
    ]


def test_sub_join_select_and_findinmap_are_resolved() -> None:
    path = f"{CFN}/intrinsic_sub_join_select_findinmap.yaml"
    result = run(path)
    assert described(result) == [
        f'IG002 {path}:20:21 high BuiltPolicy: Statement "Substituted" allows s3:* (every s3 action)',
        f'IG002 {path}:24:21 high BuiltPolicy: Statement "Joined" allows kms:* (every kms action)',
        f'IG009 {path}:24:21 high BuiltPolicy: Statement "Joined" allows kms:Decrypt on any '
        'resource (Resource "*"): each returns credentials or secrets',
        f'IG002 {path}:28:21 high BuiltPolicy: Statement "Selected" allows sns:* (every sns action)',
        f'IG002 {path}:32:21 low BuiltPolicy: Statement "Mapped" allows logs:Get* (grants 18 Read actions)',
    ]
    assert [(u.file, u.line, u.resource, u.expression, u.why) for u in result.unresolved] == [
        (
            path,
            42,
            "BuiltPolicy",
            "!ImportValue shared-action",
            "Fn::ImportValue is known only when the stack is deployed",
        ),
    ]


def test_a_parameter_without_default_is_unresolved_not_dropped(tmp_path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Parameters:\n  Act:\n    Type: String\n"
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        "      PolicyDocument:\n        Statement:\n"
        "          - {Effect: Allow, Action: !Ref Act, Resource: '*'}\n"
    )
    result = run(tmp_path)
    assert described(result) == []
    assert [(u.line, u.expression, u.why) for u in result.unresolved] == [
        (10, "!Ref Act", "parameter Act has no Default")
    ]


def test_a_policy_document_written_as_a_json_string_is_read(tmp_path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        '      PolicyDocument: \'{"Statement": [{"Effect": "Allow", "Action": "s3:*", '
        '"Resource": "*"}]}\'\n'
    )
    assert [f.message for f in run(tmp_path).findings] == [
        "Statement #1 allows s3:* (every s3 action)"
    ]


def test_a_policy_document_built_at_deploy_time_is_unresolved(tmp_path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        "      PolicyDocument: !ImportValue shared-policy\n"
    )
    result = run(tmp_path)
    assert described(result) == []
    assert [(u.line, u.resource, u.why) for u in result.unresolved] == [
        (5, "P", "the policy document cannot be resolved")
    ]
