"""SAM, JSON templates, and files that are not CloudFormation."""

from helpers import described, run

CFN = "fixtures/cloudformation"


def test_sam_inline_statements_and_policy_templates_are_checked() -> None:
    path = f"{CFN}/sam_function_policies.yaml"
    result = run(path)
    assert described(result) == [
        f'IG002 {path}:18:23 high ApiFunction: Statement "TableAccess" allows dynamodb:* '
        "(every dynamodb action)",
    ]


def test_sam_policies_become_attachments_and_inline_policies() -> None:
    from pathlib import Path

    from iacguard.parsers.cloudformation import parse_file

    model = parse_file(Path(f"{CFN}/sam_function_policies.yaml"), "sam.yaml").model
    assert [(p.kind, p.address, p.name.value if p.name else None) for p in model.policies] == [
        ("inline", "ApiFunction", "S3ReadPolicy"),
        ("inline", "ApiFunction", None),
        ("inline", "Workflow", None),
    ]
    assert [(a.address, a.principal.kind, a.policy.value) for a in model.attachments] == [  # type: ignore[union-attr]
        ("ApiFunction", "role", "AWSLambdaBasicExecutionRole"),
    ]


def test_json_templates_report_like_yaml() -> None:
    path = f"{CFN}/wildcard-action/positive_json_template.json"
    assert described(run(path)) == [
        f'IG002 {path}:14:25 critical AdminPolicy: Statement "FullAdmin" allows * on every resource '
        "(full administrator access)",
        f'IG008 {path}:14:25 high AdminPolicy: Statement "FullAdmin" allows iam:PassRole on every '
        'role (Resource "*") to any service (no iam:PassedToService condition)',
        f'IG009 {path}:14:25 high AdminPolicy: Statement "FullAdmin" allows sts:AssumeRole, '
        "sts:GetFederationToken, iam:CreateAccessKey and 20 more on any resource "
        '(Resource "*"): each returns credentials or secrets',
        f"IG008 {path}:19:26 high AdminPolicy: Statement #2 allows iam:PassRole on every role "
        '(Resource "*") to any service (no iam:PassedToService condition)',
        f"IG002 {path}:19:42 high AdminPolicy: Statement #2 allows iam:* (every iam action)",
        f"IG009 {path}:19:42 high AdminPolicy: Statement #2 allows iam:CreateAccessKey, "
        "iam:UpdateAccessKey, iam:CreateLoginProfile and 3 more on any resource "
        '(Resource "*"): each returns credentials or secrets',
    ]


def test_yaml_that_is_not_cloudformation_is_skipped_quietly() -> None:
    path = f"{CFN}/not_cloudformation_kubernetes.yaml"
    result = run(path)
    assert (result.findings, result.errors, result.scanned, result.skipped) == ([], [], [], [path])


def test_parse_results_hold_plain_values_so_they_pickle() -> None:
    """The cache and the worker processes pickle parse results; cfn-lint's node types
    (local classes) must not leak into the model."""
    import pickle
    from pathlib import Path

    from iacguard.parsers.cloudformation import parse_file

    templates = sorted(Path(CFN).rglob("*.yaml")) + sorted(Path(CFN).rglob("*.json"))
    for template in templates:
        result = parse_file(template, str(template))
        assert pickle.loads(pickle.dumps(result)) == result, template
