import json
from pathlib import Path

from cfnlint_helpers import described as cfn_described
from cfnlint_helpers import lint
from helpers import ROOT, described, iacguard, run

from iacguard.config import Config
from iacguard.engine import ScanResult
from iacguard.escalation_paths import PATHS

TF = "fixtures/terraform/privilege-escalation"
CFN = "fixtures/cloudformation/privilege-escalation"
ONLY = Config(
    disabled=frozenset(
        {"IG001", "IG002", "IG003", "IG004", "IG006", "IG007", "IG008", "IG009", "IG017"}
    )
)
LAMBDA = (
    "can escalate its privileges through another principal or service: PassRole to a new "
    "Lambda function and invoke it (iam:PassRole, lambda:CreateFunction, "
    "lambda:InvokeFunction); scope or remove one of these actions"
)
SELF = (
    "can escalate its privileges on itself: PutUserPolicy (iam:PutUserPolicy); "
    "scope or remove this action"
)


def related(result: ScanResult) -> list[list[str]]:
    return [
        [f"{r.location.line}:{r.location.column} {r.message}" for r in f.related]
        for f in result.findings
    ]


def test_terraform_escalation_split_across_a_group_policy_and_a_user_attached_policy() -> None:
    path = f"{TF}/positive_split_group_and_user/main.tf"
    result = run(path, config=ONLY)
    assert described(result) == [
        f"IG014 {path}:19:1 high aws_iam_user.alice: User alice {LAMBDA}",
        f"IG014 {path}:46:1 critical aws_iam_user.bob: User bob {SELF}",
    ]
    assert related(result) == [
        [
            '13:18 iam:PassRole: statement "PassAnyRole" of inline policy pass-roles of group '
            "developers",
            '31:17 lambda:CreateFunction, lambda:InvokeFunction: statement "BuildFunctions" of '
            "managed policy lambda-development attached directly",
        ],
        ['58:18 iam:PutUserPolicy: statement "ManageOwnPolicies" of inline policy self-service'],
    ]


def test_cloudformation_escalation_split_across_a_group_policy_and_a_user_attached_policy() -> None:
    path = f"{CFN}/positive_split_group_and_user.yaml"
    result = run(path, config=ONLY)
    assert described(result) == [
        f"IG014 {path}:17:3 high Alice: User alice {LAMBDA}",
        f"IG014 {path}:34:3 critical Bob: User bob {SELF}",
    ]
    assert related(result) == [
        [
            '15:25 iam:PassRole: statement "PassAnyRole" of inline policy pass-roles of group '
            "developers",
            '32:21 lambda:CreateFunction, lambda:InvokeFunction: statement "BuildFunctions" of '
            "managed policy lambda-development attached directly",
        ],
        ['45:25 iam:PutUserPolicy: statement "ManageOwnPolicies" of inline policy self-service'],
    ]


def test_another_service_a_deny_and_a_boundary_each_close_the_path() -> None:
    assert described(run(f"{TF}/negative_scoped_and_denied", config=ONLY)) == []
    assert described(run(f"{CFN}/negative_scoped_and_denied.json", config=ONLY)) == []


def _role(tmp_path: Path, statement: str, extra: str = "") -> ScanResult:
    (tmp_path / "template.yaml").write_text(
        "Parameters:\n  Service:\n    Type: String\n"
        "Resources:\n"
        "  Deployer:\n"
        "    Type: AWS::IAM::Role\n"
        "    Properties:\n"
        "      RoleName: deployer\n"
        "      AssumeRolePolicyDocument: {Statement: []}\n"
        f"{extra}"
        "      Policies:\n"
        "        - PolicyName: deploy\n"
        "          PolicyDocument:\n"
        "            Statement:\n"
        f"              - {statement}\n"
    )
    return run(tmp_path, config=ONLY)


def test_passed_to_service_naming_the_paths_service_does_not_restrict(tmp_path: Path) -> None:
    result = _role(
        tmp_path,
        "{Effect: Allow, Action: [iam:PassRole, ec2:RunInstances], Resource: '*', "
        "Condition: {StringLike: {iam:PassedToService: [ec2.amazonaws.com, lambda.*]}}}",
    )
    assert [f.message for f in result.findings] == [
        "Role deployer can escalate its privileges through another principal or service: "
        "PassRole to a new EC2 instance (iam:PassRole, ec2:RunInstances); scope or remove one "
        "of these actions"
    ]


