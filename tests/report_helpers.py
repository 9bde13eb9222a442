"""Shared by the report, action and pre-commit tests: the SARIF schema check and the
command-line tools the test extra installs."""

from __future__ import annotations

import json
import shutil
import sysconfig
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT

# the OASIS schema as GitHub's code-scanning upload validates against it, from
# github/codeql-action src/sarif-schema-2.1.0.json; replace it whole when upstream changes
SARIF_SCHEMA = ROOT / "tests" / "schemas" / "sarif-2.1.0.json"


def validate_sarif(log: dict[str, Any]) -> None:
    """Fails with the first schema errors, or clearly when the schema is missing."""
    from jsonschema import Draft202012Validator

    if not SARIF_SCHEMA.exists():
        pytest.fail(f"the SARIF schema is missing: expected {SARIF_SCHEMA}")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(Draft202012Validator(schema).iter_errors(log), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def tool(name: str) -> str | None:
    """A command-line tool installed beside this Python (the test extra), else on PATH."""
    beside = Path(sysconfig.get_path("scripts")) / name
    return str(beside) if beside.exists() else shutil.which(name)
