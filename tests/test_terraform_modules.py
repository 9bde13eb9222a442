"""Local modules are evaluated with their caller's inputs; remote ones are listed."""

from helpers import CORE_ONLY, lines, messages, run

TF = "fixtures/terraform"


def test_a_local_module_is_checked_once_per_call_with_the_callers_inputs() -> None:
    result = run(f"{TF}/local_module", config=CORE_ONLY)
    module = f"{TF}/local_module/modules/service_user/main.tf"
    caller = f"{TF}/local_module/main.tf"
    # Only the "admin" call passes a wildcard: the finding is where the caller wrote it
    # (a module called twice has two places to fix), related to the module's resource.
    assert lines(result) == [
        f"IG002 {caller}:5:14 critical module.admin.aws_iam_group_policy.this",
    ]
    assert messages(result) == [
        f"IG002 {caller}:5 Statement #1 allows * on every resource (full administrator access) if called from module.admin ({caller}:5)",
    ]
    finding = result.findings[0]
    assert [(r.location.file, r.location.line, r.message) for r in finding.related] == [
        (module, 22, "module.admin.aws_iam_group_policy.this is declared here")
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
    result = run(f"{TF}/local_module/modules/service_user", config=CORE_ONLY)
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


def test_a_comment_on_the_modules_resource_still_covers_a_value_from_its_caller(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "main.tf").write_text(
        'variable "actions" {}\n'
        "# iacguard: ignore[IG002] the platform team's break-glass policy\n"
        'resource "aws_iam_policy" "this" {\n'
        "  policy = jsonencode({\n"
        '    Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }]\n'
        "  })\n}\n"
    )
    (tmp_path / "main.tf").write_text(
        'module "break_glass" {\n  source  = "./policy"\n  actions = ["s3:*"]\n}\n'
    )
    result = run(tmp_path)
    (finding,) = result.findings
    assert (finding.location.file, finding.location.line) == (f"{tmp_path}/main.tf", 3)
    assert finding.suppression is not None
    assert finding.suppression.reason == "the platform team's break-glass policy"
    assert result.unused_suppressions == []


def test_a_logical_id_in_two_templates_gets_no_related_location(tmp_path) -> None:  # type: ignore[no-untyped-def]
    policy = (
        "Resources:\n  Admin:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        "      PolicyDocument:\n        Statement:\n"
        "          - {Effect: Allow, Action: 's3:*', Resource: '*'}\n"
    )
    (tmp_path / "a.yaml").write_text(policy)
    (tmp_path / "b.yaml").write_text(policy)
    result = run(tmp_path)
    assert [(f.location.file.rsplit("/", 1)[-1], f.related) for f in result.findings] == [
        ("a.yaml", ()),
        ("b.yaml", ()),
    ]
