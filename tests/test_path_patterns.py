"""Which files a scan reads: `.gitignore` files are honoured (unless --no-gitignore or
`gitignore: false`), and `exclude` and `ignore[].path` have gitignore semantics."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from helpers import iacguard

POLICY = (
    "Resources:\n"
    "  Admin:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
    "      PolicyDocument:\n        Statement:\n"
    "          - {Sid: Everything, Effect: Allow, Action: '*', Resource: '*'}\n"
)


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def repository(tmp_path: Path, **extra: str) -> Path:
    (tmp_path / ".git").mkdir()
    return tree(tmp_path, {
        ".gitignore": "generated/\n*.bak.yaml\n!keep.bak.yaml\n",
        "stacks/iam.yaml": POLICY,
        "stacks/old.bak.yaml": POLICY,
        "stacks/keep.bak.yaml": POLICY,
        "generated/out.yaml": POLICY,
        "infra/.gitignore": "scratch.yaml\n",
        "infra/scratch.yaml": POLICY,
        "infra/legacy/iam.yaml": POLICY,
        **extra,
    })  # fmt: skip


def scanned(cwd: Path, *args: str) -> list[str]:
    done = iacguard("check", *args, "--format", "json", cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    return sorted({f["file"] for f in json.loads(done.stdout)["findings"]})


def test_what_gitignore_ignores_is_not_scanned(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    assert scanned(repo, ".") == [
        "infra/legacy/iam.yaml", "stacks/iam.yaml", "stacks/keep.bak.yaml",
    ]  # fmt: skip


def test_no_gitignore_and_the_config_key_scan_everything(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    everything = [
        "generated/out.yaml", "infra/legacy/iam.yaml", "infra/scratch.yaml",
        "stacks/iam.yaml", "stacks/keep.bak.yaml", "stacks/old.bak.yaml",
    ]  # fmt: skip
    assert scanned(repo, ".", "--no-gitignore") == everything
    (repo / ".iacguard.yaml").write_text("gitignore: false\n", encoding="utf-8")
    assert scanned(repo, ".") == everything


def test_a_gitignore_above_the_scanned_directory_applies_up_to_the_repository(
    tmp_path: Path,
) -> None:
    repo = repository(tmp_path)
    (repo / ".gitignore").write_text("infra/legacy/\n", encoding="utf-8")
    assert scanned(repo, "infra") == []
    assert scanned(repo / "infra", ".") == ["legacy/iam.yaml"]  # above the current directory


def test_a_file_named_on_the_command_line_is_read_even_if_ignored(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    assert scanned(repo, "generated/out.yaml") == ["generated/out.yaml"]


def test_exclude_has_gitignore_semantics(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    (repo / ".iacguard.yaml").write_text(
        "gitignore: false\nexclude: ['*.bak.yaml', '!keep.bak.yaml', legacy, /generated]\n",
        encoding="utf-8",
    )
    # `legacy` (no slash) matches at any depth; `/generated` only at the config's directory
    assert scanned(repo, ".") == ["infra/scratch.yaml", "stacks/iam.yaml", "stacks/keep.bak.yaml"]


def test_ignore_path_has_gitignore_semantics(tmp_path: Path) -> None:
    repo = tree(tmp_path, {"stacks/iam.yaml": POLICY, "other/stacks/iam.yaml": POLICY})
    (repo / ".iacguard.yaml").write_text(
        "select: [IG002]\nignore:\n  - rule: IG002\n    path: stacks/*.yaml\n    reason: reviewed\n",
        encoding="utf-8",
    )
    done = iacguard("check", ".", cwd=repo)
    assert done.stdout.splitlines() == [
        'other/stacks/iam.yaml:7:54  CRITICAL  IG002  Admin  Statement "Everything" '
        "allows * on every resource (full administrator access)",
        "IG002 wildcard-action: how to fix: iacguard explain IG002, "
        "https://github.com/your-org/iacguard/blob/v0.1.0/docs/rules.md#wildcard-action",
        "1 finding (1 critical) in 2 files scanned; 1 suppressed.",
    ]


def test_a_pattern_that_would_take_exponential_time_is_refused_with_its_line(
    tmp_path: Path,
) -> None:
    repo = repository(tmp_path)
    (repo / ".gitignore").write_text("# slow\n*a*a*a*a*a*a*b\n[z-a]\ngenerated/\n", "utf-8")
    tree(repo, {f"stacks/{'a' * 200}.yaml": POLICY})
    started = time.monotonic()
    done = iacguard("check", ".", cwd=repo)
    assert time.monotonic() - started < 20
    assert ".gitignore:2: warning: more than 2 * in one folder or file name; pattern not used" in (
        done.stdout
    )
    assert ".gitignore:3: warning: not a valid pattern" in done.stdout
    assert "generated/out.yaml" not in done.stdout  # the good lines still count

    (repo / ".iacguard.yaml").write_text("exclude:\n  - legacy\n  - '*x*x*x*y'\n", "utf-8")
    done = iacguard("check", ".", cwd=repo)
    assert (done.returncode, done.stderr) == (
        2,
        "iacguard: error: .iacguard.yaml:3: exclude[1]: '*x*x*x*y': more than 2 * in one "
        "folder or file name\n",
    )


def test_the_answers_kept_are_pathspecs_and_a_changed_gitignore_is_asked_again(
    tmp_path: Path,
) -> None:
    repo = repository(tmp_path)
    (repo / ".iacguard.yaml").write_text("exclude: [legacy]\n", encoding="utf-8")
    first = scanned(repo, ".")
    assert first == ["stacks/iam.yaml", "stacks/keep.bak.yaml"]
    assert scanned(repo, ".") == first  # answered from the cache
    (repo / ".gitignore").write_text("generated/\n*.bak.yaml\n", encoding="utf-8")
    assert scanned(repo, ".") == ["stacks/iam.yaml"]  # new patterns: asked of pathspec
    (repo / ".iacguard.yaml").write_text("exclude: ['*.yaml', '!iam.yaml']\n", "utf-8")
    assert scanned(repo, ".") == ["infra/legacy/iam.yaml", "stacks/iam.yaml"]


def test_kept_answers_are_those_pathspec_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathspec import GitIgnoreSpec

    from iacguard import pathmatch
    from iacguard.cache import Cache

    lists = [["*.tf"], ["build/", "!build/keep/"], ["*.yaml", "!keep.yaml"], ["/a/b", "**/x"]]
    paths = ["a.tf", "build/", "build/keep/", "keep.yaml", "q/keep.yaml", "a/b", "q/a/b", "q/x/"]
    expected = {
        (i, path): GitIgnoreSpec.from_lines(patterns).check_file(path).include
        for i, patterns in enumerate(lists)
        for path in paths
    }
    assert {True, False, None} <= set(expected.values())

    def asked() -> tuple[dict[tuple[int, str], bool | None], list[str | None]]:
        with pathmatch.remembering(Cache(tmp_path)):
            answers = {
                (i, path): pathmatch.Patterns(patterns).match(path)
                for i, patterns in enumerate(lists)
                for path in paths
            }
            return answers, [pathmatch.problem(p) for p in ["ok/", "[z-a]"]]

    first = asked()  # asked of pathspec
    assert first[0] == expected
    assert first[1][0] is None and str(first[1][1]).startswith("not a valid pattern")

    def unused(*_: object) -> None:
        raise AssertionError("asked of pathspec")

    monkeypatch.setattr(pathmatch.Patterns, "compiled", unused)
    monkeypatch.setattr(GitIgnoreSpec, "from_lines", unused)
    assert asked() == first  # answered from the cache
    with pytest.raises(AssertionError, match="asked of pathspec"):
        pathmatch.Patterns(["*.tf"]).match("a.tf")  # without the cache: always asked


def test_no_cache_keeps_no_answers(tmp_path: Path, _cache_of_its_own: Path) -> None:
    repo = repository(tmp_path)
    assert scanned(repo, ".", "--no-cache") == [
        "infra/legacy/iam.yaml", "stacks/iam.yaml", "stacks/keep.bak.yaml",
    ]  # fmt: skip
    assert [p for p in _cache_of_its_own.rglob("*") if p.is_file()] == []
    scanned(repo, ".")
    assert [p for p in _cache_of_its_own.rglob("*") if p.is_file()] != []


def test_the_answers_kept_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from iacguard import pathmatch
    from iacguard.cache import Cache

    monkeypatch.setattr(pathmatch, "MAX_ANSWERS", 3)
    patterns = pathmatch.Patterns(["*.tf"])
    with pathmatch.remembering(Cache(tmp_path)):
        answers = [patterns.match(p) for p in ["a.tf", "b.tf", "c.tf", "d.yaml", "e.tf"]]
        kept = pathmatch._remembered[-1]
    assert answers == [True, True, True, None, True]
    assert kept.matches == {patterns.key: {"d.yaml": None, "e.tf": True}}  # started again
    assert kept.size == 2
