"""A scan whose inputs did not change writes its last output again without scanning; any
change to what it read, listed or looked for scans again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

from iacguard import engine
from iacguard.cli import main

ROLE = """\
variable "actions" {
  default = ["s3:GetObject"]
}

resource "aws_iam_role_policy" "app" {
  role = "app"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }]
  })
}

module "admin" {
  source = "../modules/admin"
}
"""
ADMIN_MODULE = """\
resource "aws_iam_policy" "admin" {
  policy = file("${path.module}/policies/admin.json")
}
"""
ADMIN_POLICY = '{"Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}\n'
ADMIN_TEMPLATE = """\
Resources:
  AdminPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: "*"
            Resource: "*"
"""
TEMPLATE_FINDING = (
    "env/stacks/admin.yaml:8:21  CRITICAL  IG002  AdminPolicy  "
    "Statement #1 allows * on every resource (full administrator access)"
)
ROLE_FINDING = (
    "env/main.tf:9:47  CRITICAL  IG002  aws_iam_role_policy.app  "
    "Statement #1 allows * on every resource (full administrator access)"
)
MODULE_FINDING = (
    "modules/admin/policies/admin.json:1:46  HIGH  IG002  module.admin.aws_iam_policy.admin  "
    "Statement #1 allows iam:* (every iam action)"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``env`` calls ``../modules/admin``, which does not exist yet."""
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "main.tf").write_text(ROLE, encoding="utf-8")
    (tmp_path / "modules").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


