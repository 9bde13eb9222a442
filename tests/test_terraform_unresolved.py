"""What a scan could not check is said: each value that can change an IAM finding once,
briefly, in JSON and at the end of the text output; remote and unread modules too."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import iacguard, run

F = "fixtures/terraform/not_checked"
REMOTE = "remote module sources are not fetched; its resources are not checked"
UNSET = "variable extra_actions has no default and no .tfvars sets it"


def test_only_values_that_can_change_an_iam_finding_are_listed_each_once() -> None:
    result = run(F)
    assert result.errors == []
    assert result.findings == []
    assert [(u.line, u.resource, u.expression, u.why) for u in result.unresolved] == [
        (12, "module.vpc", "terraform-aws-modules/vpc/aws", REMOTE),
        (17, "module.eks", "terraform-aws-modules/eks/aws", REMOTE),
        (28, "data.aws_iam_policy_document.ci", "var.extra_actions", UNSET),
        (32, "data.aws_iam_policy_document.ci", "var.extra_actions", UNSET),
    ]  # the bucket's unknown count changes no IAM finding: not listed


def test_text_output_ends_with_what_was_not_checked() -> None:
    done = iacguard("check", F)
    assert done.returncode == 0
    assert done.stdout == (
        "No findings in 1 file scanned.\n"
        "2 values could not be resolved, run `terraform init` to check 2 remote modules; "
        "see --format json or --show-unresolved.\n"
    )


def test_show_unresolved_lists_them() -> None:
    done = iacguard("check", F, "--show-unresolved")
    assert done.stdout.splitlines() == [
        f"{F}/main.tf:12: unresolved: module.vpc: terraform-aws-modules/vpc/aws: {REMOTE}",
        f"{F}/main.tf:17: unresolved: module.eks: terraform-aws-modules/eks/aws: {REMOTE}",
        f"{F}/main.tf:28: unresolved: data.aws_iam_policy_document.ci: var.extra_actions: {UNSET}",
        f"{F}/main.tf:32: unresolved: data.aws_iam_policy_document.ci: var.extra_actions: {UNSET}",
        "No findings in 1 file scanned.",
        "2 values could not be resolved, run `terraform init` to check 2 remote modules; "
        "see --format json or --show-unresolved.",
    ]


def test_a_module_outside_the_scanned_paths_is_said_in_text(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "main.tf").write_text('resource "aws_iam_user" "u" {\n}\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.tf").write_text('module "users" {\n  source = "../common"\n}\n')
    done = iacguard("check", ".", cwd=tmp_path / "app")
    assert done.stdout.splitlines() == [
        "main.tf:2: warning: module.users: source ../common is outside the scanned paths; not read",
        "No findings in 1 file scanned.",
        "1 value could not be resolved; see --format json or --show-unresolved.",
    ]


def test_a_long_expression_is_shown_truncated_and_once(tmp_path: Path) -> None:
    items = ", ".join(f'"s3:Action{i}"' for i in range(300))
    expression = f"concat(var.actions, [{items}])[var.n]"  # 5 KB: shown whole, 2000 would not do
    statement = f'{{Effect = "Allow", Action = {expression}, Resource = "*"}}'
    (tmp_path / "main.tf").write_text(
        'variable "actions" {}\nvariable "n" {}\n'
        'resource "aws_iam_policy" "p" {\n'
        f"  policy = jsonencode({{Statement = [{statement}, {statement}]}})\n"
        "}\n"
    )
    done = iacguard("check", str(tmp_path), "--format", "json")
    assert len(done.stdout) < 2000  # the expression was in it whole, twice over
    (entry,) = json.loads(done.stdout)["unresolved"]
    assert entry["expression"] == expression[:199] + "…"
    assert (entry["line"], entry["why"]) == (4, "the index cannot be resolved")
