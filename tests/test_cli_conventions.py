"""Command-line conventions a team expects (checkov, ruff, cfn-lint, Trivy): each run as
a user would, asserting what they see."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, iacguard

DOCS = "https://github.com/your-org/iacguard/blob/v0.1.0/docs/rules.md#"
STACK = (
    "Resources:\n"
    "  Admin:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
    "      PolicyDocument:\n        Statement:\n"
    "          - {Sid: Everything, Effect: Allow, Action: 's3:*', Resource: '*'}\n"
    "  Ops:\n    Type: AWS::IAM::User\n"
)
ADMIN = 'stack.yaml:7:54  HIGH  IG002  Admin  Statement "Everything" allows s3:* (every s3 action)'
OPS = 'stack.yaml:8:3  LOW  IG003  Ops  User "Ops" belongs to no IAM group; grant permissions through groups'
BROKEN = "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: [\n"
POINTERS = [
    f"IG002 wildcard-action: how to fix: iacguard explain IG002, {DOCS}wildcard-action",
    f"IG003 user-not-in-group: how to fix: iacguard explain IG003, {DOCS}user-not-in-group",
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "stack.yaml").write_text(STACK, encoding="utf-8")
    return tmp_path


def test_check_without_a_path_scans_the_current_directory(project: Path) -> None:
    done = iacguard("check", cwd=project)
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.splitlines() == [
        ADMIN, OPS, *POINTERS, "2 findings (1 high, 1 low) in 1 file scanned.",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["--select", "IG002"], [ADMIN]),
        (["--select", "wildcard-action"], [ADMIN]),
        (["--select", "ig00"], [ADMIN, OPS]),  # a prefix, any case
        (["--select", "IG001,IG003"], [OPS]),
        (["--ignore", "IG003"], [ADMIN]),
        (["--ignore", "user-not-in-group", "--ignore", "IG001"], [ADMIN]),
        (["--select", "IG00", "--ignore", "IG002"], [OPS]),
    ],
)
def test_select_and_ignore_by_id_slug_or_prefix(
    project: Path, args: list[str], shown: list[str]
) -> None:
    done = iacguard("check", *args, cwd=project)
    assert [line for line in done.stdout.splitlines() if line.startswith("stack.yaml")] == shown


def test_select_and_ignore_in_the_config(project: Path) -> None:
    (project / ".iacguard.yaml").write_text(
        "select: [IG0]\nignore:\n  - wildcard-action\n  - {rule: IG001, reason: kept}\n",
        encoding="utf-8",
    )
    done = iacguard("check", cwd=project)
    assert done.stdout.splitlines()[0] == OPS
    assert "IG002" not in done.stdout
    # the command line's --select replaces the config's; its --ignore adds to it
    done = iacguard("check", "--select", "IG002,IG003", "--ignore", "IG003", cwd=project)
    assert [line for line in done.stdout.splitlines() if line.startswith("stack.yaml")] == []


def test_an_unknown_rule_selector_is_an_error(project: Path) -> None:
    done = iacguard("check", "--select", "IG9", cwd=project)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "iacguard check: error: argument --select: no rule is 'IG9' or starts with it "
        "(see `iacguard rules`)"
    )
    (project / ".iacguard.yaml").write_text("select:\n  - IG002\n  - IG9\n", encoding="utf-8")
    done = iacguard("check", cwd=project)
    assert (done.returncode, done.stderr) == (
        2,
        "iacguard: error: .iacguard.yaml:3: select[1]: no rule is 'IG9' or starts with it "
        "(see `iacguard rules`)\n",
    )


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ([], 1),
        (["--exit-zero"], 0),
        (["--fail-on", "none"], 0),
        (["--fail-on", "HIGH"], 1),  # as text output prints it
        (["--fail-on", "Critical"], 0),  # the worst finding is high
    ],
)
def test_exit_zero_and_fail_on(project: Path, args: list[str], code: int) -> None:
    assert iacguard("check", *args, cwd=project).returncode == code


def test_fail_on_high_passes_a_low_finding_and_none_in_the_config(project: Path) -> None:
    (project / "stack.yaml").write_text(
        STACK.split("  Admin:", maxsplit=1)[0] + STACK.split("'*'}\n")[1]
    )
    assert iacguard("check", "--fail-on", "HIGH", cwd=project).returncode == 0
    (project / ".iacguard.yaml").write_text("fail_on: none\n", encoding="utf-8")
    assert iacguard("check", cwd=project).returncode == 0


def test_exit_zero_still_fails_on_an_error(project: Path) -> None:
    (project / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    done = iacguard("check", "--exit-zero", cwd=project)
    assert done.returncode == 2
    assert done.stderr.startswith("broken.yaml:")


def test_quiet_prints_the_summary_alone(project: Path) -> None:
    (project / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    done = iacguard("check", "-q", cwd=project)
    assert done.stdout == "2 findings (1 high, 1 low) in 1 file scanned; 1 error.\n"
    assert done.stderr.startswith("broken.yaml:5:1: error:")  # errors still go to stderr


def on_a_terminal(project: Path, *args: str, **env: str) -> str:
    """stdout of the command run with a terminal as its stdout, as a person runs it."""
    main, terminal = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environ.update(PYTHONPATH=str(ROOT), **env)
    process = subprocess.Popen(
        [sys.executable, "-m", "iacguard", "check", *args],
        cwd=project, stdout=terminal, stderr=subprocess.DEVNULL, env=environ,
    )  # fmt: skip
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(main)
    return output.decode()


def test_colour_on_a_terminal_and_every_way_to_turn_it_off(project: Path) -> None:
    assert "\033[31mHIGH\033[0m" in on_a_terminal(project, TERM="xterm")
    assert "\033[" not in on_a_terminal(project, "--no-color", TERM="xterm")
    assert "\033[" not in on_a_terminal(project, TERM="xterm", NO_COLOR="1")
    assert "\033[" not in on_a_terminal(project, TERM="dumb")


def test_force_color_colours_a_log_that_is_not_a_terminal(project: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FORCE_COLOR": "1"}
    env.pop("NO_COLOR", None)
    done = subprocess.run(
        [sys.executable, "-m", "iacguard", "check"],
        cwd=project, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "\033[31mHIGH\033[0m" in done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "iacguard", "check", "--no-color"],
        cwd=project, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "\033[" not in done.stdout


def test_changed_lines_without_diff_base_is_one_line(project: Path) -> None:
    done = iacguard("check", "--changed-lines", cwd=project)
    assert (done.returncode, done.stdout, done.stderr) == (
        2, "", "iacguard: error: --changed-lines needs --diff-base REF\n",
    )  # fmt: skip


def test_a_terraform_file_is_read_with_its_whole_module(tmp_path: Path) -> None:
    module = tmp_path / "infra"
    module.mkdir()
    (module / "locals.tf").write_text('locals {\n  prefix = "billing"\n}\n', encoding="utf-8")
    (module / "iam.tf").write_text(
        'resource "aws_iam_user" "app" {\n  name = "${local.prefix}-user"\n}\n', encoding="utf-8"
    )
    done = iacguard("check", "infra/iam.tf", cwd=tmp_path)
    assert done.stdout.splitlines()[0] == (
        'infra/iam.tf:1:1  LOW  IG003  aws_iam_user.app  User "billing-user" belongs to no IAM '
        "group; grant permissions through groups"
    )


def test_group_by_rule_and_by_file(project: Path) -> None:
    (project / "more.yaml").write_text(STACK.replace("Ops:", "Dev:"), encoding="utf-8")
    done = iacguard("check", "--group-by", "rule", cwd=project)
    assert done.stdout.splitlines()[:6] == [
        "IG002 wildcard-action  (2 findings)",
        '  more.yaml:7:54  HIGH  Admin  Statement "Everything" allows s3:* (every s3 action)',
        '  stack.yaml:7:54  HIGH  Admin  Statement "Everything" allows s3:* (every s3 action)',
        "IG003 user-not-in-group  (2 findings)",
        '  more.yaml:8:3  LOW  Dev  User "Dev" belongs to no IAM group; grant permissions '
        "through groups",
        '  stack.yaml:8:3  LOW  Ops  User "Ops" belongs to no IAM group; grant permissions '
        "through groups",
    ]
    done = iacguard("check", "--group-by", "file", cwd=project)
    assert done.stdout.splitlines()[:3] == [
        "more.yaml  (2 findings)",
        '  7:54  HIGH  IG002  Admin  Statement "Everything" allows s3:* (every s3 action)',
        '  8:3  LOW  IG003  Dev  User "Dev" belongs to no IAM group; grant permissions '
        "through groups",
    ]


def test_a_name_that_is_empty_or_novalue_shows_the_logical_id(tmp_path: Path) -> None:
    (tmp_path / "stack.yaml").write_text(
        "Parameters:\n  Env: {Type: String, Default: dev}\n"
        "Conditions:\n  IsProd: !Equals [!Ref Env, prod]\n"
        "Resources:\n"
        "  AppRole:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      RoleName: !If [IsProd, !Ref AWS::NoValue, !Ref AWS::NoValue]\n"
        "      MaxSessionDuration: 43200\n"
        "      AssumeRolePolicyDocument: {Statement: []}\n"
        "  Bob:\n    Type: AWS::IAM::User\n    Properties:\n      UserName: ''\n",
        encoding="utf-8",
    )
    done = iacguard("check", cwd=tmp_path)
    assert done.stdout.splitlines()[:2] == [
        'stack.yaml:10:7  MEDIUM  IG005  AppRole  Role "AppRole" allows sessions of 12 hours '
        "(43200 s); the limit is 1 hour (3600 s)",
        'stack.yaml:12:3  LOW  IG003  Bob  User "Bob" belongs to no IAM group; grant '
        "permissions through groups",
    ]


def test_a_suppression_of_a_rule_that_did_not_run_is_not_called_unused(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  # iacguard: ignore[IG003] break-glass\n  Ops:\n    Type: AWS::IAM::User\n",
        encoding="utf-8",
    )
    assert iacguard("check", "--select", "IG002", "--strict", cwd=tmp_path).stdout == (
        "No findings in 1 file scanned.\n"
    )
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  # iacguard: ignore[IG003]\n  G:\n    Type: AWS::IAM::Group\n",
        encoding="utf-8",
    )
    done = iacguard("check", "--select", "IG003", cwd=tmp_path)
    assert "t.yaml:2: warning: unused suppression (comment, IG003): matches no finding" in (
        done.stdout
    )


def test_paths_may_follow_options_and_everything_after_a_double_dash_is_a_path(
    tmp_path: Path,
) -> None:
    (tmp_path / "stack.yaml").write_text(STACK, encoding="utf-8")
    (tmp_path / "--select.yaml").write_text(STACK, encoding="utf-8")
    between = iacguard("check", "--select", "IG003", "stack.yaml", "--jobs", "1", cwd=tmp_path)
    assert between.stdout.splitlines()[0] == OPS
    after = iacguard("check", "--select", "IG002", "--", "--select.yaml", cwd=tmp_path)
    assert after.stdout.splitlines()[0] == ADMIN.replace("stack.yaml", "--select.yaml")
    both = iacguard("check", "stack.yaml", "--select", "IG003", "--", "--select.yaml", cwd=tmp_path)
    assert both.stdout.splitlines()[:2] == [OPS.replace("stack.yaml", "--select.yaml"), OPS]