def test_not_action_and_wildcards_grant_a_self_escalation(tmp_path: Path) -> None:
    result = _role(tmp_path, "{Effect: Allow, NotAction: ['s3:*', 'iam:Delete*'], Resource: '*'}")
    assert [(f.severity.value, f.element) for f in result.findings] == [
        ("critical", "CreatePolicyVersion"),
        ("critical", "SetDefaultPolicyVersion"),
        ("critical", "AttachRolePolicy"),
        ("critical", "PutRolePolicy"),
        *(
            ("high", p.name)
            for p in PATHS
            if "role" in p.applies_to and not p.self_escalation and not p.needs_boundary
        ),
    ]


def test_a_condition_on_the_attached_policy_restricts(tmp_path: Path) -> None:
    result = _role(
        tmp_path,
        "{Effect: Allow, Action: iam:AttachRolePolicy, Resource: '*', Condition: "
        "{ArnEquals: {iam:PolicyARN: arn:aws:iam::aws:policy/ReadOnlyAccess}}}",
    )
    assert described(result) == []


def test_a_condition_value_that_cannot_be_resolved_is_unresolved(tmp_path: Path) -> None:
    result = _role(
        tmp_path,
        "{Effect: Allow, Action: [iam:PassRole, ec2:RunInstances], Resource: '*', "
        "Condition: {StringEquals: {iam:PassedToService: !Ref Service}}}",
    )
    assert described(result) == []
    assert [(u.line, u.resource, u.expression, u.why) for u in result.unresolved] == [
        (14, "Deployer", "!Ref Service", "may complete PassRole to a new EC2 instance")
    ]


def test_a_boundary_outside_the_scan_is_unresolved(tmp_path: Path) -> None:
    result = _role(
        tmp_path,
        "{Effect: Allow, Action: iam:PutRolePolicy, Resource: '*'}",
        "      PermissionsBoundary: !ImportValue shared-boundary\n",
    )
    assert described(result) == []
    assert [(u.line, u.expression, u.why) for u in result.unresolved] == [
        (
            10,
            "!ImportValue shared-boundary",
            "the permissions boundary cannot be resolved: it may remove an escalation path",
        )
    ]


def test_sarif_lists_the_granting_statements_as_related_locations() -> None:
    path = f"{CFN}/positive_split_group_and_user.yaml"
    done = iacguard("check", path, "--format", "sarif", "--no-cache")
    results = json.loads(done.stdout)["runs"][0]["results"]
    alice = next(r for r in results if r["ruleId"] == "IG014" and "alice" in r["message"]["text"])
    assert [
        (
            r["physicalLocation"]["artifactLocation"]["uri"],
            r["physicalLocation"]["region"]["startLine"],
            r["message"]["text"],
        )
        for r in alice["relatedLocations"]
    ] == [
        (
            path,
            15,
            'iam:PassRole: statement "PassAnyRole" of inline policy pass-roles of group developers',
        ),
        (
            path,
            32,
            'lambda:CreateFunction, lambda:InvokeFunction: statement "BuildFunctions" of managed '
            "policy lambda-development attached directly",
        ),
    ]


def test_a_comment_above_the_principal_suppresses_it(tmp_path: Path) -> None:
    source = (ROOT / CFN / "positive_split_group_and_user.yaml").read_text()
    marked = source.replace(
        "  Bob:\n", "  # iacguard: ignore[privilege-escalation] break-glass user\n  Bob:\n"
    )
    (tmp_path / "template.yaml").write_text(marked)
    result = run(tmp_path, config=ONLY)
    assert [
        (f.resource, f.suppression.reason if f.suppression else None) for f in result.findings
    ] == [
        ("Alice", None),
        ("Bob", "break-glass user"),
    ]


def test_the_cfn_lint_pack_reports_e9114_within_one_template() -> None:
    matches = lint(f"{CFN}/positive_split_group_and_user.yaml")
    assert [d for d in cfn_described(matches) if d.startswith("E9114")] == [
        f"E9114 17:3 User alice {LAMBDA}",
        f"E9114 34:3 User bob {SELF}",
    ]


def test_a_boundary_policy_of_another_stack_is_unresolved(tmp_path: Path) -> None:
    result = _role(
        tmp_path,
        "{Effect: Allow, Action: iam:PutRolePolicy, Resource: '*'}",
        "      PermissionsBoundary: arn:aws:iam::123456789012:policy/platform-boundary\n",
    )
    assert described(result) == []
    assert [(u.line, u.expression) for u in result.unresolved] == [
        (10, "arn:aws:iam::123456789012:policy/platform-boundary")
    ]


def test_the_administrator_boundary_removes_nothing(tmp_path: Path) -> None:
    result = _role(
        tmp_path,
        "{Effect: Allow, Action: iam:PutRolePolicy, Resource: '*'}",
        "      PermissionsBoundary: arn:aws:iam::aws:policy/AdministratorAccess\n",
    )
    assert [(f.severity.value, f.element) for f in result.findings] == [
        ("critical", "PutRolePolicy")
    ]
