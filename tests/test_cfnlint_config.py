"""cfn-lint's suppressions and rule configuration applied to the pack's rules, and
iacguard's own suppressions and config file holding inside cfn-lint."""

from __future__ import annotations

from pathlib import Path

import pytest
from cfnlint_helpers import CFN, described, lint
from helpers import ROOT

LONG_ROLE = (
    'W9105 7:7 Role "LongRole" allows sessions of 12 hours (43200 s); the limit is 1 hour (3600 s)'
)


def test_metadata_ignores_a_rule_in_the_template_and_in_one_resource() -> None:
    assert described(lint(f"{CFN}/suppressed_by_metadata.yaml")) == [
        'E9108 22:21 Statement #1 allows iam:PassRole on every role (Resource "*") to any '
        "service (no iam:PassedToService condition)",
        "E9109 22:21 Statement #1 allows sts:AssumeRole, sts:GetFederationToken, "
        'iam:CreateAccessKey and 20 more on any resource (Resource "*"): each returns '
        "credentials or secrets",
        'E9102 31:21 Statement "EveryEc2Action" allows ec2:* (every ec2 action)',
        'E9109 31:21 Statement "EveryEc2Action" allows ec2:GetPasswordData on any resource '
        '(Resource "*"): each returns credentials or secrets',
    ]


def test_ignore_checks_ignores_the_pack_rules_by_id_or_prefix() -> None:
    template = f"{CFN}/one_finding_per_check.yaml"
    assert [m.split()[0] for m in described(lint(template, ignore_checks=["W9103"]))] == [
        "W9104",
        "W9101",
        "E9102",
        "E9109",
        "W9105",
    ]
    assert described(lint(template, ignore_checks=["W91", "E91"])) == []


def test_the_session_limit_is_one_hour_unless_configured() -> None:
    assert described(lint(f"{CFN}/session_limits.yaml")) == [LONG_ROLE]


def test_max_session_seconds_raises_the_limit() -> None:
    # as the command line passes it (a string) and as .cfnlintrc does (a number)
    for value in ("43200", 43200):
        configured = {"W9105": {"max_session_seconds": value}}
        assert described(lint(f"{CFN}/session_limits.yaml", configure_rules=configured)) == []


def test_require_explicit_session_limit_reports_roles_that_leave_it_unset() -> None:
    configured = {"W9105": {"require_explicit_session_limit": "true"}}
    assert described(lint(f"{CFN}/session_limits.yaml", configure_rules=configured)) == [
        LONG_ROLE,
        'W9105 22:3 Role "UnsetRole" does not set its maximum session duration; set it to '
        "at most 1 hour (3600 s)",
    ]


def test_a_template_sets_its_own_limit_in_its_metadata() -> None:
    assert described(lint(f"{CFN}/session_limit_in_metadata.yaml")) == [
        'W9105 22:7 Role "TwelveHourRole" allows sessions of 12 hours (43200 s); the limit is '
        "4 hours (14400 s)",
    ]


def test_the_options_do_not_leak_into_the_next_run() -> None:
    configured = {"W9105": {"max_session_seconds": "43200"}}
    assert described(lint(f"{CFN}/session_limits.yaml", configure_rules=configured)) == []
    assert described(lint(f"{CFN}/session_limits.yaml")) == [LONG_ROLE]


def test_an_option_that_cannot_be_used_is_reported_and_the_default_applies() -> None:
    configured = {
        "W9105": {"max_session_seconds": "twelve hours", "require_explicit_session_limit": "yes"},
        "E9102": {"max_session_seconds": "7200"},
    }
    assert described(lint(f"{CFN}/session_limits.yaml", configure_rules=configured)) == [
        "E9100 1:1 iacguard configuration: W9105 max_session_seconds must be a whole number "
        "greater than 0, not 'twelve hours'; ignored",
        "E9100 1:1 iacguard configuration: W9105 require_explicit_session_limit must be true "
        "or false, not 'yes'; ignored",
        "E9100 1:1 iacguard configuration: E9102 has no option 'max_session_seconds' (its "
        "options: none)",
        LONG_ROLE,
    ]


def test_iacguard_comments_and_metadata_suppress_in_cfn_lint_too() -> None:
    suppressed = ("W9103 ", "E9102 ")  # user-not-in-group, wildcard-action
    matches = described(lint(f"{CFN}/suppressed_for_iacguard.yaml"))
    assert [m for m in matches if m.startswith(suppressed)] == [
        'E9102 33:21 Statement "EveryEc2Action" allows ec2:* (every ec2 action)',
    ]


def _in_project_with(config: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """cfn-lint run from a folder holding ``.iacguard.yaml``; the template by absolute path."""
    (tmp_path / ".iacguard.yaml").write_text(config, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return str(ROOT / CFN / "one_finding_per_check.yaml")


def test_the_iacguard_config_file_applies_and_cfn_lint_options_override_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = _in_project_with(
        "max_session_seconds: 43200\n"
        "rules:\n"
        "  user-not-in-group: false\n"
        "ignore:\n"
        "  - rule: IG002\n"
        "    resource: OpsPolicy\n"
        "    reason: reviewed in SEC-42\n",
        tmp_path,
        monkeypatch,
    )
    assert [m.split()[0] for m in described(lint(template))] == ["W9104", "W9101", "E9109"]
    configured = {"W9105": {"max_session_seconds": "7200"}}
    assert [m.split()[0] for m in described(lint(template, configure_rules=configured))] == [
        "W9104",
        "W9101",
        "E9109",
        "W9105",
    ]


def test_a_config_file_iacguard_cannot_use_is_one_match_and_the_defaults_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = _in_project_with("max_session_second: 7200\n", tmp_path, monkeypatch)
    matches = described(lint(template))
    assert matches[0].startswith("E9100 1:1 iacguard configuration: ")
    assert "max_session_second" in matches[0]
    assert matches[0].endswith("; the config file is ignored")
    assert [m.split()[0] for m in matches[1:]] == [
        "W9104",
        "W9101",
        "W9103",
        "E9102",
        "E9109",
        "W9105",
    ]
