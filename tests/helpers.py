"""Scan fixtures and describe findings the way a user reads them (rule, file:line, message)."""

from __future__ import annotations

import os
from pathlib import Path

from iacguard.config import Config
from iacguard.engine import ScanResult, scan

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def run(*paths: str | os.PathLike[str], config: Config | None = None) -> ScanResult:
    return scan([str(p) for p in paths], config or Config())


def lines(result: ScanResult) -> list[str]:
    """``IG002 fixtures/x.yaml:12:21 critical AdminPolicy``, one per finding."""
    return [
        f"{f.rule_id} {f.location.file}:{f.location.line}:{f.location.column}"
        f" {f.severity.value} {f.resource}"
        for f in result.findings
    ]


def messages(result: ScanResult) -> list[str]:
    return [f"{f.rule_id} {f.location.file}:{f.location.line} {f.message}" for f in result.findings]
