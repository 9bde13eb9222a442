"""The pre-commit hook, run for real with ``pre-commit try-repo`` on a fixture repository.

try-repo installs the hook from this repository's HEAD plus its uncommitted changes to
tracked files (new files must be committed, or at least added, to take part)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import FIXTURES, ROOT
from report_helpers import tool

from iacguard.discover import with_modules
from iacguard.precommit import main, split


def hook() -> dict[str, str]:
    (only,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return dict(only)


@pytest.mark.parametrize(
    ("name", "matched"),
    [
        ("infra/main.tf", True),
        ("infra/main.tf.json", True),
        ("stack.yaml", True),
        ("stack.yml", True),
        ("stack.json", True),
        ("stack.template", True),
        ("README.md", False),
        ("main.tfvars", False),
    ],
)
def test_the_hook_runs_on_iac_files(name: str, matched: bool) -> None:
    assert bool(re.search(hook()["files"], name)) is matched


def test_a_terraform_file_brings_its_whole_module(tmp_path: Path) -> None:
    module = tmp_path / "network"
    module.mkdir()
    for name in ("main.tf", "variables.tf", "outputs.tf.json", "README.md"):
        (module / name).write_text("", encoding="utf-8")
    (module / "nested").mkdir()
    (module / "nested" / "x.tf").write_text("", encoding="utf-8")
    main, stack = str(module / "main.tf"), str(tmp_path / "stack.yaml")

    assert with_modules(["--fail-on", "high", main, stack]) == [
        "--fail-on",
        "high",
        main,
        str(module / "outputs.tf.json"),
        str(module / "variables.tf"),
        stack,
    ]


def test_file_names_that_look_like_options_are_scanned_as_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A pull request names a template after an option: as an option it would write a
    # baseline of every finding and pass the hook.
    monkeypatch.chdir(tmp_path)
    shutil.copy(FIXTURES / "cloudformation" / "wildcard-action/positive_json_template.json",
                tmp_path / "--write-baseline=x.json")  # fmt: skip
    (tmp_path / "base.json").write_text('{"version": 1, "findings": []}', encoding="utf-8")

    status = main(["--baseline", "base.json", "--fail-on", "high", "--write-baseline=x.json"])

    out = capsys.readouterr().out
    assert status == 1, out
    assert not (tmp_path / "x.json").exists()
    assert "--write-baseline=x.json:" in out
    assert "IG002 wildcard-action" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["a.yaml", "b.tf"], ([], ["a.yaml", "b.tf"])),
        (["--changed-lines", "a.yaml"], (["--changed-lines"], ["a.yaml"])),
        (["--baseline", "base.json", "a.yaml"], (["--baseline", "base.json"], ["a.yaml"])),
        (["--baseline=base.json", "a.yaml"], (["--baseline=base.json"], ["a.yaml"])),
        (
            ["--fail-on", "high", "--jobs=1", "--x.json"],
            (["--fail-on", "high", "--jobs=1"], ["--x.json"]),
        ),
    ],
)
def test_the_hook_arguments_and_the_file_names_are_told_apart_by_position(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    expected: tuple[list[str], list[str]],
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("a.yaml", "b.tf", "base.json", "--x.json"):
        (tmp_path / name).write_text("", encoding="utf-8")
    assert split(args) == expected


@pytest.mark.slow  # pre-commit builds an environment and installs iacguard in it
def test_pre_commit_try_repo_reports_the_changed_template(tmp_path: Path) -> None:
    pre_commit = tool("pre-commit")
    if pre_commit is None:
        pytest.fail("pre-commit is not installed: python3 -m pip install -e '.[test]'")
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(FIXTURES / "cloudformation" / "report" / "roles.yaml", project / "roles.yaml")
    (project / "notes.md").write_text("not IaC\n", encoding="utf-8")
    # The repository brings a package of the hook's name: the hook must not import it.
    (project / "iacguard").mkdir()
    for module in ("__init__", "__main__", "precommit", "cli"):
        (project / "iacguard" / f"{module}.py").write_text(
            "import pathlib; pathlib.Path('pwned').touch()\n", encoding="utf-8"
        )
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        # The hook's virtualenv sees the test environment's packages, so pip installs
        # only iacguard itself (from this repository) instead of downloading cfn-lint.
        "VIRTUALENV_SYSTEM_SITE_PACKAGES": "1",
        "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", "init", "-q"], cwd=project, env=env, check=True)
    subprocess.run(["git", "add", "."], cwd=project, env=env, check=True)

    completed = subprocess.run(
        [pre_commit, "try-repo", str(ROOT), "iacguard", "--files", "roles.yaml", "notes.md"],
        cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip

    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert re.search(r"^iacguard\.+Failed$", output, re.MULTILINE), output
    assert (
        'roles.yaml:12:21  CRITICAL  IG002  AdminPolicy  Statement "FullAdmin" allows * '
        "on every resource (full administrator access)"
    ) in output
    assert "7 findings (1 critical, 4 high, 1 medium, 1 low) in 1 file scanned." in output


@pytest.mark.slow  # pre-commit builds an environment and installs iacguard in it
def test_the_readme_snippet_runs_against_a_release_tag(tmp_path: Path) -> None:
    """README's .pre-commit-config.yaml as written, its repo pointed at a copy of this
    repository tagged the way releases are (v + __version__)."""
    from iacguard import __version__

    pre_commit = tool("pre-commit")
    if pre_commit is None:
        pytest.fail("pre-commit is not installed: python3 -m pip install -e '.[test]'")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    snippet = re.search(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", readme, re.DOTALL)
    assert snippet is not None
    config = yaml.safe_load(snippet[1])
    assert config["repos"][0]["rev"] == f"v{__version__}"

    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "VIRTUALENV_SYSTEM_SITE_PACKAGES": "1",  # as in the try-repo test above
        "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e",
    }  # fmt: skip
    release = tmp_path / "release"
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, files):
        if (ROOT / name).is_file() and not name.startswith(("fixtures/", "benchmarks/")):
            (release / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, release / name)
    for command in (["git", "init", "-q"], ["git", "add", "."],
                    ["git", "commit", "-q", "-m", "release"], ["git", "tag", f"v{__version__}"]):  # fmt: skip
        subprocess.run(command, cwd=release, env=env, check=True)

    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(FIXTURES / "cloudformation" / "report" / "roles.yaml", project / "roles.yaml")
    config["repos"][0]["repo"] = str(release)
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=project, env=env, check=True)
    subprocess.run(["git", "add", "."], cwd=project, env=env, check=True)

    completed = subprocess.run(
        [pre_commit, "run", "--all-files"],
        cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip

    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert re.search(r"^iacguard\.+Failed$", output, re.MULTILINE), output
    # --fail-on high from the snippet: the critical and high findings fail the hook
    assert "roles.yaml:12:21  CRITICAL  IG002  AdminPolicy" in output
    # .pre-commit-config.yaml is YAML too: read, found not to be CloudFormation, skipped
    assert (
        "7 findings (1 critical, 4 high, 1 medium, 1 low) in 1 file scanned, 1 skipped." in output
    )

    assert not (project / "pwned").exists()