class Scans:
    """Runs ``iacguard check`` on ``env``; counts the scans the engine really did."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
        self.capsys = capsys
        self.scanned = 0
        real = engine.scan

        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.scanned += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(engine, "scan", counted)

    def __call__(self, *args: str) -> tuple[int, list[str]]:
        """The exit code and the findings printed."""
        code = main(["check", "env", "--select", "IG002", *args])
        output = self.capsys.readouterr().out.splitlines()
        return code, [line for line in output if "  IG0" in line]


@pytest.fixture
def check(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Scans:
    return Scans(monkeypatch, capsys)


def test_an_unchanged_scan_writes_its_output_again_without_scanning(
    project: Path, check: Scans
) -> None:
    (project / "env" / "terraform.tfvars").write_text('actions = ["*"]\n', encoding="utf-8")
    first = check("--output-json", "found.json")
    written = (project / "found.json").read_text(encoding="utf-8")
    (project / "found.json").unlink()

    assert check("--output-json", "found.json") == first == (1, [ROLE_FINDING])
    assert (project / "found.json").read_text(encoding="utf-8") == written
    assert check.scanned == 1


def test_a_variables_file_added_beside_a_module_scans_again(project: Path, check: Scans) -> None:
    assert check() == (0, [])
    (project / "env" / "terraform.tfvars").write_text('actions = ["*"]\n', encoding="utf-8")

    assert check() == (1, [ROLE_FINDING])
    assert check.scanned == 2


def test_an_edited_file_scans_again(project: Path, check: Scans) -> None:
    (project / "env" / "terraform.tfvars").write_text('actions = ["*"]\n', encoding="utf-8")
    assert check() == (1, [ROLE_FINDING])
    (project / "env" / "terraform.tfvars").write_text('actions = ["s3:*"]\n', encoding="utf-8")

    s3_finding = (
        "env/main.tf:9:47  HIGH  IG002  aws_iam_role_policy.app  "
        "Statement #1 allows s3:* (every s3 action)"
    )
    assert check() == (1, [s3_finding])
    assert check.scanned == 2


def test_a_module_directory_and_a_policy_file_created_later_scan_again(
    project: Path, check: Scans
) -> None:
    assert check() == (0, [])
    module = project / "modules" / "admin"
    module.mkdir()
    (module / "main.tf").write_text(ADMIN_MODULE, encoding="utf-8")
    (module / "policies").mkdir()
    assert check() == (0, [])  # file() names a file that does not exist yet

    (module / "policies" / "admin.json").write_text(ADMIN_POLICY, encoding="utf-8")
    assert check() == (1, [MODULE_FINDING])
    assert check.scanned == 3


def test_a_template_added_in_a_new_directory_scans_again(project: Path, check: Scans) -> None:
    assert check() == (0, [])
    (project / "env" / "stacks").mkdir()
    (project / "env" / "stacks" / "admin.yaml").write_text(ADMIN_TEMPLATE, encoding="utf-8")

    assert check() == (1, [TEMPLATE_FINDING])
    assert check.scanned == 2


def test_other_settings_or_another_config_scan_again(project: Path, check: Scans) -> None:
    (project / "env" / "terraform.tfvars").write_text('actions = ["*"]\n', encoding="utf-8")
    assert check() == (1, [ROLE_FINDING])
    assert check("--fail-on", "critical") == (1, [ROLE_FINDING])
    (project / ".iacguard.yaml").write_text("rules:\n  IG002: false\n", encoding="utf-8")

    assert check() == (0, [])
    assert check.scanned == 3


def test_a_scan_with_errors_is_never_replayed(project: Path, check: Scans) -> None:
    (project / "env" / "broken.tf").write_text('resource "x" {\n', encoding="utf-8")
    assert check()[0] == 2
    assert check()[0] == 2
    assert check.scanned == 2


def test_without_the_cache_every_run_scans(project: Path, check: Scans) -> None:
    check("--no-cache")
    check("--no-cache")
    assert check.scanned == 2


def imported_by_a_scan(cwd: Path, path: str, cache: Path) -> set[str]:
    """The modules ``iacguard check PATH`` imports, run in a fresh interpreter in ``cwd``."""
    probe = (
        "import contextlib, io, sys\nfrom iacguard.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['check', {path!r}, '--format', 'json'])\n"
        "print(' '.join(sys.modules))"
    )
    env = {**os.environ, "IACGUARD_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=cwd, env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_a_replayed_scan_imports_no_check_no_parser_no_engine_and_no_model(
    tmp_path: Path,
) -> None:
    scan = ROOT, "fixtures/terraform/policy_document", tmp_path / "cache"
    assert "iacguard.engine" in imported_by_a_scan(*scan)  # cold: scans, stores what it wrote
    heavy = {"iacguard.engine", "iacguard.checks.wildcard_action", "iacguard.catalog"}
    # the model, findings and errors: their dataclasses cost a tenth of a replay
    model = {"iacguard.model", "iacguard.findings", "iacguard.errors", "iacguard.parsers.result"}
    assert not (heavy | model | {"hcl2", "lark", "yaml", "cfnlint"}) & imported_by_a_scan(*scan)


def test_the_head_read_to_tell_a_format_is_asked_again(tmp_path: Path) -> None:
    """A JSON file's first bytes say whether it is a Terraform plan: a scan that read
    them depends on them, even where its listing and the files it parsed are the same."""
    from iacguard import observed
    from iacguard.parsers.source import read_head

    plan = tmp_path / "plan.json"
    plan.write_text('{"format_version": "1.2", "planned_values": {}}\n')
    with observed.recording() as journal:
        read_head(plan, 8192)
    asked = observed.entries(journal)
    assert [q[0] for q in asked] == ["head"]
    assert observed.unchanged(asked)
    plan.write_text('{"Resources": {}}\n')
    assert not observed.unchanged(asked)


def test_a_replayed_scan_imports_no_dataclasses_module_and_no_pathspec(tmp_path: Path) -> None:
    """The standard library's dataclasses imports inspect (with ast, dis, tokenize): 11
    ms, a fifth of a replay; iacguard's records make its classes without it. pathspec
    costs 20-40 ms: its answers are kept in the cache."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "fixtures" / "terraform" / "policy_document", project)
    (project / ".gitignore").write_text(".terraform/\n*.tfstate\n", encoding="utf-8")
    (project / ".iacguard.yaml").write_text("exclude: [examples/]\n", encoding="utf-8")
    scan = project, ".", tmp_path / "cache"
    assert "iacguard.engine" in imported_by_a_scan(*scan)
    replayed = imported_by_a_scan(*scan)
    assert "iacguard.replay" in replayed and "iacguard.engine" not in replayed
    assert not {"dataclasses", "inspect", "typing_extensions"} & replayed
    # pathspec (20 to 40 ms) answered what the .gitignore and exclude ask before
    assert "pathspec" not in replayed
