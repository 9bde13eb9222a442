"""cfn-lint's suppressions and rule configuration, applied to the pack's rules."""

from __future__ import annotations

from cfnlint_helpers import CFN, described, lint

LONG_ROLE = (
    'W9105 7:7 Role "LongRole" allows sessions of 12 hours (43200 s); the limit is 1 hour (3600 s)'
)


def test_metadata_ignores_a_rule_in_the_template_and_in_one_resource() -> None:
    assert described(lint(f"{CFN}/suppressed_by_metadata.yaml")) == [
        'E9102 31:21 Statement "EveryEc2Action" allows ec2:* (every ec2 action)',
    ]


def test_ignore_checks_ignores_the_pack_rules_by_id_or_prefix() -> None:
    template = f"{CFN}/one_finding_per_check.yaml"
    assert [m.split()[0] for m in described(lint(template, ignore_checks=["W9103"]))] == [
        "W9104",
        "W9101",
        "E9102",
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
        "greater than 0, not 'twelve hours'; using 3600",
        "E9100 1:1 iacguard configuration: W9105 require_explicit_session_limit must be true "
        "or false, not 'yes'; using false",
        "E9100 1:1 iacguard configuration: E9102 has no option 'max_session_seconds' (its "
        "options: none)",
        LONG_ROLE,
    ]
