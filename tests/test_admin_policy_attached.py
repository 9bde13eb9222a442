from pathlib import Path

from helpers import described, run

from iacguard.config import Config

TF = "fixtures/terraform/admin-policy-attached"
CFN = "fixtures/cloudformation/admin-policy-attached"
ONLY = Config(disabled=frozenset({"IG003", "IG004"}))
FIX = "; grant only the actions it needs"


def test_terraform_every_attachment_form_and_partition() -> None:
    path = f"{TF}/positive_every_attachment_form/main.tf"
    assert described(run(path, config=ONLY)) == [
        f"IG015 {path}:17:16 high aws_iam_role_policy_attachment.ci_admin: AWS managed policy "
        "AdministratorAccess is attached to role aws_iam_role.ci: it grants every action on "
        f"every resource{FIX}",
        f"IG015 {path}:26:16 critical aws_iam_user_policy_attachment.breakglass: AWS managed "
        "policy IAMFullAccess is attached to user aws_iam_user.breakglass: it grants every IAM "
        f"action, so it can grant itself anything{FIX}",
        f"IG015 {path}:36:16 high aws_iam_policy_attachment.power_users: AWS managed policy "
        "PowerUserAccess is attached to group aws_iam_group.developers: it grants every action "
        f"except IAM and Organizations management{FIX}",
        f"IG015 {path}:47:24 high aws_ssoadmin_managed_policy_attachment.admin: AWS managed "
        "policy AdministratorAccess is attached to permission set "
        f"aws_ssoadmin_permission_set.admin: it grants every action on every resource{FIX}",
    ]


def test_cloudformation_every_attachment_form_and_partition() -> None:
    path = f"{CFN}/positive_every_attachment_form.json"
    assert described(run(path, config=ONLY)) == [
        f"IG015 {path}:12:31 high CiRole: AWS managed policy AdministratorAccess is attached to "
        f"role CiRole: it grants every action on every resource{FIX}",
        f"IG015 {path}:19:31 critical BreakglassUser: AWS managed policy IAMFullAccess is "
        "attached to user BreakglassUser: it grants every IAM action, so it can grant itself "
        f"anything{FIX}",
        f"IG015 {path}:26:31 high Developers: AWS managed policy PowerUserAccess is attached to "
        f"group Developers: it grants every action except IAM and Organizations management{FIX}",
        f"IG015 {path}:34:29 high AdminPermissionSet: AWS managed policy AdministratorAccess is "
        "attached to permission set AdminPermissionSet: it grants every action on every "
        f"resource{FIX}",
        f"IG015 {path}:43:22 high CleanupFunction: AWS managed policy AdministratorAccess is "
        f"attached to role CleanupFunctionRole: it grants every action on every resource{FIX}",
    ]


def test_scoped_and_customer_managed_policies_pass() -> None:
    assert described(run(f"{TF}/negative_scoped_policies", config=ONLY)) == []
    assert described(run(f"{CFN}/negative_scoped_policies.yaml", config=ONLY)) == []


def test_a_policy_arn_that_cannot_be_resolved_is_unresolved(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "policy_arn" {}\n'
        'resource "aws_iam_group" "ops" {\n  name = "ops"\n}\n'
        'resource "aws_iam_group_policy_attachment" "ops" {\n'
        "  group      = aws_iam_group.ops.name\n"
        "  policy_arn = var.policy_arn\n}\n"
    )
    result = run(tmp_path, config=ONLY)
    assert described(result) == []
    assert [(u.line, u.resource, u.expression, u.why) for u in result.unresolved] == [
        (
            7,
            "aws_iam_group_policy_attachment.ops",
            "var.policy_arn",
            "the attached policy cannot be resolved: it may have administrator power",
        )
    ]
