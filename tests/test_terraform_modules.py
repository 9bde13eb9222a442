"""Local modules are evaluated with their caller's inputs; remote ones are listed."""

from helpers import lines, messages, run

TF = "fixtures/terraform"


def test_a_local_module_is_checked_once_per_call_with_the_callers_inputs() -> None:
    result = run(f"{TF}/local_module")
    module = f"{TF}/local_module/modules/service_user/main.tf"
    # Only the "admin" call passes a wildcard; the finding is in the module's own file,
    # and says which call it depends on.
    assert lines(result) == [
        f"IG002 {module}:26:47 critical module.admin.aws_iam_group_policy.this",
        f"IG008 {module}:26:47 high module.admin.aws_iam_group_policy.this",
        f"IG009 {module}:26:47 high module.admin.aws_iam_group_policy.this",
    ]
    assert messages(result) == [
        f"IG002 {module}:26 Statement #1 allows * on every resource (full administrator access) if called from module.admin ({TF}/local_module/main.tf:5)",
        f'IG008 {module}:26 Statement #1 allows iam:PassRole on every role (Resource "*") to any service (no iam:PassedToService condition) (only if called from module.admin ({TF}/local_module/main.tf:5))',
        f'IG009 {module}:26 Statement #1 allows sts:AssumeRole, sts:GetFederationToken, iam:CreateAccessKey and 20 more on any resource (Resource "*"): each returns credentials or secrets (only if called from module.admin ({TF}/local_module/main.tf:5))',
    ]
    assert result.unresolved == []


def test_a_called_module_directory_is_not_also_scanned_as_a_root() -> None:
    result = run(f"{TF}/local_module")
    module = f"{TF}/local_module/modules/service_user/main.tf"
    # Scanned as a root of its own, var.actions would be unknown and every user would
    # appear once more without its module prefix.
    assert all(f.resource.startswith("module.") for f in result.findings)
    assert result.scanned == [f"{TF}/local_module/main.tf", module]


def test_a_module_scanned_alone_is_a_root_with_unknown_inputs() -> None:
    result = run(f"{TF}/local_module/modules/service_user")
    module = f"{TF}/local_module/modules/service_user/main.tf"
    assert lines(result) == []
    assert [(u.file, u.line, u.resource, u.expression) for u in result.unresolved] == [
        (module, 26, "aws_iam_group_policy.this", "var.actions")
    ]


def test_remote_modules_are_listed_as_unresolved_and_the_rest_is_checked() -> None:
    result = run(f"{TF}/remote_module")
    file = f"{TF}/remote_module/main.tf"
    assert lines(result) == [f"IG003 {file}:8:1 low aws_iam_user.local"]
    assert [(u.file, u.line, u.resource, u.expression, u.why) for u in result.unresolved] == [
        (
            file,
            3,
            "module.iam_user",
            "terraform-aws-modules/iam/aws//modules/iam-user",
            "remote module sources are not fetched; its resources are not checked",
        )
    ]
