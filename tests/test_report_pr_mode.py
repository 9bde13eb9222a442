"""PR mode: the whole tree is scanned, and only what the change touched is reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import FIXTURES, git, git_alone, write_core_only_config
from runner_commands import commands

from iacguard.cli import main
from iacguard.diff import changes_since

BROKEN = "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: [\n"
NEW_STATEMENT = """\
              - Sid: EveryS3Action
                Effect: Allow
                Action: s3:*
                Resource: "*"
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose main branch has the report fixtures, checked out on a branch
    that adds a wildcard statement to roles.yaml."""
    git_alone(monkeypatch, tmp_path)
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "cloudformation" / "report", repo / "iam")
    write_core_only_config(repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "change")
    roles = repo / "iam" / "roles.yaml"
    roles.write_text(roles.read_text(encoding="utf-8") + NEW_STATEMENT, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "widen the deployer")
    monkeypatch.chdir(repo)
    return repo


def reported(capsys: pytest.CaptureFixture[str]) -> list[str]:
    out = capsys.readouterr().out
    from iacguard.checks import find_check

    findings = [line.split("  ") for line in out.splitlines()[:-1] if "  " in line]
    return [f"{parts[0]} {parts[2]} {find_check(parts[2]).slug}" for parts in findings]


def test_only_findings_in_changed_files(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", ".", "--diff-base", "main"]) == 1
    assert reported(capsys) == [
        "iam/roles.yaml:12:21 IG002 wildcard-action",
        "iam/roles.yaml:17:7 IG005 role-session-limit",
        "iam/roles.yaml:31:25 IG002 wildcard-action",
        "iam/roles.yaml:35:25 IG002 wildcard-action",
        "iam/roles.yaml:39:25 IG002 wildcard-action",
    ]


def test_changed_lines_narrows_to_the_lines_the_change_touched(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", ".", "--diff-base", "main", "--changed-lines"]) == 1
    assert reported(capsys) == ["iam/roles.yaml:39:25 IG002 wildcard-action"]


def test_uncommitted_and_untracked_files_count_as_changed(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(repo / "iam" / "users.yaml", repo / "iam" / "new-users.yaml")
    assert main(["check", "iam", "--diff-base", "HEAD"]) == 1
    assert [line.split(":")[0] for line in reported(capsys)] == ["iam/new-users.yaml"] * 3


def test_paths_are_matched_from_a_subdirectory(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repo / "iam")
    assert main(["check", ".", "--diff-base", "main", "--changed-lines"]) == 1
    assert reported(capsys) == ["roles.yaml:39:25 IG002 wildcard-action"]


def test_a_deletion_touches_the_lines_around_it(repo: Path) -> None:
    roles = repo / "iam" / "roles.yaml"
    lines = roles.read_text(encoding="utf-8").splitlines(keepends=True)
    del lines[35]  # the Resource of ReadArtifacts (line 36)
    roles.write_text("".join(lines), encoding="utf-8")
    changes = changes_since("HEAD")
    assert [n for n in range(30, 40) if changes.touches_lines("iam/roles.yaml", n, n)] == [35, 36]


def test_errors_in_unchanged_files_are_not_reported(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "broken.yaml").write_text(BROKEN)
    assert main(["check", "."]) == 2
    git(repo, "add", "broken.yaml")
    git(repo, "commit", "-q", "-m", "broken")
    capsys.readouterr()
    assert main(["check", ".", "--diff-base", "HEAD"]) == 0
    assert capsys.readouterr().err == ""


def test_an_error_about_the_whole_scan_is_reported_whatever_changed(repo: Path) -> None:
    from iacguard.errors import Error
    from iacguard.findings import ScanResult

    scan_wide = Error("internal", "internal error in IG009: KeyError: 'x'")
    unchanged = Error("parse", "not valid UTF-8 text", "iam/users.yaml", 3)
    kept = changes_since("main").keep(ScanResult(errors=[scan_wide, unchanged]))
    assert kept.errors == [scan_wide]


def test_a_ref_that_does_not_exist_is_a_one_line_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", ".", "--diff-base", "no-such-branch"]) == 2
    assert capsys.readouterr().err == (
        "iacguard: error: --diff-base: no commit 'no-such-branch' in this repository "
        "(in a shallow clone, fetch it first, e.g. actions/checkout with fetch-depth: 0)\n"
    )


def test_a_ref_is_never_read_as_an_option(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", ".", "--diff-base=--output=pwned"]) == 2
    assert "no commit '--output=pwned'" in capsys.readouterr().err
    assert not (repo / "pwned").exists()


def test_outside_a_repository_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert main(["check", ".", "--diff-base", "main"]) == 2
    err = capsys.readouterr().err
    assert err == f"iacguard: error: --diff-base needs a git repository; {tmp_path} is not in one\n"


def test_without_git_is_a_one_line_error(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(repo / "no-bin"))
    assert main(["check", ".", "--diff-base", "main"]) == 2
    assert capsys.readouterr().err == (
        "iacguard: error: --diff-base needs git, and git is not installed\n"
    )


def test_in_github_mode_the_error_is_an_escaped_annotation(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = "x%0A::warning::y"
    assert main(["check", ".", "--format", "github", "--diff-base", ref]) == 2
    (error,) = commands(capsys.readouterr().err)
    assert error.name == "error"
    assert f"no commit '{ref}'" in error.data


def test_changed_lines_needs_a_diff_base(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", ".", "--changed-lines"]) == 2
    assert capsys.readouterr().err == "iacguard: error: --changed-lines needs --diff-base REF\n"


def test_git_runs_no_program_the_repository_config_names(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A checkout that comes with its own .git/config (an archive, a shared workspace):
    # an fsmonitor hook, a clean filter chosen by .gitattributes, an external diff, a
    # pager. Each would run on the scanning machine.
    marker = repo.parent / "pwned"
    run = f"sh -c 'touch {marker}-$0' "
    for key, value in {
        "core.fsmonitor": run + "fsmonitor",
        "filter.evil.clean": run + "clean",
        "filter.evil.process": run + "process",
        "diff.external": run + "external",
        "diff.evil.textconv": run + "textconv",
        "core.pager": run + "pager",
    }.items():
        git(repo, "config", key, value)
    (repo / ".gitattributes").write_text("*.yaml filter=evil diff=evil\n", encoding="utf-8")
    roles = repo / "iam" / "roles.yaml"
    roles.write_text(roles.read_text(encoding="utf-8") + "# touched\n", encoding="utf-8")

    assert main(["check", ".", "--diff-base", "main", "--changed-lines"]) == 1

    assert reported(capsys) == [
        "iam/roles.yaml:39:25 IG002 wildcard-action",
    ]
    assert sorted(p.name for p in repo.parent.glob("pwned*")) == []


def test_a_wildcard_added_to_an_existing_statement_is_on_a_changed_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The finding is reported at its most severe action, "*", which did not change; the
    # new iam:* on its own line makes it a change all the same.
    admin = repo / "iam" / "admin.yaml"
    admin.write_text(
        "Resources:\n  Admin:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        "      PolicyDocument:\n        Statement:\n          - Effect: Allow\n"
        '            Resource: "*"\n            Action:\n              - "*"\n',
        encoding="utf-8",
    )
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "admin")
    admin.write_text(
        admin.read_text(encoding="utf-8") + "              - iam:*\n", encoding="utf-8"
    )

    assert main(["check", "iam/admin.yaml", "--diff-base", "HEAD", "--changed-lines"]) == 1
    assert reported(capsys) == ["iam/admin.yaml:10:17 IG002 wildcard-action"]
