"""Run-time settings every face shares (CLI flags, config files, the cfn-lint pack)."""

from __future__ import annotations

from dataclasses import dataclass

from iacguard.findings import Severity

DEFAULT_MAX_SESSION_SECONDS = 3600


@dataclass(slots=True)
class Config:
    fail_on: Severity = Severity.LOW
    max_session_seconds: int = DEFAULT_MAX_SESSION_SECONDS
    require_explicit_session_limit: bool = False
    var_files: tuple[str, ...] = ()  # Terraform --var-file, in order; later files win
