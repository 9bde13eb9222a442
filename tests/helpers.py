"""Scan fixtures and describe findings the way a user reads them (rule, file:line, message)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from iacguard.config import Config
from iacguard.engine import scan
from iacguard.findings import ScanResult

ROOT = Path(__file__).resolve().parent.parent
# The core rules' tests assert the findings of those rules: the round-2 rules (IG006-IG017),
# which fire on the same fixtures too, are off there and tested on fixtures of their own.
CORE_ONLY = Config(disabled=frozenset(f"IG{n:03d}" for n in range(6, 18)))
FIXTURES = ROOT / "fixtures"
# Every form an input takes, in a few files: CloudFormation YAML, JSON, SAM, parameters,
# ForEach, suppressions, a CDK cloud assembly and a YAML file that is not a template;
# Terraform local and downloaded modules, module instances, .tf.json, .tfvars, a plan,
# templatefile() and unknown values. Quick tests comparing ways to scan (serial or
# parallel, cached or not, pre-filtered or not) scan this; their slow twins scan all of
# fixtures/.
FIXTURE_SAMPLE = (
    "fixtures/cloudformation/report",
    "fixtures/cloudformation/policy_json_string.json",
    "fixtures/cloudformation/sam_function_policies.yaml",
    "fixtures/cloudformation/parameters_override.yaml",
    "fixtures/cloudformation/foreach_generated_policies.yaml",
    "fixtures/cloudformation/suppressed_by_comment.yaml",
    "fixtures/cloudformation/not_cloudformation_kubernetes.yaml",
    "fixtures/cloudformation/cdk",
    "fixtures/terraform/local_module",
    "fixtures/terraform/downloaded_modules",
    "fixtures/terraform/module_instances",
    "fixtures/terraform/tf_json",
    "fixtures/terraform/variables",
    "fixtures/terraform/plan",
    "fixtures/terraform/templatefile",
    "fixtures/terraform/unresolved",
    "fixtures/terraform/suppressed_by_comment",
)


def write_core_only_config(directory: Path) -> None:
    """An ``.iacguard.yaml`` that turns the round-2 rules off, for command-line tests of
    the core rules."""
    from iacguard.checks import CHECKS

    off = [c.id for c in CHECKS if c.id in CORE_ONLY.disabled]
    rules = "".join(f"  {rule}: false\n" for rule in off)
    (directory / ".iacguard.yaml").write_text(f"rules:\n{rules}", encoding="utf-8")


def assert_snapshot(path: Path, actual: str) -> None:
    """``actual`` is what the committed snapshot at ``path`` holds; with
    ``IACGUARD_UPDATE_SNAPSHOTS=1`` in the environment, it becomes the snapshot."""

    if os.environ.get("IACGUARD_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
        return
    if not path.exists():
        pytest.fail(f"no snapshot {path}; run with IACGUARD_UPDATE_SNAPSHOTS=1 to create it")
    assert actual == path.read_text(encoding="utf-8"), (
        f"{path.name} differs from its snapshot; if the change is intended, "
        "rerun with IACGUARD_UPDATE_SNAPSHOTS=1 and review the diff"
    )


def run(*paths: str | os.PathLike[str], config: Config | None = None) -> ScanResult:
    return scan([str(p) for p in paths], config or Config())


def lines(result: ScanResult) -> list[str]:
    """``IG002 fixtures/x.yaml:12:21 critical AdminPolicy``, one per finding."""
    return [
        f"{f.rule_id} {f.location.file}:{f.location.line}:{f.location.column} {f.severity.value} {f.resource}"
        for f in result.findings
    ]


def messages(result: ScanResult) -> list[str]:
    return [f"{f.rule_id} {f.location.file}:{f.location.line} {f.message}" for f in result.findings]


def described(result: ScanResult) -> list[str]:
    """Everything a user sees of each finding: rule, place, severity, resource, message."""
    return [
        f"{f.rule_id} {f.location.file}:{f.location.line}:{f.location.column} "
        f"{f.severity.value} {f.resource}: {f.message}"
        for f in result.findings
    ]


def iacguard(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run the command line in this process (fast), in ``cwd``, capturing what a user sees."""
    import contextlib
    import io

    from iacguard.cli import main

    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        os.chdir(previous)
    return subprocess.CompletedProcess(["iacguard", *args], code, out.getvalue(), err.getvalue())


def iacguard_process(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run the installed command line as a separate process, exactly as a user does."""
    return subprocess.run(
        [sys.executable, "-m", "iacguard", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def scan_imports(*args: str) -> tuple[subprocess.CompletedProcess[str], int, set[str]]:
    """``iacguard ARGS`` in a fresh interpreter: what it printed (stderr without the last
    line), its exit code and the modules it imported (with those Python's start does)."""
    script = (
        "import sys\nfrom iacguard.cli import main\n"
        "code = main(sys.argv[1:])\nsys.stdout.flush()\n"
        "print(code, *sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    *before, last = done.stderr.splitlines() or [""]
    code, *modules = last.split()
    done.stderr = "".join(f"{line}\n" for line in before)
    return done, int(code), set(modules)


def git_alone(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Git as in a fresh CI job: no user or system configuration, a fixed identity."""
    for name, value in {
        "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }.items():
        monkeypatch.setenv(name, value)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def stored_results(root: Path) -> dict[str, bytes]:
    """The parse results the cache below ``root`` holds in its packs, by key."""
    from iacguard.cache import _records

    results: dict[str, bytes] = {}
    for pack in sorted(root.rglob("*.pack")):
        records, whole = _records(pack.read_bytes(), pack.name[:2])
        assert whole, pack
        results.update(records)
    return results
