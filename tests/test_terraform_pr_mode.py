"""PR mode on Terraform: a change to what a value is read from (a .tfvars file, a module
caller's input) keeps the finding it makes, and an error about a module is reported when
any of its files changed, failing the run."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ROOT, git, git_alone

from iacguard.cli import main

POLICY = """\
variable "admin" {
  type    = bool
  default = false
}

resource "aws_iam_policy" "ci" {
  name = "ci"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = var.admin ? "*" : "s3:GetObject", Resource = "*" }]
  })
}
"""
CALLER = 'module "ci" {\n  source = "./ci"\n  admin  = false\n}\n'


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    git_alone(monkeypatch, tmp_path)
    repo = tmp_path / "repo"
    (repo / "ci").mkdir(parents=True)
    (repo / "ci" / "main.tf").write_text(POLICY)
    (repo / "terraform.tfvars").write_text("")
    (repo / "main.tf").write_text(CALLER)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "change")
    monkeypatch.chdir(repo)
    return repo


def out(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


FINDING = (
    "ci/main.tf:9:59  CRITICAL  IG002  module.ci.aws_iam_policy.ci  Statement #1 allows * on "
    "every resource (full administrator access) if called from module.ci (main.tf:3)"
)
POINTER = (
    "IG002 wildcard-action: how to fix: iacguard explain IG002, "
    "https://github.com/your-org/iacguard/blob/v0.1.0/docs/rules.md#wildcard-action"
)


def test_a_changed_module_input_keeps_the_finding_in_the_unchanged_module(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "main.tf").write_text(CALLER.replace("false", "true"))
    git(repo, "commit", "-q", "-am", "widen ci")
    assert main(["check", ".", "--select", "IG002", "--diff-base", "main"]) == 1
    assert out(capsys) == [FINDING, POINTER, "1 finding (1 critical) in 2 files scanned."]
    assert main(["check", ".", "--select", "IG002", "--diff-base", "main", "--changed-lines"]) == 1
    assert out(capsys) == [FINDING, POINTER, "1 finding (1 critical) in 2 files scanned."]


def test_a_changed_tfvars_keeps_the_finding_in_the_unchanged_main_tf(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "main.tf").write_text("")  # the policy is in the root module now
    (repo / "policy.tf").write_text(POLICY)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "flatten")
    git(repo, "branch", "-f", "main")
    (repo / "terraform.tfvars").write_text("admin = true\n")
    git(repo, "commit", "-q", "-am", "widen ci")
    assert main(["check", ".", "--select", "IG002", "--diff-base", "main"]) == 1
    assert out(capsys) == [
        "policy.tf:9:59  CRITICAL  IG002  aws_iam_policy.ci  Statement #1 allows * on every "
        "resource (full administrator access)",
        POINTER,
        "1 finding (1 critical) in 3 files scanned.",
    ]


def test_an_unchanged_finding_stays_out_when_nothing_it_reads_changed(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "main.tf").write_text(CALLER.replace("false", "true"))
    git(repo, "commit", "-q", "-am", "widen ci")
    git(repo, "branch", "-f", "main")
    (repo / "README.md").write_text("docs\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "docs")
    assert main(["check", ".", "--diff-base", "main"]) == 0
    assert out(capsys) == ["No findings in 2 files scanned."]


def test_a_module_error_is_reported_for_a_changed_file_of_the_module_and_fails(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from iacguard.parsers import terraform_tree

    def fail(*args: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(terraform_tree.TreeBuilder, "resources", fail)
    (repo / "ci" / "z_buckets.tf").write_text('resource "aws_s3_bucket" "b" {\n}\n')
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "buckets")
    assert main(["check", ".", "--diff-base", "main"]) == 2
    assert capsys.readouterr().err == (
        "main.tf: error: internal error while reading the module: KeyError: 'boom'\n"
    )


def test_a_changed_cloudformation_parameters_file_keeps_the_finding_in_the_unchanged_template(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CloudFormation twin of a changed .tfvars: the template is unchanged, the
    parameters file given with --parameters widens what it grants."""
    template = Path("fixtures/cloudformation/parameters_override.yaml")
    (repo / "pipeline.yaml").write_text((ROOT / template).read_text())
    (repo / "prod.json").write_text('[{"ParameterKey": "Environment", "ParameterValue": "prod"}]\n')
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "pipeline")
    git(repo, "branch", "-f", "main")
    (repo / "prod.json").write_text(
        '[{"ParameterKey": "Environment", "ParameterValue": "prod"},\n'
        ' {"ParameterKey": "PipelineActions", "ParameterValue": "s3:GetObject,s3:*"}]\n'
    )
    git(repo, "commit", "-q", "-am", "widen the pipeline")
    args = ["check", "pipeline.yaml", "--select", "IG002", "--diff-base", "main"]
    assert main([*args, "--parameters", "prod.json"]) == 1
    assert out(capsys)[0] == (
        "pipeline.yaml:32:25  HIGH  IG002  PipelineRole  Statement #1 allows s3:* (every s3 action)"
    )
    # without the file, nothing the template reads changed: nothing to report
    assert main([*args, "--parameters", "Environment=prod"]) == 0
