"""The package stays lint-clean, formatted and type-checked (configured in pyproject.toml),
and starts without importing the heavy parsers it does not need."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import ROOT


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "iacguard", "tests"],
        ["ruff", "format", "--check", "iacguard", "tests"],
        ["mypy"],
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tooling_is_clean(command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def imported_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(done.stdout.split())


def test_version_imports_no_parser() -> None:
    modules = imported_after(
        "import contextlib, io\nfrom iacguard.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['--version'])"
    )
    assert not {"cfnlint", "hcl2", "lark", "yaml", "iacguard.engine"} & modules


def test_a_template_without_iam_resources_is_skipped_without_importing_cfn_lint(tmp_path) -> None:
    (tmp_path / "bucket.yaml").write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n")
    modules = imported_after(
        "from iacguard.config import Config\nfrom iacguard.engine import scan\n"
        f"result = scan([{str(tmp_path)!r}], Config())\nassert result.skipped, result"
    )
    assert "cfnlint" not in modules


def test_a_warm_scan_imports_no_parser(tmp_path) -> None:
    """Parse results come from the cache: neither python-hcl2 nor cfn-lint is loaded."""
    scan = (
        "import os\n"
        f"os.environ['IACGUARD_CACHE_DIR'] = {str(tmp_path / 'cache')!r}\n"
        "from iacguard.config import Config\nfrom iacguard.engine import scan\n"
        "result = scan(['fixtures/terraform/policy_document', "
        "'fixtures/cloudformation/wildcard-action/positive_every_wildcard.yaml'], Config())\n"
        "assert result.findings and not result.errors, result"
    )
    imported_after(scan)  # cold: parses, and fills the cache
    assert not {"hcl2", "lark", "cfnlint", "multiprocessing"} & imported_after(scan)
