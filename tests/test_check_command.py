"""The steps of ``iacguard check``, called as functions: settings, scan, outputs, exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.commands import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from iacguard.commands.check import CheckRequest, CommandError, configure, exit_code, render
from iacguard.commands.check import scan as scan_request
from iacguard.config import Config
from iacguard.errors import Error
from iacguard.findings import ScanResult, Severity
from iacguard.model import Unresolved

POSITIVE = "fixtures/cloudformation/role-session-limit/positive_twelve_hour_sessions.yaml"


def project(tmp_path: Path, config: str) -> Path:
    (tmp_path / ".iacguard.yaml").write_text(config, encoding="utf-8")
    return tmp_path


def test_the_command_line_settles_the_settings_over_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(
        project(
            tmp_path,
            "fail_on: high\nmax_session_seconds: 60\nmax_file_bytes: 10\nvar_files: [a.tfvars]\n",
        )
    )
    request = CheckRequest(
        paths=["."],
        fail_on="medium",
        options={"max_session_seconds": 7200},
        max_file_bytes=2048,
        var_files=["b.tfvars"],
    )
    config = configure(request)
    assert config.fail_on is Severity.MEDIUM
    assert config.options == {"max_session_seconds": 7200}
    assert config.max_file_bytes == 2048
    assert config.var_files == (str(Path.cwd() / "a.tfvars"), "b.tfvars")  # later files win


def test_the_config_file_holds_what_the_command_line_leaves_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project(tmp_path, "fail_on: high\nrequire_explicit_session_limit: true\n"))
    config = configure(CheckRequest(paths=["."]))
    assert (config.fail_on, config.options) == (
        Severity.HIGH,
        {"require_explicit_session_limit": True},
    )


def test_a_bad_config_stops_the_command_with_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project(tmp_path, "fail_on: sometimes\n"))
    with pytest.raises(CommandError) as raised:
        configure(CheckRequest(paths=["."]))
    assert str(raised.value) == (
        ".iacguard.yaml:1: fail_on: unknown severity 'sometimes' "
        "(one of info, low, medium, high, critical) or none"
    )


def test_a_missing_baseline_stops_the_command_with_its_message() -> None:
    with pytest.raises(CommandError) as raised:
        scan_request(CheckRequest(paths=[POSITIVE], baseline="no/such.json"), Config())
    assert str(raised.value).startswith("no/such.json: ")


def test_scan_applies_the_check_options() -> None:
    request = CheckRequest(paths=[POSITIVE], options={"max_session_seconds": 43200})
    assert scan_request(request, configure(request)).findings == []
    default = scan_request(CheckRequest(paths=[POSITIVE]), Config())
    assert [(f.rule_id, f.location.line) for f in default.findings] == [
        ("IG005", 7),
        ("IG005", 18),
    ]


def test_an_output_file_that_cannot_be_written_stops_the_command(tmp_path: Path) -> None:
    request = CheckRequest(paths=["."], output_json=str(tmp_path / "no" / "such" / "out.json"))
    with pytest.raises(CommandError) as raised:
        render(request, ScanResult())
    assert str(raised.value) == (
        f"cannot write {tmp_path}/no/such/out.json: No such file or directory"
    )


def test_the_exit_code_follows_errors_then_fail_on_then_strict() -> None:
    medium = scan_request(CheckRequest(paths=[POSITIVE]), Config()).findings
    assert exit_code(ScanResult(findings=medium), Config(), strict=False) == EXIT_FINDINGS
    assert exit_code(ScanResult(findings=medium), Config(fail_on=Severity.HIGH), strict=False) == (
        EXIT_OK
    )
    broken = ScanResult(findings=medium, errors=[Error("parse", "bad", "x.yaml", 1)])
    assert exit_code(broken, Config(fail_on=Severity.HIGH), strict=False) == EXIT_ERROR
    unresolved = ScanResult(unresolved=[Unresolved("x.tf", 3, "aws_iam_role.r", "var.x", "?")])
    assert exit_code(unresolved, Config(), strict=False) == EXIT_OK
    assert exit_code(unresolved, Config(), strict=True) == EXIT_FINDINGS
